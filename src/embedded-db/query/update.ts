/**
 * Update documents: operator updates ($set, $inc, $push, ...), replacement documents and pipeline-style updates,
 * with positional paths (`$`, `$[]`, `$[ident]` + arrayFilters), `_id` immutability, and the document an upsert
 * starts from. Every function returns new documents; inputs are never mutated.
 *
 * Operator paths are applied in sorted path order, as mongod (5.0+) does, so fields an update creates appear in
 * the same order as on a real server.
 */
import { Decimal128, Double, Int32, Long, Timestamp } from 'bson';
import { runPipeline } from '../aggregation/pipeline';
import { MongoCommandError, mongoError } from '../errors';
import type { Doc } from '../types';
import { compileElemMatchElement, compileFilter, type Predicate, positionalMatchIndex, toJsRegExp } from './matcher';
import { compileSort } from './sort';
import {
  addNumbers,
  bsonType,
  cloneDoc,
  compareValues,
  isNumber,
  isPlainObject,
  multiplyNumbers,
  type StringCompare,
  setField,
  toNumber,
  valuesEqual,
} from './values';

export interface UpdateContext {
  isUpsertInsert: boolean;
  arrayFilters?: Doc[];
  query?: Doc;
  now: Date;
  /**
   * The statement's collation (undefined: simple): the positional `$`, arrayFilters, $pull, $pullAll, $addToSet,
   * $min, $max and $push's $sort compare strings by it. Whether a document changed is still decided by code point.
   */
  collation?: StringCompare;
}

/** Equality of two values under a collation (undefined: BSON equality). */
function equalUnder(strings: StringCompare | undefined): (a: unknown, b: unknown) => boolean {
  return strings ? (a, b) => compareValues(a, b, strings) === 0 : valuesEqual;
}

type Container = Record<string, unknown> | unknown[];

export function isOperatorUpdate(update: Doc): boolean {
  if (!isPlainObject(update)) return false;
  for (const key in update) return key.startsWith('$');
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------------------

/** A short, mongod-like rendering of a value for error messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[ ${v.map(describe).join(', ')} ]`;
  if (isPlainObject(v)) {
    const parts = Object.entries(v).map(([k, x]) => `${k}: ${describe(x)}`);
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  return String(v);
}

function typeNameOf(v: unknown): string {
  return v === undefined ? 'missing' : bsonType(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------------------

function isIndex(part: string): boolean {
  return /^[0-9]+$/.test(part);
}

function childOf(container: unknown, part: string): unknown {
  if (Array.isArray(container)) return isIndex(part) ? container[Number(part)] : undefined;
  if (isPlainObject(container)) return Object.hasOwn(container, part) ? container[part] : undefined;
  return undefined;
}

function getAt(doc: Doc, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const part of parts) {
    cur = childOf(cur, part);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The container holding the last component, creating missing subdocuments; throws PathNotViable otherwise. */
function parentFor(doc: Doc, parts: string[]): Container {
  let cur: Container = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    let next = childOf(cur, part);
    if (Array.isArray(cur) && !isIndex(part)) {
      throw mongoError(
        'PathNotViable',
        `Cannot create field '${part}' in element {${parts[i - 1] ?? ''}: ${describe(cur)}}`,
      );
    }
    if (next === undefined) {
      next = {};
      assign(cur, part, next);
    } else if (!Array.isArray(next) && !isPlainObject(next)) {
      throw mongoError(
        'PathNotViable',
        `Cannot create field '${parts[i + 1]}' in element {${part}: ${describe(next)}}`,
      );
    }
    cur = next as Container;
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(cur) && !isIndex(last)) {
    throw mongoError(
      'PathNotViable',
      `Cannot create field '${last}' in element {${parts[parts.length - 2] ?? ''}: ${describe(cur)}}`,
    );
  }
  return cur;
}

/** Sets a field or array slot; setting past the end of an array pads it with nulls, as mongod does. */
function assign(container: Container, part: string, value: unknown): void {
  if (Array.isArray(container)) {
    const index = Number(part);
    while (container.length < index) container.push(null);
    container[index] = value;
  } else {
    setField(container, part, value);
  }
}

