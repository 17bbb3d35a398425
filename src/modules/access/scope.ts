/**
 * The one scoped access path to organisation-owned collections. Every service reads and writes owned records through
 * `owned(Model, actor)`:
 *
 *   const warehouses = owned(Warehouse, actor);
 *   const warehouse = await warehouses.findById(id).session(session).lean();   // null when another organisation's
 *   if (!warehouse) throw notFound('Warehouse', id);
 *   await warehouses.create([{ code, name, ... }], { session });               // organisationId set here
 *   await warehouses.findOneAndUpdate({ _id }, { $set: changes }, { session }); // only inside the organisation
 *
 * Every filter gets `organisationId: <the actor's>`, every created document gets it, and an update that tries to
 * change it is refused. A record of another organisation is therefore simply not found: the service answers
 * `notFound(...)`, a 404 worded as for a missing record. The models' ownership plugin (ownership.ts) refuses any query
 * that bypasses this path.
 *
 * An actor without an organisation (the deployment's operator, a script's system actor) has no records: every call
 * answers FORBIDDEN. Scripts act for an organisation with `organisationActor(organisationId)`.
 *
 * Records addressed to another organisation (a shipment consigned to its warehouse) are visible to it only through
 * `owned(Model, actor).addressed()`, and only for the fields the model declared in `addressedTo`: the consignee reads
 * the shipment it receives, never the sender's other records.
 */
import type { CollationOptions } from 'mongodb';
import type { ClientSession, Model, mongo, PipelineStage, QueryFilter, SortOrder, UpdateQuery } from 'mongoose';
import { Types } from 'mongoose';
import { AppError } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
import { driverCollection } from '../../db/driver';
import { isOwnershipHook, ownedByOrganisation } from './ownership';
import type { Actor } from './permissions';

/** The organisation the actor acts for, or FORBIDDEN when it has none. */
export function organisationOf(actor: Actor): Types.ObjectId {
  if (!actor.organisationId) {
    throw new AppError(
      'FORBIDDEN',
      'This account belongs to no organisation, so it has no records; an organisation admin acts for one',
      {},
    );
  }
  return new Types.ObjectId(actor.organisationId);
}

/** True when the record belongs to the actor's organisation. */
export function ownsRecord(actor: Actor, organisationId: Types.ObjectId | string | null | undefined): boolean {
  return actor.organisationId !== null && organisationId != null && String(organisationId) === actor.organisationId;
}

type Filter<T> = QueryFilter<T>;

function refuseOwnerChange(update: unknown): void {
  if (typeof update !== 'object' || update === null) return;
  const parts = Array.isArray(update) ? update : [update];
  for (const part of parts) {
    for (const [key, value] of Object.entries(part as Record<string, unknown>)) {
      const touched = key.startsWith('$') ? Object.keys((value ?? {}) as object) : [key];
      if (touched.includes('organisationId')) {
        throw new AppError('FORBIDDEN', 'A record cannot be moved to another organisation', {
          field: 'organisationId',
        });
      }
    }
  }
}

/**
 * `filter` restricted to the organisation. A filter that itself names an organisation (a list filtered on
 * `organisationId`) keeps it, so that naming another organisation finds nothing rather than the actor's own records.
 */
function scopedFilter<F extends object>(filter: F, organisationId: Types.ObjectId): F {
  const named = (filter as { organisationId?: unknown }).organisationId;
  if (named !== undefined && String(named) !== String(organisationId)) {
    return { $and: [filter, { organisationId }] } as unknown as F;
  }
  return { ...filter, organisationId };
}

/** Documents stamped with the organisation, whatever they said. */
function stamped<D extends object>(docs: readonly D[], organisationId: Types.ObjectId) {
  return docs.map((doc) => ({ ...doc, organisationId }));
}

export class OwnedCollection<T> {
  readonly organisationId: Types.ObjectId;

  constructor(
    readonly model: Model<T>,
    readonly actor: Actor,
  ) {
    this.organisationId = organisationOf(actor);
  }

