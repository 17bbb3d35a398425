/**
 * The list of distribution days a coordinator opens at the site: the organisation's own days only, the latest
 * planned first, filtered by state, dates, site and round, each with how many households it serves and how many
 * have been handed their goods.
 */
import { Types } from 'mongoose';
import { DistributionBatch } from '../../src/modules/distributions/distributions.model';
import { setupTestApp } from '../support/app';
import { givenHouseholds } from '../support/given-households';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const t = setupTestApp();
const API = '/api/v1';

async function post(path: string, auth: Record<string, string>, body: unknown) {
  const res = await t.api
    .post(`${API}${path}`)
    .set(auth)
    .send(body as object);
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** An organisation with a programme round, a warehouse of food baskets and two enrolled households. */
async function organisationWithRound(name: string) {
  const organisation = await given.organisation({ name });
  const { token } = await given.user({ role: 'coordinator', organisationId: organisation.id });
  const auth = bearer(token);
  const { warehouse, item } = await givenInventory.stockOf({
    organisationId: organisation.id,
    quantity: 10,
    itemOverrides: { category: 'food', baseUnit: 'kit', packs: [] },
  });
  const programme = await post('/programmes', auth, {
    name: `${name} winter`,
    rounds: [
      {
        name: 'December',
        startsOn: '2026-12-01',
        endsOn: '2026-12-31',
        entitlements: [{ itemId: item.id, category: 'food', basis: 'household', quantity: 1 }],
      },
    ],
  });
  const roundId: string = programme.rounds[0].id;
  const households: { id: string; iin: string }[] = [];
  for (const head of ['Әлиева Дана', 'Омаров Ерлан']) {
    const iin = givenHouseholds.iin('1980-01-01');
    const household = await post('/households', auth, {
      head: { name: head, birthDate: '1980-01-01', iin, phone: null },
      address: { region: 'almaty_region', settlement: 'Талғар' },
      vulnerabilities: ['low_income'],
      legalBasis: { basis: 'consent', purpose: 'Winter food baskets' },
    });
    await post(`/programmes/${programme.id}/rounds/${roundId}/enrolments`, auth, { householdId: household.id });
    households.push({ id: household.id, iin });
  }
  const day = (site: string, settlement: string, plannedOn: string) =>
    post('/distribution-batches', auth, {
      programmeId: programme.id,
      roundId,
      warehouseId: warehouse.id,
      site: { name: site, region: 'almaty_region', settlement },
      plannedOn,
    });
  return { organisation, auth, roundId, households, day };
}

const list = (auth: Record<string, string>, query: Record<string, string> = {}) =>
  t.api.get(`${API}/distribution-batches`).query(query).set(auth);

describe('the list of distribution days', () => {
  test("when a coordinator lists the days, then the organisation's own come the latest planned first, with their households and hand-overs counted", async () => {
    const ngo = await organisationWithRound('Zhanuya');
    const other = await organisationWithRound('Meirim');
    const gym = await ngo.day('School No. 54 gym', 'Талғар', '2026-12-15');
    await ngo.day('Culture house', 'Бесағаш', '2026-12-10');
    await other.day('Other NGO site', 'Талғар', '2026-12-15');
    const [first] = ngo.households;
    await post(`/distribution-batches/${gym.id}/allocations`, ngo.auth, {
      householdIds: ngo.households.map((h) => h.id),
    });
    const due = await t.api.get(`${API}/distribution-batches/${gym.id}/due`).set(ngo.auth);
    const row = due.body.rows.find((r: { householdId: string }) => r.householdId === first?.id);
    await post(`/allocations/${row.allocationId}/hand-over`, ngo.auth, {
      outcome: 'all',
      receivedBy: { kind: 'head', iin: first?.iin, name: null },
      proof: { kind: 'paper', sheet: 'DL-1' },
    });

    const res = await list(ngo.auth);

    expect(res.status).toBe(200);
    expect(res.body.page).toEqual({ limit: expect.any(Number), offset: 0, total: 2 });
    expect(res.body.data.map((d: { site: { name: string } }) => d.site.name)).toEqual([
      'School No. 54 gym',
      'Culture house',
    ]);
    expect(res.body.data[0]).toMatchObject({
      id: gym.id,
      number: gym.number,
      status: 'open',
      households: 2,
      handedOver: 1,
    });
    expect(res.body.data[1]).toMatchObject({ households: 0, handedOver: 0 });
    expect(JSON.stringify(res.body)).not.toContain('Other NGO site');
    expect(await DistributionBatch.countDocuments({})).toBe(3);
  });

  test("when the days are filtered on today's date, a site, a state or a round, then only those match", async () => {
    const ngo = await organisationWithRound('Zhanuya');
    const gym = await ngo.day('School No. 54 gym', 'Талғар', '2026-12-15');
    const hall = await ngo.day('Culture house', 'Бесағаш', '2026-12-16');
    await ngo.day('Akimat hall', 'Талғар', '2026-11-30');
    await post(`/distribution-batches/${hall.id}/close`, ngo.auth, { rest: 'release' });

    const ids = async (query: Record<string, string>) => {
      const res = await list(ngo.auth, query);
      expect(res.status).toBe(200);
      return res.body.data.map((d: { id: string }) => d.id);
    };

    expect(await ids({ plannedFrom: '2026-12-15', plannedTo: '2026-12-15' })).toEqual([gym.id]);
    expect(await ids({ plannedFrom: '2026-12-01' })).toEqual([hall.id, gym.id]);
    expect(await ids({ site: 'бесағаш' })).toEqual([hall.id]);
    expect(await ids({ site: 'gym' })).toEqual([gym.id]);
    expect(await ids({ status: 'closed' })).toEqual([hall.id]);
    expect(await ids({ roundId: ngo.roundId, status: 'open', limit: '1' })).toEqual([gym.id]);
    expect(await ids({ roundId: new Types.ObjectId().toHexString() })).toEqual([]);
  });

  test('when a filter is malformed, then it answers 400 naming the field', async () => {
    const ngo = await organisationWithRound('Zhanuya');
    const reversed = await list(ngo.auth, { plannedFrom: '2026-12-15', plannedTo: '2026-12-01' });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details).toEqual([expect.objectContaining({ field: 'plannedTo' })]);
    const state = await list(ngo.auth, { status: 'planned' });
    expect(state.status).toBe(400);
    expect(state.body.error.details).toEqual([expect.objectContaining({ field: 'status' })]);
  });

  test('when a logistics officer, who holds no distribution rights, asks, then it is refused', async () => {
    const { token } = await given.user({ role: 'logistics' });
    const res = await list(bearer(token));
    expect(res.status).toBe(403);
  });
});
