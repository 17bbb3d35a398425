/**
 * The organisation directory a shipment's planner picks a consignee from: the organisations that share a hub with
 * the caller's today, shown by id, name and type and nothing else.
 */
import { Organisation } from '../../src/modules/organisations/organisations.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();
const API = '/api/v1';

async function membership(operator: string, hubId: string, memberId: string, from: string, until?: string) {
  const res = await t.api
    .post(`${API}/organisations/${hubId}/members`)
    .set(bearer(operator))
    .send({ organisationId: memberId, from, ...(until ? { until } : {}) });
  expect(res.status).toBe(201);
}

/** A hub with three members, one of which left last year, one inactive, and an organisation outside every hub. */
async function deployment() {
  const { token: operator } = await given.user({ role: 'operator' });
  const hub = await given.organisation({ name: 'Almaty City Volunteer Headquarters', type: 'hub' });
  const ours = await given.organisation({ name: 'Asar Humanitarian Logistics', type: 'operator' });
  const ngo = await given.organisation({ name: 'Zhanuya Kamkory', type: 'ngo' });
  await Organisation.updateOne(
    { _id: ngo.id },
    { $set: { contact: { phone: '+7 701 555 55 55', person: 'Aigerim' } } },
  );
  const clinic = await given.organisation({ name: 'Ainabulak social village', type: 'social_institution' });
  const former = await given.organisation({ name: 'Former member', type: 'ngo' });
  const dormant = await given.organisation({ name: 'Dormant member', type: 'ngo', active: false });
  const outsider = await given.organisation({ name: 'Outside every hub', type: 'ngo' });
  for (const member of [ours, ngo, clinic, dormant]) await membership(operator, hub.id, member.id, '2025-01-01');
  await membership(operator, hub.id, former.id, '2024-01-01', '2025-06-01');
  return { hub, ours, ngo, clinic, former, dormant, outsider };
}

const directory = (token: string, query: Record<string, string> = {}) =>
  t.api.get(`${API}/organisations/directory`).query(query).set(bearer(token));

describe('the organisation directory', () => {
  test("when logistics of a hub's member opens it, then the hub's other active members are listed by id, name and type only", async () => {
    const d = await deployment();
    const { token } = await given.user({ role: 'logistics', organisationId: d.ours.id });

    const res = await directory(token);

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { id: d.clinic.id, name: 'Ainabulak social village', type: 'social_institution' },
      { id: d.ngo.id, name: 'Zhanuya Kamkory', type: 'ngo' },
    ]);
    expect(res.body.page.total).toBe(2);
    // Nothing of their records: no BIN, contact, or state.
    const text = JSON.stringify(res.body);
    for (const secret of [d.ngo.bin, '+7 701 555 55 55', 'Aigerim', d.hub.id, d.outsider.id, d.former.id]) {
      expect(text).not.toContain(String(secret));
    }
  });

  test('when the directory is searched by name or type, then only those match', async () => {
    const d = await deployment();
    const { token } = await given.user({ role: 'admin', organisationId: d.ours.id });
    const byName = await directory(token, { q: 'zhanuya' });
    expect(byName.body.data.map((o: { id: string }) => o.id)).toEqual([d.ngo.id]);
    const byType = await directory(token, { type: 'social_institution' });
    expect(byType.body.data.map((o: { id: string }) => o.id)).toEqual([d.clinic.id]);
    const bad = await directory(token, { type: 'bank' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'type' })]);
  });

  test("when a hub's logistics opens it, then its current members are listed; an organisation in no hub sees nobody", async () => {
    const d = await deployment();
    const { token: hubToken } = await given.user({ role: 'logistics', organisationId: d.hub.id });
    const hub = await directory(hubToken);
    expect(hub.body.data.map((o: { name: string }) => o.name)).toEqual([
      'Ainabulak social village',
      'Asar Humanitarian Logistics',
      'Zhanuya Kamkory',
    ]);
    const { token: alone } = await given.user({ role: 'logistics', organisationId: d.outsider.id });
    const none = await directory(alone);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ data: [], page: { total: 0 } });
  });

  test('when a role that plans no shipments asks, or the operator, then it is refused', async () => {
    const d = await deployment();
    for (const role of ['coordinator', 'warehouse', 'viewer'] as const) {
      const { token } = await given.user({ role, organisationId: d.ours.id });
      expect((await directory(token)).status).toBe(403);
    }
    const { token: operator } = await given.user({ role: 'operator' });
    expect((await directory(operator)).status).toBe(403);
  });

  test('when a delivery is planned to an organisation picked from the directory, then it is consigned to it', async () => {
    const d = await deployment();
    const { token } = await given.user({ role: 'logistics', organisationId: d.ours.id });
    const [picked] = (await directory(token, { q: 'Zhanuya' })).body.data;
    const warehouse = await givenInventory.warehouse({}, { organisationId: d.ours.id });
    const res = await t.api
      .post(`${API}/shipments`)
      .set(bearer(token))
      .set('idempotency-key', 'directory-delivery-1')
      .send({
        kind: 'delivery',
        origin: { warehouseId: warehouse.id },
        consignee: { organisationId: picked.id },
        destination: { name: 'Talgar storeroom' },
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ consigneeOrganisationId: d.ngo.id, consignee: { name: 'Zhanuya Kamkory' } });
  });
});
