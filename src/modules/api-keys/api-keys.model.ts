/**
 * API keys for scripts and integrations: chosen roles (and organisation), the key shown once at creation and stored
 * only as a SHA-256 hash (see auth/tokens.ts), revocable. Revoked keys are kept so that the audit log's references stay
 * meaningful.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation, ROLES, type Role } from '../access';

export interface ApiKeyRecord {
  _id: Types.ObjectId;
  label: string;
  keyHash: string;
  /** The first characters of the key, to tell keys apart in a list. */
  hint: string;
  roles: Role[];
  organisationId: Types.ObjectId | null;
  createdBy: { kind: string; id: string; name: string };
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const apiKeySchema = new Schema<ApiKeyRecord>(
  {
    label: { type: String, required: true, trim: true },
    keyHash: { type: String, required: true },
    hint: { type: String, required: true },
    roles: { type: [{ type: String, enum: ROLES }], required: true },
    createdBy: { kind: String, id: String, name: String },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'api_keys', timestamps: true, versionKey: false },
);

apiKeySchema.plugin(ownedByOrganisation, { nullable: true });
apiKeySchema.index({ keyHash: 1 }, { unique: true });
apiKeySchema.index({ organisationId: 1, createdAt: -1, _id: -1 });

export const ApiKey =
  (mongoose.models.ApiKey as mongoose.Model<ApiKeyRecord> | undefined) ??
  mongoose.model<ApiKeyRecord>('ApiKey', apiKeySchema);
