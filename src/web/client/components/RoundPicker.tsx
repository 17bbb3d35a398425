/** A programme and one of its rounds: the two selects every enrolment and distribution starts from. */
import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Page } from '../lib/api';
import type { Programme } from '../lib/households';

export interface RoundChoice {
  programmeId: string | null;
  roundId: string | null;
}

/** The programmes the organisation leads or takes part in. */
function useProgrammes() {
  return useQuery({
    queryKey: ['programmes'],
    queryFn: () => api<Page<Programme>>('/programmes', { query: { limit: 100 } }),
  });
}

export function RoundPicker({
  value,
  onChange,
  errors = {},
  required = false,
}: {
  value: RoundChoice;
  onChange: (next: RoundChoice) => void;
  /** Messages under the two selects (a form's validation or the API's field errors). */
  errors?: { programmeId?: unknown; roundId?: unknown };
  required?: boolean;
}) {
  const { t } = useTranslation();
  const programmes = useProgrammes();
  const programme = programmes.data?.data.find((p) => p.id === value.programmeId);
  return (
    <>
      <Select
        label={t('household.programme')}
        data-testid="programme"
        required={required}
        error={errors.programmeId as string | undefined}
        value={value.programmeId}
        onChange={(programmeId) => onChange({ programmeId, roundId: null })}
        data={(programmes.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
      />
      <Select
        label={t('household.round')}
        data-testid="round"
        required={required}
        error={errors.roundId as string | undefined}
        value={value.roundId}
        onChange={(roundId) => onChange({ ...value, roundId })}
        data={(programme?.rounds ?? []).map((r) => ({ value: r.id, label: r.name }))}
      />
    </>
  );
}

/** The name of the round chosen, once the programmes are loaded (for messages). */
export function useRoundName(choice: RoundChoice): string | undefined {
  const programmes = useProgrammes();
  return programmes.data?.data.find((p) => p.id === choice.programmeId)?.rounds.find((r) => r.id === choice.roundId)
    ?.name;
}
