/** Read and write concern options that mongod refuses, per the manual's readConcern and transactions pages. */
import { type Db, Long, MongoClient, type MongoServerError, Timestamp } from 'mongodb';
import { testDatabaseUri } from '../support/env';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => undefined,
    (e: MongoServerError) => e.code as number,
  );
}

test('when a read concern level is unknown, then find answers BadValue', async () => {
  expect(await codeOf(ctx.db.command({ find: 'items', filter: {}, readConcern: { level: 'bogus' } }))).toBe(2);
});

test('when an insert outside a transaction asks for snapshot read concern, then it is refused', async () => {
  const code = await codeOf(
    ctx.db.command({ insert: 'items', documents: [{ _id: 1 }], readConcern: { level: 'snapshot' } }),
  );
  expect(code).toBe(72);
  expect(await ctx.db.collection('items').countDocuments()).toBe(0);
});

test('when listCollections asks for snapshot read concern, then it is refused', async () => {
  expect(await codeOf(ctx.db.command({ listCollections: 1, readConcern: { level: 'snapshot' } }))).toBe(72);
});

test('when a later statement of a transaction carries a read concern, then it is refused', async () => {
  await ctx.db.createCollection('items');
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('items').insertOne({ _id: 1 } as never, { session });
    const code = await codeOf(
      ctx.db.command({ find: 'items', filter: {}, readConcern: { level: 'local' } }, { session }),
    );
    expect(code).toBe(72);
  } finally {
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  }
});

test('when a statement of a transaction carries a write concern, then it is refused', async () => {
  await ctx.db.createCollection('items');
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('items').insertOne({ _id: 1 } as never, { session });
    const code = await codeOf(
      ctx.db.command({ insert: 'items', documents: [{ _id: 2 }], writeConcern: { w: 1 } }, { session }),
    );
    expect(code).toBe(72);
  } finally {
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  }
});

