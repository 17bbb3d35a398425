/**
 * Programmes, rounds and enrolments. A programme is owned by its lead organisation and read by its participating
 * organisations (the declared cross-organisation path); each organisation enrols its own recipients, and the
 * duplicate check (dedup.ts) keeps a person from being enrolled twice in a round across organisations.
 * Owns `programmes`, `enrolments` and `aid_claims`.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { AppError, type FieldError, notFound, validationError } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import { defineLifecycle, guardedChange } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { acrossOrganisations, owned, ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { requireItems, toSubUnits } from '../catalog';
import { type HouseholdRecord, householdsByIds } from '../households';
import { hubMembersOf, isHub, organisationNames as namesOfOrganisations } from '../organisations';
import { ledgerActorOf } from '../stock';
import {
  claimsFor,
  claimsOnKeys,
  type DedupVerdict,
  duplicateAidError,
  isDuplicateKeyError,
  outcomeOf,
  priorAid,
  verdictFor,
} from './dedup';
import { type EntitlementLine, entitlementFor } from './entitlements';
import {
  AidClaim,
  type AidClaimRecord,
  Enrolment,
  type EnrolmentRecord,
  type EntitlementBasis,
  type OverlapKind,
  Programme,
  type ProgrammeRecord,
  type RoundRecord,
  type RoundStatus,
} from './programmes.model';

// ---------------------------------------------------------------------------------------------------------------
// Programmes and rounds

export interface EntitlementInput {
  itemId: string;
  category: string;
  basis: EntitlementBasis;
  quantity?: number | string;
  unit?: string;
  bands?: { minSize: number; maxSize?: number | null; quantity: number | string }[];
}

export interface RoundInput {
  name: string;
  startsOn: Date;
  endsOn: Date;
  status?: RoundStatus;
  entitlements: EntitlementInput[];
}

export interface ProgrammeInput {
  name: string;
  description?: string | null;
  participatingOrganisationIds?: string[];
  eligibility?: { vulnerabilities?: string[]; regions?: string[] };
  discloseEnrollingOrganisation?: boolean;
  overlapRules?: { kind: OverlapKind; categories: string[]; max?: number | null; periodDays?: number | null }[];
  rounds?: RoundInput[];
}

export interface RoundDto {
  id: string;
  name: string;
  startsOn: Date;
  endsOn: Date;
  status: RoundStatus;
  entitlements: {
    itemId: string;
    category: string;
    basis: EntitlementBasis;
    quantity: number;
    bands: { minSize: number; maxSize: number | null; quantity: number }[];
  }[];
}

export interface ProgrammeDto {
  id: string;
  organisationId: string;
  name: string;
  description: string | null;
  participatingOrganisationIds: string[];
  eligibility: { vulnerabilities: string[]; regions: string[] };
  discloseEnrollingOrganisation: boolean;
  overlapRules: ProgrammeRecord['overlapRules'];
  rounds: RoundDto[];
  status: ProgrammeRecord['status'];
  createdAt: Date;
  updatedAt: Date;
}

function toRoundDto(r: RoundRecord): RoundDto {
  return {
    id: String(r._id),
    name: r.name,
    startsOn: r.startsOn,
    endsOn: r.endsOn,
    status: r.status,
    entitlements: r.entitlements.map((e) => ({
      itemId: String(e.itemId),
      category: e.category,
      basis: e.basis,
      quantity: e.quantity,
      bands: e.bands.map((b) => ({ minSize: b.minSize, maxSize: b.maxSize ?? null, quantity: b.quantity })),
    })),
  };
}

export function toProgrammeDto(p: ProgrammeRecord): ProgrammeDto {
  return {
    id: String(p._id),
    organisationId: String(p.organisationId),
    name: p.name,
    description: p.description,
    participatingOrganisationIds: p.participatingOrganisationIds.map(String),
    eligibility: p.eligibility,
    discloseEnrollingOrganisation: p.discloseEnrollingOrganisation,
    overlapRules: p.overlapRules,
    rounds: p.rounds.map(toRoundDto),
    status: p.status,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

async function buildRounds(rounds: RoundInput[], prefix: string): Promise<RoundRecord[]> {
  const refs = rounds.flatMap((round, r) =>
    round.entitlements.map((e, i) => ({ itemId: e.itemId, field: `${prefix}[${r}].entitlements[${i}].itemId` })),
  );
  const items = await requireItems(refs);
  const errors: FieldError[] = [];
  const built = rounds.map((round, r): RoundRecord => {
    if (round.endsOn < round.startsOn) {
      errors.push({
        field: `${prefix}[${r}].endsOn`,
        message: `"${prefix}[${r}].endsOn" must not be before startsOn`,
        type: 'date.min',
      });
    }
    return {
      _id: new Types.ObjectId(),
      name: round.name,
      startsOn: round.startsOn,
      endsOn: round.endsOn,
      status: round.status ?? 'open',
      entitlements: round.entitlements.map((e, i) => {
        const item = items.get(e.itemId);
        if (!item) throw new Error('requireItems returned without the item');
        const field = `${prefix}[${r}].entitlements[${i}]`;
        return {
          itemId: item._id,
          category: e.category,
          basis: e.basis,
          quantity: e.basis === 'size_band' ? 0 : toSubUnits(item, e.quantity ?? 1, e.unit, `${field}.quantity`),
          bands: (e.bands ?? []).map((b, j) => ({
            minSize: b.minSize,
            maxSize: b.maxSize ?? null,
            quantity: toSubUnits(item, b.quantity, e.unit, `${field}.bands[${j}].quantity`, { allowZero: true }),
          })),
        };
      }),
    };
  });
  if (errors.length) throw validationError(errors);
  return built;
}

/**
 * The participating organisations a lead may name: the current members of its hub (a city headquarters and the NGOs
 * it coordinates). Anything else, an unknown id or another organisation, is refused in the same words, so that a
 * programme cannot be used to learn which organisations exist.
 */