function setAt(doc: Doc, parts: string[], value: unknown): void {
  assign(parentFor(doc, parts), parts[parts.length - 1], value);
}

/** Removes a field; an array slot becomes null (mongod keeps array positions stable). */
function unsetAt(doc: Doc, parts: string[]): void {
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    if (isIndex(last) && Number(last) < parent.length) parent[Number(last)] = null;
  } else if (isPlainObject(parent) && Object.hasOwn(parent, last)) {
    delete parent[last];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing the update document
// ---------------------------------------------------------------------------------------------------------------

type OpName =
  | '$set'
  | '$unset'
  | '$inc'
  | '$mul'
  | '$min'
  | '$max'
  | '$rename'
  | '$setOnInsert'
  | '$currentDate'
  | '$push'
  | '$addToSet'
  | '$pull'
  | '$pullAll'
  | '$pop'
  | '$bit';

const OPERATORS = new Set<string>([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$setOnInsert',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$bit',
]);

interface FieldUpdate {
  op: OpName;
  path: string;
  parts: string[];
  arg: unknown;
  /** $rename's destination. */
  to?: string[];
}

/** `$`, `$[]` and `$[ident]`: path components that stand for array positions. */
function isPositional(part: string): boolean {
  return part.charCodeAt(0) === 36 && (part === '$' || /^\$\[[a-z0-9]*\]$/i.test(part));
}

/**
 * Any other `$`-prefixed component is a field name (MongoDB 5.0+): `a.$x` may be set and unset, and a top-level
 * `$x` only by an upsert's insert or by $unset (see checkTopLevelDollar).
 */
function validatePath(path: string, op: string): string[] {
  if (path === '') throw new MongoCommandError(56, 'An empty update path is not valid.');
  const parts = path.split('.');
  for (const part of parts) {
    if (part === '')
      throw new MongoCommandError(56, `The update path '${path}' contains an empty field name, which is not allowed.`);
  }
  if (isPositional(parts[0]))
    throw mongoError(
      'BadValue',
      `Cannot have positional (i.e. '$') element in the first position in path '${path}' (${op})`,
    );
  if (parts.filter((p) => p === '$').length > 1) {
    throw mongoError('BadValue', `Too many positional (i.e. '$') elements found in path '${path}'`);
  }
  return parts;
}

function parseOperatorUpdate(update: Doc): FieldUpdate[] {
  const out: FieldUpdate[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith('$') || !OPERATORS.has(op)) {
      throw mongoError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(fields)) {
      throw mongoError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${typeNameOf(fields)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${describe(fields)}}`,
      );
    }
    for (const [path, arg] of Object.entries(fields)) {
      const parts = validatePath(path, op);
      const entry: FieldUpdate = { op: op as OpName, path, parts, arg };
      if (op === '$rename') {
        if (typeof arg !== 'string')
          throw mongoError('BadValue', `The 'to' field for $rename must be a string: ${path}: ${describe(arg)}`);
        if (arg === path)
          throw mongoError(
            'BadValue',
            `The source and target field for $rename must differ: ${path}: ${describe(arg)}`,
          );
        const to = validatePath(arg, op);
        if (parts.some(isPositional) || to.some(isPositional)) {
          throw mongoError(
            'BadValue',
            `The source and target field for $rename must not contain positional operators: ${path}`,
          );
        }
        entry.to = to;
      }
      out.push(entry);
    }
  }
  checkConflicts(out);
  return out;
}

/** Positional components ($, $[], $[x]) stand for array positions: they collide with each other and with indexes. */
function componentsCollide(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = isPositional(a);
  const pb = isPositional(b);
  return (pa && (pb || isIndex(b))) || (pb && isIndex(a));
}

function conflictAt(a: string[], b: string[]): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    if (componentsCollide(a[i], b[i])) return a.slice(0, i).join('.');
    return undefined;
  }
  return a.slice(0, n).join('.');
}

function checkConflicts(updates: FieldUpdate[]): void {
  const paths: string[][] = [];
  for (const u of updates) {
    paths.push(u.parts);
    if (u.to) paths.push(u.to);
  }
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      const at = conflictAt(paths[i], paths[j]);
      if (at !== undefined) {
        throw mongoError(
          'ConflictingUpdateOperators',
          `Updating the path '${paths[i].join('.')}' would create a conflict at '${at || paths[i][0]}'`,
        );
      }
    }
  }
}

/** mongod's field order: numeric components numerically, others by string. */
function comparePaths(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    if (isIndex(a[i]) && isIndex(b[i])) return Number(a[i]) - Number(b[i]);
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Positional paths
// ---------------------------------------------------------------------------------------------------------------

interface ArrayFilter {
  test(el: unknown): boolean;
  used: boolean;
}

const IDENT_RE = /^[a-z][a-zA-Z0-9]*$/;

/** The identifier an array filter document is about ({'x.a': 1} -> x); $and/$or/$nor are looked into. */
function filterIdentifier(filter: Doc): string | undefined {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (Array.isArray(value)) {
        for (const clause of value) {
          const id = isPlainObject(clause) ? filterIdentifier(clause) : undefined;
          if (id) return id;
        }
      }
    } else if (!key.startsWith('$')) {
      return key.split('.')[0];
    }
  }
  return undefined;
}

function compileArrayFilters(arrayFilters: Doc[] | undefined, collation?: StringCompare): Map<string, ArrayFilter> {
  const out = new Map<string, ArrayFilter>();
  for (const filter of arrayFilters ?? []) {
    if (!isPlainObject(filter)) throw mongoError('TypeMismatch', 'Each array filter must be an object');
    const ident = filterIdentifier(filter);
    if (ident === undefined)
      throw mongoError('FailedToParse', 'Cannot use an expression without a top-level field name in arrayFilters');
    if (!IDENT_RE.test(ident)) {
      throw mongoError(
        'BadValue',
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${ident}'`,
      );
    }
    if (out.has(ident))
      throw mongoError('FailedToParse', `Found multiple array filters with the same top-level field name ${ident}`);
    const predicate = compileFilter(filter, { collation });
    out.set(ident, { test: (el) => predicate({ [ident]: el }), used: false });
  }
  return out;
}

