/** Sessions and multi-document transactions through the driver, as on a MongoDB replica set. */
import { type MongoClient, MongoServerError } from 'mongodb';
import { useServer } from './harness';

const h = useServer();
let n = 0;
const fresh = async () => {
  const coll = h.db().collection(`txn_${++n}`);
  await h.db().createCollection(coll.collectionName);
  return coll;
};

test('when withTransaction commits, then every write becomes visible together', async () => {
  const coll = await fresh();
  const session = h.client.startSession();
  try {
    await session.withTransaction(async () => {
      await coll.insertOne({ _id: 1 as never, v: 'a' }, { session });
      await coll.insertOne({ _id: 2 as never, v: 'b' }, { session });
      // Read-your-writes inside the transaction, invisible outside it.
      expect(await coll.countDocuments({}, { session })).toBe(2);
      expect(await coll.countDocuments({})).toBe(0);
    });
  } finally {
    await session.endSession();
  }
  expect(await coll.countDocuments({})).toBe(2);
});

test('when a transaction is aborted, then none of its writes remain', async () => {
  const coll = await fresh();
  await coll.insertOne({ _id: 1 as never, qty: 10 });
  const session = h.client.startSession();
  session.startTransaction();
  await coll.updateOne({ _id: 1 as never }, { $inc: { qty: -4 } }, { session });
  await coll.insertOne({ _id: 2 as never }, { session });
  await session.abortTransaction();
  await session.endSession();
  expect(await coll.find().toArray()).toEqual([{ _id: 1, qty: 10 }]);
});

test('when the callback throws, then withTransaction aborts and rethrows', async () => {
  const coll = await fresh();
  const session = h.client.startSession();
  await expect(
    session.withTransaction(async () => {
      await coll.insertOne({ x: 1 }, { session });
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  await session.endSession();
  expect(await coll.countDocuments()).toBe(0);
});

test('when a commit is repeated, then the second commit is answered ok', async () => {
  const coll = await fresh();
  const session = h.client.startSession();
  session.startTransaction();
  await coll.insertOne({ _id: 'r' as never }, { session });
  await session.commitTransaction();
  await expect(session.commitTransaction()).resolves.toBeUndefined();
  await session.endSession();
  expect(await coll.countDocuments()).toBe(1);
});

test('when a statement names an unknown transaction, then 251 NoSuchTransaction with TransientTransactionError', async () => {
  const coll = await fresh();
  const session = h.client.startSession();
  const lsid = session.id;
  const err = (await h
    .db()
    .command({ find: coll.collectionName, filter: {}, lsid, txnNumber: 42, autocommit: false })
    .catch((e: unknown) => e)) as MongoServerError;
  await session.endSession();
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(251);
  expect(err.hasErrorLabel('TransientTransactionError')).toBe(true);
});

test('when two transactions write the same document, then the second gets WriteConflict and withTransaction retries it', async () => {
  const coll = await fresh();
  await coll.insertOne({ _id: 1 as never, v: 0 });
  const first = h.client.startSession();
  first.startTransaction();
  await coll.updateOne({ _id: 1 as never }, { $inc: { v: 1 } }, { session: first });

  const second = h.client.startSession();
  second.startTransaction();
  const err = (await coll
    .updateOne({ _id: 1 as never }, { $inc: { v: 10 } }, { session: second })
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(112);
  expect(err.hasErrorLabel('TransientTransactionError')).toBe(true);
  await second.abortTransaction().catch(() => undefined);
  await first.commitTransaction();

  // withTransaction retries a transient error until it goes through.
  await second.withTransaction(async () => {
    await coll.updateOne({ _id: 1 as never }, { $inc: { v: 10 } }, { session: second });
  });
  await first.endSession();
  await second.endSession();
  expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 11 });
});

test('when a plain write meets a document held by a transaction, then it waits for the transaction to end', async () => {
  const coll = await fresh();
  await coll.insertOne({ _id: 1 as never, v: 0 });
  const session = h.client.startSession();
  session.startTransaction();
  await coll.updateOne({ _id: 1 as never }, { $inc: { v: 1 } }, { session });
  const plain = coll.updateOne({ _id: 1 as never }, { $inc: { v: 100 } });
  await new Promise((r) => setTimeout(r, 100));
  await session.commitTransaction();
  await plain;
  await session.endSession();
  expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, v: 101 });
});

