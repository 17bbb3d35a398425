/**
 * Distribution days: the organisation's days (today's first on the screen a coordinator opens at the site; then
 * every day, the latest planned first, found by site or settlement), each with how far its hand-overs have got; and
 * planning one (a round of a programme, the warehouse the goods come from, the site and the date), which allocates
 * every household enrolled in the round and reserves what each is due.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Pagination,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { DateInput, DatesProvider } from '@mantine/dates';
import '@mantine/dates/styles.css';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { FormFailure, useFormFailure } from '../components/FormFailure';
import { QueryState } from '../components/QueryState';
import { RoundPicker } from '../components/RoundPicker';
import type { Dictionary } from '../i18n/en';
import { api, newIdempotencyKey, type Page } from '../lib/api';
import { useAuth } from '../lib/auth';
import { allPages, useWarehouses } from '../lib/data';
import { useFormat } from '../lib/format';
import { type Batch, type BatchRow, type DayWhen, dayFilter, type Enrolment } from '../lib/households';

/** The API allocates at most this many households a call. */
const ALLOCATIONS_PER_CALL = 200;
const PAGE_SIZE = 20;

function DayList({ canPlan }: { canPlan: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [when, setWhen] = useState<DayWhen>('today');
  const [site, setSite] = useState('');
  const [searched] = useDebouncedValue(site, 300);
  const [page, setPage] = useState(1);
  const query = {
    ...dayFilter(when, searched, dayjs().format('YYYY-MM-DD')),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const days = useQuery({
    queryKey: ['distribution', 'days', query],
    queryFn: () => api<Page<BatchRow>>('/distribution-batches', { query }),
    placeholderData: keepPreviousData,
  });
  const total = days.data?.page.total ?? 0;

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 2 }} style={{ alignItems: 'end' }}>
        <SegmentedControl
          aria-label={t('distribution.which')}
          value={when}
          onChange={(value) => {
            setWhen(value as DayWhen);
            setPage(1);
          }}
          data={(['today', 'upcoming', 'all'] as const).map((value) => ({
            value,
            label: t(`distribution.when.${value}`),
          }))}
          data-testid="days-when"
          fullWidth
        />
        <TextInput
          label={t('distribution.searchSite')}
          value={site}
          onChange={(event) => {
            setSite(event.currentTarget.value);
            setPage(1);
          }}
          data-testid="days-search"
        />
      </SimpleGrid>
      <QueryState error={days.error} loading={days.isPending} retry={() => void days.refetch()} />
      {days.data && total === 0 && (
        <Alert color="blue" variant="light" data-testid="days-empty">
          <Stack gap="xs" align="flex-start">
            <Text>
              {when === 'today' && !searched.trim() ? t('distribution.noDaysToday') : t('distribution.noDaysFound')}{' '}
              {canPlan ? t('distribution.planWithButton') : t('distribution.askToPlan')}
            </Text>
            {when !== 'all' && (
              <Button size="xs" variant="light" onClick={() => setWhen('all')} data-testid="days-show-all">
                {t('distribution.showAll')}
              </Button>
            )}
          </Stack>
        </Alert>
      )}
      {days.data?.data.map((day) => (
        <Card withBorder key={day.id} data-testid="batch-row">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <div>
              <Anchor component={Link} to={`/distributions/${day.id}`} fw={700}>
                {day.site.name}
              </Anchor>
              <Text size="sm">
                {format.date(day.plannedOn)} · {day.site.settlement} · {day.number}
              </Text>
              <Text size="sm" c="dimmed">
                {t('distribution.progress', { done: day.handedOver, total: day.households })}
              </Text>
            </div>
            <Badge variant="filled" color={day.status === 'open' ? 'teal.9' : 'gray.7'} style={{ flexShrink: 0 }}>
              {t(`distribution.status.${day.status}`)}
            </Badge>
          </Group>
        </Card>
      ))}
      {total > PAGE_SIZE && (
        <Pagination
          total={Math.ceil(total / PAGE_SIZE)}
          value={page}
          onChange={setPage}
          getControlProps={(control) => ({ 'aria-label': t(`common.page.${control}`) })}
        />
      )}
    </Stack>
  );
}

/** The API's "site.name" is this form's "site"; the other fields are named alike. */
const dayField = (path: string) => (path === 'site.name' ? 'site' : path.replace(/^site\./, ''));

