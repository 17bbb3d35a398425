/**
 * One count, line by line: the counted quantity typed (decimal comma or point) or found by scanning the item, a
 * blind mode (on by default) that hides what the books expect so the count is not steered by it, and the
 * differences once it is off. Counted quantities are saved through the offline queue: counted in a cold store
 * without signal, they are sent when the connection returns. Posting turns the differences into adjustments.
 */
import { Alert, Badge, Button, Card, Group, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { QueryState } from '../components/QueryState';
import { ScanField } from '../components/ScanField';
import { api, newIdempotencyKey } from '../lib/api';
import { useItems, useWarehouses } from '../lib/data';
import { parseDecimal } from '../lib/decimal';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import { useOffline } from '../lib/offline';
import { resolveScan } from '../lib/scan';
import { inBaseUnit } from '../lib/stock';
import { nameIn, type StockCount } from '../lib/types';

export default function CountSheet() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const { submit } = useOffline();
  const items = useItems();
  const warehouses = useWarehouses();
  const count = useQuery({ queryKey: ['counts', id], queryFn: () => api<StockCount>(`/stock/counts/${id}`) });
  const [blind, setBlind] = useState(true);
  const [typed, setTyped] = useState<Record<number, string>>({});
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const inputs = useRef<Record<number, HTMLInputElement | null>>({});
  const itemsById = useMemo(() => new Map((items.data ?? []).map((item) => [item.id, item])), [items.data]);
  const c = count.data;
  const open = c?.status === 'open';

  const baseOf = (subUnits: number, unit: string, itemId: string) => {
    const item = itemsById.get(itemId);
    const base = item ? inBaseUnit(subUnits, unit, item.baseUnit) : undefined;
    return item && base !== undefined ? format.quantity(base, item.baseUnit) : format.quantity(subUnits, unit);
  };

  const onScan = (code: string) => {
    const match = resolveScan(code, items.data ?? []);
    const index = match ? (c?.lines.findIndex((line) => line.itemId === match.item.id) ?? -1) : -1;
    if (index < 0) {
      notifications.show({ color: 'red', message: t('count.notInCount', { code }) });
      return;
    }
    inputs.current[index]?.focus();
    inputs.current[index]?.scrollIntoView({ block: 'center' });
  };

  const save = async () => {
    if (!c) return;
    const lines = Object.entries(typed).flatMap(([key, text]) => {
      const line = c.lines[Number(key)];
      const quantity = parseDecimal(text);
      const item = itemsById.get(line.itemId);
      if (!line || quantity === null || !item) return [];
      const identity = line.balanceId
        ? { balanceId: line.balanceId }
        : {
            itemId: line.itemId,
            locationCode: line.locationCode,
            lot: line.lot,
            expiryDate: line.expiryDate,
            condition: line.condition,
          };
      return [{ ...identity, quantity, unit: item.baseUnit }];
    });
    if (!lines.length) {
      setMessage({ color: 'orange', text: t('count.nothingToSave') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const warehouse = warehouses.data?.find((w) => w.id === c.warehouseId)?.code ?? '';
      const outcome = await submit<StockCount>({
        kind: 'count',
        method: 'POST',
        path: `/stock/counts/${c.id}/lines`,
        body: { lines },
        summary: `${c.number} · ${warehouse} · ${lines.length}`,
      });
      if (outcome.queued) setMessage({ color: 'orange', text: t('count.queued') });
      else {
        queryClient.setQueryData(['counts', id], outcome.response);
        setMessage({ color: 'teal', text: t('count.saved') });
      }
      setTyped({});
    } catch (error) {
      setMessage({ color: 'red', text: errorText(error, t) });
    } finally {
      setBusy(false);
    }
  };

  const post = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const posted = await api<StockCount>(`/stock/counts/${id}/post`, {
        method: 'POST',
        body: {},
        idempotencyKey: newIdempotencyKey(),
      });
      queryClient.setQueryData(['counts', id], posted);
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      setMessage({ color: 'teal', text: t('count.posted') });
    } catch (error) {
      setMessage({ color: 'red', text: errorText(error, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <QueryState error={count.error} loading={count.isPending} retry={() => void count.refetch()} />
      {c && (
        <>
          <Group justify="space-between">
            <Title order={1}>{c.number}</Title>
            <Badge size="lg" variant="outline" color={open ? 'blue.9' : 'gray.7'} data-testid="count-status">
              {t(`count.statuses.${c.status}`)}
            </Badge>
          </Group>
          <Text>
            {warehouses.data?.find((w) => w.id === c.warehouseId)?.code} · {c.locationCode ?? t('count.wholeWarehouse')}
          </Text>
          {message && (
            <Alert color={message.color} role="status" data-testid="count-message">
              {message.text}
            </Alert>
          )}
          <Switch
            label={t('count.blind')}
            checked={blind}
            onChange={(event) => setBlind(event.currentTarget.checked)}
            data-testid="blind"
          />
          {open && <ScanField label={t('count.scan')} onScan={onScan} />}
          {c.lines.map((line, index) => {
            const item = itemsById.get(line.itemId);
            const text = typed[index] ?? '';
            const invalid = text !== '' && parseDecimal(text) === null;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: a count's lines are fixed when it starts.
              <Card withBorder key={index} data-testid={`count-line-${index}`}>
                <Stack gap={4}>
                  <Text fw={700}>{nameIn(item?.name, format.lang)}</Text>
                  <Text size="xs" c="dimmed">
                    {item?.sku} · {line.locationCode ?? t('stock.noLocation')}
                    {line.lot && ` · ${t('stock.lot')}: ${line.lot}`}
                    {line.expiryDate && ` · ${t('stock.expiry')}: ${format.date(line.expiryDate)}`}
                  </Text>
                  <Group grow align="flex-start">
                    {!blind && (
                      <div data-testid="expected">
                        <Text size="xs" c="dimmed">
                          {t('count.expected')}
                        </Text>
                        <Text fw={600}>{baseOf(line.expected, line.unit, line.itemId)}</Text>
                      </div>
                    )}
                    {line.counted !== null && (
                      <div>
                        <Text size="xs" c="dimmed">
                          {t('count.counted')}
                        </Text>
                        <Text fw={600}>{baseOf(line.counted, line.unit, line.itemId)}</Text>
                      </div>
                    )}
                    {!blind && line.difference !== null && (
                      <div>
                        <Text size="xs" c="dimmed">
                          {t('count.difference')}
                        </Text>
                        <Text fw={600} c={line.difference === 0 ? undefined : 'red.9'}>
                          {line.difference > 0 ? '+' : ''}
                          {baseOf(line.difference, line.unit, line.itemId)}
                        </Text>
                      </div>
                    )}
                  </Group>
                  {open && (
                    <TextInput
                      label={`${t('count.counted')}, ${item ? format.unit(item.baseUnit) : ''}`}
                      inputMode="decimal"
                      value={text}
                      error={invalid ? t('validation.decimal') : undefined}
                      data-testid={`count-line-${index}-counted`}
                      ref={(element) => {
                        inputs.current[index] = element;
                      }}
                      onChange={(event) => {
                        const value = event.currentTarget.value;
                        setTyped((current) => ({ ...current, [index]: value }));
                      }}
                    />
                  )}
                </Stack>
              </Card>
            );
          })}
          {open && (
            <Group>
              <Button onClick={() => void save()} loading={busy} data-testid="save-count">
                {t('count.save')}
              </Button>
              <Button variant="default" onClick={() => void post()} loading={busy} data-testid="post-count">
                {t('count.post')}
              </Button>
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}
