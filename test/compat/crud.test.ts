import { Decimal128, Double, Int32, Long, MongoBulkWriteError, MongoServerError, ObjectId } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

describe('insert', () => {
  test('when a document has no _id, then an ObjectId is generated and returned', async () => {
    const result = await ctx.db.collection('items').insertOne({ name: 'Blanket' });
    expect(result.insertedId).toBeInstanceOf(ObjectId);
    const stored = await ctx.db.collection('items').findOne({ _id: result.insertedId });
    expect(stored?.name).toBe('Blanket');
  });

  test('when an ordered insertMany meets a duplicate _id, then it stops there and reports the writeError', async () => {
    const items = ctx.db.collection('items');
    const attempt = items.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }] as never[]);
    const error = (await attempt.catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(error.code).toBe(11000);
    expect(error.writeErrors).toHaveLength(1);
    const [first] = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    expect(first.index).toBe(2);
    expect(error.result.insertedCount).toBe(2);
    expect(await items.countDocuments()).toBe(2);
  });

  test('when an unordered insertMany meets duplicates, then it inserts every other document', async () => {
    const items = ctx.db.collection('items');
    const attempt = items.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as never[], {
      ordered: false,
    });
    const error = (await attempt.catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const indexes = (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]).map((e) => e.index);
    expect(indexes).toEqual([1, 3]);
    expect(await items.countDocuments()).toBe(3);
  });
});

