/**
 * The 16 MiB BSON document limit hello advertises, on every document the server is about to store.
 *
 * bson's calculateObjectSize gives the exact size, at a cost (about 1 µs for a four-field stock balance, a few per
 * cent of a conditional `$inc` update: issue 15's bench:db regression) that a limit small documents never come near
 * does not deserve. So a document is first given a quick upper bound of its size (sizeBound: UTF-16 lengths for
 * strings, fixed widths for numbers and BSON values, no UTF-8 encoding); only a document whose bound passes the limit,
 * or that holds a value the bound does not know, is measured exactly.
 */
import { calculateObjectSize } from 'bson';
import { MongoCommandError } from '../errors';
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

/** Throws mongod's error for what `by` stores when `doc` is larger than the limit. */
export function checkDocumentSize(doc: Doc, by: StoredBy): Doc {
  if (sizeBound(doc) <= MAX_BSON_OBJECT_SIZE) return doc;
  const size = calculateObjectSize(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    const { code, message } = TOO_LARGE[by];
    throw new MongoCommandError(code, message(size));
  }
  return doc;
}

/** BSON values of a fixed size, by their `_bsontype`. */
const FIXED_SIZES: Record<string, number> = {
  ObjectId: 12,
  Int32: 4,
  Long: 8,
  Double: 8,
  Timestamp: 8,
  Decimal128: 16,
  MinKey: 0,
  MaxKey: 0,
};

/**
 * At least the BSON size of a document (or array): its length and terminator, and for each element a type byte, its
 * name (at most 3 UTF-8 bytes a UTF-16 unit) and zero, and its value. Infinity for a value it does not size.
 */
function sizeBound(container: Doc | unknown[]): number {
  let bytes = 5;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) bytes += 2 + String(i).length + valueBound(container[i]);
    return bytes;
  }
  for (const key in container) bytes += 2 + 3 * key.length + valueBound(container[key]);
  return bytes;
}

function valueBound(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 5 + 3 * value.length; // int32 length, UTF-8 bytes, zero
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    case 'undefined':
      return 0;
    case 'object': {
      if (value === null) return 0;
      const fixed = FIXED_SIZES[(value as { _bsontype?: string })._bsontype ?? ''];
      if (fixed !== undefined) return fixed;
      if (value instanceof Date) return 8;
      if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) return sizeBound(value as Doc);
      return Number.POSITIVE_INFINITY;
    }
    default:
      return Number.POSITIVE_INFINITY;
  }
}
