import { Types } from 'mongoose';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { findInvariantViolations, LEDGER_COUNT_CAP } from '../../src/modules/stock/stock.queries';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const auth = async (role: 'warehouse' | 'viewer' = 'warehouse') => bearer((await given.user({ role })).token);

async function onHand(filter: Record<string, unknown>): Promise<number> {
  const balances = await StockBalance.find(filter).lean();
  return balances.reduce((sum, b) => sum + b.onHand, 0);
}

describe('stock issues', () => {
  test('when more is issued than available, then 409 INSUFFICIENT_STOCK with requested/available and nothing is written', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5 });
    const res = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 6 });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      details: { requested: 6, available: 5, itemId: item.id, warehouseId: warehouse.id },
    });
    expect(await LedgerEntry.countDocuments({ itemId: item.id })).toBe(1);
    expect(await onHand({ itemId: item.id })).toBe(5);
  });

  test('when 50 issues of 1 race for a balance of 10, then exactly 10 succeed, 40 answer 409 and the ledger matches', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.api
          .post('/api/v1/stock/issues')
          .set(headers)
          .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 1 }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.error.code === 'INSUFFICIENT_STOCK')).toBe(
      true,
    );
    expect(await onHand({ itemId: item.id })).toBe(0);
    const entries = await LedgerEntry.find({ itemId: item.id }).lean();
    expect(entries.reduce((sum, e) => sum + e.quantity, 0)).toBe(0);
    expect(entries.filter((e) => e.type === 'issue')).toHaveLength(10);
    expect(await findInvariantViolations()).toEqual([]);
  }, 60_000);

  test('when no lot is named, then issues take the earliest expiry first, skipping expired and damaged stock', async () => {
    const headers = await auth();
    const item = await givenInventory.item({ sku: 'WATER', expiryTracked: true });
    const warehouse = await givenInventory.warehouse();
    const base = { item, warehouse };
    await givenInventory.stockOf({ ...base, quantity: 5, lot: 'LATE', expiryDate: daysFromToday(90) });
    await givenInventory.stockOf({ ...base, quantity: 5, lot: 'EXPIRED', expiryDate: daysFromToday(-1) });
    await givenInventory.stockOf({ ...base, quantity: 5, lot: 'SOON', expiryDate: daysFromToday(10) });
    await givenInventory.stockOf({
      ...base,
      quantity: 5,
      lot: 'BROKEN',
      expiryDate: daysFromToday(5),
      condition: 'damaged',
    });

    const res = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 7 });
    expect(res.status).toBe(201);
    expect(res.body.entries.map((e: { lot: string; quantity: number }) => [e.lot, e.quantity])).toEqual([
      ['SOON', -5],
      ['LATE', -2],
    ]);
    const short = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 4 });
    expect(short.status).toBe(409);
    expect(short.body.error.details).toMatchObject({ requested: 4, available: 3 });

    const availability = await t.api.get(`/api/v1/stock/availability?warehouseId=${warehouse.id}`).set(headers);
    expect(availability.body.data[0]).toMatchObject({ available: 3, onHand: 13 });
    const lotNamed = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 1, lot: 'EXPIRED' });
    expect(lotNamed.status).toBe(409);
  });

  test('when the quantity is zero or negative or an operator object, then 400', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5 });
    for (const quantity of [0, -1, '0', { $gt: 0 }]) {
      const res = await t.api
        .post('/api/v1/stock/issues')
        .set(headers)
        .send({ warehouseId: warehouse.id, itemId: item.id, quantity });
      expect(res.status).toBe(400);
    }
    const injected = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: { $gt: '' }, itemId: item.id, quantity: 1 });
    expect(injected.status).toBe(400);
    expect(await onHand({ itemId: item.id })).toBe(5);
  });
});

