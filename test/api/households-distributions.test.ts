/**
 * The four cases of issue 12, end to end through HTTP, checking the database after each step:
 *   1. Almaty, January 2022: a list of residents in need, food baskets, a paper distribution list filled in later;
 *   2. the Mamyrbaev family, displaced by the 2024 floods: beds, mattresses and clothes by household size, a
 *      signature captured on a touch screen, the household's receipt;
 *   3. "28 Loops": knitted clothing for premature newborns to a maternity ward (an institution), taken by a proxy;
 *   4. a headquarters' programme with two NGOs: the family registered with both is refused the second time (409).
 */
import { Writable } from 'node:stream';
import { Types } from 'mongoose';
import { makeQrCode } from '../../src/documents/layout';
import { createLogger } from '../../src/logger';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { Allocation, HandOver, Signature } from '../../src/modules/distributions/distributions.model';
import { Household } from '../../src/modules/households/households.model';
import { AidClaim, Enrolment } from '../../src/modules/programmes/programmes.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { open } from '../../src/personal-data/personal-data';
import { normalizeSpaces, readPdfText } from '../documents/read-pdf';
import { setupTestApp } from '../support/app';
import { givenHouseholds } from '../support/given-households';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const logLines: string[] = [];
const logger = createLogger(
  'trace',
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);
const t = setupTestApp({ logger });
const API = '/api/v1';

async function coordinator(name?: string, type?: 'hub') {
  const organisation = await given.organisation({ ...(name ? { name } : {}), ...(type ? { type } : {}) });
  const { token, user } = await given.user({ role: 'coordinator', organisationId: organisation.id });
  return { organisation, token, user, auth: bearer(token) };
}

function householdBody(overrides: Record<string, unknown> = {}) {
  return {
    head: { name: 'Мамырбаев Айдар', birthDate: '1985-04-12', iin: givenHouseholds.iin(), phone: '+7 701 123 45 67' },
    members: [
      {
        name: 'Мамырбаева Әсел',
        relation: 'spouse',
        birthDate: '1988-02-03',
        iin: givenHouseholds.iin('1988-02-03', 'f'),
      },
      { name: 'Нұрлан', relation: 'child', birthDate: '2015-09-01' },
      { relation: 'child', ageBand: '1-4' },
    ],
    address: { region: 'almaty_region', settlement: 'Талғар', line: 'Абай көшесі 12' },
    vulnerabilities: ['displaced_by_disaster'],
    legalBasis: { basis: 'vital_interest', purpose: 'Flood response 2024: food and household items' },
    ...overrides,
  };
}

async function post(path: string, auth: Record<string, string>, body: unknown) {
  return t.api
    .post(`${API}${path}`)
    .set(auth)
    .send(body as object);
}

describe('the household registry', () => {
  test('when a coordinator registers a household, then it answers masked, stores the IIN and phone sealed and derives the size', async () => {
    const { auth, organisation } = await coordinator();
    const body = householdBody();
    const res = await post('/households', auth, body);
    expect(res.status).toBe(201);
    expect(res.body.head.iin).toBe(`******${body.head.iin.slice(-4)}`);
    expect(res.body.head.phone).toBe('******4567');
    expect(res.body.size).toBe(4);
    const stored = await Household.findById(res.body.id).lean();
    expect(String(stored?.organisationId)).toBe(organisation.id);
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(body.head.iin);
    expect(raw).not.toContain('7011234567');
    expect(raw).not.toContain('Абай көшесі');
    expect(stored?.iinHashes).toHaveLength(2);
  });

  test('when the IIN check digit is wrong, then it answers 400 naming the field and stores nothing', async () => {
    const { auth } = await coordinator();
    const body = householdBody();
    const wrong = `${body.head.iin.slice(0, 11)}${(Number(body.head.iin[11]) + 1) % 10}`;
    const res = await post('/households', auth, { ...body, head: { ...body.head, iin: wrong } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'head.iin' })]);
    expect(JSON.stringify(res.body)).not.toContain(wrong);
    expect(await Household.countDocuments()).toBe(0);
  });

  test('when another organisation asks for a household, then it is 404 as if missing, and lists do not show it', async () => {
    const owner = await coordinator();
    const other = await coordinator();
    const created = await post('/households', owner.auth, householdBody());
    const res = await t.api.get(`${API}/households/${created.body.id}`).set(other.auth);
    expect(res.status).toBe(404);
    const list = await t.api.get(`${API}/households`).set(other.auth);
    expect(list.body.data).toEqual([]);
  });

  test('when the owning coordinator reveals the personal data, then it is in clear and the reveal is audited', async () => {
    const { auth } = await coordinator();
    const body = householdBody();
    const created = await post('/households', auth, body);
    const res = await t.api.get(`${API}/households/${created.body.id}/personal-data`).set(auth);
    expect(res.status).toBe(200);
    expect(res.body.head.iin).toBe(body.head.iin);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await AuditEntry.countDocuments({ action: 'household.reveal', targetId: created.body.id })).toBe(1);
  });

  test('when a household is found by IIN, then the keyed hash matches it without decrypting the registry', async () => {
    const { auth } = await coordinator();
    const body = householdBody();
    await post('/households', auth, body);
    await post('/households', auth, householdBody());
    const res = await t.api.get(`${API}/households`).query({ iin: body.members[0]?.iin }).set(auth);
    expect(res.body.data).toHaveLength(1);
  });

  test('when a household is erased, then its personal data goes and its hand-over counts stay', async () => {
    const { auth } = await coordinator();
    const created = await post('/households', auth, householdBody());
    const res = await post(`/households/${created.body.id}/erase`, auth, { reason: 'The person asked for erasure' });
    expect(res.status).toBe(200);
    const stored = await Household.findById(created.body.id).lean();
    expect(stored).toMatchObject({
      status: 'erased',
      head: null,
      iinHashes: [],
      size: 4,
      address: { settlement: 'Талғар', line: null },
    });
    expect(stored?.members.every((m) => m.name === null && m.iin === null)).toBe(true);
  });
});

