/**
 * The scenarios that issue 8 reported, replayed through the API: a second organisation's warehouse user issuing the
 * first's blankets, and a partner NGO's admin reaching the operator organisation's users and the organisation itself.
 * The route walk (isolation-route-walk.test.ts) covers every route; these read as the report did.
 */
import { Types } from 'mongoose';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import { Organisation } from '../../src/modules/organisations/organisations.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { User } from '../../src/modules/users/users.model';
import { setupTestApp } from '../support/app';
import { bearer, given, TEST_PASSWORD } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const everywhere = <T>(fn: () => Promise<T>) => acrossOrganisations('the test reads both organisations', fn);

describe("a second organisation's warehouse user", () => {
  test("when it issues the first organisation's blankets, then it answers 404 and the stock is unchanged", async () => {
    const first = await given.organisation({ name: 'Qamqor' });
    const second = await given.organisation({ name: 'Meirim' });
    const item = await givenInventory.item({ name: { kk: 'Көрпе', ru: 'Одеяло', en: 'Blanket' } });
    const { warehouse } = await givenInventory.stockOf({ item, quantity: 40, organisationId: first.id });
    const { token } = await given.user({ role: 'warehouse', organisationId: second.id });

    const byWarehouse = await t.api
      .post('/api/v1/stock/issues')
      .set(bearer(token))
      .send({ warehouseId: warehouse.id, itemId: item.id, quantity: '10', reason: 'distribution' });
    const balance = await everywhere(() => StockBalance.findOne({ warehouseId: warehouse.id }).lean().exec());
    const byBalance = await t.api
      .post('/api/v1/stock/issues')
      .set(bearer(token))
      .send({ balanceId: String(balance?._id), quantity: '10' });

    const byMissingWarehouse = await t.api
      .post('/api/v1/stock/issues')
      .set(bearer(token))
      .send({ warehouseId: String(new Types.ObjectId()), itemId: item.id, quantity: '10', reason: 'distribution' });

    expect(byWarehouse.status).toBe(404);
    expect(byWarehouse.body.error.code).toBe('NOT_FOUND');
    expect(byWarehouse.body.error.message).toBe(byMissingWarehouse.body.error.message);
    expect(byWarehouse.body.error.details).toEqual([
      expect.objectContaining({ field: 'warehouseId', message: '"warehouseId" is not a known warehouse' }),
    ]);
    expect(byBalance.status).toBe(404);
    expect(byBalance.body.error.details).toEqual([
      expect.objectContaining({ field: 'balanceId', message: '"balanceId" is not a known stock balance' }),
    ]);
    const after = await everywhere(() => StockBalance.findById(balance?._id).lean().exec());
    expect(after?.onHand).toBe(40);
    expect(await everywhere(() => LedgerEntry.countDocuments({ warehouseId: warehouse.id }).exec())).toBe(1);
  });

  test("when it reads or renames the first organisation's warehouse, then both answer 404 as for a missing one", async () => {
    const first = await given.organisation();
    const second = await given.organisation();
    const warehouse = await givenInventory.warehouse({ name: 'Almaty central' }, { organisationId: first.id });
    const { token } = await given.user({ role: 'warehouse', organisationId: second.id });

    const read = await t.api.get(`/api/v1/warehouses/${warehouse.id}`).set(bearer(token));
    const rename = await t.api
      .patch(`/api/v1/warehouses/${warehouse.id}`)
      .set(bearer(token))
      .send({ name: 'Ours now' });
    const missing = await t.api.get(`/api/v1/warehouses/${new Types.ObjectId()}`).set(bearer(token));

    expect([read.status, rename.status, missing.status]).toEqual([404, 404, 404]);
    expect(read.body.error.message).toBe(`Warehouse ${warehouse.id} not found`);
    const list = await t.api.get('/api/v1/warehouses').set(bearer(token));
    expect(list.body.data).toEqual([]);
    const stored = await everywhere(() => Organisation.exists({ _id: first.id }).exec());
    expect(stored).not.toBeNull();
    expect(
      await t.api.get(`/api/v1/warehouses/${warehouse.id}`).set(bearer((await ownerToken(first.id)).token)),
    ).toMatchObject({ status: 200, body: { name: 'Almaty central' } });
  });
});