test('when a unique index is violated inside a transaction, then the statement fails with 11000 and the transaction aborts', async () => {
  const coll = await fresh();
  await coll.createIndex({ code: 1 }, { unique: true });
  await coll.insertOne({ code: 'A' });
  const session = h.client.startSession();
  session.startTransaction();
  await coll.insertOne({ code: 'B' }, { session });
  const err = (await coll.insertOne({ code: 'A' }, { session }).catch((e: unknown) => e)) as MongoServerError;
  expect(err.code).toBe(11000);
  await session.abortTransaction().catch(() => undefined);
  await session.endSession();
  expect(await coll.countDocuments({ code: 'B' })).toBe(0);
});

test("when endSessions is sent, then the session's open transaction is rolled back", async () => {
  const coll = await fresh();
  const session = h.client.startSession();
  session.startTransaction();
  await coll.insertOne({ _id: 'pending' as never }, { session });
  await h.db('admin').command({ endSessions: [session.id] });
  expect(await coll.countDocuments()).toBe(0);
  await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
  await session.endSession();
});

test('when a client with an open transaction disconnects, then the transaction is rolled back', async () => {
  const coll = await fresh();
  const other: MongoClient = await h.newClient({ maxPoolSize: 1 });
  const session = other.startSession();
  session.startTransaction();
  await other
    .db(h.db().databaseName)
    .collection(coll.collectionName)
    .insertOne({ _id: 'gone' as never }, { session });
  await other.close(true);
  // The insert never became visible, and the document is not left locked: a plain write goes through.
  await coll.insertOne({ _id: 'gone' as never });
  expect(await coll.countDocuments()).toBe(1);
});

test('when a transaction outlives transactionLifetimeLimitSeconds, then it is aborted', async () => {
  const coll = await fresh();
  const admin = h.db('admin');
  const { transactionLifetimeLimitSeconds: was } = await admin.command({
    getParameter: 1,
    transactionLifetimeLimitSeconds: 1,
  });
  await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 1 });
  try {
    const session = h.client.startSession();
    session.startTransaction();
    await coll.insertOne({ _id: 'old' as never }, { session });
    await new Promise((r) => setTimeout(r, 2500));
    await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
    await session.endSession();
    expect(await coll.countDocuments()).toBe(0);
  } finally {
    await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: was });
  }
});

test('when count runs inside a transaction, then it is refused as on MongoDB', async () => {
  const coll = await fresh();
  const session = h.client.startSession();
  session.startTransaction();
  const err = (await h
    .db()
    .command({ count: coll.collectionName }, { session })
    .catch((e: unknown) => e)) as MongoServerError;
  await session.abortTransaction().catch(() => undefined);
  await session.endSession();
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(263);
});

test("when a transaction's cursor is read with getMore, then only that transaction may read it (not after abort)", async () => {
  const coll = await fresh();
  await coll.insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
  const session = h.client.startSession();
  try {
    session.startTransaction();
    await coll.insertOne({ _id: 3 } as never, { session });
    await coll.insertOne({ _id: 4 } as never, { session });
    const first = await h.db().command({ find: coll.collectionName, sort: { _id: 1 }, batchSize: 1 }, { session });
    // Inside the transaction, getMore goes on and sees the transaction's own writes.
    const more = await h
      .db()
      .command({ getMore: first.cursor.id, collection: coll.collectionName, batchSize: 1 }, { session });
    expect(more.cursor.nextBatch).toEqual([{ _id: 2 }]);
    await session.abortTransaction();
    // mongod: 50740, "cursor created in transaction N, without a txnNumber" (never the aborted writes).
    const err = (await h
      .db()
      .command({ getMore: first.cursor.id, collection: coll.collectionName }, { session })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(50740);
  } finally {
    await session.endSession();
  }
  expect(await coll.countDocuments()).toBe(2);
});

test('when a cursor opened outside a transaction is read from inside one, then getMore answers 50739', async () => {
  const coll = await fresh();
  await coll.insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
  const session = h.client.startSession();
  try {
    const first = await h.db().command({ find: coll.collectionName, batchSize: 1 }, { session });
    session.startTransaction();
    await coll.findOne({}, { session });
    const err = (await h
      .db()
      .command({ getMore: first.cursor.id, collection: coll.collectionName }, { session })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(50739);
    await session.abortTransaction().catch(() => undefined);
  } finally {
    await session.endSession();
  }
});

test('when create is sent inside a transaction, then it is refused rather than surviving an abort', async () => {
  const session = h.client.startSession();
  const name = `txn_create_${++n}`;
  try {
    session.startTransaction();
    const err = (await h
      .db()
      .createCollection(name, { session })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(263); // OperationNotSupportedInTransaction
    await session.abortTransaction().catch(() => undefined);
  } finally {
    await session.endSession();
  }
  const names = (await h.db().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  expect(names).not.toContain(name);
});
