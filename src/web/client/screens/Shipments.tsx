/** Shipments: the organisation's own (outgoing) and those consigned to it (incoming), newest first. */
import { Anchor, Badge, Button, Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../components/QueryState';
import { api, type Page } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useFormat } from '../lib/format';
import type { Shipment } from '../lib/shipments';
import { STATUS_COLOR } from './ShipmentView';

export default function Shipments() {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useAuth();
  const [direction, setDirection] = useState<'outgoing' | 'incoming'>('outgoing');
  const shipments = useQuery({
    queryKey: ['shipments', 'list', direction],
    queryFn: () => api<Page<Shipment>>('/shipments', { query: { direction, limit: 50 } }),
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('shipment.list')}</Title>
        {can('shipments:write') && (
          <Button component={Link} to="/shipments/new" data-testid="plan-shipment">
            {t('shipment.plan')}
          </Button>
        )}
      </Group>
      <SegmentedControl
        aria-label={t('shipment.direction')}
        value={direction}
        onChange={(value) => setDirection(value === 'incoming' ? 'incoming' : 'outgoing')}
        data={[
          { value: 'outgoing', label: t('shipment.outgoing') },
          { value: 'incoming', label: t('shipment.incoming') },
        ]}
        data-testid="direction"
      />
      <QueryState error={shipments.error} loading={shipments.isPending} retry={() => void shipments.refetch()} />
      {shipments.data?.data.length === 0 && <Text>{t('shipment.none')}</Text>}
      {shipments.data?.data.map((shipment) => (
        <Card withBorder key={shipment.id} data-testid="shipment-row">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <div>
              <Anchor component={Link} to={`/shipments/${shipment.id}`} fw={700}>
                {shipment.number}
              </Anchor>
              <Text size="sm">
                {shipment.origin.name} → {shipment.destination.name}
              </Text>
              <Text size="xs" c="dimmed">
                {t(`shipment.kinds.${shipment.kind}`)} · {t('shipment.packages', { count: shipment.totals.packages })} ·{' '}
                {format.weight(shipment.totals.grossKg).kg}
                {shipment.plannedDispatchAt && ` · ${format.date(shipment.plannedDispatchAt)}`}
              </Text>
            </div>
            <Badge variant="filled" color={STATUS_COLOR[shipment.status]}>
              {t(`shipment.statuses.${shipment.status}`)}
            </Badge>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
