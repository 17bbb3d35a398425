/**
 * A transfer or issue that names no balance takes stock in FEFO order (earliest expiry first, stock without expiry
 * last, then the oldest balance). The usual case is one guarded update found by the database's sort on the
 * balance's pickOrder (stock.ledger's takeFefoFirst); when the first balance falls short, or a balance predates
 * pickOrder, the stock is picked by reading the balances. Both paths must choose the same stock.
 */
import { Types } from 'mongoose';
import { StockBalance } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

type Entry = { type: string; quantity: number; lot: string | null; expiryDate: string | null };

async function transfer(fromWarehouseId: string, itemId: string, quantity: number) {
  const headers = bearer((await given.user({ role: 'warehouse' })).token);
  const to = await givenInventory.warehouse();
  return t.api
    .post('/api/v1/stock/transfers')
    .set(headers)
    .send({ fromWarehouseId, toWarehouseId: to.id, itemId, quantity });
}

const taken = (entries: Entry[]) =>
  entries.filter((e) => e.type === 'transfer_out').map((e) => [e.lot, e.expiryDate?.slice(0, 10) ?? null, e.quantity]);

test('when an item without expiry tracking holds stock with and without a date, then a transfer takes the dated stock first', async () => {
  const item = await givenInventory.item();
  const warehouse = await givenInventory.warehouse();
  // The undated balance is the older one: a plain sort on the expiry date would put it first.
  await givenInventory.stockOf({ item, warehouse, quantity: 10 });
  await givenInventory.stockOf({ item, warehouse, quantity: 10, expiryDate: daysFromToday(30) });

  const res = await transfer(warehouse.id, item.id, 4);

  expect(res.status).toBe(201);
  expect(taken(res.body.entries)).toEqual([[null, daysFromToday(30).toISOString().slice(0, 10), -4]]);
  expect(await findInvariantViolations()).toEqual([]);
});

test('when the earliest lot holds less than asked, then a transfer takes all of it and the rest from the next lot', async () => {
  const item = await givenInventory.item({ lotTracked: true, expiryTracked: true });
  const warehouse = await givenInventory.warehouse();
  await givenInventory.stockOf({ item, warehouse, quantity: 10, lot: 'LATE', expiryDate: daysFromToday(60) });
  await givenInventory.stockOf({ item, warehouse, quantity: 2, lot: 'SOON', expiryDate: daysFromToday(10) });
  await givenInventory.stockOf({ item, warehouse, quantity: 10, lot: 'GONE', expiryDate: daysFromToday(-2) });

  const res = await transfer(warehouse.id, item.id, 5);

  expect(res.status).toBe(201);
  expect(taken(res.body.entries).map(([lot, , quantity]) => [lot, quantity])).toEqual([
    ['SOON', -2],
    ['LATE', -3],
  ]);
  const soon = await StockBalance.findOne({
    organisationId: new Types.ObjectId(warehouse.organisationId),
    itemId: new Types.ObjectId(item.id),
    lot: 'SOON',
  }).lean();
  expect(soon?.onHand).toBe(0);
  expect(await findInvariantViolations()).toEqual([]);
});

test('when balances written before the pick order existed are held, then transfers still follow FEFO', async () => {
  const item = await givenInventory.item({ lotTracked: true, expiryTracked: true });
  const warehouse = await givenInventory.warehouse();
  await givenInventory.stockOf({ item, warehouse, quantity: 10, lot: 'LEGACY-LATE', expiryDate: daysFromToday(60) });
  await givenInventory.stockOf({ item, warehouse, quantity: 2, lot: 'SOON', expiryDate: daysFromToday(20) });
  await givenInventory.stockOf({ item, warehouse, quantity: 10, lot: 'LEGACY-SOONER', expiryDate: daysFromToday(5) });
  // As stored by an earlier version: no pickOrder, which a sort on it puts first whatever the expiry.
  for (const lot of ['LEGACY-LATE', 'LEGACY-SOONER'])
    await StockBalance.collection.updateOne(
      { itemId: new Types.ObjectId(item.id), lot },
      { $unset: { pickOrder: '' } },
    );

  const first = await transfer(warehouse.id, item.id, 12);
  expect(first.status).toBe(201);
  expect(taken(first.body.entries).map(([lot, , quantity]) => [lot, quantity])).toEqual([
    ['LEGACY-SOONER', -10],
    ['SOON', -2],
  ]);
  // Left: the later legacy balance only (the others are empty).
  const second = await transfer(warehouse.id, item.id, 1);
  expect(second.status).toBe(201);
  expect(taken(second.body.entries).map(([lot, , quantity]) => [lot, quantity])).toEqual([['LEGACY-LATE', -1]]);
  expect(await findInvariantViolations()).toEqual([]);
});

test('when a balance written before the pick order existed is due later than one with it, then it is not taken first', async () => {
  const item = await givenInventory.item({ lotTracked: true, expiryTracked: true });
  const warehouse = await givenInventory.warehouse();
  await givenInventory.stockOf({ item, warehouse, quantity: 10, lot: 'LEGACY', expiryDate: daysFromToday(60) });
  await givenInventory.stockOf({ item, warehouse, quantity: 10, lot: 'CURRENT', expiryDate: daysFromToday(20) });
  await StockBalance.collection.updateOne(
    { itemId: new Types.ObjectId(item.id), lot: 'LEGACY' },
    { $unset: { pickOrder: '' } },
  );

  const res = await transfer(warehouse.id, item.id, 3);

  expect(res.status).toBe(201);
  expect(taken(res.body.entries).map(([lot, , quantity]) => [lot, quantity])).toEqual([['CURRENT', -3]]);
  expect(await findInvariantViolations()).toEqual([]);
});

test('when only damaged or expired stock would cover a transfer, then it answers 409 and takes nothing', async () => {
  const item = await givenInventory.item({ expiryTracked: true });
  const warehouse = await givenInventory.warehouse();
  await givenInventory.stockOf({ item, warehouse, quantity: 10, expiryDate: daysFromToday(-1) });
  await givenInventory.stockOf({ item, warehouse, quantity: 10, expiryDate: daysFromToday(9), condition: 'damaged' });
  await givenInventory.stockOf({ item, warehouse, quantity: 1, expiryDate: daysFromToday(30) });

  const res = await transfer(warehouse.id, item.id, 2);

  expect(res.status).toBe(409);
  expect(res.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: { requested: 2, available: 1 } });
  const balances = await StockBalance.find({
    organisationId: new Types.ObjectId(warehouse.organisationId),
    itemId: new Types.ObjectId(item.id),
  }).lean();
  expect(balances.map((b) => b.onHand).sort((a, b) => a - b)).toEqual([1, 10, 10]);
});
