/**
 * The stock pattern under load: a guarded decrement `{ qty: { $gte: q } }` + `{ $inc: { qty: -q } }` from many clients
 * at once must never oversell, whichever client wins each race.
 */
import { useServer } from './harness';

const h = useServer();

test('when 50 clients decrement the same balance concurrently, then it never goes negative and sums agree', async () => {
  const coll = h.db().collection('conc_balance');
  await coll.insertOne({ _id: 'rice' as never, qty: 100 });
  const clients = await Promise.all(Array.from({ length: 5 }, () => h.newClient({ maxPoolSize: 10 })));
  const attempts = Array.from({ length: 50 }, (_, i) =>
    clients[i % clients.length]
      .db(h.db().databaseName)
      .collection('conc_balance')
      .updateOne({ _id: 'rice' as never, qty: { $gte: 5 } }, { $inc: { qty: -5 } }),
  );
  const results = await Promise.all(attempts);
  const succeeded = results.filter((r) => r.modifiedCount === 1).length;
  expect(succeeded).toBe(20);
  expect(await coll.findOne({ _id: 'rice' as never })).toEqual({ _id: 'rice', qty: 0 });
});

test('when concurrent findOneAndUpdate calls race for stock, then each unit is handed out once', async () => {
  const coll = h.db().collection('conc_fam');
  await coll.insertOne({ _id: 'tent' as never, qty: 7 });
  const results = await Promise.all(
    Array.from({ length: 30 }, () =>
      coll.findOneAndUpdate(
        { _id: 'tent' as never, qty: { $gte: 1 } },
        { $inc: { qty: -1 } },
        { returnDocument: 'after' },
      ),
    ),
  );
  const remaining = results.filter((r) => r !== null).map((r) => r?.qty as number);
  expect(remaining.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect((await coll.findOne({ _id: 'tent' as never }))?.qty).toBe(0);
});

test('when concurrent upserts target the same new key under a unique index, then exactly one document exists', async () => {
  const coll = h.db().collection('conc_upsert');
  await coll.createIndex({ sku: 1 }, { unique: true });
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, () => coll.updateOne({ sku: 'X' }, { $inc: { n: 1 } }, { upsert: true })),
  );
  const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
  expect(await coll.countDocuments({ sku: 'X' })).toBe(1);
  expect((await coll.findOne({ sku: 'X' }))?.n).toBe(ok);
});
