/** A command's `let` option (MongoDB 5.0+): constants evaluated once and read as $$name in $expr and pipelines. */
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

beforeEach(async () => {
  await ctx.db.collection('items').insertMany([
    { _id: 1, qty: 3 },
    { _id: 2, qty: 5 },
  ] as never[]);
});

test('when aggregate defines let as an expression, then $$name holds its value, not the expression', async () => {
  const docs = await ctx.db
    .collection('items')
    .aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, total: '$$total' } }], {
      let: { total: { $add: [1, 2] } },
    })
    .toArray();
  expect(docs).toEqual([{ total: 3 }]);
});

test('when aggregate $match uses a let variable in $expr, then it filters by its value', async () => {
  const docs = await ctx.db
    .collection('items')
    .aggregate([{ $match: { $expr: { $eq: ['$qty', '$$wanted'] } } }], { let: { wanted: 5 } })
    .toArray();
  expect(docs.map((d) => d._id)).toEqual([2]);
});

test('when find has let, then $expr in the filter reads it', async () => {
  const docs = await ctx.db
    .collection('items')
    .find({ $expr: { $gt: ['$qty', '$$min'] } }, { let: { min: 4 } })
    .toArray();
  expect(docs.map((d) => d._id)).toEqual([2]);
});

test('when update and delete have let, then their filters read it', async () => {
  const items = ctx.db.collection('items');
  const updated = await items.updateMany(
    { $expr: { $eq: ['$qty', '$$q'] } },
    { $set: { seen: true } },
    { let: { q: 3 } },
  );
  expect(updated.modifiedCount).toBe(1);
  expect(await items.findOne({ _id: 1 as never })).toEqual({ _id: 1, qty: 3, seen: true });
  const deleted = await items.deleteMany({ $expr: { $eq: ['$qty', '$$q'] } }, { let: { q: 5 } });
  expect(deleted.deletedCount).toBe(1);
});

test('when findOneAndUpdate has let, then its filter reads it', async () => {
  const doc = await ctx.db
    .collection('items')
    .findOneAndUpdate(
      { $expr: { $eq: ['$qty', '$$q'] } },
      { $inc: { qty: 1 } },
      { let: { q: 5 }, returnDocument: 'after' },
    );
  expect(doc).toEqual({ _id: 2, qty: 6 });
});

test('when find and delete define let from $$NOW, then $expr compares with the time of the command', async () => {
  const items = ctx.db.collection('items');
  await items.insertMany([
    { _id: 3, at: new Date(Date.now() - 60_000) },
    { _id: 4, at: new Date(Date.now() + 3_600_000) },
  ] as never[]);
  const past = { at: { $exists: true }, $expr: { $lte: ['$at', '$$asOf'] } };
  const found = await items.find(past, { let: { asOf: '$$NOW' } }).toArray();
  expect(found.map((d) => d._id)).toEqual([3]);
  const deleted = await items.deleteMany(past, { let: { asOf: '$$NOW' } });
  expect(deleted.deletedCount).toBe(1);
  expect(await items.countDocuments({ _id: { $in: [3, 4] } } as never)).toBe(1);
});
