/** CRUD round trips through the driver, with BSON number types kept exactly. */
import { Decimal128, Double, Int32, Long, MongoBulkWriteError, MongoServerError, ObjectId, Timestamp } from 'mongodb';
import { useServer } from './harness';

const h = useServer();
let n = 0;
const fresh = () => h.db().collection(`crud_${++n}`);

test('when a document without _id is inserted, then an ObjectId _id is generated and stored first', async () => {
  const coll = fresh();
  const result = await coll.insertOne({ name: 'rice', kg: 25 });
  expect(result.insertedId).toBeInstanceOf(ObjectId);
  const raw = await h.db().command({ find: coll.collectionName, filter: {} });
  expect(Object.keys(raw.cursor.firstBatch[0])[0]).toBe('_id');
});

test('when a document has _id last, then it is stored with _id first', async () => {
  const coll = fresh();
  await coll.insertOne({ a: 1, _id: 'x' } as never);
  const [doc] = await coll.find({}).toArray();
  expect(Object.keys(doc)).toEqual(['_id', 'a']);
});

test('when numbers of every BSON type are stored, then they come back with the same types', async () => {
  const coll = fresh();
  await coll.insertOne({
    _id: 1 as never,
    i: new Int32(7),
    d: new Double(5),
    l: Long.fromString('9007199254740993'),
    small: Long.fromNumber(3),
    dec: Decimal128.fromString('10.25'),
  });
  const doc = await coll.findOne({ _id: 1 as never }, { promoteValues: false });
  expect(doc?.i).toBeInstanceOf(Int32);
  expect(doc?.d).toBeInstanceOf(Double);
  expect(doc?.l).toBeInstanceOf(Long);
  expect(String(doc?.l)).toBe('9007199254740993');
  expect(doc?.small).toBeInstanceOf(Long);
  expect(doc?.dec).toBeInstanceOf(Decimal128);
  expect(String(doc?.dec)).toBe('10.25');
});

test('when filtering, sorting, projecting, skipping and limiting, then find answers like MongoDB', async () => {
  const coll = fresh();
  await coll.insertMany([1, 2, 3, 4, 5].map((i) => ({ _id: i as never, v: i, tag: i % 2 ? 'odd' : 'even' })));
  const docs = await coll
    .find({ v: { $gte: 2 } }, { projection: { v: 1, _id: 0 } })
    .sort({ v: -1 })
    .skip(1)
    .limit(2)
    .toArray();
  expect(docs).toEqual([{ v: 4 }, { v: 3 }]);
});

test('when an ordered insertMany meets a duplicate key, then it stops there and reports index, code and keyValue', async () => {
  const coll = fresh();
  const err = (await coll
    .insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }] as never[])
    .catch((e: unknown) => e)) as MongoBulkWriteError;
  expect(err).toBeInstanceOf(MongoBulkWriteError);
  expect(err.result.insertedCount).toBe(2);
  const [writeError] = err.writeErrors as unknown as {
    index: number;
    code: number;
    errInfo?: unknown;
    err: { keyValue?: unknown };
  }[];
  expect(writeError.index).toBe(2);
  expect(writeError.code).toBe(11000);
  expect(await coll.countDocuments()).toBe(2);
});

test('when an unordered insertMany meets a duplicate key, then the other documents are inserted', async () => {
  const coll = fresh();
  const err = (await coll
    .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 3 }] as never[], { ordered: false })
    .catch((e: unknown) => e)) as MongoBulkWriteError;
  expect(err).toBeInstanceOf(MongoBulkWriteError);
  expect(err.result.insertedCount).toBe(3);
  expect(await coll.countDocuments()).toBe(3);
});

test('when a unique index is violated on insert, then the write error names keyPattern and keyValue', async () => {
  const coll = fresh();
  await coll.createIndex({ sku: 1 }, { unique: true });
  await coll.insertOne({ sku: 'A1' });
  const raw = await h.db().command({ insert: coll.collectionName, documents: [{ sku: 'A1' }] });
  expect(raw.n).toBe(0);
  expect(raw.writeErrors[0]).toMatchObject({ index: 0, code: 11000, keyPattern: { sku: 1 }, keyValue: { sku: 'A1' } });
  expect(raw.writeErrors[0].errmsg).toContain('E11000');
});

