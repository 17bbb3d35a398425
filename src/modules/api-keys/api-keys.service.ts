/** API keys: created by admins with chosen roles, shown once, stored hashed, revocable. */
import type { QueryFilter } from 'mongoose';
import { notFound } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor, Role } from '../access/permissions';
import { recordAudit } from '../audit/audit.service';
import { apiKeyHint, hashApiKey, newApiKey } from '../auth/tokens';
import { checkRolesAndOrganisation } from '../users/users.service';
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

export async function createApiKey(input: CreateApiKeyInput, actor: Actor): Promise<CreatedApiKey> {
  const organisationId = input.organisationId ?? null;
  const key = newApiKey();
  return withTransaction(async (session) => {
    await checkRolesAndOrganisation(input.roles, organisationId, session);
    const [created] = await ApiKey.create(
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
    const key = await ApiKey.findById(id).session(session);
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

export async function listApiKeys(query: ApiKeyQuery): Promise<Page<ApiKeyDto>> {
  const filter: QueryFilter<ApiKeyRecord> = {};
  if (query.revoked !== undefined) filter.revokedAt = query.revoked ? { $ne: null } : null;
  const page = await paginate(ApiKey, filter, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toApiKeyDto) };
}
