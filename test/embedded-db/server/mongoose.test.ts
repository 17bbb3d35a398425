/** Mongoose 9 against the server: models, unique indexes, timestamps, populate and connection.transaction(). */
import mongoose, { type Connection, Schema, Types } from 'mongoose';
import { useServer } from './harness';

const h = useServer();
let conn: Connection;

const itemSchema = new Schema(
  { sku: { type: String, required: true, unique: true }, name: String, onHand: { type: Number, default: 0 } },
  { timestamps: true },
);
const lineSchema = new Schema({ item: { type: Schema.Types.ObjectId, ref: 'Item' }, quantity: Number });

beforeAll(async () => {
  conn = await mongoose
    .createConnection(h.uri, { dbName: `${h.db().databaseName}_mg`, serverSelectionTimeoutMS: 5000 })
    .asPromise();
  conn.model('Item', itemSchema);
  conn.model('Line', lineSchema);
  await Promise.all(Object.values(conn.models).map((m) => m.init()));
  h.onClose(async () => {
    await conn.dropDatabase();
    await conn.close();
  });
});

interface ItemDoc {
  sku: string;
  name?: string;
  onHand: number;
  createdAt?: Date;
}
interface LineDoc {
  item: Types.ObjectId | ItemDoc;
  quantity: number;
}
const Item = () => conn.model<ItemDoc>('Item');
const Line = () => conn.model<LineDoc>('Line');

test('when a model is saved and found, then the document round-trips with timestamps', async () => {
  const created = await Item().create({ sku: 'RICE-25', name: 'Rice 25 kg' });
  const found = await Item().findById(created._id).lean();
  expect(found).toMatchObject({ sku: 'RICE-25', name: 'Rice 25 kg', onHand: 0 });
  expect(found?.createdAt).toBeInstanceOf(Date);
});

test('when a unique field is duplicated, then Mongoose reports 11000 with keyValue', async () => {
  await Item().create({ sku: 'DUP-1' });
  const err = (await Item()
    .create({ sku: 'DUP-1' })
    .catch((e: unknown) => e)) as { code: number; keyValue: unknown };
  expect(err.code).toBe(11000);
  expect(err.keyValue).toEqual({ sku: 'DUP-1' });
});

test('when querying with sort, skip, limit and select, then Mongoose gets the right page', async () => {
  await Item().insertMany(['A', 'B', 'C', 'D'].map((s, i) => ({ sku: `PAGE-${s}`, onHand: i })));
  const page = await Item()
    .find({ sku: /^PAGE-/ })
    .sort({ onHand: -1 })
    .skip(1)
    .limit(2)
    .select('sku -_id')
    .lean();
  expect(page).toEqual([{ sku: 'PAGE-C' }, { sku: 'PAGE-B' }]);
  expect(await Item().countDocuments({ sku: /^PAGE-/ })).toBe(4);
  expect(await Item().estimatedDocumentCount()).toBeGreaterThanOrEqual(4);
});

test('when populate follows a reference, then the referenced document is embedded', async () => {
  const item = await Item().create({ sku: 'POP-1' });
  const line = await Line().create({ item: item._id, quantity: 3 });
  const populated = await Line().findById(line._id).populate('item').lean();
  expect((populated?.item as ItemDoc | undefined)?.sku).toBe('POP-1');
});

test('when connection.transaction() commits, then both writes are kept', async () => {
  const item = await Item().create({ sku: 'TX-1', onHand: 10 });
  await conn.transaction(async (session) => {
    await Item().updateOne({ _id: item._id, onHand: { $gte: 4 } }, { $inc: { onHand: -4 } }, { session });
    await Line().create([{ item: item._id, quantity: 4 }], { session });
  });
  expect((await Item().findById(item._id).lean())?.onHand).toBe(6);
  expect(await Line().countDocuments({ item: item._id })).toBe(1);
});

test('when connection.transaction() throws, then neither write is kept', async () => {
  const item = await Item().create({ sku: 'TX-2', onHand: 10 });
  await expect(
    conn.transaction(async (session) => {
      await Item().updateOne({ _id: item._id }, { $inc: { onHand: -4 } }, { session });
      await Line().create([{ item: item._id, quantity: 4 }], { session });
      throw new Error('insufficient paperwork');
    }),
  ).rejects.toThrow('insufficient paperwork');
  expect((await Item().findById(item._id).lean())?.onHand).toBe(10);
  expect(await Line().countDocuments({ item: item._id })).toBe(0);
});

test('when findOneAndUpdate upserts with timestamps, then the new document has createdAt and the filter fields', async () => {
  const doc = await Item()
    .findOneAndUpdate({ sku: 'UPS-1' }, { $set: { name: 'Tent' } }, { upsert: true, returnDocument: 'after' })
    .lean();
  expect(doc).toMatchObject({ sku: 'UPS-1', name: 'Tent', onHand: 0 });
  expect(doc?.createdAt).toBeInstanceOf(Date);
  expect(doc?._id).toBeInstanceOf(Types.ObjectId);
});

test('when distinct and deleteMany run, then Mongoose gets MongoDB answers', async () => {
  await Item().insertMany([
    { sku: 'DEL-1', name: 'x' },
    { sku: 'DEL-2', name: 'x' },
  ]);
  expect(await Item().distinct('sku', { name: 'x' })).toEqual(['DEL-1', 'DEL-2']);
  expect((await Item().deleteMany({ name: 'x' })).deletedCount).toBe(2);
});