test('when updateOne matches, then n and nModified count matched and changed documents', async () => {
  const coll = fresh();
  await coll.insertMany([
    { _id: 1, q: 1 },
    { _id: 2, q: 1 },
  ] as never[]);
  const same = await coll.updateOne({ _id: 1 as never }, { $set: { q: 1 } });
  expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  const many = await coll.updateMany({}, { $inc: { q: 1 } });
  expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
  expect((await coll.find().toArray()).map((d) => d.q)).toEqual([2, 2]);
});

test('when an upsert matches nothing, then the new document is seeded from the filter and $setOnInsert', async () => {
  const coll = fresh();
  const res = await coll.updateOne(
    { sku: 'B2', warehouse: 'ALA' },
    { $inc: { onHand: 5 }, $setOnInsert: { createdBy: 'test' } },
    { upsert: true },
  );
  expect(res.upsertedCount).toBe(1);
  expect(res.upsertedId).toBeInstanceOf(ObjectId);
  const doc = await coll.findOne({ _id: res.upsertedId as ObjectId });
  expect(doc).toMatchObject({ sku: 'B2', warehouse: 'ALA', onHand: 5, createdBy: 'test' });
  const again = await coll.updateOne(
    { sku: 'B2', warehouse: 'ALA' },
    { $inc: { onHand: 5 }, $setOnInsert: { createdBy: 'other' } },
    { upsert: true },
  );
  expect(again).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
  expect(await coll.findOne({ sku: 'B2' })).toMatchObject({ onHand: 10, createdBy: 'test' });
});

test('when a bulk of upserts runs, then upserted reports each index and _id', async () => {
  const coll = fresh();
  const raw = await h.db().command({
    update: coll.collectionName,
    updates: [
      { q: { _id: 'a' }, u: { $set: { v: 1 } }, upsert: true },
      { q: { _id: 'b' }, u: { $set: { v: 2 } }, upsert: true },
    ],
  });
  expect(raw.n).toBe(2);
  expect(raw.nModified).toBe(0);
  expect(raw.upserted).toEqual([
    { index: 0, _id: 'a' },
    { index: 1, _id: 'b' },
  ]);
});

test('when a replacement keeps _id, then the document is replaced; when it changes _id, then 66 ImmutableField', async () => {
  const coll = fresh();
  await coll.insertOne({ _id: 1 as never, a: 1, b: 2 });
  await coll.replaceOne({ _id: 1 as never }, { a: 5 });
  expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, a: 5 });
  const raw = await h.db().command({ update: coll.collectionName, updates: [{ q: { _id: 1 }, u: { _id: 2, a: 6 } }] });
  expect(raw.writeErrors[0].code).toBe(66);
});

test('when deleteOne and deleteMany run, then they remove one and every match', async () => {
  const coll = fresh();
  await coll.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
  expect((await coll.deleteOne({ k: 1 })).deletedCount).toBe(1);
  expect((await coll.deleteMany({ k: 1 })).deletedCount).toBe(2);
  expect(await coll.countDocuments()).toBe(1);
});

test('when findOneAndUpdate runs, then it returns the document before or after and lastErrorObject', async () => {
  const coll = fresh();
  await coll.insertOne({ _id: 1 as never, qty: 10 });
  const before = await coll.findOneAndUpdate(
    { _id: 1 as never },
    { $inc: { qty: -3 } },
    { includeResultMetadata: true },
  );
  expect(before.value).toEqual({ _id: 1, qty: 10 });
  expect(before.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
  const after = await coll.findOneAndUpdate({ _id: 1 as never }, { $inc: { qty: -3 } }, { returnDocument: 'after' });
  expect(after).toEqual({ _id: 1, qty: 4 });
  const upserted = await coll.findOneAndUpdate(
    { _id: 2 as never },
    { $set: { qty: 1 } },
    { upsert: true, returnDocument: 'after', includeResultMetadata: true },
  );
  expect(upserted.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 2 });
  const removed = await coll.findOneAndDelete({ _id: 2 as never });
  expect(removed).toEqual({ _id: 2, qty: 1 });
});

