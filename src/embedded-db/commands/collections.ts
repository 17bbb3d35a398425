/** Collection-level commands: create, drop, listCollections, collStats. */

import { mongoError } from '../errors';
import { parseCollation } from '../query/collation';
import { compileFilter } from '../query/matcher';
import type { Doc } from '../types';
import { collectionArg, optionalBool, optionalDoc, refuseOptions } from './args';
import type { CommandContext } from './context';
import { cursorOptionBatchSize, firstBatchReply } from './cursor-reply';

/** Generic fields every command may carry; they are not collection options. */
const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

export async function create(ctx: CommandContext): Promise<Doc> {
  const coll = collectionArg(ctx);
  // Features that change what reads and writes do; accepting them silently would give wrong results.
  refuseOptions(ctx, [
    'capped',
    'timeseries',
    'viewOn',
    'pipeline',
    'validator',
    'clusteredIndex',
    'changeStreamPreAndPostImages',
    'encryptedFields',
  ]);
  const options: Doc = {};
  for (const [key, value] of Object.entries(ctx.body)) {
    if (key !== ctx.name && !GENERIC_FIELDS.has(key)) options[key] = value;
  }
  // The default collation is kept in full (as listCollections reports it); the simple one is no collation at all.
  const collation = parseCollation(ctx.body.collation);
  if (collation) options.collation = collation.spec;
  else delete options.collation;
  await ctx.server.store.createCollection(ctx.db, coll, options);
  return { ok: 1 };
}

export async function drop(ctx: CommandContext): Promise<Doc> {
  const coll = collectionArg(ctx);
  const { store } = ctx.server;
  const exists = store.listCollections(ctx.db).some((c) => c.name === coll);
  // Since MongoDB 7.0 dropping a missing collection succeeds.
  if (!exists) return { ok: 1 };
  const nIndexesWas = store.listIndexes(ctx.db, coll).length;
  await store.dropCollection(ctx.db, coll);
  return { ns: `${ctx.db}.${coll}`, nIndexesWas, ok: 1 };
}

export function listCollections(ctx: CommandContext): Doc {
  const filter = optionalDoc(ctx, 'filter');
  const nameOnly = optionalBool(ctx, 'nameOnly') ?? false;
  let infos: Doc[] = ctx.server.store.listCollections(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: c.options ?? {},
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  infos.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  if (filter) infos = infos.filter(compileFilter(filter));
  if (nameOnly) infos = infos.map((c) => ({ name: c.name, type: c.type }));
  return firstBatchReply(ctx, `${ctx.db}.$cmd.listCollections`, infos, { batchSize: cursorOptionBatchSize(ctx) });
}

export function collStats(ctx: CommandContext): Doc {
  const coll = collectionArg(ctx);
  const { store } = ctx.server;
  if (!store.listCollections(ctx.db).some((c) => c.name === coll)) {
    throw mongoError('NamespaceNotFound', `Collection [${ctx.db}.${coll}] not found.`);
  }
  const indexes = store.listIndexes(ctx.db, coll);
  const count = store.countCommitted(ctx.db, coll);
  return {
    ns: `${ctx.db}.${coll}`,
    count,
    size: 0,
    storageSize: 0,
    nindexes: indexes.length,
    indexSizes: Object.fromEntries(indexes.map((i) => [i.name, 0])),
    totalIndexSize: 0,
    capped: false,
    ok: 1,
  };
}
