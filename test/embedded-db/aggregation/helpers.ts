/**
 * Shared helpers for the aggregation unit tests: values typed as the server holds them (see src/embedded-db/types.ts)
 * and assertions that check the BSON type as well as the value.
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { evaluate } from '../../../src/embedded-db/aggregation/expressions';
import { type PipelineContext, runPipeline } from '../../../src/embedded-db/aggregation/pipeline';
import { MongoCommandError } from '../../../src/embedded-db/errors';
import { bsonType, valuesEqual } from '../../../src/embedded-db/query/values';
import type { Doc } from '../../../src/embedded-db/types';

export const int = (n: number): Int32 => new Int32(n);
export const dbl = (n: number): Double => new Double(n);
export const long = (n: number | bigint): Long => Long.fromBigInt(BigInt(n));
export const dec = (s: string): Decimal128 => Decimal128.fromString(s);

export const NOW = new Date('2024-05-06T07:08:09.010Z');

export function ev(expr: unknown, root: Doc = {}, variables: Record<string, unknown> = {}): unknown {
  return evaluate(expr, { root, variables, now: NOW });
}

/** Same BSON type and BSON-equal value (deeply, so nested numbers keep their types too). */
export function expectBson(actual: unknown, expected: unknown): void {
  expect(picture(actual)).toEqual(picture(expected));
}

/** A JSON-able picture of a value that names every number's BSON type. */
function picture(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(picture);
  if (v === undefined) return '<missing>';
  const t = bsonType(v);
  if (t === 'object') return Object.fromEntries(Object.entries(v as Doc).map(([k, x]) => [k, picture(x)]));
  if (t === 'int' || t === 'long' || t === 'double' || t === 'decimal')
    return `${t}(${String((v as { toString(): string }).toString())})`;
  if (t === 'date') return `date(${(v as Date).toISOString()})`;
  if (t === 'objectId') return `oid(${String(v)})`;
  return v;
}

export function expectEqualValue(actual: unknown, expected: unknown): void {
  expect(valuesEqual(actual, expected)).toBe(true);
}

/** Asserts fn throws a MongoCommandError with this code (and, optionally, a message fragment). */
export function expectCode(fn: () => unknown, code: number, message?: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MongoCommandError);
  expect((caught as MongoCommandError).code).toBe(code);
  if (typeof message === 'string') expect((caught as Error).message).toContain(message);
  else if (message) expect((caught as Error).message).toMatch(message);
}

export function pipelineContext(
  collections: Record<string, Doc[]> = {},
  variables?: Record<string, unknown>,
): PipelineContext {
  return {
    db: 'test',
    now: NOW,
    collection: (name) => collections[name] ?? [],
    variables,
  };
}

export function run(input: Doc[], pipeline: Doc[], collections: Record<string, Doc[]> = {}): Doc[] {
  return runPipeline(input, pipeline, pipelineContext(collections));
}
