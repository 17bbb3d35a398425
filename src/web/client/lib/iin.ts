/**
 * The IIN (individual identification number) as a person types it: what is wrong with it so far, said at once
 * (too few digits, an impossible birth date, a wrong check digit), and how it is shown once entered (masked: only
 * the last four digits, as the API shows families' identifiers by default). The rules are the server's
 * (src/core/kz-identifiers.ts): a check digit over the first 11 digits with weights 1..11, or 3..11,1,2 when the
 * first sum gives 10; digit 7 gives the century and sex; digits 1-6 a real birth date.
 */
export type IinProblem = 'digits' | 'incomplete' | 'birthDate' | 'checkDigit';

const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
const CENTURY: Record<string, number> = { '1': 1800, '2': 1800, '3': 1900, '4': 1900, '5': 2000, '6': 2000 };

function weighted(digits: number[], weights: number[]): number {
  return digits.reduce((sum, digit, i) => sum + digit * weights[i], 0) % 11;
}

export function iinCheckDigit(first11: string): number | null {
  const digits = [...first11].map(Number);
  const first = weighted(digits, FIRST_WEIGHTS);
  if (first !== 10) return first;
  const second = weighted(digits, SECOND_WEIGHTS);
  return second === 10 ? null : second;
}

/** The birth date an IIN encodes (YYYY-MM-DD), or null when digits 1-7 make no real date. */
export function iinBirthDate(iin: string): string | null {
  const century = CENTURY[iin[6]];
  if (century === undefined) return null;
  const year = century + Number(iin.slice(0, 2));
  const month = Number(iin.slice(2, 4));
  const day = Number(iin.slice(4, 6));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** Spaces a person or a scanner may add are ignored. */
export function normaliseIin(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/** What is wrong with the IIN typed so far; null when it is a valid IIN. `partial` tolerates fewer than 12 digits. */
export function iinProblem(text: string, partial = false): IinProblem | null {
  const iin = normaliseIin(text);
  if (!/^\d*$/.test(iin) || iin.length > 12) return 'digits';
  if (iin.length >= 7 && !iinBirthDate(iin.padEnd(12, '0'))) return 'birthDate';
  if (iin.length < 12) return partial ? null : 'incomplete';
  const expected = iinCheckDigit(iin.slice(0, 11));
  return expected !== null && expected === Number(iin[11]) ? null : 'checkDigit';
}

/** The IIN as shown once entered: the last four digits only. */
export function maskIin(iin: string): string {
  const digits = normaliseIin(iin);
  return digits.length < 4 ? '•'.repeat(digits.length) : `•••••••• ${digits.slice(-4)}`;
}
