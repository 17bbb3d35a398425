/**
 * The states of households, rounds, allocations and aid requests through HTTP: each step the table allows, each it
 * refuses (409 INVALID_STATE naming the state), who may take it, and what the database holds afterwards.
 */
import { Types } from 'mongoose';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { AidRequest } from '../../src/modules/distributions/aid-requests.model';
import { Allocation } from '../../src/modules/distributions/distributions.model';
import { Household } from '../../src/modules/households/households.model';
import { HubMembership } from '../../src/modules/organisations/hub-membership.model';
import { Enrolment } from '../../src/modules/programmes/programmes.model';
import { StockBalance, StockReservation } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { setupTestApp } from '../support/app';
import { givenHouseholds } from '../support/given-households';
import { bearer, given } from '../support/given-identity';
import { daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();
const API = '/api/v1';

async function coordinator(name?: string, type?: 'hub') {
  const organisation = await given.organisation({ ...(name ? { name } : {}), ...(type ? { type } : {}) });
  const { token } = await given.user({ role: 'coordinator', organisationId: organisation.id });
  return { organisation, auth: bearer(token) };
}

function post(path: string, auth: Record<string, string>, body: unknown = {}) {
  return t.api
    .post(`${API}${path}`)
    .set(auth)
    .send(body as object);
}

function householdBody() {
  return {
    head: { name: 'Сапарова Гүлнар', birthDate: '1979-06-30', iin: givenHouseholds.iin('1979-06-30', 'f') },
    members: [
      { name: 'Сапаров Ерлан', relation: 'child', birthDate: '2012-03-15', iin: givenHouseholds.iin('2012-03-15') },
    ],
    address: { region: 'karaganda', settlement: 'Қарағанды' },
    vulnerabilities: ['single_parent'],
    legalBasis: { basis: 'consent', purpose: 'Winter support for single-parent households' },
  };
}

async function programmeOf(auth: Record<string, string>, itemId: string, extra: Record<string, unknown> = {}) {
  const res = await post('/programmes', auth, {
    name: 'Winter 2024, Karaganda',
    rounds: [
      {
        name: 'December',
        startsOn: '2024-12-01',
        endsOn: '2024-12-31',
        entitlements: [{ itemId, category: 'bedding', basis: 'member', quantity: 1 }],
      },
    ],
    ...extra,
  });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, roundId: res.body.rounds[0].id as string };
}

describe('a household', () => {
  test('when it is deactivated, then it cannot be enrolled until it is reactivated, and a second deactivation is 409 naming the state', async () => {
    const { auth } = await coordinator();
    const item = await givenInventory.item();
    const programme = await programmeOf(auth, item.id);
    const household = await post('/households', auth, householdBody());
    const off = await post(`/households/${household.body.id}/deactivate`, auth);
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('inactive');
    const twice = await post(`/households/${household.body.id}/deactivate`, auth);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'inactive' } });

    const enrol = (body: unknown) =>
      post(`/programmes/${programme.id}/rounds/${programme.roundId}/enrolments`, auth, body);
    const refused = await enrol({ householdId: household.body.id });
    expect(refused.status).toBe(422);
    expect(await Enrolment.countDocuments({ householdId: household.body.id })).toBe(0);

    expect((await post(`/households/${household.body.id}/reactivate`, auth)).body.status).toBe('active');
    expect((await enrol({ householdId: household.body.id })).status).toBe(201);
    expect(
      await AuditEntry.countDocuments({ targetId: household.body.id, action: /^household\.(de|re)activate$/ }),
    ).toBe(2);
  });

  test('when another organisation tries to deactivate or erase it, then it is 404 and the household is unchanged', async () => {
    const owner = await coordinator();
    const other = await coordinator();
    const household = await post('/households', owner.auth, householdBody());
    expect((await post(`/households/${household.body.id}/deactivate`, other.auth)).status).toBe(404);
    expect((await post(`/households/${household.body.id}/erase`, other.auth, { reason: 'not mine' })).status).toBe(404);
    expect(await Household.findById(household.body.id).lean()).toMatchObject({ status: 'active' });
  });

  test('when an erased household is changed, then it is 409 INVALID_STATE', async () => {
    const { auth } = await coordinator();
    const household = await post('/households', auth, householdBody());
    await post(`/households/${household.body.id}/erase`, auth, { reason: 'The person asked for erasure' });
    const patched = await t.api
      .patch(`${API}/households/${household.body.id}`)
      .set(auth)
      .send({ notes: 'moved to Astana' });
    expect(patched.status).toBe(409);
    expect((await post(`/households/${household.body.id}/reactivate`, auth)).status).toBe(409);
  });
});

