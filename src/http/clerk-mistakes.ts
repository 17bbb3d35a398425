/**
 * The obvious mistakes of a clerk typing in Kazakhstan, recognised in one place, so that the answer says what to write
 * instead of only what is wrong. validate() asks `clerkHint` about every field Joi refused:
 *
 * - a decimal comma: `2,5` → write `2.5` (a comma is never guessed to be decimal: `1,000` means 1000 to some);
 * - a date as `31.12.2027` → write `2027-12-31`;
 * - a warehouse given by its code (`ALA-01`) where its id is expected → where to find the id.
 *
 * Units typed in Russian or Kazakh (`кг`, `шт`, `т`) are not mistakes: units.ts accepts them as spellings of the
 * codes. Goods received already expired or in an absurd quantity are the receiving service's to refuse
 * (donations/receipt-checks.ts): whether they are wrong depends on the item and the date, not on the text.
 */
import type Joi from 'joi';

type Detail = Pick<Joi.ValidationErrorItem, 'type' | 'path' | 'context'>;

/** The value the caller sent at `path` (Joi's context holds it converted: lowercased, trimmed). */
function rawAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

const DECIMAL_COMMA = /^([+-]?\d+),(\d+)$/;
const DOTTED_DATE = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/;
const CODE_LIKE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const ID = /^[0-9a-fA-F]{24}$/;

function decimalCommaHint(label: string, text: string): string | null {
  const match = DECIMAL_COMMA.exec(text);
  if (!match) return null;
  const [, whole, fraction] = match;
  if (fraction?.length === 3) {
    return `${label} "${text}" is ambiguous: a point separates decimals and no separator groups thousands, so write ${whole}${fraction} or ${whole}.${fraction}`;
  }
  return `${label} uses a decimal comma: write ${whole}.${fraction} (a point separates decimals)`;
}

function dottedDateHint(label: string, text: string): string | null {
  const match = DOTTED_DATE.exec(text);
  if (!match) return null;
  const [, day = '', month = '', year = ''] = match;
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    return `${label} "${text}" is not a date: write it as year-month-day (YYYY-MM-DD)`;
  }
  return `${label} is written year-month-day: ${text} is ${iso}`;
}

function codeForIdHint(label: string, key: string, text: string): string | null {
  if (!/warehouseId$/i.test(key) || ID.test(text) || !CODE_LIKE.test(text)) return null;
  return `${label} expects the warehouse's id, not its code ${text}: GET /api/v1/warehouses?code=${encodeURIComponent(text)} answers the warehouse with its id`;
}

/** A message saying what to write instead, when the refused value is one of the mistakes above; null otherwise. */
export function clerkHint(detail: Detail, raw: unknown): string | null {
  const sent = rawAt(raw, detail.path);
  if (typeof sent !== 'string') return null;
  const text = sent.trim();
  const label = `"${detail.context?.label ?? detail.path.join('.')}"`;
  const key = String(detail.context?.key ?? '');
  if (detail.type.startsWith('date.')) return dottedDateHint(label, text);
  if (
    detail.type === 'string.pattern.base' ||
    detail.type.startsWith('number.') ||
    detail.type.startsWith('alternatives.')
  ) {
    return decimalCommaHint(label, text) ?? codeForIdHint(label, key, text);
  }
  return null;
}
