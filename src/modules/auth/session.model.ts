/**
 * Login sessions: one per successful login, found by the hash of its bearer token. A session ends when it expires,
 * when its user logs out (revokedAt), or when its user is deactivated or changes password (all revoked).
 * The TTL index lets the database delete sessions once they have expired; expiry itself is checked on every request.
 */
import mongoose, { Schema, type Types } from 'mongoose';

export interface SessionRecord {
  _id: Types.ObjectId;
  /** See auth/tokens.ts: HMAC of the token, never the token. */
  tokenHash: string;
  userId: Types.ObjectId;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

const sessionSchema = new Schema<SessionRecord>(
  {
    tokenHash: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'sessions', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

sessionSchema.index({ tokenHash: 1 }, { unique: true });
sessionSchema.index({ userId: 1 });
sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const Session =
  (mongoose.models.Session as mongoose.Model<SessionRecord> | undefined) ??
  mongoose.model<SessionRecord>('Session', sessionSchema);
