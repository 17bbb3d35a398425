/**
 * Caches of the reference records every stock request reads and that change rarely: warehouses with their bins,
 * catalog items, donors. A transfer used to read its two warehouses and its item on every request; now it reads
 * them once per change, in every API process.
 *
 * The invalidation rule, the same in one process, in `npm start`'s cluster workers and in several API instances on
 * a replica set: every change of a cached collection writes a new stamp (`reference_versions`, one document per
 * collection, a fresh ObjectId) in the same transaction as the change (the `stampedReference` plugin, on the model,
 * so no writer can forget it). Every authenticated request reads all the stamps in the round trip it already makes
 * (the session lookup's aggregate, modules/auth/sessions.ts) and keeps them in its request context. A cached record
 * is used only while its collection's stamp is the one the request read; otherwise the collection's entries are
 * dropped and read again. So a request that starts after a change has committed (a warehouse renamed, deactivated,
 * a bin closed, an item deactivated) never sees the record as it was before: the next write of every worker checks
 * the new state. A request that started before the change may use the old record, as it could when it read the
 * record itself inside a transaction whose snapshot predated the change.
 *
 * Why a stamp and not a short TTL or cluster IPC: a stale warehouse is not harmless (stock received into a
 * deactivated warehouse), IPC covers one machine's workers only, and the stamp costs no round trip. Stamps are fresh
 * ObjectIds rather than counters, so a collection of stamps cleared and started again can never repeat an old one.
 * Entries also expire after MAX_AGE_MS, a backstop for a change written without a transaction whose process died
 * between the change and its second stamp (see the plugin).
 *
 * Requests that read no stamps (an API key's, a job, a script, a service called directly by a test) do not use the
 * caches: they read the records as before. Ownership is untouched: a record is cached under its organisation and
 * loaded only through `owned()` by the caller's loader, so a request of another organisation never finds it.
 */
import type { ClientSession, PipelineStage, Schema } from 'mongoose';
import mongoose, { Types } from 'mongoose';
import { activeRequest, type RequestContext } from '../core/request-context';

export const REFERENCE_VERSIONS = 'reference_versions';

/** The collections whose records are cached, by the name of their stamp. */
export type ReferenceName = 'warehouses' | 'items' | 'donors';

const MAX_AGE_MS = 5 * 60_000;
/** Per collection: past this many entries the collection's cache starts again (a bound on memory, not a policy). */
const MAX_ENTRIES = 20_000;

type Stamps = ReadonlyMap<string, string>;

/** The stamps each request read, by its request context (a request without context reads none). */
const observed = new WeakMap<RequestContext, Stamps>();

/** The pipeline stage that adds `referenceVersions: [{ _id, stamp }]` to each document of an aggregate. */
export function referenceStampsLookup(): PipelineStage.Lookup {
  return { $lookup: { from: REFERENCE_VERSIONS, pipeline: [{ $project: { stamp: 1 } }], as: 'referenceVersions' } };
}

/** Keeps the stamps read for the current request (by referenceStampsLookup); outside a request, nothing. */
export function observeReferenceStamps(versions: readonly { _id: unknown; stamp?: unknown }[]): void {
  const context = activeRequest();
  if (!context) return;
  observed.set(context, new Map(versions.map((v) => [String(v._id), String(v.stamp)])));
}

/** The stamp of this collection as the current request read it; undefined when it read none. */
function observedStamp(name: ReferenceName): string | undefined {
  const context = activeRequest();
  const stamps = context && observed.get(context);
  if (!stamps) return undefined;
  // No document yet: the collection has not changed since the stamps began; '' stands for that state.
  return stamps.get(name) ?? '';
}

interface Bucket<V> {
  stamp: string;
  entries: Map<string, { value: V; loadedAt: number }>;
}

/** A cache of one collection's records by key, valid under one stamp (see the top of this file). */
export class ReferenceCache<V> {
  private bucket: Bucket<V> = { stamp: '\0', entries: new Map() };

  constructor(readonly name: ReferenceName) {}

