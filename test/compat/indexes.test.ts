import { MongoServerError } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

async function duplicateError(attempt: Promise<unknown>): Promise<MongoServerError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  expect((error as MongoServerError).code).toBe(11000);
  return error as MongoServerError;
}

test('when a unique single-field index exists, then a duplicate insert fails with 11000, keyPattern and keyValue', async () => {
  const items = ctx.db.collection('items');
  await items.createIndex({ sku: 1 }, { unique: true });
  await items.insertOne({ sku: 'FLOUR-1' });
  const error = await duplicateError(items.insertOne({ sku: 'FLOUR-1' }));
  expect(error.keyPattern).toEqual({ sku: 1 });
  expect(error.keyValue).toEqual({ sku: 'FLOUR-1' });
  expect(error.message).toMatch(/E11000 duplicate key error collection: .*items index: sku_1 dup key/);
});

test('when an update or upsert would duplicate a unique key, then it fails with 11000', async () => {
  const items = ctx.db.collection('items');
  await items.createIndex({ sku: 1 }, { unique: true });
  await items.insertMany([{ sku: 'A' }, { sku: 'B' }]);
  await duplicateError(items.updateOne({ sku: 'B' }, { $set: { sku: 'A' } }));
  await duplicateError(items.findOneAndUpdate({ sku: 'B' }, { $set: { sku: 'A' } }));
  await duplicateError(items.updateOne({ sku: 'C' }, { $set: { sku: 'A' } }, { upsert: true }));
  expect(await items.countDocuments()).toBe(2);
});

test('when a compound unique index exists, then only the full key must be unique', async () => {
  const balances = ctx.db.collection('balances');
  await balances.createIndex({ warehouse: 1, item: 1 }, { unique: true });
  await balances.insertMany([
    { warehouse: 'ALA', item: 'rice' },
    { warehouse: 'AST', item: 'rice' },
  ]);
  const error = await duplicateError(balances.insertOne({ warehouse: 'ALA', item: 'rice' }));
  expect(error.keyValue).toEqual({ warehouse: 'ALA', item: 'rice' });
});

test('when a unique index is on a dotted path, then values inside subdocuments are unique', async () => {
  const donors = ctx.db.collection('donors');
  await donors.createIndex({ 'contact.email': 1 }, { unique: true });
  await donors.insertOne({ contact: { email: 'a@b.kz' } });
  const error = await duplicateError(donors.insertOne({ contact: { email: 'a@b.kz' } }));
  expect(error.keyValue).toEqual({ 'contact.email': 'a@b.kz' });
});

test('when a unique index is sparse, then many documents may lack the field', async () => {
  const users = ctx.db.collection('users');
  await users.createIndex({ phone: 1 }, { unique: true, sparse: true });
  await users.insertMany([{ name: 'a' }, { name: 'b' }, { phone: '+77011234567' }]);
  await duplicateError(users.insertOne({ phone: '+77011234567' }));
});

test('when a unique index is partial, then uniqueness applies only to documents matching its filter', async () => {
  const keys = ctx.db.collection('keys');
  await keys.createIndex({ label: 1 }, { unique: true, partialFilterExpression: { active: true } });
  await keys.insertMany([
    { label: 'x', active: false },
    { label: 'x', active: false },
    { label: 'x', active: true },
  ]);
  await duplicateError(keys.insertOne({ label: 'x', active: true }));
});

test('when without sparse, then two documents missing the field collide on null', async () => {
  const c = ctx.db.collection('nulls');
  await c.createIndex({ code: 1 }, { unique: true });
  await c.insertOne({ name: 'a' });
  const error = await duplicateError(c.insertOne({ name: 'b' }));
  expect(error.keyValue).toEqual({ code: null });
});

test('when a unique index is built over existing duplicates, then creation fails and no index is left', async () => {
  const c = ctx.db.collection('dups');
  await c.insertMany([{ code: 1 }, { code: 1 }]);
  await duplicateError(c.createIndex({ code: 1 }, { unique: true }));
  const names = (await c.indexes()).map((i) => i.name);
  expect(names).toEqual(['_id_']);
});

test('when an insert command hits a unique index, then the write error carries keyPattern and keyValue', async () => {
  const c = ctx.db.collection('bulk');
  await c.createIndex({ code: 1 }, { unique: true });
  // The driver's bulk error keeps only code and message; the server's reply has the key, which Mongoose reads.
  const reply = await ctx.db.command({ insert: 'bulk', documents: [{ code: 1 }, { code: 1 }] });
  expect(reply.n).toBe(1);
  expect(reply.writeErrors).toHaveLength(1);
  expect(reply.writeErrors[0]).toMatchObject({ index: 1, code: 11000, keyPattern: { code: 1 }, keyValue: { code: 1 } });
});

test('when indexes are listed and dropped, then the catalog follows', async () => {
  const c = ctx.db.collection('catalog');
  expect(await c.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
  await c.createIndex({ c: 1 }, { name: 'by_c', unique: true });
  const listed = await c.indexes();
  expect(listed.map((i) => i.name)).toEqual(['_id_', 'a_1_b_-1', 'by_c']);
  expect(listed.find((i) => i.name === 'by_c')).toMatchObject({ key: { c: 1 }, unique: true });
  await c.dropIndex('a_1_b_-1');
  expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'by_c']);
  await expect(c.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
});

test('when the same index name is reused with another key, then creation fails', async () => {
  const c = ctx.db.collection('conflict');
  await c.createIndex({ a: 1 }, { name: 'idx' });
  await expect(c.createIndex({ b: 1 }, { name: 'idx' })).rejects.toBeInstanceOf(MongoServerError);
});

test('when an equality or range query hits an indexed field, then only matching documents are examined', async () => {
  const c = ctx.db.collection('ledger');
  await c.insertMany(Array.from({ length: 2000 }, (_, i) => ({ seq: i, item: `I-${i % 100}` })));
  await c.createIndex({ seq: 1 });
  await c.createIndex({ item: 1 });
  const eq = await c.find({ item: 'I-7' }).explain('executionStats');
  expect(eq.executionStats.nReturned).toBe(20);
  expect(eq.executionStats.totalDocsExamined).toBe(20);
  const range = await c.find({ seq: { $gte: 100, $lt: 110 } }).explain('executionStats');
  expect(range.executionStats.nReturned).toBe(10);
  expect(range.executionStats.totalDocsExamined).toBe(10);
  const scan = await c.find({ unindexed: 1 }).explain('executionStats');
  expect(scan.executionStats.totalDocsExamined).toBe(2000);
});

test('when a query hints an index by name or key, then it runs; a hint naming no index fails with BadValue (2)', async () => {
  const c = ctx.db.collection('hinted');
  await c.insertMany([
    { sku: 'A', q: 1 },
    { sku: 'B', q: 2 },
  ]);
  await c.createIndex({ sku: 1 });
  expect(
    await c
      .find({ q: { $gte: 1 } })
      .hint('sku_1')
      .toArray(),
  ).toHaveLength(2);
  expect(
    await c
      .find({ q: { $gte: 1 } })
      .hint({ sku: 1 })
      .toArray(),
  ).toHaveLength(2);
  expect(await c.countDocuments({ q: 2 }, { hint: { sku: 1 } })).toBe(1);
  await expect(c.find({}).hint('no_such_index').toArray()).rejects.toMatchObject({ code: 2 });
  await expect(c.updateOne({ sku: 'A' }, { $set: { q: 3 } }, { hint: { missing: 1 } })).rejects.toMatchObject({
    code: 2,
  });
});
