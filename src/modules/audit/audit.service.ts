/**
 * Writing and reading the audit log. `recordAudit` is called by every service that changes something, with the
 * session of the transaction that makes the change, so the entry and the change commit or vanish together.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { type Page, type PageRequest, pageOf } from '../../core/pagination';
import { currentRequest } from '../../core/request-context';
import { transactionHoldOf } from '../../db/transaction';
import { type Actor, organisationActor, owned } from '../access';
import { type AuditActorKind, AuditEntry, type AuditEntryRecord } from './audit.model';

/** The caller of a request that identified nobody (a failed login). */
export const ANONYMOUS = 'anonymous' as const;

type Id = string | Types.ObjectId;

export interface AuditInput {
  actor: Actor | typeof ANONYMOUS;
  /** `<area>.<verb>`: 'user.create', 'auth.login', 'apikey.revoke', 'stock.move', ... */
  action: string;
  targetType: string;
  targetId?: Id | null;
  /** The organisation the change concerns; defaults to the actor's. */
  organisationId?: Id | null;
  /** What changed, without passwords, tokens, keys or personal data values (see describeChanges). */
  summary?: Record<string, unknown>;
}

const SECRET_KEY = /password|passphrase|token|secret|api_?key|hash/i;

/** A second line of defence: a summary field named like a secret is never stored, whoever built the summary. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  // BSON values (ObjectId, Decimal128 quantities, Long) as their text, not as their internal fields.
  if ('_bsontype' in value) return String(value);
  // Undefined fields are left out, as Mongoose left them out when it built the entry.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([key, v]) => [key, SECRET_KEY.test(key) ? '[REDACTED]' : withoutSecrets(v)]),
  );
}

interface StoredActor {
  kind: AuditActorKind;
  id: string | null;
  name: string;
  organisationId: string | null;
}

function actorFields(actor: AuditInput['actor']): StoredActor {
  if (actor === ANONYMOUS) return { kind: 'anonymous', id: null, name: 'anonymous', organisationId: null };
  return { kind: actor.kind, id: actor.id, name: actor.name, organisationId: actor.organisationId };
}

function objectIdOrNull(id: Id | null): Types.ObjectId | null {
  if (id === null) return null;
  return typeof id === 'string' ? new Types.ObjectId(id) : id;
}

/** The stored entry, typed and cast as the model declares it (entries are inserted lean, see recordAudits). */
function auditRecord(entry: AuditInput, context: { requestId: string | null; ip: string | null }): AuditEntryRecord {
  const actor = actorFields(entry.actor);
  const organisationId =
    entry.organisationId === undefined
      ? entry.actor === ANONYMOUS
        ? null
        : entry.actor.organisationId
      : entry.organisationId;
  return {
    _id: new Types.ObjectId(),
    actor: { ...actor, organisationId: objectIdOrNull(actor.organisationId) },
    organisationId: objectIdOrNull(organisationId),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId == null ? null : String(entry.targetId),
    summary: withoutSecrets(entry.summary ?? {}) as Record<string, unknown>,
    requestId: context.requestId,
    ip: context.ip,
    at: new Date(),
  };
}

/**
 * Appends one audit entry. Pass the session of the transaction that makes the change; `null` only for events that
 * change nothing else (a failed login). Request id and address come from the request context.
 */
export async function recordAudit(entry: AuditInput, session: ClientSession | null): Promise<void> {
  await recordAudits([entry], session);
}

/**
 * Appends several audit entries in one insert (one round trip), in order; inside a withTransaction transaction, with
 * all the others of that transaction, just before it commits. The entries are built and cast here, so
 * they are inserted lean: no Mongoose document is built and validated per entry on this hot path (every change
 * writes one). The model still refuses every update and delete.
 */
