/** count and distinct. */
import { MongoCommandError, mongoError } from '../errors';
import { compareValues, keyOf } from '../query/values';
import type { Doc } from '../types';
import { collationArg, collectionArg, optionalDoc, optionalInt } from './args';
import type { CommandContext } from './context';
import { runQuery } from './query';
import { runRead } from './statements';

export function count(ctx: CommandContext): Doc {
  const coll = collectionArg(ctx);
  const collation = collationArg(ctx, coll);
  const query = optionalDoc(ctx, 'query') ?? {};
  const skip = optionalInt(ctx, 'skip') ?? 0;
  if (skip < 0) {
    // mongod's IDL validator for count.skip (gte: 0)
    throw new MongoCommandError(51024, `BSON field 'skip' value must be >= 0, actual value '${skip}'`);
  }
  // A negative limit counts like a positive one (mongod takes the absolute value).
  const limit = Math.abs(optionalInt(ctx, 'limit') ?? 0);
  ctx.server.opcounters.command++;
  let n: number;
  if (Object.keys(query).length === 0 && !ctx.txn) {
    // estimatedDocumentCount: the committed count, without reading documents.
    n = ctx.server.store.countCommitted(ctx.db, collectionArg(ctx));
    n = Math.max(0, n - skip);
    if (limit > 0) n = Math.min(n, limit);
  } else {
    n = runRead(ctx, (txn) => runQuery(txn, ctx.db, coll, { filter: query, skip, limit, collation }).docs.length);
  }
  return { n, ok: 1 };
}

/**
 * The values at a dotted path, traversing arrays as distinct does: an array value contributes its elements, and
 * an array met along the path is searched element by element.
 */
function valuesAtPath(value: unknown, parts: string[], out: unknown[]): void {
  if (parts.length === 0) {
    if (Array.isArray(value)) out.push(...value);
    else if (value !== undefined) out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    const [head, ...rest] = parts;
    if (/^\d+$/.test(head) && Number(head) < value.length) valuesAtPath(value[Number(head)], rest, out);
    for (const element of value) {
      if (element && typeof element === 'object' && !Array.isArray(element)) valuesAtPath(element, parts, out);
    }
    return;
  }
  if (value && typeof value === 'object') valuesAtPath((value as Doc)[parts[0]], parts.slice(1), out);
}

export function distinct(ctx: CommandContext): Doc {
  const coll = collectionArg(ctx);
  const collation = collationArg(ctx, coll);
  const key = ctx.body.key;
  if (typeof key !== 'string' || key === '')
    throw mongoError('TypeMismatch', "BSON field 'distinct.key' must be a non-empty string");
  const query = optionalDoc(ctx, 'query') ?? {};
  const docs = runRead(ctx, (txn) => runQuery(txn, ctx.db, coll, { filter: query, collation }).docs);
  const seen = new Map<string, unknown>();
  const parts = key.split('.');
  for (const doc of docs) {
    const found: unknown[] = [];
    valuesAtPath(doc, parts, found);
    for (const value of found) {
      const k = keyOf(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  if (!collation) return { values: [...seen.values()].sort((a, b) => compareValues(a, b)), ok: 1 };
  // Under a collation, values it holds equal are one value (the first met), in the collation's order.
  const strings = collation.compare;
  const sorted = [...seen.values()].sort((a, b) => compareValues(a, b, strings));
  const values = sorted.filter((v, i) => i === 0 || compareValues(sorted[i - 1], v, strings) !== 0);
  return { values, ok: 1 };
}
