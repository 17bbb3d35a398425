/**
 * Organisations and hubs. The deployment's operator creates organisations (and their first admin, see users),
 * changes or deactivates any of them and manages hub memberships; every other caller sees only its own organisation,
 * and its admin may change its name, BIN and contact details (never its type or whether it is active).
 */
import { type ClientSession, type PipelineStage, type QueryFilter, Types } from 'mongoose';
import { type NameLang, nameCollation } from '../../core/collation';
import { AppError, notFound } from '../../core/errors';
import { containsText, type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import { type Actor, organisationActor, organisationOf } from '../access';
import { describeChanges, recordAudit } from '../audit';
import { endSessionsOfOrganisation } from '../users';
import { HubMembership, type HubMembershipRecord } from './hub-membership.model';
import {
  Organisation,
  type OrganisationContact,
  type OrganisationRecord,
  type OrganisationType,
} from './organisations.model';

export interface OrganisationDto {
  id: string;
  name: string;
  type: OrganisationType;
  bin: string | null;
  contact: OrganisationContact;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toOrganisationDto(org: OrganisationRecord): OrganisationDto {
  return {
    id: String(org._id),
    name: org.name,
    type: org.type,
    bin: org.bin ?? null,
    contact: org.contact ?? {},
    active: org.active,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
  };
}

export interface CreateOrganisationInput {
  name: string;
  type: OrganisationType;
  bin?: string;
  contact?: OrganisationContact;
  active?: boolean;
}

export interface UpdateOrganisationInput {
  name?: string;
  type?: OrganisationType;
  bin?: string | null;
  contact?: OrganisationContact;
  active?: boolean;
}

export interface OrganisationQuery extends PageRequest {
  type?: OrganisationType;
  active?: boolean;
  q?: string;
  /** The language whose collation orders the names (the request's). */
  lang?: NameLang;
}

// Contact details name a person: the audit log records that they changed, not their values.
const HIDDEN_IN_AUDIT = ['contact'];

export async function createOrganisation(input: CreateOrganisationInput, actor: Actor): Promise<OrganisationDto> {
  return withTransaction(async (session) => {
    const [org] = await Organisation.create([{ ...input, contact: input.contact ?? {} }], { session });
    if (!org) throw new Error('organisation was not created');
    await recordAudit(
      {
        actor,
        action: 'organisation.create',
        targetType: 'organisation',
        targetId: org._id,
        organisationId: org._id,
        summary: { name: org.name, type: org.type, bin: org.bin ?? null, active: org.active },
      },
      session,
    );
    return toOrganisationDto(org.toObject());
  });
}

/** The operator reaches every organisation; anyone else only its own. */
function isOperator(actor: Actor): boolean {
  return actor.roles.includes('operator');
}

function canSee(actor: Actor, id: string): boolean {
  return isOperator(actor) || actor.organisationId === id;
}

export async function updateOrganisation(
  id: string,
  input: UpdateOrganisationInput,
  actor: Actor,
): Promise<OrganisationDto> {
  if (!canSee(actor, id)) throw notFound('Organisation', id);
  if (!isOperator(actor) && (input.active !== undefined || input.type !== undefined)) {
    throw new AppError('FORBIDDEN', "Only the deployment's operator changes an organisation's type or deactivates it", {
      fields: ['active', 'type'].filter((field) => field in input),
    });
  }
  return withTransaction(async (session) => {
    const org = await Organisation.findById(id).session(session);
    if (!org) throw notFound('Organisation', id);
    const before = org.toObject();
    const { bin, ...rest } = input;
    org.set(rest);
    // A removed BIN must be absent, not null: the sparse unique index lets many organisations lack one.
    if (bin === null) org.set('bin', undefined);
    else if (bin !== undefined) org.set('bin', bin);
    await org.save({ session });
    // An inactive organisation's people lose access at once (login refuses them too, see auth.service).
    if (before.active && !org.active) await endSessionsOfOrganisation(org._id, session);
    await recordAudit(
      {
        actor,
        action: 'organisation.update',
        targetType: 'organisation',
        targetId: org._id,
        organisationId: org._id,
        summary: describeChanges(
          before as unknown as Record<string, unknown>,
          { ...input },
          { hidden: HIDDEN_IN_AUDIT },
        ),
      },
      session,
    );
    return toOrganisationDto(org.toObject());
  });
}

/** One organisation; 404 when it does not exist or is not the actor's. */
export async function getOrganisation(id: string, actor: Actor): Promise<OrganisationDto> {
  if (!canSee(actor, id)) throw notFound('Organisation', id);
  const org = await Organisation.findById(id).lean<OrganisationRecord>();
  if (!org) throw notFound('Organisation', id);
  return toOrganisationDto(org);
}

export async function listOrganisations(query: OrganisationQuery, actor: Actor): Promise<Page<OrganisationDto>> {
  const filter: QueryFilter<OrganisationRecord> = {};
  if (!isOperator(actor)) {
    filter._id = actor.organisationId ? new Types.ObjectId(actor.organisationId) : { $in: [] };
  }
  if (query.type) filter.type = query.type;
  if (query.active !== undefined) filter.active = query.active;
  if (query.q) filter.name = containsText(query.q);
  const page = await paginate(Organisation, filter, query, { name: 1, _id: 1 }, nameCollation(query.lang ?? 'en'));
  return { ...page, data: page.data.map(toOrganisationDto) };
}

/** What the directory shows of another organisation: enough to name it, nothing of its records. */
export interface DirectoryEntry {
  id: string;
  name: string;
  type: OrganisationType;
}

export interface DirectoryQuery extends PageRequest {
  q?: string;
  type?: OrganisationType;
  /** The language whose collation orders the names (the request's). */
  lang?: NameLang;
}

/**
 * The organisations the actor's may address a record to (a delivery's consignee), chosen from a list rather than
 * typed as an id: those it works beside in a hub today, that is the other current members of the hubs it belongs
 * to and, for a hub, its own current members; active ones only. Each shows its id, name and type and nothing else
 * (no BIN, contacts or records): a consignee's papers print its party details only once a shipment names it.
 * A hub is not listed to its members (membership gives a member nothing of the hub's), and an outside party is
 * named by hand on the shipment.
 */
export async function organisationDirectory(query: DirectoryQuery, actor: Actor): Promise<Page<DirectoryEntry>> {
  const self = organisationOf(actor);
  const now = new Date();
  const current = { from: { $lte: now }, $or: [{ until: null }, { until: { $gt: now } }] };
  const hubs = await HubMembership.distinct('hubId', { memberId: self, ...current });
  const peers = await HubMembership.distinct('memberId', { hubId: { $in: [...hubs, self] }, ...current });
  const filter: QueryFilter<OrganisationRecord> = {
    _id: { $in: peers.filter((id) => !self.equals(id)) },
    active: true,
  };
  if (query.type) filter.type = query.type;
  if (query.q) filter.name = containsText(query.q);
  const page = await paginate(Organisation, filter, query, { name: 1, _id: 1 }, nameCollation(query.lang ?? 'en'));
  return { ...page, data: page.data.map((org) => ({ id: String(org._id), name: org.name, type: org.type })) };
}

/** True when the organisation exists (any state). Used by users and API keys to check a reference. */
export async function organisationExists(id: string, session: ClientSession | null = null): Promise<boolean> {
  const found = await Organisation.exists({ _id: id }).session(session);
  return found !== null;
}

/**
 * The public face of an organisation another one names as a party (a shipment's consignee) or prints on its letterhead:
 * name, BIN, address, phone and email, nothing else of its record. Null when it does not exist.
 */
export async function organisationParty(
  id: string | Types.ObjectId,
  session: ClientSession | null = null,
): Promise<OrganisationParty | null> {
  const org = await Organisation.findById(id).session(session).lean<{
    name: string;
    bin?: string | null;
    active: boolean;
    contact?: { address?: string | null; phone?: string | null; email?: string | null };
  }>();
  if (!org) return null;
  return {
    name: org.name,
    bin: org.bin ?? null,
    address: org.contact?.address ?? null,
    phone: org.contact?.phone ?? null,
    email: org.contact?.email ?? null,
    active: org.active,
  };
}

/** What documents print of an organisation: the letterhead of its own papers, or a party named on them. */
export interface OrganisationParty {
  name: string;
  bin: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  active: boolean;
}

/**
 * The system acting as each active organisation, for scheduled jobs that do the same work in every organisation
 * (expiry warnings, low stock): each run stays inside one organisation's records.
 */
export async function eachOrganisationActor(): Promise<Actor[]> {
  const organisations = await Organisation.find({ active: true }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  return organisations.map((org) => organisationActor(String(org._id)));
}

/** True when the organisation is a hub (it coordinates member organisations and reads their aggregates). */
export async function isHub(id: string | Types.ObjectId): Promise<boolean> {
  return (await Organisation.exists({ _id: id, type: 'hub' })) !== null;
}

/** The names of these organisations by id (one that does not exist is left out). */
export async function organisationNames(ids: readonly (string | Types.ObjectId)[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const found = await Organisation.find({ _id: { $in: ids } }, { name: 1 }).lean<
    { _id: Types.ObjectId; name: string }[]
  >();
  return new Map(found.map((o) => [String(o._id), o.name]));
}

/** The id of the organisation registered under this BIN, or null (the seed finds its demo organisations again). */
export async function organisationIdByBin(bin: string): Promise<string | null> {
  const found = await Organisation.findOne({ bin }, { _id: 1 }).lean<{ _id: Types.ObjectId }>();
  return found ? String(found._id) : null;
}

/**
 * The $lookup stage that joins, as `as`, the organisation `localField` names, with only its id and whether it is
 * active: for another module's one-round-trip checks (the users module's account holder, read when a session is issued).
 */
export function organisationActivityLookup(localField: string, as: string): PipelineStage.Lookup {
  const from = Organisation.collection.collectionName;
  return { $lookup: { from, localField, foreignField: '_id', as, pipeline: [{ $project: { active: 1 } }] } };
}

/** True when the organisation exists and is active: its users may log in and its keys work. */
export async function organisationIsActive(id: string | Types.ObjectId): Promise<boolean> {
  return (await Organisation.exists({ _id: id, active: true })) !== null;
}

// ---------------------------------------------------------------------------------------------------------------
// Hubs and their members

export interface MembershipInput {
  organisationId: string;
  from?: Date;
  until?: Date | null;
}

export interface MembershipDto {
  id: string;
  hubId: string;
  member: { id: string; name: string; type: OrganisationType };
  from: Date;
  until: Date | null;
}

async function requireHub(id: string, actor: Actor, session: ClientSession | null = null): Promise<OrganisationRecord> {
  if (!canSee(actor, id)) throw notFound('Hub', id);
  const hub = await Organisation.findById(id).session(session).lean<OrganisationRecord>();
  if (hub?.type !== 'hub') throw notFound('Hub', id);
  return hub;
}

function toMembershipDto(m: HubMembershipRecord, member: OrganisationRecord | undefined): MembershipDto {
  return {
    id: String(m._id),
    hubId: String(m.hubId),
    member: { id: String(m.memberId), name: member?.name ?? '', type: member?.type ?? 'other' },
    from: m.from,
    until: m.until ?? null,
  };
}

/** The operator adds a member organisation to a hub, from a date (today by default) until one (open by default). */
export async function addHubMember(hubId: string, input: MembershipInput, actor: Actor): Promise<MembershipDto> {
  return withTransaction(async (session) => {
    await requireHub(hubId, actor, session);
    const member = await Organisation.findById(input.organisationId).session(session).lean<OrganisationRecord>();
    if (!member || String(member._id) === hubId) {
      throw new AppError('VALIDATION', '"organisationId" must name another existing organisation', [
        { field: 'organisationId', message: '"organisationId" must name another organisation', type: 'any.invalid' },
      ]);
    }
    const from = input.from ?? new Date();
    const [created] = await HubMembership.create(
      [{ hubId: new Types.ObjectId(hubId), memberId: member._id, from, until: input.until ?? null }],
      { session },
    );
    if (!created) throw new Error('membership was not created');
    await recordAudit(
      {
        actor,
        action: 'hub.member_add',
        targetType: 'organisation',
        targetId: hubId,
        organisationId: hubId,
        summary: { memberId: String(member._id), from, until: input.until ?? null },
      },
      session,
    );
    return toMembershipDto(created.toObject(), member);
  });
}

/** Ends a membership on a date (today by default): the hub's later figures no longer count the member. */
export async function endHubMembership(
  hubId: string,
  membershipId: string,
  input: { until?: Date },
  actor: Actor,
): Promise<MembershipDto> {
  return withTransaction(async (session) => {
    await requireHub(hubId, actor, session);
    const until = input.until ?? new Date();
    const updated = await HubMembership.findOneAndUpdate(
      { _id: membershipId, hubId },
      { $set: { until } },
      { session, returnDocument: 'after' },
    ).lean<HubMembershipRecord>();
    if (!updated) throw notFound('Membership', membershipId);
    await recordAudit(
      {
        actor,
        action: 'hub.member_end',
        targetType: 'organisation',
        targetId: hubId,
        organisationId: hubId,
        summary: { memberId: String(updated.memberId), until },
      },
      session,
    );
    const member = await Organisation.findById(updated.memberId).session(session).lean<OrganisationRecord>();
    return toMembershipDto(updated, member ?? undefined);
  });
}

/** A hub's memberships, current and past: for the operator and the hub's own users. */
export async function listHubMembers(hubId: string, query: PageRequest, actor: Actor): Promise<Page<MembershipDto>> {
  await requireHub(hubId, actor);
  const page = await paginate(HubMembership, { hubId: new Types.ObjectId(hubId) }, query, { from: 1, _id: 1 });
  const members = await Organisation.find({ _id: { $in: page.data.map((m) => m.memberId) } }).lean<
    OrganisationRecord[]
  >();
  const byId = new Map(members.map((m) => [String(m._id), m]));
  return { ...page, data: page.data.map((m) => toMembershipDto(m, byId.get(String(m.memberId)))) };
}

/** True when the organisation has ever been a member of the hub (a membership, open or ended, exists). */
export async function wasEverHubMember(hubId: string, memberId: string): Promise<boolean> {
  return (await HubMembership.exists({ hubId, memberId })) !== null;
}

/**
 * The organisations that were members of the actor's hub at some time in [from, to) (now, when not given), with each
 * one's membership windows: what a hub's aggregates may count. FORBIDDEN when the actor's organisation is not a hub.
 */
export async function hubMembersOf(
  actor: Actor,
  window: { from?: Date; to?: Date } = {},
): Promise<{ memberId: Types.ObjectId; from: Date; until: Date | null }[]> {
  const hubId = actor.organisationId;
  const hub = hubId ? await Organisation.findById(hubId).lean<OrganisationRecord>() : null;
  if (hub?.type !== 'hub') {
    throw new AppError('FORBIDDEN', "Aggregates are for a hub's users: your organisation is not a hub", {});
  }
  const now = new Date();
  const from = window.from ?? now;
  const to = window.to ?? new Date(now.getTime() + 1);
  const memberships = await HubMembership.find({
    hubId: hub._id,
    from: { $lt: to },
    $or: [{ until: null }, { until: { $gt: from } }],
  }).lean<HubMembershipRecord[]>();
  return memberships.map((m) => ({ memberId: m.memberId, from: m.from, until: m.until ?? null }));
}