async function ownerToken(organisationId: string) {
  return given.user({ role: 'warehouse', organisationId });
}

describe("a partner NGO's admin and the operator organisation", () => {
  async function givenOperatorAndPartner() {
    const operatorOrg = await given.organisation({ name: 'Asar operator', type: 'operator' });
    const partner = await given.organisation({ name: 'Partner NGO', type: 'ngo' });
    const operatorAdmin = await given.user({ role: 'admin', organisationId: operatorOrg.id, name: 'Operator admin' });
    const partnerAdmin = await given.user({ role: 'admin', organisationId: partner.id });
    return { operatorOrg, partner, operatorAdmin, partnerAdmin };
  }

  test("when it lists users, filtered on the operator organisation or not, then it sees its own organisation's only", async () => {
    const { operatorOrg, partner, partnerAdmin } = await givenOperatorAndPartner();

    const all = await t.api.get('/api/v1/users').set(bearer(partnerAdmin.token));
    const filtered = await t.api
      .get('/api/v1/users')
      .query({ organisationId: operatorOrg.id })
      .set(bearer(partnerAdmin.token));

    expect(all.status).toBe(200);
    expect(all.body.data.map((u: { organisationId: string }) => u.organisationId)).toEqual([partner.id]);
    expect([200, 403, 404]).toContain(filtered.status);
    expect(filtered.body.data ?? []).toEqual([]);
  });

  test('when it changes, deactivates or adds an admin to the operator organisation, then nothing changes and its admin still logs in', async () => {
    const { operatorOrg, operatorAdmin, partnerAdmin } = await givenOperatorAndPartner();
    const headers = bearer(partnerAdmin.token);
    const id = operatorAdmin.user.id;

    const answers = [
      await t.api.patch(`/api/v1/users/${id}`).set(headers).send({ name: 'Taken over' }),
      await t.api
        .patch(`/api/v1/users/${id}`)
        .set(headers)
        .send({ roles: ['viewer'] }),
      await t.api.post(`/api/v1/users/${id}/deactivate`).set(headers),
      await t.api
        .post('/api/v1/users')
        .set(headers)
        .send({
          email: 'intruder@partner.test',
          name: 'Intruder',
          roles: ['admin'],
          organisationId: operatorOrg.id,
          password: TEST_PASSWORD,
        }),
      await t.api
        .post(`/api/v1/organisations/${operatorOrg.id}/admins`)
        .set(headers)
        .send({ email: 'intruder2@partner.test', name: 'Intruder', password: TEST_PASSWORD }),
      await t.api.patch(`/api/v1/organisations/${operatorOrg.id}`).set(headers).send({ active: false }),
      await t.api.patch(`/api/v1/organisations/${operatorOrg.id}`).set(headers).send({ name: 'Renamed' }),
    ];

    expect(answers.map((res) => res.status)).toEqual([404, 404, 404, 400, 403, 404, 404]);
    expect(answers[3]?.body.error.details).toEqual([expect.objectContaining({ field: 'organisationId' })]);
    const admin = await User.findOne({ _id: id, organisationId: operatorOrg.id }).lean();
    expect(admin).toMatchObject({ name: 'Operator admin', roles: ['admin'], active: true });
    expect(await User.countDocuments({ email: /intruder/, organisationId: { $ne: null } })).toBe(0);
    expect(await everywhere(() => Organisation.findById(operatorOrg.id).lean().exec())).toMatchObject({
      name: 'Asar operator',
      active: true,
    });
    const me = await t.api.get('/api/v1/auth/me').set(bearer(operatorAdmin.token));
    expect(me.status).toBe(200);
  });
});
