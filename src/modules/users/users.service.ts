/**
 * User administration: an organisation's admins create its users, change their name, roles or password, and
 * deactivate or reactivate them, always inside their own organisation (another organisation's user is not found).
 * The deployment's operator creates an organisation's first admin (createFirstAdmin). Also the users' face for
 * authentication (findUserForLogin, findActiveUser, recordLogin), so that no other module queries the model.
 * Audit entries say which fields changed; names, emails and passwords are personal data or secrets and are never
 * written into them.
 *
 * Sessions hold a snapshot of their user (auth/session.model.ts), kept true by one rule that every write of a user
 * here follows, in the same transaction as the write: a change of what the snapshot holds (name, roles) rewrites the
 * user's live sessions; deactivation, a new password, and the deactivation of the user's organisation revoke them.
 * A new session's snapshot is read in the login's transaction, after the login has written the user (recordLogin),
 * so a login and a concurrent change of the same user are serialised by their write conflict and neither misses
 * the other.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import { containsText, type Page, type PageRequest } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor, Role } from '../access';
import { acrossOrganisations, organisationOf, owned } from '../access';
import { describeChanges, recordAudit } from '../audit';
import { revokeSessionsOfUsers, rewriteSessionHolders } from '../auth';
import { organisationActivityLookup, organisationExists, organisationIsActive } from '../organisations';
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
 * Every role acts for one organisation, so an account must belong to one; only the deployment's `operator` belongs to
 * none, and holds no other role. A referenced organisation must exist. Shared with API keys, which carry roles and an
 * organisation the same way.
 */
export async function checkRolesAndOrganisation(
  roles: readonly Role[],
  organisationId: string | null,
  session: ClientSession | null,
): Promise<void> {
  if (roles.includes('operator') && (roles.length > 1 || organisationId)) {
    throw new AppError('VALIDATION', "The operator role is the deployment's: alone, without an organisation", [
      { field: 'roles', message: '"roles" cannot combine operator with an organisation', type: 'any.invalid' },
    ]);
  }
  if (!roles.includes('operator') && !organisationId) {
    throw new AppError('VALIDATION', 'An account must belong to an organisation', [
      { field: 'organisationId', message: '"organisationId" is required', type: 'any.required' },
    ]);
  }
  if (organisationId && !(await organisationExists(organisationId, session))) {
    throw new AppError('VALIDATION', `Organisation ${organisationId} does not exist`, [
      { field: 'organisationId', message: '"organisationId" must name an existing organisation', type: 'any.invalid' },
    ]);
  }
}

/**
 * An admin creates a user of its own organisation (`organisationId`, when given, must be it); the operator role is
 * never granted here. Scripts pass an organisation's actor (organisationActor) or create the operator explicitly.
 */
export async function createUser(input: CreateUserInput, actor: Actor): Promise<UserDto> {
  const organisationId = input.roles.includes('operator') ? null : String(organisationOf(actor));
  if (input.roles.includes('operator') && !actor.roles.includes('operator')) {
    throw new AppError('FORBIDDEN', "Only the deployment's operator grants the operator role", { field: 'roles' });
  }
  if (input.organisationId != null && input.organisationId !== organisationId) {
    throw new AppError('VALIDATION', 'A user is created in your own organisation', [
      { field: 'organisationId', message: '"organisationId" must be your own organisation', type: 'any.invalid' },
    ]);
  }
  return insertUser({ ...input, organisationId }, actor);
}

/** The operator creates an organisation's first admin (or another admin, when its admins are locked out). */
export async function createFirstAdmin(
  organisationId: string,
  input: Omit<CreateUserInput, 'roles' | 'organisationId'>,
  actor: Actor,
): Promise<UserDto> {
  if (!(await organisationExists(organisationId))) throw notFound('Organisation', organisationId);
  return insertUser({ ...input, roles: ['admin'], organisationId }, actor);
}

