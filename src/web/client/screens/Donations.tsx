/** Donations, newest first, each linking to its page and receipt. */
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../components/QueryState';
import { ScrollTable } from '../components/ScrollTable';
import { api, type Page } from '../lib/api';
import { useWarehouses } from '../lib/data';
import { useFormat } from '../lib/format';
import type { Donation } from '../lib/types';

export default function Donations() {
  const { t } = useTranslation();
  const format = useFormat();
  const donations = useQuery({
    queryKey: ['donations', 'list'],
    queryFn: () => api<Page<Donation>>('/donations', { query: { limit: 50 } }),
  });
  const warehouses = useWarehouses();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('donation.list')}</Title>
        <Button component={Link} to="/donations/new">
          {t('nav.receive')}
        </Button>
      </Group>
      <QueryState error={donations.error} loading={donations.isPending} retry={() => void donations.refetch()} />
      {donations.data?.data.length === 0 && <Text>{t('home.noDonations')}</Text>}
      {!!donations.data?.data.length && (
        <ScrollTable label={t('donation.list')} minWidth={360}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('donation.number')}</Table.Th>
                <Table.Th>{t('donation.date')}</Table.Th>
                <Table.Th>{t('donation.warehouse')}</Table.Th>
                <Table.Th>{t('donation.status')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {donations.data.data.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/donations/${d.id}`}>
                      {d.number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{format.date(d.receivedAt)}</Table.Td>
                  <Table.Td>{warehouses.data?.find((w) => w.id === d.warehouseId)?.code}</Table.Td>
                  <Table.Td>
                    <Badge color={d.status === 'received' ? 'teal.9' : 'gray.7'} variant="outline">
                      {t(`donation.statuses.${d.status}`)}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