interface ApplyState {
  ctx: UpdateContext;
  original: Doc;
  filters: Map<string, ArrayFilter>;
  queryPredicate?: Predicate;
}

/** Expands `$`, `$[]` and `$[ident]` into the concrete paths they name in the current document. */
function expandPositional(doc: Doc, parts: string[], state: ApplyState): string[][] {
  if (!parts.some(isPositional)) return [parts];
  const results: string[][] = [];
  const walk = (value: unknown, prefix: string[], i: number): void => {
    if (i === parts.length) {
      results.push(prefix);
      return;
    }
    const part = parts[i];
    if (!isPositional(part)) {
      walk(childOf(value, part), [...prefix, part], i + 1);
      return;
    }
    const here = prefix.join('.');
    if (part === '$') {
      const index = positionalIndex(here, state);
      walk(childOf(value, String(index)), [...prefix, String(index)], i + 1);
      return;
    }
    if (value === undefined) {
      throw mongoError('BadValue', `The path '${here}' must exist in the document in order to apply array updates.`);
    }
    if (!Array.isArray(value)) {
      throw mongoError(
        'BadValue',
        `Cannot apply array updates to non-array element ${prefix[prefix.length - 1]}: ${describe(value)}`,
      );
    }
    const ident = part.slice(2, -1);
    let filter: ArrayFilter | undefined;
    if (ident !== '') {
      filter = state.filters.get(ident);
      if (!filter)
        throw mongoError('BadValue', `No array filter found for identifier '${ident}' in path '${parts.join('.')}'`);
      filter.used = true;
    }
    value.forEach((el, index) => {
      if (!filter || filter.test(el)) walk(el, [...prefix, String(index)], i + 1);
    });
  };
  walk(doc, [], 0);
  return results;
}

function positionalIndex(arrayPath: string, state: ApplyState): number {
  const query = state.ctx.query;
  if (query && !state.queryPredicate) state.queryPredicate = compileFilter(query, { collation: state.ctx.collation });
  const index =
    query && state.queryPredicate
      ? positionalMatchIndex(query, state.queryPredicate, state.original, arrayPath)
      : undefined;
  if (index === undefined)
    throw mongoError('BadValue', 'The positional operator did not find the match needed from the query.');
  return index;
}

