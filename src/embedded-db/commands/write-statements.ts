/**
 * The synchronous core of update, delete and findAndModify: find the documents, compute new versions, write them,
 * all without yielding, inside the transaction the caller provides (see statements.ts for why).
 */
import { ObjectId } from 'bson';
import { mongoError } from '../errors';
import { applyUpdate, isOperatorUpdate, upsertSeed } from '../query/update';
import { type StringCompare, valuesEqual } from '../query/values';
import type { Txn } from '../storage/store-types';
import type { Doc } from '../types';
import { checkDocumentSize } from './document-size';
import { withId } from './insert';

export type UpdateSpec = Doc | Doc[];

export interface UpdateOptions {
  arrayFilters?: Doc[];
  now: Date;
  /** The command's `let` variables, for `$$name` in the filter's `$expr`. */
  variables?: Record<string, unknown>;
  /** The statement's collation (undefined: simple), for the filter and the update operators that compare. */
  collation?: StringCompare;
}

/** Checks the update's shape before any document is touched (so that an empty collection still rejects a bad update). */
export function validateUpdateSpec(u: unknown, multi: boolean): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every((stage) => stage && typeof stage === 'object' && !Array.isArray(stage))) {
      throw mongoError('FailedToParse', 'each element of an update pipeline must be an object');
    }
    return u as Doc[];
  }
  if (!u || typeof u !== 'object') {
    throw mongoError('FailedToParse', 'Update argument must be either an object or an array');
  }
  const doc = u as Doc;
  if (!isOperatorUpdate(doc) && multi && Object.keys(doc).length > 0) {
    throw mongoError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  return doc;
}

function isReplacement(u: UpdateSpec): u is Doc {
  return !Array.isArray(u) && !isOperatorUpdate(u);
}

function checkIdUnchanged(before: Doc, after: Doc): void {
  if (!valuesEqual(before._id, after._id) || !('_id' in after)) {
    throw mongoError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
}

/** Applies `u` to a stored document; returns the new version, or undefined when nothing changed. */
export function updatedVersion(doc: Doc, u: UpdateSpec, query: Doc, options: UpdateOptions): Doc | undefined {
  const result = applyUpdate(doc, u, {
    isUpsertInsert: false,
    arrayFilters: options.arrayFilters,
    query,
    now: options.now,
    collation: options.collation,
  });
  if (!result.changed) return undefined;
  const updated = isReplacement(u) && !('_id' in result.doc) ? { _id: doc._id, ...result.doc } : result.doc;
  checkIdUnchanged(doc, updated);
  return checkDocumentSize(updated, 'update');
}

/** The document an upsert inserts: seeded from the query's equality fields, then updated with $setOnInsert. */
export function upsertDocument(query: Doc, u: UpdateSpec, options: UpdateOptions): Doc {
  const seed = upsertSeed(query);
  if (isReplacement(u)) {
    // A replacement upsert keeps only the query's _id; other query fields are not copied.
    if ('_id' in seed && '_id' in u && !valuesEqual(seed._id, u._id)) {
      throw mongoError('ImmutableField', 'The _id field cannot be changed by an upsert with a differing query _id');
    }
    const { _id, ...rest } = u;
    // A replacement's own `_id: null` is a value like any other; only a missing _id is generated.
    const id = '_id' in seed ? seed._id : _id !== undefined ? _id : new ObjectId();
    return checkDocumentSize(withId({ _id: id, ...rest }), 'upsert');
  }
  const { doc } = applyUpdate(seed, u, {
    isUpsertInsert: true,
    arrayFilters: options.arrayFilters,
    query,
    now: options.now,
    collation: options.collation,
  });
  if ('_id' in seed && !valuesEqual(seed._id, doc._id)) {
    throw mongoError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return checkDocumentSize(withId(doc), 'upsert');
}

export interface UpdateOutcome {
  n: number;
  nModified: number;
  upsertedId?: unknown;
}

export function runUpdateStatement(
  txn: Txn,
  db: string,
  coll: string,
  stmt: { q: Doc; u: UpdateSpec; upsert: boolean; multi: boolean },
  options: UpdateOptions,
): UpdateOutcome {
  const { docs } = txn.find(db, coll, stmt.q, {
    limit: stmt.multi ? undefined : 1,
    variables: options.variables,
    collation: options.collation,
  });
  const targets = stmt.multi ? docs : docs.slice(0, 1);
  if (targets.length === 0) {
    if (!stmt.upsert) return { n: 0, nModified: 0 };
    const doc = upsertDocument(stmt.q, stmt.u, options);
    txn.insert(db, coll, doc);
    return { n: 1, nModified: 0, upsertedId: doc._id };
  }
  let nModified = 0;
  for (const doc of targets) {
    const updated = updatedVersion(doc, stmt.u, stmt.q, options);
    if (!updated) continue;
    txn.replace(db, coll, doc, updated);
    nModified++;
  }
  return { n: targets.length, nModified };
}

export function runDeleteStatement(
  txn: Txn,
  db: string,
  coll: string,
  q: Doc,
  limit: number,
  variables?: Record<string, unknown>,
  collation?: StringCompare,
): number {
  const { docs } = txn.find(db, coll, q, { limit: limit === 1 ? 1 : undefined, variables, collation });
  const targets = limit === 1 ? docs.slice(0, 1) : docs;
  for (const doc of targets) txn.remove(db, coll, doc);
  return targets.length;
}
