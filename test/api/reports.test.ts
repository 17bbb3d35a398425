import { readPdfText } from '../documents/read-pdf';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const binary = (response: NodeJS.ReadableStream, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
};

async function arrange() {
  const headers = bearer((await given.user({ role: 'warehouse' })).token);
  const flour = await givenInventory.item({
    sku: 'FLOUR',
    name: { kk: 'Ұн', ru: 'Мука', en: 'Flour' },
    category: 'food',
    baseUnit: 'kg',
    packs: [],
    weightKgPerUnit: null,
    volumeM3PerUnit: '0.002',
  });
  const blanket = await givenInventory.item({ sku: 'BLANKET', category: 'bedding', volumeM3PerUnit: '0.01' });
  const astana = await givenInventory.warehouse({ region: 'astana' });
  const almaty = await givenInventory.warehouse({ region: 'almaty_city' });
  const person = await givenInventory.donor({ type: 'individual', name: 'Aisulu Nurlanovna' });
  const company = await givenInventory.donor({ type: 'company', name: 'KazMunayGas volunteers' });
  const donate = async (donorId: string, warehouseId: string, receivedAt: string, lines: object[]) => {
    const res = await t.api
      .post('/api/v1/donations')
      .set(headers)
      .send({ donorId, warehouseId, receivedAt, receive: true, lines });
    expect(res.status).toBe(201);
  };
  await donate(company.id, astana.id, '2026-03-02T09:00:00Z', [
    { itemId: flour.id, quantity: '1.5', unit: 't', condition: 'new' },
    { itemId: blanket.id, quantity: 10, unit: 'piece', condition: 'new' },
  ]);
  await donate(person.id, almaty.id, '2026-04-10T09:00:00Z', [
    { itemId: blanket.id, quantity: 5, unit: 'piece', condition: 'good' },
  ]);
  return { headers, astana, almaty };
}

describe('reports', () => {
  test('when stock is reported by region, then each region totals kg, tonnes and m³ exactly', async () => {
    const { headers } = await arrange();
    const res = await t.api.get('/api/v1/reports/stock?groupBy=region').set(headers);
    expect(res.status).toBe(200);
    const byRegion = Object.fromEntries(res.body.rows.map((r: { group: string }) => [r.group, r]));
    // Astana: 1500 kg flour + 10 blankets × 1.8 kg = 1518 kg; 1500 × 0.002 + 10 × 0.01 = 3.1 m³
    expect(byRegion.astana).toMatchObject({ kg: '1518', tonnes: '1.518', m3: '3.1', withoutWeight: 0 });
    expect(byRegion.almaty_city).toMatchObject({ kg: '9', tonnes: '0.009', m3: '0.05' });
    expect(res.body.totals).toMatchObject({ kg: '1527', tonnes: '1.527', m3: '3.15' });
    const byCategory = await t.api.get('/api/v1/reports/stock?groupBy=category').set(headers);
    expect(byCategory.body.rows.map((r: { group: string; kg: string }) => [r.group, r.kg])).toEqual([
      ['bedding', '27'],
      ['food', '1500'],
    ]);
  });

  test('when inflows are reported by donor and month, then individuals are not named and months follow Almaty time', async () => {
    const { headers } = await arrange();
    const byDonor = await t.api.get('/api/v1/reports/inflows?groupBy=donor').set(headers);
    expect(byDonor.status).toBe(200);
    expect(JSON.stringify(byDonor.body)).not.toContain('Aisulu');
    expect(byDonor.body.rows.map((r: { label: string }) => r.label)).toEqual(
      expect.arrayContaining(['KazMunayGas volunteers', expect.stringMatching(/^Individual donor …/)]),
    );
    const byMonth = await t.api.get('/api/v1/reports/inflows?groupBy=month&from=2026-01-01').set(headers);
    expect(byMonth.body.rows).toEqual([
      expect.objectContaining({ group: '2026-03', donations: 1, pieces: '10', kg: '1518' }),
      expect.objectContaining({ group: '2026-04', donations: 1, pieces: '5', kg: '9' }),
    ]);
    const byType = await t.api.get('/api/v1/reports/inflows?groupBy=donor_type&to=2026-04-01').set(headers);
    expect(byType.body.rows).toEqual([expect.objectContaining({ group: 'company', donations: 1 })]);
  });

  test('when a report is asked as CSV or PDF, then it comes in the language asked, and bad input answers 400', async () => {
    const { headers } = await arrange();
    const csv = await t.api
      .get('/api/v1/reports/stock?groupBy=warehouse&format=csv&lang=ru')
      .set(headers)
      .buffer(true)
      .parse(binary as never);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const text = (csv.body as Buffer).toString('utf8');
    expect(text.startsWith('\uFEFFСклад,строк,штук,кг,тонн,м³')).toBe(true);
    expect(text.trimEnd().split(/\r?\n/)).toHaveLength(4); // header, two warehouses, total

    const pdf = await t.api
      .get('/api/v1/reports/inflows?format=pdf&lang=kk')
      .set(headers)
      .buffer(true)
      .parse(binary as never);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const read = (await readPdfText(pdf.body as Buffer)).pages.join('\n');
    expect(read).toContain('Алынған қайырмалдықтар');
    expect(read).toContain('Барлығы');

    const bad = await t.api.get('/api/v1/reports/stock?groupBy=planet&format=xls').set(headers);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['format', 'groupBy']);
    const viewerOnly = await t.api
      .get('/api/v1/reports/stock')
      .set(bearer((await given.user({ role: 'viewer' })).token));
    expect(viewerOnly.status).toBe(200);
  });
});