describe('stock moves, transfers, adjustments, disposals', () => {
  test('when stock moves between bins, then both balances change and the move is audited', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 2, unit: 'box', locationCode: 'A-01' });
    const res = await t.api.post('/api/v1/stock/moves').set(headers).send({
      warehouseId: warehouse.id,
      itemId: item.id,
      fromLocationCode: 'A-01',
      toLocationCode: 'B-01',
      quantity: 1,
      unit: 'box',
    });
    expect(res.status).toBe(201);
    expect(await onHand({ locationCode: 'A-01' })).toBe(12);
    expect(await onHand({ locationCode: 'B-01' })).toBe(12);
    expect(await AuditEntry.countDocuments({ action: 'stock.move' })).toBe(1);
    const bad = await t.api.post('/api/v1/stock/moves').set(headers).send({
      warehouseId: warehouse.id,
      itemId: item.id,
      fromLocationCode: 'A-01',
      toLocationCode: 'Z-99',
      quantity: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('toLocationCode');
  });

  test('when stock is transferred, then it leaves one warehouse and arrives in the other with lot and expiry', async () => {
    const headers = await auth();
    const item = await givenInventory.item({ sku: 'RICE', baseUnit: 'kg', category: 'food', expiryTracked: true });
    const { warehouse } = await givenInventory.stockOf({
      item,
      quantity: '1.5',
      unit: 't',
      lot: 'R1',
      expiryDate: daysFromToday(300),
    });
    const astana = await givenInventory.warehouse({ code: 'AST', region: 'astana', city: 'Astana' });
    const res = await t.api
      .post('/api/v1/stock/transfers')
      .set(headers)
      .send({ fromWarehouseId: warehouse.id, toWarehouseId: astana.id, itemId: item.id, quantity: '0.1', unit: 't' });
    expect(res.status).toBe(201);
    expect(res.body.entries.map((e: { type: string; quantity: number }) => [e.type, e.quantity])).toEqual([
      ['transfer_out', -100_000],
      ['transfer_in', 100_000],
    ]);
    const again = await t.api
      .post('/api/v1/stock/transfers')
      .set(headers)
      .send({ fromWarehouseId: warehouse.id, toWarehouseId: astana.id, itemId: item.id, quantity: '0.2', unit: 't' });
    expect(again.status).toBe(201);
    const arrived = await StockBalance.findOne({ warehouseId: astana.id }).lean();
    expect(arrived).toMatchObject({ onHand: 300_000, lot: 'R1' });
    const summary = await t.api.get('/api/v1/stock?region=astana').set(headers);
    expect(summary.body.totals).toMatchObject({ weightKg: '300', weightTonnes: '0.3' });
    expect(summary.body.data[0]).toMatchObject({ quantity: '300', baseUnit: 'kg', weightKg: '300' });
    const same = await t.api
      .post('/api/v1/stock/transfers')
      .set(headers)
      .send({ fromWarehouseId: warehouse.id, toWarehouseId: warehouse.id, itemId: item.id, quantity: 1 });
    expect(same.status).toBe(400);
  });

  test('when adjustments are posted, then reason codes set the sign, and damaged stock is reclassified then disposable', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10, condition: 'good' });
    const post = (body: Record<string, unknown>) =>
      t.api
        .post('/api/v1/stock/adjustments')
        .set(headers)
        .send({ warehouseId: warehouse.id, itemId: item.id, ...body });
    expect((await post({ quantity: 2, reason: 'found', condition: 'good' })).status).toBe(201);
    expect((await post({ quantity: -1, reason: 'lost' })).status).toBe(201);
    const wrongSign = await post({ quantity: 1, reason: 'lost' });
    expect(wrongSign.status).toBe(400);
    expect(wrongSign.body.error.details[0].field).toBe('quantity');
    expect((await post({ quantity: -3, reason: 'damaged' })).status).toBe(201);
    expect(await onHand({ itemId: item.id, condition: 'good' })).toBe(8);
    expect(await onHand({ itemId: item.id, condition: 'damaged' })).toBe(3);

    const sound = await t.api
      .post('/api/v1/stock/disposals')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 4, reason: 'damaged' });
    expect(sound.status).toBe(409);
    const notExpired = await t.api
      .post('/api/v1/stock/disposals')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 1, reason: 'expired' });
    expect(notExpired.status).toBe(409);
    expect(notExpired.body.error.details).toMatchObject({ requested: 1, available: 0 });
    const disposed = await t.api
      .post('/api/v1/stock/disposals')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 3, reason: 'damaged' });
    expect(disposed.status).toBe(201);
    expect(await onHand({ itemId: item.id })).toBe(8);
    const issueDamaged = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 9 });
    expect(issueDamaged.status).toBe(409);
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe('one spelling for each side of a move or transfer', () => {
  test('when a move or transfer names its source with the selector spellings, then 400 names the field to use instead', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5, locationCode: 'A-01' });
    const other = await givenInventory.warehouse();
    const move = await t.api.post('/api/v1/stock/moves').set(headers).send({
      warehouseId: warehouse.id,
      itemId: item.id,
      locationCode: 'A-01',
      toLocationCode: 'B-01',
      quantity: 1,
    });
    expect(move.status).toBe(400);
    expect(move.body.error.details.map((d: { field: string }) => d.field)).toContain('locationCode');
    expect(move.body.error.message).toContain('"locationCode" is not allowed');
    expect(move.body.error.message).toContain('fromLocationCode');
    const transfer = await t.api
      .post('/api/v1/stock/transfers')
      .set(headers)
      .send({ warehouseId: warehouse.id, toWarehouseId: other.id, itemId: item.id, quantity: 1 });
    expect(transfer.status).toBe(400);
    expect(transfer.body.error.details.map((d: { field: string }) => d.field)).toContain('warehouseId');
    expect(transfer.body.error.message).toContain('fromWarehouseId');
    expect(await LedgerEntry.countDocuments({ itemId: item.id })).toBe(1);
  });
});

