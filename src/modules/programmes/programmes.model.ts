/**
 * Programmes ("Flood response 2024, Karaganda region"), their rounds and entitlement rules, enrolments of
 * recipients into rounds, and the aid claims that keep a family from receiving the same aid twice in one round
 * because it registered with two organisations.
 *
 * A programme is owned by its lead organisation; the organisations in `participatingOrganisationIds` read it and
 * enrol their own households (the declared cross-organisation read path). Enrolments are owned by the enrolling
 * organisation.
 *
 * `aid_claims` is the one deliberate exception to "compound indexes lead with organisationId": one claim per round
 * and keyed IIN hash, unique across organisations, so that two organisations enrolling the same person into the
 * same round cannot both succeed, even at the same instant. Only the duplicate check reads it, and what it holds is
 * what organisations may exchange: the keyed hash, the round, when, and which organisation.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const PROGRAMME_STATUSES = ['active', 'closed'] as const;
export type ProgrammeStatus = (typeof PROGRAMME_STATUSES)[number];

export const ROUND_STATUSES = ['planned', 'open', 'closed'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

/** What an entitlement is counted per. */
export const ENTITLEMENT_BASES = ['household', 'member', 'size_band'] as const;
export type EntitlementBasis = (typeof ENTITLEMENT_BASES)[number];

export interface SizeBand {
  minSize: number;
  /** Inclusive; null: no upper bound. */
  maxSize: number | null;
  quantity: number;
}

export interface EntitlementRecord {
  itemId: Types.ObjectId;
  /** The aid category the overlap rules speak of: 'food', 'bedding', 'clothing', ... */
  category: string;
  basis: EntitlementBasis;
  /** Base units of the item per household or per member; unused for size bands. */
  quantity: number;
  bands: SizeBand[];
}

export interface RoundRecord {
  _id: Types.ObjectId;
  name: string;
  startsOn: Date;
  endsOn: Date;
  status: RoundStatus;
  entitlements: EntitlementRecord[];
}

export const OVERLAP_KINDS = ['once_per_round', 'max_per_period', 'exclusive'] as const;
export type OverlapKind = (typeof OVERLAP_KINDS)[number];

/**
 * Overlap rules per aid category. `once_per_round`: at most one allocation of the category per round (the
 * default for every category). `max_per_period`: at most `max` allocations within `periodDays`, across the
 * programme's rounds. `exclusive`: the listed categories exclude each other within a round.
 */
export interface OverlapRuleRecord {
  kind: OverlapKind;
  categories: string[];
  max: number | null;
  periodDays: number | null;
}

export interface ProgrammeRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  name: string;
  description: string | null;
  participatingOrganisationIds: Types.ObjectId[];
  /** Recipients need one of these criteria (empty: any). */
  eligibility: { vulnerabilities: string[]; regions: string[] };
  /** Whether a DUPLICATE_AID answer may name the organisation that enrolled the person first. */
  discloseEnrollingOrganisation: boolean;
  overlapRules: OverlapRuleRecord[];
  rounds: RoundRecord[];
  status: ProgrammeStatus;
  createdBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

const bandSchema = new Schema<SizeBand>(
  { minSize: { type: Number, required: true }, maxSize: { type: Number, default: null }, quantity: Number },
  { _id: false },
);

const entitlementSchema = new Schema<EntitlementRecord>(
  {
    itemId: { type: Schema.Types.ObjectId, required: true },
    category: { type: String, required: true },
    basis: { type: String, enum: ENTITLEMENT_BASES, required: true },
    quantity: { type: Number, default: 0 },
    bands: { type: [bandSchema], default: [] },
  },
  { _id: false },
);

const roundSchema = new Schema<RoundRecord>({
  name: { type: String, required: true },
  startsOn: { type: Date, required: true },
  endsOn: { type: Date, required: true },
  status: { type: String, enum: ROUND_STATUSES, required: true, default: 'open' },
  entitlements: { type: [entitlementSchema], default: [] },
});

