import { VerificationCode } from '../../src/modules/verification/verification.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

async function arrange() {
  const headers = bearer((await given.user({ role: 'warehouse' })).token);
  const item = await givenInventory.item();
  const [astana, almaty] = [await givenInventory.warehouse(), await givenInventory.warehouse({ region: 'astana' })];
  const donor = await givenInventory.donor({ type: 'individual', name: 'Aisulu Nurlanovna' });
  return { headers, item, astana, almaty, donor };
}

async function receiveDonation(a: Awaited<ReturnType<typeof arrange>>, quantity: number) {
  const res = await t.api
    .post('/api/v1/donations')
    .set(a.headers)
    .send({
      donorId: a.donor.id,
      warehouseId: a.astana.id,
      receive: true,
      lines: [{ itemId: a.item.id, quantity, unit: 'piece', condition: 'new' }],
    });
  expect(res.status).toBe(201);
  return res.body;
}

async function codeOfReceipt(headers: Record<string, string>, donationId: string): Promise<string> {
  const pdf = await t.api.get(`/api/v1/donations/${donationId}/receipt.pdf?lang=en`).set(headers);
  expect(pdf.status).toBe(200);
  const record = await VerificationCode.findOne({
    documentType: 'donation_receipt',
    documentId: donationId,
    active: true,
  }).lean();
  return record?.code as string;
}

describe('traceability', () => {
  test('when a donation is partly issued, moved and lost, then its trace accounts for every unit, first in first out', async () => {
    const a = await arrange();
    await receiveDonation(a, 5); // an earlier donation: its units leave first
    const ours = await receiveDonation(a, 10);
    const post = (path: string, body: object) => t.api.post(`/api/v1/stock/${path}`).set(a.headers).send(body);
    expect((await post('issues', { warehouseId: a.astana.id, itemId: a.item.id, quantity: 7 })).status).toBe(201);
    const transfer = await post('transfers', {
      fromWarehouseId: a.astana.id,
      itemId: a.item.id,
      toWarehouseId: a.almaty.id,
      quantity: 4,
    });
    expect(transfer.status).toBe(201);
    expect((await post('issues', { warehouseId: a.almaty.id, itemId: a.item.id, quantity: 3 })).status).toBe(201);
    const lost = await post('adjustments', {
      warehouseId: a.astana.id,
      itemId: a.item.id,
      quantity: -1,
      reason: 'lost',
    });
    expect(lost.status).toBe(201);

    const res = await t.api.get(`/api/v1/donations/${ours.id}/trace`).set(a.headers);
    expect(res.status).toBe(200);
    const [journey] = res.body.items;
    expect(journey).toMatchObject({
      received: '10',
      issued: '5', // 2 of the first issue (after the earlier donation's 5) and 3 in Almaty
      movedBetweenWarehouses: '4',
      lost: '1',
      disposed: '0',
    });
    const inStock = Object.fromEntries(
      journey.inStock.map((s: { warehouse: string; quantity: string }) => [s.warehouse.split(' ')[0], s.quantity]),
    );
    expect(inStock).toEqual({ [a.astana.code]: '3', [a.almaty.code]: '1' });
    // No personal data: the donor is named by type only.
    expect(JSON.stringify(res.body)).not.toContain('Aisulu');
    expect(res.body.donation.donorType).toBe('individual');
  });
});

describe('the public verification page', () => {
  test('when the QR code of a receipt is opened, then the page says genuine and shows the journey, without login', async () => {
    const a = await arrange();
    const donation = await receiveDonation(a, 10);
    const code = await codeOfReceipt(a.headers, donation.id);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(code).not.toContain(donation.id);
    // The same document keeps its code on every rendering.
    expect(await codeOfReceipt(a.headers, donation.id)).toBe(code);

    const json = await t.api.get(`/api/v1/verification/${code}`);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      genuine: true,
      documentType: 'donation_receipt',
      document: { fields: { number: donation.number }, content: { journey: [{ received: '10' }] } },
    });
    expect(JSON.stringify(json.body)).not.toContain('Aisulu');

    // Typed by hand: lower case, with the dashes printed on the receipt.
    const typed = (code.match(/.{4}/g) ?? []).join('-').toLowerCase();
    const html = await t.api.get(`/verify/${typed}?lang=kk`).set('Accept', 'text/html');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('Түпнұсқа құжат');
    expect(html.text).toContain(donation.number);
  });

  test('when a code is forged, then the page answers not genuine (404), whatever its shape', async () => {
    for (const forged of ['7K3MQ9XD2HPFWR4T', 'not-a-code', '<script>alert(1)</script>']) {
      const res = await t.api.get(`/api/v1/verification/${encodeURIComponent(forged)}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ genuine: false, reason: 'unknown' });
    }
    const html = await t.api.get(`/verify/${encodeURIComponent('<b>x</b>')}`).set('Accept', 'text/html');
    expect(html.text).toContain('Not genuine');
    expect(html.text).not.toContain('<b>x</b>');
  });

  test('when a code is revoked, then the page answers not genuine (410) and a new rendering gets a new code', async () => {
    const a = await arrange();
    const donation = await receiveDonation(a, 3);
    const code = await codeOfReceipt(a.headers, donation.id);
    const viewer = bearer((await given.user({ role: 'viewer' })).token);
    const refused = await t.api
      .post('/api/v1/verification-codes/revoke')
      .set(viewer)
      .send({ code, reason: 'Printed twice' });
    expect(refused.status).toBe(403);
    const revoked = await t.api
      .post('/api/v1/verification-codes/revoke')
      .set(a.headers)
      .send({ code, reason: 'Receipt printed on a stolen blank' });
    expect(revoked.status).toBe(200);
    const res = await t.api.get(`/api/v1/verification/${code}`);
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ genuine: false, reason: 'revoked' });
    const again = await t.api.post('/api/v1/verification-codes/revoke').set(a.headers).send({ code, reason: 'again' });
    expect(again.status).toBe(409);
    const fresh = await codeOfReceipt(a.headers, donation.id);
    expect(fresh).not.toBe(code);
    expect((await t.api.get(`/api/v1/verification/${fresh}`)).status).toBe(200);
  });
});
