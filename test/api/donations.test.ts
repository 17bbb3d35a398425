import { formatMoney } from '../../src/documents/format';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { Donation } from '../../src/modules/donations/donations.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { VerificationCode } from '../../src/modules/verification/verification.model';
import { issuedCode } from '../../src/modules/verification/verification.service';
import { normalizeSpaces, readPdfText } from '../documents/read-pdf';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

/** The letters of Kazakh Cyrillic beyond Russian: a receipt that loses one of them is unreadable for its donor. */
const KAZAKH_LETTERS = [...'ӘҒҚҢӨҰҮҺІ', ...'әғқңөұүһі'];

async function arrange() {
  const headers = bearer((await given.user({ role: 'warehouse', name: 'Айгүл Сәрсенова' })).token);
  const warehouse = await givenInventory.warehouse({ code: 'ALA-01', name: 'Алматы орталық қоймасы' });
  const donor = await givenInventory.donor({ name: 'Қазақстан халқына' });
  const flour = await givenInventory.item({
    sku: 'FLOUR-1',
    baseUnit: 'kg',
    category: 'food',
    name: { kk: 'Ұн', ru: 'Мука' },
  });
  const medicine = await givenInventory.item({
    sku: 'PARACETAMOL',
    category: 'medicine',
    expiryTracked: true,
    lotTracked: true,
  });
  const blankets = await givenInventory.item({ sku: 'BLANKET', name: { kk: 'Көрпе', ru: 'Одеяло' } });
  return { headers, warehouse, donor, flour, medicine, blankets };
}

type Arranged = Awaited<ReturnType<typeof arrange>>;

function donationBody(a: Arranged, lines?: unknown[]) {
  return {
    donorId: a.donor.id,
    warehouseId: a.warehouse.id,
    receivedAt: '2026-03-02T09:00:00.000Z',
    notes: 'Су тасқынынан зардап шеккендерге',
    lines: lines ?? [
      {
        itemId: a.flour.id,
        quantity: '0.25',
        unit: 't',
        condition: 'new',
        estimatedValue: { amount: '100000', currency: 'KZT' },
        locationCode: 'A-01',
      },
      {
        itemId: a.flour.id,
        quantity: 62.5,
        unit: 'kg',
        condition: 'good',
        estimatedValue: { amount: 25000.5, currency: 'KZT' },
      },
      {
        itemId: a.blankets.id,
        quantity: 2,
        unit: 'box',
        condition: 'new',
        estimatedValue: { amount: '100', currency: 'USD' },
      },
    ],
  };
}

