import { MongoClient } from 'mongodb';
import { testDatabaseUri } from '../support/env';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

test('when 50 clients race a conditional $inc against a balance of 10, then exactly 10 succeed and it never goes negative', async () => {
  const balances = ctx.db.collection('balances');
  await balances.insertOne({ _id: 'rice', onHand: 10 } as never);
  // Separate clients, so the updates really arrive concurrently on different connections.
  const clients = await Promise.all(Array.from({ length: 5 }, () => new MongoClient(testDatabaseUri()).connect()));
  try {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        clients[i % clients.length]
          .db(ctx.db.databaseName)
          .collection('balances')
          .updateOne({ _id: 'rice' as never, onHand: { $gte: 1 } }, { $inc: { onHand: -1 } }),
      ),
    );
    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(10);
    expect((await balances.findOne({ _id: 'rice' as never }))?.onHand).toBe(0);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
});

test('when clients race findOneAndUpdate with a guard, then each unit is taken once', async () => {
  const balances = ctx.db.collection('balances');
  await balances.insertOne({ _id: 'oil', onHand: 5 } as never);
  const taken = await Promise.all(
    Array.from({ length: 20 }, () =>
      balances.findOneAndUpdate(
        { _id: 'oil' as never, onHand: { $gte: 1 } },
        { $inc: { onHand: -1 } },
        { returnDocument: 'after' },
      ),
    ),
  );
  const after = taken.filter((d) => d !== null).map((d) => d?.onHand);
  expect(after.sort()).toEqual([0, 1, 2, 3, 4]);
});
