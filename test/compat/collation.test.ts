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

test('when a collation names an unsupported locale, then the server answers BadValue', async () => {
  const error = await ctx.db
    .collection('people')
    .find({}, { collation: { locale: 'no_such_locale' } })
    .toArray()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MongoServerError);
  expect((error as MongoServerError).code).toBe(2);
});
