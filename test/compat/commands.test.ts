import { Long, MongoServerError } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();
const admin = () => ctx.client.db('admin');

test('when pinged and asked for build info and server status, then it answers ok', async () => {
  expect(await admin().command({ ping: 1 })).toMatchObject({ ok: 1 });
  const info = await admin().command({ buildInfo: 1 });
  expect(info.version).toMatch(/^\d+\.\d+/);
  expect(Array.isArray(info.versionArray)).toBe(true);
  const status = await admin().command({ serverStatus: 1 });
  expect(status.ok).toBe(1);
});

test('when hello is sent, then the server reports a writable primary with session support', async () => {
  const hello = await admin().command({ hello: 1 });
  expect(hello.isWritablePrimary).toBe(true);
  expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
  expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
  expect(typeof hello.setName).toBe('string');
});

test('when an unknown command is sent, then it fails with CommandNotFound (59) naming it', async () => {
  const attempt = admin().command({ frobnicate: 1 });
  await expect(attempt).rejects.toMatchObject({ code: 59 });
  await expect(attempt).rejects.toThrow(/frobnicate/);
});

test('when collections are created, listed and dropped, then the catalog follows', async () => {
  await ctx.db.createCollection('donations');
  await ctx.db.collection('items').insertOne({ a: 1 });
  const names = (await ctx.db.listCollections().toArray()).map((c) => c.name).sort();
  expect(names).toEqual(['donations', 'items']);
  const filtered = await ctx.db.listCollections({ name: 'items' }, { nameOnly: true }).toArray();
  expect(filtered.map((c) => c.name)).toEqual(['items']);
  await expect(ctx.db.createCollection('donations')).rejects.toMatchObject({ code: 48 });
  expect(await ctx.db.collection('donations').drop()).toBe(true);
  expect((await ctx.db.listCollections().toArray()).map((c) => c.name)).toEqual(['items']);
});

test('when databases are listed and one is dropped, then it disappears from the list', async () => {
  await ctx.db.collection('items').insertOne({ a: 1 });
  const before = await admin().command({ listDatabases: 1, nameOnly: true });
  expect(before.databases.map((d: { name: string }) => d.name)).toContain(ctx.db.databaseName);
  await ctx.db.dropDatabase();
  const after = await admin().command({ listDatabases: 1, nameOnly: true });
  expect(after.databases.map((d: { name: string }) => d.name)).not.toContain(ctx.db.databaseName);
});

test('when a command targets a missing collection for getMore, then it fails as MongoDB does', async () => {
  await expect(ctx.db.command({ getMore: Long.fromNumber(123456789), collection: 'nothing' })).rejects.toBeInstanceOf(
    MongoServerError,
  );
});
