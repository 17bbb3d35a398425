/**
 * Alerts raised by the scheduled jobs (expiring stock, low stock, a broken stock invariant, an overdue shipment),
 * minimum stock levels that the low-stock job checks, and each organisation's webhooks with their delivery log.
 *
 * An alert is identified by its kind and subject within an organisation. While it is active (open or acknowledged)
 * a second sighting only updates it (last seen, occurrences, severity): a unique partial index on the active ones
 * makes that hold under concurrency too. When the job no longer sees the condition, it resolves the alert; a later
 * recurrence opens a new one.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const ALERT_KINDS = [
  'stock_expiring',
  'stock_low',
  'stock_invariant',
  'shipment_overdue',
  'reservation_expired',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface AlertSubject {
  /** 'warehouse', 'balance', 'shipment', ... */
  type: string;
  id: string;
  /** What a person reads: a warehouse's code and name, an item's SKU. Never personal data. */
  label: string;
}

export interface AlertRecord {
  _id: Types.ObjectId;
  /** The organisation the alert concerns (the warehouse's owner); null for operator-wide alerts. */
  organisationId: Types.ObjectId | null;
  kind: AlertKind;
  severity: Severity;
  subject: AlertSubject;
  /** Identifies the condition within kind and organisation: `warehouse:<id>`, `level:<id>`. */
  subjectKey: string;
  message: string;
  details: Record<string, unknown>;
  status: AlertStatus;
  /** True while open or acknowledged: the unique partial index's condition. */
  active: boolean;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: LedgerActor | null;
  resolvedAt: Date | null;
}

const alertSchema = new Schema<AlertRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, default: null },
    kind: { type: String, enum: ALERT_KINDS, required: true },
    severity: { type: String, enum: SEVERITIES, required: true },
    subject: {
      type: { type: String, required: true },
      id: { type: String, required: true },
      label: { type: String, required: true },
    },
    subjectKey: { type: String, required: true },
    message: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ALERT_STATUSES, required: true },
    active: { type: Boolean, required: true },
    occurrences: { type: Number, required: true },
    firstSeenAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    acknowledgedAt: { type: Date, default: null },
    acknowledgedBy: { type: ledgerActorSchema, default: null },
    resolvedAt: { type: Date, default: null },
  },
  { collection: 'alerts', versionKey: false },
);

alertSchema.index(
  { organisationId: 1, kind: 1, subjectKey: 1 },
  { unique: true, partialFilterExpression: { active: true } },
);
alertSchema.index({ organisationId: 1, status: 1, lastSeenAt: -1, _id: -1 });
alertSchema.index({ kind: 1, active: 1 });

export const Alert =
  (mongoose.models.Alert as mongoose.Model<AlertRecord> | undefined) ??
  mongoose.model<AlertRecord>('Alert', alertSchema);

/** A minimum stock level of an item in a warehouse, set by warehouse staff; the low-stock job compares with it. */
export interface MinimumLevelRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId | null;
  warehouseId: Types.ObjectId;
  itemId: Types.ObjectId;
  /** Integer sub-units of the item (as stock quantities are). */
  minimum: number;
  unit: string;
  setBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

const minimumLevelSchema = new Schema<MinimumLevelRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, default: null },
    warehouseId: { type: Schema.Types.ObjectId, required: true },
    itemId: { type: Schema.Types.ObjectId, required: true },
    minimum: { type: Number, required: true, min: 0 },
    unit: { type: String, required: true },
    setBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'minimum_levels', timestamps: true, versionKey: false },
);
minimumLevelSchema.index({ warehouseId: 1, itemId: 1 }, { unique: true });
minimumLevelSchema.index({ organisationId: 1, warehouseId: 1 });

export const MinimumLevel =
  (mongoose.models.MinimumLevel as mongoose.Model<MinimumLevelRecord> | undefined) ??
  mongoose.model<MinimumLevelRecord>('MinimumLevel', minimumLevelSchema);
