/**
 * Stock: balances filtered by item (typed, picked or scanned), warehouse, category and region, kept in the address
 * so that a filtered view can be bookmarked or sent. Each balance shows on hand, reserved and available, its weight
 * in kg and tonnes, and links to its ledger.
 */
import { Anchor, Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { QueryState } from '../components/QueryState';
import { useWedgeScan } from '../components/useWedgeScan';
import type { Dictionary } from '../i18n/en';
import { api, type Page } from '../lib/api';
import { useItems, useWarehouses } from '../lib/data';
import { useFormat } from '../lib/format';
import { resolveScan } from '../lib/scan';
import { balanceFigures } from '../lib/stock';
import { type Balance, nameIn, type StockTotals } from '../lib/types';

const PAGE = 50;
const FILTERS = ['itemId', 'warehouseId', 'category', 'region'] as const;

export default function Stock() {
  const { t } = useTranslation();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const items = useItems();
  const warehouses = useWarehouses();
  const filter = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? undefined]));

  const setFilter = (key: (typeof FILTERS)[number], value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  useWedgeScan((code) => {
    const match = resolveScan(code, items.data ?? []);
    if (match) setFilter('itemId', match.item.id);
  });

  const balances = useInfiniteQuery({
    queryKey: ['stock', filter],
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      api<Page<Balance> & { totals: StockTotals }>('/stock', { query: { ...filter, limit: PAGE, offset: pageParam } }),
    getNextPageParam: (last) =>
      last.page.offset + last.data.length < last.page.total ? last.page.offset + PAGE : undefined,
  });

  const categories = t('categories', { returnObjects: true }) as Dictionary['categories'];
  const regions = t('regions', { returnObjects: true }) as Dictionary['regions'];
  const rows = balances.data?.pages.flatMap((page) => page.data) ?? [];
  const first = balances.data?.pages[0];
  const totalWeight = first?.totals.weightKg ? format.weight(first.totals.weightKg) : null;

  return (
    <Stack>
      <Title order={1}>{t('stock.title')}</Title>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        <Select
          label={t('stock.search')}
          description={t('stock.searchHint')}
          searchable
          clearable
          data-testid="filter-item"
          value={filter.itemId ?? null}
          onChange={(value) => setFilter('itemId', value)}
          data={(items.data ?? []).map((item) => ({
            value: item.id,
            label: `${nameIn(item.name, format.lang)} · ${item.sku}`,
          }))}
        />
        <Select
          label={t('stock.warehouse')}
          clearable
          placeholder={t('stock.any')}
          data-testid="filter-warehouse"
          value={filter.warehouseId ?? null}
          onChange={(value) => setFilter('warehouseId', value)}
          data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))}
        />
        <Select
          label={t('stock.category')}
          clearable
          placeholder={t('stock.any')}
          data-testid="filter-category"
          value={filter.category ?? null}
          onChange={(value) => setFilter('category', value)}
          data={Object.entries(categories).map(([value, label]) => ({ value, label }))}
        />
        <Select
          label={t('stock.region')}
          clearable
          searchable
          placeholder={t('stock.any')}
          data-testid="filter-region"
          value={filter.region ?? null}
          onChange={(value) => setFilter('region', value)}
          data={Object.entries(regions).map(([value, label]) => ({ value, label }))}
        />
      </SimpleGrid>
      <QueryState error={balances.error} loading={balances.isPending} retry={() => void balances.refetch()} />
      {first && (
        <Group justify="space-between">
          <Text size="sm" data-testid="stock-count">
            {t('stock.shown', { shown: format.number(rows.length), total: format.number(first.page.total) })}
          </Text>
          {totalWeight && (
            <Text size="sm" fw={600} data-testid="stock-total-weight">
              {t('stock.totalWeight', totalWeight)}
            </Text>
          )}
        </Group>
      )}
      {first && rows.length === 0 && <Text>{t('stock.empty')}</Text>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="stock-list" aria-busy={balances.isFetching}>
        {rows.map((balance) => (
          <BalanceCard key={balance.id} balance={balance} />
        ))}
      </SimpleGrid>
      {balances.hasNextPage && (
        <Button variant="light" onClick={() => void balances.fetchNextPage()} loading={balances.isFetchingNextPage}>
          {t('stock.more')}
        </Button>
      )}
    </Stack>
  );
}

function BalanceCard({ balance }: { balance: Balance }) {
  const { t } = useTranslation();
  const format = useFormat();
  const figures = balanceFigures(balance);
  const weight = balance.weightKg ? format.weight(balance.weightKg) : null;
  const name = nameIn(balance.item?.name, format.lang);
  return (
    <Card withBorder padding="md" component="article" aria-label={name} data-testid="balance">
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Text fw={700}>{name}</Text>
            <Text size="xs" c="dimmed">
              {balance.item?.sku} · {balance.warehouse?.code} · {balance.locationCode ?? t('stock.noLocation')}
            </Text>
          </div>
          <Badge
            color={balance.condition === 'damaged' || balance.expired ? 'red.9' : 'gray.7'}
            variant="outline"
            style={{ flexShrink: 0 }}
          >
            {t(`conditions.${balance.condition}` as 'conditions.new')}
          </Badge>
        </Group>
        <SimpleGrid cols={3} spacing="xs">
          <Figure label={t('stock.onHand')} value={format.quantity(figures.onHand, balance.baseUnit)} />
          <Figure label={t('stock.reserved')} value={format.quantity(figures.reserved, balance.baseUnit)} />
          <Figure label={t('stock.available')} value={format.quantity(figures.available, balance.baseUnit)} />
        </SimpleGrid>
        {weight && (
          <Text size="sm">
            {t('stock.weight')}: {weight.kg} · {weight.tonnes}
          </Text>
        )}
        {(balance.lot || balance.expiryDate) && (
          <Text size="sm">
            {balance.lot && `${t('stock.lot')}: ${balance.lot}`}
            {balance.lot && balance.expiryDate && ' · '}
            {balance.expiryDate && `${t('stock.expiry')}: ${format.date(balance.expiryDate)}`}
          </Text>
        )}
        <Anchor component={Link} to={`/stock/ledger/${balance.id}`} size="sm">
          {t('stock.ledger')}
        </Anchor>
      </Stack>
    </Card>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} size="sm">
        {value}
      </Text>
    </div>
  );
}