async function requireParticipants(ids: readonly string[], field: string, actor: Actor): Promise<Types.ObjectId[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const lead = owned(Programme, actor).organisationId;
  const members = (await isHub(lead))
    ? new Set((await hubMembersOf(actor)).map((m) => String(m.memberId)))
    : new Set<string>();
  const errors = ids
    .map((id, i): FieldError | null =>
      members.has(id)
        ? null
        : {
            field: `${field}[${i}]`,
            message: `"${field}[${i}]" is not a member organisation of your hub`,
            type: 'any.invalid',
          },
    )
    .filter((e): e is FieldError => e !== null);
  if (errors.length) throw validationError(errors);
  return unique.map((id) => new Types.ObjectId(id));
}

export async function createProgramme(input: ProgrammeInput, actor: Actor): Promise<ProgrammeDto> {
  const programmes = owned(Programme, actor);
  const { organisationId } = programmes;
  const participants = await requireParticipants(
    input.participatingOrganisationIds ?? [],
    'participatingOrganisationIds',
    actor,
  );
  const rounds = await buildRounds(input.rounds ?? [], 'rounds');
  const now = new Date();
  const record: ProgrammeRecord = {
    _id: new Types.ObjectId(),
    organisationId,
    name: input.name,
    description: input.description ?? null,
    // The lead organisation always participates.
    participatingOrganisationIds: [organisationId, ...participants.filter((p) => !p.equals(organisationId))],
    eligibility: {
      vulnerabilities: input.eligibility?.vulnerabilities ?? [],
      regions: input.eligibility?.regions ?? [],
    },
    discloseEnrollingOrganisation: input.discloseEnrollingOrganisation ?? false,
    overlapRules: (input.overlapRules ?? []).map((r) => ({
      kind: r.kind,
      categories: r.categories,
      max: r.max ?? null,
      periodDays: r.periodDays ?? null,
    })),
    rounds,
    status: 'active',
    createdBy: ledgerActorOf(actor),
    createdAt: now,
    updatedAt: now,
  };
  await withTransaction(async (session) => {
    await programmes.insertMany([record], { session, lean: true });
    await recordAudit(
      {
        actor,
        action: 'programme.create',
        targetType: 'programme',
        targetId: record._id,
        summary: { name: record.name, rounds: rounds.length, participants: record.participatingOrganisationIds.length },
      },
      session,
    );
  });
  return toProgrammeDto(record);
}

