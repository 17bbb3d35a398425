/**
 * Credentials are opaque random strings; the database keeps only their hashes.
 *
 * Why opaque session tokens rather than signed JWTs: a token must stop working the moment its user logs out or is
 * deactivated. A JWT stays valid until it expires unless every request also consults a revocation list, which
 * costs the same database read as looking the session up, and adds a signing key whose theft forges any identity.
 * With opaque tokens the session lookup is the check: revocation, deactivation and expiry take effect on the next
 * request, and nothing about a token can be forged without the database.
 *
 * Session tokens are stored as HMAC-SHA-256(ASAR_TOKEN_SECRET, token). 32 random bytes cannot be recovered from a
 * plain hash either; the secret (the "pepper") adds that someone who can write to the database but does not know the
 * secret cannot plant a session of their own, and rotating the secret signs everyone out at once.
 * API keys are stored as plain SHA-256: they are long-lived, and rotating the token secret must not break every
 * integration. Both are compared by exact lookup of the hash, so no timing-sensitive string comparison happens here.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { config } from '../../config';

const TOKEN_BYTES = 32;
const API_KEY_PREFIX = 'asar_';
/** 32 bytes in base64url, without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const API_KEY_PATTERN = /^asar_[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHmac('sha256', config.auth.tokenSecret).update(token).digest('hex');
}

export function looksLikeSessionToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** `asar_` + 32 random bytes: the prefix lets secret scanners and people recognise a leaked key. */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/** The start of a key kept in clear, so that an admin can tell keys apart in a list: `asar_Ab12Cd`. */
export function apiKeyHint(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
