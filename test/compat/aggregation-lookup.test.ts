/**
 * `$lookup` on the foreign collection's `_id` (the join the reports make with allocations and households): the
 * embedded database reads only the foreign documents whose `_id` a local value names. These tests pin the answers
 * that must not change with that: BSON equality across number types, null and missing local fields, array local
 * fields, thousands of ids, and a transaction's own writes.
 */
import { Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

const join = (pipeline: object[] = []) =>
  ctx.db
    .collection('hand_overs')
    .aggregate([
      ...pipeline,
      { $lookup: { from: 'households', localField: 'householdId', foreignField: '_id', as: 'household' } },
      { $project: { household: 1 } },
      { $sort: { _id: 1 } },
    ])
    .toArray();

test('when a $lookup joins on the foreign _id, then each document gets the documents whose _id equals its value, numbers equal across types, null, missing and other-case values matching nothing', async () => {
  const oid = new ObjectId();
  await ctx.db.collection('households').insertMany([
    { _id: 1, size: 3 },
    { _id: 'H-2', size: 4 },
    { _id: oid, size: 5 },
  ] as never[]);
  await ctx.db
    .collection('hand_overs')
    .insertMany([
      { _id: 1, householdId: new Int32(1) },
      { _id: 2, householdId: new Double(1) },
      { _id: 3, householdId: Long.fromNumber(1) },
      { _id: 4, householdId: Decimal128.fromString('1') },
      { _id: 5, householdId: 'H-2' },
      { _id: 6, householdId: oid },
      { _id: 7, householdId: null },
      { _id: 8 },
      { _id: 9, householdId: 'h-2' },
      { _id: 11, householdId: 2 },
    ] as never[]);
  const docs = await join();
  expect(docs).toEqual([
    { _id: 1, household: [{ _id: 1, size: 3 }] },
    { _id: 2, household: [{ _id: 1, size: 3 }] },
    { _id: 3, household: [{ _id: 1, size: 3 }] },
    { _id: 4, household: [{ _id: 1, size: 3 }] },
    { _id: 5, household: [{ _id: 'H-2', size: 4 }] },
    { _id: 6, household: [{ _id: oid, size: 5 }] },
    { _id: 7, household: [] },
    { _id: 8, household: [] },
    { _id: 9, household: [] },
    { _id: 11, household: [] },
  ]);
});

test('when the local field is an array of ids, then every document whose _id is an element is joined', async () => {
  await ctx.db.collection('households').insertMany([
    { _id: 1, size: 1 },
    { _id: 2, size: 2 },
    { _id: 3, size: 3 },
  ] as never[]);
  await ctx.db.collection('hand_overs').insertMany([
    { _id: 1, householdId: [1, 3, 1] },
    { _id: 3, householdId: [[2]] },
  ] as never[]);
  const docs = await join();
  expect(docs).toEqual([
    {
      _id: 1,
      household: [
        { _id: 1, size: 1 },
        { _id: 3, size: 3 },
      ],
    },
    { _id: 3, household: [] },
  ]);
});

test('when thousands of documents name thousands of ids, then each finds its own', async () => {
  const ids = Array.from({ length: 2500 }, () => new ObjectId());
  await ctx.db.collection('households').insertMany(ids.map((_id, i) => ({ _id, size: i })));
  await ctx.db
    .collection('hand_overs')
    .insertMany(ids.map((id, i) => ({ _id: i, householdId: i % 7 === 0 ? new ObjectId() : id })) as never[]);
  const docs = await join();
  expect(docs).toHaveLength(2500);
  for (const [i, doc] of docs.entries()) {
    expect(doc.household).toEqual(i % 7 === 0 ? [] : [{ _id: ids[i], size: i }]);
  }
});

test('when a $lookup on _id runs in a transaction, then it sees the transaction’s own inserts and deletes', async () => {
  await ctx.db.collection('households').insertMany([
    { _id: 1, size: 1 },
    { _id: 2, size: 2 },
  ] as never[]);
  await ctx.db.collection('hand_overs').insertMany([
    { _id: 1, householdId: 1 },
    { _id: 2, householdId: 2 },
    { _id: 3, householdId: 3 },
  ] as never[]);
  const session = ctx.client.startSession();
  try {
    session.startTransaction();
    await ctx.db.collection('households').insertOne({ _id: 3, size: 3 } as never, { session });
    await ctx.db.collection('households').deleteOne({ _id: 1 } as never, { session });
    const docs = await ctx.db
      .collection('hand_overs')
      .aggregate(
        [
          { $lookup: { from: 'households', localField: 'householdId', foreignField: '_id', as: 'household' } },
          { $sort: { _id: 1 } },
        ],
        { session },
      )
      .toArray();
    expect(docs.map((d) => d.household)).toEqual([[], [{ _id: 2, size: 2 }], [{ _id: 3, size: 3 }]]);
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
  expect((await join()).map((d) => d.household)).toEqual([[{ _id: 1, size: 1 }], [{ _id: 2, size: 2 }], []]);
});
