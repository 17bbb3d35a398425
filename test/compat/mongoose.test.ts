import mongoose, { Schema, Types } from 'mongoose';
import { testDatabaseName, testDatabaseUri } from '../support/env';

const connection = mongoose.createConnection();

const warehouseSchema = new Schema(
  { code: { type: String, unique: true, required: true }, city: String },
  { timestamps: true },
);
const stockSchema = new Schema({
  warehouse: { type: Schema.Types.ObjectId, ref: 'CompatWarehouse', required: true },
  item: String,
  onHand: { type: Number, min: 0 },
});
stockSchema.index({ warehouse: 1, item: 1 }, { unique: true });

const Warehouse = connection.model('CompatWarehouse', warehouseSchema);
const Stock = connection.model('CompatStock', stockSchema);

beforeAll(async () => {
  await connection.openUri(testDatabaseUri(), { dbName: `${testDatabaseName()}_mongoose` });
});
beforeEach(async () => {
  await connection.dropDatabase();
  await Warehouse.syncIndexes();
  await Stock.syncIndexes();
});
afterAll(async () => {
  await connection.close();
});

test('when a model with a unique index gets a duplicate, then Mongoose rejects it with 11000 and keyValue', async () => {
  await Warehouse.create({ code: 'ALA', city: 'Almaty' });
  const error = await Warehouse.create({ code: 'ALA', city: 'Almaty' }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 11000, keyValue: { code: 'ALA' } });
  expect(await Warehouse.countDocuments()).toBe(1);
});

test('when a compound unique index is declared on the schema, then it is created and enforced', async () => {
  const indexes = await Stock.listIndexes();
  expect(indexes.map((i) => i.name)).toContain('warehouse_1_item_1');
  const warehouse = await Warehouse.create({ code: 'AST' });
  await Stock.create({ warehouse: warehouse._id, item: 'rice', onHand: 1 });
  await expect(Stock.create({ warehouse: warehouse._id, item: 'rice', onHand: 2 })).rejects.toMatchObject({
    code: 11000,
  });
});

test('when documents are created, then timestamps are set and updates move updatedAt', async () => {
  const created = await Warehouse.create({ code: 'SHY', city: 'Shymkent' });
  expect(created.createdAt).toBeInstanceOf(Date);
  await new Promise((r) => setTimeout(r, 5));
  await Warehouse.updateOne({ _id: created._id }, { $set: { city: 'Шымкент' } });
  const updated = await Warehouse.findById(created._id).lean();
  expect(updated?.city).toBe('Шымкент');
  expect(updated?.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
  expect(updated?.createdAt.getTime()).toBe(created.createdAt.getTime());
});

test('when populating a reference, then the referenced document is joined', async () => {
  const warehouse = await Warehouse.create({ code: 'KRG', city: 'Karaganda' });
  await Stock.create({ warehouse: warehouse._id, item: 'blanket', onHand: 3 });
  const stock = await Stock.findOne({ item: 'blanket' }).populate<{ warehouse: { code: string } }>('warehouse').lean();
  expect(stock?.warehouse.code).toBe('KRG');
});

test('when querying with sort, skip, limit, select, countDocuments and distinct, then results match', async () => {
  const warehouse = await Warehouse.create({ code: 'PVL' });
  await Stock.insertMany(['a', 'b', 'c', 'd'].map((item, i) => ({ warehouse: warehouse._id, item, onHand: i })));
  const page = await Stock.find({ onHand: { $gte: 1 } })
    .sort({ onHand: -1 })
    .skip(1)
    .limit(2)
    .select('item -_id')
    .lean();
  expect(page).toEqual([{ item: 'c' }, { item: 'b' }]);
  expect(await Stock.countDocuments({ onHand: { $lt: 2 } })).toBe(2);
  expect((await Stock.distinct('item')).sort()).toEqual(['a', 'b', 'c', 'd']);
});

test('when findOneAndUpdate upserts, then the new document is returned with its defaults', async () => {
  const warehouse = new Types.ObjectId();
  const doc = await Stock.findOneAndUpdate(
    { warehouse, item: 'tea' },
    { $inc: { onHand: 4 } },
    { upsert: true, new: true },
  ).lean();
  expect(doc).toMatchObject({ warehouse, item: 'tea', onHand: 4 });
});

test('when Mongoose runs a transaction, then an error inside rolls everything back', async () => {
  const warehouse = await Warehouse.create({ code: 'TLD' });
  const failing = connection.transaction(async (session) => {
    await Stock.create([{ warehouse: warehouse._id, item: 'oil', onHand: 5 }], { session });
    await Warehouse.updateOne({ _id: warehouse._id }, { $set: { city: 'Taldykorgan' } }, { session });
    throw new Error('abort on purpose');
  });
  await expect(failing).rejects.toThrow('abort on purpose');
  expect(await Stock.countDocuments()).toBe(0);
  expect((await Warehouse.findById(warehouse._id).lean())?.city).toBeUndefined();
});