describe('tonnage shipped', () => {
  async function shipment(
    headers: { Authorization: string },
    warehouseId: string,
    itemId: string,
    country: string,
    blankets: number,
    dispatch: boolean,
  ) {
    const planned = await t.api
      .post('/api/v1/shipments')
      .set(headers)
      .send({
        kind: 'outbound',
        consignee: { name: `Receiving agency ${country}`, country, address: 'Capital' },
        origin: { warehouseId },
        destination: { name: `Depot ${country}`, country, address: 'Depot street 1' },
        mode: 'road',
      });
    expect(planned.status).toBe(201);
    const units = await t.api
      .post(`/api/v1/shipments/${planned.body.id}/units`)
      .set(headers)
      .send({ units: [{ kind: 'pallet', count: 1, lines: [{ itemId, quantity: blankets }] }] });
    expect(units.status).toBe(201);
    expect((await t.api.post(`/api/v1/shipments/${planned.body.id}/pack`).set(headers).send()).status).toBe(200);
    if (dispatch) {
      const dispatched = await t.api.post(`/api/v1/shipments/${planned.body.id}/dispatch`).set(headers).send();
      expect(dispatched.status).toBe(200);
    }
  }

  test('when shipments are dispatched abroad, then the tonnage shipped is counted per destination country, and a packed one is not', async () => {
    const headers = bearer((await given.user({ role: 'admin' })).token);
    const { warehouse, item } = await givenInventory.stockOf({
      quantity: 40,
      itemOverrides: { sku: 'BLANKET', volumeM3PerUnit: '0.01' },
    });
    await shipment(headers, warehouse.id, item.id, 'TR', 10, true);
    await shipment(headers, warehouse.id, item.id, 'TR', 4, true);
    await shipment(headers, warehouse.id, item.id, 'KG', 5, true);
    await shipment(headers, warehouse.id, item.id, 'UZ', 7, false);

    const res = await t.api.get('/api/v1/reports/shipped?groupBy=country').set(headers);
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: Record<string, unknown>) => [r.group, r.shipments, r.pieces, r.kg, r.m3])).toEqual([
      ['KG', 1, '5', '9', '0.05'],
      ['TR', 2, '14', '25.2', '0.14'],
    ]);
    expect(res.body.totals).toMatchObject({ shipments: 3, pieces: '19', kg: '34.2', tonnes: '0.034' });

    const pdf = await t.api
      .get('/api/v1/reports/shipped?groupBy=kind&format=pdf&lang=kk')
      .set(headers)
      .buffer(true)
      .parse(binary as never);
    expect(pdf.status).toBe(200);
    const read = (await readPdfText(pdf.body as Buffer)).pages.join('\n');
    expect(read).toContain('Жөнелтілген тоннаж');
    expect(read).toContain('Шетелге жөнелту');
    expect(read).toContain('34,2');
  });
});