// ---------------------------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------------------------

function requireNumber(path: string, arg: unknown, verb: string): void {
  if (!isNumber(arg)) {
    throw mongoError('TypeMismatch', `Cannot ${verb} with non-numeric argument: {${path}: ${describe(arg)}}`);
  }
}

function numericTarget(op: string, path: string, current: unknown, doc: Doc): void {
  if (!isNumber(current)) {
    const id = doc._id === undefined ? '' : `{_id: ${describe(doc._id)}} `;
    throw mongoError(
      'TypeMismatch',
      `Cannot apply ${op} to a value of non-numeric type. ${id}has the field '${path.split('.').pop()}' of non-numeric type ${typeNameOf(current)}`,
    );
  }
}

function zeroLike(v: unknown): unknown {
  switch (bsonType(v)) {
    case 'long':
      return Long.fromInt(0);
    case 'decimal':
      return Decimal128.fromString('0');
    case 'double':
      return new Double(0);
    default:
      return new Int32(0);
  }
}

let timestampIncrement = 0;

function currentDateValue(path: string, arg: unknown, now: Date): unknown {
  let type = 'date';
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || keys[0] !== '$type' || (arg.$type !== 'date' && arg.$type !== 'timestamp')) {
      throw mongoError(
        'BadValue',
        `The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {${path}: {$type: 'date'}}}`,
      );
    }
    type = arg.$type as string;
  } else if (typeof arg !== 'boolean') {
    throw mongoError(
      'BadValue',
      `${typeNameOf(arg)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`,
    );
  }
  if (type === 'date') return new Date(now.getTime());
  timestampIncrement = (timestampIncrement % 0x7fffffff) + 1;
  return new Timestamp({ t: Math.floor(now.getTime() / 1000), i: timestampIncrement });
}

function integerArg(v: unknown, what: string): number {
  const n = isNumber(v) ? toNumber(v) : Number.NaN;
  if (!Number.isInteger(n))
    throw mongoError('BadValue', `The value for ${what} must be an integer value but was given type: ${typeNameOf(v)}`);
  return n;
}

interface PushSpec {
  each: unknown[];
  position?: number;
  slice?: number;
  sort?: (a: unknown, b: unknown) => number;
}

function parseSortModifier(sort: unknown, strings?: StringCompare): (a: unknown, b: unknown) => number {
  if (isNumber(sort)) {
    const dir = toNumber(sort);
    if (dir !== 1 && dir !== -1) throw mongoError('BadValue', 'The $sort element value must be either 1 or -1');
    return (a, b) => dir * compareValues(a, b, strings);
  }
  if (!isPlainObject(sort)) {
    throw mongoError(
      'BadValue',
      'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
    );
  }
  if (Object.keys(sort).length === 0)
    throw mongoError('BadValue', 'The $sort pattern is empty when it should be a set of fields.');
  const cmp = compileSort(sort, strings) as (a: Doc, b: Doc) => number;
  // Non-document elements have no fields: every sort field reads as null for them.
  const asDoc = (v: unknown): Doc => (isPlainObject(v) ? v : {});
  return (a, b) => cmp(asDoc(a), asDoc(b));
}

function parsePushArg(arg: unknown, op: '$push' | '$addToSet', strings?: StringCompare): PushSpec {
  if (!isPlainObject(arg) || !Object.hasOwn(arg, '$each')) return { each: [arg] };
  const spec: PushSpec = { each: [] };
  for (const [key, value] of Object.entries(arg)) {
    switch (key) {
      case '$each':
        if (!Array.isArray(value)) {
          throw mongoError(
            'BadValue',
            `The argument to $each in ${op} must be an array but it was of type: ${typeNameOf(value)}`,
          );
        }
        spec.each = value;
        break;
      case '$position':
        if (op !== '$push')
          throw mongoError('BadValue', `Found unexpected fields after $each in $addToSet: ${describe(arg)}`);
        spec.position = integerArg(value, '$position');
        break;
      case '$slice':
        if (op !== '$push')
          throw mongoError('BadValue', `Found unexpected fields after $each in $addToSet: ${describe(arg)}`);
        spec.slice = integerArg(value, '$slice');
        break;
      case '$sort':
        if (op !== '$push')
          throw mongoError('BadValue', `Found unexpected fields after $each in $addToSet: ${describe(arg)}`);
        spec.sort = parseSortModifier(value, strings);
        break;
      default:
        throw mongoError('BadValue', `Unrecognized clause in ${op}: ${key}`);
    }
  }
  return spec;
}

