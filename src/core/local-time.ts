/**
 * Calendar months in Kazakhstan's time (the `Asia/Almaty` zone of the tz database, read through Node's Intl data):
 * UTC+5 since 1 March 2024, UTC+6 before (and UTC+7 in the summers up to 2004). A report's "March 2024" is the
 * local month, and so is a roll-up's bucket.
 *
 * The zone's offset changes are found once, from Intl, for the years this software can hold data of (2000 to 2100);
 * between two changes the offset is constant, so the local month of an instant is `instant + offset` read as UTC.
 * That gives the same answer as MongoDB's `$dateToString` with `timezone: 'Asia/Almaty'` (a test compares them on
 * the database) in a form the database evaluates cheaply: `monthExpression` adds the offset chosen by a `$switch`
 * over the (few) changes, newest first, instead of resolving the zone for every document.
 */

export const KAZAKHSTAN_TIME_ZONE = 'Asia/Almaty';

const MINUTE = 60_000;
const DAY = 86_400_000;
const FIRST_YEAR = 2000;
const LAST_YEAR = 2100;

/** From `at` on (ms since the epoch), local time is UTC + `offsetMs`. */
interface OffsetChange {
  at: number;
  offsetMs: number;
}

function offsetFinder(zone: string): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (ms) => {
    const whole = Math.floor(ms / MINUTE) * MINUTE;
    const p = Object.fromEntries(format.formatToParts(new Date(whole)).map((part) => [part.type, part.value]));
    const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    return local - whole;
  };
}

/** The zone's offset changes between FIRST_YEAR and LAST_YEAR, oldest first; the first covers everything before. */
function offsetChanges(zone: string): OffsetChange[] {
  const offsetAt = offsetFinder(zone);
  const start = Date.UTC(FIRST_YEAR, 0, 1);
  const end = Date.UTC(LAST_YEAR, 0, 1);
  const changes: OffsetChange[] = [{ at: Number.NEGATIVE_INFINITY, offsetMs: offsetAt(start) }];
  let previous = changes[0].offsetMs;
  // Offsets change at most a few times a year and never twice within a day: a daily step finds every change,
  // then halving the day finds its minute.
  for (let day = start + DAY; day <= end; day += DAY) {
    const offset = offsetAt(day);
    if (offset === previous) continue;
    let before = day - DAY;
    let after = day;
    while (after - before > MINUTE) {
      const middle = before + Math.floor((after - before) / 2 / MINUTE) * MINUTE;
      if (offsetAt(middle) === previous) before = middle;
      else after = middle;
    }
    changes.push({ at: after, offsetMs: offset });
    previous = offset;
  }
  return changes;
}

const CHANGES = offsetChanges(KAZAKHSTAN_TIME_ZONE);

/** Local time's offset from UTC at an instant, in ms. */
export function kazakhstanOffsetMs(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  for (let i = CHANGES.length - 1; i > 0; i -= 1) {
    if (ms >= CHANGES[i].at) return CHANGES[i].offsetMs;
  }
  return CHANGES[0].offsetMs;
}

/** The local date of an instant as ISO text, cut to `length` (7: `YYYY-MM`, 10: `YYYY-MM-DD`). */
function localDate(at: Date | number, length: number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(ms + kazakhstanOffsetMs(ms)).toISOString().slice(0, length);
}

/** The instant of a local midnight in Kazakhstan. */
function localMidnight(year: number, month: number, day: number): Date {
  const local = Date.UTC(year, month - 1, day);
  // The offset in force at that local midnight (found from the instant the offset before it gives, then checked).
  let at = local - kazakhstanOffsetMs(local);
  at = local - kazakhstanOffsetMs(at);
  return new Date(at);
}

/** `YYYY`: the local year of an instant. */
export function yearOf(at: Date | number): string {
  return localDate(at, 4);
}

/** The instant a local year (`YYYY`) begins: midnight of 1 January in Kazakhstan. */
export function yearStart(year: string): Date {
  return localMidnight(Number(year), 1, 1);
}

/** The year after `YYYY`. */
export function nextYear(year: string): string {
  return String(Number(year) + 1).padStart(4, '0');
}

/** `YYYY-MM`: the local month of an instant. */
export function monthOf(at: Date | number): string {
  return localDate(at, 7);
}

/** `YYYY-MM`: the month of a local day (`YYYY-MM-DD`). */
export function monthOfDay(day: string): string {
  return day.slice(0, 7);
}

/** The instant a local month (`YYYY-MM`) begins: midnight of its first day in Kazakhstan. */
export function monthStart(month: string): Date {
  const [year, m] = month.split('-').map(Number);
  return localMidnight(year, m, 1);
}

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m, 1)).toISOString().slice(0, 7);
}

/** `YYYY-MM-DD`: the local day of an instant. */
export function dayOf(at: Date | number): string {
  return localDate(at, 10);
}

/** The instant a local day (`YYYY-MM-DD`) begins: its midnight in Kazakhstan. */
export function dayStart(day: string): Date {
  const [year, m, d] = day.split('-').map(Number);
  return localMidnight(year, m, d);
}

/** The day after `YYYY-MM-DD`. */
export function nextDay(day: string): string {
  const [year, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(year, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** `$dateToString` of `field` in local time, the offset chosen by a `$switch` over the zone's changes. */
function localDateExpression(field: string, format: string): Record<string, unknown> {
  const recentFirst = CHANGES.slice(1).reverse();
  const offset =
    recentFirst.length === 0
      ? CHANGES[0].offsetMs
      : {
          $switch: {
            // biome-ignore lint/suspicious/noThenProperty: MongoDB's $switch branch is spelled `then`.
            branches: recentFirst.map((c) => ({ case: { $gte: [field, new Date(c.at)] }, then: c.offsetMs })),
            default: CHANGES[0].offsetMs,
          },
        };
  return { $dateToString: { format, date: { $add: [field, offset] } } };
}

/** The same as `{ $dateToString: { format: '%Y-%m', date: field, timezone: 'Asia/Almaty' } }`, evaluated cheaply. */
export function monthExpression(field: string): Record<string, unknown> {
  return localDateExpression(field, '%Y-%m');
}

/** The same as `{ $dateToString: { format: '%Y-%m-%d', date: field, timezone: 'Asia/Almaty' } }`. */
export function dayExpression(field: string): Record<string, unknown> {
  return localDateExpression(field, '%Y-%m-%d');
}
