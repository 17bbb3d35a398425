/**
 * Shipments due, on the home screen: what is on its way to the organisation (dispatched, not yet arrived) and what
 * it has packed and not yet sent, nearest date first.
 */
import { Anchor, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Page } from '../lib/api';
import { useFormat } from '../lib/format';
import type { Shipment } from '../lib/shipments';
import { QueryState } from './QueryState';

const LIMIT = 5;

export function ShipmentsDueCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const due = useQuery({
    queryKey: ['shipments', 'due'],
    queryFn: async () => {
      const [incoming, packed] = await Promise.all([
        api<Page<Shipment>>('/shipments', { query: { direction: 'incoming', status: 'dispatched', limit: LIMIT } }),
        api<Page<Shipment>>('/shipments', { query: { direction: 'outgoing', status: 'packed', limit: LIMIT } }),
      ]);
      return [
        ...incoming.data.map((shipment) => ({ shipment, incoming: true })),
        ...packed.data.map((shipment) => ({ shipment, incoming: false })),
      ];
    },
  });
  const when = (s: Shipment) => s.plannedArrivalAt ?? s.plannedDispatchAt ?? s.dispatchedAt ?? s.createdAt;
  const rows = [...(due.data ?? [])].sort((a, b) => when(a.shipment).localeCompare(when(b.shipment)));
  return (
    <Card withBorder data-testid="shipments-due">
      <Title order={2} size="h3" mb="sm">
        {t('home.shipmentsDue')}
      </Title>
      <QueryState error={due.error} loading={due.isPending} retry={() => void due.refetch()} />
      {due.data && rows.length === 0 && <Text>{t('home.noShipmentsDue')}</Text>}
      <Stack gap="xs">
        {rows.map(({ shipment, incoming }) => (
          <Group key={shipment.id} justify="space-between" wrap="nowrap">
            <div>
              <Anchor component={Link} to={`/shipments/${shipment.id}`} fw={600}>
                {shipment.number}
              </Anchor>
              <Text size="sm">
                {incoming ? shipment.origin.name : shipment.destination.name} · {format.date(when(shipment))}
              </Text>
            </div>
            <Badge variant="light" color={incoming ? 'indigo.9' : 'blue.9'}>
              {incoming ? t('shipment.incoming') : t('shipment.statuses.packed')}
            </Badge>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