describe('donations API', () => {
  test('when a draft is received, then balances and ledger entries are posted in one go, numbered and audited', async () => {
    const a = await arrange();
    const created = await t.api.post('/api/v1/donations').set(a.headers).send(donationBody(a));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', number: expect.stringMatching(/^DN-\d{4}-000001$/) });
    expect(created.body.lines[0]).toMatchObject({ quantity: '0.25', unit: 't', baseQuantity: 250_000, subUnit: 'g' });
    expect(created.body.lines[1].estimatedValue).toEqual({ amount: '25000.50', currency: 'KZT' });
    expect(await LedgerEntry.countDocuments()).toBe(0);

    const received = await t.api.post(`/api/v1/donations/${created.body.id}/receive`).set(a.headers).send();
    expect(received.status).toBe(200);
    expect(received.body.status).toBe('received');

    const balances = await StockBalance.find().sort({ onHand: -1 }).lean();
    expect(balances.map((b) => [b.onHand, b.unit, b.locationCode, b.condition])).toEqual([
      [250_000, 'g', 'A-01', 'new'],
      [62_500, 'g', null, 'good'],
      [24, 'piece', null, 'new'],
    ]);
    const entries = await LedgerEntry.find().lean();
    expect(entries).toHaveLength(3);
    expect(
      entries.every(
        (e) => e.type === 'receipt' && e.source.number === created.body.number && e.actor.name === 'Айгүл Сәрсенова',
      ),
    ).toBe(true);
    expect(await AuditEntry.countDocuments({ action: 'donation.receive', targetId: created.body.id })).toBe(1);

    const again = await t.api.post(`/api/v1/donations/${created.body.id}/receive`).set(a.headers).send();
    expect(again.status).toBe(409);
    expect(await LedgerEntry.countDocuments()).toBe(3);
    const edit = await t.api.patch(`/api/v1/donations/${created.body.id}`).set(a.headers).send({ notes: 'changed' });
    expect(edit.status).toBe(409);
  });

  test('when donations are numbered, then the counter increments per donation', async () => {
    const a = await arrange();
    const first = await t.api.post('/api/v1/donations').set(a.headers).send(donationBody(a));
    const second = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send({ ...donationBody(a), receive: true });
    expect(second.status).toBe(201);
    expect(second.body.status).toBe('received');
    expect(Number(second.body.number.slice(-6))).toBe(Number(first.body.number.slice(-6)) + 1);
  });

  test('when an expiry-tracked item has no expiry date, then 400 names the field and nothing is written', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donationBody(a, [{ itemId: a.medicine.id, quantity: 100, lot: 'L-1' }]));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('lines[0].expiryDate');
    expect(await Donation.countDocuments()).toBe(0);
  });

  test('when a unit does not convert, then 400 names the unit field and both units', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donationBody(a, [{ itemId: a.blankets.id, quantity: 3, unit: 'kg' }]));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ field: 'lines[0].unit', unit: 'kg', baseUnit: 'piece' });
  });

  test('when a quantity is finer than a gram, zero or negative, then 400', async () => {
    const a = await arrange();
    for (const quantity of ['0.0001', 0, -5, '-1', '0']) {
      const unit = quantity === '0.0001' ? 'kg' : undefined;
      const res = await t.api
        .post('/api/v1/donations')
        .set(a.headers)
        .send(donationBody(a, [{ itemId: a.flour.id, quantity, unit }]));
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('lines[0].quantity');
    }
    expect(await Donation.countDocuments()).toBe(0);
  });

  test('when the item, warehouse or donor is unknown, then 404 names the field and nothing is written', async () => {
    const a = await arrange();
    const unknown = '0123456789abcdef01234567';
    const item = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donationBody(a, [{ itemId: unknown, quantity: 1 }]));
    expect(item.status).toBe(404);
    expect(item.body.error).toMatchObject({ code: 'NOT_FOUND', message: '"lines[0].itemId" is not a known item' });
    expect(item.body.error.details[0].field).toBe('lines[0].itemId');
    const warehouse = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send({ ...donationBody(a), warehouseId: unknown });
    expect(warehouse.status).toBe(404);
    expect(warehouse.body.error.details[0].field).toBe('warehouseId');
    const donor = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send({ ...donationBody(a), donorId: unknown });
    expect(donor.status).toBe(404);
    expect(donor.body.error.details[0].field).toBe('donorId');
    expect((await t.api.get(`/api/v1/donations/${unknown}`).set(a.headers)).status).toBe(404);
    expect(await Donation.countDocuments()).toBe(0);
  });

  test('when a string field carries {"$gt": ""}, then 400', async () => {
    const a = await arrange();
    const res = await t.api
      .post('/api/v1/donations')
      .set(a.headers)
      .send(donationBody(a, [{ itemId: { $gt: '' }, quantity: 1, lot: { $gt: '' } }]));
    expect(res.status).toBe(400);
    const list = await t.api.get('/api/v1/donations').query({ 'donorId[$gt]': '' }).set(a.headers);
    expect(list.status).toBe(400);
  });

  test('when a received donation is reversed, then reversing entries bring balances to zero; if goods left, 409', async () => {
    const a = await arrange();
    const first = (
      await t.api
        .post('/api/v1/donations')
        .set(a.headers)
        .send({ ...donationBody(a), receive: true })
    ).body;
    const reversed = await t.api
      .post(`/api/v1/donations/${first.id}/reverse`)
      .set(a.headers)
      .send({ reason: 'Entered twice' });
    expect(reversed.status).toBe(200);
    expect(reversed.body.status).toBe('reversed');
    expect((await StockBalance.find().lean()).every((b) => b.onHand === 0)).toBe(true);
    expect(await LedgerEntry.countDocuments({ type: 'reversal' })).toBe(3);
    expect(await LedgerEntry.countDocuments({ reversedBy: { $ne: null } })).toBe(3);

    const second = (
      await t.api
        .post('/api/v1/donations')
        .set(a.headers)
        .send({ ...donationBody(a), receive: true })
    ).body;
    const issued = await t.api
      .post('/api/v1/stock/issues')
      .set(a.headers)
      .send({ warehouseId: a.warehouse.id, itemId: a.blankets.id, quantity: 1 });
    expect(issued.status).toBe(201);
    const refused = await t.api
      .post(`/api/v1/donations/${second.id}/reverse`)
      .set(a.headers)
      .send({ reason: 'Mistake' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INSUFFICIENT_STOCK');
    expect((await Donation.findById(second.id).lean())?.status).toBe('received');
  });

  test('when a draft is cancelled, then it cannot be received', async () => {
    const a = await arrange();
    const draft = (await t.api.post('/api/v1/donations').set(a.headers).send(donationBody(a))).body;
    expect((await t.api.post(`/api/v1/donations/${draft.id}/cancel`).set(a.headers).send()).body.status).toBe(
      'cancelled',
    );
    const refused = await t.api.post(`/api/v1/donations/${draft.id}/receive`).set(a.headers).send();
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'INVALID_STATE',
      details: { id: draft.id, status: 'cancelled', action: 'receive', allowed: [] },
    });
    expect(refused.body.error.message).toContain('is cancelled; cannot receive');
    expect(await StockBalance.countDocuments()).toBe(0);
  });

  test('when the receipt is asked in Kazakh, then a PDF carries the number, the Kazakh labels and exact totals', async () => {
    const a = await arrange();
    const lines = [
      ...donationBody(a).lines,
      {
        itemId: a.medicine.id,
        quantity: 30,
        lot: 'PC-2026-07',
        expiryDate: daysFromToday(200).toISOString().slice(0, 10),
      },
    ];
    const donation = (
      await t.api
        .post('/api/v1/donations')
        .set(a.headers)
        .send({ ...donationBody(a, lines), notes: `Су тасқыны: ${KAZAKH_LETTERS.join('')}`, receive: true })
    ).body;
    const res = await t.api
      .get(`/api/v1/donations/${donation.id}/receipt.pdf?lang=kk`)
      .set(a.headers)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/pdf');
    const text = normalizeSpaces((await readPdfText(res.body as Buffer)).pages.join('\n'));
    expect(text).toContain(donation.number);
    expect(text).toContain('Барлығы');
    expect(text).toContain('Ұн');
    for (const letter of KAZAKH_LETTERS) expect(text).toContain(letter);
    // 250 kg + 62.5 kg of flour, plus 24 blankets × 1.8 kg and 30 tablets × 1.8 kg = 312.5 + 43.2 + 54 = 409.7 kg
    expect(text).toMatch(/Жалпы салмағы\s*409,7 кг/);
    expect(text).toMatch(/Дана саны\s*54\b/); // 24 blankets + 30 packs
    // 100000 + 25000.50 KZT, and 100 USD, each currency totalled on its own
    expect(text).toContain(normalizeSpaces(formatMoney({ amount: '125000.50', currency: 'KZT' }, 'kk')));
    expect(text).toContain(normalizeSpaces(formatMoney({ amount: '100.00', currency: 'USD' }, 'kk')));
    // The receipt carries its verification code, printed next to the QR code for those who type it.
    const code = await VerificationCode.findOne({ documentType: 'donation_receipt', documentId: donation.id }).lean();
    expect(code?.active).toBe(true);
    expect(text).toContain(issuedCode(code?.code ?? '').display);

    const draft = (await t.api.post('/api/v1/donations').set(a.headers).send(donationBody(a))).body;
    expect((await t.api.get(`/api/v1/donations/${draft.id}/receipt.pdf`).set(a.headers)).status).toBe(409);
    expect((await t.api.get(`/api/v1/donations/${draft.id}/receipt.pdf?lang=de`).set(a.headers)).status).toBe(400);
  });
});

describe('donations and Idempotency-Key', () => {
  test('when creating and receiving is retried with the same key, then the donation and its stock exist once', async () => {
    const a = await arrange();
    const body = { ...donationBody(a), receive: true };
    const send = (b: Record<string, unknown>) =>
      t.api.post('/api/v1/donations').set(a.headers).set('Idempotency-Key', 'donation-retry-0001').send(b);
    const first = await send(body);
    const retry = await send(body);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await Donation.countDocuments()).toBe(1);
    expect(await LedgerEntry.countDocuments({ type: 'receipt' })).toBe(3);

    const reused = await send({ ...body, notes: 'another donation' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await Donation.countDocuments()).toBe(1);
  });

  test('when receiving a draft is retried with the same key, then it answers 200 again and posts stock once', async () => {
    const a = await arrange();
    const draft = (await t.api.post('/api/v1/donations').set(a.headers).send(donationBody(a))).body;
    const receive = () =>
      t.api.post(`/api/v1/donations/${draft.id}/receive`).set(a.headers).set('Idempotency-Key', 'receive-0001').send();
    const first = await receive();
    const retry = await receive();
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body.receiptOperationId).toBe(first.body.receiptOperationId);
    expect(await LedgerEntry.countDocuments()).toBe(3);
  });
});