describe('the four cases of the issue', () => {
  test('when Almaty volunteers hand out food baskets from a list of residents in need, then the paper list is filled in in one call and stock leaves against the reservations', async () => {
    const { auth, organisation } = await coordinator('Almaty volunteers');
    const { warehouse, item: basket } = await givenInventory.stockOf({
      organisationId: organisation.id,
      quantity: 30,
      itemOverrides: {
        name: { kk: 'Азық-түлік себеті', ru: 'Продуктовый набор', en: 'Food basket' },
        category: 'food',
        baseUnit: 'kit',
        packs: [],
      },
    });
    const households = [];
    for (let i = 0; i < 12; i++) {
      const res = await post('/households', auth, {
        head: { name: `Тұрғын ${i + 1}`, birthDate: '1950-01-01', iin: givenHouseholds.iin('1950-01-01'), phone: null },
        address: { region: 'almaty_city', settlement: i % 2 ? 'Алмалы' : 'Әуезов' },
        vulnerabilities: ['lone_pensioner'],
        legalBasis: { basis: 'vital_interest', purpose: 'January 2022: food baskets for residents in need' },
      });
      expect(res.status).toBe(201);
      households.push(res.body.id as string);
    }
    const programme = await post('/programmes', auth, {
      name: 'Almaty, January 2022: food baskets',
      eligibility: { vulnerabilities: ['lone_pensioner', 'low_income'] },
      rounds: [
        {
          name: 'January',
          startsOn: '2022-01-06',
          endsOn: '2022-01-31',
          entitlements: [{ itemId: basket.id, category: 'food', basis: 'household', quantity: 1 }],
        },
      ],
    });
    expect(programme.status).toBe(201);
    const roundId = programme.body.rounds[0].id;
    const enrol = await post(`/programmes/${programme.body.id}/rounds/${roundId}/enrolments/bulk`, auth, {
      householdIds: households,
    });
    expect(enrol.status).toBe(200);
    expect(enrol.body.enrolled).toHaveLength(12);

    const batch = await post('/distribution-batches', auth, {
      programmeId: programme.body.id,
      roundId,
      warehouseId: warehouse.id,
      site: { name: 'School No. 12', region: 'almaty_city', settlement: 'Алмалы' },
      plannedOn: '2022-01-08',
    });
    expect(batch.status).toBe(201);
    const allocated = await post(`/distribution-batches/${batch.body.id}/allocations`, auth, {
      householdIds: households,
    });
    expect(allocated.status).toBe(200);
    expect(allocated.body.allocated).toHaveLength(12);
    const balance = await StockBalance.findOne({ itemId: new Types.ObjectId(basket.id) }).lean();
    expect(balance?.onHand).toBe(30);
    expect(balance?.reserved).toBe(12);

    const list = await t.api.get(`${API}/distribution-batches/${batch.body.id}/distribution-list.pdf`).set(auth);
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toContain('application/pdf');
    const text = normalizeSpaces((await readPdfText(list.body as Buffer)).pages.join('\n'));
    expect(text).toContain('Гуманитарлық көмекті тарату тізімі');
    expect(text).toContain('Елді мекен: Алмалы');
    expect(text).toContain('Елді мекен: Әуезов');
    expect(text).toContain('Қолы / саусақ ізі');

    const due = await t.api.get(`${API}/distribution-batches/${batch.body.id}/due`).set(auth);
    const heads = await Household.find({ _id: { $in: households } }).lean();
    const rows = due.body.rows.slice(0, 11).map((row: { allocationId: string; householdId: string }) => ({
      allocationId: row.allocationId,
      outcome: 'all',
      receivedBy: { kind: 'head', iin: iinOf(heads, row.householdId) },
    }));
    const sheet = await post(`/distribution-batches/${batch.body.id}/paper-sheet`, auth, { sheet: 'ALM-0108/1', rows });
    expect(sheet.status).toBe(200);
    expect(sheet.body.recorded).toHaveLength(11);
    expect(await HandOver.countDocuments({ 'proof.sheet': 'ALM-0108/1' })).toBe(11);

    const reconciliation = await t.api.get(`${API}/distribution-batches/${batch.body.id}/reconciliation`).set(auth);
    expect(reconciliation.body.lines).toEqual([
      expect.objectContaining({ reserved: 12, distributed: 11, remaining: 1 }),
    ]);
    const closed = await post(`/distribution-batches/${batch.body.id}/close`, auth, { rest: 'release' });
    expect(closed.status).toBe(200);
    const after = await StockBalance.findOne({ itemId: new Types.ObjectId(basket.id) }).lean();
    expect(after).toMatchObject({ onHand: 19, reserved: 0 });
    expect(await LedgerEntry.countDocuments({ itemId: new Types.ObjectId(basket.id), type: 'issue' })).toBe(11);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when the Mamyrbaev family displaced by the floods receives beds, mattresses and clothes by size, then the hand-over with a captured signature issues stock and the receipt reads back', async () => {
    const { auth, organisation } = await coordinator('Zhanuya Kamkory');
    const warehouse = await givenInventory.warehouse({}, { organisationId: organisation.id });
    const bed = (
      await givenInventory.stockOf({
        warehouse,
        quantity: 10,
        itemOverrides: { name: { kk: 'Кереует', ru: 'Кровать', en: 'Bed' }, category: 'furniture', packs: [] },
      })
    ).item;
    const mattress = (
      await givenInventory.stockOf({
        warehouse,
        quantity: 3,
        itemOverrides: { name: { kk: 'Матрас', ru: 'Матрас', en: 'Mattress' }, category: 'bedding', packs: [] },
      })
    ).item;
    const household = await post(
      '/households',
      auth,
      householdBody({ notes: 'Moved from Karaganda after the 2024 floods' }),
    );
    const programme = await post('/programmes', auth, {
      name: 'Flood response 2024, Karaganda region',
      eligibility: { vulnerabilities: ['displaced_by_disaster'] },
      rounds: [
        {
          name: 'Relocation kit',
          startsOn: '2024-04-15',
          endsOn: '2024-06-30',
          entitlements: [
            {
              itemId: bed.id,
              category: 'furniture',
              basis: 'size_band',
              bands: [
                { minSize: 1, maxSize: 2, quantity: 1 },
                { minSize: 3, maxSize: null, quantity: 2 },
              ],
            },
            { itemId: mattress.id, category: 'bedding', basis: 'member', quantity: 1 },
          ],
        },
      ],
    });
    const roundId = programme.body.rounds[0].id;
    const enrolled = await post(`/programmes/${programme.body.id}/rounds/${roundId}/enrolments`, auth, {
      householdId: household.body.id,
    });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.entitlement).toEqual(
      expect.arrayContaining([
        { itemId: bed.id, category: 'furniture', quantity: 2 },
        { itemId: mattress.id, category: 'bedding', quantity: 4 },
      ]),
    );
    const batch = await post('/distribution-batches', auth, {
      programmeId: programme.body.id,
      roundId,
      warehouseId: warehouse.id,
      site: { name: 'Talgar akimat yard', region: 'almaty_region', settlement: 'Талғар' },
      plannedOn: '2024-05-20',
    });
    const allocated = await post(`/distribution-batches/${batch.body.id}/allocations`, auth, {
      householdIds: [household.body.id],
    });
    const allocation = allocated.body.allocated[0];
    // Only 3 mattresses in stock for 4 people: the due list shows the shortage.
    expect(allocation.lines).toEqual(
      expect.arrayContaining([expect.objectContaining({ itemId: mattress.id, entitled: 4, reserved: 3, short: 1 })]),
    );
    expect(allocation.short).toBe(true);

    const stored = await Household.findById(household.body.id).lean();
    const headIin = (await t.api.get(`${API}/households/${household.body.id}/personal-data`).set(auth)).body.head.iin;
    expect(stored?.head?.iin).not.toBe(headIin);
    const signature = makeQrCode('signature stand-in');
    const res = await post(`/allocations/${allocation.id}/hand-over`, auth, {
      outcome: 'all',
      receivedBy: { kind: 'head', iin: headIin },
      proof: { kind: 'image', png: (await signature).toString('base64') },
    });
    expect(res.status).toBe(201);
    expect(await Signature.countDocuments({ handOverId: new Types.ObjectId(res.body.id) })).toBe(1);
    expect(await Allocation.findById(allocation.id).lean()).toMatchObject({ status: 'handed_over' });
    expect(await StockBalance.findOne({ itemId: new Types.ObjectId(mattress.id) }).lean()).toMatchObject({
      onHand: 0,
      reserved: 0,
    });

    const again = await post(`/allocations/${allocation.id}/hand-over`, auth, {
      outcome: 'all',
      receivedBy: { kind: 'head', iin: headIin },
      proof: { kind: 'paper', sheet: '1' },
    });
    expect(again.status).toBe(409);
    expect(await HandOver.countDocuments({ allocationId: new Types.ObjectId(allocation.id) })).toBe(1);

    const receipt = await t.api.get(`${API}/hand-overs/${res.body.id}/receipt.pdf`).query({ lang: 'kk' }).set(auth);
    expect(receipt.status).toBe(200);
    const text = normalizeSpaces((await readPdfText(receipt.body as Buffer)).pages.join('\n'));
    expect(text).toContain('Гуманитарлық көмек алушының қолхаты');
    expect(text).toContain('Кереует');
    expect(text).toContain(`******${headIin.slice(-4)}`);
    expect(text).not.toContain(headIin);
    expect(await findInvariantViolations()).toEqual([]);
  });

  test('when knitted clothing for premature newborns goes to a maternity ward, then the institution receives per beneficiary and a proxy signs with a checked IIN', async () => {
    const { auth, organisation } = await coordinator('28 Loops');
    const { warehouse, item: hat } = await givenInventory.stockOf({
      organisationId: organisation.id,
      quantity: 50,
      itemOverrides: {
        name: { kk: 'Тоқыма қалпақ', ru: 'Вязаная шапочка', en: 'Knitted hat' },
        category: 'clothing',
        packs: [],
      },
    });
    const ward = await post('/households', auth, {
      kind: 'institution',
      institution: {
        name: 'City maternity hospital No. 1, premature ward',
        type: 'maternity_ward',
        beneficiaries: 20,
        contactName: 'Head nurse',
        phone: '+7 727 000 00 00'.replace('727', '701'),
      },
      address: { region: 'almaty_city', settlement: 'Almaty' },
      legalBasis: { basis: 'public_task', purpose: 'Clothing for premature newborns' },
    });
    expect(ward.status).toBe(201);
    expect(ward.body).toMatchObject({ kind: 'institution', size: 20, head: null });
    const programme = await post('/programmes', auth, {
      name: '28 Loops: knitted clothing for premature newborns',
      rounds: [
        {
          name: 'Winter',
          startsOn: '2024-11-01',
          endsOn: '2025-02-28',
          entitlements: [{ itemId: hat.id, category: 'clothing', basis: 'member', quantity: 1 }],
        },
      ],
    });
    const roundId = programme.body.rounds[0].id;
    await post(`/programmes/${programme.body.id}/rounds/${roundId}/enrolments`, auth, { householdId: ward.body.id });
    const batch = await post('/distribution-batches', auth, {
      programmeId: programme.body.id,
      roundId,
      warehouseId: warehouse.id,
      site: { name: 'Maternity hospital No. 1', region: 'almaty_city', settlement: 'Almaty' },
      plannedOn: '2024-11-15',
    });
    const allocation = (
      await post(`/distribution-batches/${batch.body.id}/allocations`, auth, { householdIds: [ward.body.id] })
    ).body.allocated[0];
    expect(allocation.lines[0]).toMatchObject({ entitled: 20, reserved: 20 });

    const badProxy = await post(`/allocations/${allocation.id}/hand-over`, auth, {
      outcome: 'part',
      lines: [{ itemId: hat.id, quantity: 18 }],
      reason: 'Two hats were too small',
      receivedBy: { kind: 'proxy', iin: '900101300018', name: 'Гүлнар Сапарова' },
      proof: { kind: 'paper', sheet: 'MH-1' },
    });
    expect(badProxy.status).toBe(400);
    expect(badProxy.body.error.details).toEqual([expect.objectContaining({ field: 'receivedBy.iin' })]);

    const res = await post(`/allocations/${allocation.id}/hand-over`, auth, {
      outcome: 'part',
      lines: [{ itemId: hat.id, quantity: 18 }],
      reason: 'Two hats were too small',
      receivedBy: { kind: 'proxy', iin: givenHouseholds.iin('1979-06-30', 'f'), name: 'Гүлнар Сапарова' },
      proof: { kind: 'paper', sheet: 'MH-1' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ outcome: 'part', receivedBy: { kind: 'proxy', name: 'Гүлнар Сапарова' } });
    expect(await StockBalance.findOne({ itemId: new Types.ObjectId(hat.id) }).lean()).toMatchObject({
      onHand: 32,
      reserved: 2,
    });
    const kept = await post(`/distribution-batches/${batch.body.id}/close`, auth, { rest: 'keep' });
    expect(kept.body.lines[0]).toMatchObject({ reserved: 20, distributed: 18, remaining: 2 });
    expect(await findInvariantViolations()).toEqual([]);

    // The request the ward's NGO made to the warehouse: approved in part, and it shows what was delivered.
    const request = await post('/aid-requests', auth, {
      warehouseId: warehouse.id,
      programmeId: programme.body.id,
      institutionId: ward.body.id,
      purpose: 'Hats for the premature ward, winter',
      neededBy: '2024-11-30',
      lines: [{ itemId: hat.id, quantity: 25 }],
    });
    expect(request.status).toBe(201);
    const storekeeper = await given.user({ role: 'warehouse', organisationId: organisation.id });
    const decided = await post(`/aid-requests/${request.body.id}/decision`, bearer(storekeeper.token), {
      lines: [{ itemId: hat.id, approved: 20 }],
      note: 'Only 20 can be spared this month',
    });
    expect(decided.body).toMatchObject({
      status: 'partly_approved',
      lines: [{ requested: 25, approved: 20, delivered: 0 }],
    });
    const fulfilled = await post(`/aid-requests/${request.body.id}/allocations`, auth, { batchId: batch.body.id });
    expect(fulfilled.status).toBe(200);
    expect(fulfilled.body.lines[0]).toMatchObject({ approved: 20, delivered: 18, outstanding: 2 });
    expect((await t.api.get(`${API}/aid-requests/${request.body.id}`).set(auth)).body.fulfilments).toHaveLength(1);
  });

  test('when a family registered with two of the headquarters NGOs is enrolled by the second, then it answers 409 DUPLICATE_AID and a supervisor may override it', async () => {
    const hq = await coordinator('Astana volunteer headquarters', 'hub');
    const ngoA = await coordinator('Love Kazakhstan');
    const ngoB = await coordinator('Kamkor');
    const operator = await given.user({ role: 'operator' });
    for (const member of [ngoA, ngoB]) {
      const joined = await post(`/organisations/${hq.organisation.id}/members`, bearer(operator.token), {
        organisationId: member.organisation.id,
        from: '2024-01-01',
      });
      expect(joined.status).toBe(201);
    }
    const item = await givenInventory.item();
    const programme = await post('/programmes', hq.auth, {
      name: 'Astana winter 2024',
      participatingOrganisationIds: [ngoA.organisation.id, ngoB.organisation.id],
      rounds: [
        {
          name: 'December',
          startsOn: '2024-12-01',
          endsOn: '2024-12-31',
          entitlements: [{ itemId: item.id, category: 'food', basis: 'household', quantity: 1 }],
        },
      ],
    });
    const roundId = programme.body.rounds[0].id;
    const body = householdBody();
    const inA = await post('/households', ngoA.auth, body);
    const inB = await post('/households', ngoB.auth, { ...body, head: { ...body.head, phone: null } });
    expect(
      (
        await post(`/programmes/${programme.body.id}/rounds/${roundId}/enrolments`, ngoA.auth, {
          householdId: inA.body.id,
        })
      ).status,
    ).toBe(201);
    const refused = await post(`/programmes/${programme.body.id}/rounds/${roundId}/enrolments`, ngoB.auth, {
      householdId: inB.body.id,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'DUPLICATE_AID', details: { roundId, roundName: 'December' } });
    expect(refused.body.error.message).toContain('December');
    const answer = JSON.stringify(refused.body);
    for (const secret of [body.head.iin, body.members[0]?.iin as string, 'Мамырбаев', 'Love Kazakhstan', inA.body.id]) {
      expect(answer).not.toContain(secret);
    }
    expect(await Enrolment.countDocuments({ roundId: new Types.ObjectId(roundId) })).toBe(1);

    const denied = await post(`/programmes/${programme.body.id}/rounds/${roundId}/enrolments/override`, ngoB.auth, {
      householdId: inB.body.id,
      reason: 'The family split in two households after the flood',
    });
    expect(denied.status).toBe(403);
    const supervisor = await given.user({ role: 'supervisor', organisationId: ngoB.organisation.id });
    const overridden = await post(
      `/programmes/${programme.body.id}/rounds/${roundId}/enrolments/override`,
      bearer(supervisor.token),
      {
        householdId: inB.body.id,
        reason: 'The family split in two households after the flood',
      },
    );
    expect(overridden.status).toBe(201);
    expect(overridden.body.outcome).toBe('overridden');
    const audit = await AuditEntry.findOne({ action: 'enrolment.override_duplicate' }).lean();
    expect(audit?.summary).toMatchObject({ reason: 'The family split in two households after the flood' });
    expect(await AidClaim.countDocuments({ roundId: new Types.ObjectId(roundId), keyType: 'iin' })).toBe(4);

    // The headquarters (the programme's lead and the NGOs' hub) sees counts, never a person.
    const viewer = await given.user({ role: 'viewer', organisationId: hq.organisation.id });
    const counts = await t.api.get(`${API}/programmes/${programme.body.id}/counts`).set(bearer(viewer.token));
    expect(counts.status).toBe(200);
    expect(counts.body).toEqual([
      expect.objectContaining({ round: 'December', region: 'almaty_region', households: 2, people: 8 }),
    ]);
    const byRegion = await t.api
      .get(`${API}/households/counts`)
      .query({ by: 'vulnerability' })
      .set(bearer(viewer.token));
    expect(byRegion.body).toEqual([{ key: 'displaced_by_disaster', households: 2, people: 8 }]);
    expect(JSON.stringify(byRegion.body)).not.toContain('Мамырбаев');
  });
});

