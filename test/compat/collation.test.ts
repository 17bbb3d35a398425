import { type Document, MongoServerError } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

const names = (docs: Document[]) => docs.map((d) => d.name);

test('when Kazakh names are sorted with the kk collation, then Kazakh letters sit inside the alphabet', async () => {
  const people = ctx.db.collection('people');
  await people.insertMany([{ name: 'Бақыт' }, { name: 'Яна' }, { name: 'Әлия' }, { name: 'Айгүл' }]);
  const sorted = await people
    .find({}, { collation: { locale: 'kk' } })
    .sort({ name: 1 })
    .toArray();
  expect(names(sorted)).toEqual(['Айгүл', 'Әлия', 'Бақыт', 'Яна']);
});

test('when Russian names are sorted with the ru collation, then Ё sorts with Е, before Ж', async () => {
  const people = ctx.db.collection('people');
  await people.insertMany([{ name: 'Жанна' }, { name: 'Ёлкин' }, { name: 'Елена' }, { name: 'Анна' }]);
  const sorted = await people
    .find({}, { collation: { locale: 'ru' } })
    .sort({ name: 1 })
    .toArray();
  expect(names(sorted)).toEqual(['Анна', 'Елена', 'Ёлкин', 'Жанна']);
});

test('when a filter runs with strength 2, then it matches regardless of case', async () => {
  const donors = ctx.db.collection('donors');
  await donors.insertMany([{ name: 'Red Crescent' }, { name: 'RED CRESCENT' }, { name: 'Other' }]);
  const collation = { locale: 'en', strength: 2 };
  expect(await donors.countDocuments({ name: 'red crescent' }, { collation })).toBe(2);
  expect(await donors.countDocuments({ name: 'red crescent' })).toBe(0);
  expect(await donors.distinct('name', { name: { $in: ['red crescent'] } }, { collation })).toHaveLength(1);
  const deleted = await donors.deleteMany({ name: 'red crescent' }, { collation });
  expect(deleted.deletedCount).toBe(2);
});

test('when numericOrdering is on, then "2" sorts before "10"', async () => {
  const boxes = ctx.db.collection('boxes');
  await boxes.insertMany([{ name: '10' }, { name: '2' }, { name: '1' }]);
  const sorted = await boxes
    .aggregate([{ $match: { name: { $gte: '2' } } }, { $sort: { name: 1 } }], {
      collation: { locale: 'en', numericOrdering: true },
    })
    .toArray();
  expect(names(sorted)).toEqual(['2', '10']);
});

test('when an update filters with strength 1, then accents and case are ignored', async () => {
  const items = ctx.db.collection('items');
  await items.insertOne({ name: 'Café' });
  const result = await items.updateOne(
    { name: 'cafe' },
    { $set: { found: true } },
    { collation: { locale: 'en', strength: 1 } },
  );
  expect(result.modifiedCount).toBe(1);
});

test('when caseLevel is on at strength 1, then case counts and accents still do not', async () => {
  const items = ctx.db.collection('items');
  await items.insertMany([{ name: 'café' }, { name: 'cafe' }, { name: 'CAFE' }]);
  const caseLevel = { locale: 'en', strength: 1, caseLevel: true };
  const matched = await items.find({ name: 'cafe' }, { collation: caseLevel }).sort({ name: 1 }).toArray();
  expect(names(matched).sort()).toEqual(['cafe', 'café']);
  expect(await items.countDocuments({ name: 'cafe' }, { collation: { locale: 'en', strength: 1 } })).toBe(3);
  expect(await items.distinct('name', {}, { collation: caseLevel })).toHaveLength(2);
});

test('when a collation names an unsupported locale, then the server answers BadValue', async () => {
  const error = await ctx.db
    .collection('people')
    .find({}, { collation: { locale: 'no_such_locale' } })
    .toArray()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MongoServerError);
  expect((error as MongoServerError).code).toBe(2);
});

