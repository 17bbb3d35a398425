import { withTransaction } from '../../src/db/transaction';
import { LedgerEntry, StockBalance, StockReservation } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { reserve } from '../../src/modules/stock/stock.reservations';
import { reverseOperation } from '../../src/modules/stock/stock.service';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { actorFor, daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const auth = async () => bearer((await given.user({ role: 'warehouse' })).token);

async function totals(filter: Record<string, unknown>): Promise<{ onHand: number; reserved: number }> {
  const balances = await StockBalance.find(filter).lean();
  return {
    onHand: balances.reduce((sum, b) => sum + b.onHand, 0),
    reserved: balances.reduce((sum, b) => sum + (b.reserved ?? 0), 0),
  };
}

const shipment = (id = 'SH-000001', line: string | null = null) => ({ type: 'shipment', id, line });

describe('reserving stock', () => {
  test('when stock is reserved, then reads say on hand, reserved and available, and an issue cannot take the reserved part', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const reserved = await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 7, source: shipment('SH-1', '1') });
    expect(reserved.status).toBe(201);
    expect(reserved.body).toMatchObject({ quantity: 7, source: { type: 'shipment', id: 'SH-1', line: '1' } });
    expect(reserved.body.reservations).toHaveLength(1);
    expect(reserved.body.reservations[0]).toMatchObject({ quantity: 7, status: 'open', itemId: item.id });

    const list = await t.api.get(`/api/v1/stock?warehouseId=${warehouse.id}`).set(headers);
    expect(list.body.data[0]).toMatchObject({ onHand: 10, reserved: 7, available: 3 });
    expect(list.body.totals.items[0]).toMatchObject({ onHand: 10, reserved: 7, available: 3 });
    const availability = await t.api.get(`/api/v1/stock/availability?warehouseId=${warehouse.id}`).set(headers);
    expect(availability.body.data[0]).toMatchObject({ onHand: 10, reserved: 7, available: 3 });

    const issue = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 4 });
    expect(issue.status).toBe(409);
    expect(issue.body.error.details).toMatchObject({ requested: 4, available: 3, reserved: 7 });
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 7 });

    const bySource = await t.api.get('/api/v1/stock/reservations?sourceType=shipment&sourceId=SH-1').set(headers);
    expect(bySource.status).toBe(200);
    expect(bySource.body.data.map((r: { quantity: number }) => r.quantity)).toEqual([7]);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when no lot is named, then reservation takes the earliest expiry first across balances, never expired or damaged', async () => {
    const headers = await auth();
    const item = await givenInventory.item({ sku: 'INSULIN', expiryTracked: true, lotTracked: true });
    const warehouse = await givenInventory.warehouse();
    const base = { item, warehouse };
    await givenInventory.stockOf({ ...base, quantity: 5, lot: 'LATE', expiryDate: daysFromToday(90) });
    await givenInventory.stockOf({ ...base, quantity: 5, lot: 'OLD', expiryDate: daysFromToday(-2) });
    await givenInventory.stockOf({ ...base, quantity: 4, lot: 'SOON', expiryDate: daysFromToday(10) });
    await givenInventory.stockOf({
      ...base,
      quantity: 5,
      lot: 'BROKEN',
      expiryDate: daysFromToday(3),
      condition: 'damaged',
    });
    const res = await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 6, source: shipment() });
    expect(res.status).toBe(201);
    expect(res.body.reservations.map((r: { lot: string; quantity: number }) => [r.lot, r.quantity])).toEqual([
      ['SOON', 4],
      ['LATE', 2],
    ]);
    const short = await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 4, source: shipment('SH-2') });
    expect(short.status).toBe(409);
    expect(short.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: { requested: 4, available: 3 } });
    expect(await StockReservation.countDocuments({ 'source.id': 'SH-2' })).toBe(0);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when the source or quantity is malformed, then 400 naming the field and nothing is reserved', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const post = (body: Record<string, unknown>) =>
      t.api
        .post('/api/v1/stock/reservations')
        .set(headers)
        .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 1, source: shipment(), ...body });
    const noSource = await post({ source: undefined });
    expect(noSource.status).toBe(400);
    expect(noSource.body.error.details[0].field).toBe('source');
    expect((await post({ source: { type: 'Ship ment', id: 'x' } })).body.error.details[0].field).toBe('source.type');
    expect((await post({ quantity: 0 })).status).toBe(400);
    expect((await post({ quantity: { $gt: 0 } })).status).toBe(400);
    const past = await post({ expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.details[0].field).toBe('expiresAt');
    expect(await StockReservation.countDocuments()).toBe(0);
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 0 });
  });
});