describe('personal data never leaks', () => {
  test('when households are registered, read, refused and enrolled, then no log line and no audit summary carries an IIN, a phone or a name', async () => {
    const owner = await coordinator();
    const other = await coordinator();
    const body = householdBody();
    const created = await post('/households', owner.auth, body);
    await t.api.get(`${API}/households/${created.body.id}`).set(owner.auth);
    await t.api.get(`${API}/households`).query({ iin: body.head.iin }).set(owner.auth);
    await t.api.get(`${API}/households/${created.body.id}/personal-data`).set(owner.auth);
    await t.api
      .patch(`${API}/households/${created.body.id}`)
      .set(owner.auth)
      .send({ head: { ...body.head, phone: '+7 702 765 43 21' } });
    await post('/households', owner.auth, { ...body, head: { ...body.head, iin: body.head.iin.replace(/.$/, 'x') } });
    const crossOrg = await t.api.get(`${API}/households/${created.body.id}`).set(other.auth);
    expect(crossOrg.status).toBe(404);
    const secrets = [
      body.head.iin,
      body.members[0]?.iin as string,
      '7011234567',
      '701 123 45 67',
      '7027654321',
      'Мамырбаев',
      'Әсел',
      'Абай көшесі',
    ];
    const logged = logLines.join('\n');
    expect(logged.length).toBeGreaterThan(0);
    const audits = JSON.stringify(await AuditEntry.find().lean());
    for (const secret of secrets) {
      expect(logged).not.toContain(secret);
      expect(audits).not.toContain(secret);
      expect(JSON.stringify(crossOrg.body)).not.toContain(secret);
    }
  });
});

function iinOf(heads: { _id: unknown; head: { iin: string } | null }[], householdId: string): string {
  const household = heads.find((h) => String(h._id) === householdId);
  return open(household?.head?.iin as string, 'iin');
}
