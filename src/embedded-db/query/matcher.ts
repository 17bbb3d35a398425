/**
 * The query language: compiles a filter document once into a closure that tests documents, with MongoDB's
 * array semantics (a path reaches through arrays of documents; a leaf array matches when it or any element does),
 * type bracketing for comparisons, and MongoDB's error codes for malformed or unsupported filters.
 *
 * Path traversal follows mongod's BSONElementIterator: a missing field is visited as `undefined` (so
 * `{a: null}` matches it), scalars inside an array on the way to a deeper field are skipped, and a numeric
 * component both indexes an array and names a field of its element documents.
 */

// The aggregation module imports this one and this one imports it back (for $expr). The cycle is safe because
// neither uses the other at load time, only when a filter is compiled.
import { evaluate } from '../aggregation/expressions';
import { MongoCommandError, mongoError } from '../errors';
import type { Doc } from '../types';
import {
  BSON_TYPE_CODES,
  type BsonTypeName,
  binaryBytes,
  bsonType,
  compareValues,
  isNaNValue,
  isNumber,
  isPlainObject,
  keyOf,
  type StringCompare,
  simpleNumber,
  toNumber,
  typeRank,
} from './values';

export type Predicate = (doc: Doc) => boolean;

export interface FilterOptions {
  variables?: Record<string, unknown>;
  /** $$NOW for $expr; defaults to the time the filter is compiled. */
  now?: Date;
  /** A collation's string order (see collation.ts); undefined is the simple collation. */
  collation?: StringCompare;
}

/** Called for each value a path reaches; `undefined` means the path is missing there. True stops the walk. */
type Visit = (v: unknown) => boolean;
/** Walks a path from a root value, calling visit; `expandLeaf` also visits the elements of a leaf array. */
type Traverse = (root: unknown, visit: Visit, expandLeaf: boolean) => boolean;
/** A compiled operator: tests a root (a document, or one array element for value-form $elemMatch). */
type Test = (root: unknown) => boolean;

interface CompileContext {
  options: FilterOptions;
  now: Date;
}

// ---------------------------------------------------------------------------------------------------------------
// Path traversal
// ---------------------------------------------------------------------------------------------------------------

function isIndexKey(key: string): boolean {
  return key.length > 0 && key.length < 10 && /^[0-9]+$/.test(key);
}

/** A subdocument that paths descend into (a plain object or a DBRef). */
function isSubdocument(v: unknown): v is object {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return false;
  const tag = (v as { _bsontype?: unknown })._bsontype;
  return tag === undefined || tag === 'DBRef';
}

/** A field of a subdocument (or of an array treated as a document with keys "0", "1", ...). */
function childOf(container: unknown, key: string): unknown {
  if (container === null || typeof container !== 'object') return undefined;
  if (Array.isArray(container)) return isIndexKey(key) ? container[Number(key)] : undefined;
  const tag = (container as { _bsontype?: unknown })._bsontype;
  if (tag !== undefined) {
    if (tag !== 'DBRef') return undefined;
    const ref = container as { collection: string; oid: unknown; db?: string; fields: Record<string, unknown> };
    if (key === '$ref') return ref.collection;
    if (key === '$id') return ref.oid;
    if (key === '$db') return ref.db;
    return ref.fields?.[key];
  }
  const v = (container as Record<string, unknown>)[key];
  // Never read through the prototype (a field named "constructor" or "__proto__" that the document lacks).
  if (v !== undefined && (typeof v === 'function' || key === '__proto__') && !Object.hasOwn(container, key)) {
    return undefined;
  }
  return v;
}

function visitLeaf(v: unknown, visit: Visit, expandLeaf: boolean): boolean {
  if (expandLeaf && Array.isArray(v)) {
    for (const el of v) if (visit(el)) return true;
  }
  return visit(v);
}

function walk(container: unknown, parts: string[], start: number, visit: Visit, expandLeaf: boolean): boolean {
  let cur = container;
  for (let k = start; ; k++) {
    const v = childOf(cur, parts[k]);
    if (k === parts.length - 1) return visitLeaf(v, visit, expandLeaf);
    if (Array.isArray(v)) return walkArray(v, parts, k + 1, visit, expandLeaf);
    if (!isSubdocument(v)) return visit(undefined);
    cur = v;
  }
}

