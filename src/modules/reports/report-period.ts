/**
 * A report's period, split the way the roll-ups answer it (report-rollups.ts): for each organisation of the scope, the
 * whole local months of the part of the period it counts for (a hub's member: within its membership dates), read
 * from the monthly roll-ups and the records after their watermark; the whole local days of the partial months at its
 * ends, read from the daily roll-ups in the same way; and the instants left over (within a day at each end), read
 * from the records themselves. The inflows by donor or donor type also read whole local years, from the yearly
 * roll-ups, and the months of the partial years at the ends as above. A partial unit that holds more of the period
 * than not is read as the whole unit less the rest of it (roll-ups are sums: a quarter from the 2nd of a month reads
 * that month's roll-ups less those of its 1st, not 29 days' roll-ups), so some parts are taken out again (`less`).
 * Counted once and taken out where they overlap, the parts cover exactly the period, so a report equals a scan of
 * every record it counts (test/api/reports-rollups.test.ts).
 *
 * An end at or after now is an open end (nothing is recorded later).
 */
import type { Types } from 'mongoose';
import {
  dayOf,
  dayStart,
  monthOf,
  monthStart,
  nextDay,
  nextMonth,
  nextYear,
  yearOf,
  yearStart,
} from '../../core/local-time';
import type { Branch, WholeMonths } from './report-rollups';
import type { MemberWindow, ReportScope } from './report-scope';

export interface Window {
  organisationId: Types.ObjectId;
  from: Date | null;
  to: Date | null;
}

export function later(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

export function earlier(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/**
 * The scope's organisations, each with the part of the period it counts for (a hub's member: within its membership
 * dates); an end at or after `now` is open.
 */
export function windowsOf(scope: ReportScope, period: { from?: Date; to?: Date }, now = new Date()): Window[] {
  const to = period.to && period.to < now ? period.to : null;
  const members: MemberWindow[] =
    scope.kind === 'organisation' ? [{ organisationId: scope.organisationId, from: null, until: null }] : scope.members;
  return members
    .map((m) => ({
      organisationId: m.organisationId,
      from: later(period.from ?? null, m.from),
      to: earlier(to, m.until && m.until < now ? m.until : null),
    }))
    .filter((w) => !(w.from && w.to && w.from >= w.to));
}

/** Items grouped by a key, in the order of their first. */
export function groupedBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** A calendar unit: the key (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) of an instant, the instant a key begins, the next key. */
interface Unit {
  of(at: Date): string;
  start(key: string): Date;
  next(key: string): string;
}

const YEARS: Unit = { of: yearOf, start: yearStart, next: nextYear };
const MONTHS: Unit = { of: monthOf, start: monthStart, next: nextMonth };
const DAYS: Unit = { of: dayOf, start: dayStart, next: nextDay };

/** Counted (1) or taken out again (-1). */
type Sign = 1 | -1;

/** A part of a plan: a window read at a level (an index into the units; past the last: an edge), with its sign. */
interface Part {
  level: number;
  sign: Sign;
  window: Window;
}

/** What a plan reads, and an estimate of its cost (below). */
interface Plan {
  cost: number;
  parts: Part[];
}

/**
 * The cost of an edge of a whole day, in the roll-ups of one unit: an edge reads the records (a donation with its
 * lines, an issue entry), several times the work of a day's roll-ups.
 */
const EDGE_DAY_COST = 5;

/** A window's ends, for the arithmetic of instants below (open ends as the ends of time). */
const startOf = (w: { from?: Date | null }) => w.from?.getTime() ?? Number.NEGATIVE_INFINITY;
const endOf = (w: { to?: Date | null }) => w.to?.getTime() ?? Number.POSITIVE_INFINITY;

/**
 * How a window is read at a level, with the cheapest choice for each of its leftovers: its whole units, and each
 * leftover (within one unit) either split into the next smaller unit, or read as its whole unit less the rest of
 * that unit (roll-ups are sums: a month from its 3rd is the month less its first two days), whichever reads fewer
 * units. Units that begin at or after `now` cost nothing (nothing is recorded in them yet).
 */
function planOf(window: Window, level: number, sign: Sign, units: readonly Unit[], now: Date): Plan {
  if (level === units.length) {
    const hours = Math.max(0, Math.min(endOf(window), now.getTime()) - startOf(window));
    return { cost: (EDGE_DAY_COST * hours) / 86_400_000, parts: [{ level, sign, window }] };
  }
  const unit = units[level];
  const { organisationId, from, to } = window;
  const firstWhole = from
    ? unit.start(unit.of(from)).getTime() === from.getTime()
      ? unit.of(from)
      : unit.next(unit.of(from))
    : undefined;
  // Units before the one holding `to` end before it.
  const endKey = to ? unit.of(to) : undefined;
  const plan: Plan = { cost: 0, parts: [] };
  const leftovers: Window[] = [];
  if (from && to && firstWhole && endKey && firstWhole >= endKey) {
    // Within one unit, or across the boundary of two.
    const boundary = unit.start(unit.next(unit.of(from)));
    leftovers.push({ organisationId, from, to: earlier(boundary, to) });
    if (boundary < to) leftovers.push({ organisationId, from: boundary, to });
  } else {
    const whole = {
      organisationId,
      from: firstWhole ? unit.start(firstWhole) : null,
      to: endKey ? unit.start(endKey) : null,
    };
    plan.parts.push({ level, sign, window: whole });
    if (firstWhole && endKey) {
      for (let key = firstWhole; key < endKey && unit.start(key) < now; key = unit.next(key)) plan.cost += 1;
    }
    if (from && whole.from && whole.from.getTime() !== from.getTime()) {
      leftovers.push({ organisationId, from, to: whole.from });
    }
    if (to && whole.to && whole.to.getTime() !== to.getTime()) leftovers.push({ organisationId, from: whole.to, to });
  }
  for (const leftover of leftovers) {
    const chosen = leftoverPlan(leftover, level, sign, units, now);
    plan.cost += chosen.cost;
    plan.parts.push(...chosen.parts);
  }
  return plan;
}

/** A leftover within one unit: split into the next smaller unit, or its unit less the rest of it, the cheaper. */
function leftoverPlan(leftover: Window, level: number, sign: Sign, units: readonly Unit[], now: Date): Plan {
  const split = planOf(leftover, level + 1, sign, units, now);
  const unit = units[level];
  const key = unit.of(leftover.from as Date);
  const whole = { organisationId: leftover.organisationId, from: unit.start(key), to: unit.start(unit.next(key)) };
  const less: Window[] = [];
  if (whole.from < (leftover.from as Date)) less.push({ ...whole, to: leftover.from });
  if ((leftover.to as Date) < whole.to) less.push({ ...whole, from: leftover.to });
  const complement: Plan = { cost: whole.from < now ? 1 : 0, parts: [{ level, sign, window: whole }] };
  for (const rest of less) {
    const taken = planOf(rest, level + 1, sign === 1 ? -1 : 1, units, now);
    complement.cost += taken.cost;
    complement.parts.push(...taken.parts);
  }
  return complement.cost < split.cost ? complement : split;
}

/** Whole units (or days) of a level: the window's keys, `toKey` exclusive. */
function wholeOf(unit: Unit, window: Window): WholeMonths {
  return {
    organisationId: window.organisationId,
    from: window.from,
    to: window.to,
    fromKey: window.from ? unit.of(window.from) : undefined,
    toKey: window.to ? unit.of(window.to) : undefined,
  };
}

/** Windows of one organisation and sign, adjacent ones joined: one range of keys, read by one command. */
function joined(windows: readonly Window[]): Window[] {
  const sorted = [...windows].sort((a, b) => startOf(a) - startOf(b));
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last?.organisationId.equals(w.organisationId) && endOf(last) === startOf(w))
      out[out.length - 1] = { ...last, to: w.to };
    else out.push(w);
  }
  return out;
}