function existingArray(path: string, current: unknown, doc: Doc): unknown[] | undefined {
  if (current === undefined) return undefined;
  if (!Array.isArray(current)) {
    const id = doc._id === undefined ? '' : ` in document {_id: ${describe(doc._id)}}`;
    throw mongoError('BadValue', `The field '${path}' must be an array but is of type ${typeNameOf(current)}${id}`);
  }
  return current;
}

function applyPush(current: unknown[], spec: PushSpec): unknown[] {
  const items = spec.each.map(cloneDoc);
  let out: unknown[];
  if (spec.position === undefined) out = [...current, ...items];
  else {
    const len = current.length;
    const at = spec.position < 0 ? Math.max(len + spec.position, 0) : Math.min(spec.position, len);
    out = [...current.slice(0, at), ...items, ...current.slice(at)];
  }
  if (spec.sort) out.sort(spec.sort);
  if (spec.slice !== undefined)
    out = spec.slice >= 0 ? out.slice(0, spec.slice) : out.slice(Math.max(out.length + spec.slice, 0));
  return out;
}

/** A test for $pull: operator objects apply to each element, plain objects are queries on element documents. */
function pullMatcher(cond: unknown, collation?: StringCompare): (el: unknown) => boolean {
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys[0].startsWith('$')) {
      // Value form: {$gte: 6} tests each element itself.
      const test = compileElemMatchElement(cond, { collation });
      return (el) => test(el);
    }
    const test = compileElemMatchElement(cond, { collation });
    return (el) => isPlainObject(el) && test(el);
  }
  const regex =
    cond instanceof RegExp || bsonType(cond) === 'regex'
      ? (cond as { pattern?: string; options?: string; source?: string; flags?: string })
      : undefined;
  if (regex) {
    const re = cond instanceof RegExp ? cond : toJsRegExp(regex.pattern ?? '', regex.options ?? '');
    return (el) => typeof el === 'string' && re.test(el);
  }
  const equal = equalUnder(collation);
  return (el) => equal(el, cond);
}

function bitOperand(v: unknown, path: string): Int32 | Long {
  const t = bsonType(v);
  if (t === 'int') return new Int32(toNumber(v));
  if (t === 'long') return v as Long;
  throw mongoError(
    'BadValue',
    `The $bit modifier field must be an Integer(32/64 bit); a '${t}' is not supported here: {${path}: ${describe(v)}}`,
  );
}

function applyBit(path: string, current: unknown, arg: unknown, doc: Doc): unknown {
  if (!isPlainObject(arg))
    throw mongoError(
      'BadValue',
      `The $bit modifier is not compatible with a ${typeNameOf(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`,
    );
  let value: Int32 | Long;
  if (current === undefined) value = new Int32(0);
  else {
    const t = bsonType(current);
    if (t !== 'int' && t !== 'long') {
      const id = doc._id === undefined ? '' : `{_id: ${describe(doc._id)}} `;
      throw mongoError(
        'BadValue',
        `Cannot apply $bit to a value of non-integral type.${id}has the field ${path} of non-integer type ${t}`,
      );
    }
    value = t === 'int' ? new Int32(toNumber(current)) : (current as Long);
  }
  for (const [op, operand] of Object.entries(arg)) {
    if (op !== 'and' && op !== 'or' && op !== 'xor') {
      throw mongoError(
        'BadValue',
        `The $bit modifier only supports 'and', 'or', and 'xor', not '${op}' which is an unknown operator: {${op}: ${describe(operand)}}`,
      );
    }
    const b = bitOperand(operand, path);
    if (value._bsontype === 'Int32' && b._bsontype === 'Int32') {
      const x = value.value;
      const y = b.value;
      value = new Int32(op === 'and' ? x & y : op === 'or' ? x | y : x ^ y);
    } else {
      const x = value._bsontype === 'Long' ? value : Long.fromInt(value.value);
      const y = b._bsontype === 'Long' ? b : Long.fromInt(b.value);
      value = op === 'and' ? x.and(y) : op === 'or' ? x.or(y) : x.xor(y);
    }
  }
  return value;
}

