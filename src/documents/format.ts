/**
 * Numbers, money and dates as each language writes them (kk-KZ, ru-RU, en-GB through Intl). Quantities and
 * amounts may arrive as decimal strings (for example Decimal128#toString()): Intl formats those digit for digit,
 * so a renderer never turns 0.3 t into 0.30000000000000004 t on paper.
 */
import { type Lang, labels } from './labels';

/** An exact decimal as a string ("1250.5") or a plain number for values that are already safe (counts, 2.5). */
export type DecimalValue = number | string;

/** A calendar day, `YYYY-MM-DD`, printed the same in every time zone (received dates, expiry dates). */
export type CalendarDate = string;

export interface Money {
  readonly amount: DecimalValue;
  /** ISO 4217 code: KZT, USD, EUR, RUB, ... */
  readonly currency: string;
}

/** Kazakhstan has used a single time zone (UTC+5) since March 2024; Asia/Almaty carries that rule. */
export const DEFAULT_TIME_ZONE = 'Asia/Almaty';

const DECIMAL_LITERAL = /^[+-]?\d+(\.\d+)?$/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

// Building an Intl formatter costs far more than using one, and a 200-line table formats about a thousand values.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

/** Narrows a decimal string to the literal type Intl accepts, or says it is display text. */
function asNumeric(value: DecimalValue): number | Intl.StringNumericLiteral | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const trimmed = value.trim();
  return DECIMAL_LITERAL.test(trimmed) ? (trimmed as Intl.StringNumericLiteral) : undefined;
}

/**
 * A quantity or weight with grouping as the language writes it. Up to six decimals are kept so grams survive in
 * tonnes; a string that is not a decimal ("2 × 12") is caller-made display text and is printed unchanged.
 */
export function formatDecimal(value: DecimalValue, lang: Lang, maximumFractionDigits = 6): string {
  const numeric = asNumeric(value);
  if (numeric === undefined) return String(value);
  return numberFormat(labels(lang).locale, { maximumFractionDigits }).format(numeric);
}

/** An amount with its currency; the narrow symbol keeps ₸ for tenge in all three languages. */
export function formatMoney(money: Money, lang: Lang): string {
  const numeric = asNumeric(money.amount);
  if (numeric === undefined) return `${String(money.amount)} ${money.currency}`;
  return numberFormat(labels(lang).locale, {
    style: 'currency',
    currency: money.currency,
    currencyDisplay: 'narrowSymbol',
  }).format(numeric);
}

/** Parses an instant given as a Date or an ISO string; throws on garbage so a bad date never prints as "Invalid". */
export function toInstant(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`Not a valid date: ${String(value)}`);
  return date;
}

export type DateStyle = 'long' | 'numeric';

/**
 * A day in the reader's language. A `YYYY-MM-DD` string is a calendar day and is formatted in UTC so it never
 * shifts; a Date or an ISO timestamp is an instant and is shown as the day it was in `timeZone`.
 */
export function formatDate(
  value: CalendarDate | Date,
  lang: Lang,
  style: DateStyle = 'numeric',
  timeZone: string = DEFAULT_TIME_ZONE,
): string {
  const isCalendarDay = typeof value === 'string' && CALENDAR_DATE.test(value);
  const instant = isCalendarDay ? toInstant(`${value}T00:00:00Z`) : toInstant(value);
  const options: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { day: 'numeric', month: 'long', year: 'numeric' }
      : { day: '2-digit', month: '2-digit', year: 'numeric' };
  return dateFormat(labels(lang).locale, { ...options, timeZone: isCalendarDay ? 'UTC' : timeZone }).format(instant);
}
