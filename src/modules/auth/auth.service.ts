/**
 * Authentication: login and logout with bearer session tokens, and turning a bearer token or an API key into the
 * Actor a request runs as. See tokens.ts for why tokens are opaque and stored hashed.
 *
 * Every refusal of a login says the same thing ("Email or password is incorrect") whether the email is unknown, the
 * password wrong, or the user or its organisation inactive; an unknown email still costs one argon2 verification so
 * the time taken does not tell either.
 */

import { AppError } from '../../core/errors';
import { withTransaction } from '../../db/transaction';
import { type Actor, permissionsOf, type Role } from '../access';
import type { ApiKeyRecord } from '../api-keys';
import { type ApiKeyDto, findLiveApiKey, getApiKey, recordApiKeyUse } from '../api-keys';
import { ANONYMOUS, recordAudit } from '../audit';
import { organisationIsActive } from '../organisations';
import {
  findActiveUser,
  findUserForLogin,
  normaliseEmail,
  recordLogin,
  toUserDto,
  type UserDto,
  type UserRecord,
  verifyAgainstDummy,
  verifyPassword,
} from '../users';
import type { LoginThrottle, Refusal } from './login-throttle';
import { findLiveSessionOfActiveUser, issueSession, revokeSession } from './sessions';
import { looksLikeApiKey, looksLikeSessionToken } from './tokens';

export const INVALID_CREDENTIALS_MESSAGE = 'Email or password is incorrect';
const API_KEY_USE_RECORD_INTERVAL_MS = 60_000;

export interface LoginInput {
  email: string;
  password: string;
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: UserDto;
}

/** How the current request was authenticated; logout needs the session. */
export type Credential = { kind: 'session'; sessionId: string } | { kind: 'apiKey'; apiKeyId: string };

type Holder = Pick<UserRecord, '_id' | 'organisationId' | 'roles'>;

function actorOf(kind: 'user' | 'apiKey', holder: Holder, name: string): Actor {
  return {
    kind,
    id: String(holder._id),
    name,
    organisationId: holder.organisationId ? String(holder.organisationId) : null,
    roles: holder.roles,
    permissions: permissionsOf(holder.roles),
  };
}

export function userActor(user: Pick<UserRecord, '_id' | 'name' | 'organisationId' | 'roles'>): Actor {
  return actorOf('user', user, user.name);
}

export function apiKeyActor(key: Pick<ApiKeyRecord, '_id' | 'label' | 'organisationId' | 'roles'>): Actor {
  return actorOf('apiKey', key, key.label);
}

/** The operator's account has no organisation; anyone else's must be active. */
async function holderMayAct(organisationId: UserRecord['organisationId']): Promise<boolean> {
  return !organisationId || organisationIsActive(organisationId);
}

type LoginRefusal = 'unknown_account' | 'wrong_password' | 'inactive_user' | 'inactive_organisation';

/** The attempt was counted as a failure when the throttle admitted it: only the audit entry is left to write. */
async function refuseLogin(reason: LoginRefusal, user: UserRecord | null): Promise<never> {
  // No transaction: the failed attempt changes nothing else. The attempted email is not recorded: a mistyped
  // password often lands in the email field, and the email is personal data.
  await recordAudit(
    {
      actor: ANONYMOUS,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user?._id ?? null,
      organisationId: user?.organisationId ?? null,
      summary: { reason },
    },
    null,
  );
  throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS_MESSAGE);
}

const REFUSAL_MESSAGES: Record<Refusal['reason'], string> = {
  pair: 'Too many failed login attempts for this account from this address; wait before trying again',
  address:
    'Too many failed logins on different accounts from this address; only accounts that logged in from here before may try now',
  account: 'Too many failed login attempts for this account; it may log in now only from an address it used before',
};

export interface LoginContext {
  throttle: LoginThrottle;
  /** The caller's address (req.ip): the login limits count per account and address. */
  address: string;
}

