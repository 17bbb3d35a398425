import { MongoServerError, ObjectId } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

async function ids(filter: object): Promise<number[]> {
  const docs = await ctx.db.collection('q').find(filter).sort({ _id: 1 }).toArray();
  return docs.map((d) => d._id as unknown as number);
}

beforeEach(async () => {
  await ctx.db.collection('q').insertMany([
    { _id: 1, name: 'Flour', qty: 10, tags: ['food', 'dry'], lot: { code: 'A1', expiry: new Date('2027-01-01') } },
    { _id: 2, name: 'flour, rye', qty: 0, tags: ['food'], lot: { code: 'B2' } },
    {
      _id: 3,
      name: 'Blanket',
      qty: 5,
      tags: [],
      lines: [
        { item: 'x', q: 1 },
        { item: 'y', q: 9 },
      ],
    },
    { _id: 4, name: 'Heater', qty: null, lines: [{ item: 'x', q: 5 }] },
    { _id: 5, name: 'Tent', ref: new ObjectId('65a000000000000000000001'), qty: 2.5 },
  ] as never[]);
});

test('when comparing with $gt/$gte/$lt/$lte/$ne, then only values of the same type class are compared', async () => {
  expect(await ids({ qty: { $gt: 2 } })).toEqual([1, 3, 5]);
  expect(await ids({ qty: { $gte: 0, $lt: 5 } })).toEqual([2, 5]);
  expect(await ids({ qty: { $lte: 0 } })).toEqual([2]);
  expect(await ids({ qty: { $ne: 10 } })).toEqual([2, 3, 4, 5]);
  expect(await ids({ name: { $gt: 'G' } })).toEqual([2, 4, 5]);
});

test('when matching null, then documents with the field null or missing match', async () => {
  expect(await ids({ qty: null })).toEqual([4]);
  expect(await ids({ ref: null })).toEqual([1, 2, 3, 4]);
});

test('when using $in and $nin, then membership is tested, including array fields and regexes', async () => {
  expect(await ids({ qty: { $in: [0, 5] } })).toEqual([2, 3]);
  expect(await ids({ tags: { $in: ['dry'] } })).toEqual([1]);
  expect(await ids({ name: { $in: [/^fl/i] } })).toEqual([1, 2]);
  expect(await ids({ qty: { $nin: [0, 5, 10] } })).toEqual([4, 5]);
});

test('when using $exists and $type, then presence and BSON type are tested', async () => {
  expect(await ids({ lines: { $exists: true } })).toEqual([3, 4]);
  expect(await ids({ ref: { $exists: false } })).toEqual([1, 2, 3, 4]);
  expect(await ids({ qty: { $type: 'double' } })).toEqual([5]);
  expect(await ids({ qty: { $type: 'number' } })).toEqual([1, 2, 3, 5]);
  expect(await ids({ qty: { $type: 'null' } })).toEqual([4]);
  expect(await ids({ ref: { $type: 'objectId' } })).toEqual([5]);
  expect(await ids({ tags: { $type: 'array' } })).toEqual([1, 2, 3]);
});

test('when using $regex, then options such as i apply', async () => {
  expect(await ids({ name: { $regex: '^flour', $options: 'i' } })).toEqual([1, 2]);
  expect(await ids({ name: /^Fl/ })).toEqual([1]);
});

test('when combining with $and, $or, $nor and $not, then boolean logic follows the manual', async () => {
  expect(await ids({ $or: [{ qty: 0 }, { name: 'Tent' }] })).toEqual([2, 5]);
  expect(await ids({ $and: [{ qty: { $gt: 1 } }, { qty: { $lt: 6 } }] })).toEqual([3, 5]);
  expect(await ids({ $nor: [{ qty: { $gt: 1 } }, { lines: { $exists: true } }] })).toEqual([2]);
  expect(await ids({ qty: { $not: { $gt: 2 } } })).toEqual([2, 4]);
});

test('when querying arrays, then a value matches any element and $size/$all/$elemMatch work', async () => {
  expect(await ids({ tags: 'food' })).toEqual([1, 2]);
  expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
  expect(await ids({ tags: { $all: ['dry', 'food'] } })).toEqual([1]);
  expect(await ids({ 'lines.item': 'x' })).toEqual([3, 4]);
  // Without $elemMatch, the two conditions may be met by different elements.
  expect(await ids({ 'lines.item': 'y', 'lines.q': 1 })).toEqual([3]);
  expect(await ids({ lines: { $elemMatch: { item: 'y', q: 1 } } })).toEqual([]);
  expect(await ids({ lines: { $elemMatch: { item: 'x', q: { $gte: 5 } } } })).toEqual([4]);
  expect(await ids({ 'lines.1.q': 9 })).toEqual([3]);
});

test('when querying embedded documents, then dotted paths and exact subdocuments match', async () => {
  expect(await ids({ 'lot.code': 'B2' })).toEqual([2]);
  expect(await ids({ lot: { code: 'B2' } })).toEqual([2]);
  expect(await ids({ 'lot.expiry': { $lt: new Date('2028-01-01') } })).toEqual([1]);
});

test('when using $expr and $mod, then aggregation expressions and remainders filter', async () => {
  expect(await ids({ $expr: { $gt: ['$qty', 4] } })).toEqual([1, 3]);
  expect(await ids({ qty: { $mod: [5, 0] } })).toEqual([1, 2, 3]);
});

test('when a query uses an unknown operator, then the server answers an error naming it', async () => {
  const attempt = ctx.db
    .collection('q')
    .find({ qty: { $between: [1, 2] } })
    .toArray();
  await expect(attempt).rejects.toBeInstanceOf(MongoServerError);
  await expect(attempt).rejects.toThrow(/\$between/);
});
