/**
 * createIndexes, listIndexes, dropIndexes. Only ascending/descending B-tree indexes exist in the embedded database, with
 * or without a collation.
 */
import { mongoError } from '../errors';
import { parseCollation } from '../query/collation';
import type { IndexSpec } from '../storage/store-types';
import type { Doc } from '../types';
import { collationArg, collectionArg, isPlainObject, numberValue, refuseOptions, requiredArray } from './args';
import type { CommandContext } from './context';
import { cursorOptionBatchSize, firstBatchReply } from './cursor-reply';

function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${typeof dir === 'string' ? dir : numberValue(dir)}`)
    .join('_');
}

function parseIndexSpec(ctx: CommandContext, coll: string, raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw mongoError('TypeMismatch', 'each index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw mongoError('CannotCreateIndex', 'Index keys cannot be empty.');
  }
  for (const [field, dir] of Object.entries(key)) {
    const n = numberValue(dir);
    if (typeof dir === 'string' || n === undefined) {
      throw mongoError(
        'CannotCreateIndex',
        `the embedded database does not support '${String(dir)}' indexes (field '${field}'); only 1 and -1 keys`,
      );
    }
    if (n !== 1 && n !== -1) {
      throw mongoError(
        'CannotCreateIndex',
        `Values in the index key pattern must be 1 or -1 in the embedded database; got ${n} for '${field}'`,
      );
    }
  }
  refuseOptions(ctx, ['wildcardProjection', 'weights', '2dsphereIndexVersion', 'textIndexVersion'], raw);
  const name = raw.name ?? defaultIndexName(key);
  if (typeof name !== 'string' || name === '')
    throw mongoError('CannotCreateIndex', 'index name must be a non-empty string');
  const spec: IndexSpec = { ...raw, key, name };
  delete spec.v; // the store answers v: 2 for every index
  // Without a collation of its own an index takes the collection's default; an explicit simple one keeps code-point
  // order. The full specification is kept, as listIndexes reports it; the simple collation is no field at all.
  const collation = raw.collation === undefined ? collationArg(ctx, coll) : parseCollation(raw.collation);
  if (collation) spec.collation = collation.spec;
  else delete spec.collation;
  return spec;
}

export async function createIndexes(ctx: CommandContext): Promise<Doc> {
  const coll = collectionArg(ctx);
  const raw = requiredArray(ctx, 'indexes');
  if (raw.length === 0) throw mongoError('BadValue', 'Must specify at least one index to create');
  const specs = raw.map((r) => parseIndexSpec(ctx, coll, r));
  const result = await ctx.server.store.createIndexes(ctx.db, coll, specs);
  const reply: Doc = {
    numIndexesBefore: result.numIndexesBefore,
    numIndexesAfter: result.numIndexesAfter,
    createdCollectionAutomatically: result.createdCollectionAutomatically,
  };
  if (result.note) reply.note = result.note;
  reply.ok = 1;
  return reply;
}

export function listIndexes(ctx: CommandContext): Doc {
  const coll = collectionArg(ctx);
  const indexes = ctx.server.store.listIndexes(ctx.db, coll).map(({ key, name, ...options }) => {
    const { v: _v, ...rest } = options as Doc;
    return { v: 2, key, name, ...rest };
  });
  return firstBatchReply(ctx, `${ctx.db}.${coll}`, indexes, { batchSize: cursorOptionBatchSize(ctx) });
}

export async function dropIndexes(ctx: CommandContext): Promise<Doc> {
  const coll = collectionArg(ctx);
  const index = ctx.body.index;
  if (index === '_id_') throw mongoError('InvalidOptions', 'cannot drop _id index');
  if (
    typeof index !== 'string' &&
    !isPlainObject(index) &&
    !(Array.isArray(index) && index.every((i) => typeof i === 'string'))
  ) {
    throw mongoError(
      'TypeMismatch',
      "BSON field 'dropIndexes.index' must be a string, an object or an array of strings",
    );
  }
  const { nIndexesWas } = await ctx.server.store.dropIndexes(ctx.db, coll, index as string | string[] | Doc);
  return { nIndexesWas, ok: 1 };
}
