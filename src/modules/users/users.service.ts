/**
 * User administration: admins create users, change their name, roles, organisation or password, and deactivate
 * or reactivate them. Deactivation and a password change end the user's sessions in the same transaction.
 * Audit entries say which fields changed; names, emails and passwords are personal data or secrets and are
 * never written into them.
 */
import type { ClientSession, QueryFilter } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import { containsText, type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor, Role } from '../access/permissions';
import { describeChanges, recordAudit } from '../audit/audit.service';
import { revokeSessionsOfUsers } from '../auth/sessions';
import { organisationExists } from '../organisations/organisations.service';
import { hashPassword } from './passwords';
import { normaliseEmail, User, type UserRecord } from './users.model';

export interface UserDto {
  id: string;
  email: string;
  name: string;
  organisationId: string | null;
  roles: Role[];
  active: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toUserDto(user: UserRecord): UserDto {
  return {
    id: String(user._id),
    email: user.email,
    name: user.name,
    organisationId: user.organisationId ? String(user.organisationId) : null,
    roles: user.roles,
    active: user.active,
    lastLoginAt: user.lastLoginAt ?? null,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

export interface CreateUserInput {
  email: string;
  name: string;
  organisationId?: string | null;
  roles: Role[];
  password: string;
}

export interface UpdateUserInput {
  name?: string;
  organisationId?: string | null;
  roles?: Role[];
  password?: string;
}

export interface UserQuery extends PageRequest {
  organisationId?: string;
  role?: Role;
  active?: boolean;
  q?: string;
}

/**
 * A coordinator acts for one organisation, so it must belong to one; any referenced organisation must exist.
 * Shared with API keys, which carry roles and an organisation the same way.
 */
export async function checkRolesAndOrganisation(
  roles: readonly Role[],
  organisationId: string | null,
  session: ClientSession | null,
): Promise<void> {
  if (roles.includes('coordinator') && !organisationId) {
    throw new AppError('VALIDATION', 'A coordinator must belong to an organisation', [
      {
        field: 'organisationId',
        message: '"organisationId" is required for the coordinator role',
        type: 'any.required',
      },
    ]);
  }
  if (organisationId && !(await organisationExists(organisationId, session))) {
    throw new AppError('VALIDATION', `Organisation ${organisationId} does not exist`, [
      { field: 'organisationId', message: '"organisationId" must name an existing organisation', type: 'any.invalid' },
    ]);
  }
}

export async function createUser(input: CreateUserInput, actor: Actor): Promise<UserDto> {
  const organisationId = input.organisationId ?? null;
  // Hash before the transaction: it is slow, and the transaction may be retried.
  const passwordHash = await hashPassword(input.password);
  return withTransaction(async (session) => {
    await checkRolesAndOrganisation(input.roles, organisationId, session);
    const [user] = await User.create(
      [{ email: normaliseEmail(input.email), name: input.name, organisationId, roles: input.roles, passwordHash }],
      { session },
    );
    if (!user) throw new Error('user was not created');
    await recordAudit(
      {
        actor,
        action: 'user.create',
        targetType: 'user',
        targetId: user._id,
        organisationId,
        summary: { roles: user.roles, organisationId, active: user.active },
      },
      session,
    );
    return toUserDto(user.toObject());
  });
}

export async function getUser(id: string): Promise<UserDto> {
  const user = await User.findById(id).lean<UserRecord>();
  if (!user) throw notFound('User', id);
  return toUserDto(user);
}

export async function listUsers(query: UserQuery): Promise<Page<UserDto>> {
  const filter: QueryFilter<UserRecord> = {};
  if (query.organisationId) filter.organisationId = query.organisationId;
  if (query.role) filter.roles = query.role;
  if (query.active !== undefined) filter.active = query.active;
  if (query.q) {
    const pattern = containsText(query.q);
    filter.$or = [{ email: pattern }, { name: pattern }];
  }
  const page = await paginate(User, filter, query, { name: 1, _id: 1 });
  return { ...page, data: page.data.map(toUserDto) };
}

export async function updateUser(id: string, input: UpdateUserInput, actor: Actor): Promise<UserDto> {
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return withTransaction(async (session) => {
    const user = await User.findById(id).session(session);
    if (!user) throw notFound('User', id);
    const before = user.toObject();
    const { password: _password, ...changes } = input;
    user.set(changes);
    await checkRolesAndOrganisation(user.roles, user.organisationId ? String(user.organisationId) : null, session);
    if (passwordHash) user.set('passwordHash', passwordHash);
    await user.save({ session });
    // A new password ends the sessions opened with the old one.
    if (passwordHash) await revokeSessionsOfUsers([user._id], session);
    const summary = describeChanges(
      { ...before, organisationId: before.organisationId ? String(before.organisationId) : null },
      changes as Record<string, unknown>,
      { hidden: ['name'] },
    );
    if (passwordHash) summary.changed.password = 'changed';
    await recordAudit(
      {
        actor,
        action: 'user.update',
        targetType: 'user',
        targetId: user._id,
        organisationId: user.organisationId,
        summary,
      },
      session,
    );
    return toUserDto(user.toObject());
  });
}

/** Deactivation takes effect at once: the user's sessions are revoked with it, and login refuses inactive users. */
export async function deactivateUser(id: string, actor: Actor): Promise<UserDto> {
  if (actor.kind === 'user' && actor.id === id) {
    throw new AppError('INVALID_STATE', 'You cannot deactivate your own account', { id });
  }
  return setActive(id, false, actor);
}

export async function reactivateUser(id: string, actor: Actor): Promise<UserDto> {
  return setActive(id, true, actor);
}

async function setActive(id: string, active: boolean, actor: Actor): Promise<UserDto> {
  return withTransaction(async (session) => {
    const user = await User.findByIdAndUpdate(
      id,
      { $set: { active } },
      { session, returnDocument: 'after' },
    ).lean<UserRecord>();
    if (!user) throw notFound('User', id);
    const revokedSessions = active ? 0 : await revokeSessionsOfUsers([user._id], session);
    await recordAudit(
      {
        actor,
        action: active ? 'user.reactivate' : 'user.deactivate',
        targetType: 'user',
        targetId: user._id,
        organisationId: user.organisationId,
        summary: active ? { active } : { active, revokedSessions },
      },
      session,
    );
    return toUserDto(user);
  });
}
