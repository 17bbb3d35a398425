/** Creating, finding and ending login sessions. Used by login/logout, user administration and the test factories. */
import type { ClientSession, Types } from 'mongoose';
import { config } from '../../config';
import { driverCollection } from '../../db/driver';
import { observeReferenceStamps, referenceStampsLookup } from '../../db/reference-cache';
import { type AccountHolder, findAccountHolder } from '../users';
import { Session, type SessionHolderSnapshot, type SessionRecord } from './session.model';
import { hashSessionToken, newSessionToken } from './tokens';

export interface IssuedSession {
  /** The bearer token: given to the client once, never stored. */
  token: string;
  sessionId: string;
  expiresAt: Date;
}

/**
 * A new session for this user, holding the user as `session` reads it (session.model.ts); null when the user may not
 * act: inactive, or its organisation is.
 */
export async function issueSession(
  userId: string | Types.ObjectId,
  session: ClientSession | null,
  { ttlSeconds = config.auth.tokenTtlSeconds, now = new Date() }: { ttlSeconds?: number; now?: Date } = {},
): Promise<IssuedSession | null> {
  const holder = await findAccountHolder(userId, session);
  if (!holder) return null;
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const [created] = await Session.create(
    [{ tokenHash: hashSessionToken(token), userId: holder._id, holder: snapshotOf(holder), expiresAt }],
    { session: session ?? undefined },
  );
  if (!created) throw new Error('session was not created');
  return { token, sessionId: String(created._id), expiresAt };
}

/** For scripts and tests: a session outside a transaction for a user they made active; throws otherwise. */
export async function issueSessionOfActiveUser(userId: string | Types.ObjectId): Promise<IssuedSession> {
  const issued = await issueSession(userId, null);
  if (!issued) throw new Error(`user ${String(userId)} may not act (inactive, or its organisation is)`);
  return issued;
}

function snapshotOf({ name, organisationId, roles }: AccountHolder): SessionHolderSnapshot {
  return { name, organisationId: organisationId ?? null, roles };
}

export type SessionHolder = AccountHolder;

/**
 * The live session for a token and its holder: not revoked, not expired. Its user was active, and so was the user's
 * organisation, when the session was issued, and the users module revokes the session in the transaction that
 * changes either (session.model.ts), so a live session's holder may act. Checked on every request, never cached,
 * so that a logout, a deactivation or a role change takes effect at once in every API process. The same round trip
 * reads the reference caches' stamps for the rest of the request (db/reference-cache.ts).
 */
export async function findLiveSessionOfActiveUser(
  token: string,
  now = new Date(),
): Promise<{ session: Pick<SessionRecord, '_id'>; user: SessionHolder } | null> {
  type Found = Pick<SessionRecord, '_id' | 'userId' | 'holder'> & {
    referenceVersions: { _id: string; stamp: unknown }[];
  };
  // On the driver (db/driver.ts): Mongoose neither casts nor hydrates an aggregate's stages and results anyway.
  const [found] = await driverCollection(Session)
    .aggregate<Found>([
      { $match: { tokenHash: hashSessionToken(token), revokedAt: null, expiresAt: { $gt: now } } },
      { $limit: 1 },
      // The reference caches' stamps, in the same round trip (db/reference-cache.ts).
      referenceStampsLookup(),
      { $project: { userId: 1, holder: 1, referenceVersions: 1 } },
    ])
    .toArray();
  // A session issued before sessions held their user has no snapshot to act on: its user logs in again.
  if (!found?.holder) return null;
  observeReferenceStamps(found.referenceVersions);
  const { name, organisationId, roles } = found.holder;
  return { session: { _id: found._id }, user: { _id: found.userId, name, organisationId, roles } };
}

/** Rewrites the snapshot of this user's live sessions: called in the transaction that changed the user. */
export async function rewriteSessionHolders(user: AccountHolder, session: ClientSession): Promise<void> {
  await Session.updateMany({ userId: user._id, revokedAt: null }, { $set: { holder: snapshotOf(user) } }, { session });
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