describe('adjusting a named balance', () => {
  test('when more of a named balance is found, then that balance grows, keeping its bin, lot and expiry', async () => {
    const headers = await auth();
    const item = await givenInventory.item({ sku: 'INSULIN', category: 'medicine', expiryTracked: true });
    await givenInventory.stockOf({ item, quantity: 5, locationCode: 'A-01', lot: 'L1', expiryDate: daysFromToday(30) });
    const balance = await StockBalance.findOne({ itemId: item.id }).lean();
    const res = await t.api
      .post('/api/v1/stock/adjustments')
      .set(headers)
      .send({ balanceId: String(balance?._id), quantity: 2, reason: 'found' });
    expect(res.status).toBe(201);
    expect(res.body.entries).toEqual([
      expect.objectContaining({ balanceId: String(balance?._id), quantity: 2, balanceAfter: 7, reason: 'found' }),
    ]);
    expect(await StockBalance.countDocuments({ itemId: item.id })).toBe(1);
    expect(await onHand({ itemId: item.id, lot: 'L1', locationCode: 'A-01' })).toBe(7);
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe('physical counts', () => {
  test('when a count is started, recorded and posted, then differences become count_correction adjustments', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10, locationCode: 'A-01' });
    const other = await givenInventory.item({ sku: 'MATTRESS' });
    await givenInventory.stockOf({ warehouse, item: other, quantity: 4, locationCode: 'A-01' });

    const started = await t.api
      .post('/api/v1/stock/counts')
      .set(headers)
      .send({ warehouseId: warehouse.id, locationCode: 'A-01' });
    expect(started.status).toBe(201);
    expect(started.body.lines).toHaveLength(2);
    const [first, second] = started.body.lines;
    const recorded = await t.api
      .post(`/api/v1/stock/counts/${started.body.id}/lines`)
      .set(headers)
      .send({
        lines: [
          { balanceId: first.balanceId, quantity: first.itemId === item.id ? 7 : 6 },
          { balanceId: second.balanceId, quantity: second.itemId === item.id ? 7 : 6 },
          { itemId: item.id, locationCode: 'A-01', condition: 'used', quantity: 1 },
        ],
      });
    expect(recorded.status).toBe(200);
    expect(recorded.body.lines.map((l: { difference: number }) => l.difference).sort()).toEqual([-3, 1, 2]);

    const posted = await t.api.post(`/api/v1/stock/counts/${started.body.id}/post`).set(headers).send();
    expect(posted.status).toBe(200);
    expect(posted.body.status).toBe('posted');
    expect(await onHand({ itemId: item.id, condition: 'new' })).toBe(7);
    expect(await onHand({ itemId: item.id, condition: 'used' })).toBe(1);
    expect(await onHand({ itemId: other.id })).toBe(6);
    expect(await LedgerEntry.countDocuments({ reason: 'count_correction', 'source.type': 'count' })).toBe(3);
    expect((await t.api.post(`/api/v1/stock/counts/${started.body.id}/post`).set(headers).send()).status).toBe(409);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when stock moves while a count is open, then the count compares with the books when the line is counted', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10, locationCode: 'A-01' });
    const started = (
      await t.api.post('/api/v1/stock/counts').set(headers).send({ warehouseId: warehouse.id, locationCode: 'A-01' })
    ).body;
    const issued = await t.api
      .post('/api/v1/stock/issues')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: 2 });
    expect(issued.status).toBe(201);
    const recorded = await t.api
      .post(`/api/v1/stock/counts/${started.id}/lines`)
      .set(headers)
      .send({ lines: [{ balanceId: started.lines[0].balanceId, quantity: 8 }] });
    expect(recorded.body.lines[0]).toMatchObject({ expected: 8, counted: 8, difference: 0 });
    const posted = await t.api.post(`/api/v1/stock/counts/${started.id}/post`).set(headers).send();
    expect(posted.status).toBe(200);
    expect(await onHand({ itemId: item.id })).toBe(8);
    expect(await LedgerEntry.countDocuments({ 'source.type': 'count' })).toBe(0);
  });

  test('when a count overlaps an open one, then 409, and a retry with the same key runs once the first is closed', async () => {
    const headers = await auth();
    const { warehouse } = await givenInventory.stockOf({ quantity: 10, locationCode: 'A-01' });
    const whole = await t.api.post('/api/v1/stock/counts').set(headers).send({ warehouseId: warehouse.id });
    expect(whole.status).toBe(201);
    const startBin = () =>
      t.api
        .post('/api/v1/stock/counts')
        .set(headers)
        .set('Idempotency-Key', 'count-a01-0001')
        .send({ warehouseId: warehouse.id, locationCode: 'A-01' });
    const overlapping = await startBin();
    expect(overlapping.status).toBe(409);
    expect(overlapping.body.error).toMatchObject({ code: 'CONFLICT', details: { countId: whole.body.id } });
    expect((await t.api.post(`/api/v1/stock/counts/${whole.body.id}/cancel`).set(headers).send()).status).toBe(200);
    const retried = await startBin();
    expect(retried.status).toBe(201);
    expect(retried.body.locationCode).toBe('A-01');
    const other = await givenInventory.warehouse();
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => t.api.post('/api/v1/stock/counts').set(headers).send({ warehouseId: other.id })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });
});