describe('indexes with a collation', () => {
  const caseInsensitive = { locale: 'en', strength: 2 };

  test('when an index is created with a collation, then listIndexes reports it', async () => {
    const users = ctx.db.collection('users');
    await users.createIndex({ email: 1 }, { unique: true, collation: caseInsensitive });
    const index = (await users.indexes()).find((i) => i.name === 'email_1');
    expect(index?.collation).toMatchObject({ locale: 'en', strength: 2, caseLevel: false, numericOrdering: false });
  });

  test('when a unique index has strength 2, then e-mails differing only in case are duplicates but accents are not', async () => {
    const users = ctx.db.collection('users');
    await users.createIndex({ email: 1 }, { unique: true, collation: caseInsensitive });
    await users.insertOne({ email: 'aigul@example.kz' });
    const duplicate = await users.insertOne({ email: 'Aigul@Example.KZ' }).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ code: 11000 });
    await users.insertOne({ email: 'aigül@example.kz' });
    expect(await users.countDocuments({})).toBe(2);
  });

  test('when a unique index has strength 1, then names differing in accents or case are duplicates', async () => {
    const items = ctx.db.collection('items');
    await items.insertOne({ name: 'Café' });
    await items.createIndex({ name: 1 }, { unique: true, collation: { locale: 'en', strength: 1 } });
    await expect(items.insertOne({ name: 'CAFE' })).rejects.toMatchObject({ code: 11000 });
    await expect(items.updateOne({ name: 'Café' }, { $set: { name: 'cafe' } })).resolves.toMatchObject({
      modifiedCount: 1,
    });
  });

  test('when documents already break a collated unique index, then creating it fails with 11000', async () => {
    const users = ctx.db.collection('users');
    await users.insertMany([{ email: 'a@x.kz' }, { email: 'A@X.KZ' }]);
    await expect(users.createIndex({ email: 1 }, { unique: true, collation: caseInsensitive })).rejects.toMatchObject({
      code: 11000,
    });
    await users.createIndex({ email: 1 }, { unique: true });
    expect(await users.countDocuments({})).toBe(2);
  });

  test('when a query has the index collation, then it uses the index; with another collation it still answers by its own', async () => {
    const users = ctx.db.collection('users');
    await users.insertMany(Array.from({ length: 200 }, (_, i) => ({ email: `user${i}@example.kz` })));
    await users.insertOne({ email: 'USER7@EXAMPLE.KZ' });
    await users.createIndex({ email: 1 }, { collation: caseInsensitive });
    const same = await users
      .find({ email: 'User7@Example.kz' }, { collation: caseInsensitive })
      .explain('executionStats');
    expect(same.executionStats.nReturned).toBe(2);
    expect(same.executionStats.totalDocsExamined).toBe(2);
    const simple = await users.find({ email: 'user7@example.kz' }).toArray();
    expect(simple.map((u) => u.email)).toEqual(['user7@example.kz']);
    const accentInsensitive = await users
      .find({ email: 'user7@example.kz' }, { collation: { locale: 'en', strength: 1 } })
      .toArray();
    expect(accentInsensitive).toHaveLength(2);
  });

  test('when a range query runs with the kk collation of its index, then Kazakh letters fall where kk puts them', async () => {
    const people = ctx.db.collection('people');
    const kk = { locale: 'kk' };
    await people.createIndex({ name: 1 }, { collation: kk });
    await people.insertMany(
      ['Айгүл', 'Әлия', 'Бақыт', 'Ғалым', 'Гүлнар', 'Дана', 'Яна', 'Іңкәр', 'Ырыс'].map((name) => ({ name })),
    );
    const aToB = await people
      .find({ name: { $gte: 'А', $lt: 'Б' } }, { collation: kk })
      .sort({ name: 1 })
      .toArray();
    expect(names(aToB)).toEqual(['Айгүл', 'Әлия']);
    const gToD = await people
      .find({ name: { $gt: 'Г', $lt: 'Д' } }, { collation: kk })
      .sort({ name: 1 })
      .toArray();
    expect(names(gToD)).toEqual(['Гүлнар', 'Ғалым']);
    const tail = await people
      .find({ name: { $gt: 'Ы' } }, { collation: kk })
      .sort({ name: -1 })
      .toArray();
    expect(names(tail)).toEqual(['Яна', 'Іңкәр', 'Ырыс']);
    const plan = await people.find({ name: { $gte: 'А', $lt: 'Б' } }, { collation: kk }).explain('executionStats');
    expect(plan.executionStats.totalDocsExamined).toBe(2);
  });

  test('when Kazakh letters are sorted with kk, then each follows its base letter as the kk alphabet says', async () => {
    const letters = ctx.db.collection('letters');
    const alphabet = ['а', 'ә', 'г', 'ғ', 'к', 'қ', 'н', 'ң', 'о', 'ө', 'у', 'ұ', 'ү', 'х', 'һ', 'ы', 'і', 'я'];
    await letters.insertMany([...alphabet].reverse().map((name) => ({ name })));
    const sorted = await letters
      .find({}, { collation: { locale: 'kk' } })
      .sort({ name: 1 })
      .toArray();
    expect(names(sorted)).toEqual(alphabet);
  });

  test('when the same key is indexed with two collations, then both indexes exist under their names', async () => {
    const people = ctx.db.collection('people');
    await people.createIndex({ name: 1 }, { name: 'name_kk', collation: { locale: 'kk' } });
    await people.createIndex({ name: 1 }, { name: 'name_ru', collation: { locale: 'ru' } });
    const listed = await people.indexes();
    expect(listed.map((i) => [i.name, i.collation?.locale])).toEqual([
      ['_id_', undefined],
      ['name_kk', 'kk'],
      ['name_ru', 'ru'],
    ]);
  });

  test('when a collection has a default collation, then its indexes and the _id index take it', async () => {
    await ctx.db.createCollection('donors', { collation: caseInsensitive });
    const donors = ctx.db.collection('donors');
    await donors.createIndex({ name: 1 }, { unique: true });
    await donors.createIndex({ code: 1 }, { collation: { locale: 'simple' } });
    const listed = await donors.indexes();
    expect(listed.find((i) => i.name === '_id_')?.collation).toMatchObject({ locale: 'en', strength: 2 });
    expect(listed.find((i) => i.name === 'name_1')?.collation).toMatchObject({ locale: 'en', strength: 2 });
    expect(listed.find((i) => i.name === 'code_1')?.collation).toBeUndefined();
    await donors.insertOne({ name: 'Red Crescent', code: 'rc' });
    await expect(donors.insertOne({ name: 'RED CRESCENT', code: 'RC' })).rejects.toMatchObject({ code: 11000 });
    await donors.insertOne({ _id: 'kz-01' as never, name: 'Kazakh Red Crescent' });
    await expect(donors.insertOne({ _id: 'KZ-01' as never, name: 'Other' })).rejects.toMatchObject({ code: 11000 });
    expect(await donors.findOne({ _id: 'KZ-01' as never })).toMatchObject({ name: 'Kazakh Red Crescent' });
  });
});