  /** `filter` restricted to the actor's organisation (see scopedFilter). */
  filter(filter: Filter<T> = {}): Filter<T> {
    return scopedFilter(filter, this.organisationId);
  }

  find(filter: Filter<T> = {}, projection?: Record<string, 0 | 1>) {
    return this.model.find(this.filter(filter), projection);
  }

  findOne(filter: Filter<T> = {}) {
    return this.model.findOne(this.filter(filter));
  }

  /** The record with this id, or null when it does not exist or belongs to another organisation. */
  findById(id: string | Types.ObjectId) {
    return this.model.findOne(this.filter({ _id: id } as Filter<T>));
  }

  exists(filter: Filter<T>) {
    return this.model.exists(this.filter(filter));
  }

  countDocuments(filter: Filter<T> = {}) {
    return this.model.countDocuments(this.filter(filter));
  }

  findOneAndUpdate(
    filter: Filter<T>,
    update: UpdateQuery<T>,
    options: { session?: ClientSession | null; returnDocument?: 'before' | 'after'; upsert?: boolean } = {},
  ) {
    refuseOwnerChange(update);
    return this.model.findOneAndUpdate(this.filter(filter), update, options);
  }

  updateOne(filter: Filter<T>, update: UpdateQuery<T>, options: { session?: ClientSession } = {}) {
    refuseOwnerChange(update);
    return this.model.updateOne(this.filter(filter), update, options);
  }

  updateMany(filter: Filter<T>, update: UpdateQuery<T>, options: { session?: ClientSession } = {}) {
    refuseOwnerChange(update);
    return this.model.updateMany(this.filter(filter), update, options);
  }

  /** Documents stamped with the actor's organisation, whatever they said. */
  stamp<D extends object>(docs: readonly D[]): (D & { organisationId: Types.ObjectId })[] {
    return stamped(docs, this.organisationId);
  }

  create(docs: readonly object[], options: { session?: ClientSession } = {}) {
    return this.model.create(this.stamp(docs) as never[], options);
  }

  /** Inserts documents built in full by the caller (lean: no Mongoose document per record on a hot path). */
  insertMany(docs: readonly object[], options: { session?: ClientSession; lean?: boolean } = {}) {
    return this.model.insertMany(this.stamp(docs) as never[], options);
  }

  bulkWrite(
    ops: readonly Record<string, Record<string, unknown>>[],
    options: { session?: ClientSession; ordered?: boolean } = {},
  ) {
    const scopedOps = ops.map((op) => {
      const [kind, body] = Object.entries(op)[0] as [string, Record<string, unknown>];
      if (kind === 'insertOne') return { insertOne: { document: this.stamp([body.document as object])[0] } };
      refuseOwnerChange(body.update);
      return { [kind]: { ...body, filter: this.filter(body.filter as Filter<T>) } };
    });
    return this.model.bulkWrite(scopedOps as never[], options);
  }

  /** The pipeline, after a first stage that keeps the actor's organisation's records. */
  aggregate<R>(pipeline: PipelineStage[]) {
    return this.model.aggregate<R>([{ $match: { organisationId: this.organisationId } }, ...pipeline]);
  }

  paginate(
    filter: Filter<T>,
    page: PageRequest,
    sort?: Record<string, SortOrder>,
    collation?: CollationOptions,
  ): Promise<Page<T>> {
    return paginate(this.model, this.filter(filter), page, sort, collation);
  }

  /**
   * The same scope on the driver's collection, for a request's hot path (a stock operation's balances and ledger
   * entries, a donation): no Mongoose query, cast, document or middleware per call. See DirectCollection.
   */
  direct(): DirectCollection<T> {
    return new DirectCollection(this.model, this.organisationId);
  }

  /**
   * Reads of records the actor's organisation owns or that are addressed to it through one of the model's declared
   * `addressedTo` fields (ownership.ts): `owned(Shipment, actor).addressed('consigneeOrganisationId').findById(id)`.
   * Only reads: a consignee acts on such a record through the owning module's explicit use case (receiving it).
   */
  addressed(field: string): AddressedReads<T> {
    return new AddressedReads(this.model, this.organisationId, field);
  }
}

