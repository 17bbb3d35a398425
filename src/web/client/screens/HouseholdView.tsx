/**
 * One household, identifiers masked: who is in it, where it lives, why it needs aid; and enrolling it in a round of a
 * programme. The API checks every person of the household against every organisation's enrolments in that round: a
 * person already enrolled elsewhere is refused (409 DUPLICATE_AID, said here with the round and since when), a
 * near match is enrolled but flagged for review. A supervisor (permission aid:override) may enrol a refused household
 * anyway, with a reason of at least ten characters that the audit log keeps (a family split in two after a flood).
 */
import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { QueryState } from '../components/QueryState';
import { type RoundChoice, RoundPicker, useRoundName } from '../components/RoundPicker';
import type { Dictionary } from '../i18n/en';
import { ApiError, api, newIdempotencyKey } from '../lib/api';
import { useAuth } from '../lib/auth';
import { errorText } from '../lib/field-errors';
import { useFormat } from '../lib/format';
import type { Enrolment, Household } from '../lib/households';

type Outcome =
  | { kind: 'enrolled'; enrolment: Enrolment }
  | { kind: 'duplicate'; round: string; since: string | null; organisation: string | null }
  | { kind: 'error'; text: string };

export default function HouseholdView() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const { can } = useAuth();
  const regions = t('regions', { returnObjects: true }) as Dictionary['regions'];
  const household = useQuery({ queryKey: ['households', id], queryFn: () => api<Household>(`/households/${id}`) });
  const [choice, setChoice] = useState<RoundChoice>({ programmeId: null, roundId: null });
  const { programmeId, roundId } = choice;
  const roundName = useRoundName(choice);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [overrideReason, setOverrideReason] = useState('');
  const [overrideError, setOverrideError] = useState<string | null>(null);

  const override = async () => {
    if (!programmeId || !roundId) return;
    if (overrideReason.trim().length < 10) {
      setOverrideError(t('household.overrideTooShort'));
      return;
    }
    setBusy(true);
    setOverrideError(null);
    try {
      const enrolment = await api<Enrolment>(`/programmes/${programmeId}/rounds/${roundId}/enrolments/override`, {
        method: 'POST',
        body: { householdId: id, reason: overrideReason.trim() },
        idempotencyKey: newIdempotencyKey(),
      });
      setOutcome({ kind: 'enrolled', enrolment });
    } catch (error) {
      const reasonError = error instanceof ApiError && error.fieldErrors.some((f) => f.field === 'reason');
      setOverrideError(reasonError ? t('household.overrideTooShort') : errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  const enrol = async () => {
    if (!programmeId || !roundId) return;
    setBusy(true);
    setOutcome(null);
    try {
      const enrolment = await api<Enrolment>(`/programmes/${programmeId}/rounds/${roundId}/enrolments`, {
        method: 'POST',
        body: { householdId: id },
        idempotencyKey: newIdempotencyKey(),
      });
      setOutcome({ kind: 'enrolled', enrolment });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'DUPLICATE_AID') {
        const details = (error.details ?? {}) as { roundName?: string; enrolledAt?: string; organisationName?: string };
        setOutcome({
          kind: 'duplicate',
          round: details.roundName ?? roundName ?? '',
          since: details.enrolledAt ?? null,
          organisation: details.organisationName ?? null,
        });
      } else setOutcome({ kind: 'error', text: errorText(error, t) });
    } finally {
      setBusy(false);
    }
  };

  const h = household.data;
  return (
    <Stack>
      <QueryState error={household.error} loading={household.isPending} retry={() => void household.refetch()} />
      {h && (
        <>
          <Group justify="space-between">
            <Title order={1}>{h.head?.name ?? h.institution?.name}</Title>
            <Badge size="lg" variant="outline">
              {h.number}
            </Badge>
          </Group>
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <div>
                <Text size="sm" c="dimmed">
                  {t('household.iin')}
                </Text>
                <Text fw={600} data-testid="household-iin">
                  {h.head?.iin}
                </Text>
              </div>
              {h.head?.birthDate && (
                <div>
                  <Text size="sm" c="dimmed">
                    {t('household.birthDate')}
                  </Text>
                  <Text fw={600}>{format.date(h.head.birthDate)}</Text>
                </div>
              )}
              <div>
                <Text size="sm" c="dimmed">
                  {t('household.settlement')}
                </Text>
                <Text fw={600}>
                  {h.address.settlement}, {(regions as Record<string, string>)[h.address.region] ?? h.address.region}
                </Text>
              </div>
              <div>
                <Text size="sm" c="dimmed">
                  {t('household.members')}
                </Text>
                <Text fw={600}>{t('household.size', { count: h.size })}</Text>
              </div>
            </SimpleGrid>
            {h.members.length > 0 && (
              <Stack gap={2} mt="sm">
                {h.members.map((member) => (
                  <Text size="sm" key={member.id}>
                    {member.name ?? '—'}
                    {member.relation &&
                      ` · ${t(`household.relations.${member.relation}` as 'household.relations.child', { defaultValue: member.relation })}`}
                    {member.iin && ` · ${member.iin}`}
                  </Text>
                ))}
              </Stack>
            )}
            <Group gap={4} mt="sm">
              {h.vulnerabilities.map((code) => (
                <Badge key={code} variant="outline" color="blue.9">
                  {t(`household.vulnerability.${code}` as 'household.vulnerability.low_income', { defaultValue: code })}
                </Badge>
              ))}
            </Group>
          </Card>
          {can('households:write') && (
            <Card withBorder>
              <Stack>
                <Title order={2} size="h3">
                  {t('household.enrol')}
                </Title>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <RoundPicker value={choice} onChange={setChoice} />
                </SimpleGrid>
                <Group>
                  <Button onClick={() => void enrol()} loading={busy} disabled={!roundId} data-testid="enrol">
                    {t('household.enrol')}
                  </Button>
                </Group>
                {outcome?.kind === 'enrolled' && (
                  <Alert
                    color={
                      outcome.enrolment.outcome === 'needs_review' || outcome.enrolment.overridden ? 'orange' : 'teal'
                    }
                    role="status"
                    data-testid="enrolment-outcome"
                  >
                    {outcome.enrolment.overridden
                      ? t('household.overridden')
                      : outcome.enrolment.outcome === 'needs_review'
                        ? t('household.needsReview', { count: outcome.enrolment.possibleMatches })
                        : t('household.enrolled')}
                  </Alert>
                )}
                {outcome?.kind === 'duplicate' && (
                  <Alert color="red" role="alert" title={t('household.duplicate')} data-testid="duplicate-refused">
                    {t('household.duplicateDetail', {
                      round: outcome.round,
                      since: outcome.since ? format.date(outcome.since) : '—',
                    })}
                    {outcome.organisation && ` ${t('household.duplicateBy', { organisation: outcome.organisation })}`}
                    {!can('aid:override') && <Text mt="xs">{t('household.askSupervisor')}</Text>}
                  </Alert>
                )}
                {outcome?.kind === 'duplicate' && can('aid:override') && (
                  <Card withBorder data-testid="override">
                    <Stack>
                      <Title order={3} size="h4">
                        {t('household.overrideTitle')}
                      </Title>
                      <Text size="sm">{t('household.overrideHint')}</Text>
                      <Textarea
                        label={t('household.overrideReason')}
                        description={t('household.overrideReasonHint')}
                        required
                        autosize
                        minRows={2}
                        value={overrideReason}
                        error={overrideError}
                        onChange={(event) => {
                          setOverrideReason(event.currentTarget.value);
                          setOverrideError(null);
                        }}
                        data-testid="override-reason"
                      />
                      <Group>
                        <Button
                          color="orange.9"
                          onClick={() => void override()}
                          loading={busy}
                          data-testid="override-submit"
                        >
                          {t('household.overrideSubmit')}
                        </Button>
                      </Group>
                    </Stack>
                  </Card>
                )}
                {outcome?.kind === 'error' && (
                  <Alert color="red" role="alert">
                    {outcome.text}
                  </Alert>
                )}
              </Stack>
            </Card>
          )}
        </>
      )}
    </Stack>
  );
}
