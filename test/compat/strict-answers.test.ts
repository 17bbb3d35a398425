/**
 * Cases where a server must answer an error (or the documented result) rather than a plausible wrong one, each as
 * the MongoDB manual documents it: query parsing, field names as data, the BSON document size limit, write concern
 * on a one-member replica set, hints and upsert `_id` rules.
 */
import { type MongoServerError, MongoWriteConcernError, type W } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();
const MiB = 1024 * 1024;

async function errorOf(promise: Promise<unknown>): Promise<MongoServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('expected the operation to fail');
  return error as MongoServerError;
}

describe('a filter is parsed before the collection is looked at', () => {
  test('when a filter uses an unknown operator on a missing collection, then find answers BadValue', async () => {
    const error = await errorOf(
      ctx.db
        .collection('missing')
        .find({ a: { $notAnOperator: 1 } })
        .toArray(),
    );
    expect(error.code).toBe(2);
  });

  test('when $and is not an array, then find on a missing collection answers BadValue', async () => {
    const error = await errorOf(
      ctx.db
        .collection('missing')
        .find({ $and: 1 } as never)
        .toArray(),
    );
    expect(error.code).toBe(2);
  });

  test('when an upsert filter uses an unknown operator, then it answers BadValue and inserts nothing', async () => {
    const error = await errorOf(
      ctx.db
        .collection('missing')
        .updateOne({ a: { $notAnOperator: 1 } } as never, { $set: { b: 1 } }, { upsert: true }),
    );
    expect(error.code).toBe(2);
    expect(await ctx.db.collection('missing').countDocuments()).toBe(0);
  });
});

describe('a field named __proto__ is data', () => {
  const proto = (value: unknown) => JSON.parse(`{"__proto__": ${JSON.stringify(value)}}`);

  test('when $set writes __proto__, then the field is stored and read back', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 1 } as never);
    const result = await items.updateOne({ _id: 1 as never }, { $set: proto({ x: 1 }) });
    expect(result.modifiedCount).toBe(1);
    const stored = await items.findOne({ _id: 1 as never });
    expect(stored && Object.hasOwn(stored, '__proto__')).toBe(true);
    expect(stored && Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ x: 1 });
  });

  test('when findOneAndUpdate sets __proto__ to a scalar, then the new document holds it', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 2 } as never);
    const updated = await items.findOneAndUpdate({ _id: 2 as never }, { $set: proto(5) }, { returnDocument: 'after' });
    expect(updated && Object.getOwnPropertyDescriptor(updated, '__proto__')?.value).toBe(5);
    expect(await items.countDocuments({ __proto__: 5 } as never)).toBe(1);
  });

  test('when a pipeline projects __proto__, then it is an ordinary field of the result', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 3, v: 7 } as never);
    const [doc] = await items.aggregate([{ $project: { _id: 0, ...proto('$v') } }]).toArray();
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toBe(7);
  });
});

