import { Long, MongoClient, MongoServerError } from 'mongodb';
import { testDatabaseUri } from '../support/env';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

async function seedBalance(onHand: number): Promise<void> {
  await ctx.db.createCollection('balances');
  await ctx.db.createCollection('ledger');
  await ctx.db.collection('balances').insertOne({ _id: 'rice', onHand } as never);
}

test('when a transaction commits, then both writes become visible together', async () => {
  await seedBalance(10);
  const session = ctx.client.startSession();
  try {
    await session.withTransaction(async () => {
      await ctx.db.collection('balances').updateOne({ _id: 'rice' as never }, { $inc: { onHand: -3 } }, { session });
      await ctx.db.collection('ledger').insertOne({ item: 'rice', quantity: -3 }, { session });
    });
  } finally {
    await session.endSession();
  }
  expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(7);
  expect(await ctx.db.collection('ledger').countDocuments()).toBe(1);
});

test('when a transaction aborts, then none of its writes remain', async () => {
  await seedBalance(10);
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('balances').updateOne({ _id: 'rice' as never }, { $inc: { onHand: -3 } }, { session });
    await ctx.db.collection('ledger').insertOne({ item: 'rice', quantity: -3 }, { session });
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
  expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(10);
  expect(await ctx.db.collection('ledger').countDocuments()).toBe(0);
});

test('when a transaction reads its own writes, then it sees them while other clients do not', async () => {
  await seedBalance(10);
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('ledger').insertOne({ _id: 'e1', quantity: 5 } as never, { session });
    await ctx.db.collection('balances').updateOne({ _id: 'rice' as never }, { $inc: { onHand: 5 } }, { session });
    expect(await ctx.db.collection('ledger').countDocuments({}, { session })).toBe(1);
    expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }, { session }))?.onHand).toBe(15);
    // Outside the transaction nothing has changed yet.
    expect(await ctx.db.collection('ledger').countDocuments()).toBe(0);
    expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(10);
    await session.commitTransaction();
  } finally {
    await session.endSession();
  }
  expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(15);
});

test('when two transactions write the same document, then the second gets a transient WriteConflict', async () => {
  await seedBalance(10);
  const first = ctx.client.startSession();
  const second = ctx.client.startSession();
  try {
    first.startTransaction();
    second.startTransaction();
    await ctx.db
      .collection('balances')
      .updateOne({ _id: 'rice' as never }, { $inc: { onHand: -1 } }, { session: first });
    const error = (await ctx.db
      .collection('balances')
      .updateOne({ _id: 'rice' as never }, { $inc: { onHand: -1 } }, { session: second })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error.code).toBe(112);
    expect(error.hasErrorLabel('TransientTransactionError')).toBe(true);
    await second.abortTransaction();
    await first.commitTransaction();
  } finally {
    await first.endSession();
    await second.endSession();
  }
  expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(9);
});

