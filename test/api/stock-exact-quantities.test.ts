/**
 * Exact quantities at any size (issue 9): no stored quantity or balance passes 2^53 − 1, the largest integer a
 * double holds exactly; what would pass it is refused with a 4xx and leaves nothing written; sums over balances are
 * exact beyond it.
 */
import { Donation } from '../../src/modules/donations/donations.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const MAX = 9_007_199_254_740_991;

async function arrange() {
  const headers = bearer((await given.user({ role: 'warehouse' })).token);
  const warehouse = await givenInventory.warehouse();
  const donor = await givenInventory.donor();
  const item = await givenInventory.item({ sku: 'BLANKET' });
  return { headers, warehouse, donor, item };
}

type Arranged = Awaited<ReturnType<typeof arrange>>;

function receiveDonation(a: Arranged, quantities: (string | number)[], warehouseId = a.warehouse.id) {
  return t.api
    .post('/api/v1/donations')
    .set(a.headers)
    .send({
      donorId: a.donor.id,
      warehouseId,
      receive: true,
      lines: quantities.map((quantity) => ({ itemId: a.item.id, quantity, condition: 'new' })),
      // Quantities at the limit are far beyond any delivery: the clerk's confirmation is part of the request.
      confirm: ['large_quantity'],
    });
}

async function onHandOf(itemId: string): Promise<number[]> {
  return (await StockBalance.find({ itemId }).sort({ _id: 1 }).lean()).map((b) => b.onHand);
}

