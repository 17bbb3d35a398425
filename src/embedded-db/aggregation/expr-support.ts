/**
 * Small helpers shared by the aggregation expression operators: argument shapes, errors with mongod's codes,
 * truthiness and the comparison order of expressions (where a missing value sorts before null).
 */
import { MongoCommandError } from '../errors';
import { bsonType, compareValues, isPlainObject, type StringCompare } from '../query/values';
import { isNumeric, toDouble } from './numeric';

export { isPlainObject };

export function exprError(code: number, message: string): MongoCommandError {
  return new MongoCommandError(code, message);
}

/** mongod's $type name of a value; a missing value (undefined) is 'missing'. */
export function typeName(v: unknown): string {
  return v === undefined ? 'missing' : bsonType(v);
}

/** null or missing: most operators answer null for such an input. */
export function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Operators accept either a list of arguments or one bare argument. */
export function argList(args: unknown): unknown[] {
  return Array.isArray(args) ? args : [args];
}

/** The argument list of an operator taking exactly `count` arguments (error 16020 as mongod). */
export function exactArgs(op: string, args: unknown, count: number): unknown[] {
  const list = argList(args);
  if (list.length !== count) {
    throw exprError(
      16020,
      `Expression ${op} takes exactly ${count} argument${count === 1 ? '' : 's'}. ${list.length} were passed in.`,
    );
  }
  return list;
}

export function rangeArgs(op: string, args: unknown, min: number, max: number): unknown[] {
  const list = argList(args);
  if (list.length < min || list.length > max) {
    throw exprError(
      28667,
      `Expression ${op} takes at least ${min} argument${min === 1 ? '' : 's'}, and at most ${max}, but ${list.length} were passed in.`,
    );
  }
  return list;
}

/** The named-argument object of operators such as $filter or $dateToString, with unknown keys refused. */
export function namedArgs(op: string, args: unknown, allowed: string[], required: string[]): Record<string, unknown> {
  if (!isPlainObject(args)) throw exprError(2, `${op} only supports an object as its argument`);
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw exprError(2, `Unrecognized argument to ${op}: ${key}`);
  }
  for (const key of required) {
    if (!(key in args)) throw exprError(2, `Missing '${key}' parameter to ${op}`);
  }
  return args;
}

/** Aggregation truthiness: false, null, missing and numeric zero are false; everything else is true. */
export function truthy(v: unknown): boolean {
  if (v === false || v === null || v === undefined) return false;
  if (typeof v === 'number') return v !== 0;
  const tag = typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
  if (tag === 'Int32' || tag === 'Double') return (v as { value: number }).value !== 0;
  if (tag === 'Long') return !(v as { isZero(): boolean }).isZero();
  if (tag === 'Decimal128') return !/^-?0(\.0*)?(E[+-]\d+)?$/i.test(String(v));
  return true;
}

/**
 * Expression comparison order. Unlike the query language, a missing value is not null here: it sorts below
 * null (only MinKey is lower), which is why {$eq: ['$nope', null]} is false in mongod. `strings` is the
 * operation's collation (undefined: code points).
 */
export function compareExpr(a: unknown, b: unknown, strings?: StringCompare): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    const other = a === undefined ? b : a;
    const missingFirst = bsonType(other) === 'minKey' ? 1 : -1;
    return a === undefined ? missingFirst : -missingFirst;
  }
  return compareValues(a, b, strings);
}

/** A value that must be an integral number (array indexes, $round places, $slice counts). */
export function integralArg(op: string, v: unknown, what: string): number {
  if (!isNumeric(v)) throw exprError(28765, `${op}'s ${what} must be a numeric value, but is of type: ${typeName(v)}`);
  const n = toDouble(v);
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
    throw exprError(28766, `${op}'s ${what} must be representable as a 32-bit integral value, but is ${n}`);
  }
  return n;
}
