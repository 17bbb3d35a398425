/**
 * Index key extraction: which key tuples a document contributes to an index, with MongoDB's rules for dotted paths,
 * arrays (multikey: one key per element), missing fields (indexed as null) and sparse indexes. Also the wording of
 * duplicate-key errors, which clients parse (Mongoose reads `keyValue`, people read the errmsg).
 */
import { MongoCommandError, mongoError } from '../errors';
import { isPlainObject, keyOf } from '../query/values';
import type { Doc } from '../types';

export interface KeyField {
  path: string;
  parts: string[];
  direction: 1 | -1;
}

/** MongoDB's CannotIndexParallelArrays; not in ErrorCodes yet, so built by number. */
const CANNOT_INDEX_PARALLEL_ARRAYS = 171;

export function keyFieldsOf(pattern: Doc): KeyField[] {
  return Object.entries(pattern).map(([path, dir]) => ({
    path,
    parts: path.split('.'),
    direction: Number(numberOf(dir)) < 0 ? -1 : 1,
  }));
}

function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && 'valueOf' in v) {
    const n = Number((v as { valueOf(): unknown }).valueOf());
    if (!Number.isNaN(n)) return n;
  }
  if (v !== null && typeof v === 'object' && typeof (v as { toString(): string }).toString === 'function') {
    return Number((v as { toString(): string }).toString());
  }
  return Number.NaN;
}

/** True for key pattern values this engine indexes: 1 or -1 as any numeric type (1.0, Int32(1), Long(-1)). */
export function isAscDescValue(v: unknown): boolean {
  const n = numberOf(v);
  return n === 1 || n === -1;
}

const INDEX_PART = /^(0|[1-9][0-9]*)$/;

interface PathState {
  array: boolean;
  found: boolean;
}

/**
 * Values a path reaches, expanding arrays the way mongod's key generator does: an array met on the way is traversed
 * into its sub-documents, an array at the end gives one key per element (an empty one gives `undefined`, as mongod
 * indexes it), and a numeric component selects an array position.
 */
function collect(value: unknown, parts: string[], i: number, out: unknown[], state: PathState): void {
  if (i === parts.length) {
    if (value === undefined) return;
    state.found = true;
    if (Array.isArray(value)) {
      state.array = true;
      if (value.length === 0) out.push(undefined);
      else for (const e of value) out.push(e);
    } else {
      out.push(value);
    }
    return;
  }
  if (Array.isArray(value)) {
    state.array = true;
    const part = parts[i];
    if (INDEX_PART.test(part)) {
      collect(value[Number(part)], parts, i + 1, out, state);
      return;
    }
    for (const e of value) if (isPlainObject(e)) collect(e, parts, i, out, state);
    return;
  }
  if (isPlainObject(value)) collect(value[parts[i]], parts, i + 1, out, state);
}

function dedupe(values: unknown[]): unknown[] {
  if (values.length < 2) return values;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = keyOf(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/**
 * The key tuples of `doc` for an index over `fields`, or null when a sparse index skips the document (none of its
 * fields present). `multikey` reports whether an array was expanded, so the planner knows range bounds on that index
 * cannot be intersected.
 */
export function extractKeys(
  doc: Doc,
  fields: KeyField[],
  sparse: boolean,
): { tuples: unknown[][]; multikey: boolean } | null {
  if (fields.length === 1) {
    // Fast path for the common single-field index.
    const f = fields[0];
    const direct = f.parts.length === 1 ? doc[f.path] : undefined;
    if (direct !== undefined && !Array.isArray(direct)) return { tuples: [[direct]], multikey: false };
    const out: unknown[] = [];
    const state: PathState = { array: false, found: false };
    collect(doc, f.parts, 0, out, state);
    if (!state.found && sparse) return null;
    if (out.length === 0) out.push(null);
    return { tuples: dedupe(out).map((v) => [v]), multikey: state.array };
  }
  const perField: unknown[][] = [];
  let arrayField: string | undefined;
  let anyFound = false;
  for (const f of fields) {
    const out: unknown[] = [];
    const state: PathState = { array: false, found: false };
    collect(doc, f.parts, 0, out, state);
    if (state.array) {
      if (arrayField !== undefined) {
        throw new MongoCommandError(
          CANNOT_INDEX_PARALLEL_ARRAYS,
          `cannot index parallel arrays [${f.path}] [${arrayField}]`,
        );
      }
      arrayField = f.path;
    }
    anyFound ||= state.found;
    if (out.length === 0) out.push(null);
    perField.push(dedupe(out));
  }
  if (!anyFound && sparse) return null;
  // At most one field has several values (the array one), so the product stays linear in its length.
  let tuples: unknown[][] = [[]];
  for (const values of perField) {
    const next: unknown[][] = [];
    for (const t of tuples) for (const v of values) next.push([...t, v]);
    tuples = next;
  }
  return { tuples, multikey: arrayField !== undefined };
}

/** mongod's rendering of a key value inside an errmsg: `{ name: "x" }`, `{ _id: ObjectId('...') }`. */
export function formatKeyValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatKeyValue).join(', ')} ]`;
  if (isPlainObject(v)) {
    const entries = Object.entries(v).map(([k, x]) => `${k}: ${formatKeyValue(x)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  const tag = (v as { _bsontype?: string })._bsontype;
  if (tag === 'ObjectId') return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
  if (tag === 'Long') return `${String(v)}`;
  if (tag === 'Decimal128') return `NumberDecimal("${String(v)}")`;
  if (tag === 'Int32' || tag === 'Double') return String((v as { value: number }).value);
  return String(v);
}

export function duplicateKeyError(ns: string, indexName: string, pattern: Doc, fields: KeyField[], tuple: unknown[]) {
  const keyValue: Doc = {};
  fields.forEach((f, i) => {
    keyValue[f.path] = tuple[i] === undefined ? null : tuple[i];
  });
  const rendered = fields.map((f, i) => `${f.path}: ${formatKeyValue(tuple[i])}`).join(', ');
  return mongoError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${rendered} }`,
    {
      extra: { keyPattern: { ...pattern }, keyValue },
    },
  );
}
