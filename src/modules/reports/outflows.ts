/**
 * What left stock over a period, for the outflow reports: the monthly roll-ups (modules/stock, written with the
 * ledger in one transaction) for every whole local month of the period, and the ledger itself for the parts of a
 * month at its ends. The two never overlap and together cover exactly the issue entries not reversed that the
 * period holds, so the report equals a scan of the whole ledger (test/api/reports-outflows.test.ts checks it)
 * while reading, for a period of whole months or none, a few thousand roll-ups instead of a million entries.
 *
 * A hub's members count each within their membership dates: every window (an organisation, from, until) is split
 * the same way. An end at or after now is an open end (the ledger holds nothing later).
 */
import type { Types } from 'mongoose';
import { monthExpression, monthOf, monthStart, nextMonth } from '../../core/local-time';
import { programmeRoundsOf } from '../distributions';
import { LedgerEntry, OutflowRollup } from '../stock';
import { aggregateIn, type MemberWindow, type ReportScope } from './report-scope';

export interface OutflowGroup {
  warehouseId: Types.ObjectId;
  itemId: Types.ObjectId;
  month: string;
  purpose: string;
  programmeId: Types.ObjectId | null;
  roundId: Types.ObjectId | null;
  /** Signed (issues are negative) integer sub-units. */
  quantity: number;
  lines: number;
}

interface Window {
  organisationId: Types.ObjectId;
  from: Date | null;
  to: Date | null;
}

function later(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function earlier(a: Date | null, b: Date | null): Date | null {
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

/** A window's whole months (a range of month keys, open ends allowed) and the instants left over at its ends. */
function split(window: Window): { months: { from?: string; to?: string } | null; edges: { from?: Date; to?: Date }[] } {
  const firstWhole = window.from
    ? monthStart(monthOf(window.from)).getTime() === window.from.getTime()
      ? monthOf(window.from)
      : nextMonth(monthOf(window.from))
    : undefined;
  // Months before the one holding `to` end before it.
  const endMonth = window.to ? monthOf(window.to) : undefined;
  if (firstWhole && endMonth && firstWhole >= endMonth) {
    return { months: null, edges: [{ from: window.from ?? undefined, to: window.to ?? undefined }] };
  }
  const edges: { from?: Date; to?: Date }[] = [];
  if (window.from && firstWhole && monthStart(firstWhole).getTime() !== window.from.getTime()) {
    edges.push({ from: window.from, to: monthStart(firstWhole) });
  }
  if (window.to && endMonth && monthStart(endMonth).getTime() !== window.to.getTime()) {
    edges.push({ from: monthStart(endMonth), to: window.to });
  }
  return { months: { from: firstWhole, to: endMonth }, edges };
}

function range<T>(from: T | undefined, to: T | undefined): Record<string, T> | null {
  const r: Record<string, T> = {};
  if (from !== undefined) r.$gte = from;
  if (to !== undefined) r.$lt = to;
  return Object.keys(r).length ? r : null;
}

// Always an `$or`, even of one branch: a hub's read adds `organisationId: { $in: members }` beside it, which must not
// replace a branch's own organisation.
const orBranches = (branches: Record<string, unknown>[]) => ({ $or: branches });

/** Every issue not reversed in the period, grouped by warehouse, item, month, purpose, programme and round. */
export async function outflowGroups(scope: ReportScope, period: { from?: Date; to?: Date }): Promise<OutflowGroup[]> {
  const windows = windowsOf(scope, period, new Date());
  if (windows.length === 0) return [];
  const monthBranches: Record<string, unknown>[] = [];
  const edgeBranches: Record<string, unknown>[] = [];
  for (const window of windows) {
    const { months, edges } = split(window);
    if (months) {
      const r = range(months.from, months.to);
      monthBranches.push({ organisationId: window.organisationId, ...(r ? { month: r } : {}) });
    }
    for (const edge of edges) {
      const r = range(edge.from, edge.to);
      edgeBranches.push({ organisationId: window.organisationId, ...(r ? { at: r } : {}) });
    }
  }
  const [rolled, edges] = await Promise.all([
    monthBranches.length === 0
      ? []
      : aggregateIn<OutflowGroup & { _id: Types.ObjectId }>(scope, OutflowRollup, orBranches(monthBranches), [
          { $match: { entries: { $ne: 0 } } },
          {
            $project: {
              _id: 0,
              warehouseId: 1,
              itemId: 1,
              month: 1,
              purpose: 1,
              programmeId: 1,
              roundId: 1,
              quantity: 1,
              lines: '$entries',
            },
          },
        ]),
    edgeBranches.length === 0 ? [] : edgeGroups(scope, orBranches(edgeBranches)),
  ]);
  return [...rolled, ...edges];
}

/** The ledger's issue entries at a period's ends, grouped as the roll-ups are (allocations by programme and round). */
async function edgeGroups(scope: ReportScope, match: Record<string, unknown>): Promise<OutflowGroup[]> {
  const groups = await aggregateIn<{
    _id: {
      organisationId: Types.ObjectId;
      warehouseId: Types.ObjectId;
      itemId: Types.ObjectId;
      month: string;
      purpose: string;
      allocationId: string | null;
    };
    quantity: number;
    lines: number;
  }>(scope, LedgerEntry, { type: 'issue', reversedBy: null, ...match }, [
    {
      $group: {
        _id: {
          organisationId: '$organisationId',
          warehouseId: '$warehouseId',
          itemId: '$itemId',
          month: monthExpression('$at'),
          purpose: '$source.type',
          allocationId: { $cond: [{ $eq: ['$source.type', 'allocation'] }, '$source.id', null] },
        },
        quantity: { $sum: '$quantity' },
        lines: { $sum: 1 },
      },
    },
  ]);
  // The programme and round of each allocation, read in its organisation.
  const byOrganisation = new Map<string, string[]>();
  for (const g of groups) {
    if (!g._id.allocationId) continue;
    const key = String(g._id.organisationId);
    byOrganisation.set(key, [...(byOrganisation.get(key) ?? []), g._id.allocationId]);
  }
  const rounds = new Map<string, { programmeId: Types.ObjectId; roundId: Types.ObjectId }>();
  for (const [organisationId, ids] of byOrganisation) {
    for (const [id, dims] of await programmeRoundsOf(organisationId, ids)) rounds.set(id, dims);
  }
  return groups.map((g) => {
    const dims = g._id.allocationId ? rounds.get(g._id.allocationId) : undefined;
    return {
      warehouseId: g._id.warehouseId,
      itemId: g._id.itemId,
      month: g._id.month,
      purpose: g._id.purpose,
      programmeId: dims?.programmeId ?? null,
      roundId: dims?.roundId ?? null,
      quantity: g.quantity,
      lines: g.lines,
    };
  });
}
