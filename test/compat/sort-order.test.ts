import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

test('when values of every BSON type are sorted, then they follow the documented comparison order', async () => {
  const values: [string, unknown][] = [
    ['maxKey', new MaxKey()],
    ['regex', /abc/],
    ['timestamp', new Timestamp({ t: 1, i: 1 })],
    ['date', new Date('2024-01-01')],
    ['bool', true],
    ['objectId', new ObjectId('65a000000000000000000001')],
    ['binData', new Binary(Buffer.from([1, 2]))],
    ['array', [5]],
    ['object', { a: 1 }],
    ['string', 'text'],
    ['number', 1],
    ['null', null],
    ['minKey', new MinKey()],
  ];
  await ctx.db.collection('s').insertMany(values.map(([type, v]) => ({ type, v })));
  const sorted = await ctx.db.collection('s').find({}).sort({ v: 1, _id: 1 }).toArray();
  // An array sorts by its smallest element ascending, so [5] sits with the numbers.
  expect(sorted.map((d) => d.type)).toEqual([
    'minKey',
    'null',
    'number',
    'array',
    'string',
    'object',
    'binData',
    'objectId',
    'bool',
    'date',
    'timestamp',
    'regex',
    'maxKey',
  ]);
});

test('when numbers of different BSON types are sorted, then they compare by value', async () => {
  await ctx.db.collection('n').insertMany([
    { _id: 'long', v: Long.fromNumber(3) },
    { _id: 'double', v: new Double(2.5) },
    { _id: 'decimal', v: Decimal128.fromString('3.5') },
    { _id: 'int', v: new Int32(-1) },
    { _id: 'bigLong', v: Long.fromString('9007199254740993') },
    { _id: 'bigDouble', v: new Double(9007199254740992) },
  ] as never[]);
  const docs = await ctx.db.collection('n').find({}).sort({ v: 1 }).toArray();
  expect(docs.map((d) => d._id)).toEqual(['int', 'double', 'long', 'decimal', 'bigDouble', 'bigLong']);
  const ranged = await ctx.db
    .collection('n')
    .find({ v: { $gt: Long.fromNumber(2), $lt: 4 } })
    .sort({ v: -1 })
    .toArray();
  expect(ranged.map((d) => d._id)).toEqual(['decimal', 'long', 'double']);
});

test('when sorting descending on an array field, then each document sorts by its largest element', async () => {
  await ctx.db.collection('a').insertMany([
    { _id: 1, v: [1, 10] },
    { _id: 2, v: [5] },
    { _id: 3, v: 7 },
  ] as never[]);
  const asc = await ctx.db.collection('a').find({}).sort({ v: 1 }).toArray();
  const desc = await ctx.db.collection('a').find({}).sort({ v: -1 }).toArray();
  expect(asc.map((d) => d._id)).toEqual([1, 2, 3]);
  expect(desc.map((d) => d._id)).toEqual([1, 3, 2]);
});

test('when sorting on a missing field, then missing sorts like null, before numbers', async () => {
  await ctx.db.collection('m').insertMany([{ _id: 1, v: 1 }, { _id: 2 }, { _id: 3, v: null }] as never[]);
  const docs = await ctx.db.collection('m').find({}).sort({ v: 1, _id: 1 }).toArray();
  expect(docs.map((d) => d._id)).toEqual([2, 3, 1]);
});

test('when sorting on two keys, then the second key breaks ties', async () => {
  await ctx.db.collection('k').insertMany([
    { _id: 1, w: 'ALA', q: 5 },
    { _id: 2, w: 'AST', q: 1 },
    { _id: 3, w: 'ALA', q: 9 },
  ] as never[]);
  const docs = await ctx.db.collection('k').find({}).sort({ w: 1, q: -1 }).toArray();
  expect(docs.map((d) => d._id)).toEqual([3, 1, 2]);
});