describe('reservations under concurrency', () => {
  test('when 64 reservations of 1 race for 10 available, then exactly 10 succeed, 54 answer 409 and invariants hold', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const responses = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        t.api
          .post('/api/v1/stock/reservations')
          .set(headers)
          .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 1, source: shipment(`SH-${i}`) }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(54);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.error.code === 'INSUFFICIENT_STOCK')).toBe(
      true,
    );
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 10 });
    expect(await StockReservation.countDocuments({ status: 'open' })).toBe(10);
    expect(await findInvariantViolations()).toEqual([]);
  }, 90_000);

  test('when 64 callers reserve 1 of 10 in their own transactions (no queue), then exactly 10 succeed and invariants hold', async () => {
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const owner = await actorFor();
    const results = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) =>
        withTransaction((session) =>
          reserve(
            { warehouseId: warehouse.id, itemId: item.id, quantity: 1, source: shipment(`SH-${i}`) },
            owner,
            session,
          ),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures.map((r) => r.reason.code)).toEqual(Array(54).fill('INSUFFICIENT_STOCK'));
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 10 });
    expect(await findInvariantViolations()).toEqual([]);
  }, 90_000);

  test('when issues race reservations and issues against them, then nothing goes negative and every count is exact', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 20 });
    const post = (path: string, body: Record<string, unknown>) =>
      t.api.post(`/api/v1/stock/${path}`).set(headers).send(body);
    const target = { warehouseId: warehouse.id, itemId: item.id };
    const work = Array.from({ length: 48 }, (_, i) => {
      switch (i % 3) {
        case 0:
          return post('reservations', { ...target, quantity: 1, source: shipment(`SH-${i}`) });
        case 1:
          return post('issues', { ...target, quantity: 1 });
        default:
          // Issues against the reservation made just before (it may not exist yet, or have failed).
          return post('reservations/issue', { source: shipment(`SH-${i - 2}`) });
      }
    });
    const responses = await Promise.all(work);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const ok = (k: number) => responses.filter((r, i) => i % 3 === k && r.status === 201).length;
    const [reservedOk, issuedOk, issuedReservedOk] = [ok(0), ok(1), ok(2)];
    expect(reservedOk + issuedOk).toBeLessThanOrEqual(20);
    const after = await totals({ itemId: item.id });
    expect(after.onHand).toBe(20 - issuedOk - issuedReservedOk);
    expect(after.reserved).toBe(reservedOk - issuedReservedOk);
    expect(after.reserved).toBeGreaterThanOrEqual(0);
    expect(after.reserved).toBeLessThanOrEqual(after.onHand);
    expect(await LedgerEntry.countDocuments({ type: 'issue' })).toBe(issuedOk + issuedReservedOk);
    expect(await findInvariantViolations()).toEqual([]);
  }, 90_000);
});

