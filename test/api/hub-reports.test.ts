/**
 * A hub's aggregated reports: its members' totals, within their membership dates, and nothing else: no member's
 * record, no donor, no person, and no organisation that is not (or no longer) a member.
 */
import { Types } from 'mongoose';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import { Donation } from '../../src/modules/donations/donations.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { Warehouse } from '../../src/modules/warehouses/warehouses.model';
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

interface Member {
  id: string;
  headers: { Authorization: string };
  donorNames: string[];
}

/** An organisation with a warehouse in `region`, a named donor with contact details, and `blankets` received. */
async function organisationWithStock(
  name: string,
  region: string,
  blankets: number,
  receivedAt: string,
  blanketItemId: string,
): Promise<Member> {
  const org = await given.organisation({ name, type: 'ngo' });
  const headers = bearer((await given.user({ role: 'warehouse', organisationId: org.id })).token);
  const warehouse = await givenInventory.warehouse({ region: region as never }, { organisationId: org.id });
  const donorName = `${name} donor Aigerim Sadykova`;
  const donor = await givenInventory.donor(
    {
      type: 'individual',
      name: donorName,
      contact: { phone: '+7 701 555 12 34', email: 'aigerim.sadykova@example.kz', address: 'Abai ave 1' },
    },
    { organisationId: org.id },
  );
  const res = await t.api
    .post('/api/v1/donations')
    .set(headers)
    .send({
      donorId: donor.id,
      warehouseId: warehouse.id,
      receivedAt,
      receive: true,
      lines: [{ itemId: blanketItemId, quantity: blankets, unit: 'piece', condition: 'new' }],
    });
  expect(res.status).toBe(201);
  const issued = await t.api
    .post('/api/v1/stock/issues')
    .set(headers)
    .send({ warehouseId: warehouse.id, itemId: blanketItemId, quantity: 1, unit: 'piece', reason: 'flood relief' });
  expect(issued.status).toBe(201);
  return { id: org.id, headers, donorNames: [donorName] };
}

async function arrange() {
  const blanket = await givenInventory.item({ sku: 'BLANKET', category: 'bedding', volumeM3PerUnit: '0.01' });
  const hub = await given.organisation({ name: 'Astana volunteer headquarters', type: 'hub' });
  const hubViewer = bearer((await given.user({ role: 'viewer', organisationId: hub.id })).token);
  const operator = bearer((await given.user({ role: 'operator' })).token);
  const now = new Date();
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 6)).toISOString();
  const a = await organisationWithStock('Love Kazakhstan', 'astana', 10, thisMonth, blanket.id);
  const b = await organisationWithStock('Talgar initiative group', 'almaty_region', 20, thisMonth, blanket.id);
  const outsider = await organisationWithStock('Not a member NGO', 'astana', 400, thisMonth, blanket.id);
  // A former member: its donation of January 2026 counts (it was a member then), nothing after it left.
  const former = await organisationWithStock('Former member', 'shymkent', 7, '2026-01-15T06:00:00Z', blanket.id);
  const formerLater = await t.api
    .post('/api/v1/donations')
    .set(former.headers)
    .send({
      donorId: (await givenInventory.donor({ type: 'company', name: 'Later gift LLP' }, { organisationId: former.id }))
        .id,
      warehouseId: String(
        (await acrossOrganisations('test', () => Warehouse.findOne({ organisationId: former.id }).lean().exec()))?._id,
      ),
      receivedAt: thisMonth,
      receive: true,
      lines: [{ itemId: blanket.id, quantity: 1000, unit: 'piece', condition: 'new' }],
    });
  expect(formerLater.status).toBe(201);

  for (const [member, from, until] of [
    [a, '2025-01-01', null],
    [b, '2025-06-01', null],
    [former, '2025-01-01', '2026-02-01'],
  ] as const) {
    const res = await t.api
      .post(`/api/v1/organisations/${hub.id}/members`)
      .set(operator)
      .send({ organisationId: member.id, from, until });
    expect(res.status).toBe(201);
  }
  return { hub, hubViewer, operator, a, b, outsider, former, blanket };
}

/** Every id the members' records carry, and every personal or contact value they hold. */
async function memberSecrets(organisationIds: string[]): Promise<string[]> {
  const ids = organisationIds.map((id) => new Types.ObjectId(id));
  return acrossOrganisations('test: collect the members records to look for them in the aggregates', async () => {
    const secrets: string[] = [...organisationIds];
    for (const model of [Warehouse, Donation, StockBalance, LedgerEntry] as const) {
      const docs = await (model as typeof Warehouse)
        .find({ organisationId: { $in: ids } }, { _id: 1 })
        .lean()
        .exec();
      secrets.push(...docs.map((d) => String(d._id)));
    }
    const donations = await Donation.find({ organisationId: { $in: ids } })
      .lean()
      .exec();
    secrets.push(...donations.flatMap((d) => [String(d.donorId), d.number, d.verificationRef]));
    secrets.push('+7 701 555 12 34', 'aigerim.sadykova@example.kz', 'Abai ave 1', 'Aigerim', 'Sadykova');
    return secrets;
  });
}

