/**
 * Receive a donation: donor, warehouse, date, and its lines (item, quantity with a decimal comma or point, unit —
 * the base unit or one of the item's packs —, condition, lot, expiry, bin). Lines are added by hand or by scanning
 * (a pack's barcode adds one pack). Sent as one POST /donations with receive: true; without a connection it is
 * queued on the device with its Idempotency-Key. The API's field errors appear under the field they name.
 */
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { DateInput, DatesProvider } from '@mantine/dates';
import '@mantine/dates/styles.css';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { FormFailure, useFormFailure } from '../components/FormFailure';
import { ScanField } from '../components/ScanField';
import type { Dictionary } from '../i18n/en';
import { useDonors, useItems, useWarehouses } from '../lib/data';
import { parsePositiveQuantity } from '../lib/decimal';
import { useFormat } from '../lib/format';
import { scanIntoLines, unitOptions } from '../lib/line-form';
import { useOffline } from '../lib/offline';
import { resolveScan } from '../lib/scan';
import { type Donation, type Item, nameIn } from '../lib/types';

interface LineValues {
  itemId: string | null;
  quantity: string;
  unit: string | null;
  condition: string;
  lot: string;
  expiryDate: string | null;
  locationCode: string | null;
}

const emptyLine = (): LineValues => ({
  itemId: null,
  quantity: '',
  unit: null,
  condition: 'new',
  lot: '',
  expiryDate: null,
  locationCode: null,
});

