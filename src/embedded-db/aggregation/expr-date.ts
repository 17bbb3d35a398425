/**
 * Date operators. Dates are instants (ms since the epoch); a `timezone` argument (an Olson name such as
 * "Asia/Almaty", or a fixed offset such as "+05:00") decides which wall-clock fields the instant has. Olson
 * offsets come from the runtime's Intl time-zone data.
 */
import { Int32, Long } from 'bson';
import { exprError, integralArg, isNullish, isPlainObject, namedArgs, typeName } from './expr-support';
import { type ExprContext, evaluate, type OperatorFn } from './expressions';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A time zone: the offset (in minutes east of UTC) in force at an instant. */
export interface Zone {
  offsetAt(ms: number): number;
}

const UTC_ZONE: Zone = { offsetAt: () => 0 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function olsonZone(name: string): Zone {
  let fmt = formatters.get(name);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(name, fmt);
  }
  const f = fmt;
  return {
    offsetAt(ms: number): number {
      const whole = Math.floor(ms / 1000) * 1000;
      const parts: Record<string, string> = {};
      for (const p of f.formatToParts(new Date(whole))) parts[p.type] = p.value;
      const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
      const local = Date.UTC(
        year,
        Number(parts.month) - 1,
        Number(parts.day),
        Number(parts.hour),
        Number(parts.minute),
        Number(parts.second),
      );
      // Date.UTC maps years 0-99 to 1900-1999.
      const fixed = year >= 0 && year < 100 ? new Date(local).setUTCFullYear(year) : local;
      return Math.round((fixed - whole) / MINUTE);
    },
  };
}

/** Parses a timezone argument; undefined means UTC. */
export function parseZone(tz: unknown): Zone {
  if (tz === undefined) return UTC_ZONE;
  if (typeof tz !== 'string') throw exprError(40517, `timezone must evaluate to a string, found ${typeName(tz)}`);
  if (tz === 'UTC' || tz === 'GMT' || tz === 'Z') return UTC_ZONE;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(tz);
  if (m) {
    const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
    return { offsetAt: () => minutes };
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw exprError(40485, `unrecognized time zone identifier: "${tz}"`);
  }
  return olsonZone(tz);
}

/** The instant whose wall-clock time in `zone` is `localMs` (a Date.UTC of the local fields). */
export function localToUtc(localMs: number, zone: Zone): number {
  let utc = localMs - zone.offsetAt(localMs) * MINUTE;
  utc = localMs - zone.offsetAt(utc) * MINUTE;
  return utc;
}

/** Dates, ObjectIds (their creation time) and Timestamps (their seconds) can be read as dates. */
export function toInstant(_op: string, v: unknown): number {
  if (v instanceof Date) return v.getTime();
  const tag = v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
  if (tag === 'ObjectId') return (v as { getTimestamp(): Date }).getTimestamp().getTime();
  if (tag === 'Timestamp') return (v as { t: number }).t * 1000;
  throw exprError(16006, `can't convert from BSON type ${typeName(v)} to Date`);
}

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  dayOfWeek: number; // 1 = Sunday ... 7 = Saturday
  dayOfYear: number; // 1-366
  offsetMinutes: number;
}

export function localParts(ms: number, zone: Zone): LocalParts {
  const offsetMinutes = zone.offsetAt(ms);
  const d = new Date(ms + offsetMinutes * MINUTE);
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    dayOfWeek: d.getUTCDay() + 1,
    dayOfYear: Math.floor((d.getTime() - startOfYear) / DAY) + 1,
    offsetMinutes,
  };
}

function isoDayOfWeek(p: LocalParts): number {
  return p.dayOfWeek === 1 ? 7 : p.dayOfWeek - 1;
}

/** ISO 8601 week and week-year: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(p: LocalParts): { week: number; year: number } {
  const thursday = Date.UTC(p.year, p.month - 1, p.day) + (4 - isoDayOfWeek(p)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY / 7) + 1;
  return { week, year };
}

/** %U: weeks start on Sunday; days before the year's first Sunday are week 0. */
function sundayWeek(p: LocalParts): number {
  return Math.floor((p.dayOfYear - 1 + 7 - (p.dayOfWeek - 1)) / 7);
}