describe('kits', () => {
  test('when kits are assembled and disassembled, then components are consumed and restored', async () => {
    const headers = await auth();
    const warehouse = await givenInventory.warehouse();
    const flour = await givenInventory.item({ sku: 'FLOUR', baseUnit: 'kg', category: 'food', expiryTracked: true });
    const oil = await givenInventory.item({ sku: 'OIL', baseUnit: 'l', category: 'food' });
    await givenInventory.stockOf({ warehouse, item: flour, quantity: 12, unit: 'kg', expiryDate: daysFromToday(60) });
    await givenInventory.stockOf({ warehouse, item: oil, quantity: 3, unit: 'l' });
    const kit = (
      await t.api
        .post('/api/v1/items')
        .set(headers)
        .send({
          sku: 'FOOD-BASKET',
          name: { kk: 'Азық-түлік себеті' },
          category: 'food',
          baseUnit: 'kit',
          components: [
            { itemId: flour.id, quantity: 5, unit: 'kg' },
            { itemId: oil.id, quantity: 1, unit: 'l' },
          ],
        })
    ).body;
    const assembled = await t.api
      .post('/api/v1/stock/kits/assemble')
      .set(headers)
      .send({ warehouseId: warehouse.id, kitItemId: kit.id, quantity: 2 });
    expect(assembled.status).toBe(201);
    expect(await onHand({ itemId: kit.id })).toBe(2);
    expect(await onHand({ itemId: flour.id })).toBe(2000);
    expect(await onHand({ itemId: oil.id })).toBe(1000);
    expect((await StockBalance.findOne({ itemId: kit.id }).lean())?.expiryDate).toEqual(daysFromToday(60));

    const tooMany = await t.api
      .post('/api/v1/stock/kits/assemble')
      .set(headers)
      .send({ warehouseId: warehouse.id, kitItemId: kit.id, quantity: 1 });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.details).toMatchObject({ requested: 5000, available: 2000, itemId: flour.id });

    const taken = await t.api
      .post('/api/v1/stock/kits/disassemble')
      .set(headers)
      .send({ warehouseId: warehouse.id, kitItemId: kit.id, quantity: 1 });
    expect(taken.status).toBe(201);
    expect(await onHand({ itemId: kit.id })).toBe(1);
    expect(await onHand({ itemId: flour.id })).toBe(7000);
    expect(await onHand({ itemId: oil.id })).toBe(2000);
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe('reversal and queries', () => {
  test('when a transfer is reversed through the ledger, then both halves are undone once', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const other = await givenInventory.warehouse();
    const transfer = (
      await t.api
        .post('/api/v1/stock/transfers')
        .set(headers)
        .send({ fromWarehouseId: warehouse.id, toWarehouseId: other.id, itemId: item.id, quantity: 4 })
    ).body;
    const reversed = await t.api
      .post(`/api/v1/stock/ledger/${transfer.entries[1].id}/reverse`)
      .set(headers)
      .send({ reason: 'wrong warehouse' });
    expect(reversed.status).toBe(201);
    expect(reversed.body.entries.map((e: { type: string; quantity: number }) => [e.type, e.quantity])).toEqual([
      ['reversal', 4],
      ['reversal', -4],
    ]);
    expect(await onHand({ warehouseId: warehouse.id })).toBe(10);
    expect(await onHand({ warehouseId: other.id })).toBe(0);
    expect(
      (await t.api.post(`/api/v1/stock/ledger/${transfer.entries[0].id}/reverse`).set(headers).send()).status,
    ).toBe(409);
    expect(
      (await t.api.post(`/api/v1/stock/ledger/${reversed.body.entries[0].id}/reverse`).set(headers).send()).status,
    ).toBe(409);
    const receipt = await LedgerEntry.findOne({ type: 'receipt' }).lean();
    expect((await t.api.post(`/api/v1/stock/ledger/${receipt?._id}/reverse`).set(headers).send()).status).toBe(409);

    const history = await t.api.get(`/api/v1/stock/ledger?itemId=${item.id}&type=reversal`).set(headers);
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(2);
    expect(history.body.page.total).toBe(2);
    expect(
      (
        await t.api
          .get('/api/v1/stock/ledger')
          .query({ type: { $ne: 'x' } })
          .set(headers)
      ).status,
    ).toBe(400);
  });

  test('when stock is listed by category and expiring is asked, then totals and windows are right', async () => {
    const headers = await auth('viewer');
    const rice = await givenInventory.item({ sku: 'RICE', baseUnit: 'kg', category: 'food' });
    const warehouse = await givenInventory.warehouse();
    await givenInventory.stockOf({ warehouse, item: rice, quantity: '0.1', unit: 't', expiryDate: daysFromToday(5) });
    await givenInventory.stockOf({ warehouse, item: rice, quantity: '0.2', unit: 't', expiryDate: daysFromToday(50) });
    await givenInventory.stockOf({ warehouse, quantity: 3 });
    const food = await t.api.get('/api/v1/stock?category=food').set(headers);
    expect(food.status).toBe(200);
    expect(food.body.data).toHaveLength(2);
    expect(food.body.totals.items).toEqual([
      expect.objectContaining({ onHand: 300_000, unit: 'g', quantity: '300', baseUnit: 'kg' }),
    ]);
    expect(food.body.totals.weightKg).toBe('300');
    const all = await t.api.get(`/api/v1/stock?warehouseId=${warehouse.id}&limit=1`).set(headers);
    expect(all.body.data).toHaveLength(1);
    expect(all.body.page).toMatchObject({ total: 3, limit: 1 });
    expect(all.body.totals.weightKg).toBe('305.4');
    const expiring = await t.api.get('/api/v1/stock/expiring?days=30').set(headers);
    expect(expiring.body.data.map((b: { onHand: number; daysLeft: number }) => [b.onHand, b.daysLeft])).toEqual([
      [100_000, 5],
    ]);
  });
});

describe('idempotent retries', () => {
  test('when a transfer is retried with the same key, then it answers the first response and moves stock once', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    const other = await givenInventory.warehouse();
    const body = { fromWarehouseId: warehouse.id, toWarehouseId: other.id, itemId: item.id, quantity: 3 };
    const send = (b: Record<string, unknown>) =>
      t.api.post('/api/v1/stock/transfers').set(headers).set('Idempotency-Key', 'transfer-retry-0001').send(b);
    const first = await send(body);
    const retry = await send(body);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.operationId).toBe(first.body.operationId);
    expect(await onHand({ warehouseId: other.id })).toBe(3);
    expect(await LedgerEntry.countDocuments({ type: 'transfer_in' })).toBe(1);
    const reused = await send({ ...body, quantity: 4 });
    expect(reused.status).toBe(409);
    expect(await onHand({ warehouseId: other.id })).toBe(3);
  });
});

