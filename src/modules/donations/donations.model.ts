/**
 * Donations: goods received from a donor at a warehouse. A draft may be edited; receiving posts the stock (through
 * the stock service) and freezes the donation; a received donation is corrected only by reversing it (reversing
 * ledger entries), never by editing. draft → received → reversed; draft → cancelled.
 *
 * Line quantities are stored twice: as entered (decimal string + unit, for the receipt) and as integer sub-units of
 * the item (what the stock service posts). Estimated values are integer minor units (tiyn, cents) of their currency.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';
import { CONDITIONS, type Condition, type LedgerActor, ledgerActorSchema } from '../stock';

export const DONATION_STATUSES = ['draft', 'received', 'cancelled', 'reversed'] as const;
export type DonationStatus = (typeof DONATION_STATUSES)[number];
export const CURRENCIES = [
  'KZT',
  'USD',
  'EUR',
  'RUB',
  'CNY',
  'GBP',
  'TRY',
  'KGS',
  'UZS',
  'JPY',
  'KRW',
  'CHF',
  'AED',
] as const;
export type Currency = (typeof CURRENCIES)[number];
/** A donated line's condition is the condition its stock is received in. */
export const LINE_CONDITIONS = CONDITIONS;
export type LineCondition = Condition;

export interface DonationLine {
  itemId: Types.ObjectId;
  /** As entered: an exact decimal string in `enteredUnit`. */
  enteredQuantity: string;
  enteredUnit: string;
  /** Integer sub-units of the item (`unit`). */
  quantity: number;
  unit: string;
  condition: LineCondition;
  lot: string | null;
  expiryDate: Date | null;
  locationCode: string | null;
  /** Estimated value of the whole line, in minor units of `currency`. */
  estimatedValue: { amountMinor: number; currency: Currency } | null;
}

export interface DonationRecord {
  _id: Types.ObjectId;
  number: string;
  status: DonationStatus;
  donorId: Types.ObjectId;
  warehouseId: Types.ObjectId;
  /** The organisation whose warehouse received it. */
  organisationId: Types.ObjectId;
  receivedAt: Date;
  lines: DonationLine[];
  notes: string | null;
  /** Random token printed and encoded in the receipt's QR code, so a receipt can be checked against the record. */
  verificationRef: string;
  createdBy: LedgerActor;
  receivedBy: LedgerActor | null;
  postedAt: Date | null;
  receiptOperationId: Types.ObjectId | null;
  reversalOperationId: Types.ObjectId | null;
  reversedAt: Date | null;
  reversalReason: string | null;
  cancelledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const donationSchema = new Schema<DonationRecord>(
  {
    number: { type: String, required: true },
    status: { type: String, enum: DONATION_STATUSES, required: true, default: 'draft' },
    donorId: { type: Schema.Types.ObjectId, required: true },
    warehouseId: { type: Schema.Types.ObjectId, required: true },
    receivedAt: { type: Date, required: true },
    lines: [
      {
        _id: false,
        itemId: { type: Schema.Types.ObjectId, required: true },
        enteredQuantity: { type: String, required: true },
        enteredUnit: { type: String, required: true },
        quantity: { type: Number, required: true },
        unit: { type: String, required: true },
        condition: { type: String, enum: LINE_CONDITIONS, required: true },
        lot: { type: String, default: null },
        expiryDate: { type: Date, default: null },
        locationCode: { type: String, default: null },
        estimatedValue: {
          type: new Schema(
            {
              amountMinor: { type: Number, required: true },
              currency: { type: String, enum: CURRENCIES, required: true },
            },
            { _id: false },
          ),
          default: null,
        },
      },
    ],
    notes: { type: String, default: null },
    verificationRef: { type: String, required: true },
    createdBy: { type: ledgerActorSchema, required: true },
    receivedBy: { type: ledgerActorSchema, default: null },
    postedAt: { type: Date, default: null },
    receiptOperationId: { type: Schema.Types.ObjectId, default: null },
    reversalOperationId: { type: Schema.Types.ObjectId, default: null },
    reversedAt: { type: Date, default: null },
    reversalReason: { type: String, default: null },
    cancelledAt: { type: Date, default: null },
  },
  { collection: 'donations', timestamps: true, versionKey: false },
);

donationSchema.plugin(ownedByOrganisation);
donationSchema.index({ number: 1 }, { unique: true });
donationSchema.index({ organisationId: 1, receivedAt: -1, _id: -1 });
donationSchema.index({ organisationId: 1, donorId: 1, receivedAt: -1 });
donationSchema.index({ organisationId: 1, warehouseId: 1, receivedAt: -1 });
donationSchema.index({ organisationId: 1, status: 1, receivedAt: -1 });
// The reports' roll-ups fold donations by when they were posted and reversed, and read what came after their
// watermark by the same instants (modules/reports/report-rollups.ts).
donationSchema.index({ organisationId: 1, postedAt: 1 });
donationSchema.index({ organisationId: 1, reversedAt: 1 });

export const Donation =
  (mongoose.models.Donation as mongoose.Model<DonationRecord> | undefined) ??
  mongoose.model<DonationRecord>('Donation', donationSchema);
