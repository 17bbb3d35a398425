/**
 * Physical counts: a snapshot of expected quantities for a warehouse (or one bin), the quantities counted, and on
 * posting the differences as count_correction adjustments. open → posted | cancelled.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';
import { CONDITIONS, type Condition, type LedgerActor, ledgerActorSchema } from './stock.model';

export const COUNT_STATUSES = ['open', 'posted', 'cancelled'] as const;
export type CountStatus = (typeof COUNT_STATUSES)[number];

export interface CountLine {
  balanceId: Types.ObjectId | null;
  locationCode: string | null;
  itemId: Types.ObjectId;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
  unit: string;
  /** On hand per the books (sub-units) when the count started, then when the line was counted; 0 if no balance. */
  expected: number;
  counted: number | null;
  countedAt: Date | null;
  countedBy: string | null;
}

export interface StockCountRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  number: string;
  warehouseId: Types.ObjectId;
  locationCode: string | null;
  status: CountStatus;
  lines: CountLine[];
  startedBy: LedgerActor;
  postedBy: LedgerActor | null;
  postedAt: Date | null;
  cancelledAt: Date | null;
  operationId: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const countSchema = new Schema<StockCountRecord>(
  {
    number: { type: String, required: true },
    warehouseId: { type: Schema.Types.ObjectId, required: true },
    locationCode: { type: String, default: null },
    status: { type: String, enum: COUNT_STATUSES, required: true, default: 'open' },
    lines: [
      {
        _id: false,
        balanceId: { type: Schema.Types.ObjectId, default: null },
        locationCode: { type: String, default: null },
        itemId: { type: Schema.Types.ObjectId, required: true },
        lot: { type: String, default: null },
        expiryDate: { type: Date, default: null },
        condition: { type: String, enum: CONDITIONS, required: true },
        unit: { type: String, required: true },
        expected: { type: Number, required: true },
        counted: { type: Number, default: null },
        countedAt: { type: Date, default: null },
        countedBy: { type: String, default: null },
      },
    ],
    startedBy: { type: ledgerActorSchema, required: true },
    postedBy: { type: ledgerActorSchema, default: null },
    postedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    operationId: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'stock_counts', timestamps: true, versionKey: false },
);

countSchema.plugin(ownedByOrganisation);
countSchema.index({ number: 1 }, { unique: true });
countSchema.index({ organisationId: 1, warehouseId: 1, status: 1, createdAt: -1 });
countSchema.index({ organisationId: 1, createdAt: -1, _id: -1 });

export const StockCount =
  (mongoose.models.StockCount as mongoose.Model<StockCountRecord> | undefined) ??
  mongoose.model<StockCountRecord>('StockCount', countSchema);