/** Programmes the actor's organisation leads or participates in (the declared read path). */
function visibleProgrammes(actor: Actor) {
  return owned(Programme, actor).addressed('participatingOrganisationIds');
}

export async function requireProgramme(id: string, actor: Actor, session?: ClientSession): Promise<ProgrammeRecord> {
  const programme = Types.ObjectId.isValid(id)
    ? await visibleProgrammes(actor)
        .findById(id)
        .session(session ?? null)
        .lean<ProgrammeRecord>()
    : null;
  if (!programme) throw notFound('Programme', id);
  return programme;
}

/** The programme and round, visible to the actor; NOT_FOUND otherwise. */
export async function requireRound(
  programmeId: string,
  roundId: string,
  actor: Actor,
  session?: ClientSession,
): Promise<{ programme: ProgrammeRecord; round: RoundRecord }> {
  const programme = await requireProgramme(programmeId, actor, session);
  const round = programme.rounds.find((r) => String(r._id) === roundId);
  if (!round) throw notFound('Round', roundId);
  return { programme, round };
}

const PROGRAMME_CHANGES = {
  model: Programme,
  name: 'Programme',
  targetType: 'programme',
  audit: recordAudit,
  label: (p: ProgrammeRecord) => `«${p.name}»`,
};

/** A programme runs (rounds are added, households enrolled) until its lead organisation closes it. */
const programmeLife = defineLifecycle({
  ...PROGRAMME_CHANGES,
  transitions: { close: { from: ['active'], to: 'closed' } },
});

/** The lead organisation closes a programme: no more rounds or enrolments; its records stay. */
export async function closeProgramme(id: string, actor: Actor): Promise<ProgrammeDto> {
  const programme = await requireProgramme(id, actor);
  requireLead(programme, actor);
  const closed = await withTransaction((session) =>
    programmeLife.step('close', {
      id: programme._id,
      actor,
      session,
      scope: ownerFilter(actor),
      change: (before) => ({ summary: { name: before.name } }),
    }),
  );
  return toProgrammeDto(closed);
}

/** Opens a planned round or closes an open one (lead organisation only). */
export async function setRoundStatus(
  programmeId: string,
  roundId: string,
  status: 'open' | 'closed',
  actor: Actor,
): Promise<ProgrammeDto> {
  const { programme, round } = await requireRound(programmeId, roundId, actor);
  requireLead(programme, actor);
  const from: RoundStatus[] = status === 'open' ? ['planned'] : ['planned', 'open'];
  if (!from.includes(round.status)) {
    throw new AppError(
      'INVALID_STATE',
      `Round «${round.name}» is ${round.status}; it cannot be ${status === 'open' ? 'opened' : 'closed'}`,
      { id: roundId, status: round.status, allowed: from },
    );
  }
  const after = await withTransaction((session) =>
    guardedChange(PROGRAMME_CHANGES, {
      id: programme._id,
      actor,
      session,
      scope: ownerFilter(actor),
      action: status === 'open' ? 'round.open' : 'round.close',
      change: () => ({
        // `$` is the round the guard matched: the write happens only while the round is still in the state read.
        set: { 'rounds.$.status': status },
        guard: { rounds: { $elemMatch: { _id: round._id, status: round.status } } },
        summary: { round: round.name, from: round.status, to: status },
      }),
    }),
  );
  return toProgrammeDto(after);
}

function requireLead(programme: ProgrammeRecord, actor: Actor): void {
  if (actor.organisationId && String(programme.organisationId) !== actor.organisationId) {
    throw new AppError('FORBIDDEN', 'Only the programme’s lead organisation changes it', {
      programmeId: String(programme._id),
    });
  }
}

export async function getProgramme(id: string, actor: Actor): Promise<ProgrammeDto> {
  return toProgrammeDto(await requireProgramme(id, actor));
}

export async function listProgrammes(query: PageRequest, actor: Actor): Promise<Page<ProgrammeDto>> {
  const page = await visibleProgrammes(actor).paginate({}, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toProgrammeDto) };
}

