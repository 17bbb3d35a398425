/**
 * Lists of people's and items' names sort in the request's language. In byte order every Kazakh letter (Ә, Қ, Ө, Ү,
 * І, ...) would follow Я; with the kk collation each sits where the Kazakh alphabet puts it (І after Ы). The request's
 * language is `?lang=`, else Accept-Language, else English.
 */

import { Item } from '../../src/modules/catalog/catalog.model';
import { Donor } from '../../src/modules/donors/donors.model';
import { Household } from '../../src/modules/households/households.model';
import { Organisation } from '../../src/modules/organisations/organisations.model';
import { Warehouse } from '../../src/modules/warehouses/warehouses.model';
import { setupTestApp } from '../support/app';
import { givenHouseholds } from '../support/given-households';
import { bearer, given } from '../support/given-identity';
import { actorFor, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

/** Shuffled, so that neither insertion nor byte order can pass for the alphabet. */
const NAMES = 'Яна Үміт Әлия Игорь Қанат Айгүл Өмір Іңкәр Олег Бақыт Ырыс Кирилл Улан'.split(' ');
/** The Kazakh alphabet: А Ә Б ... И ... К Қ ... О Ө ... У Ұ Ү ... Ы І ... Я. */
const KAZAKH_ORDER = 'Айгүл Әлия Бақыт Игорь Кирилл Қанат Олег Өмір Улан Үміт Ырыс Іңкәр Яна'.split(' ');
/** Russian and English readers find І with И, and the other Kazakh letters after their base letter. */
const RUSSIAN_ORDER = 'Айгүл Әлия Бақыт Игорь Іңкәр Кирилл Қанат Олег Өмір Улан Үміт Ырыс Яна'.split(' ');

const auth = async (role: 'admin' | 'operator' = 'admin') => bearer((await given.user({ role })).token);

/** The index that lets a database walk names in `lang`'s order: its keys and its collation's locale. */
async function nameIndexes(collection: { indexes(): Promise<{ key: object; collation?: { locale?: string } }[]> }) {
  const indexes = await collection.indexes();
  return indexes.filter((i) => i.collation).map((i) => [Object.keys(i.key), i.collation?.locale]);
}

test('when donors are listed with lang=kk, then Kazakh names sort as the Kazakh alphabet, not after Я', async () => {
  for (const name of NAMES) await givenInventory.donor({ name });
  const headers = await auth();
  const kk = await t.api.get('/api/v1/donors?lang=kk').set(headers);
  expect(kk.status).toBe(200);
  expect(kk.body.data.map((d: { name: string }) => d.name)).toEqual(KAZAKH_ORDER);
  const ru = await t.api.get('/api/v1/donors?lang=ru').set(headers);
  expect(ru.body.data.map((d: { name: string }) => d.name)).toEqual(RUSSIAN_ORDER);
  const page = await t.api.get('/api/v1/donors?lang=kk&limit=3&offset=10').set(headers);
  expect(page.body.data.map((d: { name: string }) => d.name)).toEqual(['Ырыс', 'Іңкәр', 'Яна']);
  expect(page.body.page.total).toBe(NAMES.length);
  expect(await nameIndexes(Donor.collection)).toEqual([
    [['organisationId', 'name', '_id'], 'kk'],
    [['organisationId', 'name', '_id'], 'ru'],
    [['organisationId', 'name', '_id'], 'en'],
  ]);
});

test('when no lang is given, then the Accept-Language header chooses the collation, else English', async () => {
  for (const name of NAMES) await givenInventory.donor({ name });
  const headers = await auth();
  const kazakh = await t.api.get('/api/v1/donors').set(headers).set('Accept-Language', 'kk-KZ, ru;q=0.8');
  expect(kazakh.body.data.map((d: { name: string }) => d.name)).toEqual(KAZAKH_ORDER);
  const plain = await t.api.get('/api/v1/donors').set(headers);
  expect(plain.body.data.map((d: { name: string }) => d.name)).toEqual(RUSSIAN_ORDER);
  const bad = await t.api.get('/api/v1/donors?lang=tr').set(headers);
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['lang']);
});

