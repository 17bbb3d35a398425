/**
 * People who sign in: operator staff and partner NGO coordinators. The email is stored normalised (trimmed,
 * lowercased), so its unique index makes it unique regardless of case.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation, ROLES, type Role } from '../access';

export interface UserRecord {
  _id: Types.ObjectId;
  /** Normalised: see normaliseEmail. */
  email: string;
  name: string;
  /** The organisation the user acts for; null only for the deployment's operators. */
  organisationId: Types.ObjectId | null;
  roles: Role[];
  active: boolean;
  lastLoginAt: Date | null;
  /** argon2id, PHC string. Never selected unless asked for (`+passwordHash`). */
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    email: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    roles: { type: [{ type: String, enum: ROLES }], required: true },
    active: { type: Boolean, required: true, default: true },
    lastLoginAt: { type: Date, default: null },
    passwordHash: { type: String, required: true, select: false },
  },
  { collection: 'users', timestamps: true, versionKey: false },
);

userSchema.plugin(ownedByOrganisation, { nullable: true });
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ organisationId: 1, name: 1 });

export const User =
  (mongoose.models.User as mongoose.Model<UserRecord> | undefined) ?? mongoose.model<UserRecord>('User', userSchema);

/** The form emails are stored and looked up in. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}
