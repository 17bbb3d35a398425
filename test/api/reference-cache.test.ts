/**
 * The stock hot path caches warehouses, items and donors (src/db/reference-cache.ts) under stamps that every change
 * rewrites in its own transaction and every request reads with its session. These tests warm the caches with real
 * requests, change the record, and check that the very next request sees the change and writes nothing it forbids;
 * and that a cached record never serves another organisation.
 */
import { Types } from 'mongoose';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { Warehouse } from '../../src/modules/warehouses/warehouses.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

async function twoWarehousesWithStock() {
  const { warehouse: from, item } = await givenInventory.stockOf({ quantity: 100 });
  const to = await givenInventory.warehouse();
  return { from, to, item };
}

function transfer(headers: Record<string, string>, from: string, to: string, itemId: string, extra: object = {}) {
  return t.api
    .post('/api/v1/stock/transfers')
    .set(headers)
    .send({ fromWarehouseId: from, toWarehouseId: to, itemId, quantity: 1, ...extra });
}

async function ledgerCount(itemId: string): Promise<number> {
  return LedgerEntry.countDocuments({ itemId: new Types.ObjectId(itemId) });
}

test('when a warehouse is deactivated after transfers from it, then the next transfer answers 409 and writes nothing', async () => {
  const clerk = bearer((await given.user({ role: 'warehouse' })).token);
  const admin = bearer((await given.user({ role: 'admin' })).token);
  const { from, to, item } = await twoWarehousesWithStock();
  for (let i = 0; i < 3; i++) expect((await transfer(clerk, from.id, to.id, item.id)).status).toBe(201);
  const entries = await ledgerCount(item.id);

  expect((await t.api.delete(`/api/v1/warehouses/${from.id}`).set(admin)).status).toBe(200);
  const refused = await transfer(clerk, from.id, to.id, item.id);

  expect(refused.status).toBe(409);
  expect(refused.body.error).toMatchObject({ code: 'INVALID_STATE', details: { field: 'fromWarehouseId' } });
  expect(await ledgerCount(item.id)).toBe(entries);
});

test('when a bin is deactivated or a warehouse renamed, then the next request sees the new state', async () => {
  const clerk = bearer((await given.user({ role: 'warehouse' })).token);
  const admin = bearer((await given.user({ role: 'admin' })).token);
  const { from, to, item } = await twoWarehousesWithStock();
  expect((await transfer(clerk, from.id, to.id, item.id, { toLocationCode: 'A-01' })).status).toBe(201);

  const closed = await t.api.patch(`/api/v1/warehouses/${to.id}/locations/A-01`).set(admin).send({ active: false });
  expect(closed.status).toBe(200);
  const refused = await transfer(clerk, from.id, to.id, item.id, { toLocationCode: 'A-01' });
  expect(refused.status).toBe(409);
  expect(refused.body.error).toMatchObject({ code: 'INVALID_STATE', details: { field: 'toLocationCode' } });

  expect((await t.api.patch(`/api/v1/warehouses/${from.id}`).set(admin).send({ name: 'Renamed' })).status).toBe(200);
  const short = await transfer(clerk, from.id, to.id, item.id, { quantity: 1000 });
  expect(short.status).toBe(409);
  // The shortage message names the warehouse as it is now stored (by code), read from the refreshed record.
  expect(short.body.error.code).toBe('INSUFFICIENT_STOCK');
  expect(await StockBalance.countDocuments({ warehouseId: new Types.ObjectId(to.id), locationCode: 'A-01' })).toBe(1);
});

test('when an item is deactivated after transfers and donations of it, then the next of each answers 409', async () => {
  const clerk = bearer((await given.user({ role: 'warehouse' })).token);
  const admin = bearer((await given.user({ role: 'admin' })).token);
  const { from, to, item } = await twoWarehousesWithStock();
  const donor = await givenInventory.donor();
  const donation = (key: string) =>
    t.api
      .post('/api/v1/donations')
      .set(clerk)
      .set('Idempotency-Key', key)
      .send({
        donorId: donor.id,
        warehouseId: from.id,
        receive: true,
        lines: [{ itemId: item.id, quantity: '2', condition: 'new' }],
      });
  expect((await transfer(clerk, from.id, to.id, item.id)).status).toBe(201);
  expect((await donation('donation-key-0001')).status).toBe(201);
  const entries = await ledgerCount(item.id);

  expect((await t.api.delete(`/api/v1/items/${item.id}`).set(admin)).status).toBe(200);

  const transferRefused = await transfer(clerk, from.id, to.id, item.id);
  expect(transferRefused.status).toBe(409);
  expect(transferRefused.body.error.code).toBe('INVALID_STATE');
  const donationRefused = await donation('donation-key-0002');
  expect(donationRefused.status).toBe(409);
  expect(donationRefused.body.error.code).toBe('INVALID_STATE');
  expect(await ledgerCount(item.id)).toBe(entries);
});

test('when a warehouse is changed through the model without a transaction, then the next transfer still sees it', async () => {
  const clerk = bearer((await given.user({ role: 'warehouse' })).token);
  const { from, to, item } = await twoWarehousesWithStock();
  expect((await transfer(clerk, from.id, to.id, item.id)).status).toBe(201);

  await Warehouse.updateOne(
    { _id: new Types.ObjectId(to.id), organisationId: new Types.ObjectId(to.organisationId) },
    { $set: { active: false } },
  );

  const refused = await transfer(clerk, from.id, to.id, item.id);
  expect(refused.status).toBe(409);
  expect(refused.body.error).toMatchObject({ code: 'INVALID_STATE', details: { field: 'toWarehouseId' } });
});

test('when another organisation names warehouses and a donor cached for the home organisation, then they are unknown to it', async () => {
  const home = bearer((await given.user({ role: 'warehouse' })).token);
  const { from, to, item } = await twoWarehousesWithStock();
  const donor = await givenInventory.donor();
  expect((await transfer(home, from.id, to.id, item.id)).status).toBe(201);
  const donate = (headers: Record<string, string>, warehouseId: string) =>
    t.api
      .post('/api/v1/donations')
      .set(headers)
      .send({ donorId: donor.id, warehouseId, receive: true, lines: [{ itemId: item.id, quantity: '1' }] });
  expect((await donate(home, from.id)).status).toBe(201);

  const other = await given.organisation();
  const stranger = bearer((await given.user({ role: 'warehouse', organisationId: other.id })).token);
  const ownWarehouse = await givenInventory.warehouse({}, { organisationId: other.id });

  const transferRefused = await transfer(stranger, from.id, to.id, item.id);
  expect(transferRefused.status).toBe(404);
  expect(transferRefused.body.error.details).toEqual([expect.objectContaining({ field: 'fromWarehouseId' })]);
  const donationRefused = await donate(stranger, ownWarehouse.id);
  expect(donationRefused.status).toBe(404);
  expect(donationRefused.body.error.details).toEqual([expect.objectContaining({ field: 'donorId' })]);
  expect(await StockBalance.countDocuments({ organisationId: new Types.ObjectId(other.id) })).toBe(0);
});
