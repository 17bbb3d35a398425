/**
 * A clerk's obvious mistakes, through the API: each answer says what to write instead, and nothing is written. Units
 * typed in Russian or Kazakh are understood; goods already expired or in an absurd quantity need a confirmation.
 */
import { Donation } from '../../src/modules/donations/donations.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

async function arrange() {
  const { token, user } = await given.user({ role: 'warehouse' });
  const warehouse = await givenInventory.warehouse({ code: 'ALA-01' });
  const donor = await givenInventory.donor();
  const flour = await givenInventory.item({ baseUnit: 'kg', category: 'food', packs: [], weightKgPerUnit: null });
  const milk = await givenInventory.item({
    baseUnit: 'l',
    category: 'food',
    packs: [],
    weightKgPerUnit: null,
    expiryTracked: true,
  });
  const blankets = await givenInventory.item();
  return {
    headers: bearer(token),
    organisationId: user.organisationId as string,
    warehouse,
    donor,
    flour,
    milk,
    blankets,
  };
}
type Arranged = Awaited<ReturnType<typeof arrange>>;

const donation = (a: Arranged, line: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  donorId: a.donor.id,
  warehouseId: a.warehouse.id,
  receive: true,
  lines: [{ itemId: a.flour.id, quantity: '10', condition: 'new', ...line }],
  ...extra,
});

const scoped = (a: Arranged) => ({ organisationId: a.organisationId });

async function expectNothingWritten(a: Arranged) {
  expect(await Donation.countDocuments(scoped(a))).toBe(0);
  expect(await LedgerEntry.countDocuments({ ...scoped(a), warehouseId: a.warehouse.id })).toBe(0);
}

describe('a clerk typing a donation', () => {
  test('when a quantity has a decimal comma, then it answers 400 saying to write a point, and writes nothing', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, { quantity: '2,5' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({
        field: 'lines[0].quantity',
        message: '"lines[0].quantity" uses a decimal comma: write 2.5 (a point separates decimals)',
      }),
    ]);
    await expectNothingWritten(a);
  });

  test('when a comma might group thousands, then the answer names both readings instead of guessing', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, { quantity: '1,500' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toBe(
      '"lines[0].quantity" "1,500" is ambiguous: a point separates decimals and no separator groups thousands, so write 1500 or 1.500',
    );
  });

  test('when a date is written 31.12.2027, then it answers 400 giving it as 2027-12-31, and writes nothing', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, { itemId: a.milk.id, quantity: '20', expiryDate: '31.12.2027' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({
        field: 'lines[0].expiryDate',
        message: '"lines[0].expiryDate" is written year-month-day: 31.12.2027 is 2027-12-31',
      }),
    ]);
    await expectNothingWritten(a);
  });

  test('when a filter date is written 31.02.2027, then the answer says it is no date', async () => {
    const a = await arrange();
    const res = await t.api.get('/api/v1/donations').query({ from: '31.02.2027' }).set(a.headers);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({
      field: 'from',
      message: '"from" "31.02.2027" is not a date: write it as year-month-day (YYYY-MM-DD)',
    });
  });

  test('when the warehouse is given by its code, then the answer says an id is expected and where to find it', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send({ ...donation(a, {}), warehouseId: 'ALA-01' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({
        field: 'warehouseId',
        message:
          '"warehouseId" expects the warehouse\'s id, not its code ALA-01: GET /api/v1/warehouses?code=ALA-01 answers the warehouse with its id',
      }),
    ]);
    const found = await t.api.get('/api/v1/warehouses').query({ code: 'ALA-01' }).set(a.headers);
    expect(found.body.data.map((w: { id: string }) => w.id)).toEqual([a.warehouse.id]);
    await expectNothingWritten(a);
  });

  test.each([
    ['кг', '12.5', 12_500],
    ['т', '0.5', 500_000],
    ['Кг.', '2', 2_000],
  ])('when the unit is typed %s, then it is understood and the stock is received', async (unit, quantity, grams) => {
    const a = await arrange();
    const res = await t.api.post('/api/v1/donations').set(a.headers).send(donation(a, { quantity, unit }));
    expect(res.status).toBe(201);
    expect(res.body.lines[0].unit).not.toBe(unit);
    const balance = await StockBalance.findOne({
      ...scoped(a),
      warehouseId: a.warehouse.id,
      itemId: a.flour.id,
    }).lean();
    expect(balance?.onHand).toBe(grams);
  });

  test('when blankets are counted in шт or дана, then both are pieces', async () => {
    const a = await arrange();
    for (const unit of ['шт', 'дана']) {
      const res = await t.api
        .post('/api/v1/donations')
        .set(a.headers)
        .send(donation(a, { itemId: a.blankets.id, quantity: '3', unit }));
      expect(res.status).toBe(201);
    }
    const balance = await StockBalance.findOne({
      ...scoped(a),
      warehouseId: a.warehouse.id,
      itemId: a.blankets.id,
    }).lean();
    expect(balance?.onHand).toBe(6);
  });
});

describe('goods that need a confirmation', () => {
  test('when goods arrive already expired, then it answers 422 with the reason, and with "confirm": ["expired"] receives them', async () => {
    const a = await arrange();
    const line = { itemId: a.milk.id, quantity: '40', expiryDate: daysFromToday(-3).toISOString() };

    const refused = await t.api.post('/api/v1/donations').set(a.headers).send(donation(a, line));
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('UNPROCESSABLE');
    expect(refused.body.error.details).toEqual([
      expect.objectContaining({ field: 'lines[0].expiryDate', type: 'receipt.expired' }),
    ]);
    expect(refused.body.error.message).toContain('expired goods are kept apart and never issued');
    expect(refused.body.error.message).toContain('"confirm": ["expired"]');
    await expectNothingWritten(a);

    const confirmed = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, line, { confirm: ['expired'] }));
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.status).toBe('received');
  });

  test('when a line brings 10^9 t of flour, then it answers 422 asking to check the unit, and nothing is written', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, { quantity: '1000000000', unit: 't' }));
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({
        field: 'lines[0].quantity',
        type: 'receipt.largeQuantity',
        message:
          '"lines[0].quantity" 1000000000 t is more than 10,000 t in one line: check the quantity and its unit, or send "confirm": ["large_quantity"]',
      }),
    ]);
    await expectNothingWritten(a);
  });

  test('when a large but real delivery is confirmed, then it is received', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, { quantity: '12000', unit: 't' }, { confirm: ['large_quantity'] }));
    expect(res.status).toBe(201);
    const balance = await StockBalance.findOne({
      ...scoped(a),
      warehouseId: a.warehouse.id,
      itemId: a.flour.id,
    }).lean();
    expect(balance?.onHand).toBe(12_000_000_000);
  });

  test('when a draft is changed to an expired line, then the change is refused the same way', async () => {
    const a = await arrange();
    const draft = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donation(a, {}, { receive: false }));
    expect(draft.status).toBe(201);
    const res = await t.api
      .patch(`/api/v1/donations/${draft.body.id}`)
      .set(a.headers)
      .send({ lines: [{ itemId: a.milk.id, quantity: '5', condition: 'new', expiryDate: '2020-01-31' }] });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].field).toBe('lines[0].expiryDate');
    const stored = await Donation.findOne({ ...scoped(a), _id: draft.body.id }).lean();
    expect(String(stored?.lines[0]?.itemId)).toBe(a.flour.id);
  });
});