function applyOne(doc: Doc, u: FieldUpdate, parts: string[], state: ApplyState): void {
  const path = parts.join('.');
  const current = getAt(doc, parts);
  switch (u.op) {
    case '$setOnInsert':
      if (!state.ctx.isUpsertInsert) return;
      setAt(doc, parts, cloneDoc(u.arg));
      return;
    case '$set':
      setAt(doc, parts, cloneDoc(u.arg));
      return;
    case '$unset':
      unsetAt(doc, parts);
      return;
    case '$inc':
    case '$mul': {
      requireNumber(path, u.arg, u.op === '$inc' ? 'increment' : 'multiply');
      if (current === undefined) {
        setAt(doc, parts, u.op === '$inc' ? u.arg : zeroLike(u.arg));
        return;
      }
      numericTarget(u.op, path, current, doc);
      setAt(doc, parts, u.op === '$inc' ? addNumbers(current, u.arg) : multiplyNumbers(current, u.arg));
      return;
    }
    case '$min':
    case '$max': {
      const c = current === undefined ? 0 : compareValues(u.arg, current, state.ctx.collation);
      if (current === undefined || (u.op === '$min' ? c < 0 : c > 0)) setAt(doc, parts, cloneDoc(u.arg));
      return;
    }
    case '$currentDate':
      setAt(doc, parts, currentDateValue(path, u.arg, state.ctx.now));
      return;
    case '$push':
    case '$addToSet': {
      const spec = parsePushArg(u.arg, u.op, state.ctx.collation);
      const arr = existingArray(path, current, doc) ?? [];
      if (u.op === '$push') {
        setAt(doc, parts, applyPush(arr, spec));
      } else {
        const out = [...arr];
        const equal = equalUnder(state.ctx.collation);
        for (const item of spec.each) if (!out.some((el) => equal(el, item))) out.push(cloneDoc(item));
        setAt(doc, parts, out);
      }
      return;
    }
    case '$pull':
    case '$pullAll': {
      let test: (el: unknown) => boolean;
      if (u.op === '$pullAll') {
        if (!Array.isArray(u.arg))
          throw mongoError('BadValue', `$pullAll requires an array argument but was given a ${typeNameOf(u.arg)}`);
        const values = u.arg;
        const equal = equalUnder(state.ctx.collation);
        test = (el) => values.some((v) => equal(el, v));
      } else {
        test = pullMatcher(u.arg, state.ctx.collation);
      }
      if (current === undefined) return;
      if (!Array.isArray(current)) throw mongoError('BadValue', `Cannot apply ${u.op} to a non-array value`);
      setAt(
        doc,
        parts,
        current.filter((el) => !test(el)),
      );
      return;
    }
    case '$pop': {
      const n = isNumber(u.arg) ? toNumber(u.arg) : Number.NaN;
      if (n !== 1 && n !== -1) throw mongoError('FailedToParse', `$pop expects 1 or -1, found: ${describe(u.arg)}`);
      if (current === undefined) return;
      if (!Array.isArray(current)) {
        throw mongoError(
          'TypeMismatch',
          `Path '${path}' contains an element of non-array type '${typeNameOf(current)}'`,
        );
      }
      setAt(doc, parts, n === 1 ? current.slice(0, -1) : current.slice(1));
      return;
    }
    case '$bit':
      setAt(doc, parts, applyBit(path, current, u.arg, doc));
      return;
    case '$rename':
      applyRename(doc, parts, u.to as string[]);
      return;
  }
}

function throughArray(doc: Doc, parts: string[]): boolean {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = childOf(cur, parts[i]);
    if (Array.isArray(cur)) return true;
    if (!isPlainObject(cur)) return false;
  }
  return false;
}

