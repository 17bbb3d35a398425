/**
 * The stock ledger and its balances. This module is their only writer (see STYLE.md, "The stock invariant has one
 * owner"): other modules call stock.service inside their own transaction.
 *
 * Quantities are JS safe integers of the item's sub-unit (grams, millilitres or whole pieces; `unit` names it) —
 * never floats — and no stored quantity or balance exceeds MAX_QUANTITY (2^53 − 1, the largest integer a double holds
 * exactly): a change that would pass it is refused. For every balance, the sum of its ledger entries' quantities
 * equals `onHand`; `reserved` equals the sum of its open reservations (stock.reservations.ts); and
 * 0 ≤ reserved ≤ onHand: every decrement is a guarded update on what is free (`onHand − reserved ≥ q`).
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';

export const CONDITIONS = ['new', 'good', 'used', 'damaged'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const LEDGER_TYPES = [
  'receipt',
  'move',
  'transfer_out',
  'transfer_in',
  'issue',
  'adjustment',
  'disposal',
  'kit_assembly',
  'kit_disassembly',
  'reversal',
] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];

export const ADJUSTMENT_REASONS = ['found', 'lost', 'damaged', 'expired', 'count_correction'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/** What identifies a balance: one per warehouse, bin, item, lot, expiry and condition. Absent parts are null. */
export interface StockIdentity {
  warehouseId: Types.ObjectId;
  locationCode: string | null;
  itemId: Types.ObjectId;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
}

