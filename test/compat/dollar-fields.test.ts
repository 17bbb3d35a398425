/**
 * `$`-prefixed field names as MongoDB 5.0+ stores them
 * (https://www.mongodb.com/docs/manual/core/dot-dollar-considerations/dollar-prefix/), and the database-level
 * `aggregate: 1` with `$documents`.
 */
import { MongoServerError } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

describe('dollar-prefixed field names', () => {
  test('when an update modifies a nested $-prefixed field, then it is set, incremented and unset', async () => {
    const inventory = ctx.db.collection('inventory');
    await inventory.insertOne({ part: 'AB305', $bin: 200, quantity: 100, pricing: { sale: true, $discount: 60 } });
    await inventory.findOneAndUpdate({ part: { $eq: 'AB305' } }, { $inc: { 'pricing.$discount': 10 } });
    await inventory.updateOne({ part: 'AB305' }, { $set: { 'address.$street': 'Elm Ave' } });
    expect(await inventory.findOne({}, { projection: { _id: 0 } })).toEqual({
      part: 'AB305',
      $bin: 200,
      quantity: 100,
      pricing: { sale: true, $discount: 70 },
      address: { $street: 'Elm Ave' },
    });
    await inventory.updateOne({ part: 'AB305' }, { $unset: { 'pricing.$discount': '' } });
    expect((await inventory.findOne({}))?.pricing).toEqual({ sale: true });
  });

  test('when a query reads a top-level $-prefixed field, then $getField with $literal reaches it', async () => {
    const inventory = ctx.db.collection('inventory');
    await inventory.insertMany([
      { part: 'AB305', $bin: 200, quantity: 100 },
      { part: 'CD410', $bin: 100, quantity: 5 },
    ]);
    const updated = await inventory.findOneAndUpdate(
      { $expr: { $eq: [{ $getField: { $literal: '$bin' } }, 200] } },
      { $inc: { quantity: 10 } },
      { returnDocument: 'after' },
    );
    expect(updated).toMatchObject({ part: 'AB305', quantity: 110 });
  });

  test('when an update would set a top-level $-prefixed field of a stored document, then it fails with 52', async () => {
    const expenses = ctx.db.collection('expenses');
    await expenses.insertOne({ date: '2021-07-07', phone: 10 });
    const error = await expenses
      .updateOne({ date: '2021-07-07' }, { $set: { phone: 25.17, $hotel: 320.1 } }, { upsert: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(52);
    expect(await expenses.findOne({}, { projection: { _id: 0 } })).toEqual({ date: '2021-07-07', phone: 10 });
  });

  test('when an upsert inserts, then top-level and nested $-prefixed fields are accepted as by an insert', async () => {
    const expenses = ctx.db.collection('expenses');
    const result = await expenses.updateOne(
      { date: '2021-07-08' },
      { $set: { phone: 25.17, $hotel: 320.1 }, $setOnInsert: { 'meta.$source': 'import' } },
      { upsert: true },
    );
    expect(result.upsertedCount).toBe(1);
    expect(await expenses.findOne({}, { projection: { _id: 0 } })).toEqual({
      date: '2021-07-08',
      phone: 25.17,
      $hotel: 320.1,
      meta: { $source: 'import' },
    });
  });

  test('when a pipeline update uses $setField with $literal, then a top-level $-prefixed field changes', async () => {
    const school = ctx.db.collection('school');
    await school.insertOne({ _id: 100001 as never, $term: 'fall', registered: true, grade: 4 });
    await school.updateOne({ _id: 100001 as never }, [
      { $replaceWith: { $setField: { field: { $literal: '$term' }, input: '$$ROOT', value: 'spring' } } },
    ]);
    expect(await school.findOne({})).toEqual({ _id: 100001, $term: 'spring', registered: true, grade: 4 });
  });
});

describe('aggregate: 1 with $documents', () => {
  test('when a database-level aggregate starts with $documents, then later stages run on those documents', async () => {
    const docs = await ctx.db
      .aggregate([
        {
          $documents: [
            { item: 'rice', kg: 10 },
            { item: 'oil', kg: 2 },
            { item: 'flour', kg: 7 },
          ],
        },
        { $match: { kg: { $gt: 5 } } },
        { $sort: { kg: 1 } },
        { $project: { _id: 0, item: 1 } },
      ])
      .toArray();
    expect(docs).toEqual([{ item: 'flour' }, { item: 'rice' }]);
  });

  test('when $documents holds an expression, then it is evaluated with the command let variables', async () => {
    const docs = await ctx.db
      .aggregate([{ $documents: { $map: { input: '$$ids', in: { n: '$$this' } } } }], { let: { ids: [1, 2] } })
      .toArray();
    expect(docs).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test('when a database-level aggregate does not start with $documents, then it fails', async () => {
    const error = await ctx.db
      .aggregate([{ $match: {} }])
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
  });
});
