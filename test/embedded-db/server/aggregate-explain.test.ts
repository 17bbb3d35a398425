/** aggregate through the driver, and explain proving index use the way one checks it on a real mongod. */
import { MongoServerError } from 'mongodb';
import { useServer } from './harness';

const h = useServer();

/** Every stage name anywhere in an explain plan (mongod nests them under inputStage/inputStages/queryPlan). */
function stages(plan: unknown, out: string[] = []): string[] {
  if (Array.isArray(plan)) for (const p of plan) stages(p, out);
  else if (plan && typeof plan === 'object') {
    for (const [key, value] of Object.entries(plan)) {
      if (key === 'stage' && typeof value === 'string') out.push(value);
      else stages(value, out);
    }
  }
  return out;
}

beforeAll(async () => {
  const items = h.db().collection('agg_items');
  await items.insertMany(
    Array.from({ length: 300 }, (_, i) => ({
      _id: i as never,
      sku: `S${i}`,
      category: ['food', 'water', 'shelter'][i % 3],
      qty: i,
    })),
  );
  await items.createIndex({ sku: 1 });
  await h
    .db()
    .collection('agg_categories')
    .insertMany([
      { _id: 'food' as never, label: 'Food' },
      { _id: 'water' as never, label: 'Water' },
    ]);
});

test('when a grouping pipeline runs, then the driver gets the grouped documents', async () => {
  const result = await h
    .db()
    .collection('agg_items')
    .aggregate([
      { $match: { qty: { $lt: 30 } } },
      { $group: { _id: '$category', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ])
    .toArray();
  expect(result).toEqual([
    { _id: 'food', n: 10 },
    { _id: 'shelter', n: 10 },
    { _id: 'water', n: 10 },
  ]);
});

test('when $lookup joins another collection, then the joined documents are embedded', async () => {
  const [doc] = await h
    .db()
    .collection('agg_items')
    .aggregate([
      { $match: { _id: 1 } },
      { $lookup: { from: 'agg_categories', localField: 'category', foreignField: '_id', as: 'cat' } },
    ])
    .toArray();
  expect(doc.cat).toEqual([{ _id: 'water', label: 'Water' }]);
});

test('when countDocuments runs (an aggregate under the hood), then it counts the matches', async () => {
  expect(await h.db().collection('agg_items').countDocuments({ category: 'food' })).toBe(100);
});

test('when $out is in a pipeline, then the server refuses it rather than ignoring it', async () => {
  if (!h.server) return; // a real mongod supports $out
  const err = (await h
    .db()
    .collection('agg_items')
    .aggregate([{ $out: 'copy' }])
    .toArray()
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.message).toContain('$out');
});

test('when find filters on an indexed field, then explain shows an index scan that examines only the matches', async () => {
  const explain = await h.db().collection('agg_items').find({ sku: 'S42' }).explain('executionStats');
  expect(stages(explain.queryPlanner.winningPlan)).toContain('IXSCAN');
  expect(explain.executionStats.nReturned).toBe(1);
  expect(explain.executionStats.totalDocsExamined).toBe(1);
  expect(explain.executionStats.totalKeysExamined).toBeGreaterThanOrEqual(1);
});

test('when find filters on an unindexed field, then explain shows a collection scan', async () => {
  const explain = await h.db().collection('agg_items').find({ qty: 42 }).explain('executionStats');
  expect(stages(explain.queryPlanner.winningPlan)).toContain('COLLSCAN');
  expect(explain.executionStats.totalDocsExamined).toBe(300);
});

test('when an aggregation starts with $match on an indexed field, then explain shows an index scan', async () => {
  const explain = await h
    .db()
    .collection('agg_items')
    .aggregate([{ $match: { sku: 'S7' } }, { $project: { qty: 1 } }])
    .explain('executionStats');
  expect(stages(explain)).toContain('IXSCAN');
});

test('when count is explained, then the plan is reported too', async () => {
  const explain = await h
    .db()
    .command({ explain: { count: 'agg_items', query: { sku: 'S1' } }, verbosity: 'executionStats' });
  expect(stages(explain.queryPlanner.winningPlan)).toContain('IXSCAN');
});
