/**
 * Numbers as people type them: "12,5" and "12.5" are the same (Kazakh and Russian write a decimal comma), spaces
 * may group thousands ("1 250,5", with an ordinary or a no-break space). The API takes decimal strings, never
 * floats, so what the user typed reaches it digit for digit: parseDecimal answers the canonical string ("1250.5")
 * or null when the text is not a number. A comma and a dot together ("1.250,5") are refused rather than guessed.
 */
const GROUP_SPACES = /[\s\u00a0\u202f]/g;

export function parseDecimal(text: string): string | null {
  const compact = text.trim().replace(GROUP_SPACES, '');
  if (compact === '') return null;
  if (compact.includes(',') && compact.includes('.')) return null;
  const dotted = compact.replace(',', '.');
  if (!/^\+?(\d+(\.\d*)?|\.\d+)$/.test(dotted)) return null;
  const unsigned = dotted.replace(/^\+/, '');
  const [whole, fraction = ''] = unsigned.split('.');
  const wholeDigits = whole.replace(/^0+(?=\d)/, '') || '0';
  const fractionDigits = fraction.replace(/0+$/, '');
  return fractionDigits ? `${wholeDigits}.${fractionDigits}` : wholeDigits;
}

/** A quantity that must be more than zero: the canonical string, or the reason it is not one. */
export function parsePositiveQuantity(text: string): { value: string } | { error: 'decimal' | 'positive' } {
  const value = parseDecimal(text);
  if (value === null) return { error: 'decimal' };
  if (/^0(\.0*)?$/.test(value)) return { error: 'positive' };
  return { value };
}

/** The canonical string of a quantity more than zero, or null. */
export function positiveOrNull(text: string): string | null {
  const parsed = parsePositiveQuantity(text);
  return 'value' in parsed ? parsed.value : null;
}