describe('releasing and issuing reserved stock', () => {
  test('when part and then all of a reservation is released, then available comes back and a second release changes nothing', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 8, source: shipment() });
    const part = await t.api
      .post('/api/v1/stock/reservations/release')
      .set(headers)
      .send({ source: shipment(), quantity: 3 });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ quantity: 3 });
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 5 });
    const tooMuch = await t.api
      .post('/api/v1/stock/reservations/release')
      .set(headers)
      .send({ source: shipment(), quantity: 6 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.details).toMatchObject({ requested: 6, reserved: 5 });
    const all = await t.api.post('/api/v1/stock/reservations/release').set(headers).send({ source: shipment() });
    expect(all.body.quantity).toBe(5);
    expect(all.body.reservations[0]).toMatchObject({ status: 'closed', quantity: 0, releasedQuantity: 8 });
    const again = await t.api.post('/api/v1/stock/reservations/release').set(headers).send({ source: shipment() });
    expect(again.status).toBe(200);
    expect(again.body.quantity).toBe(0);
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 0 });
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when reserved stock is issued, then the reservation is consumed with the ledger entry, from the reserved balances', async () => {
    const headers = await auth();
    const item = await givenInventory.item({ sku: 'RICE-5KG', expiryTracked: true });
    const warehouse = await givenInventory.warehouse();
    await givenInventory.stockOf({ item, warehouse, quantity: 6, lot: 'A', expiryDate: daysFromToday(30) });
    await givenInventory.stockOf({ item, warehouse, quantity: 6, lot: 'B', expiryDate: daysFromToday(60) });
    await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 9, source: shipment('SH-9', '2') });
    const part = await t.api
      .post('/api/v1/stock/reservations/issue')
      .set(headers)
      .send({ source: shipment('SH-9', '2'), quantity: 7, number: 'SH-9' });
    expect(part.status).toBe(201);
    expect(part.body.entries.map((e: { lot: string; quantity: number }) => [e.lot, e.quantity])).toEqual([
      ['A', -6],
      ['B', -1],
    ]);
    expect(part.body.source).toEqual({ type: 'shipment', id: 'SH-9', number: 'SH-9' });
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 5, reserved: 2 });
    const rest = await t.api
      .post('/api/v1/stock/reservations/issue')
      .set(headers)
      .send({ source: shipment('SH-9', '2') });
    expect(rest.status).toBe(201);
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 3, reserved: 0 });
    expect(await StockReservation.countDocuments({ status: 'open' })).toBe(0);
    const none = await t.api
      .post('/api/v1/stock/reservations/issue')
      .set(headers)
      .send({ source: shipment('SH-9', '2') });
    expect(none.status).toBe(409);
    expect(await LedgerEntry.countDocuments({ type: 'issue' })).toBe(3);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when a reservation is retried with the same Idempotency-Key, then it answers the first response and reserves once', async () => {
    const headers = { ...(await auth()), 'Idempotency-Key': 'reserve-once-1' };
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const body = { warehouseId: warehouse.id, itemId: item.id, quantity: 4, source: shipment() };
    const first = await t.api.post('/api/v1/stock/reservations').set(headers).send(body);
    const second = await t.api.post('/api/v1/stock/reservations').set(headers).send(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 4 });
  });

  test('when an expired reservation holds stock, then the next reservation of that stock releases it first', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 10, source: shipment('SH-OLD') });
    await StockReservation.updateOne({ 'source.id': 'SH-OLD' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 6, source: shipment('SH-NEW') });
    expect(res.status).toBe(201);
    expect(await StockReservation.findOne({ 'source.id': 'SH-OLD' }).lean()).toMatchObject({
      status: 'closed',
      releasedQuantity: 10,
    });
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 6 });
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe('nothing leaves from under a reservation', () => {
  test('when 8 of 10 are reserved, then moves, transfers, adjustments, issues, kit assembly and reversal of more than 2 answer 409', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10, locationCode: 'A-01' });
    const other = await givenInventory.warehouse();
    await t.api
      .post('/api/v1/stock/reservations')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 8, source: shipment() });
    const kit = await givenInventory.item({
      sku: 'KIT',
      baseUnit: 'kit',
      components: [{ itemId: item.id, quantity: 3 }],
    });
    const post = (path: string, body: Record<string, unknown>) =>
      t.api.post(`/api/v1/stock/${path}`).set(headers).send(body);
    const target = { warehouseId: warehouse.id, itemId: item.id };
    const refused = await Promise.all([
      post('moves', { ...target, fromLocationCode: 'A-01', toLocationCode: 'B-01', quantity: 3 }),
      post('transfers', { fromWarehouseId: warehouse.id, toWarehouseId: other.id, itemId: item.id, quantity: 3 }),
      post('adjustments', { ...target, quantity: -3, reason: 'lost' }),
      post('adjustments', { ...target, quantity: -3, reason: 'damaged' }),
      post('issues', { ...target, quantity: 3 }),
      post('kits/assemble', { warehouseId: warehouse.id, kitItemId: kit.id, quantity: 1 }),
    ]);
    expect(refused.map((r) => r.status)).toEqual([409, 409, 409, 409, 409, 409]);
    expect(refused.every((r) => r.body.error.code === 'INSUFFICIENT_STOCK')).toBe(true);
    const receipt = await LedgerEntry.findOne({ itemId: item.id, type: 'receipt' }).lean();
    // The receipt came from a test source: reverse it as its owner (a donation) would.
    await expect(reverseOperation(String(receipt?.operationId), {}, await actorFor())).rejects.toMatchObject({
      code: 'INSUFFICIENT_STOCK',
    });
    const allowed = await post('moves', { ...target, fromLocationCode: 'A-01', toLocationCode: 'B-01', quantity: 2 });
    expect(allowed.status).toBe(201);
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 10, reserved: 8 });
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when a count finds less than is reserved, then it posts and the newest reservations are cut to what was counted', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const reserve = (id: string, quantity: number) =>
      t.api
        .post('/api/v1/stock/reservations')
        .set(headers)
        .send({ warehouseId: warehouse.id, itemId: item.id, quantity, source: shipment(id) });
    expect((await reserve('SH-FIRST', 4)).status).toBe(201);
    expect((await reserve('SH-SECOND', 4)).status).toBe(201);
    const count = await t.api.post('/api/v1/stock/counts').set(headers).send({ warehouseId: warehouse.id });
    await t.api
      .post(`/api/v1/stock/counts/${count.body.id}/lines`)
      .set(headers)
      .send({ lines: [{ balanceId: count.body.lines[0].balanceId, quantity: 5 }] });
    const posted = await t.api.post(`/api/v1/stock/counts/${count.body.id}/post`).set(headers).send();
    expect(posted.status).toBe(200);
    expect(await totals({ itemId: item.id })).toEqual({ onHand: 5, reserved: 5 });
    expect(await StockReservation.findOne({ 'source.id': 'SH-SECOND' }).lean()).toMatchObject({
      quantity: 1,
      cutQuantity: 3,
      status: 'open',
    });
    expect(await StockReservation.findOne({ 'source.id': 'SH-FIRST' }).lean()).toMatchObject({
      quantity: 4,
      cutQuantity: 0,
    });
    expect(await findInvariantViolations()).toEqual([]);
  });
});