export interface StockBalanceRecord extends StockIdentity {
  _id: Types.ObjectId;
  /** The warehouse's organisation. */
  organisationId: Types.ObjectId;
  /** Integer sub-units (see `unit`). */
  onHand: number;
  /** Sub-units set aside by open reservations (absent on balances written before reservations existed: 0). */
  reserved?: number;
  /** The item's sub-unit, denormalised for readers: 'g', 'ml', 'piece', 'kit', ... */
  unit: string;
  /** Incremented by every change. */
  version: number;
  /**
   * The balance's place in FEFO order, for the database to sort by: its expiry date, or NO_EXPIRY when it has none
   * (a plain sort puts null first; FEFO puts stock without expiry last). Set when the balance is created; absent on
   * balances created before it existed, which are then picked by reading them (stock.ledger's takeFefoFirst).
   */
  pickOrder?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The pick order of stock without an expiry date: after every date. */
export const NO_EXPIRY = new Date(Date.UTC(9999, 11, 31));

export interface SourceDocument {
  /** 'donation', 'transfer', 'move', 'adjustment', 'count', 'disposal', 'kit_assembly', 'issue', 'shipment', ... */
  type: string;
  id: string | null;
  number: string | null;
}

export interface LedgerActor {
  kind: string;
  id: string;
  name: string;
}

/** Who did it, as stored on ledger entries and on the documents that post them. */
export const ledgerActorSchema = new Schema<LedgerActor>({ kind: String, id: String, name: String }, { _id: false });

export function ledgerActorOf(actor: LedgerActor): LedgerActor {
  return { kind: actor.kind, id: actor.id, name: actor.name };
}

export interface LedgerEntryRecord extends StockIdentity {
  _id: Types.ObjectId;
  /** The warehouse's organisation (the balance's). */
  organisationId: Types.ObjectId;
  type: LedgerType;
  /** Signed integer sub-units. */
  quantity: number;
  unit: string;
  balanceId: Types.ObjectId;
  balanceAfter: number;
  /** Entries written by one operation share it (a move's two halves, a donation's lines); reversal works on it. */
  operationId: Types.ObjectId;
  source: SourceDocument;
  reason: string | null;
  note: string | null;
  actor: LedgerActor;
  at: Date;
  reverses: Types.ObjectId | null;
  /** The one field ever set after insert: the link to the entry that reversed this one. */
  reversedBy: Types.ObjectId | null;
}

const identityFields = {
  warehouseId: { type: Schema.Types.ObjectId, required: true },
  locationCode: { type: String, default: null },
  itemId: { type: Schema.Types.ObjectId, required: true },
  lot: { type: String, default: null },
  expiryDate: { type: Date, default: null },
  condition: { type: String, enum: CONDITIONS, required: true },
};

// No defaults on onHand/version: upserts `$inc` them, and a default would add a conflicting `$setOnInsert`.
const balanceSchema = new Schema<StockBalanceRecord>(
  {
    ...identityFields,
    onHand: { type: Number, required: true, min: 0 },
    reserved: { type: Number, min: 0, default: 0 },
    unit: { type: String },
    version: { type: Number },
    pickOrder: { type: Date },
  },
  { collection: 'stock_balances', timestamps: true, versionKey: false },
);

balanceSchema.plugin(ownedByOrganisation);
// A warehouse belongs to one organisation, so the identity (which starts with the warehouse) stays unique as it was.
balanceSchema.index(
  { warehouseId: 1, itemId: 1, locationCode: 1, lot: 1, expiryDate: 1, condition: 1 },
  { unique: true },
);
balanceSchema.index({ organisationId: 1, warehouseId: 1, itemId: 1 });
balanceSchema.index({ organisationId: 1, itemId: 1, warehouseId: 1 });
balanceSchema.index({ organisationId: 1, expiryDate: 1 });

const ledgerSchema = new Schema<LedgerEntryRecord>(
  {
    ...identityFields,
    type: { type: String, enum: LEDGER_TYPES, required: true },
    quantity: { type: Number, required: true },
    unit: { type: String, required: true },
    balanceId: { type: Schema.Types.ObjectId, required: true },
    balanceAfter: { type: Number, required: true },
    operationId: { type: Schema.Types.ObjectId, required: true },
    source: {
      type: { type: String, required: true },
      id: { type: String, default: null },
      number: { type: String, default: null },
    },
    reason: { type: String, default: null },
    note: { type: String, default: null },
    actor: {
      kind: { type: String, required: true },
      id: { type: String, required: true },
      name: { type: String, required: true },
    },
    at: { type: Date, required: true },
    reverses: { type: Schema.Types.ObjectId, default: null },
    reversedBy: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'ledger_entries', versionKey: false },
);

ledgerSchema.plugin(ownedByOrganisation);
ledgerSchema.index({ balanceId: 1, at: 1 });
// The history list filters by warehouse or item (or neither) and sorts newest first with `_id` breaking ties:
// these serve the filter and the whole sort, so a page reads only its own entries (stock.queries.ts, ledger()).
ledgerSchema.index({ organisationId: 1, warehouseId: 1, at: -1, _id: -1 });
ledgerSchema.index({ organisationId: 1, itemId: 1, at: -1, _id: -1 });
ledgerSchema.index({ operationId: 1 });
// A document's entries: within an organisation (reports, transit) and, for the donation trace, across them.
ledgerSchema.index({ 'source.type': 1, 'source.id': 1, organisationId: 1 });
ledgerSchema.index({ organisationId: 1, at: -1, _id: -1 });

// Ledger entries are immutable: the only update allowed links an entry to its reversal.
function onlyReversalLink(this: mongoose.Query<unknown, unknown>): void {
  const update = this.getUpdate() as Record<string, unknown> | null;
  const keys = Object.keys(update ?? {});
  const set = (update?.$set ?? {}) as Record<string, unknown>;
  if (keys.length !== 1 || keys[0] !== '$set' || Object.keys(set).join() !== 'reversedBy') {
    throw new Error('ledger entries are immutable');
  }
}
for (const operation of ['updateOne', 'updateMany', 'findOneAndUpdate'] as const) {
  ledgerSchema.pre(operation, onlyReversalLink);
}
for (const operation of ['replaceOne', 'findOneAndReplace'] as const) {
  ledgerSchema.pre(operation, () => {
    throw new Error('ledger entries are immutable');
  });
}

export const StockBalance =
  (mongoose.models.StockBalance as mongoose.Model<StockBalanceRecord> | undefined) ??
  mongoose.model<StockBalanceRecord>('StockBalance', balanceSchema);

export const LedgerEntry =
  (mongoose.models.LedgerEntry as mongoose.Model<LedgerEntryRecord> | undefined) ??
  mongoose.model<LedgerEntryRecord>('LedgerEntry', ledgerSchema);

/** Start of today (UTC): stock whose expiry date is before it is expired. */
export function startOfToday(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function isExpired(balance: Pick<StockIdentity, 'expiryDate'>, now = new Date()): boolean {
  return balance.expiryDate !== null && balance.expiryDate !== undefined && balance.expiryDate < startOfToday(now);
}

/**
 * The location code of goods in transit (dispatched, not yet received): a code no warehouse location can take
 * (location codes are letters, digits and dashes), see stock.transit.ts.
 */
export const TRANSIT_LOCATION = '@transit';

/** Sub-units of a balance that no reservation holds. */
export function freeOf(balance: Pick<StockBalanceRecord, 'onHand' | 'reserved'>): number {
  return balance.onHand - (balance.reserved ?? 0);
}

/** The guard of every decrement of on-hand that is not against a reservation: at least `quantity` must be free. */
export function freeAtLeast(quantity: number): Record<string, unknown> {
  return { $expr: { $gte: [{ $subtract: ['$onHand', { $ifNull: ['$reserved', 0] }] }, quantity] } };
}

// ---------------------------------------------------------------------------------------------------------------
// Reservations

/** The document stock is set aside for: a shipment being packed, an allocation to a household, ... */
export interface ReservationSource {
  type: string;
  id: string;
  /** The document's line, when it has several. */
  line: string | null;
}

export const RESERVATION_STATUSES = ['open', 'closed'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * Stock of one balance set aside for a source document. `quantity` is what it still holds (0 once closed); what left
 * it is counted by how: issued (against it), released, or cut (a count found less than was reserved). Reservations
 * are not movements: the ledger does not record them, the balance's `reserved` sums the open ones.
 */
export interface ReservationRecord extends StockIdentity {
  _id: Types.ObjectId;
  /** The balance's organisation. */
  organisationId: Types.ObjectId;
  balanceId: Types.ObjectId;
  unit: string;
  source: ReservationSource;
  status: ReservationStatus;
  quantity: number;
  reservedQuantity: number;
  issuedQuantity: number;
  releasedQuantity: number;
  cutQuantity: number;
  /** After it, the reservation no longer holds stock (it is released by the next reservation of that stock or a job). */
  expiresAt: Date | null;
  note: string | null;
  reservedBy: LedgerActor;
  reservedAt: Date;
  closedAt: Date | null;
  updatedAt: Date;
}

const reservationSchema = new Schema<ReservationRecord>(
  {
    ...identityFields,
    balanceId: { type: Schema.Types.ObjectId, required: true },
    unit: { type: String, required: true },
    source: {
      type: { type: String, required: true },
      id: { type: String, required: true },
      line: { type: String, default: null },
    },
    status: { type: String, enum: RESERVATION_STATUSES, required: true },
    quantity: { type: Number, required: true, min: 0 },
    reservedQuantity: { type: Number, required: true, min: 0 },
    issuedQuantity: { type: Number, required: true, min: 0 },
    releasedQuantity: { type: Number, required: true, min: 0 },
    cutQuantity: { type: Number, required: true, min: 0 },
    expiresAt: { type: Date, default: null },
    note: { type: String, default: null },
    reservedBy: { type: ledgerActorSchema, required: true },
    reservedAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'stock_reservations', versionKey: false },
);

reservationSchema.plugin(ownedByOrganisation);
reservationSchema.index({ organisationId: 1, 'source.type': 1, 'source.id': 1, status: 1 });
reservationSchema.index({ balanceId: 1, status: 1 });
reservationSchema.index({ organisationId: 1, warehouseId: 1, itemId: 1, status: 1 });
reservationSchema.index({ organisationId: 1, reservedAt: -1, _id: -1 });
reservationSchema.index({ status: 1, expiresAt: 1 });

export const StockReservation =
  (mongoose.models.StockReservation as mongoose.Model<ReservationRecord> | undefined) ??
  mongoose.model<ReservationRecord>('StockReservation', reservationSchema);
