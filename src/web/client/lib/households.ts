/**
 * Households, programmes and distribution days as the API answers them (src/modules/households, programmes,
 * distributions). Identifiers arrive masked ("********1234"): the screens never hold a family's full IIN except
 * while it is being typed. Quantities due and handed over are integers of the item's sub-unit.
 */
import { parseDecimal } from './decimal';
import { inSubUnits } from './stock';

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
  /** Set when a supervisor let a duplicate through. */
  overridden: { reason: string; by: string; at: string } | null;
}

export interface Batch {
  id: string;
  number: string;
  site: { name: string; region: string; settlement: string };
  plannedOn: string;
  status: 'open' | 'closed';
  warehouseId: string;
}

/** A day in the organisation's list, with how many households it serves and how many were handed their goods. */
export interface BatchRow extends Batch {
  households: number;
  handedOver: number;
}

export type DayWhen = 'today' | 'upcoming' | 'all';

/**
 * The query of the list of days: today's (the device's calendar day, as the coordinator at the site means it),
 * those from today on, or all; and part of the site's name or settlement.
 */
export function dayFilter(when: DayWhen, site: string, today: string): Record<string, string> {
  return {
    ...(when === 'today' ? { plannedFrom: today, plannedTo: today } : {}),
    ...(when === 'upcoming' ? { plannedFrom: today } : {}),
    ...(site.trim() ? { site: site.trim() } : {}),
  };
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

/** A line of a partial hand-over as the API takes it: what was received, in the item's sub-units. */
export interface ReceivedLine {
  itemId: string;
  quantity: number;
}

export type PartProblem = 'decimal' | 'tooMuch' | 'nothing';

/**
 * What a partial hand-over sends, from the quantities typed per line in the unit the screen shows (the item's
 * base unit, "2,5" kg; the sub-unit when the screen knows no base unit): every line, an untouched one as 0. Each
 * line that is not a whole number of sub-units, or is more than was reserved, gets its problem; receiving nothing
 * at all is a problem of the whole (that is the outcome "nothing").
 */
export function partialLines(
  lines: readonly { itemId: string; reserved: number; unit: string; baseUnit: string }[],
  typed: Readonly<Record<string, string>>,
): { lines: ReceivedLine[]; problems: Record<string, PartProblem> } {
  const problems: Record<string, PartProblem> = {};
  const received = lines.map((line) => {
    const text = typed[line.itemId] ?? '';
    const value = text.trim() === '' ? '0' : parseDecimal(text);
    const quantity = value === null ? undefined : inSubUnits(value, line.unit, line.baseUnit);
    if (quantity === undefined) problems[line.itemId] = 'decimal';
    else if (quantity > line.reserved) problems[line.itemId] = 'tooMuch';
    return { itemId: line.itemId, quantity: quantity ?? 0 };
  });
  if (Object.keys(problems).length === 0 && received.every((line) => line.quantity === 0)) problems.all = 'nothing';
  return { lines: received, problems };
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
