/**
 * Sort specifications ({a: 1, 'b.c': -1}) compiled to comparators with MongoDB's semantics: a missing field
 * sorts as null; an array sorts by its smallest element ascending and its largest descending; an empty array
 * sorts below null (mongod keys it as undefined); values of different types follow the BSON order.
 */

import { MongoCommandError, mongoError } from '../errors';
import type { Doc } from '../types';
import { compareValues, isNumber, isPlainObject, type StringCompare, toNumber } from './values';

export type Comparator = (a: Doc, b: Doc) => number;

/** The sort key of an empty array: below null, above MinKey. */
const EMPTY_ARRAY = Symbol('emptyArray');

interface SortField {
  parts: string[];
  direction: 1 | -1;
}

function parseDirection(field: string, value: unknown): 1 | -1 {
  if (isPlainObject(value) && Object.hasOwn(value, '$meta')) {
    throw mongoError('BadValue', `$meta sort ("${field}") is not supported by the embedded database`);
  }
  const n = isNumber(value) ? toNumber(value) : Number.NaN;
  if (n === 1 || n === -1) return n;
  throw new MongoCommandError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
}

function fieldValue(container: unknown, key: string): unknown {
  if (!isPlainObject(container)) return undefined;
  return Object.hasOwn(container, key) ? container[key] : undefined;
}

/** All values a path yields for sorting; a missing field (also inside an array element) yields null. */
function collectKeys(container: unknown, parts: string[], k: number, out: unknown[]): void {
  const v = fieldValue(container, parts[k]);
  if (k === parts.length - 1) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(EMPTY_ARRAY);
      else for (const el of v) out.push(el);
    } else {
      out.push(v === undefined ? null : v);
    }
    return;
  }
  if (Array.isArray(v)) {
    const next = parts[k + 1];
    if (/^[0-9]+$/.test(next)) {
      // A numeric component picks one element, as an index key on "a.0" would.
      collectKeys({ [next]: v[Number(next)] }, parts, k + 1, out);
      return;
    }
    if (v.length === 0) out.push(null);
    for (const el of v) {
      if (isPlainObject(el)) collectKeys(el, parts, k + 1, out);
      else out.push(null);
    }
    return;
  }
  if (isPlainObject(v)) collectKeys(v, parts, k + 1, out);
  else out.push(null);
}

function compareKeys(a: unknown, b: unknown, strings?: StringCompare): number {
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) {
    if (a === b) return 0;
    const other = a === EMPTY_ARRAY ? b : a;
    // The empty-array key sorts after MinKey only.
    const otherIsMinKey = (other as { _bsontype?: unknown } | null)?._bsontype === 'MinKey';
    const emptyFirst = otherIsMinKey ? 1 : -1;
    return a === EMPTY_ARRAY ? emptyFirst : -emptyFirst;
  }
  return compareValues(a, b, strings);
}

/** The one value that represents a document for this field: min ascending, max descending. */
function sortKey(doc: Doc, field: SortField, strings: StringCompare | undefined): unknown {
  if (field.parts.length === 1) {
    const v = fieldValue(doc, field.parts[0]);
    if (!Array.isArray(v)) return v === undefined ? null : v;
  }
  const keys: unknown[] = [];
  collectKeys(doc, field.parts, 0, keys);
  let best = keys[0];
  for (let i = 1; i < keys.length; i++) {
    const c = compareKeys(keys[i], best, strings);
    if (field.direction === 1 ? c < 0 : c > 0) best = keys[i];
  }
  return best;
}

/** `strings` is the operation's collation (undefined: simple); it orders strings wherever they are in the keys. */
export function compileSort(sort: Doc | undefined, strings?: StringCompare): Comparator | undefined {
  if (sort === undefined || sort === null) return undefined;
  if (!isPlainObject(sort)) throw mongoError('TypeMismatch', 'sort must be an object');
  const fields: SortField[] = [];
  for (const [path, value] of Object.entries(sort)) {
    if (path === '$natural') {
      // Natural order is the order the storage returns; a reverse scan cannot be expressed as a comparator.
      if (parseDirection(path, value) === -1)
        throw mongoError('BadValue', '$natural: -1 sort is not supported by the embedded database');
      continue;
    }
    if (path === '') throw new MongoCommandError(40352, 'FieldPath cannot be constructed with empty string');
    if (path.startsWith('$'))
      throw new MongoCommandError(
        16410,
        `FieldPath field names may not start with '$'. Consider using $getField or $setField.`,
      );
    fields.push({ parts: path.split('.'), direction: parseDirection(path, value) });
  }
  if (fields.length === 0) return undefined;
  return (a, b) => {
    for (const field of fields) {
      const c = compareKeys(sortKey(a, field, strings), sortKey(b, field, strings), strings);
      if (c !== 0) return field.direction === 1 ? c : -c;
    }
    return 0;
  };
}

/** Sorts a copy of docs; Array.prototype.sort is stable, so ties keep their input order as in mongod. */
export function sortDocuments(docs: Doc[], sort: Doc | undefined): Doc[] {
  const cmp = compileSort(sort);
  return cmp ? [...docs].sort(cmp) : docs;
}
