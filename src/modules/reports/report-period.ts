/**
 * A report's period, split the way the roll-ups answer it (report-rollups.ts): for each organisation of the scope, the
 * whole local months of the part of the period it counts for (a hub's member: within its membership dates), read
 * from the monthly roll-ups and the records after their watermark; the whole local days of the partial months at its
 * ends, read from the daily roll-ups in the same way; and the instants left over (within a day at each end), read
 * from the records themselves. The inflows by donor or donor type also read whole local years, from the yearly
 * roll-ups, and the months of the partial years at the ends as above. The parts never overlap and together cover exactly the period, so a report equals a scan of
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

/** A calendar unit: the key (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) of an instant, the instant a key begins, the next key. */
interface Unit {
  of(at: Date): string;
  start(key: string): Date;
  next(key: string): string;
}

const YEARS: Unit = { of: yearOf, start: yearStart, next: nextYear };
const MONTHS: Unit = { of: monthOf, start: monthStart, next: nextMonth };
const DAYS: Unit = { of: dayOf, start: dayStart, next: nextDay };

/** A window's whole units (months or days) and the instants left over at its ends. */
function split(window: Window, unit: Unit): { whole: WholeMonths | null; edges: Branch[] } {
  const { organisationId } = window;
  const firstWhole = window.from
    ? unit.start(unit.of(window.from)).getTime() === window.from.getTime()
      ? unit.of(window.from)
      : unit.next(unit.of(window.from))
    : undefined;
  // Units before the one holding `to` end before it.
  const endKey = window.to ? unit.of(window.to) : undefined;
  if (firstWhole && endKey && firstWhole >= endKey) {
    return { whole: null, edges: [{ organisationId, from: window.from, to: window.to }] };
  }
  const edges: Branch[] = [];
  if (window.from && firstWhole && unit.start(firstWhole).getTime() !== window.from.getTime()) {
    edges.push({ organisationId, from: window.from, to: unit.start(firstWhole) });
  }
  if (window.to && endKey && unit.start(endKey).getTime() !== window.to.getTime()) {
    edges.push({ organisationId, from: unit.start(endKey), to: window.to });
  }
  const whole: WholeMonths = {
    organisationId,
    from: firstWhole ? unit.start(firstWhole) : null,
    to: endKey ? unit.start(endKey) : null,
    fromKey: firstWhole,
    toKey: endKey,
  };
  return { whole, edges };
}

/** What a period is read as: whole years (only when asked for), whole months, whole days, and the edges. */
export interface PeriodParts {
  years: WholeMonths[];
  whole: WholeMonths[];
  days: WholeMonths[];
  edges: Branch[];
}

/**
 * The period of a report over the scope, as whole years (with `years`: the inflows by donor, whose view has a roll-up
 * per donor and year), whole months, whole days and edges per organisation: each unit's leftovers at a window's
 * ends are split into the next smaller unit, and what is left within a day is an edge.
 */
export function periodParts(
  scope: ReportScope,
  period: { from?: Date; to?: Date },
  now = new Date(),
  options: { years?: boolean } = {},
): PeriodParts {
  const units = options.years ? [YEARS, MONTHS, DAYS] : [MONTHS, DAYS];
  const wholes: WholeMonths[][] = units.map(() => []);
  const edges: Branch[] = [];
  const splitFrom = (level: number, window: Window): void => {
    if (level === units.length) {
      edges.push(window);
      return;
    }
    const parts = split(window, units[level]);
    if (parts.whole) wholes[level].push(parts.whole);
    // A leftover is bounded at both ends: the next unit's whole ones, and so on down to what is left within a day.
    for (const edge of parts.edges) {
      splitFrom(level + 1, { organisationId: edge.organisationId, from: edge.from ?? null, to: edge.to ?? null });
    }
  };
  for (const window of windowsOf(scope, period, now)) splitFrom(0, window);
  const [days, whole, years = []] = [...wholes].reverse();
  return { years, whole, days, edges };
}
