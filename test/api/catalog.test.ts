import { Item } from '../../src/modules/catalog/catalog.model';
import { allRoutes } from '../../src/modules/index';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

async function auth(role: 'warehouse' | 'viewer' = 'warehouse') {
  return bearer((await given.user({ role })).token);
}

const blanket = {
  sku: 'blanket-wool-01',
  name: { kk: 'Жүн көрпе', ru: 'Шерстяное одеяло' },
  category: 'bedding',
  baseUnit: 'piece',
  packs: [
    { unit: 'box', quantity: 12, of: 'piece' },
    { unit: 'pallet', quantity: 40, of: 'box' },
  ],
  weightKgPerUnit: '1.85',
  volumeM3PerUnit: '0.012',
};

describe('items API', () => {
  test('when an item is created, then it answers 201 with exact packs, weight and volume, and stores integers', async () => {
    const res = await t.api
      .post('/api/v1/items')
      .set(await auth())
      .send(blanket);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      sku: 'BLANKET-WOOL-01',
      baseUnit: 'piece',
      subUnit: 'piece',
      weightKgPerUnit: '1.85',
      weightGramsPerUnit: 1850,
      volumeM3PerUnit: '0.012',
      volumeCm3PerUnit: 12000,
      active: true,
    });
    expect(res.body.packs).toEqual([
      { unit: 'box', quantity: '12', of: 'piece', subUnits: 12 },
      { unit: 'pallet', quantity: '40', of: 'box', subUnits: 480 },
    ]);
    const stored = await Item.findById(res.body.id).lean();
    expect(stored?.weightGramsPerUnit).toBe(1850);
    expect(stored?.packs[1].subUnits).toBe(480);
  });

  test('when a kit is created, then its components are stored in the components’ sub-units', async () => {
    const headers = await auth();
    const flour = await givenInventory.item({ sku: 'FLOUR', baseUnit: 'kg', category: 'food' });
    const oil = await givenInventory.item({ sku: 'OIL', baseUnit: 'l', category: 'food', weightKgPerUnit: '0.92' });
    const res = await t.api
      .post('/api/v1/items')
      .set(headers)
      .send({
        sku: 'FOOD-BASKET',
        name: { ru: 'Продуктовая корзина' },
        category: 'food',
        baseUnit: 'kit',
        components: [
          { itemId: flour.id, quantity: 5, unit: 'kg' },
          { itemId: oil.id, quantity: '1', unit: 'l' },
        ],
      });
    expect(res.status).toBe(201);
    expect(res.body.isKit).toBe(true);
    expect(res.body.components).toEqual([
      { itemId: flour.id, quantity: 5000 },
      { itemId: oil.id, quantity: 1000 },
    ]);
    expect(flour.weightGramsPerUnit).toBe(1000);
  });

  test('when an item that is a kit component is given components, then 400: kits do not nest', async () => {
    const headers = await auth();
    const felt = await givenInventory.item({ sku: 'FELT-COVER' });
    const yurt = await t.api
      .post('/api/v1/items')
      .set(headers)
      .send({
        sku: 'YURT-6',
        name: { kk: 'Киіз үй' },
        category: 'shelter',
        baseUnit: 'kit',
        components: [{ itemId: felt.id, quantity: 4 }],
      });
    expect(yurt.status).toBe(201);
    const roofPole = await givenInventory.item({ sku: 'ROOF-POLE' });
    const res = await t.api
      .patch(`/api/v1/items/${felt.id}`)
      .set(headers)
      .send({ components: [{ itemId: roofPole.id, quantity: 2 }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ field: 'components', type: 'kit.nested' });
    expect((await Item.findById(felt.id).lean())?.components).toEqual([]);
  });

  test('when fields are missing or wrong, then 400 names every field', async () => {
    const res = await t.api
      .post('/api/v1/items')
      .set(await auth())
      .send({ sku: 'X', name: {}, category: 'toys', baseUnit: 'bucket' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'category', 'baseUnit']));
    expect(await Item.countDocuments()).toBe(0);
  });

  test('when a weight is finer than a gram, then 400 names weightKgPerUnit', async () => {
    const res = await t.api
      .post('/api/v1/items')
      .set(await auth())
      .send({ ...blanket, weightKgPerUnit: '0.0001' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('weightKgPerUnit');
  });

  test('when a pack refers to an unknown unit, then 400 names the pack field', async () => {
    const res = await t.api
      .post('/api/v1/items')
      .set(await auth())
      .send({ ...blanket, packs: [{ unit: 'box', quantity: 12, of: 'crate' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('packs[0].of');
  });

  test('when the SKU is taken, then 409 CONFLICT', async () => {
    const headers = await auth();
    expect((await t.api.post('/api/v1/items').set(headers).send(blanket)).status).toBe(201);
    const res = await t.api.post('/api/v1/items').set(headers).send(blanket);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  test('when an item is listed, read, updated and deactivated, then each step answers and persists', async () => {
    const headers = await auth();
    const created = (await t.api.post('/api/v1/items').set(headers).send(blanket)).body;
    await givenInventory.item({ category: 'food', sku: 'RICE', baseUnit: 'kg' });
    const list = await t.api.get('/api/v1/items?category=bedding').set(headers);
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { sku: string }) => i.sku)).toEqual(['BLANKET-WOOL-01']);
    expect(list.body.page).toMatchObject({ total: 1, offset: 0 });
    expect((await t.api.get(`/api/v1/items/${created.id}`).set(headers)).body.sku).toBe('BLANKET-WOOL-01');
    const patched = await t.api
      .patch(`/api/v1/items/${created.id}`)
      .set(headers)
      .send({ name: { en: 'Wool blanket' }, expiryTracked: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: { kk: 'Жүн көрпе', ru: 'Шерстяное одеяло', en: 'Wool blanket' },
      expiryTracked: true,
    });
    const removed = await t.api.delete(`/api/v1/items/${created.id}`).set(headers);
    expect(removed.body.active).toBe(false);
    expect((await Item.findById(created.id).lean())?.active).toBe(false);
  });

  test('when the base unit is changed, then 400 (stored quantities depend on it)', async () => {
    const headers = await auth();
    const created = (await t.api.post('/api/v1/items').set(headers).send(blanket)).body;
    const res = await t.api.patch(`/api/v1/items/${created.id}`).set(headers).send({ baseUnit: 'kg' });
    expect(res.status).toBe(400);
  });

  test('when a filter carries an operator object, then 400 and nothing leaks', async () => {
    const headers = await auth();
    await givenInventory.item();
    const res = await t.api.get('/api/v1/items').query({ 'sku[$gt]': '' }).set(headers);
    expect(res.status).toBe(400);
  });

  test('when a viewer writes, then 403', async () => {
    const res = await t.api
      .post('/api/v1/items')
      .set(await auth('viewer'))
      .send(blanket);
    expect(res.status).toBe(403);
  });
});

describe('inventory routes', () => {
  test('when a POST creates or moves something, then it honours Idempotency-Key', () => {
    const inventory = ['/items', '/warehouses', '/donors', '/donations', '/stock'];
    const posts = allRoutes().filter((r) => r.method === 'post' && inventory.some((p) => r.path.startsWith(p)));
    expect(posts.length).toBeGreaterThan(10);
    expect(posts.filter((r) => !r.idempotent).map((r) => r.path)).toEqual([]);
  });
});
