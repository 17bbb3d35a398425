/**
 * Numbers, quantities, weights and dates in the user's language. The API sends quantities as decimal strings in the
 * item's base unit ("300", "194.4"); they are formatted without going through floating point for the digits that
 * matter (Intl formats a string exactly in current browsers) and with the language's separators (kk and ru: "1 250,5").
 */
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { INTL_LOCALE, isLang, type Lang } from '../i18n';
import type { Dictionary } from '../i18n/en';

export type Decimal = string | number;

/** Intl.NumberFormat takes a decimal string as an exact value; the type declarations only know numbers. */
function formatExact(format: Intl.NumberFormat, value: Decimal): string {
  return format.format(value as unknown as number);
}

/**
 * The Intl locale that formats this language's numbers. Chromium's built-in ICU data lists Kazakh but carries none
 * of its number symbols (it prints "0.3"); Kazakh writes numbers as Russian does ("1 250,5"), so Russian's rules
 * stand in where the browser's Kazakh is missing.
 */
const numberLocales = new Map<Lang, string>();
export function numberLocale(lang: Lang): string {
  let locale = numberLocales.get(lang);
  if (!locale) {
    locale = INTL_LOCALE[lang];
    if (lang === 'kk' && new Intl.NumberFormat(locale).format(1.5) !== '1,5') locale = INTL_LOCALE.ru;
    numberLocales.set(lang, locale);
  }
  return locale;
}

export function formatNumber(value: Decimal, lang: Lang, maximumFractionDigits = 3): string {
  return formatExact(new Intl.NumberFormat(numberLocale(lang), { maximumFractionDigits }), value);
}

/** kg as the API gives them, shown in kg and in tonnes. */
export function kgAndTonnes(kg: Decimal, lang: Lang, units: Dictionary['units']): { kg: string; tonnes: string } {
  const tonnes = decimalShift(String(kg), -3);
  return {
    kg: `${formatNumber(kg, lang, 1)} ${units.kg}`,
    tonnes: `${formatNumber(tonnes, lang, 3)} ${units.t}`,
  };
}

/** Moves the decimal point of a decimal string by `places` (exact: no floating point). */
export function decimalShift(value: string, places: number): string {
  const negative = value.startsWith('-');
  const digits = negative ? value.slice(1) : value;
  const [whole, fraction = ''] = digits.split('.');
  let all = whole + fraction;
  let point = whole.length + places;
  if (point < 0) {
    all = '0'.repeat(-point) + all;
    point = 0;
  }
  if (point > all.length) all += '0'.repeat(point - all.length);
  const result = `${all.slice(0, point) || '0'}.${all.slice(point)}`.replace(/^0+(?=\d)/, '').replace(/\.?0*$/, '');
  return (negative && result !== '0' ? '-' : '') + (result || '0');
}

export function unitLabel(unit: string, units: Dictionary['units']): string {
  return (units as Record<string, string>)[unit] ?? unit;
}

/**
 * Dates through dayjs and its kk/ru/en month names (loaded in i18n/index.ts), not Intl: browsers' Kazakh date data
 * is missing or partial (Chromium prints "2026 M12 1"). Russian month names are in the genitive ("1 декабря").
 */
const DATE_FORMAT: Record<Lang, string> = { kk: 'D MMMM YYYY', ru: 'D MMMM YYYY', en: 'D MMM YYYY' };

/** A calendar date (an expiry, a day of receipt): the day the API names, whatever the device's time zone. */
export function formatDate(value: string | Date, lang: Lang): string {
  const day = typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
  return dayjs(day).locale(lang).format(DATE_FORMAT[lang]);
}

/** A moment, in the device's time zone. */
export function formatDateTime(value: string | Date, lang: Lang): string {
  return dayjs(value).locale(lang).format(`${DATE_FORMAT[lang]}, HH:mm`);
}

/** The formatters bound to the current language. */
export function useFormat() {
  const { t, i18n } = useTranslation();
  const lang: Lang = isLang(i18n.language) ? i18n.language : 'kk';
  const units = t('units', { returnObjects: true }) as Dictionary['units'];
  return {
    lang,
    number: (value: Decimal, digits?: number) => formatNumber(value, lang, digits),
    quantity: (value: Decimal, unit: string) => `${formatNumber(value, lang)} ${unitLabel(unit, units)}`,
    weight: (kg: Decimal) => kgAndTonnes(kg, lang, units),
    date: (value: string | Date) => formatDate(value, lang),
    dateTime: (value: string | Date) => formatDateTime(value, lang),
    unit: (unit: string) => unitLabel(unit, units),
  };
}
