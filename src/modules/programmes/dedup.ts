/**
 * No duplicate aid across organisations. A recipient enrolled in a round claims the round for every keyed IIN hash
 * of its people (`aid_claims`, unique per round and hash across organisations) and records a "person key" for
 * people without an IIN. Before enrolling, the claims of the round are read for the recipient's hashes:
 *   - an IIN claim of another enrolment: duplicate (blocked, 409 DUPLICATE_AID) unless a supervisor overrides it;
 *   - only a person-key claim (same normalised name, birth date, settlement): needs review, never blocked;
 *   - nothing: unique.
 * The unique index, not this read, is what holds under concurrency: two enrolments of the same person committing at
 * once cannot both insert their claim, and the loser is answered DUPLICATE_AID as if it had read the winner's claim.
 *
 * This is the only code that reads claims across organisations; it answers with the round, the date and (only
 * when the programme allows it) the organisation, never with anything about the other household.
 */
import { type ClientSession, Types } from 'mongoose';
import { AppError } from '../../core/errors';
import { acrossOrganisations } from '../access';
import { categoriesOf, type OverlapBreach, overlapBreaches, type PriorAid } from './entitlements';
import {
  AidClaim,
  type AidClaimRecord,
  type DedupOutcome,
  type ProgrammeRecord,
  type RoundRecord,
} from './programmes.model';

export interface DedupKeys {
  iinHashes: readonly string[];
  personKeys: readonly string[];
}

export interface DedupVerdict {
  outcome: 'unique' | 'duplicate' | 'needs_review';
  /** IIN claims of other enrolments in the round. */
  duplicates: AidClaimRecord[];
  /** Person-key claims of other enrolments, when no IIN matched. */
  possibleMatches: AidClaimRecord[];
  /** Overlap rules of the programme that the round would break, from the people's aid in other rounds. */
  overlaps: OverlapBreach[];
}

/** Every claim of the round on any of the given keys (one indexed query for a whole batch). */
export async function claimsOnKeys(
  roundId: Types.ObjectId,
  keys: DedupKeys,
  session?: ClientSession,
): Promise<AidClaimRecord[]> {
  const hashes = [...keys.iinHashes, ...keys.personKeys];
  if (hashes.length === 0) return [];
  return acrossOrganisations('the duplicate check compares keyed hashes of a round in every organisation', () =>
    AidClaim.find({ roundId, hash: { $in: hashes }, active: true })
      .session(session ?? null)
      .lean<AidClaimRecord[]>()
      .exec(),
  );
}

/** Claims of the programme's other rounds on the IIN hashes: the history overlap rules look at. */
export async function priorAid(
  programme: ProgrammeRecord,
  round: RoundRecord,
  iinHashes: readonly string[],
  session?: ClientSession,
): Promise<Map<string, PriorAid[]>> {
  const byHash = new Map<string, PriorAid[]>();
  if (programme.overlapRules.length === 0 || iinHashes.length === 0) return byHash;
  const claims = await acrossOrganisations(
    "the overlap rules read a person's aid in the programme's other rounds",
    () =>
      AidClaim.find({
        programmeId: programme._id,
        keyType: 'iin',
        hash: { $in: [...iinHashes] },
        roundId: { $ne: round._id },
        active: true,
      })
        .session(session ?? null)
        .lean<AidClaimRecord[]>()
        .exec(),
  );
  const rounds = new Map(programme.rounds.map((r) => [String(r._id), r]));
  for (const claim of claims) {
    const prior = rounds.get(String(claim.roundId));
    if (!prior) continue;
    const list = byHash.get(claim.hash) ?? [];
    list.push({ roundId: String(prior._id), at: prior.startsOn, categories: categoriesOf(prior) });
    byHash.set(claim.hash, list);
  }
  return byHash;
}

