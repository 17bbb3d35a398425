/** Creating, finding and ending login sessions. Used by login/logout, user administration and the test factories. */
import type { ClientSession, Types } from 'mongoose';
import { config } from '../../config';
import { driverCollection } from '../../db/driver';
import { observeReferenceStamps, referenceStampsLookup } from '../../db/reference-cache';
import { type AccountHolder, accountHolderLookup, activeAccountHolder, type JoinedAccount } from '../users';
import { Session, type SessionRecord } from './session.model';
import { hashSessionToken, newSessionToken } from './tokens';

export interface IssuedSession {
  /** The bearer token: given to the client once, never stored. */
  token: string;
  sessionId: string;
  expiresAt: Date;
}

export async function issueSession(
  userId: string | Types.ObjectId,
  session: ClientSession | null,
  { ttlSeconds = config.auth.tokenTtlSeconds, now = new Date() }: { ttlSeconds?: number; now?: Date } = {},
): Promise<IssuedSession> {
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const [created] = await Session.create([{ tokenHash: hashSessionToken(token), userId, expiresAt }], {
    session: session ?? undefined,
  });
  if (!created) throw new Error('session was not created');
  return { token, sessionId: String(created._id), expiresAt };
}

export type SessionHolder = AccountHolder;

/**
 * The live session for a token and its user, when the user is active and so is the user's organisation (the
 * operator's account has none): not revoked, not expired, and the conditions of findActiveUser and
 * organisationIsActive, in one round trip instead of three, since every authenticated request asks. Checked on every
 * request, never cached, so that a logout, a deactivation or a role change takes effect at once in every API process.
 * The account and its organisation are joined by the users module's accountHolderLookup(): this module does not read
 * their collections itself. The same round trip reads the reference caches' stamps for the rest of the request
 * (db/reference-cache.ts).
 */
export async function findLiveSessionOfActiveUser(
  token: string,
  now = new Date(),
): Promise<{ session: Pick<SessionRecord, '_id'>; user: SessionHolder } | null> {
  type Joined = Pick<SessionRecord, '_id'> & {
    holder: JoinedAccount[];
    referenceVersions: { _id: string; stamp: unknown }[];
  };
  // On the driver (db/driver.ts): Mongoose neither casts nor hydrates an aggregate's stages and results anyway.
  const [found] = await driverCollection(Session)
    .aggregate<Joined>([
      { $match: { tokenHash: hashSessionToken(token), revokedAt: null, expiresAt: { $gt: now } } },
      { $limit: 1 },
      accountHolderLookup('userId', 'holder'),
      // The reference caches' stamps, in the same round trip (db/reference-cache.ts).
      referenceStampsLookup(),
      { $project: { holder: 1, referenceVersions: 1 } },
    ])
    .toArray();
  const user = activeAccountHolder(found?.holder);
  if (!found || !user) return null;
  observeReferenceStamps(found.referenceVersions);
  return { session: { _id: found._id }, user };
}

export async function revokeSession(sessionId: string, session: ClientSession | null): Promise<void> {
  await Session.updateOne(
    { _id: sessionId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
    { session: session ?? undefined },
  );
}

/** Ends every live session of these users (deactivation, password change, organisation deactivation). */
export async function revokeSessionsOfUsers(
  userIds: readonly (string | Types.ObjectId)[],
  session: ClientSession | null,
): Promise<number> {
  if (userIds.length === 0) return 0;
  const result = await Session.updateMany(
    { userId: { $in: userIds }, revokedAt: null },
    { $set: { revokedAt: new Date() } },
    { session: session ?? undefined },
  );
  return result.modifiedCount;
}
