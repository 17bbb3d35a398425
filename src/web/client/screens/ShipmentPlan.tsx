/**
 * Plan a shipment: its kind, the warehouse it leaves, who receives it and where, when it should leave, and how.
 * A transfer goes to another of the organisation's warehouses; a delivery to another organisation of this
 * deployment, picked from the directory (those sharing a hub with the user's, by name: the API shows nothing else of
 * them); outbound aid to such an organisation or to an outside party named by hand. The API's field errors appear
 * under the field they name; the shipment opens as a draft, ready to pack.
 */
import { Button, SegmentedControl, Select, SimpleGrid, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { DateInput, DatesProvider } from '@mantine/dates';
import '@mantine/dates/styles.css';
import { useForm } from '@mantine/form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { FormFailure, useFormFailure } from '../components/FormFailure';
import { api, newIdempotencyKey, type Page } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useWarehouses } from '../lib/data';
import { useFormat } from '../lib/format';
import { SHIPMENT_KINDS, type Shipment, type ShipmentKind, TRANSPORT_MODES } from '../lib/shipments';

/** An organisation as the directory shows it. */
interface DirectoryEntry {
  id: string;
  name: string;
  type: string;
}

type ConsigneeKind = 'organisation' | 'outside';

/** A delivery always goes to an organisation of Asar; outbound aid to one when the user says so. */
function byOrganisation(values: { kind: ShipmentKind; consigneeKind: ConsigneeKind }): boolean {
  return values.kind === 'delivery' || (values.kind === 'outbound' && values.consigneeKind === 'organisation');
}

/** The API's paths ("consignee.name", "origin.warehouseId") to this form's fields. */
const SHIPMENT_FIELDS: Record<string, string> = {
  'origin.warehouseId': 'originWarehouseId',
  'destination.warehouseId': 'destinationWarehouseId',
  'consignee.name': 'consigneeName',
  'consignee.organisationId': 'consigneeOrganisationId',
  'consignee.country': 'consigneeCountry',
  'destination.name': 'destinationName',
  'destination.address': 'destinationAddress',
};

