/** Read and write concern options that mongod refuses, per the manual's readConcern and transactions pages. */
import type { MongoServerError } from 'mongodb';
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
