/**
 * `hint` tells mongod which index to use. Here the answer never depends on the plan, with two exceptions where
 * mongod's would: a hint that names no index is an error, and hinting a sparse or partial index makes mongod leave
 * out the documents that index does not hold. The first is answered as mongod does; the second is refused, since
 * answering it with every document would be silently different. Any other hint is honoured trivially.
 */
import { mongoError } from '../errors';
import { isPlainObject, valuesEqual } from '../query/values';
import type { Doc } from '../types';
import { numberValue } from './args';
import type { CommandContext } from './context';

/** Commands whose body may carry a top-level `hint`; update and delete carry one per statement. */
const TOP_LEVEL_HINT = new Set(['find', 'count', 'distinct', 'aggregate', 'findAndModify', 'findandmodify']);

export function checkHints(ctx: CommandContext): void {
  const coll = ctx.body[ctx.name];
  if (typeof coll !== 'string') return;
  // Checked in place, without collecting the hints first: most commands carry none (no array per command).
  if (ctx.body.hint !== undefined && TOP_LEVEL_HINT.has(ctx.name)) checkHint(ctx, coll, ctx.body.hint);
  checkStatementHints(ctx, coll, ctx.body.updates);
  checkStatementHints(ctx, coll, ctx.body.deletes);
}

/** The hints of an update's or a delete's statements. */
function checkStatementHints(ctx: CommandContext, coll: string, statements: unknown): void {
  if (!Array.isArray(statements)) return;
  for (const statement of statements) {
    if (isPlainObject(statement) && statement.hint !== undefined) checkHint(ctx, coll, statement.hint);
  }
}

/**
 * The order a find's hint implies (see QuerySpec.hintOrder): the hinted index's key pattern when it is an ascending or
 * descending index, `{ $natural: -1 }` for a backward scan, else undefined.
 */
export function hintOrder(ctx: CommandContext, coll: string, hint: unknown): Doc | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (isPlainObject(hint) && '$natural' in hint) return { $natural: hint.$natural };
  if (typeof hint !== 'string' && !isPlainObject(hint)) return undefined;
  if (!ctx.server.store.listCollections(ctx.db).some((c) => c.name === coll)) return undefined;
  const index = ctx.server.store
    .listIndexes(ctx.db, coll)
    .find((spec) => (typeof hint === 'string' ? spec.name === hint : valuesEqual(spec.key, hint as Doc)));
  if (!index) return undefined;
  const ordered = Object.values(index.key).every((direction) => {
    const n = numberValue(direction);
    return n === 1 || n === -1;
  });
  return ordered ? index.key : undefined;
}

function checkHint(ctx: CommandContext, coll: string, hint: unknown): void {
  // `{}` means no hint; `{ $natural: ±1 }` asks for a collection scan, which gives the same documents.
  if (isPlainObject(hint) && (Object.keys(hint).length === 0 || '$natural' in hint)) return;
  const exists = ctx.server.store.listCollections(ctx.db).some((c) => c.name === coll);
  if (!exists) return; // mongod answers a missing collection with no documents, whatever the hint
  const index = ctx.server.store
    .listIndexes(ctx.db, coll)
    .find((spec) => (typeof hint === 'string' ? spec.name === hint : valuesEqual(spec.key, hint as Doc)));
  if (!index) {
    throw mongoError(
      'BadValue',
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
  }
  if (index.sparse || index.partialFilterExpression) {
    throw mongoError(
      'CommandNotSupported',
      `the embedded database does not support a hint of a sparse or partial index (${index.name}): mongod would leave out the documents it does not index`,
    );
  }
}