describe('aggregation and updates with a collation', () => {
  const caseInsensitive = { locale: 'en', strength: 2 };

  test('when $group runs with strength 2, then keys differing in case are one group, keyed by the first met', async () => {
    const donations = ctx.db.collection('donations');
    await donations.insertMany([
      { donor: 'Red Crescent', kg: 10 },
      { donor: 'RED CRESCENT', kg: 5 },
      { donor: 'UNICEF', kg: 7 },
      { donor: 'red crescent', kg: 1 },
    ]);
    const totals = await donations
      .aggregate(
        [
          { $sort: { kg: -1 } },
          { $group: { _id: '$donor', kg: { $sum: '$kg' }, names: { $addToSet: '$donor' } } },
          { $sort: { _id: 1 } },
        ],
        { collation: caseInsensitive },
      )
      .toArray();
    expect(totals).toEqual([
      { _id: 'Red Crescent', kg: 16, names: ['Red Crescent'] },
      { _id: 'UNICEF', kg: 7, names: ['UNICEF'] },
    ]);
  });

  test('when $min, $max and $sort run with kk, then Kazakh names are ordered by the kk alphabet', async () => {
    const people = ctx.db.collection('people');
    await people.insertMany(['Яна', 'Әлия', 'Бақыт', 'Айгүл'].map((name) => ({ name, village: 'Қарасу' })));
    const [stats] = await people
      .aggregate([{ $group: { _id: '$village', first: { $min: '$name' }, last: { $max: '$name' } } }], {
        collation: { locale: 'kk' },
      })
      .toArray();
    expect(stats).toEqual({ _id: 'Қарасу', first: 'Айгүл', last: 'Яна' });
    const [plain] = await people.aggregate([{ $group: { _id: '$village', last: { $max: '$name' } } }]).toArray();
    expect(plain.last).toBe('Әлия');
  });

  test('when expressions compare strings under a collation, then $eq, $in and $expr use it', async () => {
    const items = ctx.db.collection('items');
    await items.insertMany([
      { name: 'Flour', unit: 'KG' },
      { name: 'Oil', unit: 'l' },
    ]);
    const flagged = await items
      .aggregate(
        [
          { $project: { _id: 0, name: 1, kg: { $eq: ['$unit', 'kg'] }, known: { $in: ['$unit', ['kg', 'L']] } } },
          { $sort: { name: 1 } },
        ],
        { collation: caseInsensitive },
      )
      .toArray();
    expect(flagged).toEqual([
      { name: 'Flour', kg: true, known: true },
      { name: 'Oil', kg: false, known: true },
    ]);
    const matched = await items.find({ $expr: { $eq: ['$unit', 'kg'] } }, { collation: caseInsensitive }).toArray();
    expect(matched.map((d) => d.name)).toEqual(['Flour']);
  });

  test('when $addToSet and $pull run with strength 2, then values differing in case count as present', async () => {
    const families = ctx.db.collection<{ _id: string; needs: string[] }>('families');
    await families.insertOne({ _id: 'f1', needs: ['Blankets', 'Water'] });
    await families.updateOne({ _id: 'f1' }, { $addToSet: { needs: 'BLANKETS' } }, { collation: caseInsensitive });
    expect((await families.findOne({}))?.needs).toEqual(['Blankets', 'Water']);
    await families.updateOne({ _id: 'f1' }, { $pull: { needs: 'water' } }, { collation: caseInsensitive });
    expect((await families.findOne({}))?.needs).toEqual(['Blankets']);
    await families.updateOne({ _id: 'f1' }, { $pull: { needs: 'blankets' } });
    expect((await families.findOne({}))?.needs).toEqual(['Blankets']);
  });
});