describe('the 16 MiB BSON document limit', () => {
  test('when an insert is just over 16 MiB, then the server refuses it (10334) and nothing is stored', async () => {
    const items = ctx.db.collection('big');
    // Just over the limit, so that the driver (which allows a command 16 KiB of overhead) sends it to the server.
    const error = await errorOf(items.insertOne({ _id: 'huge', s: 'x'.repeat(16 * MiB) } as never));
    expect(error.code).toBe(10334);
    expect(await items.countDocuments()).toBe(0);
  });

  test('when an update would grow a document past 16 MiB, then it answers 17419 and the document is unchanged', async () => {
    const items = ctx.db.collection('big');
    await items.insertOne({ _id: 'grow', a: 'x'.repeat(9 * MiB) } as never);
    const error = await errorOf(items.updateOne({ _id: 'grow' as never }, { $set: { b: 'y'.repeat(9 * MiB) } }));
    expect(error.code).toBe(17419);
    const stored = await items.findOne({ _id: 'grow' as never }, { projection: { a: 0 } });
    expect(stored).toEqual({ _id: 'grow' });
  });

  test('when repeated pushes grow an updated document past 16 MiB, then only the push that would pass the limit answers 17419', async () => {
    const items = ctx.db.collection<{ _id: string; n: number; chunks?: string[] }>('big');
    await items.insertOne({ _id: 'pushes', n: 1 });
    await items.updateOne({ _id: 'pushes' }, { $inc: { n: 1 } });
    const chunk = 'p'.repeat(MiB);
    for (let i = 0; i < 15; i++) {
      const { modifiedCount } = await items.updateOne({ _id: 'pushes' }, { $push: { chunks: chunk } });
      expect(modifiedCount).toBe(1);
    }
    const error = await errorOf(items.updateOne({ _id: 'pushes' }, { $push: { chunks: chunk } }));
    expect(error.code).toBe(17419);
    const [stored] = await items
      .aggregate([{ $match: { _id: 'pushes' } }, { $project: { n: 1, chunks: { $size: '$chunks' } } }])
      .toArray();
    expect(stored).toEqual({ _id: 'pushes', n: 2, chunks: 15 });
  });

  test('when a small value set in every element of an array grows a document past 16 MiB, then it answers 17419', async () => {
    const items = ctx.db.collection('big');
    await items.insertOne({ _id: 'spread', n: 1, slots: Array.from({ length: 20 }, () => 0) } as never);
    await items.updateOne({ _id: 'spread' as never }, { $inc: { n: 1 } });
    const error = await errorOf(
      items.updateOne({ _id: 'spread' as never }, { $set: { 'slots.$[]': 's'.repeat(MiB) } }),
    );
    expect(error.code).toBe(17419);
    expect(await items.findOne({ _id: 'spread' as never })).toEqual({
      _id: 'spread',
      n: 2,
      slots: Array.from({ length: 20 }, () => 0),
    });
  });

  test('when an upsert would insert a document past 16 MiB, then it fails and inserts nothing', async () => {
    const items = ctx.db.collection('big');
    const half = 'z'.repeat(9 * MiB);
    await errorOf(
      items.updateOne({ _id: 'up' as never }, [{ $set: { a: half } }, { $set: { b: '$a' } }], { upsert: true }),
    );
    expect(await items.countDocuments()).toBe(0);
  });
});

describe('write concern on a one-member replica set', () => {
  test('when w asks for more members than exist, then the write is applied and a write concern error (100) is reported', async () => {
    const items = ctx.db.collection('items');
    const error = await errorOf(
      items.insertOne({ _id: 'w10' } as never, { writeConcern: { w: 10, wtimeoutMS: 1000 } }),
    );
    expect(error).toBeInstanceOf(MongoWriteConcernError);
    expect(error.code).toBe(100);
    expect(await items.countDocuments({ _id: 'w10' as never })).toBe(1);
  });

  test('when w names an unknown tag set, then a write concern error (79) is reported', async () => {
    const items = ctx.db.collection('items');
    const error = await errorOf(items.insertOne({ _id: 'tag' } as never, { writeConcern: { w: 'noSuchTag' as W } }));
    expect(error).toBeInstanceOf(MongoWriteConcernError);
    expect(error.code).toBe(79);
  });

  test('when a transaction commits with w greater than the members, then the commit reports the write concern error', async () => {
    await ctx.db.createCollection('items');
    const session = ctx.client.startSession();
    try {
      session.startTransaction({ writeConcern: { w: 10, wtimeoutMS: 1000 } });
      await ctx.db.collection('items').insertOne({ _id: 'txn' } as never, { session });
      const error = await errorOf(session.commitTransaction());
      expect(error.code).toBe(100);
    } finally {
      await session.endSession();
    }
    expect(await ctx.db.collection('items').countDocuments({ _id: 'txn' as never })).toBe(1);
  });
});