/** YYYY-MM-DD of today in the device's time zone. */
function today(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

export default function ReceiveDonation() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { submit } = useOffline();
  const items = useItems();
  const warehouses = useWarehouses();
  const donors = useDonors();
  const [queuedMessage, setQueuedMessage] = useState(false);
  const itemsById = useMemo(() => new Map((items.data ?? []).map((item) => [item.id, item])), [items.data]);

  const form = useForm({
    mode: 'controlled',
    initialValues: {
      donorId: null as string | null,
      warehouseId: null as string | null,
      receivedAt: today() as string | null,
      notes: '',
      lines: [emptyLine()],
    },
    validate: {
      donorId: (value) => (value ? null : t('validation.required')),
      warehouseId: (value) => (value ? null : t('validation.required')),
      lines: {
        itemId: (value) => (value ? null : t('validation.required')),
        quantity: (value) => {
          const parsed = parsePositiveQuantity(value);
          return 'error' in parsed ? t(`validation.${parsed.error}`) : null;
        },
      },
    },
  });
  const failed = useFormFailure(form);

  const warehouse = warehouses.data?.find((w) => w.id === form.values.warehouseId);
  const units = (item: Item | undefined) => unitOptions(item, format.unit);
  const conditions = t('conditions', { returnObjects: true }) as Dictionary['conditions'];

  const addScanned = (code: string) => {
    const match = resolveScan(code, items.data ?? []);
    if (!match) {
      notifications.show({ color: 'red', message: t('donation.unknownCode', { code }) });
      return;
    }
    scanIntoLines(form, match, emptyLine);
    notifications.show({
      color: 'teal',
      message: t('donation.scanned', {
        item: nameIn(match.item.name, format.lang),
        quantity: format.quantity(match.quantity, match.unit),
      }),
    });
  };

  const onSubmit = form.onSubmit(async (values) => {
    failed.clear();
    setQueuedMessage(false);
    const body = {
      donorId: values.donorId,
      warehouseId: values.warehouseId,
      receivedAt: values.receivedAt ? new Date(`${values.receivedAt}T12:00:00Z`).toISOString() : undefined,
      notes: values.notes.trim() || null,
      receive: true,
      lines: values.lines.map((line) => {
        const quantity = parsePositiveQuantity(line.quantity);
        return {
          itemId: line.itemId,
          quantity: 'value' in quantity ? quantity.value : line.quantity,
          unit: line.unit ?? undefined,
          condition: line.condition,
          lot: line.lot.trim() || null,
          expiryDate: line.expiryDate ? `${line.expiryDate}T00:00:00.000Z` : null,
          locationCode: line.locationCode || null,
        };
      }),
    };
    try {
      const outcome = await submit<Donation>({
        kind: 'donation',
        method: 'POST',
        path: '/donations',
        body,
        summary: `${warehouse?.code ?? ''} · ${values.lines.length} × ${values.lines
          .map((line) => nameIn(itemsById.get(line.itemId ?? '')?.name, format.lang))
          .join(', ')}`,
      });
      if (outcome.queued) {
        setQueuedMessage(true);
        form.reset();
        return;
      }
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      await queryClient.invalidateQueries({ queryKey: ['donations'] });
      notifications.show({ color: 'teal', message: t('donation.received', { number: outcome.response.number }) });
      navigate(`/donations/${outcome.response.id}`);
    } catch (error) {
      failed.show(error);
    }
  });

  return (
    <DatesProvider settings={{ locale: format.lang }}>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={1}>{t('donation.title')}</Title>
          {queuedMessage && (
            <Alert color="orange" role="status" data-testid="donation-queued">
              {t('donation.queued')}
            </Alert>
          )}
          <FormFailure failure={failed.failure} testId="donation-error" />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label={t('donation.donor')}
              searchable
              required
              data-testid="donor"
              data={(donors.data ?? []).map((donor) => ({
                value: donor.id,
                label: donor.anonymous || !donor.name ? t('donation.anonymous') : donor.name,
              }))}
              {...form.getInputProps('donorId')}
            />
            <Select
              label={t('donation.warehouse')}
              required
              data-testid="warehouse"
              data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))}
              {...form.getInputProps('warehouseId')}
            />
            <DateInput
              label={t('donation.receivedAt')}
              valueFormat="DD.MM.YYYY"
              size="md"
              maxDate={today()}
              {...form.getInputProps('receivedAt')}
            />
          </SimpleGrid>

          <Title order={2} size="h3">
            {t('donation.lines')}
          </Title>
          <ScanField
            label={t('donation.scan')}
            description={t('donation.scanHint')}
            onScan={addScanned}
            testId="scan"
          />
          {form.values.lines.map((line, index) => {
            const item = itemsById.get(line.itemId ?? '');
            const n = index + 1;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity before they are saved.
              <Card withBorder key={index} component="fieldset" data-testid={`line-${index}`} style={{ minWidth: 0 }}>
                <Group justify="space-between" mb="xs">
                  <Text component="legend" fw={700}>
                    {t('donation.line', { n })}
                  </Text>
                  {form.values.lines.length > 1 && (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('donation.removeLine', { n })}
                      onClick={() => form.removeListItem('lines', index)}
                    >
                      ×
                    </ActionIcon>
                  )}
                </Group>
                <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
                  <Select
                    label={t('donation.item')}
                    searchable
                    required
                    data-testid={`line-${index}-item`}
                    data={(items.data ?? []).map((i) => ({
                      value: i.id,
                      label: `${nameIn(i.name, format.lang)} · ${i.sku}`,
                    }))}
                    {...form.getInputProps(`lines.${index}.itemId`)}
                    onChange={(value) => {
                      form.setFieldValue(`lines.${index}.itemId`, value);
                      form.setFieldValue(`lines.${index}.unit`, itemsById.get(value ?? '')?.baseUnit ?? null);
                    }}
                  />
                  <Group grow align="flex-start" gap="xs">
                    <TextInput
                      label={t('donation.quantity')}
                      inputMode="decimal"
                      required
                      data-testid={`line-${index}-quantity`}
                      {...form.getInputProps(`lines.${index}.quantity`)}
                    />
                    <Select
                      label={t('donation.unit')}
                      data={units(item)}
                      allowDeselect={false}
                      {...form.getInputProps(`lines.${index}.unit`)}
                    />
                  </Group>
                  <Select
                    label={t('donation.condition')}
                    allowDeselect={false}
                    data={Object.entries(conditions).map(([value, label]) => ({ value, label }))}
                    {...form.getInputProps(`lines.${index}.condition`)}
                  />
                  <Select
                    label={t('donation.bin')}
                    clearable
                    data={(warehouse?.locations ?? [])
                      .filter((location) => location.active)
                      .map((location) => ({
                        value: location.code,
                        label: location.name ? `${location.code} · ${location.name}` : location.code,
                      }))}
                    {...form.getInputProps(`lines.${index}.locationCode`)}
                  />
                  <TextInput label={t('donation.lot')} {...form.getInputProps(`lines.${index}.lot`)} />
                  <DateInput
                    label={t('donation.expiry')}
                    valueFormat="DD.MM.YYYY"
                    size="md"
                    clearable
                    {...form.getInputProps(`lines.${index}.expiryDate`)}
                  />
                </SimpleGrid>
              </Card>
            );
          })}
          <Button variant="light" onClick={() => form.insertListItem('lines', emptyLine())}>
            {t('donation.addLine')}
          </Button>
          <Textarea
            label={t('donation.notes')}
            autosize
            minRows={2}
            data-testid="notes"
            {...form.getInputProps('notes')}
          />
          <Button type="submit" size="lg" loading={form.submitting} data-testid="submit-donation">
            {t('donation.submit')}
          </Button>
        </Stack>
      </form>
    </DatesProvider>
  );
}
