/**
 * The reports' roll-ups, fed by a watermark (modules/reports/report-rollups.ts): whatever was written before the
 * last fold (in the roll-ups) and after it (read from the records), a report through HTTP equals a scan of every
 * ledger entry and donation, for an organisation and for a hub; folding again changes nothing a report says.
 */
import '../../src/modules';
import { Types } from 'mongoose';
import { dayOf, dayStart, monthOf, monthStart, nextMonth, yearOf, yearStart } from '../../src/core/local-time';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import { Donation } from '../../src/modules/donations';
import { foldReportRollups } from '../../src/modules/reports';
import { periodParts } from '../../src/modules/reports/report-period';
import { SAFETY_LAG_MS } from '../../src/modules/reports/report-rollups';
import {
  InflowDailyRollup,
  InflowRollup,
  InflowYearlyRollup,
  OutflowRollup,
  RollupWatermark,
} from '../../src/modules/reports/report-rollups.model';
import { issue, reverseOperation } from '../../src/modules/stock';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';
import { fullScan, givenHubOf, inflowScan, organisationThatDistributed } from '../support/given-report-data';

const t = setupTestApp();

interface Row {
  group: string;
  label: string;
  [key: string]: string | number;
}

/** A fold whose watermark is this instant: everything written so far is in the roll-ups, nothing written next. */
async function foldEverythingSoFar(): Promise<Date> {
  const result = await foldReportRollups({ now: new Date(Date.now() + SAFETY_LAG_MS) });
  // The next write's instant is after the watermark.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return new Date(result.through);
}

const DAY = 86_400_000;
/** Three hours into the day before yesterday (local): a whole day of the past, read from the daily roll-ups. */
const pastDay = () => new Date(dayStart(dayOf(new Date())).getTime() - 2 * DAY + 3 * 3_600_000);
/** An hour before that day begins: a period from it has an edge of an hour, then whole days (or months). */
const hourBefore = (at: Date) => new Date(dayStart(dayOf(at)).getTime() - 3_600_000);
/** The local year before this one, as `YYYY`, its start, and three hours into its 41st day. */
const lastYear = () => String(Number(yearOf(new Date())) - 1);
const lastYearStart = () => yearStart(lastYear());
const dayOfLastYear = () => new Date(lastYearStart().getTime() + 40 * DAY + 3 * 3_600_000);

/** Received donations of an organisation in [from, to), read one by one. */
function donationsIn(organisationId: string, from: Date, to?: Date) {
  return acrossOrganisations('test: donations of a period, as the reports were before roll-ups', () =>
    Donation.find({
      organisationId: new Types.ObjectId(organisationId),
      status: 'received',
      receivedAt: { $gte: from, ...(to ? { $lt: to } : {}) },
    })
      .lean()
      .exec(),
  );
}

/** Received donations of an organisation in [from, to), per local month of receipt (or per `keyOf`). */
async function inflowsIn(
  organisationId: string,
  from: Date,
  to?: Date,
  keyOf: (donation: { receivedAt: Date; donorId: Types.ObjectId }) => string = (d) => monthOf(d.receivedAt),
): Promise<Map<string, number>> {
  const found = await donationsIn(organisationId, from, to);
  const byKey = new Map<string, number>();
  for (const d of found) byKey.set(keyOf(d), (byKey.get(keyOf(d)) ?? 0) + 1);
  return byKey;
}

const pieces = (rows: Row[]) => new Map(rows.map((r) => [r.group, Number(r.pieces)]));
const donations = (rows: Row[]) => new Map(rows.map((r) => [r.group, Number(r.donations)]));

