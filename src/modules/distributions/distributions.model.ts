/**
 * Allocations and hand-overs. A distribution batch is one site's share of a round ("Talgar culture house, round 1"),
 * served from one warehouse; its allocations say what each enrolled recipient is due and hold that stock reserved
 * (reservations in modules/stock, source `{ type: 'allocation', id, line: itemId }`); a hand-over records what the
 * recipient received, who took it and the proof, and issues the stock against the reservation in the same
 * transaction. All records are owned by the distributing organisation.
 *
 * Nobody is served twice: one active allocation per organisation, round and recipient (partial unique index), one
 * hand-over per allocation (unique index); across organisations the duplicate check of modules/programmes applies.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const BATCH_STATUSES = ['open', 'closed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export interface DistributionBatchRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  /** `DB-2026-000012`: printed on the distribution list. */
  number: string;
  programmeId: Types.ObjectId;
  roundId: Types.ObjectId;
  warehouseId: Types.ObjectId;
  site: { name: string; region: string; settlement: string };
  plannedOn: Date;
  /**
   * Until when the day's allocations hold their goods reserved for recipients who have not come: after it, the
   * `allocations-expiry` job closes the day and releases what was not collected (closeBatch with `release`).
   */
  holdUntil: Date;
  status: BatchStatus;
  /** At closing: what happened to stock still reserved for recipients who did not take everything. */
  rest: 'released' | 'kept' | null;
  createdBy: LedgerActor;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const batchSchema = new Schema<DistributionBatchRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    number: { type: String, required: true },
    programmeId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    warehouseId: { type: Schema.Types.ObjectId, required: true },
    site: { name: String, region: String, settlement: String },
    plannedOn: { type: Date, required: true },
    holdUntil: { type: Date, required: true },
    status: { type: String, enum: BATCH_STATUSES, required: true, default: 'open' },
    rest: { type: String, enum: ['released', 'kept', null], default: null },
    createdBy: { type: ledgerActorSchema, required: true },
    closedAt: { type: Date, default: null },
  },
  { collection: 'distribution_batches', timestamps: true, versionKey: false },
);
batchSchema.plugin(ownedByOrganisation);
batchSchema.index({ organisationId: 1, number: 1 }, { unique: true });
batchSchema.index({ organisationId: 1, roundId: 1, plannedOn: -1 });
// The days whose hold has ended, for the allocations-expiry job.
batchSchema.index({ organisationId: 1, status: 1, holdUntil: 1 });
// The list of days, the latest planned first.
batchSchema.index({ organisationId: 1, plannedOn: -1, _id: -1 });

export const DistributionBatch =
  (mongoose.models.DistributionBatch as mongoose.Model<DistributionBatchRecord> | undefined) ??
  mongoose.model<DistributionBatchRecord>('DistributionBatch', batchSchema);

export const ALLOCATION_STATUSES = ['reserved', 'handed_over', 'cancelled'] as const;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];

export interface AllocationLine {
  itemId: Types.ObjectId;
  category: string;
  /** The item's sub-unit ('piece', 'kit', 'g'): the unit of the quantities below. */
  unit: string;
  /** What the entitlement rules give, in the item's sub-units. */
  entitled: number;
  /** What could be reserved (less than entitled when stock is short). */
  reserved: number;
  /** What the hand-over issued. */
  issued: number;
  /** Reserved but not issued, and released at cancellation or closing. */
  released: number;
}

export interface AllocationRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  batchId: Types.ObjectId;
  programmeId: Types.ObjectId;
  roundId: Types.ObjectId;
  householdId: Types.ObjectId;
  enrolmentId: Types.ObjectId;
  warehouseId: Types.ObjectId;
  size: number;
  settlement: string;
  lines: AllocationLine[];
  status: AllocationStatus;
  /** True while the allocation counts (reserved or handed over): the key of the partial unique index. */
  active: boolean;
  handOverId: Types.ObjectId | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  createdBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

const allocationSchema = new Schema<AllocationRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    batchId: { type: Schema.Types.ObjectId, required: true },
    programmeId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    householdId: { type: Schema.Types.ObjectId, required: true },
    enrolmentId: { type: Schema.Types.ObjectId, required: true },
    warehouseId: { type: Schema.Types.ObjectId, required: true },
    size: { type: Number, required: true },
    settlement: { type: String, required: true },
    lines: [
      {
        _id: false,
        itemId: { type: Schema.Types.ObjectId, required: true },
        category: { type: String, required: true },
        unit: { type: String, required: true },
        entitled: { type: Number, required: true, min: 0 },
        reserved: { type: Number, required: true, min: 0 },
        issued: { type: Number, required: true, min: 0 },
        released: { type: Number, required: true, min: 0 },
      },
    ],
    status: { type: String, enum: ALLOCATION_STATUSES, required: true },
    active: { type: Boolean, required: true },
    handOverId: { type: Schema.Types.ObjectId, default: null },
    cancelledAt: { type: Date, default: null },
    cancelReason: { type: String, default: null },
    createdBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'allocations', timestamps: true, versionKey: false },
);
allocationSchema.plugin(ownedByOrganisation);
allocationSchema.index(
  { organisationId: 1, roundId: 1, householdId: 1 },
  { unique: true, partialFilterExpression: { active: true }, name: 'one_active_allocation_per_round' },
);
allocationSchema.index({ organisationId: 1, batchId: 1, settlement: 1 });
allocationSchema.index({ organisationId: 1, householdId: 1 });

