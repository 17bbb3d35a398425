/**
 * ISO 6346 freight container numbers: a three-letter owner code, an equipment category letter (U for freight
 * containers, J for detachable equipment, Z for trailers and chassis), a six-digit serial number and a check digit.
 * The check digit catches a mistyped number before a container is recorded against the wrong shipment.
 *
 * Written here rather than taken from npm: the packages that do it are tiny and little used, and the rule is the
 * standard's few lines below, tested against published numbers.
 */

const PATTERN = /^[A-Z]{3}[UJZ]\d{7}$/;

/** Letter values skip 11, 22 and 33 (multiples of 11), as the standard prescribes: A=10, B=12, ..., Z=38. */
function letterValue(letter: string): number {
  let value = 10;
  for (let code = 65; code < letter.charCodeAt(0); code += 1) {
    value += 1;
    if (value % 11 === 0) value += 1;
  }
  return value;
}

/** "csqu 305438-3" → "CSQU3054383": spaces, dashes and case as people write them on paper. */
export function normaliseContainerNumber(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}

/** The check digit of the first ten characters (owner code, category, serial). */
export function containerCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i += 1) {
    const char = first10[i] as string;
    const value = /\d/.test(char) ? Number(char) : letterValue(char);
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

/** True for a well-formed number whose last digit is its check digit. */
export function isValidContainerNumber(value: string): boolean {
  const number = normaliseContainerNumber(value);
  if (!PATTERN.test(number)) return false;
  return containerCheckDigit(number.slice(0, 10)) === Number(number[10]);
}