/** An array met before the end of the path; parts[k] is the next component. */
function walkArray(arr: unknown[], parts: string[], k: number, visit: Visit, expandLeaf: boolean): boolean {
  const piece = parts[k];
  const index = isIndexKey(piece) ? Number(piece) : -1;
  const last = k === parts.length - 1;
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i];
    if (isSubdocument(el) && walk(el, parts, k, visit, expandLeaf)) return true;
    if (i !== index) continue;
    if (last) {
      if (visit(el)) return true;
    } else if (Array.isArray(el)) {
      if (walkArray(el, parts, k + 1, visit, expandLeaf)) return true;
    } else if (isSubdocument(el) && walk(el, parts, k + 1, visit, expandLeaf)) {
      return true;
    }
  }
  return false;
}

function makeTraverse(path: string): Traverse {
  const parts = path.split('.');
  if (parts.length === 1) {
    const key = parts[0];
    return (root, visit, expandLeaf) => visitLeaf(childOf(root, key), visit, expandLeaf);
  }
  return (root, visit, expandLeaf) => walk(root, parts, 0, visit, expandLeaf);
}

/** The root value itself: value-form $elemMatch tests each element with no further traversal. */
const selfTraverse: Traverse = (root, visit) => visit(root);

// ---------------------------------------------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------------------------------------------

const REGEX_FLAGS = new Set(['i', 'm', 's', 'x', 'u']);

/** PCRE's extended mode ("x"): drop unescaped whitespace and #-comments outside character classes. */
export function stripExtended(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** A JS RegExp for a MongoDB (PCRE) pattern and options; throws MongoDB's errors for bad input. */
export function toJsRegExp(pattern: string, options: string): RegExp {
  let flags = '';
  let source = pattern;
  for (const f of options) {
    if (!REGEX_FLAGS.has(f)) throw new MongoCommandError(51108, `invalid flag in regex options: ${f}`);
    if (f === 'x') source = stripExtended(source);
    else if (f !== 'u' && !flags.includes(f)) flags += f;
  }
  // Unicode mode gives code-point semantics like PCRE's UTF-8 mode, but rejects some escapes PCRE accepts.
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (err) {
      throw new MongoCommandError(51091, `Regular expression is invalid: ${(err as Error).message}`);
    }
  }
}

interface RegexSpec {
  pattern: string;
  options: string;
}

function regexSpecOf(v: unknown): RegexSpec | undefined {
  if (v instanceof RegExp) return { pattern: v.source, options: v.flags.replace(/[gyu]/g, '') };
  if (v !== null && typeof v === 'object' && (v as { _bsontype?: unknown })._bsontype === 'BSONRegExp') {
    const r = v as { pattern: string; options: string };
    return { pattern: r.pattern, options: r.options };
  }
  return undefined;
}

