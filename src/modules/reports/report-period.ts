/**
 * A report's period, split the way the roll-ups answer it (report-rollups.ts): for each organisation of the scope, the
 * whole local months of the part of the period it counts for (a hub's member: within its membership dates), read
 * from the roll-ups and the records after their watermark, and the instants left over at the ends, read from the
 * records themselves. The parts never overlap and together cover exactly the period, so a report equals a scan of
 * every record it counts (test/api/reports-rollups.test.ts).
 *
 * An end at or after now is an open end (nothing is recorded later).
 */
import type { Types } from 'mongoose';
import { monthOf, monthStart, nextMonth } from '../../core/local-time';
import type { Branch, WholeMonths } from './report-rollups';
import type { MemberWindow, ReportScope } from './report-scope';

interface Window {
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

/** The scope's organisations, each with the part of the period it counts for. */
function windowsOf(scope: ReportScope, period: { from?: Date; to?: Date }, now: Date): Window[] {
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

/** A window's whole months and the instants left over at its ends. */
function split(window: Window): { whole: WholeMonths | null; edges: Branch[] } {
  const { organisationId } = window;
  const firstWhole = window.from
    ? monthStart(monthOf(window.from)).getTime() === window.from.getTime()
      ? monthOf(window.from)
      : nextMonth(monthOf(window.from))
    : undefined;
  // Months before the one holding `to` end before it.
  const endMonth = window.to ? monthOf(window.to) : undefined;
  if (firstWhole && endMonth && firstWhole >= endMonth) {
    return { whole: null, edges: [{ organisationId, from: window.from, to: window.to }] };
  }
  const edges: Branch[] = [];
  if (window.from && firstWhole && monthStart(firstWhole).getTime() !== window.from.getTime()) {
    edges.push({ organisationId, from: window.from, to: monthStart(firstWhole) });
  }
  if (window.to && endMonth && monthStart(endMonth).getTime() !== window.to.getTime()) {
    edges.push({ organisationId, from: monthStart(endMonth), to: window.to });
  }
  const whole: WholeMonths = {
    organisationId,
    from: firstWhole ? monthStart(firstWhole) : null,
    to: endMonth ? monthStart(endMonth) : null,
    fromMonth: firstWhole,
    toMonth: endMonth,
  };
  return { whole, edges };
}

/** The period of a report over the scope, as whole months and edges per organisation. */
export function periodParts(
  scope: ReportScope,
  period: { from?: Date; to?: Date },
  now = new Date(),
): { whole: WholeMonths[]; edges: Branch[] } {
  const whole: WholeMonths[] = [];
  const edges: Branch[] = [];
  for (const window of windowsOf(scope, period, now)) {
    const parts = split(window);
    if (parts.whole) whole.push(parts.whole);
    edges.push(...parts.edges);
  }
  return { whole, edges };
}
