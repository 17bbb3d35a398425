/**
 * Distribution days: planning one (a round of a programme, the warehouse the goods come from, the site and the
 * date), which allocates every household enrolled in the round and reserves what each is due; and the days opened
 * on this device, to go back to at the site. (The API lists no batches; the day's own page is its address.)
 */
import { Alert, Anchor, Button, Card, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { DateInput, DatesProvider } from '@mantine/dates';
import '@mantine/dates/styles.css';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { type RoundChoice, RoundPicker } from '../components/RoundPicker';
import type { Dictionary } from '../i18n/en';
import { api, newIdempotencyKey } from '../lib/api';
import { useAuth } from '../lib/auth';
import { allPages, useWarehouses } from '../lib/data';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import { type Batch, type Enrolment, recentDays } from '../lib/households';

/** The API allocates at most this many households a call. */
const ALLOCATIONS_PER_CALL = 200;

export default function Distributions() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const { can } = useAuth();
  const warehouses = useWarehouses();
  const regions = t('regions', { returnObjects: true }) as Dictionary['regions'];
  const [choice, setChoice] = useState<RoundChoice>({ programmeId: null, roundId: null });
  const { programmeId, roundId } = choice;
  const [warehouseId, setWarehouseId] = useState<string | null>(null);
  const [site, setSite] = useState('');
  const [region, setRegion] = useState<string | null>(null);
  const [settlement, setSettlement] = useState('');
  const [plannedOn, setPlannedOn] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const ready = programmeId && roundId && warehouseId && site.trim() && region && settlement.trim() && plannedOn;

  const plan = async () => {
    if (!ready) return;
    setBusy(true);
    setFailure(null);
    try {
      const batch = await api<Batch>('/distribution-batches', {
        method: 'POST',
        body: {
          programmeId,
          roundId,
          warehouseId,
          site: { name: site.trim(), region, settlement: settlement.trim() },
          plannedOn,
        },
        idempotencyKey: newIdempotencyKey(),
      });
      const enrolled = await allPages<Enrolment>(`/programmes/${programmeId}/rounds/${roundId}/enrolments`, {
        status: 'enrolled',
      });
      const households = enrolled.map((enrolment) => enrolment.householdId);
      for (let at = 0; at < households.length; at += ALLOCATIONS_PER_CALL) {
        await api(`/distribution-batches/${batch.id}/allocations`, {
          method: 'POST',
          body: { householdIds: households.slice(at, at + ALLOCATIONS_PER_CALL) },
          idempotencyKey: newIdempotencyKey(),
        });
      }
      navigate(`/distributions/${batch.id}`);
    } catch (error) {
      setFailure(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  const days = recentDays();
  return (
    <DatesProvider settings={{ locale: format.lang }}>
      <Stack>
        <Title order={1}>{t('distribution.days')}</Title>
        <Title order={2} size="h3">
          {t('distribution.onThisDevice')}
        </Title>
        {days.length === 0 && <Text>{t('distribution.noDays')}</Text>}
        {days.map((day) => (
          <Card withBorder key={day.id} data-testid="batch-row">
            <Anchor component={Link} to={`/distributions/${day.id}`} fw={700}>
              {day.site}
            </Anchor>
            <Text size="sm">
              {day.number} · {format.date(day.plannedOn)}
            </Text>
          </Card>
        ))}
        {can('distributions:write') && (
          <Card withBorder>
            <Stack>
              <Title order={2} size="h3">
                {t('distribution.plan')}
              </Title>
              {failure && (
                <Alert color="red" role="alert">
                  {failure}
                </Alert>
              )}
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <RoundPicker value={choice} onChange={setChoice} />
                <Select
                  label={t('stock.warehouse')}
                  value={warehouseId}
                  onChange={setWarehouseId}
                  data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))}
                />
                <TextInput
                  label={t('distribution.site')}
                  value={site}
                  onChange={(event) => setSite(event.currentTarget.value)}
                />
                <Select
                  label={t('stock.region')}
                  searchable
                  value={region}
                  onChange={setRegion}
                  data={Object.entries(regions).map(([value, label]) => ({ value, label }))}
                />
                <TextInput
                  label={t('household.settlement')}
                  value={settlement}
                  onChange={(event) => setSettlement(event.currentTarget.value)}
                />
                <DateInput
                  label={t('distribution.plannedOn')}
                  valueFormat="DD.MM.YYYY"
                  size="md"
                  value={plannedOn}
                  onChange={setPlannedOn}
                />
              </SimpleGrid>
              <Button onClick={() => void plan()} loading={busy} disabled={!ready} data-testid="plan-day">
                {t('distribution.plan')}
              </Button>
            </Stack>
          </Card>
        )}
      </Stack>
    </DatesProvider>
  );
}