/** An organisation that distributed blankets (and issued and reversed some), and received rice from two donors. */
async function organisationWithHistory(name: string, served: number) {
  const a = await organisationThatDistributed(name, { served, regions: ['almaty_region', 'astana'] });
  const rice = await givenInventory.item({ sku: `RICE-${name}`, category: 'food', baseUnit: 'kg' });
  const donors = await Promise.all(
    ['company', 'ngo'].map((type, i) =>
      givenInventory.donor({ type: type as never, name: `${name} donor ${i}` }, { organisationId: a.org.id }),
    ),
  );
  const warehouseStaff = bearer((await given.user({ role: 'warehouse', organisationId: a.org.id })).token);
  const receive = async (donor: number, kg: number, receivedAt = new Date().toISOString()) => {
    const res = await t.api
      .post('/api/v1/donations')
      .set(warehouseStaff)
      .send({
        donorId: donors[donor].id,
        warehouseId: a.warehouse.id,
        receivedAt,
        receive: true,
        lines: [{ itemId: rice.id, quantity: kg, unit: 'kg', condition: 'new' }],
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const reverse = async (donationId: string) => {
    const res = await t.api
      .post(`/api/v1/donations/${donationId}/reverse`)
      .set(warehouseStaff)
      .send({ reason: 'Entered twice' });
    expect(res.status).toBe(200);
  };
  return { ...a, rice, donors, receive, reverse };
}

/** Every outflow and inflow report of the organisation equals the scans of its ledger and donations. */
async function expectReportsEqualScans(a: Awaited<ReturnType<typeof organisationWithHistory>>) {
  const scan = await fullScan(a.org.id);
  const byPurpose = await t.api.get('/api/v1/reports/outflows?groupBy=purpose').set(a.headers);
  expect(byPurpose.status).toBe(200);
  expect(pieces(byPurpose.body.rows)).toEqual(scan.byPurpose);
  expect(byPurpose.body.totals.lines).toBe(scan.entries);
  const byMonth = await t.api.get('/api/v1/reports/outflows?groupBy=month').set(a.headers);
  expect(pieces(byMonth.body.rows)).toEqual(scan.byMonth);
  const byRound = await t.api.get('/api/v1/reports/outflows?groupBy=round').set(a.headers);
  expect(pieces(byRound.body.rows)).toEqual(scan.byRound);
  const byWarehouse = await t.api.get('/api/v1/reports/outflows?groupBy=warehouse').set(a.headers);
  expect(pieces(byWarehouse.body.rows)).toEqual(scan.byWarehouse);
  // A period from within this month: its start is read from the ledger, the rest from the view.
  const from = new Date(monthStart(monthOf(new Date())).getTime() + 1);
  const partial = await fullScan(a.org.id, from);
  const sinceFrom = await t.api.get(`/api/v1/reports/outflows?groupBy=month&from=${from.toISOString()}`).set(a.headers);
  expect(pieces(sinceFrom.body.rows)).toEqual(partial.byMonth);
  // From an hour before a past day: the hour from the records, that day and the rest of its month from the daily
  // roll-ups (or, on a month's first day, whole months); and a period that ends at today's midnight.
  const dayFrom = hourBefore(pastDay());
  for (const to of [undefined, dayStart(dayOf(new Date()))]) {
    const query = `groupBy=month&from=${dayFrom.toISOString()}${to ? `&to=${to.toISOString()}` : ''}`;
    const outflows = await t.api.get(`/api/v1/reports/outflows?${query}`).set(a.headers);
    expect([query, pieces(outflows.body.rows)]).toEqual([query, (await fullScan(a.org.id, dayFrom, to)).byMonth]);
    const received = await t.api.get(`/api/v1/reports/inflows?${query}`).set(a.headers);
    expect([query, donations(received.body.rows)]).toEqual([query, await inflowsIn(a.org.id, dayFrom, to)]);
  }

  // By donor, whole years are read from the yearly roll-ups: last year from its start (a whole year, and this one
  // open), from an hour into it (its months, days and an hour's edge, then this year), and last year alone.
  const donorOf = (d: { donorId: Types.ObjectId }) => String(d.donorId);
  const hourInto = new Date(lastYearStart().getTime() + 3_600_000);
  for (const [from, to] of [
    [lastYearStart(), undefined],
    [hourInto, undefined],
    [lastYearStart(), yearStart(yearOf(new Date()))],
    [hourInto, dayStart(dayOf(new Date()))],
  ] as const) {
    const query = `groupBy=donor&from=${from.toISOString()}${to ? `&to=${to.toISOString()}` : ''}`;
    const received = await t.api.get(`/api/v1/reports/inflows?${query}`).set(a.headers);
    expect([query, donations(received.body.rows)]).toEqual([query, await inflowsIn(a.org.id, from, to, donorOf)]);
  }

  const inflows = await inflowScan(a.org.id);
  const byDonor = await t.api.get('/api/v1/reports/inflows?groupBy=donor').set(a.headers);
  expect(byDonor.status).toBe(200);
  expect(donations(byDonor.body.rows)).toEqual(new Map([...inflows.byDonor].map(([k, v]) => [k, v.donations])));
  expect(new Map(byDonor.body.rows.map((r: Row) => [r.group, r.kg]))).toEqual(
    new Map([...inflows.byDonor].filter(([, v]) => v.donations).map(([k, v]) => [k, String(v.pieces / 1000)])),
  );
  const inflowsByMonth = await t.api.get('/api/v1/reports/inflows?groupBy=month').set(a.headers);
  expect(donations(inflowsByMonth.body.rows)).toEqual(new Map([...inflows.byMonth].map(([k, v]) => [k, v.donations])));
  expect(inflowsByMonth.body.totals.donations).toBe(inflows.donations);
  return { scan, inflows };
}

describe('reports over roll-ups and the records after their watermark', () => {
  test('when issues, reversals and donations are written before and after the watermark, then every report equals a scan of the ledger and donations, before and after the next fold', async () => {
    const a = await organisationWithHistory('Before and after', 3);
    const early = await issue(
      { warehouseId: a.warehouse.id, itemId: a.blanket.id, quantity: 4, unit: 'piece', reason: 'storm' },
      a.actor,
    );
    const kept = await a.receive(0, 25);
    const undone = await a.receive(1, 40);
    await a.receive(1, 6, pastDay().toISOString());
    await a.receive(0, 2, dayOfLastYear().toISOString());
    const watermark = await foldEverythingSoFar();
    expect((await RollupWatermark.findById('report-rollups').lean())?.through).toEqual(watermark);
    const { scan } = await expectReportsEqualScans(a);
    expect(scan.byPurpose.get('issue')).toBe(7 + 4);

    // After the watermark: an issue, the reversal of the issue the roll-ups counted, a donation received and one
    // the roll-ups counted reversed, and an issue and its reversal both after it.
    await issue(
      { warehouseId: a.warehouse.id, itemId: a.blanket.id, quantity: 5, unit: 'piece', reason: 'fire' },
      a.actor,
    );
    await reverseOperation(early.operationId, { reason: 'entered twice' }, a.actor);
    const late = await issue(
      { warehouseId: a.warehouse.id, itemId: a.blanket.id, quantity: 2, unit: 'piece', reason: 'typo' },
      a.actor,
    );
    await reverseOperation(late.operationId, { reason: 'typo' }, a.actor);
    await a.receive(0, 10);
    await a.reverse(undone);
    const after = await expectReportsEqualScans(a);
    expect(after.scan.byPurpose.get('issue')).toBe(7 + 5);
    expect(after.inflows.donations).toBe(4);
    expect(kept).toBeTruthy();

    // Folded: the same answers, now from the roll-ups, which hold the organisation's sums.
    await foldEverythingSoFar();
    const folded = await expectReportsEqualScans(a);
    const rollups = await acrossOrganisations('test: the roll-ups of one organisation', async () => ({
      outflows: await OutflowRollup.find({ organisationId: new Types.ObjectId(a.org.id) })
        .lean()
        .exec(),
      inflows: await InflowRollup.find({ organisationId: new Types.ObjectId(a.org.id) })
        .lean()
        .exec(),
    }));
    expect(rollups.outflows.reduce((sum, r) => sum + r.entries, 0)).toBe(folded.scan.entries);
    expect(rollups.outflows.reduce((sum, r) => sum + r.pieces, 0)).toBe(3 * 2 + 7 + 5);
    expect(rollups.inflows.reduce((sum, r) => sum + r.donations, 0)).toBe(4);
    expect(rollups.inflows.reduce((sum, r) => sum + r.grams, 0)).toBe(43_000);
    // The same sums per day: the past day's donation on its own day.
    const daily = await acrossOrganisations('test: the daily roll-ups of one organisation', () =>
      InflowDailyRollup.find({ organisationId: new Types.ObjectId(a.org.id) })
        .lean()
        .exec(),
    );
    expect(daily.reduce((sum, r) => sum + r.donations, 0)).toBe(4);
    expect(daily.find((r) => r.day === dayOf(pastDay()))?.grams).toBe(6_000);
    // And per year: last year's donation in last year's roll-up of its donor.
    const yearly = await acrossOrganisations('test: the yearly roll-ups of one organisation', () =>
      InflowYearlyRollup.find({ organisationId: new Types.ObjectId(a.org.id) })
        .lean()
        .exec(),
    );
    expect(yearly.reduce((sum, r) => sum + r.donations, 0)).toBe(4);
    expect(yearly.filter((r) => r.year === lastYear()).map((r) => [String(r.donorId), r.grams])).toEqual([
      [a.donors[0].id, 2_000],
    ]);
    // A rebuild from nothing gives the same view.
    await foldReportRollups({ rebuild: true, now: new Date(Date.now() + SAFETY_LAG_MS) });
    await expectReportsEqualScans(a);

    // A view folded before the yearly roll-ups existed (no mark on its watermark, none of them): its years are read
    // from the monthly roll-ups, also after an incremental fold, which leaves the mark absent; a rebuild sets it.
    const mark = async () => (await RollupWatermark.findById('report-rollups').lean())?.yearly;
    expect(await mark()).toBe(true);
    await RollupWatermark.updateOne({ _id: 'report-rollups' }, { $unset: { yearly: 1 } });
    await acrossOrganisations('test: a view without yearly roll-ups', () => InflowYearlyRollup.deleteMany({}).exec());
    await expectReportsEqualScans(a);
    await a.receive(1, 7, dayOfLastYear().toISOString());
    await foldEverythingSoFar();
    expect(await mark()).toBeUndefined();
    await expectReportsEqualScans(a);
    await foldReportRollups({ rebuild: true, now: new Date(Date.now() + SAFETY_LAG_MS) });
    expect(await mark()).toBe(true);
    await expectReportsEqualScans(a);
  });

  test("when a hub's members write before and after the watermark, then its reports equal the sums of their scans, small groups masked", async () => {
    const a = await organisationWithHistory('Hub member A', 8);
    const b = await organisationWithHistory('Hub member B', 2);
    const outsider = await organisationWithHistory('Not a member', 3);
    const { hub, hubViewer } = await givenHubOf(t.api, 'Astana volunteer headquarters', [a.org.id, b.org.id]);
    await a.receive(0, 30);
    await a.receive(1, 4, pastDay().toISOString());
    await b.receive(0, 5, dayOfLastYear().toISOString());
    const undone = await b.receive(1, 12);
    await foldEverythingSoFar();
    await b.receive(0, 8);
    await a.reverse(await a.receive(1, 3));
    await b.reverse(undone);
    await outsider.receive(0, 100);
    await issue(
      { warehouseId: b.warehouse.id, itemId: b.blanket.id, quantity: 9, unit: 'piece', reason: 'flood' },
      b.actor,
    );

    for (const round of ['before the fold', 'after it']) {
      const [scanA, scanB] = await Promise.all([fullScan(a.org.id), fullScan(b.org.id)]);
      const [inA, inB] = await Promise.all([inflowScan(a.org.id), inflowScan(b.org.id)]);
      const byPurpose = await t.api
        .get(`/api/v1/organisations/${hub.id}/reports/outflows?groupBy=purpose`)
        .set(hubViewer);
      expect([round, byPurpose.status]).toEqual([round, 200]);
      const summed = new Map<string, number>();
      for (const scan of [scanA, scanB]) {
        for (const [k, v] of scan.byPurpose) summed.set(k, (summed.get(k) ?? 0) + v);
      }
      expect([round, pieces(byPurpose.body.rows)]).toEqual([round, summed]);
      expect(byPurpose.body.totals.lines).toBe(scanA.entries + scanB.entries);

      const byMonth = await t.api.get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=month`).set(hubViewer);
      expect(byMonth.status).toBe(200);
      expect([round, byMonth.body.totals.donations]).toEqual([round, inA.donations + inB.donations]);
      expect(byMonth.body.totals.kg).toBe(
        String([...inA.byMonth.values(), ...inB.byMonth.values()].reduce((sum, v) => sum + v.pieces, 0) / 1000),
      );
      // A period from an hour before a past day: edges, daily and monthly roll-ups of both members.
      const dayFrom = hourBefore(pastDay());
      const sinceDay = await t.api
        .get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=month&from=${dayFrom.toISOString()}`)
        .set(hubViewer);
      const inPeriod = [
        ...(await inflowsIn(a.org.id, dayFrom)).values(),
        ...(await inflowsIn(b.org.id, dayFrom)).values(),
      ];
      expect([round, sinceDay.body.totals.donations]).toEqual([round, inPeriod.reduce((sum, n) => sum + n, 0)]);
      const byType = await t.api
        .get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=donor_type`)
        .set(hubViewer);
      expect(byType.body.totals.donations).toBe(inA.donations + inB.donations);
      expect(JSON.stringify(byType.body)).not.toContain('donor 0');
      // Each member's first donor is a company, its second an NGO.
      const ofDonor = (scan: typeof inA, donor: { id: string }) => scan.byDonor.get(donor.id)?.donations ?? 0;
      const byDonorType = new Map(
        [
          ['company', ofDonor(inA, a.donors[0]) + ofDonor(inB, b.donors[0])],
          ['ngo', ofDonor(inA, a.donors[1]) + ofDonor(inB, b.donors[1])],
        ].filter(([, n]) => n !== 0) as [string, number][],
      );
      expect([round, donations(byType.body.rows)]).toEqual([round, byDonorType]);
      // Last year alone (from the members' yearly roll-ups), and from an hour into it.
      for (const from of [lastYearStart(), new Date(lastYearStart().getTime() + 3_600_000)]) {
        const to = yearStart(yearOf(new Date()));
        const query = `groupBy=donor_type&from=${from.toISOString()}&to=${to.toISOString()}`;
        const lastYears = await t.api.get(`/api/v1/organisations/${hub.id}/reports/inflows?${query}`).set(hubViewer);
        const counted = [
          ...(await inflowsIn(a.org.id, from, to)).values(),
          ...(await inflowsIn(b.org.id, from, to)).values(),
        ];
        expect([round, query, lastYears.body.totals.donations]).toEqual([
          round,
          query,
          counted.reduce((sum, n) => sum + n, 0),
        ]);
      }

      const households = await t.api
        .get(`/api/v1/organisations/${hub.id}/reports/households?groupBy=region`)
        .set(hubViewer);
      // A: 4 households in each region, B: 1; each member's round, B's of 2 households masked.
      expect(households.body.rows.map((r: Row) => [r.group, r.households, r.people])).toEqual([
        ['almaty_region', 5, 20],
        ['astana', 5, 20],
      ]);
      expect(households.body.totals).toEqual({ households: 10, people: 40 });
      const byRound = await t.api
        .get(`/api/v1/organisations/${hub.id}/reports/households?groupBy=round`)
        .set(hubViewer);
      expect(byRound.body.rows.map((r: Row) => r.households).sort()).toEqual([8, '< 5']);
      await foldEverythingSoFar();
    }
  });
});

describe('partial months read as their month less the days outside the period', () => {
  /** A local instant: `day` (`YYYY-MM-DD`) at `hour` o'clock. */
  const at = (day: string, hour: number) => new Date(dayStart(day).getTime() + hour * 3_600_000);
  const monthBefore = (month: string) => monthOf(monthStart(month).getTime() - 1);
  const dayIn = (month: string, n: number) => `${month}-${String(n).padStart(2, '0')}`;
  const lastDayOf = (month: string) => dayOf(monthStart(nextMonth(month)).getTime() - 1);
  const secondLastDayOf = (month: string) => dayOf(dayStart(lastDayOf(month)).getTime() - 1);

  /** Received donations of an organisation in [from, to): count and grams per key, as a report's rows say them. */
  async function receivedIn(
    organisationId: string,
    from: Date,
    to: Date | undefined,
    keyOf: (donation: { receivedAt: Date; donorId: Types.ObjectId }) => string,
  ): Promise<Map<string, [number, string]>> {
    const found = await donationsIn(organisationId, from, to);
    const sums = new Map<string, { donations: number; kg: number }>();
    for (const d of found) {
      const sum = sums.get(keyOf(d)) ?? { donations: 0, kg: 0 };
      sum.donations += 1;
      sum.kg += d.lines.reduce((total, l) => total + l.quantity, 0) / 1000;
      sums.set(keyOf(d), sum);
    }
    return new Map([...sums].map(([k, v]) => [k, [v.donations, String(v.kg)]]));
  }
  const rowsOf = (rows: Row[]) => new Map(rows.map((r) => [r.group, [Number(r.donations), r.kg]]));

  test('when a period starts on the 2nd of a month, ends within its second-last day or crosses a month end, then inflows and outflows equal scans, for an organisation and a hub, before and after a fold', async () => {
    const a = await organisationWithHistory('Complement A', 3);
    const b = await organisationWithHistory('Complement B', 2);
    const { hub, hubViewer } = await givenHubOf(t.api, 'Complement hub', [a.org.id, b.org.id]);
    const m1 = monthBefore(monthOf(new Date()));
    const m2 = monthBefore(m1);
    // Donations on the days a complement reads (the 1st and 2nd of a month, its last two days) and between.
    const instants = [
      at(dayIn(m2, 1), 3),
      at(dayIn(m2, 2), 1),
      at(dayIn(m2, 2), 20),
      at(dayIn(m2, 10), 12),
      at(secondLastDayOf(m2), 10),
      at(secondLastDayOf(m2), 18),
      at(lastDayOf(m2), 5),
      at(dayIn(m1, 1), 2),
      at(dayIn(m1, 2), 12),
      at(secondLastDayOf(m1), 22),
    ];
    const folded: string[] = [];
    for (const [i, instant] of instants.entries()) {
      if (i % 2 === 0) folded.push(await a.receive(i % 4 === 0 ? 0 : 1, 1 + i, instant.toISOString()));
      if (i % 3 === 0) await b.receive(i % 2, 10 + i, instant.toISOString());
    }
    await issue(
      { warehouseId: a.warehouse.id, itemId: a.blanket.id, quantity: 3, unit: 'piece', reason: 'x' },
      a.actor,
    );
    await foldEverythingSoFar();
    // After the watermark: the other half, a folded donation reversed, an issue.
    for (const [i, instant] of instants.entries()) {
      if (i % 2 === 1) await a.receive(i % 3 === 0 ? 0 : 1, 1 + i, instant.toISOString());
    }
    await a.reverse(folded[1]);
    await issue(
      { warehouseId: a.warehouse.id, itemId: a.blanket.id, quantity: 2, unit: 'piece', reason: 'y' },
      a.actor,
    );

    const periods: [string, Date, Date | undefined][] = [
      ['from the 2nd to the month end', at(dayIn(m2, 2), 0), monthStart(m1)],
      ['within the 2nd to within the second-last day', at(dayIn(m2, 2), 10), at(secondLastDayOf(m2), 15)],
      ['across a month end', at(dayIn(m2, 2), 10), at(secondLastDayOf(m1), 23)],
      ['from the 2nd on', at(dayIn(m2, 2), 10), undefined],
      ['from the 2nd of last month to today', at(dayIn(m1, 2), 0), dayStart(dayOf(new Date()))],
    ];
    // The partial months are read as complements (a month less its first day or two, or its last ones).
    const scope = { kind: 'organisation' as const, actor: a.actor, organisationId: new Types.ObjectId(a.org.id) };
    const within = periodParts(scope, { from: periods[1][1], to: periods[1][2] }, new Date(), { years: true });
    expect(within.whole.map((w) => w.fromKey)).toEqual([m2]);
    expect(within.less.days.length).toBeGreaterThan(0);

    const typeOf = new Map(a.donors.map((d, i) => [d.id, ['company', 'ngo'][i]]));
    for (const round of ['partly folded', 'folded']) {
      for (const [name, from, to] of periods) {
        const query = `from=${from.toISOString()}${to ? `&to=${to.toISOString()}` : ''}`;
        const label = [round, name];
        for (const [groupBy, keyOf] of [
          ['donor', (d: { donorId: Types.ObjectId }) => String(d.donorId)],
          ['donor_type', (d: { donorId: Types.ObjectId }) => typeOf.get(String(d.donorId)) as string],
          ['month', (d: { receivedAt: Date }) => monthOf(d.receivedAt)],
        ] as const) {
          const res = await t.api.get(`/api/v1/reports/inflows?groupBy=${groupBy}&${query}`).set(a.headers);
          expect([...label, groupBy, res.status]).toEqual([...label, groupBy, 200]);
          expect([...label, groupBy, rowsOf(res.body.rows)]).toEqual([
            ...label,
            groupBy,
            await receivedIn(a.org.id, from, to, keyOf),
          ]);
        }
        const outflows = await t.api.get(`/api/v1/reports/outflows?groupBy=month&${query}`).set(a.headers);
        expect([...label, pieces(outflows.body.rows)]).toEqual([
          ...label,
          (await fullScan(a.org.id, from, to)).byMonth,
        ]);

        const byType = await t.api
          .get(`/api/v1/organisations/${hub.id}/reports/inflows?groupBy=donor_type&${query}`)
          .set(hubViewer);
        expect([...label, byType.status]).toEqual([...label, 200]);
        const members = [
          ...(await receivedIn(a.org.id, from, to, () => 'all')).values(),
          ...(await receivedIn(b.org.id, from, to, () => 'all')).values(),
        ];
        expect([...label, byType.body.totals.donations, byType.body.totals.kg]).toEqual([
          ...label,
          members.reduce((sum, [n]) => sum + n, 0),
          String(members.reduce((sum, [, kg]) => sum + Number(kg), 0)),
        ]);
        const hubOutflows = await t.api
          .get(`/api/v1/organisations/${hub.id}/reports/outflows?groupBy=month&${query}`)
          .set(hubViewer);
        const [scanA, scanB] = await Promise.all([fullScan(a.org.id, from, to), fullScan(b.org.id, from, to)]);
        expect([...label, hubOutflows.body.totals.lines]).toEqual([...label, scanA.entries + scanB.entries]);
      }
      await foldEverythingSoFar();
    }
  });
});