describe('hub reports', () => {
  test("when a hub's user asks for stock by region, then it gets its current members' totals and no one else's", async () => {
    const { hub, hubViewer } = await arrange();
    const res = await t.api.get(`/api/v1/organisations/${hub.id}/reports/stock?groupBy=region`).set(hubViewer);
    expect(res.status).toBe(200);
    // Love Kazakhstan 10 − 1 issued in Astana; Talgar 20 − 1 in Almaty Region; the outsider's 399 and the former
    // member's Shymkent stock are not counted.
    expect(res.body.rows.map((r: { group: string; pieces: string; kg: string }) => [r.group, r.pieces, r.kg])).toEqual([
      ['almaty_region', '19', '34.2'],
      ['astana', '9', '16.2'],
    ]);
    expect(res.body.totals).toMatchObject({ pieces: '28', kg: '50.4', tonnes: '0.05', m3: '0.28' });
    expect(res.body.scope).toBe('Astana volunteer headquarters (2 members)');
    const byCategory = await t.api
      .get(`/api/v1/organisations/${hub.id}/reports/stock?groupBy=category&lang=ru`)
      .set(hubViewer);
    expect(byCategory.body.rows).toEqual([
      expect.objectContaining({ group: 'bedding', label: 'Постельные принадлежности', pieces: '28' }),
    ]);
  });

  test('when a hub asks for donations by month, then each member counts only within its membership', async () => {
    const { hub, hubViewer } = await arrange();
    const res = await t.api.get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=month`).set(hubViewer);
    expect(res.status).toBe(200);
    const now = new Date();
    const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(
      res.body.rows.map((r: { group: string; donations: number; pieces: string }) => [r.group, r.donations, r.pieces]),
    ).toEqual([
      ['2026-01', 1, '7'],
      [month, 2, '30'],
    ]);
    const byType = await t.api
      .get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=donor_type&from=2026-01-01`)
      .set(hubViewer);
    expect(byType.body.rows).toEqual([
      expect.objectContaining({ group: 'individual', label: 'Individuals', donations: 3, pieces: '37' }),
    ]);
  });

  test("when every hub report is read in every format, then none holds a member's record id, donor or contact", async () => {
    const { hub, hubViewer, a, b, former, outsider } = await arrange();
    const secrets = await memberSecrets([a.id, b.id, former.id, outsider.id]);
    const donorNames = [...a.donorNames, ...b.donorNames, ...former.donorNames, 'Later gift LLP'];
    const asked = [
      `/api/v1/organisations/${hub.id}/reports/stock?groupBy=region`,
      `/api/v1/organisations/${hub.id}/reports/stock?groupBy=category`,
      `/api/v1/organisations/${hub.id}/reports/inflows?groupBy=month`,
      `/api/v1/organisations/${hub.id}/reports/inflows?groupBy=donor_type`,
      `/api/v1/organisations/${hub.id}/reports/outflows?groupBy=purpose`,
      `/api/v1/organisations/${hub.id}/reports/outflows?groupBy=region`,
      `/api/v1/organisations/${hub.id}/reports/outflows?groupBy=month`,
    ];
    const printed = new Set(asked.filter((_, i) => i % 3 === 0));
    for (const path of asked) {
      for (const format of printed.has(path) ? ['json', 'csv', 'pdf'] : ['json']) {
        const res = await t.api
          .get(`${path}&format=${format}&lang=ru`)
          .set(hubViewer)
          .buffer(true)
          .parse(binary as never);
        expect(res.status).toBe(200);
        const body = res.body as Buffer;
        const read = format === 'pdf' ? (await readPdfText(body)).pages.join('\n') : body.toString('utf8');
        for (const secret of [...secrets, ...donorNames]) expect(read).not.toContain(secret);
        for (const field of ['contact', 'phone', 'email', 'address', 'donorId', 'warehouseId', '_id'])
          expect(read).not.toContain(field);
      }
    }
    const outflows = await t.api.get(`/api/v1/organisations/${hub.id}/reports/outflows?groupBy=purpose`).set(hubViewer);
    expect(outflows.body.rows).toEqual([expect.objectContaining({ group: 'issue', lines: 2, pieces: '2' })]);
  });

  test("when a member organisation's user or the operator asks for the hub's reports, then 404 or 403; a hub cannot group by warehouse or donor", async () => {
    const { hub, a, operator, hubViewer } = await arrange();
    const memberAdmin = bearer((await given.user({ role: 'admin', organisationId: a.id })).token);
    for (const headers of [a.headers, memberAdmin]) {
      const res = await t.api.get(`/api/v1/organisations/${hub.id}/reports/stock`).set(headers);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      // Its own organisation is not a hub: no aggregates there either.
      const own = await t.api.get(`/api/v1/organisations/${a.id}/reports/inflows`).set(headers);
      expect(own.status).toBe(403);
      expect(own.body.error.code).toBe('FORBIDDEN');
    }
    const byOperator = await t.api.get(`/api/v1/organisations/${hub.id}/reports/stock`).set(operator);
    expect(byOperator.status).toBe(403);
    const byWarehouse = await t.api
      .get(`/api/v1/organisations/${hub.id}/reports/stock?groupBy=warehouse`)
      .set(hubViewer);
    expect(byWarehouse.status).toBe(400);
    expect(byWarehouse.body.error.details[0].field).toBe('groupBy');
    const byDonor = await t.api.get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=donor`).set(hubViewer);
    expect(byDonor.status).toBe(400);
    // The member's own report stays its own: the hub's other members are not in it.
    const own = await t.api.get('/api/v1/reports/stock?groupBy=region').set(a.headers);
    expect(own.body.rows.map((r: { group: string; pieces: string }) => [r.group, r.pieces])).toEqual([['astana', '9']]);
  });

  test('when a hub has no members yet, then its reports are empty, not an error', async () => {
    const hub = await given.organisation({ name: 'New regional office', type: 'hub' });
    const viewer = bearer((await given.user({ role: 'viewer', organisationId: hub.id })).token);
    await organisationWithStock('Someone else', 'astana', 5, '2026-03-01T06:00:00Z', (await givenInventory.item()).id);
    const res = await t.api.get(`/api/v1/organisations/${hub.id}/reports/inflows`).set(viewer);
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([]);
    expect(res.body.totals).toMatchObject({ donations: 0, pieces: '0' });
  });
});