export async function addRound(programmeId: string, input: RoundInput, actor: Actor): Promise<ProgrammeDto> {
  const programme = await requireProgramme(programmeId, actor);
  requireLead(programme, actor);
  const [round] = await buildRounds([input], 'rounds');
  const after = await withTransaction((session) =>
    guardedChange(PROGRAMME_CHANGES, {
      id: programme._id,
      actor,
      session,
      scope: ownerFilter(actor),
      action: 'programme.add_round',
      change: () => ({ operators: { $push: { rounds: round } }, summary: { round: input.name } }),
    }),
  );
  return toProgrammeDto(after);
}

// ---------------------------------------------------------------------------------------------------------------
// Enrolments

export interface EnrolmentDto {
  id: string;
  organisationId: string;
  programmeId: string;
  roundId: string;
  householdId: string;
  status: EnrolmentRecord['status'];
  outcome: EnrolmentRecord['outcome'];
  possibleMatches: number;
  overridden: { reason: string; by: string; at: Date } | null;
  size: number;
  region: string;
  entitlement: { itemId: string; category: string; quantity: number }[];
  enrolledAt: Date;
}

function toEnrolmentDto(e: EnrolmentRecord, round?: RoundRecord): EnrolmentDto {
  return {
    id: String(e._id),
    organisationId: String(e.organisationId),
    programmeId: String(e.programmeId),
    roundId: String(e.roundId),
    householdId: String(e.householdId),
    status: e.status,
    outcome: e.outcome,
    possibleMatches: e.possibleMatches.length,
    overridden: e.override ? { reason: e.override.reason, by: e.override.by.name, at: e.override.at } : null,
    size: e.size,
    region: e.region,
    entitlement: round
      ? entitlementFor(round, e.size).map((l) => ({
          itemId: String(l.itemId),
          category: l.category,
          quantity: l.quantity,
        }))
      : [],
    enrolledAt: e.enrolledAt,
  };
}

export interface EnrolInput {
  householdIds: string[];
}

export interface EnrolmentFailure {
  householdId: string;
  code: 'DUPLICATE_AID' | 'NOT_ELIGIBLE' | 'NOT_FOUND' | 'ALREADY_ENROLLED';
  message: string;
  details: unknown;
}

export interface BulkEnrolmentResult {
  enrolled: EnrolmentDto[];
  needsReview: string[];
  failed: EnrolmentFailure[];
}

function ineligibility(programme: ProgrammeRecord, household: HouseholdRecord): string | null {
  if (household.status !== 'active') return `Household ${household.number} is ${household.status}`;
  const { vulnerabilities, regions } = programme.eligibility;
  if (regions.length > 0 && !regions.includes(household.address.region)) {
    return `Household ${household.number} is outside the programme's regions`;
  }
  if (vulnerabilities.length > 0 && !household.vulnerabilities.some((v) => vulnerabilities.includes(v))) {
    return `Household ${household.number} meets none of the programme's criteria (${vulnerabilities.join(', ')})`;
  }
  return null;
}

function checkRoundOpen(programme: ProgrammeRecord, round: RoundRecord): void {
  if (programme.status !== 'active') {
    throw new AppError('INVALID_STATE', `Programme «${programme.name}» is ${programme.status}`, {
      status: programme.status,
    });
  }
  if (round.status !== 'open') {
    throw new AppError('INVALID_STATE', `Round «${round.name}» is ${round.status}; enrolment needs an open round`, {
      status: round.status,
    });
  }
}

async function organisationNames(verdicts: readonly DedupVerdict[], programme: ProgrammeRecord) {
  if (!programme.discloseEnrollingOrganisation) return new Map<string, string>();
  const ids = [...new Set(verdicts.flatMap((v) => v.duplicates.map((d) => String(d.organisationId))))];
  return namesOfOrganisations(ids);
}

const BULK_CHUNK = 500;

/**
 * Enrols the actor's recipients into a round, in chunks of 500 households per transaction: eligibility, the duplicate
 * check against every organisation's claims, then enrolments and claims inserted together. A chunk that loses a race
 * on a claim (another organisation enrolled one of its people meanwhile) is redone household by household, so one
 * duplicate does not hold back the others.
 */