describe('a round', () => {
  test('when the lead closes it, then enrolment answers 409, and a participant may not close it (403)', async () => {
    const lead = await coordinator('Astana headquarters', 'hub');
    const ngo = await coordinator('Kamkor');
    await HubMembership.create({
      hubId: lead.organisation.id,
      memberId: ngo.organisation.id,
      from: new Date('2024-01-01'),
    });
    const item = await givenInventory.item();
    const programme = await programmeOf(lead.auth, item.id, { participatingOrganisationIds: [ngo.organisation.id] });
    const path = `/programmes/${programme.id}/rounds/${programme.roundId}`;
    expect((await post(`${path}/close`, ngo.auth)).status).toBe(403);
    const closed = await post(`${path}/close`, lead.auth);
    expect(closed.status).toBe(200);
    expect(closed.body.rounds[0].status).toBe('closed');
    expect((await post(`${path}/close`, lead.auth)).body.error.code).toBe('INVALID_STATE');

    const household = await post('/households', ngo.auth, householdBody());
    const refused = await post(`${path}/enrolments`, ngo.auth, { householdId: household.body.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INVALID_STATE');
    expect(await Enrolment.countDocuments({})).toBe(0);
  });

  test('when an organisation that does not participate reads the programme, then it is 404 as if missing', async () => {
    const lead = await coordinator();
    const stranger = await coordinator();
    const item = await givenInventory.item();
    const programme = await programmeOf(lead.auth, item.id);
    expect((await t.api.get(`${API}/programmes/${programme.id}`).set(stranger.auth)).status).toBe(404);
    expect((await t.api.get(`${API}/programmes`).set(stranger.auth)).body.data).toEqual([]);
  });
});

describe('an allocation', () => {
  test('when it is cancelled, then its reservation is released in the same step, and a second cancel is 409', async () => {
    const { auth, organisation } = await coordinator();
    const { warehouse, item } = await givenInventory.stockOf({ organisationId: organisation.id, quantity: 10 });
    const programme = await programmeOf(auth, item.id);
    const household = await post('/households', auth, householdBody());
    await post(`/programmes/${programme.id}/rounds/${programme.roundId}/enrolments`, auth, {
      householdId: household.body.id,
    });
    const batch = await post('/distribution-batches', auth, {
      programmeId: programme.id,
      roundId: programme.roundId,
      warehouseId: warehouse.id,
      site: { name: 'School No. 5', region: 'karaganda', settlement: 'Қарағанды' },
      plannedOn: '2024-12-05',
    });
    const allocated = await post(`/distribution-batches/${batch.body.id}/allocations`, auth, {
      householdIds: [household.body.id],
    });
    const allocation = allocated.body.allocated[0];
    expect(allocation.lines[0]).toMatchObject({ entitled: 2, reserved: 2 });
    expect(await StockBalance.findOne({ itemId: new Types.ObjectId(item.id) }).lean()).toMatchObject({ reserved: 2 });

    const cancelled = await post(`/allocations/${allocation.id}/cancel`, auth, { reason: 'The family moved away' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await StockBalance.findOne({ itemId: new Types.ObjectId(item.id) }).lean()).toMatchObject({
      onHand: 10,
      reserved: 0,
    });
    expect(await StockReservation.countDocuments({ 'source.id': allocation.id, status: 'open' })).toBe(0);
    const again = await post(`/allocations/${allocation.id}/cancel`, auth, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'cancelled' } });
    expect(await Allocation.findById(allocation.id).lean()).toMatchObject({ status: 'cancelled', active: false });
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe("a distribution day's hold", () => {
  /** A day planned `daysAgo` days ago (holdUntil as given, else the default), one household allocated 2 blankets. */
  async function dayWithAllocation(
    auth: Record<string, string>,
    organisationId: string,
    daysAgo: number,
    holdUntil?: string,
  ) {
    const { warehouse, item } = await givenInventory.stockOf({ organisationId, quantity: 10 });
    const programme = await programmeOf(auth, item.id);
    const household = await post('/households', auth, householdBody());
    await post(`/programmes/${programme.id}/rounds/${programme.roundId}/enrolments`, auth, {
      householdId: household.body.id,
    });
    const plannedOn = daysFromToday(-daysAgo).toISOString().slice(0, 10);
    const batch = await post('/distribution-batches', auth, {
      programmeId: programme.id,
      roundId: programme.roundId,
      warehouseId: warehouse.id,
      site: { name: 'School No. 5', region: 'karaganda', settlement: 'Қарағанды' },
      plannedOn,
      ...(holdUntil ? { holdUntil } : {}),
    });
    expect(batch.status).toBe(201);
    const allocated = await post(`/distribution-batches/${batch.body.id}/allocations`, auth, {
      householdIds: [household.body.id],
    });
    return { batch: batch.body, allocation: allocated.body.allocated[0], item };
  }

  async function runJob(name: string) {
    const { token } = await given.user({ role: 'operator' });
    const res = await post(`/jobs/${name}/run`, bearer(token));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('succeeded');
    return res.body;
  }

  test('when a day is planned, then it holds its allocations for a week after the day unless told otherwise, and a hold before the day is 400', async () => {
    const { auth, organisation } = await coordinator();
    const { batch } = await dayWithAllocation(auth, organisation.id, 0);
    const day = new Date(`${batch.plannedOn.slice(0, 10)}T00:00:00Z`).getTime();
    expect(new Date(batch.holdUntil).getTime()).toBe(day + 8 * 24 * 3600_000);

    const early = await post('/distribution-batches', auth, {
      programmeId: batch.programmeId,
      roundId: batch.roundId,
      warehouseId: batch.warehouseId,
      site: batch.site,
      plannedOn: '2024-12-05',
      holdUntil: '2024-12-04',
    });
    expect(early.status).toBe(400);
    expect(early.body.error.details).toEqual([expect.objectContaining({ field: 'holdUntil' })]);
  });

  test('when its hold has passed, then the allocations-expiry job closes the day and releases what was not collected; a day still held keeps its reservations', async () => {
    const { auth, organisation } = await coordinator();
    const past = await dayWithAllocation(auth, organisation.id, 10);
    const held = await dayWithAllocation(auth, organisation.id, 10, daysFromToday(2).toISOString());
    for (const { item } of [past, held]) {
      expect(await StockBalance.findOne({ itemId: new Types.ObjectId(item.id) }).lean()).toMatchObject({ reserved: 2 });
    }

    const run = await runJob('allocations-expiry');
    expect(run.result).toMatchObject({ closed: 1, days: past.batch.number });

    expect(await StockBalance.findOne({ itemId: new Types.ObjectId(past.item.id) }).lean()).toMatchObject({
      onHand: 10,
      reserved: 0,
    });
    expect(await Allocation.findById(past.allocation.id).lean()).toMatchObject({
      status: 'cancelled',
      cancelReason: 'not collected',
    });
    const closed = await t.api.get(`${API}/distribution-batches/${past.batch.id}/reconciliation`).set(auth);
    expect(closed.body.batch).toMatchObject({ status: 'closed', rest: 'released' });
    expect(closed.body.households).toMatchObject({ allocated: 0, served: 0 });
    expect(await AuditEntry.countDocuments({ action: 'distribution_batch.close', targetId: past.batch.id })).toBe(1);

    expect(await StockBalance.findOne({ itemId: new Types.ObjectId(held.item.id) }).lean()).toMatchObject({
      reserved: 2,
    });
    expect(await Allocation.findById(held.allocation.id).lean()).toMatchObject({ status: 'reserved' });

    // Run again: nothing more to close.
    expect((await runJob('allocations-expiry')).result).toMatchObject({ closed: 0 });
    expect(await findInvariantViolations()).toEqual([]);
  });
});

describe('an aid request within a programme', () => {
  test("when the programme's lead decides it with its own warehouse, then the requester sees the decision, and a third organisation sees nothing", async () => {
    const salem = await coordinator('Salem Social Village', 'hub');
    const ngo = await coordinator('28 Loops');
    await HubMembership.create({
      hubId: salem.organisation.id,
      memberId: ngo.organisation.id,
      from: new Date('2024-01-01'),
    });
    const storekeeper = await given.user({ role: 'warehouse', organisationId: salem.organisation.id });
    const third = await coordinator('Meirim');
    const warehouse = await givenInventory.warehouse({}, { organisationId: salem.organisation.id });
    const item = await givenInventory.item();
    const programme = await programmeOf(salem.auth, item.id, { participatingOrganisationIds: [ngo.organisation.id] });
    const ngoWarehouse = await givenInventory.warehouse({}, { organisationId: ngo.organisation.id });
    const body = {
      programmeId: programme.id,
      purpose: 'Blankets for the winter',
      neededBy: '2024-12-01',
      lines: [{ itemId: item.id, quantity: 10 }],
    };

    const bad = await post('/aid-requests', ngo.auth, { ...body, warehouseId: ngoWarehouse.id });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'warehouseId' })]);
    const request = await post('/aid-requests', ngo.auth, body);
    expect(request.status).toBe(201);
    expect(request.body).toMatchObject({
      status: 'submitted',
      warehouseId: null,
      servingOrganisationId: salem.organisation.id,
    });
    expect((await post('/aid-requests', third.auth, body)).status).toBe(404);

    const decide = (auth: Record<string, string>, decision: unknown) =>
      post(`/aid-requests/${request.body.id}/decision`, auth, decision);
    const outsider = await given.user({ role: 'warehouse', organisationId: third.organisation.id });
    const byOutsider = await decide(bearer(outsider.token), {
      warehouseId: warehouse.id,
      lines: [{ itemId: item.id, approved: 10 }],
    });
    expect(byOutsider.status).toBe(404);
    const noWarehouse = await decide(bearer(storekeeper.token), { lines: [{ itemId: item.id, approved: 6 }] });
    expect(noWarehouse.status).toBe(400);
    const decided = await decide(bearer(storekeeper.token), {
      warehouseId: warehouse.id,
      lines: [{ itemId: item.id, approved: 6 }],
      note: 'Six now, the rest in January',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'partly_approved', warehouseId: warehouse.id });
    const twice = await decide(bearer(storekeeper.token), {
      warehouseId: warehouse.id,
      lines: [{ itemId: item.id, approved: 6 }],
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'partly_approved' } });

    const seen = await t.api.get(`${API}/aid-requests/${request.body.id}`).set(ngo.auth);
    expect(seen.body.lines[0]).toMatchObject({ requested: 10, approved: 6, delivered: 0, outstanding: 6 });
    expect((await t.api.get(`${API}/aid-requests/${request.body.id}`).set(third.auth)).status).toBe(404);
    expect((await t.api.get(`${API}/aid-requests`).set(third.auth)).body.data).toEqual([]);

    // A shipment the serving organisation does not hold is answered as missing, and nothing is recorded.
    const madeUp = await post(`/aid-requests/${request.body.id}/shipments`, bearer(storekeeper.token), {
      shipmentId: new Types.ObjectId().toHexString(),
      delivered: [{ itemId: item.id, quantity: 6 }],
    });
    expect(madeUp.status).toBe(404);
    expect(await AidRequest.findById(request.body.id).lean()).toMatchObject({
      status: 'partly_approved',
      fulfilments: [],
      organisationId: new Types.ObjectId(ngo.organisation.id),
    });
  });
});
