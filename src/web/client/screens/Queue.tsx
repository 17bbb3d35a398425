/** What waits on this device to be sent, what the server refused, and a way to send now or discard. */
import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import { useOffline } from '../lib/offline';
import { discard } from '../lib/queue';

export default function Queue() {
  const { t } = useTranslation();
  const format = useFormat();
  const { queued, flush, online } = useOffline();
  const [sending, setSending] = useState(false);
  return (
    <Stack>
      <Title order={1}>{t('queue.title')}</Title>
      <Text>{t('queue.intro')}</Text>
      {queued.length === 0 ? (
        <Alert color="teal" data-testid="queue-empty">
          {t('queue.empty')}
        </Alert>
      ) : (
        <Button
          loading={sending}
          onClick={() => {
            setSending(true);
            void flush().finally(() => setSending(false));
          }}
        >
          {t('queue.sendNow')}
        </Button>
      )}
      {!online && <Badge color="red.9">{t('queue.offline')}</Badge>}
      {queued.map((entry) => (
        <Card withBorder key={entry.key} data-testid="queued-entry">
          <Group justify="space-between" align="flex-start">
            <div>
              <Text fw={700}>{t(`queue.kinds.${entry.kind}`)}</Text>
              <Text size="sm">{entry.summary}</Text>
              <Text size="xs" c="dimmed">
                {t('queue.created', { at: format.dateTime(entry.createdAt) })}
              </Text>
              {entry.failure && (
                <Text size="sm" c="red.9">
                  {t('queue.failed', { reason: errorText(entry.failure, t) })}
                </Text>
              )}
            </div>
            <Button variant="subtle" color="red" onClick={() => void discard(entry.key)}>
              {t('queue.discard')}
            </Button>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