export async function enrolHouseholds(
  programmeId: string,
  roundId: string,
  input: EnrolInput,
  actor: Actor,
): Promise<BulkEnrolmentResult> {
  const { programme, round } = await requireRound(programmeId, roundId, actor);
  checkRoundOpen(programme, round);
  const { organisationId } = owned(Enrolment, actor);
  if (!programme.participatingOrganisationIds.some((p) => p.equals(organisationId))) {
    throw new AppError('FORBIDDEN', 'Your organisation does not participate in this programme', { programmeId });
  }
  const result: BulkEnrolmentResult = { enrolled: [], needsReview: [], failed: [] };
  const ids = [...new Set(input.householdIds)];
  for (let start = 0; start < ids.length; start += BULK_CHUNK) {
    const chunk = ids.slice(start, start + BULK_CHUNK);
    try {
      merge(result, await enrolChunk(programme, round, organisationId, chunk, actor));
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      for (const id of chunk) merge(result, await enrolChunk(programme, round, organisationId, [id], actor));
    }
  }
  return result;
}

function merge(into: BulkEnrolmentResult, from: BulkEnrolmentResult): void {
  into.enrolled.push(...from.enrolled);
  into.needsReview.push(...from.needsReview);
  into.failed.push(...from.failed);
}

async function enrolChunk(
  programme: ProgrammeRecord,
  round: RoundRecord,
  organisationId: Types.ObjectId,
  ids: string[],
  actor: Actor,
): Promise<BulkEnrolmentResult> {
  try {
    return await withTransaction((session) => enrolInSession(programme, round, organisationId, ids, actor, session));
  } catch (error) {
    // A single household whose claim lost the race: the other enrolment committed first, so answer as a duplicate.
    if (ids.length === 1 && isDuplicateKeyError(error)) {
      const household = (await householdsByIds([new Types.ObjectId(ids[0])], actor)).get(ids[0] as string);
      if (household) {
        const claims = await claimsOnKeys(round._id, household);
        const verdict = verdictFor(household, claims, { programme, round });
        const failure = duplicateAidError(verdict, programme, round, await organisationNames([verdict], programme));
        return {
          enrolled: [],
          needsReview: [],
          failed: [
            {
              householdId: ids[0] as string,
              code: 'DUPLICATE_AID',
              message: failure.message,
              details: failure.details,
            },
          ],
        };
      }
    }
    throw error;
  }
}

