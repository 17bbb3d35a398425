/**
 * Households, programmes and distribution days as the API answers them (src/modules/households, programmes,
 * distributions). Identifiers arrive masked ("********1234"): the screens never hold a family's full IIN except
 * while it is being typed. Quantities due and handed over are integers of the item's sub-unit.
 */
export const VULNERABILITIES = [
  'single_parent',
  'disability',
  'large_family',
  'lone_pensioner',
  'displaced_by_disaster',
  'low_income',
] as const;
export const RELATIONS = ['spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'other'] as const;
export const LEGAL_BASES = ['consent', 'vital_interest', 'legal_obligation', 'public_task'] as const;

export interface Household {
  id: string;
  number: string;
  kind: 'household' | 'institution';
  status: string;
  head: { name: string; birthDate: string; iin: string; phone: string | null } | null;
  institution: { name: string; beneficiaries: number } | null;
  members: { id: string; name: string | null; relation: string | null; iin: string | null }[];
  size: number;
  address: { region: string; settlement: string; line: string | null };
  vulnerabilities: string[];
}

export interface Round {
  id: string;
  name: string;
  status: string;
}

export interface Programme {
  id: string;
  name: string;
  status: string;
  rounds: Round[];
}

export interface Enrolment {
  id: string;
  householdId: string;
  roundId: string;
  outcome: 'unique' | 'needs_review' | 'overridden';
  possibleMatches: number;
}

export interface Batch {
  id: string;
  number: string;
  site: { name: string; region: string; settlement: string };
  plannedOn: string;
  status: string;
  warehouseId: string;
}

export interface DueLine {
  itemId: string;
  /** The sub-unit of the quantities, when the API names it; else the item's base unit. */
  unit?: string;
  entitled: number;
  reserved: number;
  short: number;
  issued: number;
}

export interface DueRow {
  allocationId: string;
  householdId: string;
  householdNumber: string;
  head: string;
  size: number;
  settlement: string;
  status: 'reserved' | 'handed_over' | 'cancelled';
  lines: DueLine[];
  short: boolean;
}

export interface HandOver {
  id: string;
  number: string;
  allocationId: string;
  outcome: 'all' | 'part' | 'none';
}

/** Folds case and the letters Kazakh and Russian spell alike, so "Әсел" finds "Асель" typed on a Russian keyboard. */
export function foldName(text: string): string {
  const pairs: Record<string, string> = {
    ә: 'а',
    ғ: 'г',
    қ: 'к',
    ң: 'н',
    ө: 'о',
    ұ: 'у',
    ү: 'у',
    һ: 'х',
    і: 'и',
    ё: 'е',
    й: 'и',
    ь: '',
  };
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[әғқңөұүһіёйь]/g, (letter) => pairs[letter] ?? letter)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The rows of a day's list that a search means: a household number or a scanned code (exactly), else every row whose
 * head's name holds each word typed. An IIN is not matched here (the list holds none): the screen asks the API.
 */
export function findRows(rows: readonly DueRow[], query: string): DueRow[] {
  const text = query.trim();
  if (!text) return [...rows];
  const code = text.toUpperCase();
  const exact = rows.filter((row) => row.householdNumber.toUpperCase() === code || row.allocationId === text);
  if (exact.length) return exact;
  const words = foldName(text).split(' ');
  return rows.filter((row) => {
    const name = foldName(row.head);
    return words.every((word) => name.includes(word));
  });
}

/** A distribution day opened on this device: enough to list it and go back to it. */
export interface RecentDay {
  id: string;
  number: string;
  site: string;
  plannedOn: string;
}

const RECENT_KEY = 'asar.distribution-days';

/** The days opened on this device, the latest first (kept locally: the API has no list of batches). */
export function recentDays(): RecentDay[] {
  try {
    const days = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as RecentDay[];
    return Array.isArray(days) ? days : [];
  } catch {
    return [];
  }
}

export function rememberDay(day: RecentDay): void {
  const days = [day, ...recentDays().filter((d) => d.id !== day.id)].slice(0, 20);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(days));
  } catch {
    // A private window may refuse storage: the day is then not listed, its page still works.
  }
}