describe('the ledger list', () => {
  /** History written straight into the collection (as the benchmark's fixture does), `daysAgo` old. */
  async function givenHistory(warehouseId: string, itemId: string, count: number, daysAgo: number): Promise<void> {
    const at = Date.now() - daysAgo * 86_400_000;
    const balanceId = new Types.ObjectId();
    const organisationId = new Types.ObjectId((await given.homeOrganisation()).id);
    await LedgerEntry.collection.insertMany(
      Array.from({ length: count }, (_, i) => ({
        organisationId,
        type: 'receipt',
        quantity: 1,
        unit: 'piece',
        balanceId,
        balanceAfter: i + 1,
        warehouseId: new Types.ObjectId(warehouseId),
        locationCode: null,
        itemId: new Types.ObjectId(itemId),
        lot: null,
        expiryDate: null,
        condition: 'new',
        operationId: new Types.ObjectId(),
        source: { type: 'donation', id: null, number: null },
        reason: null,
        note: null,
        actor: { kind: 'system', id: 'system', name: 'history' },
        at: new Date(at + i * 1000),
        reverses: null,
        reversedBy: null,
      })),
    );
  }

  test('when recent entries do not fill a page, then older ones follow, newest first, with an exact total', async () => {
    const headers = await auth('viewer');
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5 });
    await givenHistory(warehouse.id, item.id, 60, 100);

    const first = await t.api.get(`/api/v1/stock/ledger?warehouseId=${warehouse.id}&limit=50`).set(headers);
    expect(first.status).toBe(200);
    expect(first.body.page).toEqual({ limit: 50, offset: 0, total: 61, totalIsLowerBound: false });
    expect(first.body.data).toHaveLength(50);
    expect(first.body.data[0].balanceAfter).toBe(5); // today's receipt first
    expect(first.body.data[1].balanceAfter).toBe(60); // then the history, newest first
    const second = await t.api.get(`/api/v1/stock/ledger?warehouseId=${warehouse.id}&limit=50&offset=50`).set(headers);
    expect(second.body.data.map((e: { balanceAfter: number }) => e.balanceAfter)).toEqual(
      Array.from({ length: 11 }, (_, i) => 11 - i),
    );
  });

  test('when more entries match than the count cap, then the total is the cap and says it is a lower bound', async () => {
    const headers = await auth('viewer');
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5 });
    await givenHistory(warehouse.id, item.id, LEDGER_COUNT_CAP, 3);

    const res = await t.api.get(`/api/v1/stock/ledger?warehouseId=${warehouse.id}&limit=20`).set(headers);
    expect(res.status).toBe(200);
    expect(res.body.page).toEqual({ limit: 20, offset: 0, total: LEDGER_COUNT_CAP, totalIsLowerBound: true });
    expect(res.body.data[0].balanceAfter).toBe(5);
    expect(res.body.data[1].balanceAfter).toBe(LEDGER_COUNT_CAP);
  });
});