/** Regex match semantics: strings and symbols are tested; a stored regex matches only an identical regex. */
function regexVisitor(spec: RegexSpec): Visit {
  const re = toJsRegExp(spec.pattern, spec.options);
  return (v) => {
    if (typeof v === 'string') return re.test(v);
    if (v === null || typeof v !== 'object') return false;
    const t = bsonType(v);
    if (t === 'symbol') return re.test(String((v as { value: string }).value ?? v));
    if (t === 'regex') {
      const other = regexSpecOf(v);
      return other !== undefined && other.pattern === spec.pattern && other.options === spec.options;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Leaf tests
// ---------------------------------------------------------------------------------------------------------------

/** Equality with MongoDB semantics (null also matches missing), with fast paths for common operand types. */
function equalityVisitor(operand: unknown, strings?: StringCompare): Visit {
  if (operand === null || operand === undefined) return (v) => v === null || v === undefined;
  if (strings) {
    // Under a collation any string inside the operand compares by it; the fast paths below are binary.
    const rank = typeRank(operand);
    return (v) => v !== undefined && typeRank(v) === rank && compareValues(v, operand, strings) === 0;
  }
  if (typeof operand === 'string') {
    return (v) =>
      v === operand || (typeof v === 'object' && v !== null && bsonType(v) === 'symbol' && String(v) === operand);
  }
  if (typeof operand === 'boolean') return (v) => v === operand;
  const rank = typeRank(operand);
  const generic: Visit = (v) => v !== undefined && typeRank(v) === rank && compareValues(v, operand) === 0;
  const x = simpleNumber(operand);
  if (x === undefined || Number.isNaN(x)) return generic;
  // Int32/Double against a plain number is the common case; Long and Decimal128 take the exact path.
  return (v) => {
    const n = simpleNumber(v);
    return n === undefined ? generic(v) : n === x;
  };
}

type ComparisonOp = '$lt' | '$lte' | '$gt' | '$gte';
const MIN_KEY_RANK = typeRank({ _bsontype: 'MinKey' });
const MAX_KEY_RANK = typeRank({ _bsontype: 'MaxKey' });

/** $lt/$lte/$gt/$gte: only values of the operand's canonical type compare (type bracketing); NaN only equals NaN. */
function comparisonVisitor(op: ComparisonOp, operand: unknown, strings?: StringCompare): Visit {
  const rank = typeRank(operand);
  const acceptsEqual = op === '$lte' || op === '$gte';
  const wantsLess = op === '$lt' || op === '$lte';
  if (rank === MAX_KEY_RANK || rank === MIN_KEY_RANK) {
    // Every value is below MaxKey and above MinKey.
    const otherTypes = rank === MAX_KEY_RANK ? wantsLess : !wantsLess;
    return (v) => (typeRank(v) === rank ? acceptsEqual : otherTypes);
  }
  const operandNaN = isNaNValue(operand);
  const generic: Visit = (v) => {
    if (typeRank(v) !== rank) return false;
    if (operandNaN || isNaNValue(v)) return acceptsEqual && operandNaN && isNaNValue(v);
    const c = compareValues(v, operand, strings);
    if (c === 0) return acceptsEqual;
    return wantsLess ? c < 0 : c > 0;
  };
  const x = simpleNumber(operand);
  if (x === undefined || Number.isNaN(x)) return generic;
  // Fast path for the common case of int/double against a plain number; NaN compares false below, as it must.
  switch (op) {
    case '$lt':
      return (v) => {
        const n = simpleNumber(v);
        return n === undefined ? generic(v) : n < x;
      };
    case '$lte':
      return (v) => {
        const n = simpleNumber(v);
        return n === undefined ? generic(v) : n <= x;
      };
    case '$gt':
      return (v) => {
        const n = simpleNumber(v);
        return n === undefined ? generic(v) : n > x;
      };
    default:
      return (v) => {
        const n = simpleNumber(v);
        return n === undefined ? generic(v) : n >= x;
      };
  }
}

/** $in: a hash lookup for plain values, plus regex tests; `null` in the list also matches missing. */
function inVisitor(list: unknown[], opName: string, collation?: StringCompare): Visit {
  // Plain strings (the common case) are looked up as themselves; everything else by its canonical key.
  const strings = new Set<string>();
  const keys = new Set<string>();
  const regexes: Visit[] = [];
  for (const item of list) {
    if (isPlainObject(item) && Object.keys(item).some((k) => k.startsWith('$'))) {
      const first = Object.keys(item)[0];
      if (first !== '$ref' && first !== '$id' && first !== '$db')
        throw mongoError('BadValue', `cannot nest $ under ${opName}`);
    }
    const spec = regexSpecOf(item);
    if (spec) regexes.push(regexVisitor(spec));
    else if (typeof item === 'string') strings.add(item);
    else keys.add(keyOf(item));
  }
  const hasSymbols = strings.size > 0;
  const byValue: Visit = (v) => {
    if (typeof v === 'string') return strings.has(v);
    if (keys.size > 0 && keys.has(keyOf(v))) return true;
    // A symbol equals the string with the same text.
    return hasSymbols && typeof v === 'object' && v !== null && bsonType(v) === 'symbol' && strings.has(String(v));
  };
  if (collation) {
    // Under a collation the list is compared item by item (equal strings need not be equal text).
    const equals = list.filter((item) => !regexSpecOf(item)).map((item) => equalityVisitor(item, collation));
    return (v) => equals.some((e) => e(v)) || regexes.some((r) => r(v));
  }
  if (regexes.length === 0) return byValue;
  return (v) => byValue(v) || regexes.some((r) => r(v));
}

const TYPE_NAMES = new Set<string>(Object.keys(BSON_TYPE_CODES));
const TYPE_BY_CODE = new Map<number, BsonTypeName>(
  Object.entries(BSON_TYPE_CODES).map(([name, code]) => [code, name as BsonTypeName]),
);
const NUMERIC_TYPES: BsonTypeName[] = ['double', 'int', 'long', 'decimal'];

/** The set of type names a $type operand (name, number, 'number', or an array of them) accepts. */
export function parseTypeSet(operand: unknown): Set<BsonTypeName> {
  const items = Array.isArray(operand) ? operand : [operand];
  const out = new Set<BsonTypeName>();
  for (const item of items) {
    if (typeof item === 'string') {
      if (item === 'number') for (const t of NUMERIC_TYPES) out.add(t);
      else if (TYPE_NAMES.has(item)) out.add(item as BsonTypeName);
      else throw mongoError('BadValue', `Unknown type name alias: ${item}`);
    } else if (isNumber(item)) {
      const n = toNumber(item);
      const name = Number.isInteger(n) ? TYPE_BY_CODE.get(n) : undefined;
      if (!name) throw mongoError('BadValue', `Invalid numerical type code: ${n}`);
      out.add(name);
    } else {
      throw mongoError('TypeMismatch', 'type must be represented as a number or a string');
    }
  }
  return out;
}

/** A non-negative whole number operand ($size); MongoDB accepts 2.0 but not 2.5. */
function wholeNumber(operand: unknown, opName: string): number {
  if (!isNumber(operand)) throw mongoError('BadValue', `${opName} needs a number`);
  const n = toNumber(operand);
  if (!Number.isInteger(n)) throw mongoError('BadValue', `${opName} must be a whole number`);
  if (n < 0) throw mongoError('BadValue', `${opName} may not be negative`);
  return n;
}

/** Truncates a numeric value to an int64 the way mongod's $mod does; undefined for NaN/Infinity. */
function truncToBigInt(v: unknown): bigint | undefined {
  const t = bsonType(v);
  if (t === 'long') return (v as { toBigInt(): bigint }).toBigInt();
  const n = toNumber(v);
  if (!Number.isFinite(n)) return undefined;
  return BigInt(Math.trunc(n));
}

function modVisitor(operand: unknown): Visit {
  if (!Array.isArray(operand)) throw mongoError('BadValue', 'malformed mod, needs to be an array');
  if (operand.length < 2) throw mongoError('BadValue', 'malformed mod, not enough elements');
  if (operand.length > 2) throw mongoError('BadValue', 'malformed mod, too many elements');
  const [d, r] = operand;
  if (!isNumber(d)) throw mongoError('BadValue', 'malformed mod, divisor not a number');
  if (!isNumber(r)) throw mongoError('BadValue', 'malformed mod, remainder not a number');
  const divisor = truncToBigInt(d);
  const remainder = truncToBigInt(r);
  if (divisor === undefined || remainder === undefined) {
    throw mongoError('BadValue', 'malformed mod, divisor value is invalid :: caused by :: NaN or Infinity');
  }
  if (divisor === 0n) throw mongoError('BadValue', 'divisor cannot be 0');
  return (v) => {
    if (v === undefined || !isNumber(v)) return false;
    const x = truncToBigInt(v);
    return x !== undefined && x % divisor === remainder;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bitwise query operators
// ---------------------------------------------------------------------------------------------------------------

type BitsOp = '$bitsAllSet' | '$bitsAnySet' | '$bitsAllClear' | '$bitsAnyClear';

function binaryOf(v: unknown): Uint8Array | undefined {
  return v !== null && typeof v === 'object' && bsonType(v) === 'binData' ? binaryBytes(v) : undefined;
}

/** Bit positions an operand names: a mask number, an array of positions, or BinData (little-endian). */
function bitPositions(operand: unknown, op: string): number[] {
  const positions: number[] = [];
  if (Array.isArray(operand)) {
    for (const p of operand) {
      const n = isNumber(p) ? toNumber(p) : Number.NaN;
      if (!Number.isInteger(n) || n < 0) {
        throw mongoError('BadValue', `bit positions must be non-negative integers for ${op}`);
      }
      positions.push(n);
    }
    return positions;
  }
  const bytes = binaryOf(operand);
  if (bytes) {
    for (let i = 0; i < bytes.length; i++)
      for (let b = 0; b < 8; b++) if (bytes[i] & (1 << b)) positions.push(i * 8 + b);
    return positions;
  }
  if (isNumber(operand)) {
    const n = toNumber(operand);
    if (!Number.isInteger(n) || n < 0) throw mongoError('BadValue', `${op} requires a non-negative whole number mask`);
    let mask = BigInt(n);
    for (let bit = 0; mask > 0n; bit++, mask >>= 1n) if (mask & 1n) positions.push(bit);
    return positions;
  }
  throw mongoError('BadValue', `${op} takes an Array, a number, or a BinData but received: ${String(operand)}`);
}

function bitsVisitor(op: BitsOp, operand: unknown): Visit {
  const positions = bitPositions(operand, op);
  const wantSet = op === '$bitsAllSet' || op === '$bitsAnySet';
  const all = op === '$bitsAllSet' || op === '$bitsAllClear';
  return (v) => {
    let bitAt: (p: number) => boolean;
    const bytes = binaryOf(v);
    if (bytes) {
      bitAt = (p) => p < bytes.length * 8 && (bytes[p >> 3] & (1 << (p & 7))) !== 0;
    } else if (v !== undefined && isNumber(v)) {
      // Numbers must be integral and fit in int64; negatives use two's complement (sign bit extends upward).
      const t = bsonType(v);
      let x: bigint;
      if (t === 'long') x = (v as { toBigInt(): bigint }).toBigInt();
      else {
        const n = toNumber(v);
        if (!Number.isInteger(n) || n < -(2 ** 63) || n >= 2 ** 63) return false;
        x = BigInt(n);
      }
      const u = BigInt.asUintN(64, x);
      bitAt = (p) => (p >= 64 ? x < 0n : ((u >> BigInt(p)) & 1n) === 1n);
    } else {
      return false;
    }
    const check = (p: number): boolean => bitAt(p) === wantSet;
    return all ? positions.every(check) : positions.some(check);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Field operators
// ---------------------------------------------------------------------------------------------------------------

const UNSUPPORTED_FIELD_OPERATORS = new Set([
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$within',
  '$maxDistance',
  '$minDistance',
  '$box',
  '$center',
  '$centerSphere',
  '$polygon',
  '$geometry',
  '$text',
  '$where',
  '$jsonSchema',
]);

function unsupported(op: string): MongoCommandError {
  return mongoError('BadValue', `${op} is not supported by the embedded database`);
}

/** An object whose first key is an operator ($gt, ...) rather than a document to compare with. */
function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  for (const key in v) {
    // {$ref, $id} is a DBRef literal, compared by equality.
    return key.startsWith('$') && key !== '$ref' && key !== '$id' && key !== '$db';
  }
  return false;
}

function anyValue(traverse: Traverse, visit: Visit, expandLeaf = true): Test {
  return (root) => traverse(root, visit, expandLeaf);
}

/** Compiles the operators of one `{path: {$op: ..., ...}}` object into a test. */
function compileOperators(ops: Record<string, unknown>, traverse: Traverse, ctx: CompileContext): Test {
  const tests: Test[] = [];
  const hasRegex = Object.hasOwn(ops, '$regex');
  for (const [op, operand] of Object.entries(ops)) {
    if (op === '$options') {
      if (!hasRegex) throw mongoError('BadValue', '$options needs a $regex');
      continue;
    }
    tests.push(compileOperator(op, operand, ops, traverse, ctx));
  }
  return allOf(tests);
}

function compileOperator(
  op: string,
  operand: unknown,
  siblings: Record<string, unknown>,
  traverse: Traverse,
  ctx: CompileContext,
): Test {
  switch (op) {
    case '$eq':
      return anyValue(traverse, equalityVisitor(operand, ctx.options.collation));
    case '$ne': {
      const eq = anyValue(traverse, equalityVisitor(operand, ctx.options.collation));
      return (root) => !eq(root);
    }
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      return anyValue(traverse, comparisonVisitor(op, operand, ctx.options.collation));
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw mongoError('BadValue', `${op} needs an array`);
      const test = anyValue(traverse, inVisitor(operand, op, ctx.options.collation));
      return op === '$in' ? test : (root) => !test(root);
    }
    case '$exists': {
      const exists = anyValue(traverse, (v) => v !== undefined, false);
      return truthy(operand) ? exists : (root) => !exists(root);
    }
    case '$type': {
      const types = parseTypeSet(operand);
      return anyValue(traverse, (v) => v !== undefined && types.has(bsonType(v)));
    }
    case '$size': {
      const n = wholeNumber(operand, '$size');
      return anyValue(traverse, (v) => Array.isArray(v) && v.length === n, false);
    }
    case '$mod':
      return anyValue(traverse, modVisitor(operand));
    case '$regex':
      return anyValue(traverse, regexVisitor(regexOperand(operand, siblings.$options)));
    case '$all':
      return compileAll(operand, traverse, ctx);
    case '$elemMatch':
      return compileElemMatch(operand, traverse, ctx);
    case '$not':
      return compileNot(operand, traverse, ctx);
    case '$bitsAllSet':
    case '$bitsAnySet':
    case '$bitsAllClear':
    case '$bitsAnyClear':
      return anyValue(traverse, bitsVisitor(op, operand));
    case '$comment':
      return () => true;
    default:
      if (UNSUPPORTED_FIELD_OPERATORS.has(op)) throw unsupported(op);
      throw mongoError('BadValue', `unknown operator: ${op}`);
  }
}

function regexOperand(operand: unknown, options: unknown): RegexSpec {
  if (options !== undefined && typeof options !== 'string') throw mongoError('BadValue', '$options has to be a string');
  const fromRegex = regexSpecOf(operand);
  if (fromRegex) {
    if (options && fromRegex.options) throw mongoError('BadValue', 'options set in both $regex and $options');
    return { pattern: fromRegex.pattern, options: (options as string | undefined) || fromRegex.options };
  }
  if (typeof operand !== 'string') throw mongoError('BadValue', '$regex has to be a string');
  return { pattern: operand, options: (options as string | undefined) ?? '' };
}

function compileAll(operand: unknown, traverse: Traverse, ctx: CompileContext): Test {
  if (!Array.isArray(operand)) throw mongoError('BadValue', '$all needs an array');
  // An empty $all matches nothing.
  if (operand.length === 0) return () => false;
  const tests = operand.map((item): Test => {
    if (isPlainObject(item) && Object.hasOwn(item, '$elemMatch')) {
      if (Object.keys(item).length !== 1) throw mongoError('BadValue', '$all/$elemMatch has to be consistent');
      return compileElemMatch(item.$elemMatch, traverse, ctx);
    }
    if (isOperatorObject(item)) throw mongoError('BadValue', 'no $ expressions in $all');
    const spec = regexSpecOf(item);
    return anyValue(traverse, spec ? regexVisitor(spec) : equalityVisitor(item, ctx.options.collation));
  });
  return allOf(tests);
}

const LOGICAL_TOP_LEVEL = new Set([
  '$and',
  '$or',
  '$nor',
  '$expr',
  '$where',
  '$text',
  '$comment',
  '$alwaysTrue',
  '$alwaysFalse',
]);

function compileElemMatch(operand: unknown, traverse: Traverse, ctx: CompileContext): Test {
  if (!isPlainObject(operand)) throw mongoError('BadValue', '$elemMatch needs an Object');
  const firstKey = Object.keys(operand)[0];
  const valueForm = firstKey?.startsWith('$') === true && !LOGICAL_TOP_LEVEL.has(firstKey);
  let elementTest: Test;
  if (valueForm) {
    elementTest = compileOperators(operand, selfTraverse, ctx);
  } else {
    // Document form: the filter applies to elements that are documents (or arrays, as documents).
    const sub = compileDocument(operand, ctx);
    elementTest = (el) => el !== null && typeof el === 'object' && (isSubdocument(el) || Array.isArray(el)) && sub(el);
  }
  return anyValue(traverse, (v) => Array.isArray(v) && v.some((el) => elementTest(el)), false);
}

function compileNot(operand: unknown, traverse: Traverse, ctx: CompileContext): Test {
  let inner: Test;
  const spec = regexSpecOf(operand);
  if (spec) {
    inner = anyValue(traverse, regexVisitor(spec));
  } else if (isPlainObject(operand)) {
    if (Object.keys(operand).length === 0) throw mongoError('BadValue', '$not cannot be empty');
    if (!isOperatorObject(operand)) throw mongoError('BadValue', '$not needs a regex or a document');
    inner = compileOperators(operand, traverse, ctx);
  } else {
    throw mongoError('BadValue', '$not needs a regex or a document');
  }
  return (root) => !inner(root);
}

function truthy(v: unknown): boolean {
  if (v === false || v === null || v === undefined) return false;
  if (isNumber(v)) return toNumber(v) !== 0;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Documents and logical operators
// ---------------------------------------------------------------------------------------------------------------

function allOf(tests: Test[]): Test {
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (root) => a(root) && b(root);
  }
  return (root) => {
    for (const t of tests) if (!t(root)) return false;
    return true;
  };
}

function compileField(path: string, condition: unknown, ctx: CompileContext): Test {
  const traverse = makeTraverse(path);
  if (isOperatorObject(condition)) return compileOperators(condition, traverse, ctx);
  const spec = regexSpecOf(condition);
  if (spec) return anyValue(traverse, regexVisitor(spec));
  return anyValue(traverse, equalityVisitor(condition, ctx.options.collation));
}

function logicalClauses(op: string, operand: unknown, ctx: CompileContext): Test[] {
  if (!Array.isArray(operand)) throw mongoError('BadValue', `${op} must be an array`);
  if (operand.length === 0) throw mongoError('BadValue', '$and/$or/$nor must be a nonempty array');
  return operand.map((clause) => {
    if (!isPlainObject(clause)) throw mongoError('BadValue', '$or/$and/$nor entries need to be full objects');
    return compileDocument(clause, ctx);
  });
}

/** Truthiness of an aggregation expression result: false, null, missing and numeric zero are false. */
export function expressionTruthy(v: unknown): boolean {
  return truthy(v);
}

function compileExpr(expr: unknown, ctx: CompileContext): Test {
  const variables = ctx.options.variables ?? {};
  const collation = ctx.options.collation;
  return (root) => truthy(evaluate(expr, { root: root as Doc, variables, now: ctx.now, collation }));
}

function compileTopLevelOperator(op: string, operand: unknown, ctx: CompileContext): Test {
  switch (op) {
    case '$and':
      return allOf(logicalClauses(op, operand, ctx));
    case '$or': {
      const clauses = logicalClauses(op, operand, ctx);
      if (clauses.length === 1) return clauses[0];
      return (root) => clauses.some((c) => c(root));
    }
    case '$nor': {
      const clauses = logicalClauses(op, operand, ctx);
      return (root) => !clauses.some((c) => c(root));
    }
    case '$expr':
      return compileExpr(operand, ctx);
    case '$comment':
      return () => true;
    case '$alwaysTrue':
    case '$alwaysFalse': {
      if (!isNumber(operand) || toNumber(operand) !== 1)
        throw mongoError('FailedToParse', `${op} must be an integer value of 1`);
      return op === '$alwaysTrue' ? () => true : () => false;
    }
    case '$where':
    case '$text':
    case '$jsonSchema':
    case '$sampleRate':
      throw unsupported(op);
    default:
      throw mongoError('BadValue', `unknown top level operator: ${op}`);
  }
}

function compileDocument(filter: Record<string, unknown>, ctx: CompileContext): Test {
  const tests: Test[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    if (key.startsWith('$')) tests.push(compileTopLevelOperator(key, condition, ctx));
    else tests.push(compileField(key, condition, ctx));
  }
  return allOf(tests);
}

export function compileFilter(filter: Doc, options: FilterOptions = {}): Predicate {
  if (filter === null || filter === undefined) return () => true;
  if (!isPlainObject(filter))
    throw mongoError('TypeMismatch', "BSON field 'filter' is the wrong type, expected object");
  const ctx: CompileContext = { options, now: options.now ?? new Date() };
  return compileDocument(filter, ctx) as Predicate;
}

// ---------------------------------------------------------------------------------------------------------------
// Index planning
// ---------------------------------------------------------------------------------------------------------------

export interface IndexableCondition {
  eq?: unknown[];
  gt?: { value: unknown; inclusive: boolean };
  lt?: { value: unknown; inclusive: boolean };
}

/**
 * Values an index may serve: not null (also matches missing fields, which sparse indexes lack), not arrays
 * (an array equality is met by the whole array, which a multikey index does not hold as a key), not
 * MinKey/MaxKey (which bracket missing fields too), not regexes (a regex value in a filter means a pattern match).
 */
function indexableValue(v: unknown): boolean {
  if (v === null || v === undefined || Array.isArray(v)) return false;
  const t = bsonType(v);
  return t !== 'minKey' && t !== 'maxKey' && t !== 'regex' && t !== 'undefined';
}

/**
 * Per field, the equality values or the range bounds that every matching document satisfies, from the
 * conjunctive part of the filter only. Deliberately conservative, because documents may hold arrays:
 * - when a field is constrained twice ({$and: [{a: 1}, {a: 2}]}), a document with a: [1, 2] meets both, so the
 *   sets must not be intersected: the first equality set is kept;
 * - {a: {$gt: 5, $lt: 10}} is met by a: [1, 20] with no single element in (5, 10): both bounds are reported,
 *   and the planner intersects them only on an index that holds no arrays (not multikey); otherwise it scans
 *   from one bound and re-checks every candidate with the predicate.
 */
export function indexableConditions(filter: Doc): Map<string, IndexableCondition> {
  const out = new Map<string, IndexableCondition>();
  collectIndexable(filter, out);
  return out;
}

function collectIndexable(filter: Doc, out: Map<string, IndexableCondition>): void {
  if (!isPlainObject(filter)) return;
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) collectIndexable(clause, out);
      continue;
    }
    if (key.startsWith('$')) continue;
    const entry = out.get(key) ?? {};
    if (isOperatorObject(condition)) addOperatorBounds(entry, condition);
    else if (indexableValue(condition) && !entry.eq) entry.eq = [condition];
    if (entry.eq || entry.gt || entry.lt) out.set(key, entry);
  }
}

function addOperatorBounds(entry: IndexableCondition, ops: Record<string, unknown>): void {
  for (const [op, operand] of Object.entries(ops)) {
    if (op === '$eq' && indexableValue(operand) && !entry.eq) entry.eq = [operand];
    else if (
      op === '$in' &&
      Array.isArray(operand) &&
      operand.length > 0 &&
      operand.every(indexableValue) &&
      !entry.eq
    ) {
      entry.eq = [...operand];
    } else if ((op === '$gt' || op === '$gte') && indexableValue(operand) && !entry.gt) {
      entry.gt = { value: operand, inclusive: op === '$gte' };
    } else if ((op === '$lt' || op === '$lte') && indexableValue(operand) && !entry.lt) {
      entry.lt = { value: operand, inclusive: op === '$lte' };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for projection and update
// ---------------------------------------------------------------------------------------------------------------

/** A test for one array element under an $elemMatch condition (value or document form). */
export function compileElemMatchElement(condition: unknown, options: FilterOptions = {}): (el: unknown) => boolean {
  const test = compileElemMatch(condition, selfTraverse, { options, now: options.now ?? new Date() });
  return (el) => test([el]);
}

/** Whether a filter constrains `path` or a field below it anywhere (including under $or/$nor/$not). */
function filterMentionsPath(filter: unknown, path: string): boolean {
  if (!isPlainObject(filter)) return false;
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (Array.isArray(value) && value.some((clause) => filterMentionsPath(clause, path))) return true;
    } else if (!key.startsWith('$') && (key === path || key.startsWith(`${path}.`))) {
      return true;
    }
  }
  return false;
}

/** A shallow copy of doc with the (plain, array-free) dotted path replaced by value. */
function withValueAt(doc: Doc, parts: string[], value: unknown): Doc {
  const [head, ...rest] = parts;
  const current = doc[head];
  const replaced = rest.length === 0 ? value : withValueAt(isPlainObject(current) ? current : {}, rest, value);
  return { ...doc, [head]: replaced };
}

/**
 * The index of the array element at `arrayPath` that the query matched, for the positional `$` of updates and
 * projections: the first element that, standing alone in the array, still lets the query match the document.
 * Undefined when the query does not constrain the array or no element qualifies.
 */
export function positionalMatchIndex(
  query: Doc,
  predicate: Predicate,
  doc: Doc,
  arrayPath: string,
): number | undefined {
  if (!filterMentionsPath(query, arrayPath)) return undefined;
  const parts = arrayPath.split('.');
  let arr: unknown = doc;
  for (const part of parts) arr = isPlainObject(arr) ? arr[part] : undefined;
  if (!Array.isArray(arr)) return undefined;
  for (let i = 0; i < arr.length; i++) {
    if (predicate(withValueAt(doc, parts, [arr[i]]))) return i;
  }
  return undefined;
}
