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
import type { ClientSession, Model, PipelineStage, QueryFilter, SortOrder, UpdateQuery } from 'mongoose';
import { Types } from 'mongoose';
import { AppError } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
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

export class OwnedCollection<T> {
  readonly organisationId: Types.ObjectId;

  constructor(
    readonly model: Model<T>,
    readonly actor: Actor,
  ) {
    this.organisationId = organisationOf(actor);
  }

  /**
   * `filter` restricted to the actor's organisation. A filter that itself names an organisation (a list filtered on
   * `organisationId`) keeps it, so that naming another organisation finds nothing rather than the actor's own records.
   */
  filter(filter: Filter<T> = {}): Filter<T> {
    const named = (filter as { organisationId?: unknown }).organisationId;
    if (named !== undefined && String(named) !== String(this.organisationId)) {
      return { $and: [filter, { organisationId: this.organisationId }] } as Filter<T>;
    }
    return { ...filter, organisationId: this.organisationId } as Filter<T>;
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
    return docs.map((doc) => ({ ...doc, organisationId: this.organisationId }));
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
