/**
 * Adding handling units to a shipment: a kind, how many identical units at once (50 boxes of the same kit), the
 * pallet they stand on, and what each one holds (items typed or scanned; a pack's barcode adds one pack). Sent as
 * one POST /shipments/:id/units; the API's field errors appear under the field they name.
 */
import {
  ActionIcon,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey } from '../lib/api';
import { useItems } from '../lib/data';
import { parsePositiveQuantity } from '../lib/decimal';
import { useFormat } from '../lib/format';
import { scanIntoLines, unitOptions } from '../lib/line-form';
import { resolveScan } from '../lib/scan';
import { HANDLING_UNIT_KINDS, type HandlingUnit, type HandlingUnitKind } from '../lib/shipments';
import { type Item, nameIn } from '../lib/types';
import { FormFailure, useFormFailure } from './FormFailure';
import { ScanField } from './ScanField';

interface PackLine {
  itemId: string | null;
  quantity: string;
  unit: string | null;
}

const emptyLine = (): PackLine => ({ itemId: null, quantity: '', unit: null });

/** The API names fields of the request ("units[0].lines[1].quantity"); this form is that one unit. */
const unitField = (path: string) => path.replace(/^units\.0\./, '');

export function PackUnitsForm({
  shipmentId,
  units,
  onAdded,
}: {
  shipmentId: string;
  units: readonly HandlingUnit[];
  onAdded: () => Promise<void> | void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const items = useItems();
  const itemsById = useMemo(() => new Map((items.data ?? []).map((item) => [item.id, item])), [items.data]);
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      kind: 'box' as HandlingUnitKind,
      count: 1 as number | string,
      parentId: null as string | null,
      lines: [emptyLine()],
    },
    validate: {
      count: (value) => (Number.isInteger(Number(value)) && Number(value) >= 1 ? null : t('validation.positive')),
      lines: {
        itemId: (value) => (value ? null : t('validation.required')),
        quantity: (value) => {
          const parsed = parsePositiveQuantity(value);
          return 'error' in parsed ? t(`validation.${parsed.error}`) : null;
        },
      },
    },
  });
  const failed = useFormFailure(form, unitField);

  const unitsOf = (item: Item | undefined) => unitOptions(item, format.unit);

  const addScanned = (code: string) => {
    const match = resolveScan(code, items.data ?? []);
    if (!match) {
      notifications.show({ color: 'red', message: t('donation.unknownCode', { code }) });
      return;
    }
    scanIntoLines(form, match, emptyLine);
  };

  const onSubmit = form.onSubmit(async (values) => {
    failed.clear();
    const body = {
      units: [
        {
          kind: values.kind,
          count: Number(values.count),
          ...(values.parentId ? { parentId: values.parentId } : {}),
          lines: values.lines.map((line) => {
            const quantity = parsePositiveQuantity(line.quantity);
            return {
              itemId: line.itemId,
              quantity: 'value' in quantity ? quantity.value : line.quantity,
              ...(line.unit ? { unit: line.unit } : {}),
            };
          }),
        },
      ],
    };
    try {
      await api(`/shipments/${shipmentId}/units`, { method: 'POST', body, idempotencyKey: newIdempotencyKey() });
      form.reset();
      await onAdded();
    } catch (error) {
      failed.show(error);
    }
  });

  const pallets = units.filter((unit) => unit.kind === 'pallet');
  return (
    <form onSubmit={onSubmit} noValidate data-testid="pack-form">
      <Stack>
        <FormFailure failure={failed.failure} />
        <SimpleGrid cols={{ base: 2, sm: 3 }}>
          <Select
            label={t('shipment.unitKind')}
            allowDeselect={false}
            data-testid="unit-kind"
            data={HANDLING_UNIT_KINDS.map((kind) => ({ value: kind, label: t(`shipment.unitKinds.${kind}`) }))}
            {...form.getInputProps('kind')}
          />
          <NumberInput
            label={t('shipment.unitCount')}
            min={1}
            max={1000}
            allowDecimal={false}
            data-testid="unit-count"
            {...form.getInputProps('count')}
          />
          <Select
            label={t('shipment.onPallet')}
            clearable
            data-testid="unit-parent"
            data={pallets.map((pallet) => ({
              value: pallet.id,
              label: `${pallet.code} (${pallet.number}/${pallet.of})`,
            }))}
            {...form.getInputProps('parentId')}
          />
        </SimpleGrid>
        <ScanField
          label={t('donation.scan')}
          description={t('donation.scanHint')}
          onScan={addScanned}
          testId="pack-scan"
        />
        {form.values.lines.map((line, index) => {
          const item = itemsById.get(line.itemId ?? '');
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity before they are saved.
            <Card withBorder key={index} p="xs" data-testid={`pack-line-${index}`}>
              <Group align="flex-start" wrap="nowrap" gap="xs">
                <SimpleGrid cols={{ base: 1, xs: 3 }} style={{ flex: 1 }}>
                  <Select
                    label={t('donation.item')}
                    searchable
                    data-testid={`pack-line-${index}-item`}
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
                  <TextInput
                    label={t('shipment.perUnit')}
                    inputMode="decimal"
                    data-testid={`pack-line-${index}-quantity`}
                    {...form.getInputProps(`lines.${index}.quantity`)}
                  />
                  <Select
                    label={t('donation.unit')}
                    allowDeselect={false}
                    data={unitsOf(item)}
                    {...form.getInputProps(`lines.${index}.unit`)}
                  />
                </SimpleGrid>
                {form.values.lines.length > 1 && (
                  <ActionIcon
                    mt={28}
                    variant="subtle"
                    color="red"
                    aria-label={t('donation.removeLine', { n: index + 1 })}
                    onClick={() => form.removeListItem('lines', index)}
                  >
                    ×
                  </ActionIcon>
                )}
              </Group>
            </Card>
          );
        })}
        <Group>
          <Button variant="light" onClick={() => form.insertListItem('lines', emptyLine())}>
            {t('donation.addLine')}
          </Button>
          <Button type="submit" loading={form.submitting} data-testid="add-units">
            {t('shipment.addUnits')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t('shipment.packHint')}
        </Text>
      </Stack>
    </form>
  );
}