async function enrolInSession(
  programme: ProgrammeRecord,
  round: RoundRecord,
  organisationId: Types.ObjectId,
  ids: string[],
  actor: Actor,
  session: ClientSession,
): Promise<BulkEnrolmentResult> {
  const result: BulkEnrolmentResult = { enrolled: [], needsReview: [], failed: [] };
  const objectIds = ids.map((id) => new Types.ObjectId(id));
  const households = await householdsByIds(objectIds, actor, session);
  const existing = await owned(Enrolment, actor)
    .find({ roundId: round._id, householdId: { $in: objectIds } }, { householdId: 1, status: 1 })
    .session(session)
    .lean();
  const alreadyEnrolled = new Set(existing.filter((e) => e.status === 'enrolled').map((e) => String(e.householdId)));
  const candidates: HouseholdRecord[] = [];
  for (const id of ids) {
    const household = households.get(id);
    if (!household) {
      // An id that names no household of the organisation refuses the call, as a missing record does anywhere.
      throw notFound('Household', id);
    } else if (alreadyEnrolled.has(id)) {
      result.failed.push({
        householdId: id,
        code: 'ALREADY_ENROLLED',
        message: `Household ${household.number} is already enrolled in round «${round.name}»`,
        details: { id },
      });
    } else {
      const reason = ineligibility(programme, household);
      if (reason) result.failed.push({ householdId: id, code: 'NOT_ELIGIBLE', message: reason, details: { id } });
      else candidates.push(household);
    }
  }
  const allKeys = {
    iinHashes: candidates.flatMap((h) => h.iinHashes),
    personKeys: candidates.flatMap((h) => h.personKeys),
  };
  const claims = await claimsOnKeys(round._id, allKeys, session);
  const prior = await priorAid(programme, round, allKeys.iinHashes, session);
  const byHash = new Map<string, AidClaimRecord[]>();
  for (const claim of claims) byHash.set(claim.hash, [...(byHash.get(claim.hash) ?? []), claim]);
  // Two households of this very batch sharing a person: the first one in the request wins.
  const claimedInBatch = new Set<string>();
  const now = new Date();
  const enrolments: EnrolmentRecord[] = [];
  const newClaims: AidClaimRecord[] = [];
  const verdicts: DedupVerdict[] = [];
  const duplicates: { household: HouseholdRecord; verdict: DedupVerdict }[] = [];
  for (const household of candidates) {
    const own = [...household.iinHashes, ...household.personKeys].flatMap((h) => byHash.get(h) ?? []);
    const verdict = verdictFor(household, own, { programme, round, prior });
    const inBatch = household.iinHashes.some((h) => claimedInBatch.has(h));
    if (verdict.outcome === 'duplicate' || inBatch) {
      duplicates.push({ household, verdict });
      verdicts.push(verdict);
      continue;
    }
    for (const h of household.iinHashes) claimedInBatch.add(h);
    const enrolment = newEnrolment(programme, round, organisationId, household, verdict, actor, now);
    enrolments.push(enrolment);
    newClaims.push(...claimsFor(enrolment, household, now));
    if (verdict.outcome === 'needs_review') result.needsReview.push(String(household._id));
  }
  const names = await organisationNames(verdicts, programme);
  for (const { household, verdict } of duplicates) {
    const error =
      verdict.outcome === 'duplicate'
        ? duplicateAidError(verdict, programme, round, names)
        : new AppError('DUPLICATE_AID', `A person of household ${household.number} appears twice in this request`, {
            roundId: String(round._id),
          });
    result.failed.push({
      householdId: String(household._id),
      code: 'DUPLICATE_AID',
      message: error.message,
      details: error.details,
    });
  }
  if (enrolments.length > 0) {
    await owned(Enrolment, actor).insertMany(enrolments, { session, lean: true });
    await owned(AidClaim, actor).insertMany(newClaims, { session, lean: true });
    await recordAudit(
      {
        actor,
        action: 'enrolment.create',
        targetType: 'round',
        targetId: round._id,
        summary: {
          programmeId: String(programme._id),
          enrolled: enrolments.length,
          needsReview: result.needsReview.length,
          refused: result.failed.length,
        },
      },
      session,
    );
  }
  result.enrolled = enrolments.map((e) => toEnrolmentDto(e, round));
  return result;
}

