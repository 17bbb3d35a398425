/** Creating, finding and ending login sessions. Used by login/logout, user administration and the test factories. */
import type { ClientSession, Types } from 'mongoose';
import { config } from '../../config';
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

/** The live session for a token: not revoked, not expired. */
export async function findLiveSession(token: string, now = new Date()): Promise<SessionRecord | null> {
  return Session.findOne({
    tokenHash: hashSessionToken(token),
    revokedAt: null,
    expiresAt: { $gt: now },
  }).lean<SessionRecord>();
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
