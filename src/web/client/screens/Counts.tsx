/** Stock counts: the open and past counts, and starting one for a warehouse or one of its bins. */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { QueryState } from '../components/QueryState';
import { ScrollTable } from '../components/ScrollTable';
import { api, newIdempotencyKey, type Page } from '../lib/api';
import { useWarehouses } from '../lib/data';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import type { StockCount } from '../lib/types';

export default function Counts() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const warehouses = useWarehouses();
  const counts = useQuery({
    queryKey: ['counts'],
    queryFn: () => api<Page<StockCount>>('/stock/counts', { query: { limit: 50 } }),
  });
  const [warehouseId, setWarehouseId] = useState<string | null>(null);
  const [locationCode, setLocationCode] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const warehouse = warehouses.data?.find((w) => w.id === warehouseId);

  const start = async () => {
    if (!warehouseId) return;
    setStarting(true);
    setFailure(null);
    try {
      const count = await api<StockCount>('/stock/counts', {
        method: 'POST',
        body: { warehouseId, locationCode },
        idempotencyKey: newIdempotencyKey(),
      });
      await queryClient.invalidateQueries({ queryKey: ['counts'] });
      navigate(`/counts/${count.id}`);
    } catch (error) {
      setFailure(errorText(error, t));
    } finally {
      setStarting(false);
    }
  };

  return (
    <Stack>
      <Title order={1}>{t('count.title')}</Title>
      <Card withBorder>
        <Stack>
          <Title order={2} size="h3">
            {t('count.start')}
          </Title>
          {failure && (
            <Alert color="red" role="alert">
              {failure}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('stock.warehouse')}
              data-testid="count-warehouse"
              value={warehouseId}
              onChange={(value) => {
                setWarehouseId(value);
                setLocationCode(null);
              }}
              data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))}
            />
            <Select
              label={t('stock.location')}
              clearable
              placeholder={t('count.wholeWarehouse')}
              data-testid="count-bin"
              value={locationCode}
              onChange={setLocationCode}
              data={(warehouse?.locations ?? []).map((l) => ({
                value: l.code,
                label: l.name ? `${l.code} · ${l.name}` : l.code,
              }))}
            />
          </SimpleGrid>
          <Group>
            <Button onClick={() => void start()} loading={starting} disabled={!warehouseId} data-testid="start-count">
              {t('count.start')}
            </Button>
          </Group>
        </Stack>
      </Card>
      <QueryState error={counts.error} loading={counts.isPending} retry={() => void counts.refetch()} />
      {counts.data?.data.length === 0 && <Text>{t('count.none')}</Text>}
      {!!counts.data?.data.length && (
        <ScrollTable label={t('count.title')} minWidth={360}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('count.number')}</Table.Th>
                <Table.Th>{t('stock.warehouse')}</Table.Th>
                <Table.Th>{t('stock.location')}</Table.Th>
                <Table.Th>{t('count.status')}</Table.Th>
                <Table.Th>{t('donation.date')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {counts.data.data.map((count) => (
                <Table.Tr key={count.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/counts/${count.id}`}>
                      {count.number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{warehouses.data?.find((w) => w.id === count.warehouseId)?.code}</Table.Td>
                  <Table.Td>{count.locationCode ?? t('count.wholeWarehouse')}</Table.Td>
                  <Table.Td>
                    <Badge variant="outline" color={count.status === 'open' ? 'blue.9' : 'gray.7'}>
                      {t(`count.statuses.${count.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{format.date(count.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