function newEnrolment(
  programme: ProgrammeRecord,
  round: RoundRecord,
  organisationId: Types.ObjectId,
  household: HouseholdRecord,
  verdict: DedupVerdict,
  actor: Actor,
  now: Date,
  override: EnrolmentRecord['override'] = null,
): EnrolmentRecord {
  return {
    _id: new Types.ObjectId(),
    organisationId,
    programmeId: programme._id,
    roundId: round._id,
    householdId: household._id,
    status: 'enrolled',
    outcome: outcomeOf(verdict, override !== null),
    possibleMatches: [...new Map(verdict.possibleMatches.map((m) => [String(m.enrolmentId), m])).values()].map((m) => ({
      claimedAt: m.at,
    })),
    override,
    size: household.size,
    region: household.address.region,
    enrolledAt: now,
    enrolledBy: ledgerActorOf(actor),
    withdrawnAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** One household: 201 with the enrolment, or the failure as an error (409 DUPLICATE_AID, 422, 404). */
export async function enrolHousehold(
  programmeId: string,
  roundId: string,
  householdId: string,
  actor: Actor,
): Promise<EnrolmentDto> {
  const result = await enrolHouseholds(programmeId, roundId, { householdIds: [householdId] }, actor);
  const failure = result.failed[0];
  if (failure) {
    if (failure.code === 'NOT_FOUND') throw notFound('Household', householdId);
    const code =
      failure.code === 'NOT_ELIGIBLE'
        ? 'UNPROCESSABLE'
        : failure.code === 'ALREADY_ENROLLED'
          ? 'CONFLICT'
          : 'DUPLICATE_AID';
    throw new AppError(code, failure.message, failure.details);
  }
  return result.enrolled[0] as EnrolmentDto;
}

export interface OverrideInput {
  householdId: string;
  reason: string;
}

/**
 * A supervisor lets a duplicate through (a family split in two after the floods, a data error in the other
 * organisation): the enrolment is written with override claims beside the existing ones, and the audit entry
 * names the supervisor and the reason.
 */
export async function overrideDuplicate(
  programmeId: string,
  roundId: string,
  input: OverrideInput,
  actor: Actor,
): Promise<EnrolmentDto> {
  const { programme, round } = await requireRound(programmeId, roundId, actor);
  checkRoundOpen(programme, round);
  const { organisationId } = owned(Enrolment, actor);
  const created = await withTransaction(async (session) => {
    const household = (await householdsByIds([new Types.ObjectId(input.householdId)], actor, session)).get(
      input.householdId,
    );
    if (!household) throw notFound('Household', input.householdId);
    const reason = ineligibility(programme, household);
    if (reason) throw new AppError('UNPROCESSABLE', reason, { householdId: input.householdId });
    const claims = await claimsOnKeys(round._id, household, session);
    const verdict = verdictFor(household, claims, { programme, round });
    if (verdict.outcome !== 'duplicate') {
      throw new AppError('INVALID_STATE', 'The household is not a duplicate in this round; enrol it normally', {
        outcome: verdict.outcome,
      });
    }
    const now = new Date();
    const enrolment = newEnrolment(programme, round, organisationId, household, verdict, actor, now, {
      reason: input.reason,
      by: ledgerActorOf(actor),
      at: now,
      duplicatePeople: new Set(verdict.duplicates.map((d) => d.hash)).size,
    });
    const duplicated = new Set(verdict.duplicates.map((d) => d.hash));
    await owned(Enrolment, actor).insertMany([enrolment], { session, lean: true });
    await owned(AidClaim, actor).insertMany(claimsFor(enrolment, household, now, duplicated), { session, lean: true });
    await recordAudit(
      {
        actor,
        action: 'enrolment.override_duplicate',
        targetType: 'enrolment',
        targetId: enrolment._id,
        summary: {
          programmeId: String(programme._id),
          roundId: String(round._id),
          householdNumber: household.number,
          reason: input.reason,
          duplicates: duplicated.size,
        },
      },
      session,
    );
    return enrolment;
  });
  return toEnrolmentDto(created, round);
}

const enrolmentLife = defineLifecycle({
  model: Enrolment,
  name: 'Enrolment',
  targetType: 'enrolment',
  audit: recordAudit,
  transitions: { withdraw: { from: ['enrolled'], to: 'withdrawn' } },
});

/** Withdraws an enrolment; its claims stay as history and no longer block the people in the round. */
export async function withdrawEnrolment(id: string, actor: Actor): Promise<EnrolmentDto> {
  if (!Types.ObjectId.isValid(id)) throw notFound('Enrolment', id);
  const withdrawn = await withTransaction((session) =>
    enrolmentLife.step('withdraw', {
      id,
      actor,
      session,
      scope: ownerFilter(actor),
      change: async (before) => {
        await owned(AidClaim, actor).updateMany(
          { enrolmentId: before._id, active: true },
          { $set: { active: false } },
          { session },
        );
        return { set: { withdrawnAt: new Date() }, summary: { roundId: String(before.roundId) } };
      },
    }),
  );
  return toEnrolmentDto(withdrawn);
}

export interface EnrolmentQuery extends PageRequest {
  status?: EnrolmentRecord['status'];
  outcome?: EnrolmentRecord['outcome'];
}

export async function listEnrolments(
  programmeId: string,
  roundId: string,
  query: EnrolmentQuery,
  actor: Actor,
): Promise<Page<EnrolmentDto>> {
  const { round } = await requireRound(programmeId, roundId, actor);
  const filter: QueryFilter<EnrolmentRecord> = { roundId: round._id };
  if (query.status) filter.status = query.status;
  if (query.outcome) filter.outcome = query.outcome;
  const page = await owned(Enrolment, actor).paginate(filter, query, { enrolledAt: 1, _id: 1 });
  return { ...page, data: page.data.map((e) => toEnrolmentDto(e, round)) };
}

/** The actor's enrolments of the round for these households (what allocations build on). */
export async function enrolmentsOf(
  round: RoundRecord,
  householdIds: readonly Types.ObjectId[],
  actor: Actor,
  session?: ClientSession,
): Promise<Map<string, EnrolmentRecord>> {
  const found = await owned(Enrolment, actor)
    .find({ roundId: round._id, householdId: { $in: householdIds }, status: 'enrolled' })
    .session(session ?? null)
    .lean<EnrolmentRecord[]>();
  return new Map(found.map((e) => [String(e.householdId), e]));
}

export function entitlementOf(round: RoundRecord, enrolment: Pick<EnrolmentRecord, 'size'>): EntitlementLine[] {
  return entitlementFor(round, enrolment.size);
}

/**
 * Re-checks an enrolled household at allocation: people added since enrolment claim the round now, and a person
 * already enrolled elsewhere makes the allocation a duplicate (unless the enrolment was overridden).
 */
export async function recheckBeforeAllocation(
  programme: ProgrammeRecord,
  round: RoundRecord,
  enrolment: EnrolmentRecord,
  household: HouseholdRecord,
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  const claims = await claimsOnKeys(round._id, household, session);
  const mine = new Set(claims.filter((c) => c.enrolmentId.equals(enrolment._id)).map((c) => `${c.keyType}:${c.hash}`));
  const verdict = verdictFor(household, claims, { programme, round, ownEnrolmentId: enrolment._id });
  if (verdict.outcome === 'duplicate' && !enrolment.override) {
    throw duplicateAidError(verdict, programme, round, await organisationNames([verdict], programme));
  }
  const missing = {
    iinHashes: household.iinHashes.filter((h) => !mine.has(`iin:${h}`)),
    personKeys: household.personKeys.filter((h) => !mine.has(`person:${h}`)),
  };
  if (missing.iinHashes.length + missing.personKeys.length > 0) {
    const overridden = enrolment.override ? new Set(missing.iinHashes) : new Set<string>();
    await owned(AidClaim, actor).insertMany(claimsFor(enrolment, missing, new Date(), overridden), {
      session,
      lean: true,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Counts for hubs

export async function roundCounts(programmeId: string, actor: Actor) {
  const programme = await requireProgramme(programmeId, actor);
  const rows = await acrossOrganisations(
    "a programme's counts sum every participant's enrolments, never a person",
    () =>
      Enrolment.aggregate<{
        _id: { roundId: Types.ObjectId; region: string };
        households: number;
        people: number;
      }>([
        {
          $match: {
            organisationId: { $in: programme.participatingOrganisationIds },
            programmeId: programme._id,
            status: 'enrolled',
          },
        },
        {
          $group: {
            _id: { roundId: '$roundId', region: '$region' },
            households: { $sum: 1 },
            people: { $sum: '$size' },
          },
        },
        { $sort: { '_id.roundId': 1, '_id.region': 1 } },
      ]).exec(),
  );
  const names = new Map(programme.rounds.map((r) => [String(r._id), r.name]));
  return rows.map((r) => ({
    roundId: String(r._id.roundId),
    round: names.get(String(r._id.roundId)) ?? null,
    region: r._id.region,
    households: r.households,
    people: r.people,
  }));
}

/** Rounds by id, with their programme's name, among the programmes the actor's organisation sees (reports). */
export async function roundNames(
  roundIds: readonly (string | Types.ObjectId)[],
  actor: Actor,
): Promise<Map<string, { programmeId: Types.ObjectId; programme: string; round: string }>> {
  const wanted = [...new Set(roundIds.map(String))].filter((id) => Types.ObjectId.isValid(id));
  if (wanted.length === 0) return new Map();
  const found = await visibleProgrammes(actor)
    .find({ 'rounds._id': { $in: wanted.map((id) => new Types.ObjectId(id)) } })
    .select({ name: 1, 'rounds._id': 1, 'rounds.name': 1 })
    .lean<Pick<ProgrammeRecord, '_id' | 'name' | 'rounds'>[]>();
  const names = new Map<string, { programmeId: Types.ObjectId; programme: string; round: string }>();
  for (const p of found) {
    for (const r of p.rounds) names.set(String(r._id), { programmeId: p._id, programme: p.name, round: r.name });
  }
  return names;
}
