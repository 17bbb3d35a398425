import { MongoServerError } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

beforeEach(async () => {
  await ctx.db.collection('stock').insertMany([
    { _id: 1, warehouse: 'ALA', item: 'flour', kg: 500, tags: ['food', 'dry'] },
    { _id: 2, warehouse: 'ALA', item: 'rice', kg: 200, tags: ['food'] },
    { _id: 3, warehouse: 'AST', item: 'flour', kg: 300, tags: [] },
    { _id: 4, warehouse: 'SHY', item: 'blanket', kg: 40 },
  ] as never[]);
  await ctx.db.collection('warehouses').insertMany([
    { _id: 'ALA', city: 'Almaty' },
    { _id: 'AST', city: 'Astana' },
  ] as never[]);
});

const aggregate = (pipeline: object[], coll = 'stock') => ctx.db.collection(coll).aggregate(pipeline).toArray();

test('when grouping, then accumulators compute per group', async () => {
  const groups = await aggregate([
    {
      $group: {
        _id: '$warehouse',
        total: { $sum: '$kg' },
        avg: { $avg: '$kg' },
        min: { $min: '$kg' },
        max: { $max: '$kg' },
        n: { $sum: 1 },
        items: { $push: '$item' },
        set: { $addToSet: '$item' },
      },
    },
    { $sort: { _id: 1 } },
  ]);
  expect(groups).toEqual([
    {
      _id: 'ALA',
      total: 700,
      avg: 350,
      min: 200,
      max: 500,
      n: 2,
      items: ['flour', 'rice'],
      set: expect.arrayContaining(['flour', 'rice']),
    },
    { _id: 'AST', total: 300, avg: 300, min: 300, max: 300, n: 1, items: ['flour'], set: ['flour'] },
    { _id: 'SHY', total: 40, avg: 40, min: 40, max: 40, n: 1, items: ['blanket'], set: ['blanket'] },
  ]);
});

test('when grouping by null after sorting, then $first and $last follow the sort', async () => {
  const [result] = await aggregate([
    { $sort: { kg: 1 } },
    { $group: { _id: null, first: { $first: '$item' }, last: { $last: '$item' } } },
  ]);
  expect(result).toEqual({ _id: null, first: 'blanket', last: 'flour' });
});

test('when matching, projecting, adding and unsetting fields, then the documents are reshaped', async () => {
  const docs = await aggregate([
    { $match: { kg: { $gte: 200 } } },
    { $project: { item: 1, tonnes: { $divide: ['$kg', 1000] } } },
    { $addFields: { heavy: { $gte: ['$tonnes', 0.3] } } },
    { $set: { label: { $concat: ['$item', '!'] } } },
    { $unset: 'item' },
    { $sort: { _id: 1 } },
    { $skip: 1 },
    { $limit: 1 },
  ]);
  expect(docs).toEqual([{ _id: 2, tonnes: 0.2, heavy: false, label: 'rice!' }]);
});

test('when unwinding, then each array element becomes a document, optionally keeping empty ones', async () => {
  const plain = await aggregate([{ $unwind: '$tags' }, { $sort: { _id: 1, tags: 1 } }, { $project: { tags: 1 } }]);
  expect(plain).toEqual([
    { _id: 1, tags: 'dry' },
    { _id: 1, tags: 'food' },
    { _id: 2, tags: 'food' },
  ]);
  const kept = await aggregate([
    { $unwind: { path: '$tags', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } },
    { $match: { _id: { $in: [3, 4] } } },
    { $project: { tags: 1, i: 1 } },
    { $sort: { _id: 1 } },
  ]);
  expect(kept).toEqual([
    { _id: 3, i: null },
    { _id: 4, i: null },
  ]);
});

test('when looking up with localField/foreignField, then matching documents are joined as an array', async () => {
  const docs = await aggregate([
    { $match: { _id: { $in: [1, 4] } } },
    { $lookup: { from: 'warehouses', localField: 'warehouse', foreignField: '_id', as: 'wh' } },
    { $project: { wh: 1 } },
    { $sort: { _id: 1 } },
  ]);
  expect(docs).toEqual([
    { _id: 1, wh: [{ _id: 'ALA', city: 'Almaty' }] },
    { _id: 4, wh: [] },
  ]);
});

test('when looking up with let and a pipeline, then the sub-pipeline sees the variables', async () => {
  const docs = await aggregate(
    [
      {
        $lookup: {
          from: 'stock',
          let: { code: '$_id' },
          pipeline: [
            { $match: { $expr: { $eq: ['$warehouse', '$$code'] } } },
            { $group: { _id: null, kg: { $sum: '$kg' } } },
          ],
          as: 'totals',
        },
      },
      { $sort: { _id: 1 } },
    ],
    'warehouses',
  );
  expect(docs).toEqual([
    { _id: 'ALA', city: 'Almaty', totals: [{ _id: null, kg: 700 }] },
    { _id: 'AST', city: 'Astana', totals: [{ _id: null, kg: 300 }] },
  ]);
});

test('when using $facet, $count and $sortByCount, then sub-results come back together', async () => {
  const [result] = await aggregate([
    {
      $facet: {
        count: [{ $count: 'n' }],
        byItem: [{ $sortByCount: '$item' }, { $limit: 1 }],
      },
    },
  ]);
  expect(result).toEqual({ count: [{ n: 4 }], byItem: [{ _id: 'flour', count: 2 }] });
});

test('when replacing the root, then the embedded document becomes the output', async () => {
  const docs = await aggregate([
    { $match: { _id: 1 } },
    { $replaceRoot: { newRoot: { item: '$item', where: '$warehouse' } } },
  ]);
  expect(docs).toEqual([{ item: 'flour', where: 'ALA' }]);
});

test('when countDocuments is called, then the aggregation Mongoose uses counts the matches', async () => {
  expect(await ctx.db.collection('stock').countDocuments({ warehouse: 'ALA' })).toBe(2);
});

test('when a pipeline uses an unknown stage, then the server answers an error naming it', async () => {
  const attempt = aggregate([{ $teleport: {} }]);
  await expect(attempt).rejects.toBeInstanceOf(MongoServerError);
  await expect(attempt).rejects.toThrow(/\$teleport/);
});

test('when an expression uses an unknown operator, then the server answers an error naming it', async () => {
  await expect(aggregate([{ $project: { x: { $frobnicate: 1 } } }])).rejects.toThrow(/\$frobnicate/);
});

test('when aggregate defines let variables, then a leading $match can use them in $expr', async () => {
  const docs = await ctx.db
    .collection('stock')
    .aggregate([{ $match: { $expr: { $gte: ['$kg', '$$minKg'] } } }, { $sort: { _id: 1 } }], {
      let: { minKg: 300 },
    })
    .toArray();
  expect(docs.map((d) => d._id)).toEqual([1, 3]);
});