export class AddressedReads<T> {
  constructor(
    readonly model: Model<T>,
    readonly organisationId: Types.ObjectId,
    readonly field: string,
  ) {}

  filter(filter: Filter<T> = {}): Filter<T> {
    return {
      ...filter,
      $or: [{ organisationId: this.organisationId }, { [this.field]: this.organisationId }],
    } as Filter<T>;
  }

  find(filter: Filter<T> = {}) {
    return this.model.find(this.filter(filter));
  }

  findById(id: string | Types.ObjectId) {
    return this.model.findOne(this.filter({ _id: id } as Filter<T>));
  }

  paginate(filter: Filter<T>, page: PageRequest, sort?: Record<string, SortOrder>): Promise<Page<T>> {
    return paginate(this.model, this.filter(filter), page, sort);
  }
}

/**
 * What a direct operation may skip of the model's middleware: only what the direct path does itself. The ownership
 * plugin's checks, known by identity (the direct path scopes every filter and stamps every document, as `owned()`
 * does), and Mongoose's own hooks, known by name, that do nothing the direct path needs: timestamps (it sets them,
 * see DirectCollection), sharding without a shard key, transaction tracking of documents it never creates. A Mongoose
 * release that renames one of these makes the direct path refuse the model, loudly, rather than skip a hook silently.
 */
const MONGOOSE_HOOKS_THE_DIRECT_PATH_DOES = new Set([
  '_setTimestampsOnUpdate',
  'shardingPluginPreUpdateOne',
  'shardingPluginPreDeleteOne',
  'trackTransactionPreDeleteOne',
]);

type HookName = 'find' | 'findOneAndUpdate' | 'updateOne' | 'insertMany' | 'bulkWrite';

