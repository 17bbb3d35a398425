/** Database-level commands: listDatabases, dropDatabase, dbStats. */
import { compileFilter } from '../query/matcher';
import type { Doc } from '../types';
import { optionalBool, optionalDoc } from './args';
import type { CommandContext } from './context';

export function listDatabases(ctx: CommandContext): Doc {
  const nameOnly = optionalBool(ctx, 'nameOnly') ?? false;
  const filter = optionalDoc(ctx, 'filter');
  let databases: Doc[] = ctx.server.store
    .listDatabases()
    .map((d) => (nameOnly ? { name: d.name } : { name: d.name, sizeOnDisk: d.sizeOnDisk, empty: d.empty }));
  if (filter) databases = databases.filter(compileFilter(filter));
  if (nameOnly) return { databases, ok: 1 };
  const totalSize = databases.reduce((sum, d) => sum + Number(d.sizeOnDisk ?? 0), 0);
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
}

export async function dropDatabase(ctx: CommandContext): Promise<Doc> {
  await ctx.server.store.dropDatabase(ctx.db);
  ctx.server.log('dropped database', { db: ctx.db });
  return { dropped: ctx.db, ok: 1 };
}

export function dbStats(ctx: CommandContext): Doc {
  const { store } = ctx.server;
  const collections = store.listCollections(ctx.db);
  let objects = 0;
  let indexes = 0;
  for (const c of collections) {
    objects += store.countCommitted(ctx.db, c.name);
    indexes += store.listIndexes(ctx.db, c.name).length;
  }
  const size = store.listDatabases().find((d) => d.name === ctx.db)?.sizeOnDisk ?? 0;
  return {
    db: ctx.db,
    collections: collections.length,
    views: 0,
    objects,
    dataSize: size,
    storageSize: size,
    indexes,
    totalSize: size,
    scaleFactor: 1,
    ok: 1,
  };
}
