import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

beforeEach(async () => {
  await ctx.db.collection('c').insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i, n: i })) as never[]);
});

test('when a result is larger than the first batch, then getMore returns the rest in order', async () => {
  const docs = await ctx.db.collection('c').find({}).sort({ _id: 1 }).toArray();
  expect(docs).toHaveLength(250);
  expect(docs.map((d) => d._id)).toEqual(Array.from({ length: 250 }, (_, i) => i));
});

test('when batchSize is small, then the cursor still yields every document once', async () => {
  const seen: number[] = [];
  for await (const doc of ctx.db
    .collection('c')
    .find({ n: { $lt: 25 } })
    .sort({ n: 1 })
    .batchSize(7)) {
    seen.push(doc.n as number);
  }
  expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
});

test('when the find command is sent directly, then the first batch and cursor id follow the batchSize', async () => {
  const reply = await ctx.db.command({ find: 'c', filter: {}, sort: { _id: 1 }, batchSize: 10 });
  expect(reply.cursor.firstBatch).toHaveLength(10);
  expect(reply.cursor.ns).toBe(`${ctx.db.databaseName}.c`);
  expect(String(reply.cursor.id)).not.toBe('0');
  const more = await ctx.db.command({ getMore: reply.cursor.id, collection: 'c', batchSize: 300 });
  expect(more.cursor.nextBatch).toHaveLength(240);
  expect(String(more.cursor.id)).toBe('0');
});

test('when singleBatch or a negative limit is used, then no cursor stays open', async () => {
  const single = await ctx.db.command({ find: 'c', filter: {}, batchSize: 5, singleBatch: true });
  expect(single.cursor.firstBatch).toHaveLength(5);
  expect(String(single.cursor.id)).toBe('0');
  const docs = await ctx.db.collection('c').find({}).limit(-3).toArray();
  expect(docs).toHaveLength(3);
});

test('when a cursor is killed, then getMore on it fails with CursorNotFound (43)', async () => {
  const reply = await ctx.db.command({ find: 'c', filter: {}, batchSize: 2 });
  const killed = await ctx.db.command({ killCursors: 'c', cursors: [reply.cursor.id] });
  expect(killed.cursorsKilled.map(String)).toEqual([String(reply.cursor.id)]);
  await expect(ctx.db.command({ getMore: reply.cursor.id, collection: 'c' })).rejects.toMatchObject({ code: 43 });
});

test('when a cursor is closed early by the driver, then later queries still work', async () => {
  const cursor = ctx.db.collection('c').find({}).batchSize(5);
  await cursor.next();
  await cursor.close();
  expect(await ctx.db.collection('c').countDocuments()).toBe(250);
});