interface HookList {
  get(name: string): { fn: { name: string } }[] | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: any model, whatever its document type
const refusals = new WeakMap<Model<any>, Map<HookName, string | null>>();

/**
 * Why the model refuses this operation on the direct path (a hook of its own, such as the ledger's immutability or a
 * reference cache's stamp, would not run), or null. Decided once per model and operation.
 */
// biome-ignore lint/suspicious/noExplicitAny: any model, whatever its document type
function directRefusal(model: Model<any>, operation: HookName): string | null {
  let byOperation = refusals.get(model);
  if (!byOperation) {
    byOperation = new Map();
    refusals.set(model, byOperation);
  }
  if (byOperation.has(operation)) return byOperation.get(operation) ?? null;
  const hooks = (model.schema as unknown as { s: { hooks: { _pres: HookList; _posts: HookList } } }).s.hooks;
  const own = [...(hooks._pres.get(operation) ?? []), ...(hooks._posts.get(operation) ?? [])]
    .filter((hook) => !isOwnershipHook(hook.fn) && !MONGOOSE_HOOKS_THE_DIRECT_PATH_DOES.has(hook.fn.name))
    .map((hook) => hook.fn.name || '(anonymous)');
  const owns = (model.schema as unknown as { plugins: { fn: unknown }[] }).plugins.some(
    (plugin) => plugin.fn === ownedByOrganisation,
  );
  const refusal = !owns
    ? `${model.modelName} is not owned by organisations`
    : own.length
      ? `${model.modelName}.${operation} has middleware of its own (${own.join(', ')})`
      : null;
  byOperation.set(operation, refusal);
  return refusal;
}

type DirectUpdate = Record<string, unknown> | Record<string, unknown>[];

interface WriteRules {
  timestamps: boolean;
  /** Top-level fields with a default, as Mongoose's setDefaultsOnInsert gives them to an upserted record. */
  defaults: [string, unknown][];
}

// biome-ignore lint/suspicious/noExplicitAny: any model, whatever its document type
const writeRules = new WeakMap<Model<any>, WriteRules>();

/** What the schema adds to a write, read once per model. */
// biome-ignore lint/suspicious/noExplicitAny: any model, whatever its document type
function writeRulesOf(model: Model<any>): WriteRules {
  let rules = writeRules.get(model);
  if (!rules) {
    const defaults: [string, unknown][] = [];
    model.schema.eachPath((path, type) => {
      const value = (type as unknown as { defaultValue?: unknown }).defaultValue;
      const skipped = path.includes('.') || path === '_id' || path === 'organisationId';
      if (!skipped && value !== undefined) defaults.push([path, value]);
    });
    rules = { timestamps: Boolean(model.schema.get('timestamps')), defaults };
    writeRules.set(model, rules);
  }
  return rules;
}

interface DirectUpdateOptions {
  session?: ClientSession | null;
  upsert?: boolean;
  /**
   * false: the update sets the model's timestamps itself. Required for a pipeline update on a model with
   * timestamps (the direct path adds `updatedAt` only to an update document).
   */
  timestamps?: false;
}

/**
 * An owned collection on the driver: the hot paths' reads and writes without Mongoose's query building, casting,
 * documents and middleware, which cost a request more CPU than its database commands. The scope is the same as
 * OwnedCollection's, by the same code: every filter gets the actor's organisation (`filter`), every inserted document
 * is stamped with it (`stamp`), an update that touches `organisationId` is refused. It is also refused whatever the
 * model's middleware would have done on that operation beyond the scope and timestamps (directRefusal): the ledger's
 * and the audit log's immutability, a reference cache's stamp. What it does not do is cast: filters, updates and
 * documents carry the stored types (ObjectIds, Dates, numbers), as the stock operation builds them.
 *
 * Timestamps, where the schema has them: an update document gets `$set.updatedAt` (and, upserting,
 * `$setOnInsert.createdAt`); an upsert also gets the schema's top-level defaults for the fields neither the filter
 * nor the update names, as Mongoose's setDefaultsOnInsert does.
 */
export class DirectCollection<T> {
  private readonly collection: mongo.Collection;

  constructor(
    readonly model: Model<T>,
    readonly organisationId: Types.ObjectId,
  ) {
    this.collection = driverCollection(model);
  }

  private check(operation: HookName): void {
    const refusal = directRefusal(this.model, operation);
    if (refusal) throw new Error(`${refusal}: use owned(Model, actor) rather than its direct() path`);
  }

  private filter(filter: Record<string, unknown>): mongo.Filter<mongo.Document> {
    return scopedFilter(filter, this.organisationId);
  }

  private update(
    filter: Record<string, unknown>,
    update: DirectUpdate,
    options: DirectUpdateOptions,
    at: Date,
  ): DirectUpdate {
    refuseOwnerChange(update);
    const { timestamps: stamped, defaults } = writeRulesOf(this.model);
    const timestamps = stamped && options.timestamps !== false;
    if (Array.isArray(update)) {
      if (timestamps) throw new Error(`a pipeline update of ${this.model.modelName} sets its timestamps itself`);
      return update;
    }
    if (!timestamps && !(options.upsert && defaults.length)) return update;
    const set = { ...(update.$set as Record<string, unknown> | undefined) };
    const onInsert = { ...(update.$setOnInsert as Record<string, unknown> | undefined) };
    if (timestamps) {
      set.updatedAt ??= at;
      if (options.upsert) onInsert.createdAt ??= at;
    }
    if (options.upsert) {
      const named = (path: string) =>
        path in filter || Object.values(update).some((part) => path in (part as object)) || path in set;
      for (const [path, value] of defaults) {
        if (!(path in onInsert) && !named(path)) onInsert[path] = typeof value === 'function' ? value() : value;
      }
    }
    const result: Record<string, unknown> = { ...update };
    if (Object.keys(set).length) result.$set = set;
    if (Object.keys(onInsert).length) result.$setOnInsert = onInsert;
    return result;
  }