test('when findAndModify would duplicate a unique key, then it fails with a top-level 11000 and keyValue', async () => {
  const coll = fresh();
  await coll.createIndex({ code: 1 }, { unique: true });
  await coll.insertMany([{ code: 'a' }, { code: 'b' }]);
  const err = (await coll
    .findOneAndUpdate({ code: 'b' }, { $set: { code: 'a' } })
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(11000);
  expect(err.keyValue).toEqual({ code: 'a' });
  expect(err.errorResponse.keyPattern).toEqual({ code: 1 });
});

test('when count and distinct run, then they answer like MongoDB', async () => {
  const coll = fresh();
  await coll.insertMany([{ t: ['a', 'b'] }, { t: ['b', 'c'] }, { t: 'd' }, {}]);
  expect(await coll.estimatedDocumentCount()).toBe(4);
  expect(await coll.countDocuments({ t: 'b' })).toBe(2);
  expect((await coll.distinct('t')).sort()).toEqual(['a', 'b', 'c', 'd']);
  const raw = await h.db().command({ count: coll.collectionName, query: { t: 'b' } });
  expect(raw.n).toBe(2);
});

test('when collections are created, listed and dropped, then listCollections follows', async () => {
  const db = h.db();
  await db.createCollection('lc_one');
  const err = (await db.createCollection('lc_one').catch((e: unknown) => e)) as MongoServerError;
  expect(err.code).toBe(48);
  const names = (await db.listCollections({ name: 'lc_one' }, { nameOnly: true }).toArray()).map((c) => c.name);
  expect(names).toEqual(['lc_one']);
  const full = await db.listCollections({ name: 'lc_one' }).toArray();
  expect(full[0]).toMatchObject({ name: 'lc_one', type: 'collection' });
  await db.dropCollection('lc_one');
  expect(await db.listCollections({ name: 'lc_one' }).toArray()).toEqual([]);
});

test('when databases are listed, then the current one is there; after dropDatabase it is gone', async () => {
  const db = h.client.db(`${h.db().databaseName}_x`);
  await db.collection('c').insertOne({ a: 1 });
  const { databases } = await h.client.db('admin').admin().listDatabases();
  expect(databases.map((d) => d.name)).toContain(db.databaseName);
  await db.dropDatabase();
  const after = await h.client.db('admin').admin().listDatabases();
  expect(after.databases.map((d) => d.name)).not.toContain(db.databaseName);
});

test('when indexes are created, listed and dropped, then listIndexes reflects each step', async () => {
  const coll = fresh();
  await coll.insertOne({ a: 1 });
  expect(await coll.createIndex({ a: 1, b: -1 }, { unique: true })).toBe('a_1_b_-1');
  const indexes = await coll.listIndexes().toArray();
  expect(indexes.map((i) => i.name)).toEqual(['_id_', 'a_1_b_-1']);
  expect(indexes[1]).toMatchObject({ v: 2, key: { a: 1, b: -1 }, unique: true });
  await coll.dropIndex('a_1_b_-1');
  expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
});

test('when a write is sent with w: 0, then it is applied although nothing is acknowledged', async () => {
  const coll = fresh();
  await coll.insertOne({ _id: 'w0' as never }, { writeConcern: { w: 0 } });
  // The next command on the same connection runs after it (commands of a connection are handled in order).
  for (let i = 0; i < 50 && !(await coll.findOne({ _id: 'w0' as never })); i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(await coll.findOne({ _id: 'w0' as never })).toEqual({ _id: 'w0' });
});

test('when count gets a negative skip, then it is refused (mongod 51024), not clamped to 0', async () => {
  const coll = fresh();
  await coll.insertMany([{ a: 1 }, { a: 2 }]);
  const err = (await h
    .db()
    .command({ count: coll.collectionName, query: { a: { $gt: 0 } }, skip: -1 })
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(51024);
});

test('when a snapshot read asks for a time older than any kept snapshot, then it answers SnapshotTooOld', async () => {
  const coll = fresh();
  await coll.insertOne({ a: 1 });
  const err = (await h
    .db()
    .command({
      find: coll.collectionName,
      readConcern: { level: 'snapshot', atClusterTime: new Timestamp({ t: 1, i: 1 }) },
    })
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(239);
});

test('when a query hints a sparse index, then it is refused rather than answered with documents mongod would skip', async () => {
  const c = fresh();
  await c.insertMany([{ phone: '+77011234567' }, { name: 'no phone' }]);
  await c.createIndex({ phone: 1 }, { sparse: true });
  await expect(c.find({}).hint({ phone: 1 }).toArray()).rejects.toMatchObject({ code: 115 });
  expect(await c.find({}).toArray()).toHaveLength(2);
});
