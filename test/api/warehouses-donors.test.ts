import { AuditEntry } from '../../src/modules/audit/audit.model';
import { Donor } from '../../src/modules/donors/donors.model';
import { Warehouse } from '../../src/modules/warehouses/warehouses.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';

const t = setupTestApp();

const auth = async () => bearer((await given.user({ role: 'warehouse' })).token);

const astana = {
  code: 'ast-01',
  name: 'Astana central warehouse',
  region: 'astana',
  city: 'Astana',
  address: 'Kabanbay batyr ave 1',
  locations: [{ code: 'a-01', name: 'Rack A' }],
};

describe('warehouses API', () => {
  test('when a warehouse is created, then it is stored with upper-case codes and audited', async () => {
    const res = await t.api
      .post('/api/v1/warehouses')
      .set(await auth())
      .send(astana);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: 'AST-01',
      region: 'astana',
      locations: [{ code: 'A-01', name: 'Rack A', active: true }],
    });
    expect(await Warehouse.countDocuments({ code: 'AST-01' })).toBe(1);
    expect(await AuditEntry.countDocuments({ action: 'warehouse.create', targetId: res.body.id })).toBe(1);
  });

  test('when the region is not one of Kazakhstan’s, then 400 names region', async () => {
    const res = await t.api
      .post('/api/v1/warehouses')
      .set(await auth())
      .send({ ...astana, region: 'bishkek' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['region']);
  });

  test('when the code is taken, then 409', async () => {
    const headers = await auth();
    await t.api.post('/api/v1/warehouses').set(headers).send(astana);
    expect((await t.api.post('/api/v1/warehouses').set(headers).send(astana)).status).toBe(409);
  });

  test('when locations are added and deactivated, then the warehouse keeps them', async () => {
    const headers = await auth();
    const { id } = (await t.api.post('/api/v1/warehouses').set(headers).send(astana)).body;
    const added = await t.api
      .post(`/api/v1/warehouses/${id}/locations`)
      .set(headers)
      .send({ code: 'B-02', name: 'Rack B' });
    expect(added.status).toBe(201);
    expect((await t.api.post(`/api/v1/warehouses/${id}/locations`).set(headers).send({ code: 'B-02' })).status).toBe(
      409,
    );
    const off = await t.api.patch(`/api/v1/warehouses/${id}/locations/B-02`).set(headers).send({ active: false });
    expect(off.status).toBe(200);
    expect(off.body.locations).toEqual([
      { code: 'A-01', name: 'Rack A', active: true },
      { code: 'B-02', name: 'Rack B', active: false },
    ]);
  });

  test('when warehouses are listed by region, then only that region answers, paginated', async () => {
    const headers = await auth();
    await t.api.post('/api/v1/warehouses').set(headers).send(astana);
    await t.api
      .post('/api/v1/warehouses')
      .set(headers)
      .send({ ...astana, code: 'SHY-01', region: 'shymkent', city: 'Shymkent' });
    const res = await t.api.get('/api/v1/warehouses?region=shymkent').set(headers);
    expect(res.status).toBe(200);
    expect(res.body.data.map((w: { code: string }) => w.code)).toEqual(['SHY-01']);
    expect(res.body.page.total).toBe(1);
    const injected = await t.api
      .get('/api/v1/warehouses')
      .query({ code: { $gt: '' } })
      .set(headers);
    expect(injected.status).toBe(400);
  });
});

describe('donors API', () => {
  test('when a company donor is created, then it is stored', async () => {
    const res = await t.api
      .post('/api/v1/donors')
      .set(await auth())
      .send({ type: 'company', name: 'KazMunayGas volunteers', country: 'kz', contact: { phone: '+7 701 123 45 67' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'company', country: 'KZ', anonymous: false });
    expect(await Donor.countDocuments()).toBe(1);
  });

  test('when an anonymous donor has no name, then it is accepted; a named one without a name is not', async () => {
    const headers = await auth();
    expect((await t.api.post('/api/v1/donors').set(headers).send({ type: 'individual', anonymous: true })).status).toBe(
      201,
    );
    const res = await t.api.post('/api/v1/donors').set(headers).send({ type: 'individual' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('name');
  });

  test('when the country is not ISO 3166 alpha-2 or the type is unknown, then 400 names the fields', async () => {
    const res = await t.api
      .post('/api/v1/donors')
      .set(await auth())
      .send({ type: 'alien', name: 'X', country: 'XX' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['country', 'type']);
  });

  test('when a name is an operator object, then 400', async () => {
    const res = await t.api
      .post('/api/v1/donors')
      .set(await auth())
      .send({ type: 'company', name: { $gt: '' } });
    expect(res.status).toBe(400);
    expect(await Donor.countDocuments()).toBe(0);
  });

  test('when a donor is updated and listed by type, then the change persists', async () => {
    const headers = await auth();
    const { id } = (
      await t.api.post('/api/v1/donors').set(headers).send({ type: 'ngo', name: 'Red Crescent', country: 'KZ' })
    ).body;
    await t.api
      .post('/api/v1/donors')
      .set(headers)
      .send({ type: 'foreign_organisation', name: 'Hong Kong charity', country: 'HK' });
    const patched = await t.api
      .patch(`/api/v1/donors/${id}`)
      .set(headers)
      .send({ contact: { email: 'info@redcrescent.kz' } });
    expect(patched.status).toBe(200);
    const list = await t.api.get('/api/v1/donors?type=ngo').set(headers);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].contact.email).toBe('info@redcrescent.kz');
  });
});