async function insertUser(input: CreateUserInput, actor: Actor): Promise<UserDto> {
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

export async function getUser(id: string, actor: Actor): Promise<UserDto> {
  const user = await owned(User, actor).findById(id).lean<UserRecord>();
  if (!user) throw notFound('User', id);
  return toUserDto(user);
}

export async function listUsers(query: UserQuery, actor: Actor): Promise<Page<UserDto>> {
  const filter: QueryFilter<UserRecord> = {};
  if (query.organisationId) filter.organisationId = query.organisationId;
  if (query.role) filter.roles = query.role;
  if (query.active !== undefined) filter.active = query.active;
  if (query.q) {
    const pattern = containsText(query.q);
    filter.$or = [{ email: pattern }, { name: pattern }];
  }
  const page = await owned(User, actor).paginate(filter, query, { name: 1, _id: 1 });
  return { ...page, data: page.data.map(toUserDto) };
}

export async function updateUser(id: string, input: UpdateUserInput, actor: Actor): Promise<UserDto> {
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return withTransaction(async (session) => {
    const user = await owned(User, actor).findById(id).session(session);
    if (!user) throw notFound('User', id);
    if (input.roles?.includes('operator') && !user.roles.includes('operator')) {
      throw new AppError('FORBIDDEN', "Only the deployment's operator grants the operator role", { field: 'roles' });
    }
    if (input.organisationId !== undefined && input.organisationId !== String(user.organisationId)) {
      throw new AppError('VALIDATION', 'A user stays in its organisation', [
        { field: 'organisationId', message: '"organisationId" cannot change', type: 'any.invalid' },
      ]);
    }
    const before = user.toObject();
    const { password: _password, ...changes } = input;
    user.set(changes);
    await checkRolesAndOrganisation(user.roles, user.organisationId ? String(user.organisationId) : null, session);
    if (passwordHash) user.set('passwordHash', passwordHash);
    await user.save({ session });
    // A new password ends the sessions opened with the old one; otherwise they act with the user as it now is.
    if (passwordHash) await revokeSessionsOfUsers([user._id], session);
    else await rewriteSessionHolders(user.toObject(), session);
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
    const user = await owned(User, actor)
      .findOneAndUpdate({ _id: id }, { $set: { active } }, { session, returnDocument: 'after' })
      .lean<UserRecord>();
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

/**
 * Ends the sessions of every user of an organisation (it was deactivated). Each member is written too (its
 * updatedAt), so that a login of a member running meanwhile, which writes its user (recordLogin), conflicts with this
 * transaction instead of issuing a session this one does not see.
 */
export async function endSessionsOfOrganisation(organisationId: Types.ObjectId, session: ClientSession): Promise<void> {
  await User.updateMany({ organisationId }, { $set: { updatedAt: new Date() } }, { session, timestamps: false });
  const members = await User.find({ organisationId }, { _id: 1 }).session(session).lean<{ _id: Types.ObjectId }[]>();
  await revokeSessionsOfUsers(
    members.map((member) => member._id),
    session,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// For authentication: a login names an email, a session a user id, before anyone's organisation is known.

/** The account with this email, with its password hash, in any organisation; null when there is none. */
export function findUserForLogin(email: string): Promise<UserRecord | null> {
  return acrossOrganisations('login finds the account by its email', () =>
    User.findOne({ email: normaliseEmail(email) })
      .select('+passwordHash')
      .lean<UserRecord>()
      .exec(),
  );
}

/** The active user behind a session, or null; its organisation must be active too. */
export async function findActiveUser(id: string | Types.ObjectId): Promise<UserRecord | null> {
  const user = await acrossOrganisations('a session names its user', () =>
    User.findOne({ _id: id, active: true }).lean<UserRecord>().exec(),
  );
  if (!user) return null;
  return !user.organisationId || (await organisationIsActive(user.organisationId)) ? user : null;
}

/** Stamps a successful login; the updated user, or null when it vanished meanwhile. */
export function recordLogin(user: UserRecord, at: Date, session: ClientSession): Promise<UserRecord | null> {
  return User.findOneAndUpdate(
    { _id: user._id, organisationId: user.organisationId },
    { $set: { lastLoginAt: at } },
    { session, returnDocument: 'after' },
  )
    .lean<UserRecord>()
    .exec();
}

/** What a session holds of its account (its snapshot, auth/session.model.ts): who it is and what it may do. */
export type AccountHolder = Pick<UserRecord, '_id' | 'name' | 'organisationId' | 'roles'>;

type JoinedAccount = AccountHolder &
  Pick<UserRecord, 'active'> & { organisation: { _id: Types.ObjectId; active: boolean }[] };

/**
 * The holder of this account when the account is active and so is its organisation (the operator's account has
 * none): the conditions of findActiveUser(), in one round trip; null otherwise. Read in the transaction that issues
 * a session, so that the session's snapshot is the account as that transaction sees it.
 */
export async function findAccountHolder(
  id: string | Types.ObjectId,
  session: ClientSession | null,
): Promise<AccountHolder | null> {
  const [account] = await acrossOrganisations('a session names its user', () =>
    User.aggregate<JoinedAccount>([
      { $match: { _id: new Types.ObjectId(String(id)) } },
      { $project: { name: 1, organisationId: 1, roles: 1, active: 1 } },
      organisationActivityLookup('organisationId', 'organisation'),
    ])
      .session(session)
      .exec(),
  );
  if (!account?.active) return null;
  if (account.organisationId && !account.organisation.some((o) => o.active)) return null;
  const { _id, name, organisationId, roles } = account;
  return { _id, name, organisationId, roles };
}