test('when conflicting transactions use withTransaction, then the loser retries and both apply', async () => {
  await seedBalance(100);
  const clients = await Promise.all([0, 1].map(() => new MongoClient(testDatabaseUri()).connect()));
  try {
    await Promise.all(
      clients.map(async (client) => {
        const db = client.db(ctx.db.databaseName);
        for (let i = 0; i < 10; i++) {
          const session = client.startSession();
          try {
            await session.withTransaction(async () => {
              await db
                .collection('balances')
                .updateOne({ _id: 'rice' as never, onHand: { $gte: 1 } }, { $inc: { onHand: -1 } }, { session });
              await db.collection('ledger').insertOne({ item: 'rice', quantity: -1 }, { session });
            });
          } finally {
            await session.endSession();
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(80);
  expect(await ctx.db.collection('ledger').countDocuments()).toBe(20);
});

test('when a transaction inserts a duplicate of a unique key, then it fails with 11000 and commits nothing', async () => {
  await ctx.db.collection('items').createIndex({ sku: 1 }, { unique: true });
  await ctx.db.collection('items').insertOne({ sku: 'A' });
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('items').insertOne({ sku: 'B' }, { session });
    await expect(ctx.db.collection('items').insertOne({ sku: 'B' }, { session })).rejects.toMatchObject({
      code: 11000,
    });
    await session.abortTransaction().catch(() => undefined);
  } finally {
    await session.endSession();
  }
  expect(await ctx.db.collection('items').countDocuments()).toBe(1);
});

test('when a statement of a transaction hits a duplicate key, then the reply carries writeErrors and the transaction is over', async () => {
  await ctx.db.createCollection('dups');
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    const reply = await ctx.db.command({ insert: 'dups', documents: [{ _id: 0 }, { _id: 0 }] }, { session });
    expect(reply).toMatchObject({ ok: 1, n: 1 });
    expect(reply.writeErrors).toHaveLength(1);
    expect(reply.writeErrors[0]).toMatchObject({ index: 1, code: 11000 });
    await expect(ctx.db.collection('dups').insertOne({ _id: 1 } as never, { session })).rejects.toMatchObject({
      code: 251,
    });
    await session.abortTransaction().catch(() => undefined);
  } finally {
    await session.endSession();
  }
  expect(await ctx.db.collection('dups').countDocuments()).toBe(0);
});

test('when a transaction is committed twice, then the repeated commit answers ok', async () => {
  await seedBalance(10);
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('balances').updateOne({ _id: 'rice' as never }, { $inc: { onHand: 1 } }, { session });
    await session.commitTransaction();
    await session.commitTransaction();
  } finally {
    await session.endSession();
  }
  expect((await ctx.db.collection('balances').findOne({ _id: 'rice' as never }))?.onHand).toBe(11);
});

test('when a transaction was aborted by a write conflict, then its next operation fails with NoSuchTransaction (251)', async () => {
  await seedBalance(10);
  const winner = ctx.client.startSession();
  const loser = ctx.client.startSession();
  try {
    winner.startTransaction();
    loser.startTransaction();
    await ctx.db
      .collection('balances')
      .updateOne({ _id: 'rice' as never }, { $inc: { onHand: -1 } }, { session: winner });
    await expect(
      ctx.db.collection('balances').updateOne({ _id: 'rice' as never }, { $inc: { onHand: -1 } }, { session: loser }),
    ).rejects.toMatchObject({ code: 112 });
    // The server aborted the loser's transaction: it no longer exists.
    const next = (await ctx.db
      .collection('ledger')
      .insertOne({ item: 'rice' }, { session: loser })
      .catch((e: unknown) => e)) as MongoServerError;
    expect(next).toBeInstanceOf(MongoServerError);
    expect(next.code).toBe(251);
    expect(next.hasErrorLabel('TransientTransactionError')).toBe(true);
    await loser.abortTransaction().catch(() => undefined);
    await winner.commitTransaction();
  } finally {
    await winner.endSession();
    await loser.endSession();
  }
  expect(await ctx.db.collection('ledger').countDocuments()).toBe(0);
});

test('when a retryable insert or update is sent twice with the same transaction number, then it applies once', async () => {
  await ctx.db.createCollection('retry');
  // A client of its own, so that its session id has never been used and transaction numbers start afresh.
  const client = await new MongoClient(testDatabaseUri()).connect();
  const session = client.startSession();
  try {
    const db = client.db(ctx.db.databaseName);
    const insert = { insert: 'retry', documents: [{ _id: 1, q: 1 }], txnNumber: Long.fromNumber(1) };
    const first = await db.command(insert, { session });
    const again = await db.command(insert, { session });
    expect(first).toMatchObject({ ok: 1, n: 1 });
    expect(again).toMatchObject({ ok: 1, n: 1 });
    expect(again.writeErrors).toBeUndefined();
    const update = {
      update: 'retry',
      updates: [{ q: { _id: 1 }, u: { $inc: { q: 1 } } }],
      txnNumber: Long.fromNumber(2),
    };
    await db.command(update, { session });
    await db.command(update, { session });
  } finally {
    await session.endSession();
    await client.close();
  }
  expect(await ctx.db.collection('retry').findOne({ _id: 1 as never })).toEqual({ _id: 1, q: 2 });
});

test('when an insert inside a transaction creates a collection, then other clients do not list it until the commit', async () => {
  const session = ctx.client.startSession();
  const listed = async () => (await ctx.db.listCollections({ name: 'created_in_txn' }).toArray()).length;
  try {
    session.startTransaction();
    await ctx.db.collection('created_in_txn').insertOne({ _id: 1 } as never, { session });
    expect(await listed()).toBe(0);
    await session.commitTransaction();
  } finally {
    await session.endSession();
  }
  expect(await listed()).toBe(1);
  expect(await ctx.db.collection('created_in_txn').countDocuments()).toBe(1);
});

test('when a transaction that created a collection aborts, then the collection does not exist', async () => {
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('aborted_in_txn').insertOne({ _id: 1 } as never, { session });
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
  expect(await ctx.db.listCollections({ name: 'aborted_in_txn' }).toArray()).toEqual([]);
});