  /**
   * The records for these keys: cached ones, and the others from `load` (which must read through `owned()` when
   * the records are owned, and return the records it found by key). Keys `load` does not return are absent (an
   * unknown id is never cached). Without stamps for this request, `load` reads every key.
   */
  async get(keys: readonly string[], load: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const stamp = observedStamp(this.name);
    if (stamp === undefined) return load([...new Set(keys)]);
    if (this.bucket.stamp !== stamp || this.bucket.entries.size > MAX_ENTRIES) {
      this.bucket = { stamp, entries: new Map() };
    }
    const bucket = this.bucket;
    const now = Date.now();
    const found = new Map<string, V>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const entry = bucket.entries.get(key);
      if (entry && now - entry.loadedAt < MAX_AGE_MS) found.set(key, entry.value);
      else missing.push(key);
    }
    if (missing.length === 0) return found;
    const loaded = await load(missing);
    for (const [key, value] of loaded) {
      found.set(key, value);
      // Read after the request read its stamp, so at least as new as it: kept unless the stamp changed meanwhile.
      if (this.bucket === bucket) bucket.entries.set(key, { value: frozen(value), loadedAt: now });
    }
    return found;
  }

  /**
   * Records by id within a scope (an organisation's id for owned records, '' for shared ones): the cached ones, and
   * the others from `load(ids)`, which reads them (through `owned()` for owned records). Answers by the ids given.
   */
  async byId(
    scope: string,
    ids: readonly string[],
    load: (ids: string[]) => Promise<(V & { _id: unknown })[]>,
  ): Promise<Map<string, V>> {
    const keyOf = (id: string) => `${scope}:${id.toLowerCase()}`;
    const found = await this.get(ids.map(keyOf), async (keys) => {
      const records = await load(keys.map((key) => key.slice(scope.length + 1)));
      return new Map<string, V>(records.map((record) => [keyOf(String(record._id)), record]));
    });
    const byId = new Map<string, V>();
    for (const id of ids) {
      const record = found.get(keyOf(id));
      if (record) byId.set(id, record);
    }
    return byId;
  }
}

/** Cached records are shared by every request: frozen, so that a caller changing one fails loudly. */
function frozen<V>(value: V): V {
  if (Array.isArray(value)) {
    for (const element of value) frozen(element);
    return Object.freeze(value);
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const field of Object.values(value)) frozen(field);
    return Object.freeze(value);
  }
  return value;
}

async function writeStamp(name: ReferenceName, session: ClientSession | null | undefined): Promise<void> {
  await mongoose.connection
    .collection(REFERENCE_VERSIONS)
    .updateOne(
      { _id: name as unknown as Types.ObjectId },
      { $set: { stamp: new Types.ObjectId() } },
      { upsert: true, session: session ?? undefined },
    );
}

const CHANGES = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'findOneAndReplace',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
] as const;

type QueryLike = { getOptions(): { session?: ClientSession | null } };

/**
 * The schema plugin of a cached collection: every change through Mongoose writes the collection's new stamp, in
 * the change's own session (the same transaction). A change without a session is stamped before and after it: a
 * request that read the stamp in between and cached the record as it was is caught by the second stamp. insertMany
 * is not stamped: a new record has an id no cache holds (a save, `create`, is, harmlessly).
 */
export function stampedReference(schema: Schema, { name }: { name: ReferenceName }): void {
  schema.pre(CHANGES as unknown as 'updateOne'[], { document: false, query: true }, async function stampBefore() {
    const { session } = (this as unknown as QueryLike).getOptions();
    if (!session) await writeStamp(name, null);
  });
  schema.post(CHANGES as unknown as 'updateOne'[], { document: false, query: true }, async function stampAfter() {
    await writeStamp(name, (this as unknown as QueryLike).getOptions().session);
  });
  schema.pre('bulkWrite', async (_ops: unknown, options?: { session?: ClientSession }) => {
    // Its answer does not say which session it ran in: stamped before, in the same transaction, or refused.
    if (!options?.session)
      throw new Error(`A bulk write of ${name} runs in a transaction (its cache stamp must commit with it)`);
    await writeStamp(name, options.session);
  });
  schema.pre('save', async function stampSaveBefore() {
    if (!this.$session()) await writeStamp(name, null);
  });
  schema.post('save', async (doc) => {
    await writeStamp(name, doc.$session());
  });
}