/** The verdict for one recipient, given the claims read for its keys (claims of `ownEnrolmentId` are its own). */
export function verdictFor(
  keys: DedupKeys,
  claims: readonly AidClaimRecord[],
  context: {
    ownEnrolmentId?: Types.ObjectId | null;
    programme: ProgrammeRecord;
    round: RoundRecord;
    prior?: ReadonlyMap<string, PriorAid[]>;
  },
): DedupVerdict {
  const own = context.ownEnrolmentId ? String(context.ownEnrolmentId) : null;
  const iin = new Set(keys.iinHashes);
  const person = new Set(keys.personKeys);
  const others = claims.filter((c) => String(c.enrolmentId) !== own);
  const duplicates = others.filter((c) => c.keyType === 'iin' && iin.has(c.hash));
  const possibleMatches = others.filter((c) => c.keyType === 'person' && person.has(c.hash));
  const history = keys.iinHashes.flatMap((hash) => context.prior?.get(hash) ?? []);
  const unique = new Map(history.map((p) => [p.roundId, p]));
  const overlaps = overlapBreaches(context.programme.overlapRules, context.round, [...unique.values()]);
  const outcome =
    duplicates.length > 0 || overlaps.length > 0 ? 'duplicate' : possibleMatches.length > 0 ? 'needs_review' : 'unique';
  return { outcome, duplicates, possibleMatches, overlaps };
}

/** The 409 a duplicate answers: which round and when, and which organisation only if the programme allows it. */
export function duplicateAidError(
  verdict: DedupVerdict,
  programme: ProgrammeRecord,
  round: RoundRecord,
  organisationNames: ReadonlyMap<string, string> = new Map(),
): AppError {
  if (verdict.duplicates.length === 0 && verdict.overlaps.length > 0) {
    const breach = verdict.overlaps[0] as OverlapBreach;
    return new AppError(
      'DUPLICATE_AID',
      `The recipient already received ${breach.category} aid in another round of programme «${programme.name}» (${breach.rule.kind} rule)`,
      {
        programmeId: String(programme._id),
        roundId: String(round._id),
        rule: breach.rule.kind,
        category: breach.category,
        priorRoundIds: breach.priorRoundIds,
      },
    );
  }
  const first = [...verdict.duplicates].sort((a, b) => a.at.getTime() - b.at.getTime())[0] as AidClaimRecord;
  const organisationId = String(first.organisationId);
  const disclosed = programme.discloseEnrollingOrganisation;
  const name = organisationNames.get(organisationId);
  const who = disclosed ? ` by ${name ?? `organisation ${organisationId}`}` : ' by another organisation';
  return new AppError(
    'DUPLICATE_AID',
    `A person of this household is already enrolled in round «${round.name}» of programme «${programme.name}» (since ${first.at.toISOString().slice(0, 10)}${who})`,
    {
      programmeId: String(programme._id),
      roundId: String(round._id),
      roundName: round.name,
      enrolledAt: first.at,
      people: new Set(verdict.duplicates.map((d) => d.hash)).size,
      ...(disclosed ? { organisationId, organisationName: name ?? null } : {}),
    },
  );
}

export function outcomeOf(verdict: DedupVerdict, overridden: boolean): DedupOutcome {
  if (overridden) return 'overridden';
  return verdict.outcome === 'needs_review' ? 'needs_review' : 'unique';
}

/** The claim documents an enrolment writes: one per IIN hash and one per person key. */
export function claimsFor(
  enrolment: {
    _id: Types.ObjectId;
    organisationId: Types.ObjectId;
    programmeId: Types.ObjectId;
    roundId: Types.ObjectId;
  },
  keys: DedupKeys,
  at: Date,
  overriddenHashes: ReadonlySet<string> = new Set(),
): AidClaimRecord[] {
  const base = {
    roundId: enrolment.roundId,
    programmeId: enrolment.programmeId,
    organisationId: enrolment.organisationId,
    enrolmentId: enrolment._id,
    at,
  };
  return [
    ...[...new Set(keys.iinHashes)].map((hash) => ({
      ...base,
      _id: new Types.ObjectId(),
      keyType: 'iin' as const,
      hash,
      overrideOf: overriddenHashes.has(hash) ? enrolment._id : null,
      active: true,
    })),
    ...[...new Set(keys.personKeys)].map((hash) => ({
      ...base,
      _id: new Types.ObjectId(),
      keyType: 'person' as const,
      hash,
      overrideOf: null,
      active: true,
    })),
  ];
}

export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: unknown; writeErrors?: { code?: unknown }[] } | null;
  return e?.code === 11000 || (e?.writeErrors ?? []).some((w) => w.code === 11000);
}
