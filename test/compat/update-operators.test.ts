import { MongoServerError } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

async function updated(doc: object, update: object | object[], options: object = {}): Promise<unknown> {
  const coll = ctx.db.collection('u');
  await coll.insertOne({ _id: 1, ...doc } as never);
  await coll.updateOne({ _id: 1 as never }, update as never, options);
  const { _id, ...rest } = (await coll.findOne({ _id: 1 as never })) ?? {};
  return rest;
}

test('when $set and $unset use dotted paths, then subdocuments are created and fields removed', async () => {
  expect(await updated({ a: 1, b: { c: 2 } }, { $set: { 'b.d': 3, 'e.f': 4 }, $unset: { a: '' } })).toEqual({
    b: { c: 2, d: 3 },
    e: { f: 4 },
  });
});

test('when $inc, $mul, $min and $max apply, then numbers change as documented', async () => {
  expect(
    await updated(
      { a: 5, b: 2, c: 10, d: 1 },
      { $inc: { a: -2, z: 1 }, $mul: { b: 3 }, $min: { c: 4 }, $max: { d: 9 } },
    ),
  ).toEqual({
    a: 3,
    b: 6,
    c: 4,
    d: 9,
    z: 1,
  });
});

test('when $inc targets a string, then it fails with TypeMismatch', async () => {
  await ctx.db.collection('u').insertOne({ _id: 1, a: 'x' } as never);
  await expect(ctx.db.collection('u').updateOne({ _id: 1 as never }, { $inc: { a: 1 } })).rejects.toMatchObject({
    code: 14,
  });
});

test('when $rename and $currentDate apply, then the field moves and a date is set', async () => {
  const doc = (await updated({ old: 1 }, { $rename: { old: 'renamed' }, $currentDate: { at: true } })) as Record<
    string,
    unknown
  >;
  expect(doc.renamed).toBe(1);
  expect(doc.old).toBeUndefined();
  expect(doc.at).toBeInstanceOf(Date);
});

test('when $push uses $each, $position, $sort and $slice, then the array is built in that order', async () => {
  expect(await updated({ a: [5, 1] }, { $push: { a: { $each: [3, 9, 0], $sort: 1, $slice: 4 } } })).toEqual({
    a: [0, 1, 3, 5],
  });
  await ctx.db.collection('u').deleteMany({});
  expect(await updated({ a: [1, 2] }, { $push: { a: { $each: [7], $position: 0 } } })).toEqual({ a: [7, 1, 2] });
});

test('when $addToSet, $pull, $pullAll and $pop apply, then array contents change as documented', async () => {
  expect(
    await updated(
      { a: [1, 2], b: [1, 2, 3, 2], c: [1, 2, 3], d: [1, 2, 3], e: [{ q: 1 }, { q: 5 }] },
      {
        $addToSet: { a: { $each: [2, 3] } },
        $pull: { b: 2, e: { q: { $gte: 2 } } },
        $pullAll: { c: [1, 3] },
        $pop: { d: -1 },
      },
    ),
  ).toEqual({ a: [1, 2, 3], b: [1, 3], c: [2], d: [2, 3], e: [{ q: 1 }] });
});

test('when the positional $ operator is used, then the first matched element is updated', async () => {
  const coll = ctx.db.collection('u');
  await coll.insertOne({
    _id: 1,
    lines: [
      { item: 'a', q: 1 },
      { item: 'b', q: 2 },
    ],
  } as never);
  await coll.updateOne({ _id: 1 as never, 'lines.item': 'b' }, { $inc: { 'lines.$.q': 10 } });
  expect((await coll.findOne({ _id: 1 as never }))?.lines).toEqual([
    { item: 'a', q: 1 },
    { item: 'b', q: 12 },
  ]);
});

test('when $[] and $[identifier] with arrayFilters are used, then all or the filtered elements are updated', async () => {
  expect(await updated({ a: [1, 2, 3] }, { $inc: { 'a.$[]': 1 } })).toEqual({ a: [2, 3, 4] });
  await ctx.db.collection('u').deleteMany({});
  expect(
    await updated(
      { lines: [{ q: 1 }, { q: 8 }, { q: 9 }] },
      { $set: { 'lines.$[big].flag': true } },
      {
        arrayFilters: [{ 'big.q': { $gt: 5 } }],
      },
    ),
  ).toEqual({ lines: [{ q: 1 }, { q: 8, flag: true }, { q: 9, flag: true }] });
});

test('when the update is a pipeline, then stages compute the new fields from the document', async () => {
  expect(await updated({ a: 2, b: 3 }, [{ $set: { total: { $add: ['$a', '$b'] } } }, { $unset: 'a' }])).toEqual({
    b: 3,
    total: 5,
  });
});

test('when two operators touch the same path, then the update fails with ConflictingUpdateOperators (40)', async () => {
  await ctx.db.collection('u').insertOne({ _id: 1, a: 1 } as never);
  await expect(
    ctx.db.collection('u').updateOne({ _id: 1 as never }, { $set: { a: 2 }, $inc: { a: 1 } }),
  ).rejects.toMatchObject({ code: 40 });
});

test('when an update uses an unknown operator, then the server refuses it', async () => {
  await ctx.db.collection('u').insertOne({ _id: 1, a: 1 } as never);
  await expect(
    ctx.db.collection('u').updateOne({ _id: 1 as never }, { $frobnicate: { a: 2 } } as never),
  ).rejects.toBeInstanceOf(MongoServerError);
});
