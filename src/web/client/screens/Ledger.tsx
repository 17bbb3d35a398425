/** The ledger of one balance, newest first: every receipt, move, issue and correction that made its quantity. */
import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { QueryState } from '../components/QueryState';
import { ScrollTable } from '../components/ScrollTable';
import { api, type Page } from '../lib/api';
import { useFormat } from '../lib/format';
import { inBaseUnit } from '../lib/stock';
import { type Balance, type LedgerEntry, nameIn } from '../lib/types';

export default function Ledger() {
  const { t } = useTranslation();
  const format = useFormat();
  const { balanceId = '' } = useParams();
  const balance = useQuery({
    queryKey: ['balance', balanceId],
    // The balances list filtered to one id is not offered; the ledger's first entry names the item and warehouse.
    queryFn: () => api<Page<LedgerEntry>>('/stock/ledger', { query: { balanceId, limit: 100 } }),
  });
  const balances = useQuery({
    queryKey: ['stock', 'one', balanceId],
    queryFn: async () => {
      const entry = balance.data?.data[0] as (LedgerEntry & { warehouseId: string; itemId: string }) | undefined;
      if (!entry) return null;
      const page = await api<Page<Balance>>('/stock', {
        query: { warehouseId: entry.warehouseId, itemId: entry.itemId, includeZero: true, limit: 200 },
      });
      return page.data.find((b) => b.id === balanceId) ?? null;
    },
    enabled: !!balance.data,
  });
  const entries = balance.data?.data ?? [];
  const subject = balances.data;
  /** Entries count sub-units (grams); shown in the item's base unit (kg) once the balance is known. */
  const amount = (subUnits: number, unit: string) => {
    const base = subject ? inBaseUnit(subUnits, unit, subject.baseUnit) : undefined;
    return base === undefined || !subject ? format.quantity(subUnits, unit) : format.quantity(base, subject.baseUnit);
  };

  return (
    <Stack>
      <Anchor component={Link} to="/stock" size="sm">
        ← {t('nav.stock')}
      </Anchor>
      <Title order={1}>
        {subject
          ? t('ledger.of', { item: nameIn(subject.item?.name, format.lang), warehouse: subject.warehouse?.code ?? '' })
          : t('ledger.title')}
      </Title>
      {subject && (
        <Text>
          {t('stock.onHand')}: {format.quantity(subject.quantity, subject.baseUnit)}
          {subject.lot && ` · ${t('stock.lot')}: ${subject.lot}`}
          {subject.locationCode && ` · ${t('stock.location')}: ${subject.locationCode}`}
        </Text>
      )}
      <QueryState error={balance.error} loading={balance.isPending} retry={() => void balance.refetch()} />
      {balance.data && entries.length === 0 && <Text>{t('ledger.empty')}</Text>}
      {entries.length > 0 && (
        <ScrollTable label={t('ledger.title')} minWidth={520}>
          <Table striped data-testid="ledger">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('ledger.at')}</Table.Th>
                <Table.Th>{t('ledger.type')}</Table.Th>
                <Table.Th ta="right">{t('ledger.quantity')}</Table.Th>
                <Table.Th ta="right">{t('ledger.balanceAfter')}</Table.Th>
                <Table.Th>{t('ledger.source')}</Table.Th>
                <Table.Th>{t('ledger.actor')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>{format.dateTime(entry.at)}</Table.Td>
                  <Table.Td>
                    {t(`ledger.types.${entry.type}` as 'ledger.types.receipt', { defaultValue: entry.type })}
                  </Table.Td>
                  <Table.Td ta="right">
                    {entry.quantity > 0 ? '+' : ''}
                    {amount(entry.quantity, entry.unit)}
                  </Table.Td>
                  <Table.Td ta="right">{amount(entry.balanceAfter, entry.unit)}</Table.Td>
                  <Table.Td>
                    {entry.source?.type === 'donation' ? (
                      <Anchor component={Link} to={`/donations/${entry.source.id}`}>
                        {entry.source.number ?? entry.source.id}
                      </Anchor>
                    ) : (
                      (entry.source?.number ?? '')
                    )}
                  </Table.Td>
                  <Table.Td>{entry.actor?.name}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
