/** Cursors: batches, getMore, killCursors, int64 ids. */
import { Long, MongoServerError } from 'mongodb';
import { useServer } from './harness';

const h = useServer();
const name = 'cursor_items';

beforeAll(async () => {
  await h
    .db()
    .collection(name)
    .insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i as never, i })));
});

test('when a find matches more than the first batch, then the cursor id is an int64 and getMore returns the rest', async () => {
  const first = await h.db().command({ find: name, filter: {}, sort: { _id: 1 } }, { promoteLongs: false });
  expect(first.cursor.firstBatch).toHaveLength(101);
  expect(first.cursor.id).toBeInstanceOf(Long);
  expect(first.cursor.id.isZero()).toBe(false);
  expect(first.cursor.ns).toBe(`${h.db().databaseName}.${name}`);
  const more = await h
    .db()
    .command({ getMore: first.cursor.id, collection: name, batchSize: 100 }, { promoteLongs: false });
  expect(more.cursor.nextBatch).toHaveLength(100);
  expect(more.cursor.nextBatch[0]._id).toBe(101);
  const last = await h.db().command({ getMore: first.cursor.id, collection: name }, { promoteLongs: false });
  expect(last.cursor.nextBatch).toHaveLength(49);
  expect(last.cursor.id.isZero()).toBe(true);
});

test('when a cursor is exhausted or killed, then getMore answers 43 CursorNotFound', async () => {
  const first = await h.db().command({ find: name, filter: {}, batchSize: 2 }, { promoteLongs: false });
  const killed = await h.db().command({ killCursors: name, cursors: [first.cursor.id] }, { promoteLongs: false });
  expect(killed.cursorsKilled.map(String)).toEqual([first.cursor.id.toString()]);
  const err = (await h
    .db()
    .command({ getMore: first.cursor.id, collection: name })
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err).toBeInstanceOf(MongoServerError);
  expect(err.code).toBe(43);
});

test('when the driver iterates with a batch size, then every document arrives once, in order', async () => {
  const docs = await h.db().collection(name).find({}, { batchSize: 7 }).sort({ _id: -1 }).toArray();
  expect(docs).toHaveLength(250);
  expect(docs[0]._id).toBe(249);
  expect(new Set(docs.map((d) => d._id)).size).toBe(250);
});

test('when singleBatch or a negative limit is used, then the cursor is closed after the first batch', async () => {
  const single = await h
    .db()
    .command({ find: name, filter: {}, batchSize: 5, singleBatch: true }, { promoteLongs: false });
  expect(single.cursor.firstBatch).toHaveLength(5);
  expect(single.cursor.id.isZero()).toBe(true);
  const negative = await h.db().command({ find: name, filter: {}, limit: -3 }, { promoteLongs: false });
  expect(negative.cursor.firstBatch).toHaveLength(3);
  expect(negative.cursor.id.isZero()).toBe(true);
});

test('when a limit is larger than the first batch, then getMore stops at the limit', async () => {
  const docs = await h.db().collection(name).find({}).sort({ _id: 1 }).limit(150).batchSize(100).toArray();
  expect(docs).toHaveLength(150);
  expect(docs[149]._id).toBe(149);
});

test('when a cursor is closed early by the driver, then it sends killCursors and the server forgets the cursor', async () => {
  const cursor = h.db().collection(name).find({}, { batchSize: 10 });
  await cursor.next();
  const id = cursor.id as Long;
  await cursor.close();
  const err = (await h
    .db()
    .command({ getMore: id, collection: name })
    .catch((e: unknown) => e)) as MongoServerError;
  expect(err.code).toBe(43);
});

test('when aggregate returns many documents, then it pages with getMore as find does', async () => {
  const docs = await h
    .db()
    .collection(name)
    .aggregate([{ $match: { i: { $gte: 100 } } }], { batchSize: 20 })
    .toArray();
  expect(docs).toHaveLength(150);
});