/** Reads {date, timezone} or a bare date expression, the two shapes date-part operators accept. */
function dateArgument(op: string, args: unknown, ctx: ExprContext): { ms: number; zone: Zone } | null {
  let dateExpr = args;
  let tzExpr: unknown;
  if (Array.isArray(args)) {
    if (args.length !== 1)
      throw exprError(40536, `${op} accepts exactly one argument if given an array, but was given ${args.length}`);
    dateExpr = args[0];
  } else if (isPlainObject(args) && 'date' in args) {
    const spec = namedArgs(op, args, ['date', 'timezone'], ['date']);
    dateExpr = spec.date;
    tzExpr = spec.timezone;
  }
  const date = evaluate(dateExpr, ctx);
  const tz = tzExpr === undefined ? undefined : evaluate(tzExpr, ctx);
  if (isNullish(date) || tz === null) return null;
  return { ms: toInstant(op, date), zone: parseZone(tz) };
}

function datePart(op: string, pick: (p: LocalParts) => number): OperatorFn {
  return (args, ctx) => {
    const d = dateArgument(op, args, ctx);
    return d === null ? null : new Int32(pick(localParts(d.ms, d.zone)));
  };
}

const pad = (n: number, width: number): string => String(Math.abs(n)).padStart(width, '0');

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60), 2)}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60, 2)}`;
}

export function formatDate(ms: number, format: string, zone: Zone): string {
  const p = localParts(ms, zone);
  if (p.year < 0 || p.year > 9999) {
    throw exprError(
      18537,
      `Could not convert date to string: date component was outside the supported range of 0-9999: ${p.year}`,
    );
  }
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec = format[++i];
    switch (spec) {
      case 'Y':
        out += pad(p.year, 4);
        break;
      case 'm':
        out += pad(p.month, 2);
        break;
      case 'd':
        out += pad(p.day, 2);
        break;
      case 'H':
        out += pad(p.hour, 2);
        break;
      case 'M':
        out += pad(p.minute, 2);
        break;
      case 'S':
        out += pad(p.second, 2);
        break;
      case 'L':
        out += pad(p.millisecond, 3);
        break;
      case 'j':
        out += pad(p.dayOfYear, 3);
        break;
      case 'w':
        out += String(p.dayOfWeek);
        break;
      case 'u':
        out += String(isoDayOfWeek(p));
        break;
      case 'U':
        out += pad(sundayWeek(p), 2);
        break;
      case 'V':
        out += pad(isoWeek(p).week, 2);
        break;
      case 'G':
        out += pad(isoWeek(p).year, 4);
        break;
      case 'z':
        out += offsetText(p.offsetMinutes, false);
        break;
      case 'Z':
        out += `${p.offsetMinutes < 0 ? '-' : '+'}${Math.abs(p.offsetMinutes)}`;
        break;
      case 'b':
        out += MONTH_NAMES[p.month - 1].slice(0, 3);
        break;
      case 'B':
        out += MONTH_NAMES[p.month - 1];
        break;
      case '%':
        out += '%';
        break;
      case undefined:
        throw exprError(18535, "Unmatched '%' at end of format string");
      default:
        throw exprError(18536, `Invalid format character '%${spec}' in format string`);
    }
  }
  return out;
}

function dateToString(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$dateToString', args, ['date', 'format', 'timezone', 'onNull'], ['date']);
  const date = evaluate(spec.date, ctx);
  const format = spec.format === undefined ? undefined : evaluate(spec.format, ctx);
  const tz = spec.timezone === undefined ? undefined : evaluate(spec.timezone, ctx);
  if (format === null || tz === null) return null;
  if (isNullish(date)) return spec.onNull === undefined ? null : evaluate(spec.onNull, ctx);
  if (format !== undefined && typeof format !== 'string') {
    throw exprError(18533, `$dateToString requires that 'format' be a string, found: ${typeName(format)}`);
  }
  const zone = parseZone(tz);
  // Without a format, a timezone drops the trailing Z: the text is local time, not UTC.
  const defaultFormat =
    tz === undefined || tz === 'UTC' || tz === 'GMT' ? '%Y-%m-%dT%H:%M:%S.%LZ' : '%Y-%m-%dT%H:%M:%S.%L';
  return formatDate(toInstant('$dateToString', date), format ?? defaultFormat, zone);
}

// ---------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------

export class DateParseError extends Error {}

interface ParsedFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes?: number;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseOffset(text: string): number {
  if (text === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text) as RegExpExecArray;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

function parseIso(text: string): ParsedFields {
  const m = ISO_PATTERN.exec(text.trim());
  if (!m) throw new DateParseError(`Error parsing date string '${text}'`);
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0,
    offsetMinutes: m[8] === undefined ? undefined : parseOffset(m[8]),
  };
}

const FORMAT_TOKENS: Record<string, { re: string; field: keyof ParsedFields | 'zoneMinutes' }> = {
  Y: { re: '(\\d{4})', field: 'year' },
  m: { re: '(\\d{1,2})', field: 'month' },
  d: { re: '(\\d{1,2})', field: 'day' },
  H: { re: '(\\d{1,2})', field: 'hour' },
  M: { re: '(\\d{1,2})', field: 'minute' },
  S: { re: '(\\d{1,2})', field: 'second' },
  L: { re: '(\\d{1,3})', field: 'millisecond' },
  z: { re: '(Z|[+-]\\d{2}:?\\d{2})', field: 'offsetMinutes' },
  Z: { re: '([+-]\\d{1,4})', field: 'zoneMinutes' },
};

function parseWithFormat(text: string, format: string): ParsedFields {
  let pattern = '^';
  const fields: (keyof ParsedFields | 'zoneMinutes')[] = [];
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      pattern += format[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const spec = format[++i];
    if (spec === '%') {
      pattern += '%';
      continue;
    }
    const token = FORMAT_TOKENS[spec];
    if (!token) throw exprError(18536, `Invalid format character '%${spec ?? ''}' in format string`);
    pattern += token.re;
    fields.push(token.field);
  }
  const m = new RegExp(`${pattern}$`).exec(text);
  if (!m) throw new DateParseError(`Error parsing date string '${text}' with format '${format}'`);
  const out: ParsedFields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 };
  fields.forEach((field, i) => {
    const value = m[i + 1];
    if (field === 'offsetMinutes') out.offsetMinutes = parseOffset(value);
    else if (field === 'zoneMinutes') out.offsetMinutes = Number(value);
    else if (field === 'millisecond') out.millisecond = Number(value.padEnd(3, '0'));
    else out[field] = Number(value);
  });
  return out;
}

function checkFields(f: ParsedFields, text: string): void {
  const daysInMonth = new Date(Date.UTC(f.year, f.month, 0)).getUTCDate();
  const ok =
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= daysInMonth &&
    f.hour <= 23 &&
    f.minute <= 59 &&
    f.second <= 59;
  if (!ok) throw new DateParseError(`Error parsing date string '${text}'; a date field is out of range`);
}

/** Date.UTC of the fields, without Date.UTC's mapping of years 0-99 to 1900-1999. */
function utcFromFields(f: Omit<ParsedFields, 'offsetMinutes'>): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, f.millisecond);
  return d.getTime();
}

/** Parses a date string (ISO 8601 unless a format is given); throws DateParseError when it cannot. */
export function parseDateString(text: string, format: string | undefined, zone: Zone | undefined): Date {
  const fields = format === undefined ? parseIso(text) : parseWithFormat(text, format);
  checkFields(fields, text);
  if (fields.offsetMinutes !== undefined && zone !== undefined) {
    throw new DateParseError(`you cannot pass in a date/time string with GMT offset together with a timezone argument`);
  }
  const local = utcFromFields(fields);
  if (fields.offsetMinutes !== undefined) return new Date(local - fields.offsetMinutes * MINUTE);
  return new Date(localToUtc(local, zone ?? UTC_ZONE));
}

function dateFromString(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs(
    '$dateFromString',
    args,
    ['dateString', 'format', 'timezone', 'onError', 'onNull'],
    ['dateString'],
  );
  const text = evaluate(spec.dateString, ctx);
  const format = spec.format === undefined ? undefined : evaluate(spec.format, ctx);
  const tz = spec.timezone === undefined ? undefined : evaluate(spec.timezone, ctx);
  if (format === null || tz === null) return null;
  if (isNullish(text)) return spec.onNull === undefined ? null : evaluate(spec.onNull, ctx);
  try {
    if (typeof text !== 'string') {
      throw new DateParseError(
        `$dateFromString requires that 'dateString' be a string, found: ${typeName(text)} with value ${String(text)}`,
      );
    }
    if (format !== undefined && typeof format !== 'string') {
      throw exprError(40684, `$dateFromString requires that 'format' be a string, found: ${typeName(format)}`);
    }
    return parseDateString(text, format, tz === undefined ? undefined : parseZone(tz));
  } catch (err) {
    if (!(err instanceof DateParseError)) throw err;
    if (spec.onError !== undefined) return evaluate(spec.onError, ctx);
    throw exprError(241, err.message);
  }
}

function dateFromParts(args: unknown, ctx: ExprContext): unknown {
  const names = ['year', 'month', 'day', 'hour', 'minute', 'second', 'millisecond', 'timezone'];
  const spec = namedArgs('$dateFromParts', args, names, ['year']);
  const values: Record<string, unknown> = {};
  for (const name of names) {
    if (spec[name] !== undefined) values[name] = evaluate(spec[name], ctx);
  }
  if (Object.values(values).some((v) => v === null)) return null;
  const n = (name: string, fallback: number): number =>
    values[name] === undefined ? fallback : integralArg('$dateFromParts', values[name], `'${name}'`);
  const year = n('year', 1970);
  if (year < 1 || year > 9999)
    throw exprError(40523, `'year' must evaluate to an integer in the range 1 to 9999, found ${year}`);
  const local = Date.UTC(
    year,
    n('month', 1) - 1,
    n('day', 1),
    n('hour', 0),
    n('minute', 0),
    n('second', 0),
    n('millisecond', 0),
  );
  return new Date(localToUtc(local, parseZone(values.timezone)));
}

function dateToParts(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$dateToParts', args, ['date', 'timezone', 'iso8601'], ['date']);
  const date = evaluate(spec.date, ctx);
  const tz = spec.timezone === undefined ? undefined : evaluate(spec.timezone, ctx);
  if (isNullish(date) || tz === null) return null;
  const p = localParts(toInstant('$dateToParts', date), parseZone(tz));
  const i = (v: number): Int32 => new Int32(v);
  const time = { hour: i(p.hour), minute: i(p.minute), second: i(p.second), millisecond: i(p.millisecond) };
  if (spec.iso8601 === true) {
    const w = isoWeek(p);
    return { isoWeekYear: i(w.year), isoWeek: i(w.week), isoDayOfWeek: i(isoDayOfWeek(p)), ...time };
  }
  return { year: i(p.year), month: i(p.month), day: i(p.day), ...time };
}

// ---------------------------------------------------------------------------------------------------------
// Date arithmetic: $dateAdd, $dateSubtract, $dateDiff, $dateTrunc
// ---------------------------------------------------------------------------------------------------------

const FIXED_UNITS: Record<string, number> = { millisecond: 1, second: 1000, minute: MINUTE, hour: HOUR };
const CALENDAR_UNITS = ['day', 'week', 'month', 'quarter', 'year'];

function unitArg(op: string, v: unknown): string {
  if (typeof v !== 'string' || (!(v in FIXED_UNITS) && !CALENDAR_UNITS.includes(v))) {
    throw exprError(
      5439014,
      `${op}: unit must be one of year, quarter, month, week, day, hour, minute, second, millisecond; found ${String(v)}`,
    );
  }
  return v;
}

/** Adds calendar units in local time; a day that does not exist in the target month becomes its last day. */
export function addUnits(ms: number, unit: string, amount: number, zone: Zone): number {
  if (unit in FIXED_UNITS) return ms + amount * FIXED_UNITS[unit];
  const p = localParts(ms, zone);
  const timeOfDay = ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + p.millisecond;
  let year = p.year;
  let month = p.month - 1;
  let day = p.day;
  if (unit === 'day' || unit === 'week') {
    day += amount * (unit === 'week' ? 7 : 1);
  } else {
    const months = month + amount * (unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1);
    year += Math.floor(months / 12);
    month = ((months % 12) + 12) % 12;
    day = Math.min(day, new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  }
  return localToUtc(Date.UTC(year, month, day) + timeOfDay, zone);
}

function dateAdd(sign: 1 | -1, op: string): OperatorFn {
  return (args, ctx) => {
    const spec = namedArgs(op, args, ['startDate', 'unit', 'amount', 'timezone'], ['startDate', 'unit', 'amount']);
    const [start, unit, amount, tz] = [spec.startDate, spec.unit, spec.amount, spec.timezone].map((e) =>
      e === undefined ? undefined : evaluate(e, ctx),
    );
    if (isNullish(start) || isNullish(unit) || isNullish(amount) || tz === null) return null;
    const n = integralArg(op, amount, 'amount');
    return new Date(addUnits(toInstant(op, start), unitArg(op, unit), sign * n, parseZone(tz)));
  };
}

const WEEK_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function startOfWeekIndex(op: string, v: unknown): number {
  if (v === undefined) return 0;
  const i =
    typeof v === 'string' ? WEEK_DAYS.findIndex((d) => d === v.toLowerCase() || d.slice(0, 3) === v.toLowerCase()) : -1;
  if (i < 0) throw exprError(5439015, `${op}: unknown startOfWeek ${String(v)}`);
  return i;
}

/** Local midnight of the day holding `ms`, expressed as Date.UTC of local fields (a "local day number" × DAY). */
function localDay(ms: number, zone: Zone): number {
  const p = localParts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day);
}

function dateDiff(args: unknown, ctx: ExprContext): unknown {
  const names = ['startDate', 'endDate', 'unit', 'timezone', 'startOfWeek'];
  const spec = namedArgs('$dateDiff', args, names, ['startDate', 'endDate', 'unit']);
  const [start, end, unit, tz, sow] = names.map((n) => (spec[n] === undefined ? undefined : evaluate(spec[n], ctx)));
  if (isNullish(start) || isNullish(end) || isNullish(unit) || tz === null || sow === null) return null;
  const zone = parseZone(tz);
  const a = toInstant('$dateDiff', start);
  const b = toInstant('$dateDiff', end);
  const u = unitArg('$dateDiff', unit);
  let diff: number;
  if (u in FIXED_UNITS) {
    // Counts unit boundaries crossed in local time, as mongod does ("hour" between 10:59 and 11:01 is 1).
    const la = a + zone.offsetAt(a) * MINUTE;
    const lb = b + zone.offsetAt(b) * MINUTE;
    diff = Math.floor(lb / FIXED_UNITS[u]) - Math.floor(la / FIXED_UNITS[u]);
  } else if (u === 'day') {
    diff = (localDay(b, zone) - localDay(a, zone)) / DAY;
  } else if (u === 'week') {
    const first = startOfWeekIndex('$dateDiff', sow);
    const weekStart = (ms: number): number => {
      const day = localDay(ms, zone);
      const dow = new Date(day).getUTCDay();
      return day - ((dow - first + 7) % 7) * DAY;
    };
    diff = (weekStart(b) - weekStart(a)) / (7 * DAY);
  } else {
    const pa = localParts(a, zone);
    const pb = localParts(b, zone);
    const months = (pb.year - pa.year) * 12 + (pb.month - pa.month);
    diff =
      u === 'month'
        ? months
        : u === 'year'
          ? pb.year - pa.year
          : Math.floor((pb.year * 12 + pb.month - 1) / 3) - Math.floor((pa.year * 12 + pa.month - 1) / 3);
  }
  return Long.fromNumber(diff);
}

function dateTrunc(args: unknown, ctx: ExprContext): unknown {
  const names = ['date', 'unit', 'binSize', 'timezone', 'startOfWeek'];
  const spec = namedArgs('$dateTrunc', args, names, ['date', 'unit']);
  const [date, unit, binSizeValue, tz, sow] = names.map((n) =>
    spec[n] === undefined ? undefined : evaluate(spec[n], ctx),
  );
  if (isNullish(date) || isNullish(unit) || binSizeValue === null || tz === null || sow === null) return null;
  const zone = parseZone(tz);
  const ms = toInstant('$dateTrunc', date);
  const u = unitArg('$dateTrunc', unit);
  const binSize = binSizeValue === undefined ? 1 : integralArg('$dateTrunc', binSizeValue, 'binSize');
  if (binSize <= 0) throw exprError(5439017, "$dateTrunc requires 'binSize' to be greater than 0");
  // Bins are counted from 2000-01-01T00:00 local time, mongod's reference point.
  const reference = Date.UTC(2000, 0, 1);
  const local = ms + zone.offsetAt(ms) * MINUTE;
  if (u in FIXED_UNITS || u === 'day') {
    const size = (u === 'day' ? DAY : FIXED_UNITS[u]) * binSize;
    const truncated = reference + Math.floor((local - reference) / size) * size;
    return new Date(u === 'day' ? localToUtc(truncated, zone) : truncated - (local - ms));
  }
  if (u === 'week') {
    const first = startOfWeekIndex('$dateTrunc', sow);
    // The first week boundary on or after the reference date.
    const firstWeek = reference + ((first - new Date(reference).getUTCDay() + 7) % 7) * DAY;
    const size = 7 * DAY * binSize;
    return new Date(localToUtc(firstWeek + Math.floor((localDay(ms, zone) - firstWeek) / size) * size, zone));
  }
  const p = localParts(ms, zone);
  const monthsPerUnit = u === 'year' ? 12 : u === 'quarter' ? 3 : 1;
  const months = (p.year - 2000) * 12 + (p.month - 1);
  const bin = Math.floor(months / (monthsPerUnit * binSize)) * monthsPerUnit * binSize;
  return new Date(localToUtc(Date.UTC(2000 + Math.floor(bin / 12), ((bin % 12) + 12) % 12, 1), zone));
}

export const dateOperators: Record<string, OperatorFn> = {
  $year: datePart('$year', (p) => p.year),
  $month: datePart('$month', (p) => p.month),
  $dayOfMonth: datePart('$dayOfMonth', (p) => p.day),
  $hour: datePart('$hour', (p) => p.hour),
  $minute: datePart('$minute', (p) => p.minute),
  $second: datePart('$second', (p) => p.second),
  $millisecond: datePart('$millisecond', (p) => p.millisecond),
  $dayOfWeek: datePart('$dayOfWeek', (p) => p.dayOfWeek),
  $dayOfYear: datePart('$dayOfYear', (p) => p.dayOfYear),
  $week: datePart('$week', sundayWeek),
  $isoWeek: datePart('$isoWeek', (p) => isoWeek(p).week),
  $isoWeekYear: datePart('$isoWeekYear', (p) => isoWeek(p).year),
  $isoDayOfWeek: datePart('$isoDayOfWeek', isoDayOfWeek),
  $dateToString: dateToString,
  $dateFromString: dateFromString,
  $dateFromParts: dateFromParts,
  $dateToParts: dateToParts,
  $dateAdd: dateAdd(1, '$dateAdd'),
  $dateSubtract: dateAdd(-1, '$dateSubtract'),
  $dateDiff: dateDiff,
  $dateTrunc: dateTrunc,
};