describe('cluster times in a read concern', () => {
  const ahead = (time: Timestamp) => new Timestamp({ t: time.high + 1000, i: 1 });

  test('when a snapshot find names no time, then it answers atClusterTime, and a read at that time sees the same data', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 'before' } as never);
    const first = await ctx.db.command({ find: 'items', filter: {}, readConcern: { level: 'snapshot' } });
    const atClusterTime = first.cursor.atClusterTime as Timestamp;
    expect(atClusterTime).toBeInstanceOf(Timestamp);
    expect(first.cursor.firstBatch).toEqual([{ _id: 'before' }]);
    await items.insertOne({ _id: 'after' } as never);
    const again = await ctx.db.command({
      find: 'items',
      filter: {},
      readConcern: { level: 'snapshot', atClusterTime },
    });
    expect(again.cursor.firstBatch).toEqual([{ _id: 'before' }]);
    expect(again.cursor.atClusterTime).toEqual(atClusterTime);
  });

  test('when atClusterTime is ahead of the cluster time, then the read is refused with InvalidOptions', async () => {
    const { operationTime } = await ctx.db.command({ ping: 1 });
    const readConcern = { level: 'snapshot', atClusterTime: ahead(operationTime as Timestamp) };
    expect(await codeOf(ctx.db.command({ find: 'items', filter: {}, readConcern }))).toBe(72);
  });

  test('when atClusterTime comes with a level other than snapshot or with afterClusterTime, then it is refused', async () => {
    const { operationTime } = await ctx.db.command({ ping: 1 });
    for (const readConcern of [
      { level: 'local', atClusterTime: operationTime },
      { level: 'majority', atClusterTime: operationTime },
      { atClusterTime: operationTime },
      { level: 'snapshot', atClusterTime: operationTime, afterClusterTime: operationTime },
    ]) {
      expect(await codeOf(ctx.db.command({ find: 'items', filter: {}, readConcern }))).toBe(72);
    }
    const wrongType = { level: 'snapshot', atClusterTime: 'yesterday' };
    expect(await codeOf(ctx.db.command({ find: 'items', filter: {}, readConcern: wrongType }))).toBe(14);
  });

  test('when a read names afterClusterTime of a write, then it sees the write; a null or future time is refused', async () => {
    const inserted = await ctx.db.command({ insert: 'items', documents: [{ _id: 1 }] });
    const afterClusterTime = inserted.operationTime as Timestamp;
    const read = await ctx.db.command({
      find: 'items',
      filter: {},
      readConcern: { level: 'majority', afterClusterTime },
    });
    expect(read.cursor.firstBatch).toEqual([{ _id: 1 }]);
    const nullTime = { level: 'majority', afterClusterTime: new Timestamp({ t: 0, i: 0 }) };
    expect(await codeOf(ctx.db.command({ find: 'items', filter: {}, readConcern: nullTime }))).toBe(72);
    const future = { level: 'local', afterClusterTime: ahead(afterClusterTime) };
    expect(await codeOf(ctx.db.command({ find: 'items', filter: {}, readConcern: future }))).toBe(72);
  });

  /**
   * Runs `statements` as one transaction of a client of its own, sent as commands: the driver keeps only a read
   * concern's level in startTransaction's options, so atClusterTime must be written into the first statement. The
   * transaction ends with the client (endSessions aborts it).
   */
  async function inTransaction(
    readConcern: object,
    statements: (send: (body: object) => Promise<unknown>) => Promise<void>,
  ) {
    const client = new MongoClient(testDatabaseUri());
    await client.connect();
    try {
      const db: Db = client.db(ctx.db.databaseName);
      const session = client.startSession({ causalConsistency: false });
      let first = true;
      await statements((body) => {
        const transaction = { txnNumber: Long.fromNumber(1), autocommit: false };
        const start = first ? { readConcern, startTransaction: true } : {};
        first = false;
        return db.command({ ...body, ...transaction, ...start }, { session });
      });
    } finally {
      await client.close();
    }
  }

  test('when a transaction starts at a past atClusterTime, then its statements read the data as of that time', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 'before' } as never);
    // A snapshot read answers a cluster time whose data the server holds.
    const first = await ctx.db.command({ find: 'items', filter: {}, readConcern: { level: 'snapshot' } });
    const atClusterTime = first.cursor.atClusterTime as Timestamp;
    await items.insertOne({ _id: 'after' } as never);
    await items.updateOne({ _id: 'before' } as never, { $set: { changed: true } });
    await inTransaction({ level: 'snapshot', atClusterTime }, async (send) => {
      const start = (await send({ find: 'items', filter: {}, sort: { _id: 1 } })) as {
        cursor: { firstBatch: unknown[] };
      };
      expect(start.cursor.firstBatch).toEqual([{ _id: 'before' }]);
      const later = (await send({ find: 'items', filter: { _id: 'before' } })) as { cursor: { firstBatch: unknown[] } };
      expect(later.cursor.firstBatch).toEqual([{ _id: 'before' }]);
    });
    expect(await items.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 'after' }, { _id: 'before', changed: true }]);
  });

  test('when a transaction starts at a cluster time older than the data held, then its first statement answers SnapshotTooOld', async () => {
    await ctx.db.createCollection('items');
    const longAgo = new Timestamp({ t: 1, i: 1 });
    await inTransaction({ level: 'snapshot', atClusterTime: longAgo }, async (send) => {
      expect(await codeOf(send({ find: 'items', filter: {} }))).toBe(239);
    });
  });

  test('when a transaction starts at a cluster time ahead of the server, then its first statement is refused', async () => {
    await ctx.db.createCollection('items');
    const { operationTime } = await ctx.db.command({ ping: 1 });
    await inTransaction({ level: 'snapshot', atClusterTime: ahead(operationTime as Timestamp) }, async (send) => {
      expect(await codeOf(send({ find: 'items', filter: {} }))).toBe(72);
    });
  });

  test('when ping or serverStatus carries afterClusterTime, then it is refused with InvalidOptions', async () => {
    const { operationTime } = await ctx.db.command({ ping: 1 });
    const admin = ctx.client.db('admin');
    expect(await codeOf(admin.command({ ping: 1, readConcern: { afterClusterTime: operationTime } }))).toBe(72);
    expect(await codeOf(admin.command({ serverStatus: 1, readConcern: { afterClusterTime: operationTime } }))).toBe(72);
  });
});