describe('find', () => {
  beforeEach(async () => {
    await ctx.db.collection('items').insertMany([
      { _id: 1, sku: 'FLOUR', category: 'food', qty: 50, tags: ['dry', 'basic'] },
      { _id: 2, sku: 'RICE', category: 'food', qty: 20, tags: ['dry'] },
      { _id: 3, sku: 'BLANKET', category: 'bedding', qty: 5 },
      { _id: 4, sku: 'WATER', category: 'water', qty: 200 },
    ] as never[]);
  });

  test('when filtering, sorting, skipping and limiting, then the documented order and window come back', async () => {
    const docs = await ctx.db
      .collection('items')
      .find({ qty: { $gte: 5 } })
      .sort({ qty: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(docs.map((d) => d.sku)).toEqual(['FLOUR', 'RICE']);
  });

  test('when projecting with inclusion, then only those fields and _id come back', async () => {
    const doc = await ctx.db.collection('items').findOne({ _id: 1 as never }, { projection: { sku: 1 } });
    expect(doc).toEqual({ _id: 1, sku: 'FLOUR' });
  });

  test('when projecting with exclusion, then the other fields come back', async () => {
    const doc = await ctx.db.collection('items').findOne({ _id: 3 as never }, { projection: { _id: 0, qty: 0 } });
    expect(doc).toEqual({ sku: 'BLANKET', category: 'bedding' });
  });

  test('when mixing inclusion and exclusion, then the server refuses the projection', async () => {
    await expect(ctx.db.collection('items').findOne({}, { projection: { sku: 1, qty: 0 } })).rejects.toBeInstanceOf(
      MongoServerError,
    );
  });

  test('when counting and listing distinct values, then they agree with the data', async () => {
    const items = ctx.db.collection('items');
    expect(await items.countDocuments({ category: 'food' })).toBe(2);
    expect(await items.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await items.estimatedDocumentCount()).toBe(4);
    expect((await items.distinct('category')).sort()).toEqual(['bedding', 'food', 'water']);
    expect((await items.distinct('tags', { category: 'food' })).sort()).toEqual(['basic', 'dry']);
  });
});

describe('update', () => {
  beforeEach(async () => {
    await ctx.db.collection('stock').insertMany([
      { _id: 1, item: 'rice', onHand: 10 },
      { _id: 2, item: 'rice', onHand: 0 },
      { _id: 3, item: 'oil', onHand: 7 },
    ] as never[]);
  });

  test('when updateMany changes some documents, then matched and modified counts differ correctly', async () => {
    const result = await ctx.db.collection('stock').updateMany({ item: 'rice' }, { $set: { onHand: 0 } });
    expect(result.matchedCount).toBe(2);
    expect(result.modifiedCount).toBe(1);
  });

  test('when an upsert matches nothing, then the new document is seeded from the equality fields and $setOnInsert', async () => {
    const result = await ctx.db
      .collection('stock')
      .updateOne(
        { item: 'sugar', warehouse: { $eq: 'ALA' }, onHand: { $gte: 0 } },
        { $inc: { onHand: 5 }, $setOnInsert: { createdBy: 'seed' } },
        { upsert: true },
      );
    expect(result.upsertedCount).toBe(1);
    const doc = await ctx.db.collection('stock').findOne({ _id: result.upsertedId as never });
    expect(doc).toEqual({ _id: result.upsertedId, item: 'sugar', warehouse: 'ALA', onHand: 5, createdBy: 'seed' });
  });

  test('when an upsert matches a document, then $setOnInsert is not applied', async () => {
    await ctx.db
      .collection('stock')
      .updateOne({ _id: 3 as never }, { $inc: { onHand: 1 }, $setOnInsert: { createdBy: 'x' } }, { upsert: true });
    expect(await ctx.db.collection('stock').findOne({ _id: 3 as never })).toEqual({ _id: 3, item: 'oil', onHand: 8 });
  });

  test('when an upsert filter has dotted equality fields, then they become subdocuments', async () => {
    await ctx.db
      .collection('stock')
      .updateOne({ 'lot.code': 'L-1', item: 'tea' }, { $set: { onHand: 1 } }, { upsert: true });
    const doc = await ctx.db.collection('stock').findOne({ item: 'tea' }, { projection: { _id: 0 } });
    expect(doc).toEqual({ lot: { code: 'L-1' }, item: 'tea', onHand: 1 });
  });

  test('when an update tries to change _id, then it fails with ImmutableField (66)', async () => {
    const attempt = ctx.db.collection('stock').updateOne({ _id: 1 as never }, { $set: { _id: 9 } });
    await expect(attempt).rejects.toMatchObject({ code: 66 });
  });

  test('when a replacement keeps _id, then the whole document is replaced', async () => {
    await ctx.db.collection('stock').replaceOne({ _id: 1 as never }, { item: 'buckwheat' });
    expect(await ctx.db.collection('stock').findOne({ _id: 1 as never })).toEqual({ _id: 1, item: 'buckwheat' });
  });

  test('when findOneAndUpdate asks for the new document, then it returns it, else the old one', async () => {
    const stock = ctx.db.collection('stock');
    const after = await stock.findOneAndUpdate(
      { _id: 3 as never },
      { $inc: { onHand: -2 } },
      { returnDocument: 'after' },
    );
    expect(after?.onHand).toBe(5);
    const before = await stock.findOneAndUpdate(
      { _id: 3 as never },
      { $inc: { onHand: -2 } },
      { returnDocument: 'before' },
    );
    expect(before?.onHand).toBe(5);
    expect((await stock.findOne({ _id: 3 as never }))?.onHand).toBe(3);
  });

  test('when findOneAndUpdate sorts, then it modifies the first document in that order', async () => {
    const doc = await ctx.db
      .collection('stock')
      .findOneAndUpdate({ item: 'rice' }, { $set: { picked: true } }, { sort: { onHand: 1 }, returnDocument: 'after' });
    expect(doc?._id).toBe(2);
  });
});

describe('delete', () => {
  test('when deleteOne and deleteMany run, then they report how many documents they removed', async () => {
    const items = ctx.db.collection('items');
    await items.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await items.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await items.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect((await items.findOneAndDelete({ k: 2 }))?.k).toBe(2);
    expect(await items.countDocuments()).toBe(0);
  });
});

describe('number types', () => {
  const raw = useCompatDatabase({ promoteValues: false });

  test('when int32, int64, double and decimal values are stored, then each comes back as the same BSON type', async () => {
    const numbers = raw.db.collection('numbers');
    await numbers.insertOne({
      _id: 1 as never,
      i: new Int32(5),
      l: Long.fromString('9007199254740993'),
      d: new Double(5),
      m: Decimal128.fromString('0.1'),
    });
    const doc = await numbers.findOne({ _id: 1 as never });
    expect(doc?.i).toBeInstanceOf(Int32);
    expect(doc?.l).toBeInstanceOf(Long);
    expect(String(doc?.l)).toBe('9007199254740993');
    expect(doc?.d).toBeInstanceOf(Double);
    expect(doc?.m).toBeInstanceOf(Decimal128);
  });

  test('when $inc adds to a Long and a Decimal128, then the result stays exact and keeps its type', async () => {
    const numbers = raw.db.collection('numbers');
    await numbers.insertOne({
      _id: 1 as never,
      l: Long.fromString('9007199254740993'),
      m: Decimal128.fromString('0.1'),
    });
    await numbers.updateOne({ _id: 1 as never }, { $inc: { l: Long.fromNumber(2), m: Decimal128.fromString('0.2') } });
    const doc = await numbers.findOne({ _id: 1 as never });
    expect(doc?.l).toBeInstanceOf(Long);
    expect(String(doc?.l)).toBe('9007199254740995');
    expect(doc?.m).toBeInstanceOf(Decimal128);
    expect(String(doc?.m)).toBe('0.3');
  });

  test('when an int32 overflows under $inc, then it becomes a Long', async () => {
    const numbers = raw.db.collection('numbers');
    await numbers.insertOne({ _id: 1 as never, n: new Int32(2147483647) });
    await numbers.updateOne({ _id: 1 as never }, { $inc: { n: new Int32(1) } });
    const doc = await numbers.findOne({ _id: 1 as never });
    expect(doc?.n).toBeInstanceOf(Long);
    expect(String(doc?.n)).toBe('2147483648');
  });

  test('when numbers of different types are equal, then an equality query matches across types', async () => {
    const numbers = raw.db.collection('numbers');
    await numbers.insertMany([
      { _id: 1, v: new Int32(7) },
      { _id: 2, v: Long.fromNumber(7) },
      { _id: 3, v: new Double(7) },
      { _id: 4, v: Decimal128.fromString('7.0') },
      { _id: 5, v: new Double(7.5) },
    ] as never[]);
    const ids = (await numbers.find({ v: 7 }).toArray()).map((d) => Number(d._id));
    expect(ids.sort()).toEqual([1, 2, 3, 4]);
  });
});
