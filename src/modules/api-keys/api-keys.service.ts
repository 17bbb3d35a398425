/**
 * API keys: created by an organisation's admins with chosen roles, for their own organisation, shown once, stored
 * hashed, revocable. Also the keys' face for authentication (findLiveApiKey, recordApiKeyUse).
 */
import type { QueryFilter } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor, Role } from '../access';
import { acrossOrganisations, organisationOf, owned } from '../access';
import { recordAudit } from '../audit';
import { apiKeyHint, hashApiKey, newApiKey } from '../auth';
import { checkRolesAndOrganisation } from '../users';
import { ApiKey, type ApiKeyRecord } from './api-keys.model';

export interface ApiKeyDto {
  id: string;
  label: string;
  hint: string;
  roles: Role[];
  organisationId: string | null;
  createdBy: { kind: string; id: string; name: string };
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export function toApiKeyDto(key: ApiKeyRecord): ApiKeyDto {
  return {
    id: String(key._id),
    label: key.label,
    hint: key.hint,
    roles: key.roles,
    organisationId: key.organisationId ? String(key.organisationId) : null,
    createdBy: { kind: key.createdBy.kind, id: key.createdBy.id, name: key.createdBy.name },
    lastUsedAt: key.lastUsedAt ?? null,
    revokedAt: key.revokedAt ?? null,
    createdAt: key.createdAt,
  };
}

export interface CreateApiKeyInput {
  label: string;
  roles: Role[];
  organisationId?: string | null;
}

/** The new key's record and, this once, the key itself. */
export interface CreatedApiKey {
  apiKey: ApiKeyDto;
  key: string;
}

/** A key acts for its creator's organisation (`organisationId`, when given, must be it), never as the operator. */
export async function createApiKey(input: CreateApiKeyInput, actor: Actor): Promise<CreatedApiKey> {
  const organisationId = String(organisationOf(actor));
  if (input.organisationId != null && input.organisationId !== organisationId) {
    throw new AppError('VALIDATION', 'An API key is created for your own organisation', [
      { field: 'organisationId', message: '"organisationId" must be your own organisation', type: 'any.invalid' },
    ]);
  }
  if (input.roles.includes('operator')) {
    throw new AppError('VALIDATION', 'An API key cannot act as the operator', [
      { field: 'roles', message: '"roles" cannot include operator', type: 'any.invalid' },
    ]);
  }
  const key = newApiKey();
  return withTransaction(async (session) => {
    await checkRolesAndOrganisation(input.roles, organisationId, session);
    const [created] = await owned(ApiKey, actor).create(
      [
        {
          label: input.label,
          keyHash: hashApiKey(key),
          hint: apiKeyHint(key),
          roles: input.roles,
          organisationId,
          createdBy: { kind: actor.kind, id: actor.id, name: actor.name },
        },
      ],
      { session },
    );
    if (!created) throw new Error('API key was not created');
    await recordAudit(
      {
        actor,
        action: 'apikey.create',
        targetType: 'apiKey',
        targetId: created._id,
        organisationId,
        summary: { label: created.label, roles: created.roles, organisationId },
      },
      session,
    );
    return { apiKey: toApiKeyDto(created.toObject()), key };
  });
}

export async function revokeApiKey(id: string, actor: Actor): Promise<ApiKeyDto> {
  return withTransaction(async (session) => {
    const key = await owned(ApiKey, actor).findById(id).session(session);
    if (!key) throw notFound('API key', id);
    // Revoking twice changes nothing and records nothing: the answer is the key as it is.
    if (key.revokedAt) return toApiKeyDto(key.toObject());
    key.revokedAt = new Date();
    await key.save({ session });
    await recordAudit(
      {
        actor,
        action: 'apikey.revoke',
        targetType: 'apiKey',
        targetId: key._id,
        organisationId: key.organisationId,
        summary: { label: key.label },
      },
      session,
    );
    return toApiKeyDto(key.toObject());
  });
}

export interface ApiKeyQuery extends PageRequest {
  revoked?: boolean;
}

export async function listApiKeys(query: ApiKeyQuery, actor: Actor): Promise<Page<ApiKeyDto>> {
  const filter: QueryFilter<ApiKeyRecord> = {};
  if (query.revoked !== undefined) filter.revokedAt = query.revoked ? { $ne: null } : null;
  const page = await owned(ApiKey, actor).paginate(filter, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toApiKeyDto) };
}

/** The API key itself, for "who am I". */
export async function getApiKey(id: string, actor: Actor): Promise<ApiKeyDto | null> {
  const key = await ApiKey.findOne({ _id: id, organisationId: actor.organisationId }).lean<ApiKeyRecord>();
  return key ? toApiKeyDto(key) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// For authentication: a key is found by its hash before its organisation is known.

/** The unrevoked key with this hash, in any organisation; null when there is none. */
export function findLiveApiKey(key: string): Promise<ApiKeyRecord | null> {
  return acrossOrganisations('a key is found by its hash', () =>
    ApiKey.findOne({ keyHash: hashApiKey(key), revokedAt: null })
      .lean<ApiKeyRecord>()
      .exec(),
  );
}

/** lastUsedAt is for admins deciding which keys are dead; a minute's precision spares a write per request. */
export async function recordApiKeyUse(key: ApiKeyRecord, now: Date, intervalMs: number): Promise<void> {
  await ApiKey.updateOne(
    {
      _id: key._id,
      organisationId: key.organisationId,
      $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: new Date(now.getTime() - intervalMs) } }],
    },
    { $set: { lastUsedAt: now } },
  );
}