test('when warehouses are listed by name with lang=kk, then they sort as the Kazakh alphabet', async () => {
  for (const name of NAMES) await givenInventory.warehouse({ name });
  const headers = await auth();
  const res = await t.api.get('/api/v1/warehouses?sort=name&lang=kk&limit=200').set(headers);
  expect(res.status).toBe(200);
  expect(res.body.data.map((w: { name: string }) => w.name)).toEqual(KAZAKH_ORDER);
  const byCode = await t.api.get('/api/v1/warehouses?lang=kk').set(headers);
  const codes = byCode.body.data.map((w: { code: string }) => w.code);
  expect(codes).toEqual([...codes].sort());
  expect(await nameIndexes(Warehouse.collection)).toContainEqual([['organisationId', 'name', '_id'], 'kk']);
});

test('when organisations are listed with lang=kk, then the operator sees them in Kazakh alphabetical order', async () => {
  for (const name of NAMES) await given.organisation({ name });
  const res = await t.api.get('/api/v1/organisations?lang=kk&limit=200').set(await auth('operator'));
  expect(res.status).toBe(200);
  const names = res.body.data.map((o: { name: string }) => o.name).filter((n: string) => NAMES.includes(n));
  expect(names).toEqual(KAZAKH_ORDER);
  expect(await nameIndexes(Organisation.collection)).toContainEqual([['name', '_id'], 'kk']);
});

test('when items are listed by name, then each language sorts the name its reader sees, falling back as documents do', async () => {
  for (const [i, name] of NAMES.entries()) {
    await givenInventory.item({ sku: `KZ-${i}`, name: { kk: name, ru: `Товар ${name}`, en: `Item ${i}` } });
  }
  // Named only in Russian: a Kazakh reader sees the Russian name, so it sorts by it (after Ө, before У).
  await givenInventory.item({ sku: 'RU-ONLY', name: { ru: 'Палатка' } });
  const headers = await auth();
  const kk = await t.api.get('/api/v1/items?sort=name&lang=kk&limit=200').set(headers);
  expect(kk.status).toBe(200);
  const shown = kk.body.data.map((item: { name: { kk?: string; ru?: string } }) => item.name.kk ?? item.name.ru);
  expect(shown).toEqual([...KAZAKH_ORDER.slice(0, 8), 'Палатка', ...KAZAKH_ORDER.slice(8)]);
  expect(kk.body.page.total).toBe(NAMES.length + 1);
  expect(await Item.countDocuments()).toBe(NAMES.length + 1);
  const bySku = await t.api.get('/api/v1/items?lang=kk&limit=200').set(headers);
  expect(bySku.body.data[0].sku).toBe('KZ-0');
});

test('when households are listed by name with lang=kk, then families sort by their head in Kazakh order, then institutions', async () => {
  const actor = await actorFor();
  const birthDate = new Date('1985-04-12T00:00:00Z');
  for (const name of NAMES) {
    await givenHouseholds.household(actor, { head: { name, birthDate, iin: givenHouseholds.iin() } });
  }
  await givenHouseholds.household(actor, {
    kind: 'institution',
    head: undefined,
    members: [],
    institution: { name: 'Әйел босану үйі', type: 'maternity_ward', beneficiaries: 40 },
  });
  const headers = await auth();
  const res = await t.api.get('/api/v1/households?sort=name&lang=kk&limit=200').set(headers);
  expect(res.status).toBe(200);
  const names = res.body.data.map(
    (h: { head: { name: string } | null; institution: { name: string } | null }) => h.head?.name ?? h.institution?.name,
  );
  expect(names).toEqual([...KAZAKH_ORDER, 'Әйел босану үйі']);
  const newest = await t.api.get('/api/v1/households').set(headers);
  expect(newest.body.data[0].institution?.name).toBe('Әйел босану үйі');
  expect(await Household.countDocuments()).toBe(NAMES.length + 1);
  expect(await nameIndexes(Household.collection)).toContainEqual([
    ['organisationId', 'kind', 'head.name', 'institution.name', '_id'],
    'kk',
  ]);
});