describe('balances never pass 2^53 − 1', () => {
  test('when 9,007,199,254,740,991 pieces are received twice, then the second receipt answers 422 and writes nothing', async () => {
    const a = await arrange();
    const first = await receiveDonation(a, ['9007199254740991']);
    expect(first.status).toBe(201);
    const second = await receiveDonation(a, ['9007199254740991']);
    expect(second.status).toBe(422);
    expect(second.body.error).toMatchObject({
      code: 'UNPROCESSABLE',
      details: { field: 'quantity', limit: MAX, requested: MAX, onHand: MAX, unit: 'piece' },
    });
    expect(second.body.error.message).toContain('largest exact balance');
    expect(await onHandOf(a.item.id)).toEqual([MAX]);
    expect(await Donation.countDocuments()).toBe(1);
    expect(await LedgerEntry.countDocuments({ itemId: a.item.id })).toBe(1);

    // What is there stays exact: an issue of 1 leaves exactly 2^53 − 2.
    const issued = await t.api
      .post('/api/v1/stock/issues')
      .set(a.headers)
      .send({ warehouseId: a.warehouse.id, itemId: a.item.id, quantity: 1 });
    expect(issued.status).toBe(201);
    expect(issued.body.entries[0].balanceAfter).toBe(MAX - 1);
    expect(await onHandOf(a.item.id)).toEqual([MAX - 1]);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when two lines of one donation together pass the limit, then 422 and neither the donation nor any stock is written', async () => {
    const a = await arrange();
    const res = await receiveDonation(a, [MAX, 1]);
    expect(res.status).toBe(422);
    expect(await Donation.countDocuments()).toBe(0);
    expect(await StockBalance.countDocuments()).toBe(0);
    expect(await LedgerEntry.countDocuments()).toBe(0);
  });

  test('when a transfer or a found adjustment would pass the limit at the destination, then 422 and both balances stay', async () => {
    const a = await arrange();
    const other = await givenInventory.warehouse();
    expect((await receiveDonation(a, [MAX])).status).toBe(201);
    expect((await receiveDonation(a, [5], other.id)).status).toBe(201);
    const transfer = await t.api
      .post('/api/v1/stock/transfers')
      .set(a.headers)
      .send({ fromWarehouseId: other.id, toWarehouseId: a.warehouse.id, itemId: a.item.id, quantity: 1 });
    expect(transfer.status).toBe(422);
    const found = await t.api
      .post('/api/v1/stock/adjustments')
      .set(a.headers)
      .send({ warehouseId: a.warehouse.id, itemId: a.item.id, quantity: 1, reason: 'found', condition: 'new' });
    expect(found.status).toBe(422);
    expect((await onHandOf(a.item.id)).sort()).toEqual([5, MAX].sort());
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when posting a count would pass the limit, then 422 and the count stays open; a count above it is refused', async () => {
    const a = await arrange();
    expect((await receiveDonation(a, [MAX - 10])).status).toBe(201);
    const count = await t.api.post('/api/v1/stock/counts').set(a.headers).send({ warehouseId: a.warehouse.id });
    const balanceId = count.body.lines[0].balanceId;
    const recorded = await t.api
      .post(`/api/v1/stock/counts/${count.body.id}/lines`)
      .set(a.headers)
      .send({ lines: [{ balanceId, quantity: MAX }] });
    expect(recorded.status).toBe(200);
    expect(recorded.body.lines[0].difference).toBe(10);
    // Goods arrive after the line was counted: posting +10 would now pass the limit.
    expect((await receiveDonation(a, [5])).status).toBe(201);
    const posted = await t.api.post(`/api/v1/stock/counts/${count.body.id}/post`).set(a.headers).send();
    expect(posted.status).toBe(422);
    expect(posted.body.error.code).toBe('UNPROCESSABLE');
    expect(await onHandOf(a.item.id)).toEqual([MAX - 5]);
    const open = await t.api.get(`/api/v1/stock/counts/${count.body.id}`).set(a.headers);
    expect(open.body.status).toBe('open');
    const beyond = await t.api
      .post(`/api/v1/stock/counts/${count.body.id}/lines`)
      .set(a.headers)
      .send({ lines: [{ balanceId, quantity: '9007199254740992' }] });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.details[0].field).toBe('lines[0].quantity');
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe('quantities above the limit are refused at the edge', () => {
  test('when a quantity converts to more than 2^53 − 1 sub-units, then 400 names the field, in any unit', async () => {
    const a = await arrange();
    const tooMany = await receiveDonation(a, ['9007199254740992']);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0]).toMatchObject({ field: 'lines[0].quantity', type: 'number.unsafe' });
    // 750,599,937,895,083 boxes of 12 = 9,007,199,254,740,996 pieces.
    const boxes = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send({
        donorId: a.donor.id,
        warehouseId: a.warehouse.id,
        lines: [{ itemId: a.item.id, quantity: '750599937895083', unit: 'box', condition: 'new' }],
      });
    expect(boxes.status).toBe(400);
    expect(boxes.body.error.details[0].field).toBe('lines[0].quantity');
    // A JSON number beyond 2^53 cannot even be read exactly (it parses as 2^53): refused, never rounded.
    const unsafe = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .set('Content-Type', 'application/json')
      .send(
        `{"donorId":"${a.donor.id}","warehouseId":"${a.warehouse.id}","lines":[{"itemId":"${a.item.id}","quantity":9007199254740993,"condition":"new"}]}`,
      );
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.error.details[0].field).toBe('lines[0].quantity');
    expect(await StockBalance.countDocuments()).toBe(0);
  });

  test('when kits need more components than the limit, then 400 and nothing moves', async () => {
    const a = await arrange();
    expect((await receiveDonation(a, [MAX])).status).toBe(201);
    const kit = await givenInventory.item({
      sku: 'KIT',
      baseUnit: 'kit',
      components: [{ itemId: a.item.id, quantity: 2 }],
    });
    const res = await t.api
      .post('/api/v1/stock/kits/assemble')
      .set(a.headers)
      .send({ warehouseId: a.warehouse.id, kitItemId: kit.id, quantity: '4503599627370496' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('quantity');
    expect(await onHandOf(a.item.id)).toEqual([MAX]);
  });
});

describe('sums over balances are exact beyond 2^53', () => {
  test('when two warehouses each hold 2^53 − 1 blankets, then totals and weights are exact', async () => {
    const a = await arrange();
    const other = await givenInventory.warehouse();
    expect((await receiveDonation(a, [MAX])).status).toBe(201);
    expect((await receiveDonation(a, [MAX], other.id)).status).toBe(201);
    const res = await t.api.get(`/api/v1/stock?itemId=${a.item.id}`).set(a.headers);
    expect(res.status).toBe(200);
    expect(res.body.data.map((b: { onHand: number; available: number }) => [b.onHand, b.available])).toEqual([
      [MAX, MAX],
      [MAX, MAX],
    ]);
    expect(res.body.totals.items[0].quantity).toBe('18014398509481982');
    // 1.8 kg a blanket: 2 × (2^53 − 1) × 1800 g.
    expect(res.body.totals.weightKg).toBe('32425917317067567.6');
    expect(await findInvariantViolations()).toEqual([]);
  });
});