export default function ShipmentPlan() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { me, can } = useAuth();
  const warehouses = useWarehouses();
  const directory = useQuery({
    queryKey: ['organisations', 'directory'],
    queryFn: () => api<Page<DirectoryEntry>>('/organisations/directory', { query: { limit: 100 } }),
    enabled: can('shipments:write'),
    staleTime: 5 * 60_000,
  });
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      kind: 'transfer' as ShipmentKind,
      originWarehouseId: null as string | null,
      destinationWarehouseId: null as string | null,
      consigneeKind: 'outside' as ConsigneeKind,
      consigneeOrganisationId: null as string | null,
      consigneeName: '',
      consigneeCountry: 'KZ',
      destinationName: '',
      destinationAddress: '',
      mode: 'road' as string | null,
      plannedDispatchAt: null as string | null,
      notes: '',
    },
    validate: {
      originWarehouseId: (value) => (value ? null : t('validation.required')),
      destinationWarehouseId: (value, values) =>
        values.kind !== 'transfer' || value ? null : t('validation.required'),
      consigneeOrganisationId: (value, values) => (byOrganisation(values) && !value ? t('validation.required') : null),
      consigneeName: (value, values) =>
        values.kind === 'transfer' || byOrganisation(values) || value.trim() ? null : t('validation.required'),
      destinationName: (value, values) =>
        values.kind === 'transfer' || value.trim() ? null : t('validation.required'),
    },
  });
  const failed = useFormFailure(form, SHIPMENT_FIELDS);
  const transfer = form.values.kind === 'transfer';
  const toOrganisation = byOrganisation(form.values);
  const warehouseOptions = (warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }));

  const onSubmit = form.onSubmit(async (values) => {
    failed.clear();
    const body = {
      kind: values.kind,
      origin: { warehouseId: values.originWarehouseId },
      consignee: transfer
        ? { organisationId: me?.user?.organisationId }
        : byOrganisation(values)
          ? { organisationId: values.consigneeOrganisationId }
          : { name: values.consigneeName.trim(), country: values.consigneeCountry.trim().toUpperCase() || undefined },
      destination: transfer
        ? { warehouseId: values.destinationWarehouseId }
        : {
            name: values.destinationName.trim(),
            ...(values.destinationAddress.trim() ? { address: values.destinationAddress.trim() } : {}),
          },
      ...(values.mode ? { mode: values.mode } : {}),
      ...(values.plannedDispatchAt ? { plannedDispatchAt: values.plannedDispatchAt } : {}),
      ...(values.notes.trim() ? { notes: values.notes.trim() } : {}),
    };
    try {
      const shipment = await api<Shipment>('/shipments', { method: 'POST', body, idempotencyKey: newIdempotencyKey() });
      await queryClient.invalidateQueries({ queryKey: ['shipments'] });
      navigate(`/shipments/${shipment.id}`);
    } catch (error) {
      failed.show(error);
    }
  });

  return (
    <DatesProvider settings={{ locale: format.lang }}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={1}>{t('shipment.plan')}</Title>
          <FormFailure failure={failed.failure} testId="plan-error" />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('shipment.kind')}
              allowDeselect={false}
              data-testid="shipment-kind"
              data={SHIPMENT_KINDS.filter((kind) => kind !== 'inbound').map((kind) => ({
                value: kind,
                label: t(`shipment.kinds.${kind}`),
              }))}
              {...form.getInputProps('kind')}
            />
            <Select
              label={t('shipment.from')}
              required
              data-testid="origin"
              data={warehouseOptions}
              {...form.getInputProps('originWarehouseId')}
            />
            {transfer ? (
              <Select
                label={t('shipment.to')}
                required
                data-testid="destination-warehouse"
                data={warehouseOptions.filter((option) => option.value !== form.values.originWarehouseId)}
                {...form.getInputProps('destinationWarehouseId')}
              />
            ) : (
              <>
                {form.values.kind === 'outbound' && (
                  <SegmentedControl
                    aria-label={t('shipment.consigneeKind')}
                    data-testid="consignee-kind"
                    data={(['outside', 'organisation'] as const).map((value) => ({
                      value,
                      label: t(`shipment.consigneeKinds.${value}`),
                    }))}
                    {...form.getInputProps('consigneeKind')}
                  />
                )}
                {toOrganisation ? (
                  <Select
                    label={t('shipment.consigneeOrganisation')}
                    description={
                      directory.data?.data.length === 0
                        ? t('shipment.noDirectory')
                        : t('shipment.consigneeOrganisationHint')
                    }
                    required
                    searchable
                    data-testid="consignee-organisation"
                    data={(directory.data?.data ?? []).map((org) => ({ value: org.id, label: org.name }))}
                    {...form.getInputProps('consigneeOrganisationId')}
                    onChange={(value) => {
                      form.setFieldValue('consigneeOrganisationId', value);
                      // The place defaults to the organisation's name; the consignee picks its warehouse on arrival.
                      const picked = directory.data?.data.find((org) => org.id === value);
                      if (picked && !form.values.destinationName.trim())
                        form.setFieldValue('destinationName', picked.name);
                    }}
                  />
                ) : (
                  <>
                    <TextInput
                      label={t('shipment.consignee')}
                      required
                      data-testid="consignee-name"
                      {...form.getInputProps('consigneeName')}
                    />
                    <TextInput
                      label={t('shipment.country')}
                      maxLength={2}
                      {...form.getInputProps('consigneeCountry')}
                    />
                  </>
                )}
                <TextInput
                  label={t('shipment.destination')}
                  required
                  data-testid="destination-name"
                  {...form.getInputProps('destinationName')}
                />
                <TextInput label={t('shipment.address')} {...form.getInputProps('destinationAddress')} />
              </>
            )}
            <Select
              label={t('shipment.mode')}
              clearable
              data={TRANSPORT_MODES.map((mode) => ({ value: mode, label: t(`shipment.modes.${mode}`) }))}
              {...form.getInputProps('mode')}
            />
            <DateInput
              label={t('shipment.plannedDispatch')}
              valueFormat="DD.MM.YYYY"
              size="md"
              clearable
              {...form.getInputProps('plannedDispatchAt')}
            />
          </SimpleGrid>
          <Textarea label={t('donation.notes')} autosize minRows={2} {...form.getInputProps('notes')} />
          <Button type="submit" size="lg" loading={form.submitting} data-testid="submit-plan">
            {t('shipment.create')}
          </Button>
        </Stack>
      </form>
    </DatesProvider>
  );
}
