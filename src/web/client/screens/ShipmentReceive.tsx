/**
 * Receiving a shipment line by line: how many arrived good and how many damaged, typed (decimal comma or point) or
 * found by scanning the item, with a reason for what is missing or broken. Blind mode (on by default) hides what was
 * sent, so the count is not steered by it; the differences show once the receipt is posted. Counts are saved
 * through the offline queue (a loading dock without signal); posting the last receipt records the rest short and
 * puts the goods on the shelves. The goods received note prints in kk, ru or en.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { QueryState } from '../components/QueryState';
import { ScanField } from '../components/ScanField';
import { api, newIdempotencyKey } from '../lib/api';
import { useItems, useWarehouses } from '../lib/data';
import { parseDecimal } from '../lib/decimal';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import { useOffline } from '../lib/offline';
import { usePrintPdf } from '../lib/print';
import { resolveScan } from '../lib/scan';
import type { Receipt, ReceiptLine, Shipment } from '../lib/shipments';
import { inBaseUnit } from '../lib/stock';
import { nameIn } from '../lib/types';

interface Typed {
  good?: string;
  damaged?: string;
  reason?: string;
}

export default function ShipmentReceive() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const { submit } = useOffline();
  const items = useItems();
  const itemsById = useMemo(() => new Map((items.data ?? []).map((item) => [item.id, item])), [items.data]);
  const shipment = useQuery({ queryKey: ['shipments', id], queryFn: () => api<Shipment>(`/shipments/${id}`) });
  const receipts = useQuery({
    queryKey: ['shipments', id, 'receipts'],
    queryFn: () => api<Receipt[] | { data: Receipt[] }>(`/shipments/${id}/receipts`),
  });
  const list = Array.isArray(receipts.data) ? receipts.data : (receipts.data?.data ?? []);
  const receipt = list.find((r) => r.status === 'open') ?? list.at(-1);
  const [blind, setBlind] = useState(true);
  const warehouses = useWarehouses();
  const [chosenWarehouse, setChosenWarehouse] = useState<string | null>(null);
  const [typed, setTyped] = useState<Record<string, Typed>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const inputs = useRef<Record<string, HTMLInputElement | null>>({});
  // Into which of our warehouses: the shipment's destination when it is one of ours, else the one chosen.
  const ours = (warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }));
  const destination = shipment.data?.destination.warehouseId;
  const warehouseId =
    chosenWarehouse ?? (destination && ours.some((w) => w.value === destination) ? destination : null);
  const grn = usePrintPdf();

  const shown = (subUnits: number | undefined, line: ReceiptLine) => {
    if (subUnits === undefined) return '';
    const item = itemsById.get(line.itemId);
    const base = item ? inBaseUnit(subUnits, line.unit, item.baseUnit) : undefined;
    return item && base !== undefined ? format.quantity(base, item.baseUnit) : format.quantity(subUnits, line.unit);
  };

  const unitOf = (line: ReceiptLine) => shipment.data?.handlingUnits?.find((unit) => unit.id === line.handlingUnitId);
  const unitCode = (line: ReceiptLine) => unitOf(line)?.code ?? null;

  const setReceipt = (next: Receipt) =>
    queryClient.setQueryData(['shipments', id, 'receipts'], (current: Receipt[] | { data: Receipt[] } | undefined) => {
      const old = Array.isArray(current) ? current : (current?.data ?? []);
      return [...old.filter((r) => r.id !== next.id), next];
    });

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
    } catch (error) {
      setMessage({ color: 'red', text: errorText(error, t) });
    } finally {
      setBusy(false);
    }
  };

  const open = () =>
    act(async () => {
      setReceipt(
        await api<Receipt>(`/shipments/${id}/receipts`, {
          method: 'POST',
          body: { blind, ...(warehouseId ? { warehouseId } : {}) },
          idempotencyKey: newIdempotencyKey(),
        }),
      );
    });

  const onScan = (code: string) => {
    const match = resolveScan(code, items.data ?? []);
    const line = match ? receipt?.lines.find((l) => l.itemId === match.item.id) : undefined;
    if (!line) {
      notifications.show({ color: 'red', message: t('count.notInCount', { code }) });
      return;
    }
    inputs.current[line.id]?.focus();
    inputs.current[line.id]?.scrollIntoView({ block: 'center' });
  };

  const save = () =>
    act(async () => {
      if (!receipt) return;
      const lines = Object.entries(typed).flatMap(([lineId, entry]) => {
        const line = receipt.lines.find((l) => l.id === lineId);
        const item = line && itemsById.get(line.itemId);
        const good = parseDecimal(entry.good ?? '');
        const damaged = parseDecimal(entry.damaged ?? '');
        if (!line || !item || (good === null && damaged === null)) return [];
        return [
          {
            lineId,
            unit: item.baseUnit,
            ...(good !== null ? { good } : {}),
            ...(damaged !== null ? { damaged } : {}),
            ...(entry.reason?.trim() ? { reason: entry.reason.trim() } : {}),
          },
        ];
      });
      if (!lines.length) {
        setMessage({ color: 'orange', text: t('count.nothingToSave') });
        return;
      }
      const outcome = await submit<Receipt>({
        kind: 'receipt',
        method: 'POST',
        path: `/shipments/${id}/receipts/${receipt.id}/counts`,
        body: { lines },
        summary: `${shipment.data?.number ?? ''} · ${lines.length}`,
      });
      setTyped({});
      if (outcome.queued) setMessage({ color: 'orange', text: t('count.queued') });
      else {
        setReceipt(outcome.response);
        setMessage({ color: 'teal', text: t('count.saved') });
      }
    });

  const post = () =>
    act(async () => {
      if (!receipt) return;
      setReceipt(
        await api<Receipt>(`/shipments/${id}/receipts/${receipt.id}/post`, {
          method: 'POST',
          body: { final: true },
          idempotencyKey: newIdempotencyKey(),
        }),
      );
      await queryClient.invalidateQueries({ queryKey: ['shipments'] });
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      setMessage({ color: 'teal', text: t('receipt.posted') });
    });

  const s = shipment.data;
  const editing = receipt?.status === 'open';
  return (
    <Stack>
      <QueryState error={shipment.error ?? receipts.error} loading={shipment.isPending || receipts.isPending} />
      {s && (
        <>
          <Group justify="space-between">
            <Title order={1}>{t('receipt.title', { number: s.number })}</Title>
            {receipt && (
              <Badge size="lg" variant="outline" data-testid="receipt-status">
                {t(`receipt.statuses.${receipt.status}`)}
              </Badge>
            )}
          </Group>
          <Text>
            <Link to={`/shipments/${s.id}`}>{s.number}</Link> · {s.origin.name} → {s.destination.name}
          </Text>
          {message && (
            <Alert
              color={message.color}
              role={message.color === 'red' ? 'alert' : 'status'}
              data-testid="receipt-message"
            >
              {message.text}
            </Alert>
          )}
          {!receipt && (
            <Card withBorder>
              <Stack>
                <Select
                  label={t('receipt.warehouse')}
                  data-testid="receipt-warehouse"
                  value={warehouseId}
                  onChange={setChosenWarehouse}
                  data={ours}
                />
                <Switch
                  label={t('receipt.blind')}
                  checked={blind}
                  onChange={(event) => setBlind(event.currentTarget.checked)}
                  data-testid="receipt-blind"
                />
                <Button onClick={() => void open()} loading={busy} data-testid="open-receipt">
                  {t('receipt.start')}
                </Button>
              </Stack>
            </Card>
          )}
          {editing && <ScanField label={t('count.scan')} onScan={onScan} testId="receipt-scan" />}
          {receipt?.lines.map((line) => {
            const item = itemsById.get(line.itemId);
            const entry = typed[line.id] ?? {};
            const problem = (text?: string) =>
              text && text.trim() !== '' && parseDecimal(text) === null ? t('validation.decimal') : undefined;
            const update = (field: keyof Typed, value: string) =>
              setTyped((current) => ({ ...current, [line.id]: { ...current[line.id], [field]: value } }));
            const discrepancy = receipt.status === 'posted' && ((line.short ?? 0) > 0 || line.damaged > 0);
            return (
              <Card
                withBorder
                key={line.id}
                data-testid="receipt-line"
                data-sku={item?.sku}
                data-unit-kind={unitOf(line)?.kind}
              >
                <Stack gap={4}>
                  <Group justify="space-between">
                    <Text fw={700}>{nameIn(item?.name, format.lang)}</Text>
                    {discrepancy && (
                      <Badge color="#9c3b00" variant="filled" data-testid="discrepancy">
                        {t('receipt.discrepancy')}
                      </Badge>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {item?.sku}
                    {unitCode(line) && ` · ${unitCode(line)}`}
                  </Text>
                  <SimpleGrid cols={{ base: 2, sm: 4 }}>
                    {line.expected !== undefined && (
                      <div>
                        <Text size="xs" c="dimmed">
                          {t('receipt.sent')}
                        </Text>
                        <Text fw={600}>{shown(line.expected, line)}</Text>
                      </div>
                    )}
                    {line.counted && (
                      <div>
                        <Text size="xs" c="dimmed">
                          {t('receipt.good')}
                        </Text>
                        <Text fw={600}>{shown(line.good, line)}</Text>
                      </div>
                    )}
                    {line.damaged > 0 && (
                      <div>
                        <Text size="xs" c="dimmed">
                          {t('receipt.damaged')}
                        </Text>
                        <Text fw={600} c="red.9">
                          {shown(line.damaged, line)}
                        </Text>
                      </div>
                    )}
                    {(line.short ?? 0) > 0 && (
                      <div data-testid="short">
                        <Text size="xs" c="dimmed">
                          {t('receipt.short')}
                        </Text>
                        <Text fw={600} c="red.9">
                          {shown(line.short, line)}
                        </Text>
                      </div>
                    )}
                  </SimpleGrid>
                  {line.reason && <Text size="sm">{line.reason}</Text>}
                  {editing && (
                    <>
                      <SimpleGrid cols={{ base: 2, sm: 2 }}>
                        <TextInput
                          label={`${t('receipt.good')}, ${item ? format.unit(item.baseUnit) : ''}`}
                          inputMode="decimal"
                          value={entry.good ?? ''}
                          error={problem(entry.good)}
                          data-testid="receipt-good"
                          ref={(element) => {
                            inputs.current[line.id] = element;
                          }}
                          onChange={(event) => update('good', event.currentTarget.value)}
                        />
                        <TextInput
                          label={`${t('receipt.damaged')}, ${item ? format.unit(item.baseUnit) : ''}`}
                          inputMode="decimal"
                          value={entry.damaged ?? ''}
                          error={problem(entry.damaged)}
                          data-testid="receipt-damaged"
                          onChange={(event) => update('damaged', event.currentTarget.value)}
                        />
                      </SimpleGrid>
                      <TextInput
                        label={t('receipt.reason')}
                        value={entry.reason ?? ''}
                        data-testid="receipt-reason"
                        onChange={(event) => update('reason', event.currentTarget.value)}
                      />
                    </>
                  )}
                </Stack>
              </Card>
            );
          })}
          {editing && (
            <Group>
              <Button onClick={() => void save()} loading={busy} data-testid="save-receipt">
                {t('count.save')}
              </Button>
              <Button variant="default" onClick={() => void post()} loading={busy} data-testid="post-receipt">
                {t('receipt.post')}
              </Button>
            </Group>
          )}
          {receipt?.status === 'posted' && (
            <Group>
              {grn.error && <Text c="red.9">{grn.error}</Text>}
              <Button
                loading={grn.isPrinting()}
                onClick={() => void grn.print(`/shipments/${id}/receipts/${receipt.id}/grn.pdf`, { lang: format.lang })}
                data-testid="print-grn"
              >
                {t('receipt.printGrn')}
              </Button>
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}
