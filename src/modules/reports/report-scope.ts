/**
 * Whose records a report counts, and the one way reports read them.
 *
 * - `ownScope(actor)`: the caller's organisation. Every read goes through `owned(Model, actor)`, as everywhere else.
 * - `hubScope(actor, window)`: a hub's member organisations, each counted only for the dates of its membership
 *   (`hubMembersOf`: a former member's figures stop at the day it left, a later member's start at the day it
 *   joined; an organisation that was never a member is never read). This is the only place where reports read
 *   several organisations' records at once, and it does so inside `acrossOrganisations` with a reason naming the hub.
 *
 * Reports read through `aggregateIn(scope, Model, pipeline)` only: the first stage it writes names the organisations
 * (and, for a hub, each member's window on the report's date field), so every report's aggregation leads with
 * `organisationId` and uses the collections' `{ organisationId, ... }` indexes. What a hub's report may *show* is
 * decided by its builders (reports.service.ts): totals by region, category, donor type, month or country, never
 * a member's record, id, donor or person.
 */
import type { Model, PipelineStage } from 'mongoose';
import { Types } from 'mongoose';
import { notFound } from '../../core/errors';
import type { Actor } from '../access';
import { acrossOrganisations, organisationOf, owned, ownsRecord } from '../access';
import { hubMembersOf } from '../organisations';

export interface MemberWindow {
  organisationId: Types.ObjectId;
  /** Inclusive; null: since always. */
  from: Date | null;
  /** Exclusive; null: still a member. */
  until: Date | null;
}

/** The latest instant a JavaScript Date holds: a period open at its end. */
const END_OF_TIME = new Date(8.64e15);

export type ReportScope =
  | { kind: 'organisation'; actor: Actor; organisationId: Types.ObjectId }
  | { kind: 'hub'; actor: Actor; hubId: Types.ObjectId; members: MemberWindow[] };

export function ownScope(actor: Actor): ReportScope {
  return { kind: 'organisation', actor, organisationId: organisationOf(actor) };
}

/**
 * The members of the actor's hub: for a snapshot (no period: stock on hand), its current members; for a period
 * (open ends allowed), every organisation that was a member at some time in it, each with its membership dates.
 * Another organisation's id answers NOT_FOUND (a member organisation's user cannot ask for its hub's figures), and
 * FORBIDDEN when the actor's own organisation is not a hub.
 */
export async function hubScope(hubId: string, actor: Actor, period?: { from?: Date; to?: Date }): Promise<ReportScope> {
  // Another organisation's hub is not found, as any of its records would not be.
  if (!ownsRecord(actor, hubId)) throw notFound('Hub', hubId);
  const memberships = await hubMembersOf(
    actor,
    period ? { from: period.from ?? new Date(0), to: period.to ?? END_OF_TIME } : {},
  );
  return {
    kind: 'hub',
    actor,
    hubId: new Types.ObjectId(hubId),
    members: memberships.map((m) => ({ organisationId: m.memberId, from: m.from, until: m.until })),
  };
}

/** How many organisations the scope counts (printed on the report: a hub's figures say how many members). */
export function organisationCount(scope: ReportScope): number {
  return scope.kind === 'organisation' ? 1 : new Set(scope.members.map((m) => String(m.organisationId))).size;
}

/** A hub member's records on `dateField` within its membership. */
function memberBranch(member: MemberWindow, dateField: string): Record<string, unknown> {
  const range: Record<string, Date> = {};
  if (member.from) range.$gte = member.from;
  if (member.until) range.$lt = member.until;
  return Object.keys(range).length
    ? { organisationId: member.organisationId, [dateField]: range }
    : { organisationId: member.organisationId };
}

export interface ScopedAggregation {
  /**
   * The date the report counts by (a donation's `receivedAt`, a ledger entry's `at`): a hub counts each member's
   * records within its membership on it. Absent for a snapshot (stock on hand: the scope holds the current
   * members) and for reading the few records a report names (a donor's type, a warehouse's region).
   */
  dateField?: string;
}

/**
 * Runs `[{ $match: match }, ...pipeline]` over the scope's records of `model`: the actor's own (the filter made by
 * `owned()`), or a hub's members' through the one declared crossing. The first stage leads with `organisationId`
 * (one value, or the members as `$in`), so the collection's `{ organisationId, ... }` indexes serve it; a hub's
 * membership windows follow as a second `$match`. Answers [] for a hub without members (nothing is read).
 */
export async function aggregateIn<R>(
  scope: ReportScope,
  // biome-ignore lint/suspicious/noExplicitAny: any owned model; the pipeline decides the result's shape (R)
  model: Model<any>,
  match: Record<string, unknown>,
  pipeline: PipelineStage[],
  options: ScopedAggregation = {},
): Promise<R[]> {
  if (scope.kind === 'organisation') {
    return model.aggregate<R>([{ $match: owned(model, scope.actor).filter(match) }, ...pipeline]).exec();
  }
  const { dateField } = options;
  const { members } = scope;
  if (members.length === 0) return [];
  const stages: PipelineStage[] = [
    { $match: { ...match, organisationId: { $in: objectIds(members.map((m) => m.organisationId)) } } },
  ];
  if (dateField && members.some((m) => m.from !== null || m.until !== null)) {
    stages.push({ $match: { $or: members.map((m) => memberBranch(m, dateField)) } });
  }
  return acrossOrganisations(`aggregates of hub ${scope.hubId}'s members, within their membership dates`, () =>
    model.aggregate<R>([...stages, ...pipeline]).exec(),
  );
}

/** Distinct ids as ObjectIds. */
export function objectIds(ids: Iterable<string | Types.ObjectId>): Types.ObjectId[] {
  return [...new Set([...ids].map(String))].map((id) => new Types.ObjectId(id));
}