describe('the ledger invariant', () => {
  test('when a mixed workload runs concurrently, then for every balance the ledger sums to on-hand', async () => {
    const headers = await auth();
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 40, locationCode: 'A-01' });
    const other = await givenInventory.warehouse();
    await givenInventory.stockOf({ warehouse: other, item, quantity: 20 });
    const post = (path: string, body: Record<string, unknown>) =>
      t.api.post(`/api/v1/stock/${path}`).set(headers).send(body);
    const work = Array.from({ length: 30 }, (_, i) => {
      switch (i % 5) {
        case 0:
          return post('issues', { warehouseId: warehouse.id, itemId: item.id, quantity: 2 });
        case 1:
          return post('transfers', {
            fromWarehouseId: warehouse.id,
            toWarehouseId: other.id,
            itemId: item.id,
            quantity: 3,
          });
        case 2:
          return post('transfers', {
            fromWarehouseId: other.id,
            toWarehouseId: warehouse.id,
            itemId: item.id,
            quantity: 2,
          });
        case 3:
          return post('moves', {
            warehouseId: warehouse.id,
            itemId: item.id,
            fromLocationCode: 'A-01',
            toLocationCode: 'B-01',
            quantity: 1,
          });
        default:
          return post('adjustments', {
            warehouseId: warehouse.id,
            itemId: item.id,
            locationCode: 'A-01',
            quantity: -1,
            reason: 'lost',
          });
      }
    });
    const statuses = (await Promise.all(work)).map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(await findInvariantViolations()).toEqual([]);
    expect((await StockBalance.find().lean()).every((b) => b.onHand >= 0)).toBe(true);
    const total = (await LedgerEntry.find({ itemId: item.id }).lean()).reduce((sum, e) => sum + e.quantity, 0);
    expect(total).toBe(await onHand({ itemId: item.id }));
  }, 60_000);
});
