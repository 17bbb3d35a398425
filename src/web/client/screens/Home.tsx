/**
 * Home: what needs attention first — open alerts, stock expiring within 30 days, shipments due — and the way to the
 * daily tasks.
 */
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AlertsCard } from '../components/AlertsCard';
import { QueryState } from '../components/QueryState';
import { ScrollTable } from '../components/ScrollTable';
import { ShipmentsDueCard } from '../components/ShipmentsDueCard';
import { api, type Page } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useFormat } from '../lib/format';
import { type Balance, nameIn, type StockTotals } from '../lib/types';

export default function Home() {
  const { t } = useTranslation();
  const format = useFormat();
  const { me, can } = useAuth();
  const stock = useQuery({
    queryKey: ['stock', 'summary'],
    queryFn: () => api<Page<Balance> & { totals: StockTotals }>('/stock', { query: { limit: 1 } }),
    enabled: can('stock:read'),
  });
  const expiring = useQuery({
    queryKey: ['stock', 'expiring', 30],
    queryFn: () => api<Page<Balance>>('/stock/expiring', { query: { days: 30, includeExpired: true, limit: 20 } }),
    enabled: can('stock:read'),
  });
  const weight = stock.data?.totals.weightKg ? format.weight(stock.data.totals.weightKg) : null;

  return (
    <Stack>
      <Title order={1}>{t('home.greeting', { name: me?.user?.name ?? '' })}</Title>
      <Group>
        {can('donations:write') && (
          <Button component={Link} to="/donations/new">
            {t('home.receiveCta')}
          </Button>
        )}
        {can('stock:read') && (
          <Button component={Link} to="/stock" variant="outline">
            {t('home.browseStock')}
          </Button>
        )}
      </Group>
      {can('stock:read') && (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Card withBorder>
            <Text size="sm" c="dimmed">
              {t('home.stockOnHand')}
            </Text>
            <QueryState error={stock.error} loading={stock.isPending} />
            {stock.data && (
              <>
                <Text fw={700} size="xl" data-testid="home-lines">
                  {t('home.lines')}: {format.number(stock.data.page.total)}
                </Text>
                {weight && (
                  <Text data-testid="home-weight">
                    {t('home.weight')}: {weight.kg} · {weight.tonnes}
                  </Text>
                )}
              </>
            )}
          </Card>
        </SimpleGrid>
      )}
      {can('alerts:read') && <AlertsCard />}
      {can('shipments:read') && <ShipmentsDueCard />}
      {can('stock:read') && (
        <Card withBorder>
          <Title order={2} size="h3" mb="sm">
            {t('home.expiring')}
          </Title>
          <QueryState error={expiring.error} loading={expiring.isPending} retry={() => void expiring.refetch()} />
          {expiring.data?.data.length === 0 && <Text>{t('home.noExpiring')}</Text>}
          {!!expiring.data?.data.length && (
            <ScrollTable label={t('home.expiring')} minWidth={320}>
              <Table data-testid="expiring">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('stock.item')}</Table.Th>
                    <Table.Th>{t('stock.warehouse')}</Table.Th>
                    <Table.Th>{t('stock.onHand')}</Table.Th>
                    <Table.Th>{t('stock.expiry')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {expiring.data.data.map((balance) => (
                    <Table.Tr key={balance.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/stock/ledger/${balance.id}`}>
                          {nameIn(balance.item?.name, format.lang)}
                        </Anchor>
                        {balance.lot && (
                          <Text size="xs" c="dimmed">
                            {t('stock.lot')}: {balance.lot}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{balance.warehouse?.code}</Table.Td>
                      <Table.Td>{format.quantity(balance.quantity, balance.baseUnit)}</Table.Td>
                      <Table.Td>
                        {balance.expiryDate && format.date(balance.expiryDate)}{' '}
                        <Badge color={balance.expired ? 'red.9' : '#9c3b00'} variant="filled">
                          {balance.expired ? t('home.expired') : t('home.daysLeft', { days: balance.daysLeft ?? 0 })}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          )}
        </Card>
      )}
    </Stack>
  );
}