export async function recordAudits(entries: readonly AuditInput[], session: ClientSession | null): Promise<void> {
  if (entries.length === 0) return;
  const context = currentRequest();
  const records = entries.map((entry) => auditRecord(entry, context));
  // In a withTransaction transaction: written with the transaction's other entries just before it commits (one
  // insert for the stock operation's entry and the donation's, say), still inside it.
  const hold = transactionHoldOf(session);
  if (hold) {
    hold.beforeCommit<AuditEntryRecord>('audit', (batch) => insertAudits(batch, session)).push(...records);
    return;
  }
  await insertAudits(records, session);
}

/**
 * Entries of one organisation (a request's, nearly always) go on the scoped direct path (access's `direct()`: the
 * organisation stamped, no Mongoose work); others (an operator's, a failed login's, several organisations') lean
 * through Mongoose, whose ownership check accepts an entry that names its organisation, null included.
 */
async function insertAudits(records: AuditEntryRecord[], session: ClientSession | null): Promise<void> {
  const organisationId = records[0]?.organisationId;
  if (organisationId && records.every((r) => r.organisationId?.equals(organisationId))) {
    await owned(AuditEntry, organisationActor(String(organisationId)))
      .direct()
      .insertMany(records, { session });
    return;
  }
  await AuditEntry.insertMany(records, { session: session ?? undefined, lean: true });
}

export interface ChangeOptions {
  /** Fields whose values are personal data or secrets: the summary says they changed, not to what. */
  hidden?: readonly string[];
}

/**
 * The audit summary of an update: `{ changed: { roles: { from: [...], to: [...] }, name: 'changed' } }` for the
 * fields of `after` whose value differs from `before`. Hidden fields appear as 'changed' without their values.
 */
export function describeChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  { hidden = [] }: ChangeOptions = {},
): { changed: Record<string, unknown> } {
  const changed: Record<string, unknown> = {};
  for (const [field, to] of Object.entries(after)) {
    if (to === undefined) continue;
    const from = before[field];
    if (JSON.stringify(from ?? null) === JSON.stringify(to ?? null)) continue;
    changed[field] = hidden.includes(field) ? 'changed' : { from: from ?? null, to };
  }
  return { changed };
}

export interface AuditQuery extends PageRequest {
  actorId?: string;
  actorKind?: AuditActorKind;
  organisationId?: string;
  targetType?: string;
  targetId?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

/** An entry as the API shows it: the stored record with its ids as strings. */
export type AuditEntryDto = Omit<AuditEntryRecord, '_id' | 'actor' | 'organisationId'> & {
  id: string;
  actor: StoredActor;
  organisationId: string | null;
};

function toDto(entry: AuditEntryRecord): AuditEntryDto {
  return {
    id: String(entry._id),
    actor: {
      kind: entry.actor.kind,
      id: entry.actor.id,
      name: entry.actor.name,
      organisationId: entry.actor.organisationId ? String(entry.actor.organisationId) : null,
    },
    organisationId: entry.organisationId ? String(entry.organisationId) : null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    summary: entry.summary,
    requestId: entry.requestId,
    ip: entry.ip,
    at: entry.at,
  };
}

/**
 * The audit log of the actor's organisation, newest first. `from` is inclusive, `to` exclusive. Another
 * organisation's entries are never listed (naming it in `organisationId` lists nothing).
 */
export async function listAuditEntries(query: AuditQuery, actor: Actor): Promise<Page<AuditEntryDto>> {
  const entries = owned(AuditEntry, actor);
  if (query.organisationId && query.organisationId !== String(entries.organisationId)) {
    return pageOf([], 0, query);
  }
  const filter: QueryFilter<AuditEntryRecord> = {};
  if (query.actorId) filter['actor.id'] = query.actorId;
  if (query.actorKind) filter['actor.kind'] = query.actorKind;
  if (query.targetType) filter.targetType = query.targetType;
  if (query.targetId) filter.targetId = query.targetId;
  if (query.action) filter.action = query.action;
  if (query.from || query.to) {
    filter.at = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
  }
  const page = await entries.paginate(filter, query, { at: -1, _id: -1 });
  return { ...page, data: page.data.map(toDto) };
}