describe('hints', () => {
  test('when a find hints an index, then documents come in that index order', async () => {
    const items = ctx.db.collection('items');
    await items.createIndex({ rank: -1 });
    await items.insertMany([
      { _id: 1, rank: 2 },
      { _id: 2, rank: 3 },
      { _id: 3, rank: 1 },
    ] as never[]);
    const docs = await items.find({}).hint({ rank: -1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual([2, 1, 3]);
  });

  test('when a find hints $natural: -1, then documents come in reverse insertion order', async () => {
    const items = ctx.db.collection('items');
    await items.insertMany([{ _id: 'b' }, { _id: 'c' }, { _id: 'a' }] as never[]);
    const docs = await items.find({}).hint({ $natural: -1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual(['a', 'c', 'b']);
  });

  test('when a delete hints an index that does not exist, then it fails with BadValue and deletes nothing', async () => {
    const items = ctx.db.collection('items');
    await items.insertMany([{ _id: 1, sku: 'A' }] as never[]);
    const error = await errorOf(items.deleteOne({ sku: 'A' }, { hint: 'no_such_index' }));
    expect(error.code).toBe(2);
    expect(await items.countDocuments({})).toBe(1);
  });
});

describe('projection', () => {
  test('when a find has an empty projection, then whole documents are returned', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 1, sku: 'A', qty: 2 } as never);
    expect(await items.find({}, { projection: {} }).toArray()).toEqual([{ _id: 1, sku: 'A', qty: 2 }]);
  });

  test('when a find has an invalid projection, then it fails before reading, also on an empty collection', async () => {
    const error = await errorOf(
      ctx.db
        .collection('missing')
        .find({}, { projection: { a: 1, b: 0 } })
        .toArray(),
    );
    expect(error.code).toBe(31254);
  });
});

describe('_id rules', () => {
  test('when a replacement upsert gives _id: null, then the inserted document keeps _id null', async () => {
    const items = ctx.db.collection('items');
    const result = await items.replaceOne({ name: 'none' }, { _id: null, name: 'none' } as never, { upsert: true });
    expect(result.upsertedId).toBeNull();
    expect(await items.findOne({ name: 'none' })).toEqual({ _id: null, name: 'none' });
  });

  test('when an _id holds a $-prefixed field, then the insert answers DollarPrefixedFieldName (52)', async () => {
    const error = await errorOf(ctx.db.collection('items').insertOne({ _id: { $bad: 1 } } as never));
    expect(error.code).toBe(52);
    expect(await ctx.db.collection('items').countDocuments()).toBe(0);
  });
});

describe('unknown fields', () => {
  test('when find carries a field find does not define, then the command fails with 40415', async () => {
    const error = await errorOf(ctx.db.command({ find: 'items', filter: {}, notAFindOption: 1 }));
    expect(error.code).toBe(40415);
  });

  test('when an update statement carries an unknown field, then the whole command fails and nothing is written', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ _id: 1, n: 0 } as never);
    const error = await errorOf(
      ctx.db.command({
        update: 'items',
        updates: [
          { q: { _id: 1 }, u: { $inc: { n: 1 } } },
          { q: { _id: 1 }, u: { $inc: { n: 1 } }, notAnUpdateOption: true },
        ],
      }),
    );
    expect(error.code).toBe(40415);
    expect(await items.findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 0 });
  });

  test('when an update statement has a sort, then the server version decides: 8.0 honours it, 7.0 fails the command', async () => {
    const items = ctx.db.collection('items');
    await items.insertMany([
      { _id: 1, rank: 2, hit: false },
      { _id: 2, rank: 1, hit: false },
    ] as never[]);
    const { versionArray } = await ctx.client.db('admin').command({ buildInfo: 1 });
    const command = ctx.db.command({
      update: 'items',
      updates: [{ q: {}, u: { $set: { hit: true } }, sort: { rank: 1 } }],
    });
    if ((versionArray as number[])[0] >= 8) {
      await command;
      expect(await items.find({ hit: true }).toArray()).toEqual([{ _id: 2, rank: 1, hit: true }]);
    } else {
      expect((await errorOf(command)).code).toBe(40415);
      expect(await items.countDocuments({ hit: true })).toBe(0);
    }
  });
});