const programmeSchema = new Schema<ProgrammeRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true },
    description: { type: String, default: null },
    participatingOrganisationIds: { type: [Schema.Types.ObjectId], default: [] },
    eligibility: { vulnerabilities: { type: [String], default: [] }, regions: { type: [String], default: [] } },
    discloseEnrollingOrganisation: { type: Boolean, default: false },
    overlapRules: {
      type: [
        new Schema<OverlapRuleRecord>(
          {
            kind: { type: String, enum: OVERLAP_KINDS, required: true },
            categories: [String],
            max: { type: Number, default: null },
            periodDays: { type: Number, default: null },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    rounds: { type: [roundSchema], default: [] },
    status: { type: String, enum: PROGRAMME_STATUSES, required: true, default: 'active' },
    createdBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'programmes', timestamps: true, versionKey: false },
);

// Participating organisations read the programme through `owned(Programme, actor).addressed(...)`.
programmeSchema.plugin(ownedByOrganisation, { addressedTo: ['participatingOrganisationIds'] });
programmeSchema.index({ organisationId: 1, name: 1 });
// The declared read path of participating organisations.
programmeSchema.index({ participatingOrganisationIds: 1 });
programmeSchema.index({ 'rounds._id': 1 });

export const Programme =
  (mongoose.models.Programme as mongoose.Model<ProgrammeRecord> | undefined) ??
  mongoose.model<ProgrammeRecord>('Programme', programmeSchema);

export const ENROLMENT_STATUSES = ['enrolled', 'withdrawn'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

export const DEDUP_OUTCOMES = ['unique', 'needs_review', 'overridden'] as const;
export type DedupOutcome = (typeof DEDUP_OUTCOMES)[number];

export interface EnrolmentRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  programmeId: Types.ObjectId;
  roundId: Types.ObjectId;
  householdId: Types.ObjectId;
  status: EnrolmentStatus;
  outcome: DedupOutcome;
  /**
   * Possible matches (same person key) in other enrolments of the round: to review, never blocking. Only when the
   * other claim was made: nothing of the other organisation's household or enrolment is kept.
   */
  possibleMatches: { claimedAt: Date }[];
  /** A supervisor let a duplicate through: why, who, when, and how many of the people were already claimed. */
  override: { reason: string; by: LedgerActor; at: Date; duplicatePeople: number } | null;
  /** Snapshot at enrolment, for counts that need no household read. */
  size: number;
  region: string;
  enrolledAt: Date;
  enrolledBy: LedgerActor;
  withdrawnAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const enrolmentSchema = new Schema<EnrolmentRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    programmeId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    householdId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ENROLMENT_STATUSES, required: true, default: 'enrolled' },
    outcome: { type: String, enum: DEDUP_OUTCOMES, required: true },
    possibleMatches: [{ _id: false, claimedAt: Date }],
    override: {
      type: new Schema(
        {
          reason: { type: String, required: true },
          by: { type: ledgerActorSchema, required: true },
          at: { type: Date, required: true },
          duplicatePeople: { type: Number, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    size: { type: Number, required: true },
    region: { type: String, required: true },
    enrolledAt: { type: Date, required: true },
    enrolledBy: { type: ledgerActorSchema, required: true },
    withdrawnAt: { type: Date, default: null },
  },
  { collection: 'enrolments', timestamps: true, versionKey: false },
);

enrolmentSchema.plugin(ownedByOrganisation);
// One current enrolment per household and round; withdrawn ones stay as history.
enrolmentSchema.index(
  { organisationId: 1, roundId: 1, householdId: 1 },
  { unique: true, partialFilterExpression: { status: 'enrolled' }, name: 'one_enrolment_per_round' },
);
enrolmentSchema.index({ organisationId: 1, householdId: 1 });
enrolmentSchema.index({ organisationId: 1, roundId: 1, status: 1 });

export const Enrolment =
  (mongoose.models.Enrolment as mongoose.Model<EnrolmentRecord> | undefined) ??
  mongoose.model<EnrolmentRecord>('Enrolment', enrolmentSchema);

export type ClaimKey = 'iin' | 'person';

/** One person (by keyed hash) enrolled in one round by one organisation. See the module comment. */
export interface AidClaimRecord {
  _id: Types.ObjectId;
  roundId: Types.ObjectId;
  programmeId: Types.ObjectId;
  /** 'iin': a keyed IIN hash (unique per round unless overridden); 'person': a possible-match key (never unique). */
  keyType: ClaimKey;
  hash: string;
  organisationId: Types.ObjectId;
  enrolmentId: Types.ObjectId;
  /** Null for an ordinary claim; the overriding enrolment's id when a supervisor let a duplicate through. */
  overrideOf: Types.ObjectId | null;
  /** False once its enrolment is withdrawn: the claim stays as history and no longer blocks anyone. */
  active: boolean;
  at: Date;
}

const aidClaimSchema = new Schema<AidClaimRecord>(
  {
    roundId: { type: Schema.Types.ObjectId, required: true },
    programmeId: { type: Schema.Types.ObjectId, required: true },
    keyType: { type: String, enum: ['iin', 'person'], required: true },
    hash: { type: String, required: true },
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    enrolmentId: { type: Schema.Types.ObjectId, required: true },
    overrideOf: { type: Schema.Types.ObjectId, default: null },
    active: { type: Boolean, required: true, default: true },
    at: { type: Date, required: true },
  },
  { collection: 'aid_claims', versionKey: false },
);

// Claims are owned by the enrolling organisation; only dedup.ts reads them across organisations.
aidClaimSchema.plugin(ownedByOrganisation);
// The cross-organisation dedup index (see the module comment): one ordinary IIN claim per person and round.
aidClaimSchema.index(
  { roundId: 1, hash: 1, overrideOf: 1 },
  { unique: true, partialFilterExpression: { keyType: 'iin', active: true }, name: 'round_iin_claim_unique' },
);
// What the duplicate check reads: every claim (IIN or person key) of the round on a recipient's hashes.
aidClaimSchema.index({ roundId: 1, hash: 1 });
// The history the overlap rules read.
aidClaimSchema.index({ programmeId: 1, hash: 1 });
aidClaimSchema.index({ organisationId: 1, enrolmentId: 1 });

export const AidClaim =
  (mongoose.models.AidClaim as mongoose.Model<AidClaimRecord> | undefined) ??
  mongoose.model<AidClaimRecord>('AidClaim', aidClaimSchema);