/**
 * The instants a set of signed windows counts once (the net of parts taken out of larger ones), per organisation;
 * anything counted twice or taken out of nothing is a bug of the plan.
 */
export function netOf(parts: readonly { sign: Sign; window: Window }[]): Window[] {
  const time = (t: number) => (Number.isFinite(t) ? new Date(t) : null);
  const net: Window[] = [];
  for (const list of groupedBy(parts, (p) => String(p.window.organisationId))) {
    const { organisationId } = list[0].window;
    const steps = new Map<number, number>();
    for (const { sign, window } of list) {
      steps.set(startOf(window), (steps.get(startOf(window)) ?? 0) + sign);
      steps.set(endOf(window), (steps.get(endOf(window)) ?? 0) - sign);
    }
    let count = 0;
    let opened: number | null = null;
    for (const at of [...steps.keys()].sort((a, b) => a - b)) {
      count += steps.get(at) as number;
      if (count !== 0 && count !== 1) throw new Error(`a report's parts count ${count} times at ${at}`);
      if (count === 1 && opened === null) opened = at;
      if (count === 0 && opened !== null) {
        net.push({ organisationId, from: time(opened), to: time(at) });
        opened = null;
      }
    }
  }
  return net;
}

/** Whole units of a sign at each level, and the edges of that sign. */
export interface SignedParts {
  years: WholeMonths[];
  whole: WholeMonths[];
  days: WholeMonths[];
  edges: Branch[];
}

/**
 * What a period is read as: whole years (only when asked for), whole months, whole days, and the edges, counted;
 * the same taken out again (`less`: a partial month read as the month less its days outside the period); and the
 * instants the roll-ups' parts count once, net (`covered`: what the records after the watermark are read for).
 */
export interface PeriodParts extends SignedParts {
  less: SignedParts;
  covered: Window[];
}

/**
 * The period of a report over the scope, as whole years (with `years`: the inflows by donor, whose view has a roll-up
 * per donor and year), whole months, whole days and edges per organisation: each unit's leftovers at a window's
 * ends are split into the next smaller unit, or read as their unit less the rest of it when that reads fewer units,
 * and what is left within a day is an edge (or its day less the rest of the day).
 */
export function periodParts(
  scope: ReportScope,
  period: { from?: Date; to?: Date },
  now = new Date(),
  options: { years?: boolean } = {},
): PeriodParts {
  const units = options.years ? [YEARS, MONTHS, DAYS] : [MONTHS, DAYS];
  const parts = windowsOf(scope, period, now).flatMap((window) => planOf(window, 0, 1, units, now).parts);
  const signed = (sign: Sign): SignedParts => {
    const at = (level: number) =>
      joined(
        parts
          .filter((p) => p.sign === sign && p.level === level && startOf(p.window) < endOf(p.window))
          .map((p) => p.window),
      );
    const wholes = units.map((unit, level) => at(level).map((w) => wholeOf(unit, w)));
    const [days, whole, years = []] = wholes.reverse();
    return { years, whole, days, edges: at(units.length) };
  };
  return {
    ...signed(1),
    less: signed(-1),
    covered: netOf(parts.filter((p) => p.level < units.length)),
  };
}