export const Allocation =
  (mongoose.models.Allocation as mongoose.Model<AllocationRecord> | undefined) ??
  mongoose.model<AllocationRecord>('Allocation', allocationSchema);

export const HAND_OVER_OUTCOMES = ['all', 'part', 'none'] as const;
export type HandOverOutcome = (typeof HAND_OVER_OUTCOMES)[number];

export interface HandOverRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  number: string;
  batchId: Types.ObjectId;
  allocationId: Types.ObjectId;
  householdId: Types.ObjectId;
  roundId: Types.ObjectId;
  outcome: HandOverOutcome;
  reason: string | null;
  lines: { itemId: Types.ObjectId; entitled: number; received: number }[];
  /** The head of household or a proxy; the IIN is sealed, its keyed hash checked against the household's. */
  receivedBy: { kind: 'head' | 'proxy'; name: string | null; iin: string | null; iinHash: string | null };
  proof: { kind: 'paper'; sheet: string } | { kind: 'image'; signatureId: Types.ObjectId } | { kind: 'none' };
  handedOverAt: Date;
  /**
   * The household as it was served: its region, size and vulnerabilities at the hand-over (the households-served
   * reports count it so; a later change of the household does not rewrite them). Absent on hand-overs recorded
   * before it was kept.
   */
  household?: HouseholdAtHandOver;
  recordedBy: LedgerActor;
  createdAt: Date;
}

export interface HouseholdAtHandOver {
  region: string;
  size: number;
  vulnerabilities: string[];
}

const handOverSchema = new Schema<HandOverRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, required: true },
    batchId: { type: Schema.Types.ObjectId, required: true },
    allocationId: { type: Schema.Types.ObjectId, required: true },
    householdId: { type: Schema.Types.ObjectId, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    outcome: { type: String, enum: HAND_OVER_OUTCOMES, required: true },
    reason: { type: String, default: null },
    lines: [{ _id: false, itemId: Schema.Types.ObjectId, entitled: Number, received: Number }],
    receivedBy: { kind: String, name: String, iin: String, iinHash: String },
    proof: { type: Schema.Types.Mixed, required: true },
    handedOverAt: { type: Date, required: true },
    household: {
      type: new Schema({ region: String, size: Number, vulnerabilities: [String] }, { _id: false }),
      default: undefined,
    },
    recordedBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'hand_overs', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
handOverSchema.plugin(ownedByOrganisation);
handOverSchema.index({ organisationId: 1, allocationId: 1 }, { unique: true });
handOverSchema.index({ organisationId: 1, batchId: 1 });
handOverSchema.index({ organisationId: 1, householdId: 1 });
// The hand-overs an organisation made since an instant, by `_id` (the reports' households-served records fold them,
// and read those not folded yet). It stands in for the single-key index on organisationId, which it serves as well,
// and for the one on (organisationId, handedOverAt) that the report read before those records: a hand-over writes
// one index entry fewer than it did.
handOverSchema.index({ organisationId: 1, _id: 1 });

export const HandOver =
  (mongoose.models.HandOver as mongoose.Model<HandOverRecord> | undefined) ??
  mongoose.model<HandOverRecord>('HandOver', handOverSchema);

/** A signature or thumbprint captured on a touch screen: sealed like every personal value, size-limited. */
export interface SignatureRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  handOverId: Types.ObjectId;
  contentType: 'image/png';
  bytes: number;
  /** The image, base64, sealed ('signature' purpose); null once the household was erased. */
  sealed: string | null;
  erasedAt: Date | null;
  createdAt: Date;
}

const signatureSchema = new Schema<SignatureRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    handOverId: { type: Schema.Types.ObjectId, required: true },
    contentType: { type: String, required: true },
    bytes: { type: Number, required: true },
    sealed: { type: String, default: null },
    erasedAt: { type: Date, default: null },
  },
  { collection: 'signatures', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
signatureSchema.plugin(ownedByOrganisation);
signatureSchema.index({ organisationId: 1, handOverId: 1 }, { unique: true });

export const Signature =
  (mongoose.models.Signature as mongoose.Model<SignatureRecord> | undefined) ??
  mongoose.model<SignatureRecord>('Signature', signatureSchema);
