/**
 * The 16 MiB BSON document limit hello advertises, on every document the server is about to store.
 *
 * Measuring a document (bson's calculateObjectSize walks all of it) cost a conditional `$inc` update about 2 µs of
 * its 70 µs (issue 15's bench:db regression), for a limit small documents never come near. So the server keeps, for
 * each document an update or an upsert stored, an upper bound of its size: a measured document's size, or the
 * version it replaced's bound plus what the operator update can add (updateGrowthBound). An updated document is
 * measured only when that could pass the limit, or when its previous version has no bound (its first update since it
 * was inserted or read back from disk, a replacement, a pipeline update). Inserted documents get no bound: most are
 * never updated (ledger entries), and a million bounds would cost memory for nothing; the insert command measures
 * only documents from messages that could hold one too large (insert.ts).
 */
import { calculateObjectSize } from 'bson';
import { MongoCommandError } from '../errors';
import { isOperatorUpdate } from '../query/update';
import { isPlainObject } from '../query/values';
import type { Doc } from '../types';
import { MAX_BSON_OBJECT_SIZE } from './hello';

/** What is being stored, for the size-limit error mongod gives in each case. */
export type StoredBy = 'insert' | 'update' | 'upsert';

const TOO_LARGE: Record<StoredBy, { code: number; message: (size: number) => string }> = {
  insert: {
    code: 10334,
    message: (size) => `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
  },
  update: { code: 17419, message: () => `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}` },
  upsert: { code: 17420, message: () => `Document to upsert is larger than ${MAX_BSON_OBJECT_SIZE}` },
};

/** An upper bound of the BSON size of documents the server stored, keyed by the stored object (never mutated). */
const sizeBounds = new WeakMap<Doc, number>();

/**
 * Measures `doc` against the limit; throws mongod's error for what `by` stores. An updated or upserted document's
 * size is kept as its bound, for its next update.
 */
export function checkDocumentSize(doc: Doc, by: StoredBy): Doc {
  const size = calculateObjectSize(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    const { code, message } = TOO_LARGE[by];
    throw new MongoCommandError(code, message(size));
  }
  if (by !== 'insert') sizeBounds.set(doc, size);
  return doc;
}

/**
 * Checks `after`, the new version of the stored `before` made by the update `u`, against the limit, measuring it only
 * when the bound of `before` plus what `u` can add could pass it.
 */
export function checkUpdatedSize(before: Doc, after: Doc, u: Doc | Doc[]): Doc {
  const was = sizeBounds.get(before);
  const growth = was === undefined || Array.isArray(u) || !isOperatorUpdate(u) ? undefined : updateGrowthBound(u);
  if (was === undefined || growth === undefined || was + growth > MAX_BSON_OBJECT_SIZE) {
    return checkDocumentSize(after, 'update');
  }
  sizeBounds.set(after, was + growth);
  return after;
}

/**
 * Bytes an element gains or adds for a new field at `path`: each component may become a new element (type byte, its
 * name of at most 3 UTF-8 bytes a UTF-16 unit, its zero) holding a new subdocument (length and terminator).
 */
const pathBytes = (path: string, components: number) => 3 * path.length + 7 * components;

/** An element's own overhead in an array: type byte, its index of at most 10 digits, and the index's zero. */
const ARRAY_ELEMENT_BYTES = 12;

/** An upper bound of a value's BSON size, without walking it when its type says. */
function valueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 5 + 3 * value.length;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    case 'undefined':
      return 0;
  }
  if (value === null) return 0;
  // Fixed-size BSON values (ObjectId, Long, Int32, Double, Decimal128, Timestamp, Date) are at most 16 bytes; any
  // other (a subdocument, an array, Binary, a regex, code) is measured in a one-field document of its own.
  const bsontype = (value as { _bsontype?: unknown })._bsontype;
  if (value instanceof Date || bsontype === 'ObjectId' || bsontype === 'Long' || bsontype === 'Int32') return 16;
  if (bsontype === 'Double' || bsontype === 'Decimal128' || bsontype === 'Timestamp') return 16;
  return calculateObjectSize({ v: value });
}

/** Operators whose effect on a field is bounded by their argument; a `$`-free, index-free path is required. */
function fieldGrowth(op: string, path: string, arg: unknown): number | undefined {
  // A numeric component may pad an array with nulls up to that index, and a positional one ($, $[], $[id]) may set
  // every element: their growth is not bounded by the update's own size. Those paths are measured.
  let components = 1;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 46)
      components++; // '.'
    else if (c === 36 || ((i === 0 || path.charCodeAt(i - 1) === 46) && c >= 48 && c <= 57)) return undefined; // '$', digit
  }
  const created = pathBytes(path, components);
  switch (op) {
    case '$unset':
    case '$pull':
    case '$pullAll':
    case '$pop':
      return 0;
    case '$inc':
    case '$mul':
    case '$bit':
    case '$currentDate':
      // The result is a number, a date or a timestamp: at most 16 bytes, in a field that may be new.
      return created + 16;
    case '$set':
    case '$setOnInsert':
    case '$min':
    case '$max':
      return created + valueBytes(arg);
    case '$rename':
      // The value moves; only its new path's elements are added.
      return typeof arg === 'string' ? pathBytes(arg, arg.split('.').length) : undefined;
    case '$push':
    case '$addToSet': {
      if (!isPlainObject(arg) || !Object.hasOwn(arg, '$each')) return created + ARRAY_ELEMENT_BYTES + valueBytes(arg);
      const each = arg.$each;
      if (!Array.isArray(each)) return undefined;
      let bytes = created;
      for (const item of each) bytes += ARRAY_ELEMENT_BYTES + valueBytes(item);
      return bytes;
    }
    default:
      return undefined;
  }
}

/**
 * How many bytes an operator update can add to any document it applies to, or undefined when that is not bounded by
 * the update itself (a numeric or positional path, an unknown operator: the caller then measures the result).
 */
export function updateGrowthBound(u: Doc): number | undefined {
  let total = 0;
  for (const op in u) {
    const fields = u[op];
    if (!isPlainObject(fields)) return undefined;
    for (const path in fields) {
      const growth = fieldGrowth(op, path, fields[path]);
      if (growth === undefined) return undefined;
      total += growth;
    }
  }
  return total;
}
