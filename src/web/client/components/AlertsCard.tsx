/** Open alerts (expiring or low stock, overdue shipments, ...), most severe first, each acknowledgeable. */
import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, newIdempotencyKey, type Page } from '../lib/api';
import { useAuth } from '../lib/auth';
import { useFormat } from '../lib/format';
import { QueryState } from './QueryState';

interface Alert {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  subject: { type: string; id: string; label: string };
  status: 'open' | 'acknowledged' | 'resolved';
  lastSeenAt: string;
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };
const SEVERITY_COLOR = { critical: 'red.9', warning: '#9c3b00', info: 'blue.9' };

export function AlertsCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const alerts = useQuery({
    queryKey: ['alerts', 'open'],
    queryFn: () => api<Page<Alert>>('/alerts', { query: { status: 'open', limit: 20 } }),
  });
  const acknowledge = useMutation({
    mutationFn: (id: string) =>
      api(`/alerts/${id}/acknowledge`, { method: 'POST', body: {}, idempotencyKey: newIdempotencyKey() }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alerts'] }),
  });
  const rows = [...(alerts.data?.data ?? [])].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return (
    <Card withBorder>
      <Title order={2} size="h3" mb="sm">
        {t('alerts.title')}
      </Title>
      <QueryState error={alerts.error} loading={alerts.isPending} retry={() => void alerts.refetch()} />
      {alerts.data && rows.length === 0 && <Text>{t('alerts.none')}</Text>}
      <Stack gap="xs" data-testid="alerts">
        {rows.map((alert) => (
          <Group key={alert.id} justify="space-between" wrap="nowrap" align="flex-start">
            <div>
              <Group gap="xs">
                <Badge color={SEVERITY_COLOR[alert.severity]} variant="filled">
                  {t(`alerts.severities.${alert.severity}`)}
                </Badge>
                <Text fw={600}>
                  {t(`alerts.kinds.${alert.kind}` as 'alerts.kinds.stock_low', { defaultValue: alert.kind })}
                </Text>
              </Group>
              <Text size="sm">{alert.subject.label}</Text>
              <Text size="xs" c="dimmed">
                {t('alerts.seen', { at: format.dateTime(alert.lastSeenAt) })}
              </Text>
            </div>
            {can('alerts:write') && (
              <Button
                size="xs"
                variant="default"
                loading={acknowledge.isPending && acknowledge.variables === alert.id}
                onClick={() => acknowledge.mutate(alert.id)}
              >
                {t('alerts.acknowledge')}
              </Button>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
