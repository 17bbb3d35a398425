/**
 * Kazakh identification numbers: the IIN of a person and the BIN of an organisation. Both are 12 digits whose last
 * digit is a check digit (see shared/DOMAIN.md): the sum of digit[i] * i for i = 1..11, mod 11; when that is 10, the
 * sum again with weights 3..11,1,2, mod 11; when that is 10 too, no check digit exists and the number is invalid.
 *
 * Only the checksum is verified for a BIN. Its other digits (registration year and month, kind of entity) follow
 * rules that have changed over time, and a false rejection would stop an aid partner from being registered.
 */
const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

function weightedSumMod11(digits: readonly number[], weights: readonly number[]): number {
  return digits.reduce((sum, digit, i) => sum + digit * (weights[i] ?? 0), 0) % 11;
}

/**
 * The check digit for the first 11 digits of an IIN or BIN, or null when the number cannot carry one
 * (both weighted sums give 10).
 */
export function kzCheckDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) throw new Error('kzCheckDigit needs exactly 11 digits');
  const digits = [...first11].map(Number);
  const first = weightedSumMod11(digits, FIRST_WEIGHTS);
  if (first !== 10) return first;
  const second = weightedSumMod11(digits, SECOND_WEIGHTS);
  return second === 10 ? null : second;
}

/** True for 12 digits whose last digit is the check digit of the first 11. Applies to both IIN and BIN. */
export function hasValidKzCheckDigit(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  const expected = kzCheckDigit(value.slice(0, 11));
  return expected !== null && expected === Number(value[11]);
}

/** A BIN (business identification number): 12 digits with a valid check digit. */
export const isValidBin = hasValidKzCheckDigit;

const CENTURY_BY_DIGIT: Record<string, number> = { '1': 1800, '2': 1800, '3': 1900, '4': 1900, '5': 2000, '6': 2000 };

/**
 * An IIN (individual identification number): a valid check digit, a century-and-sex digit 1..6 and a real birth date.
 * (Digit 7 is 0 in some numbers issued to foreigners; those are rejected here and would need a manual path.)
 */
export function isValidIin(value: string): boolean {
  if (!hasValidKzCheckDigit(value)) return false;
  const century = CENTURY_BY_DIGIT[value[6] as string];
  if (century === undefined) return false;
  const year = century + Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