function applyRename(doc: Doc, from: string[], to: string[]): void {
  if (throughArray(doc, from))
    throw mongoError('BadValue', `The source field cannot be an array element, '${from.join('.')}' in doc with array`);
  if (throughArray(doc, to))
    throw mongoError(
      'BadValue',
      `The destination field cannot be an array element, '${to.join('.')}' in doc with array`,
    );
  const value = getAt(doc, from);
  if (value === undefined) return;
  unsetAt(doc, from);
  setAt(doc, to, value);
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------------------------

/** Exact equality including BSON types and field order: what decides whether a write modified the document. */
function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => identical(x, b[i]));
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && identical(a[k], b[k]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(b) || isPlainObject(b)) return false;
  if (bsonType(a) !== bsonType(b)) return false;
  if (bsonType(a) === 'decimal') return String(a) === String(b);
  return (
    compareValues(a, b) === 0 &&
    !(bsonType(a) === 'double' && Object.is(toNumber(a), -0) !== Object.is(toNumber(b), -0))
  );
}

function immutableIdError(): MongoCommandError {
  return mongoError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
}

/** Keeps `_id` first and unchanged: a replacement or pipeline result may omit it but never alter it. */
function keepId(original: Doc, result: Doc, afterMessage: boolean): Doc {
  if (!Object.hasOwn(original, '_id')) return result;
  if (!Object.hasOwn(result, '_id')) return { _id: original._id, ...result };
  if (!valuesEqual(result._id, original._id) || bsonType(result._id) !== bsonType(original._id)) {
    if (afterMessage) {
      throw mongoError(
        'ImmutableField',
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${describe(result._id)}`,
      );
    }
    throw immutableIdError();
  }
  return result;
}

function applyReplacement(doc: Doc, replacement: Doc): Doc {
  for (const key of Object.keys(replacement)) {
    if (key.startsWith('$'))
      throw mongoError(
        'DollarPrefixedFieldName',
        `The dollar ($) prefixed field '${key}' in '${key}' is not valid for storage.`,
      );
  }
  const result = keepId(doc, cloneDoc(replacement), true);
  // _id comes first, as mongod stores it.
  if (Object.hasOwn(result, '_id') && Object.keys(result)[0] !== '_id') {
    const { _id, ...rest } = result;
    return { _id, ...rest };
  }
  return result;
}

const PIPELINE_UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

function applyPipeline(doc: Doc, pipeline: Doc[], ctx: UpdateContext): Doc {
  for (const stage of pipeline) {
    const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
    if (name === undefined || !PIPELINE_UPDATE_STAGES.has(name)) {
      throw mongoError('InvalidOptions', `${name ?? 'A non-object stage'} is not allowed to be used within an update`);
    }
  }
  // The aggregation module imports the query modules too; the cycle is safe because it is used only at call time.
  const out = runPipeline([cloneDoc(doc)], pipeline, {
    db: '',
    now: ctx.now,
    collation: ctx.collation,
    collection: () => {
      throw mongoError('InvalidOptions', 'Pipeline-style updates cannot read other collections');
    },
  });
  if (out.length !== 1 || !isPlainObject(out[0]))
    throw mongoError('InternalError', 'An update pipeline must produce exactly one document');
  return keepId(doc, out[0], true);
}

/**
 * An update that modifies a stored document may not create or change a top-level `$`-prefixed field (an upsert's
 * insert may, as an insert may; $unset may remove one; $setField in a pipeline update is the way to change one).
 */
function checkTopLevelDollar(before: Doc, after: Doc): void {
  for (const key of Object.keys(after)) {
    if (key.startsWith('$') && !(Object.hasOwn(before, key) && identical(before[key], after[key]))) {
      throw mongoError(
        'DollarPrefixedFieldName',
        `The dollar ($) prefixed field '${key}' in '${key}' is not valid for storage.`,
      );
    }
  }
}

function applyOperators(doc: Doc, update: Doc, ctx: UpdateContext): Doc {
  const updates = parseOperatorUpdate(update).sort((a, b) => comparePaths(a.parts, b.parts));
  const working = cloneDoc(doc);
  const state: ApplyState = { ctx, original: doc, filters: compileArrayFilters(ctx.arrayFilters, ctx.collation) };
  for (const u of updates) {
    for (const parts of expandPositional(working, u.parts, state)) applyOne(working, u, parts, state);
  }
  if (!ctx.isUpsertInsert) checkTopLevelDollar(doc, working);
  for (const [ident, filter] of state.filters) {
    if (!filter.used)
      throw mongoError(
        'FailedToParse',
        `The array filter for identifier '${ident}' was not used in the update ${describe(update)}`,
      );
  }
  if (Object.hasOwn(doc, '_id')) {
    if (!Object.hasOwn(working, '_id') || !valuesEqual(working._id, doc._id)) throw immutableIdError();
    // An equal value of another numeric type still leaves _id as it was.
    working._id = doc._id;
  }
  return working;
}

export function applyUpdate(doc: Doc, update: Doc | Doc[], ctx: UpdateContext): { doc: Doc; changed: boolean } {
  let result: Doc;
  if (Array.isArray(update)) {
    if (ctx.arrayFilters && ctx.arrayFilters.length > 0) {
      throw mongoError('FailedToParse', 'arrayFilters may not be specified for pipeline-style updates');
    }
    result = applyPipeline(doc, update, ctx);
  } else if (!isPlainObject(update)) {
    throw mongoError('FailedToParse', 'Update argument must be either an object or an array');
  } else if (isOperatorUpdate(update)) {
    result = applyOperators(doc, update, ctx);
  } else {
    if (ctx.arrayFilters && ctx.arrayFilters.length > 0) {
      throw mongoError('FailedToParse', 'arrayFilters may not be specified for replacement-style updates');
    }
    result = applyReplacement(doc, update);
  }
  return { doc: result, changed: !identical(doc, result) };
}

// ---------------------------------------------------------------------------------------------------------------
// Upserts
// ---------------------------------------------------------------------------------------------------------------

function collectEqualities(query: Doc, out: [string, unknown][]): void {
  for (const [key, value] of Object.entries(query)) {
    if (key === '$and') {
      if (Array.isArray(value)) for (const clause of value) if (isPlainObject(clause)) collectEqualities(clause, out);
      continue;
    }
    if (key.startsWith('$')) continue;
    const isOps =
      isPlainObject(value) &&
      Object.keys(value).length > 0 &&
      Object.keys(value)[0].startsWith('$') &&
      !['$ref', '$id', '$db'].includes(Object.keys(value)[0]);
    if (isOps) {
      const ops = value as Record<string, unknown>;
      if (Object.hasOwn(ops, '$eq')) out.push([key, ops.$eq]);
      // A one-value $in is an equality, as mongod treats it.
      else if (Array.isArray(ops.$in) && ops.$in.length === 1 && bsonType(ops.$in[0]) !== 'regex')
        out.push([key, ops.$in[0]]);
      continue;
    }
    if (bsonType(value) === 'regex') continue;
    out.push([key, value]);
  }
}

/** The document an upsert starts from: the query's equality fields, dotted paths expanded into subdocuments. */
export function upsertSeed(query: Doc): Doc {
  const equalities: [string, unknown][] = [];
  if (isPlainObject(query)) collectEqualities(query, equalities);
  const paths = equalities.map(([path]) => path.split('.'));
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      const at = conflictAt(paths[i], paths[j]);
      if (at === undefined) continue;
      const message =
        paths[i].join('.') === paths[j].join('.')
          ? `cannot infer query fields to set, path '${paths[i].join('.')}' is matched twice`
          : `cannot infer query fields to set, both paths '${paths[j].join('.')}' and '${paths[i].join('.')}' are matched`;
      throw mongoError('NotSingleValueField', message);
    }
  }
  const seed: Doc = {};
  // Fields keep the query's order, except that _id is stored first.
  const order = equalities
    .map((_, i) => i)
    .sort((a, b) => (paths[a][0] === '_id' ? -1 : 0) - (paths[b][0] === '_id' ? -1 : 0));
  for (const i of order) setAt(seed, paths[i], cloneDoc(equalities[i][1]));
  return seed;
}
