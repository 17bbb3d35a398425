/**
 * Ownership of records by organisations, enforced by the database layer itself.
 *
 * `ownedByOrganisation` (a Mongoose schema plugin) gives a model a required, indexed `organisationId` and refuses,
 * before it reaches the database, every query, update, delete, aggregation, insert and bulk write that does not name
 * an organisation: a filter without `organisationId`, a pipeline whose first stage does not match on it, a document
 * inserted without it. Services do not write those filters by hand: they go through `owned(Model, actor)`
 * (scope.ts), which adds the actor's organisation to every filter. Forgetting the scope is therefore not a leak a
 * reviewer must catch but an error every test that reaches the query sees.
 *
 * The few reads that must cross organisations (authentication finds a session's user; a hub's aggregates; the
 * invariant check over every balance) say so, with a reason, inside `acrossOrganisations(reason, fn)`.
 */
import { type Aggregate, type Model, type Schema, Types } from 'mongoose';
import { ContextSlot } from '../../core/async-context';

const crossing = new ContextSlot<string>('crossing');

/**
 * Runs `fn` with the ownership check lifted, for reads that by design span organisations. The reason is for the
 * reader of the code (and the error message of a nested misuse); keep such calls in the access-owning modules.
 */
export function acrossOrganisations<T>(reason: string, fn: () => T): T {
  return crossing.run(reason, fn);
}

/** Thrown for a query that names no organisation: a programming error, answered 500 and caught by the route walk. */
export class UnscopedQueryError extends Error {
  constructor(collection: string, what: string) {
    super(`${what} on ${collection} names no organisation: use owned(Model, actor) from modules/access/scope`);
    this.name = 'UnscopedQueryError';
  }
}

export interface OwnershipOptions {
  /**
   * Fields naming another organisation that a record is addressed to (a shipment's `consigneeOrganisationId`): a
   * filter that names the organisation in one of them, instead of `organisationId`, is scoped too. See scope.ts.
   */
  addressedTo?: readonly string[];
  /**
   * `organisationId` may be null: a deployment-level record (an audit entry of the operator's, a failed login by an
   * unknown email; an operator's user account). Filters must still name it (null included).
   */
  nullable?: boolean;
}

type Filter = Record<string, unknown>;

function namesOrganisation(filter: unknown, fields: readonly string[]): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  const f = filter as Filter;
  if (fields.some((field) => field in f && f[field] !== undefined)) return true;
  if (Array.isArray(f.$and) && f.$and.some((part) => namesOrganisation(part, fields))) return true;
  // Every branch of an $or must be scoped (the owner's records, or those addressed to it).
  return Array.isArray(f.$or) && f.$or.length > 0 && f.$or.every((part) => namesOrganisation(part, fields));
}

const QUERIES = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'replaceOne',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
] as const;

/** The hooks this plugin registers, known by identity: the direct path (scope.ts) does their work itself. */
const ownershipHooks = new WeakSet<object>();

/** True for a hook function registered by `ownedByOrganisation`, and for no other, whatever its name. */
export function isOwnershipHook(fn: unknown): boolean {
  return typeof fn === 'function' && ownershipHooks.has(fn);
}

export function ownedByOrganisation(schema: Schema, options: OwnershipOptions = {}): void {
  const fields = ['organisationId', ...(options.addressedTo ?? [])];
  // Indexes are the model's to declare: its compound indexes lead with organisationId.
  if (!schema.path('organisationId')) {
    schema.add({
      organisationId: options.nullable
        ? { type: Types.ObjectId, default: null }
        : { type: Types.ObjectId, required: true },
    });
  }

  const collection = () => String(schema.get('collection') ?? 'a collection');
  const allowed = () => crossing.get() !== undefined;

  const own = <F extends object>(hook: F): F => {
    ownershipHooks.add(hook);
    return hook;
  };

  schema.pre(
    QUERIES as unknown as 'find'[],
    { document: false, query: true },
    own(function checkFilter() {
      if (allowed()) return;
      const query = this as unknown as { getFilter(): Filter; op?: string };
      if (!namesOrganisation(query.getFilter(), fields))
        throw new UnscopedQueryError(collection(), query.op ?? 'query');
    }),
  );

  schema.pre(
    'aggregate',
    own(function checkPipeline(this: Aggregate<unknown>) {
      if (allowed()) return;
      const first = this.pipeline()[0] as { $match?: Filter } | undefined;
      if (!namesOrganisation(first?.$match, fields)) throw new UnscopedQueryError(collection(), 'aggregate');
    }),
  );

  const hasOwner = (doc: unknown) => {
    const value = (doc as Filter | null)?.organisationId;
    return options.nullable ? value !== undefined : value != null;
  };
  schema.pre(
    'insertMany',
    own(function checkInserts(docs: unknown) {
      if (allowed()) return;
      const list = Array.isArray(docs) ? docs : [docs];
      if (!list.every(hasOwner)) throw new UnscopedQueryError(collection(), 'insertMany');
    }),
  );

  schema.pre(
    'bulkWrite',
    own(function checkBulk(this: Model<unknown>, ops: unknown[]) {
      if (allowed()) return;
      for (const op of ops as Record<string, { filter?: Filter; document?: Filter }>[]) {
        const [kind, body] = Object.entries(op)[0] ?? [];
        const scoped = kind === 'insertOne' ? hasOwner(body?.document) : namesOrganisation(body?.filter, fields);
        if (!scoped) throw new UnscopedQueryError(collection(), `bulkWrite ${kind}`);
      }
    }),
  );
}