export async function login(input: LoginInput, { throttle, address }: LoginContext): Promise<LoginResult> {
  const email = normaliseEmail(input.email);
  const refusal = await throttle.admit(email, address);
  if (refusal) {
    throw new AppError('RATE_LIMITED', REFUSAL_MESSAGES[refusal.reason], {
      retryAfterSeconds: refusal.retryAfterSeconds,
    });
  }

  const user = await findUserForLogin(email);
  if (!user) {
    await verifyAgainstDummy(input.password);
    return refuseLogin('unknown_account', null);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) return refuseLogin('wrong_password', user);
  if (!user.active) return refuseLogin('inactive_user', user);
  if (!(await holderMayAct(user.organisationId))) return refuseLogin('inactive_organisation', user);

  await throttle.recordSuccess(email, address);
  const actor = userActor(user);
  return withTransaction(async (session) => {
    const now = new Date();
    // Written first, so that a change of this user running meanwhile conflicts with this transaction (users.service).
    const updated = await recordLogin(user, now, session);
    // The session holds the user as this transaction sees it: deactivated or suspended meanwhile, there is none.
    const issued = updated && (await issueSession(user._id, session, { now }));
    if (!updated || !issued) throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS_MESSAGE);
    await recordAudit(
      { actor, action: 'auth.login', targetType: 'user', targetId: user._id, summary: { sessionId: issued.sessionId } },
      session,
    );
    return { token: issued.token, expiresAt: issued.expiresAt, user: toUserDto(updated) };
  });
}

/** Ends the session the request came with. An API key is not logged out: it is revoked under /api-keys. */
export async function logout(actor: Actor, credential: Credential): Promise<void> {
  if (credential.kind !== 'session') {
    throw new AppError('UNPROCESSABLE', 'An API key cannot log out; an admin revokes it under /api/v1/api-keys');
  }
  await withTransaction(async (session) => {
    await revokeSession(credential.sessionId, session);
    await recordAudit(
      {
        actor,
        action: 'auth.logout',
        targetType: 'user',
        targetId: actor.id,
        summary: { sessionId: credential.sessionId },
      },
      session,
    );
  });
}

export interface Authenticated {
  actor: Actor;
  credential: Credential;
}

/** The actor behind a bearer token, or null when the token is unknown, expired, revoked, or its user inactive. */
export async function authenticateSessionToken(token: string): Promise<Authenticated | null> {
  if (!looksLikeSessionToken(token)) return null;
  // The session holds its user as it now is: every change of the user or its organisation rewrites or revokes it.
  const found = await findLiveSessionOfActiveUser(token);
  if (!found) return null;
  return { actor: userActor(found.user), credential: { kind: 'session', sessionId: String(found.session._id) } };
}

/** The actor behind an API key, or null when the key is unknown, revoked, or its organisation inactive. */
export async function authenticateApiKey(key: string): Promise<Authenticated | null> {
  if (!looksLikeApiKey(key)) return null;
  const apiKey = await findLiveApiKey(key);
  if (!apiKey || !(await holderMayAct(apiKey.organisationId))) return null;
  await recordApiKeyUse(apiKey, new Date(), API_KEY_USE_RECORD_INTERVAL_MS);
  return { actor: apiKeyActor(apiKey), credential: { kind: 'apiKey', apiKeyId: String(apiKey._id) } };
}

export type Me =
  | { kind: 'user'; user: UserDto; permissions: string[] }
  | { kind: 'apiKey'; apiKey: ApiKeyDto; permissions: string[] }
  | { kind: 'system'; roles: readonly Role[]; permissions: string[] };

export async function describeMe(actor: Actor): Promise<Me> {
  const permissions = [...actor.permissions].sort();
  if (actor.kind === 'user') {
    const user = await findActiveUser(actor.id);
    if (!user) throw new AppError('UNAUTHENTICATED', 'Authentication required');
    return { kind: 'user', user: toUserDto(user), permissions };
  }
  if (actor.kind === 'apiKey') {
    const apiKey = await getApiKey(actor.id, actor);
    if (!apiKey) throw new AppError('UNAUTHENTICATED', 'Authentication required');
    return { kind: 'apiKey', apiKey, permissions };
  }
  return { kind: 'system', roles: actor.roles, permissions };
}