  async find<R = T>(
    filter: Record<string, unknown>,
    options: { session?: ClientSession | null; projection?: Record<string, 0 | 1> } = {},
  ): Promise<R[]> {
    this.check('find');
    const cursor = this.collection.find(this.filter(filter), {
      session: options.session ?? undefined,
      projection: options.projection,
    });
    return (await cursor.toArray()) as R[];
  }

  /** The document before or after the change (`returnDocument`, default after), or null when none matched. */
  async findOneAndUpdate<R = T>(
    filter: Record<string, unknown>,
    update: DirectUpdate,
    options: DirectUpdateOptions & { returnDocument?: 'before' | 'after'; sort?: Record<string, 1 | -1> } = {},
  ): Promise<R | null> {
    this.check('findOneAndUpdate');
    const found = await this.collection.findOneAndUpdate(
      this.filter(filter),
      this.update(filter, update, options, new Date()) as mongo.UpdateFilter<mongo.Document>,
      {
        session: options.session ?? undefined,
        upsert: options.upsert,
        sort: options.sort,
        returnDocument: options.returnDocument ?? 'after',
        includeResultMetadata: false,
      },
    );
    return found as R | null;
  }

  async updateOne(
    filter: Record<string, unknown>,
    update: DirectUpdate,
    options: DirectUpdateOptions = {},
  ): Promise<{ matchedCount: number; modifiedCount: number; upsertedCount: number }> {
    this.check('updateOne');
    return this.collection.updateOne(
      this.filter(filter),
      this.update(filter, update, options, new Date()) as mongo.UpdateFilter<mongo.Document>,
      { session: options.session ?? undefined, upsert: options.upsert },
    );
  }

  /** Inserts documents built in full by the caller, stamped with the organisation. */
  async insertMany(docs: readonly object[], options: { session?: ClientSession | null } = {}): Promise<void> {
    this.check('insertMany');
    if (docs.length === 0) return;
    await this.collection.insertMany(stamped(docs, this.organisationId) as mongo.OptionalId<mongo.Document>[], {
      session: options.session ?? undefined,
    });
  }

  /**
   * Inserts one document built in full by the caller, stamped with the organisation: the driver's insertOne, where
   * its insertMany is a bulk write whose batching and result building cost about 0.1 ms more for the same command.
   * Refused as insertMany is (the same write: an insertMany of one document).
   */
  async insertOne(doc: object, options: { session?: ClientSession | null } = {}): Promise<void> {
    this.check('insertMany');
    await this.collection.insertOne(
      { ...doc, organisationId: this.organisationId },
      {
        session: options.session ?? undefined,
      },
    );
  }

  /** Update operations (`updateOne`, upserting or not) in one round trip, each scoped as `updateOne` is. */
  async bulkUpdate(
    ops: readonly { filter: Record<string, unknown>; update: DirectUpdate; upsert?: boolean }[],
    options: { session?: ClientSession | null; ordered?: boolean } = {},
  ): Promise<void> {
    this.check('bulkWrite');
    const at = new Date();
    await this.collection.bulkWrite(
      ops.map((op) => ({
        updateOne: {
          filter: this.filter(op.filter),
          update: this.update(op.filter, op.update, { upsert: op.upsert }, at) as mongo.UpdateFilter<mongo.Document>,
          upsert: op.upsert,
        },
      })),
      { session: options.session ?? undefined, ordered: options.ordered ?? true },
    );
  }
}

/** The scoped access path to an owned collection, for this actor (FORBIDDEN when it has no organisation). */
export function owned<T>(model: Model<T>, actor: Actor): OwnedCollection<T> {
  return new OwnedCollection(model, actor);
}

/**
 * The actor's ownership filter, `{ organisationId }`, for helpers that take a scope (core/transitions.ts's
 * `guardedChange` and lifecycle steps add it to their read and their guarded write).
 */
export function ownerFilter(actor: Actor): { organisationId: Types.ObjectId } {
  return { organisationId: organisationOf(actor) };
}
