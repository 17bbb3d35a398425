/**
 * Login sessions: one per successful login, found by the hash of its bearer token. A session ends when it expires,
 * when its user logs out (revokedAt), or when its user is deactivated or changes password, or its organisation is
 * deactivated (all revoked).
 * The TTL index lets the database delete sessions once they have expired; expiry itself is checked on every request.
 *
 * Each session holds a snapshot of its account holder (`holder`: what the request's actor is made of), so that
 * authenticating a request reads one document instead of joining the user and its organisation. The snapshot is
 * kept true by one rule, in the users module: every change of what it holds (a user's name or roles) rewrites the
 * user's live sessions, and every change that ends the right to act (deactivating a user or an organisation, a new
 * password) revokes them, in the same transaction as the change. See users.service.ts.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import type { Role } from '../access';

/** What a request's actor is made of, as the account was when the session was issued or last rewritten. */
export interface SessionHolderSnapshot {
  name: string;
  organisationId: Types.ObjectId | null;
  roles: Role[];
}

export interface SessionRecord {
  _id: Types.ObjectId;
  /** See auth/tokens.ts: HMAC of the token, never the token. */
  tokenHash: string;
  userId: Types.ObjectId;
  /** Absent only on sessions issued before snapshots existed: those no longer authenticate (their user logs in again). */
  holder?: SessionHolderSnapshot;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

const sessionSchema = new Schema<SessionRecord>(
  {
    tokenHash: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    holder: {
      type: new Schema<SessionHolderSnapshot>(
        {
          name: { type: String, required: true },
          organisationId: { type: Schema.Types.ObjectId, default: null },
          roles: { type: [String], required: true },
        },
        { _id: false },
      ),
      required: true,
    },
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
