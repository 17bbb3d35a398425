/**
 * Factories for identities: organisations, users with a ready bearer token, API keys. Written straight to the
 * database (no HTTP, no argon2 per user) so that any API test can authenticate in a few milliseconds:
 *
 *   const { token } = await given.user({ role: 'warehouse' });
 *   await t.api.get('/api/v1/stock').set(bearer(token));
 */
import { randomBytes, randomInt } from 'node:crypto';
import { kzCheckDigit } from '../../src/core/kz-identifiers';
import type { Role } from '../../src/modules/access/permissions';
import { ApiKey } from '../../src/modules/api-keys/api-keys.model';
import { type ApiKeyDto, toApiKeyDto } from '../../src/modules/api-keys/api-keys.service';
import { issueSessionOfActiveUser } from '../../src/modules/auth/sessions';
import { apiKeyHint, hashApiKey, newApiKey } from '../../src/modules/auth/tokens';
import { Organisation, type OrganisationType } from '../../src/modules/organisations/organisations.model';
import { type OrganisationDto, toOrganisationDto } from '../../src/modules/organisations/organisations.service';
import { hashPassword } from '../../src/modules/users/passwords';
import { normaliseEmail, User } from '../../src/modules/users/users.model';
import { toUserDto, type UserDto } from '../../src/modules/users/users.service';

/** The password of every factory user unless a test gives its own. */
export const TEST_PASSWORD = 'correct horse battery staple';

let defaultHash: Promise<string> | undefined;
let sequence = 0;

/** A random BIN with a valid check digit. */
export function validBin(): string {
  for (;;) {
    const first11 = Array.from({ length: 11 }, () => randomInt(10)).join('');
    const check = kzCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
}

/** `{ Authorization: 'Bearer …' }` for supertest's `.set()`. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

export function apiKeyHeader(key: string): { 'X-API-Key': string } {
  return { 'X-API-Key': key };
}

export interface GivenOrganisation {
  name?: string;
  type?: OrganisationType;
  bin?: string;
  active?: boolean;
}

let home: OrganisationDto | undefined;

/**
 * The organisation factories use when a test names none: one per test (the database is emptied before each test, so
 * it is created again when it is gone). Tests of isolation create a second one with `given.organisation()`.
 */
async function homeOrganisation(): Promise<OrganisationDto> {
  if (home && (await Organisation.exists({ _id: home.id }))) return home;
  home = await organisation({ name: 'Home test organisation' });
  return home;
}

async function organisation(overrides: GivenOrganisation = {}): Promise<OrganisationDto> {
  sequence += 1;
  const created = await Organisation.create({
    name: `Test organisation ${sequence}`,
    type: 'ngo',
    bin: validBin(),
    contact: {},
    active: true,
    ...overrides,
  });
  return toOrganisationDto(created.toObject());
}

export interface GivenUser {
  role?: Role;
  /** Several roles; wins over `role`. */
  roles?: Role[];
  email?: string;
  name?: string;
  /** Default: the home organisation (none for an operator). */
  organisationId?: string | null;
  active?: boolean;
  /** Hashes this password (slow: argon2) instead of reusing TEST_PASSWORD's hash. */
  password?: string;
  /** Issue a session token (default true). */
  session?: boolean;
}

export interface UserWithToken {
  user: UserDto;
  /** Bearer token of a fresh session; '' when `session: false`. */
  token: string;
  sessionId: string;
}

async function user(options: GivenUser = {}): Promise<UserWithToken> {
  sequence += 1;
  const roles = options.roles ?? [options.role ?? 'admin'];
  let organisationId = options.organisationId;
  if (organisationId === undefined) {
    organisationId = roles.includes('operator') ? null : (await homeOrganisation()).id;
  }
  defaultHash ??= hashPassword(TEST_PASSWORD);
  const passwordHash = await (options.password ? hashPassword(options.password) : defaultHash);
  const created = await User.create({
    email: normaliseEmail(options.email ?? `user${sequence}-${randomBytes(3).toString('hex')}@test.asar`),
    name: options.name ?? `Test user ${sequence}`,
    organisationId,
    roles,
    active: options.active ?? true,
    passwordHash,
  });
  if (options.session === false) return { user: toUserDto(created.toObject()), token: '', sessionId: '' };
  const issued = await issueSessionOfActiveUser(created._id);
  return { user: toUserDto(created.toObject()), token: issued.token, sessionId: issued.sessionId };
}

export interface GivenApiKey {
  roles?: Role[];
  label?: string;
  organisationId?: string | null;
  revoked?: boolean;
}

async function apiKey(options: GivenApiKey = {}): Promise<{ apiKey: ApiKeyDto; key: string }> {
  sequence += 1;
  const key = newApiKey();
  const created = await ApiKey.create({
    label: options.label ?? `Test key ${sequence}`,
    keyHash: hashApiKey(key),
    hint: apiKeyHint(key),
    roles: options.roles ?? ['viewer'],
    organisationId: options.organisationId === undefined ? (await homeOrganisation()).id : options.organisationId,
    createdBy: { kind: 'system', id: 'system', name: 'system' },
    revokedAt: options.revoked ? new Date() : null,
  });
  return { apiKey: toApiKeyDto(created.toObject()), key };
}

export const given = { organisation, homeOrganisation, user, apiKey };