function PlanDay({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const warehouses = useWarehouses();
  const regions = t('regions', { returnObjects: true }) as Dictionary['regions'];
  const required = (value: unknown) => (value && String(value).trim() ? null : t('validation.required'));
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      programmeId: null as string | null,
      roundId: null as string | null,
      warehouseId: null as string | null,
      site: '',
      region: null as string | null,
      settlement: '',
      plannedOn: null as string | null,
    },
    validate: {
      programmeId: required,
      roundId: required,
      warehouseId: required,
      site: required,
      region: required,
      settlement: required,
      plannedOn: required,
    },
  });
  const failed = useFormFailure(form, dayField);

  const onSubmit = form.onSubmit(async (values) => {
    failed.clear();
    try {
      const batch = await api<Batch>('/distribution-batches', {
        method: 'POST',
        body: {
          programmeId: values.programmeId,
          roundId: values.roundId,
          warehouseId: values.warehouseId,
          site: { name: values.site.trim(), region: values.region, settlement: values.settlement.trim() },
          plannedOn: values.plannedOn,
        },
        idempotencyKey: newIdempotencyKey(),
      });
      const enrolled = await allPages<Enrolment>(
        `/programmes/${values.programmeId}/rounds/${values.roundId}/enrolments`,
        { status: 'enrolled' },
      );
      const households = enrolled.map((enrolment) => enrolment.householdId);
      for (let at = 0; at < households.length; at += ALLOCATIONS_PER_CALL) {
        await api(`/distribution-batches/${batch.id}/allocations`, {
          method: 'POST',
          body: { householdIds: households.slice(at, at + ALLOCATIONS_PER_CALL) },
          idempotencyKey: newIdempotencyKey(),
        });
      }
      await queryClient.invalidateQueries({ queryKey: ['distribution'] });
      navigate(`/distributions/${batch.id}`);
    } catch (error) {
      failed.show(error);
    }
  });

  return (
    <Card withBorder>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} size="h3">
            {t('distribution.plan')}
          </Title>
          <Text size="sm">{t('distribution.planHint')}</Text>
          <FormFailure failure={failed.failure} testId="plan-day-error" />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <RoundPicker
              required
              value={{ programmeId: form.values.programmeId, roundId: form.values.roundId }}
              onChange={(next) => form.setValues(next)}
              errors={{ programmeId: form.errors.programmeId, roundId: form.errors.roundId }}
            />
            <Select
              label={t('distribution.fromWarehouse')}
              required
              data-testid="day-warehouse"
              data={(warehouses.data ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.name}` }))}
              {...form.getInputProps('warehouseId')}
            />
            <TextInput label={t('distribution.site')} required data-testid="day-site" {...form.getInputProps('site')} />
            <Select
              label={t('stock.region')}
              required
              searchable
              data-testid="day-region"
              data={Object.entries(regions).map(([value, label]) => ({ value, label }))}
              {...form.getInputProps('region')}
            />
            <TextInput
              label={t('household.settlement')}
              required
              data-testid="day-settlement"
              {...form.getInputProps('settlement')}
            />
            <DateInput
              label={t('distribution.plannedOn')}
              required
              valueFormat="DD.MM.YYYY"
              size="md"
              data-testid="day-date"
              {...form.getInputProps('plannedOn')}
            />
          </SimpleGrid>
          <Group>
            <Button type="submit" size="lg" loading={form.submitting} data-testid="plan-day">
              {t('distribution.plan')}
            </Button>
            <Button variant="default" size="lg" onClick={onCancel}>
              {t('common.cancel')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export default function Distributions() {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useAuth();
  const canPlan = can('distributions:write');
  const [planning, setPlanning] = useState(false);
  return (
    <DatesProvider settings={{ locale: format.lang }}>
      <Stack>
        <Group justify="space-between">
          <Title order={1}>{t('distribution.days')}</Title>
          {canPlan && !planning && (
            <Button onClick={() => setPlanning(true)} data-testid="open-plan-day">
              {t('distribution.plan')}
            </Button>
          )}
        </Group>
        {planning && <PlanDay onCancel={() => setPlanning(false)} />}
        <DayList canPlan={canPlan} />
      </Stack>
    </DatesProvider>
  );
}
