/**
 * Verification codes: the random code behind every document's QR and the short text printed next to it. A code is
 * not the record's id (ids are guessable from neighbouring ones); it names one document, can be revoked, and
 * resolves on the public page /verify/<code> to what the document's holder may see.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export interface VerificationCodeRecord {
  _id: Types.ObjectId;
  /** 16 Crockford base-32 characters (80 random bits), stored without separators. */
  code: string;
  /** 'donation_receipt', 'waybill', 'manifest', 'household_receipt', ... (see verifiers.ts). */
  documentType: string;
  documentId: string;
  organisationId: Types.ObjectId | null;
  /** True until revoked: one active code per document (unique partial index). */
  active: boolean;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: LedgerActor | null;
  revokeReason: string | null;
}

const verificationCodeSchema = new Schema<VerificationCodeRecord>(
  {
    code: { type: String, required: true },
    documentType: { type: String, required: true },
    documentId: { type: String, required: true },
    organisationId: { type: Schema.Types.ObjectId, default: null },
    active: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    revokedBy: { type: ledgerActorSchema, default: null },
    revokeReason: { type: String, default: null },
  },
  { collection: 'verification_codes', versionKey: false },
);
verificationCodeSchema.index({ code: 1 }, { unique: true });
verificationCodeSchema.index(
  { documentType: 1, documentId: 1 },
  { unique: true, partialFilterExpression: { active: true } },
);
verificationCodeSchema.index({ organisationId: 1, documentType: 1, documentId: 1 });

export const VerificationCode =
  (mongoose.models.VerificationCode as mongoose.Model<VerificationCodeRecord> | undefined) ??
  mongoose.model<VerificationCodeRecord>('VerificationCode', verificationCodeSchema);
