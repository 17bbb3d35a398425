/**
 * Outflows by programme and round, households served, and the monthly roll-ups behind the outflow reports: the
 * report read from roll-ups (and the ledger at a period's ends) equals a scan of the whole ledger; roll-ups are the
 * organisation's own records; months are Kazakhstan's (Asia/Almaty), as the database's own time-zone support says.
 */
// The modules in the app's order first: distributions and households import each other's faces, and loading
// distributions.service first would read its schemas' constants before they are defined.
import '../../src/modules';
import mongoose, { Types } from 'mongoose';
import { dayExpression, dayOf, dayStart, monthExpression, monthOf, monthStart } from '../../src/core/local-time';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import { foldReportRollups } from '../../src/modules/reports';
import { OutflowRollup } from '../../src/modules/reports/report-rollups.model';
import { LedgerEntry } from '../../src/modules/stock/stock.model';
import { readPdfText } from '../documents/read-pdf';
import { setupTestApp } from '../support/app';
import { fullScan, givenHubOf, organisationThatDistributed } from '../support/given-report-data';

const t = setupTestApp();

const binary = (response: NodeJS.ReadableStream, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
};

interface Row {
  group: string;
  label: string;
  [key: string]: string | number;
}

const pieces = (rows: Row[], key: (r: Row) => string) => new Map(rows.map((r) => [key(r), Number(r.pieces)]));

describe('outflows by programme and round, from monthly roll-ups', () => {
  test('when households are handed blankets in a round and some are issued directly, then outflows by purpose, programme, round and month equal a scan of the whole ledger', async () => {
    const a = await organisationThatDistributed('Love Kazakhstan', { served: 6, regions: ['almaty_region'] });
    const scan = await fullScan(a.org.id);
    // 6 households × 2 blankets handed over; 7 issued directly; the 3 issued by mistake and reversed do not count.
    expect(scan.byPurpose).toEqual(
      new Map([
        ['distribution', 12],
        ['issue', 7],
      ]),
    );

    const byPurpose = await t.api.get('/api/v1/reports/outflows?groupBy=purpose').set(a.headers);
    expect(byPurpose.status).toBe(200);
    expect(pieces(byPurpose.body.rows, (r) => r.group)).toEqual(scan.byPurpose);
    expect(byPurpose.body.totals).toMatchObject({ lines: scan.entries, pieces: '19' });

    const byRound = await t.api.get('/api/v1/reports/outflows?groupBy=round').set(a.headers);
    expect(byRound.body.rows.map((r: Row) => [r.label, r.pieces])).toEqual([
      ['(outside programmes)', '7'],
      ['Love Kazakhstan: winter blankets — Round 1', '12'],
    ]);
    expect(pieces(byRound.body.rows, (r) => r.group)).toEqual(scan.byRound);
    const byProgramme = await t.api.get('/api/v1/reports/outflows?groupBy=programme&lang=ru').set(a.headers);
    expect(byProgramme.body.rows.map((r: Row) => [r.group, r.label, r.pieces])).toEqual([
      ['', '(вне программ)', '7'],
      [a.programme.id, 'Love Kazakhstan: winter blankets', '12'],
    ]);

    // A period that starts within the month: the part of the month is read from the ledger, and still equals it.
    const now = new Date();
    const firstEntry = await acrossOrganisations('test', () =>
      LedgerEntry.findOne({ organisationId: new Types.ObjectId(a.org.id), type: 'issue' })
        .sort({ at: 1 })
        .lean()
        .exec(),
    );
    if (!firstEntry) throw new Error('the organisation has issue entries');
    const from = new Date(firstEntry.at.getTime() + 1);
    const partial = await fullScan(a.org.id, from);
    const byMonth = await t.api.get(`/api/v1/reports/outflows?groupBy=month&from=${from.toISOString()}`).set(a.headers);
    expect(byMonth.status).toBe(200);
    expect(pieces(byMonth.body.rows, (r) => r.group)).toEqual(partial.byMonth);
    expect(byMonth.body.totals.lines).toBe(partial.entries);
    expect(partial.entries).toBeLessThan(scan.entries);
    // A period of whole months up to now reads roll-ups only, and says the same as the open period.
    const wholeMonth = await t.api
      .get(`/api/v1/reports/outflows?groupBy=month&from=${monthStart(monthOf(now)).toISOString()}`)
      .set(a.headers);
    expect(pieces(wholeMonth.body.rows, (r) => r.group)).toEqual(scan.byMonth);
  });

  test('when roll-ups are folded, then they belong to the organisation, hold its issues only, and are owned records (plugin, key led by the organisation)', async () => {
    const a = await organisationThatDistributed('Zhanuya', { served: 2, regions: ['astana'] });
    const b = await organisationThatDistributed('Meirim', { served: 3, regions: ['astana'] });
    await foldReportRollups({ now: new Date(Date.now() + 3_600_000) });
    const rollups = await acrossOrganisations('test: every roll-up', () => OutflowRollup.find({}).lean().exec());
    expect(new Set(rollups.map((r) => String(r.organisationId)))).toEqual(new Set([a.org.id, b.org.id]));
    const ofA = rollups.filter((r) => String(r.organisationId) === a.org.id);
    expect(ofA.every((r) => String(r.warehouseId) === a.warehouse.id)).toBe(true);
    expect(ofA.reduce((sum, r) => sum + r.pieces, 0)).toBe(2 * 2 + 7);
    // Owned as every record is: a required organisation, the ownership plugin, the key led by the organisation.
    expect(OutflowRollup.schema.path('organisationId').isRequired).toBe(true);
    expect(OutflowRollup.schema.indexes().map(([key]) => Object.keys(key)[0])).toEqual(['organisationId']);
    expect(
      (OutflowRollup.schema as unknown as { plugins: { fn: { name: string } }[] }).plugins.map((p) => p.fn.name),
    ).toContain('ownedByOrganisation');

    // B's report counts B's goods only.
    const res = await t.api.get('/api/v1/reports/outflows?groupBy=round').set(b.headers);
    expect(res.body.totals.pieces).toBe(String(3 * 2 + 7));
    expect(JSON.stringify(res.body)).not.toContain(a.programme.id);
  });
});

describe('households served', () => {
  test('when an organisation reports households served, then it counts households and people by region, round and vulnerability, and names no one', async () => {
    const a = await organisationThatDistributed('Love Kazakhstan', { served: 6, regions: ['almaty_region', 'astana'] });
    const byRegion = await t.api.get('/api/v1/reports/households?groupBy=region').set(a.coordinator);
    expect(byRegion.status).toBe(200);
    // Households default to 4 people (a head, a spouse, two children); the one that did not come is not served.
    expect(byRegion.body.rows.map((r: Row) => [r.group, r.households, r.people])).toEqual([
      ['almaty_region', 3, 12],
      ['astana', 3, 12],
    ]);
    expect(byRegion.body.totals).toEqual({ households: 6, people: 24 });

    const byVulnerability = await t.api.get('/api/v1/reports/households?groupBy=vulnerability').set(a.coordinator);
    // Sorted by label: "Low income", "Single-parent households", "With a person with a disability".
    expect(byVulnerability.body.rows.map((r: Row) => [r.group, r.households])).toEqual([
      ['low_income', 3],
      ['single_parent', 3],
      ['disability', 3],
    ]);
    expect(byVulnerability.body.totals.households).toBe(6);
    const byRound = await t.api.get('/api/v1/reports/households?groupBy=round&lang=kk').set(a.coordinator);
    expect(byRound.body.rows).toEqual([
      expect.objectContaining({ group: a.roundId, label: 'Love Kazakhstan: winter blankets — Round 1', households: 6 }),
    ]);

    const body = JSON.stringify([byRegion.body, byVulnerability.body, byRound.body]);
    for (const secret of ['Секретова', 'Секретная', ...a.households.flatMap((h) => [h.id, h.number])]) {
      expect(body).not.toContain(secret);
    }
  });

  test("when a hub reports its members' households served, then it sees their sums, small groups not exactly, in JSON, CSV and PDF in kk, ru and en", async () => {
    const a = await organisationThatDistributed('Love Kazakhstan', { served: 6, regions: ['almaty_region'] });
    const b = await organisationThatDistributed('Talgar group', { served: 2, regions: ['astana'] });
    const outsider = await organisationThatDistributed('Not a member', { served: 5, regions: ['almaty_region'] });
    const { hub, hubViewer } = await givenHubOf(t.api, 'Almaty volunteer headquarters', [a.org.id, b.org.id]);
    const res = await t.api.get(`/api/v1/organisations/${hub.id}/reports/households?groupBy=region`).set(hubViewer);
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: Row) => [r.group, r.households, r.people])).toEqual([
      ['almaty_region', 6, 24],
      ['astana', '< 5', '—'],
    ]);
    expect(res.body.totals).toEqual({ households: 8, people: 32 });
    expect(res.body.scope).toContain('2 members');

    const outflows = await t.api.get(`/api/v1/organisations/${hub.id}/reports/outflows?groupBy=round`).set(hubViewer);
    expect(outflows.status).toBe(200);
    expect(outflows.body.totals.pieces).toBe(String(6 * 2 + 7 + 2 * 2 + 7));

    for (const [lang, title, total] of [
      ['kk', 'Көмек алған отбасылар', 'Барлығы'],
      ['ru', 'Семьи, получившие помощь', 'Итого'],
      ['en', 'Households served', 'Total'],
    ] as const) {
      const pdf = await t.api
        .get(`/api/v1/organisations/${hub.id}/reports/households?groupBy=vulnerability&format=pdf&lang=${lang}`)
        .set(hubViewer)
        .buffer(true)
        .parse(binary as never);
      expect(pdf.status).toBe(200);
      const read = (await readPdfText(pdf.body as Buffer)).pages.join('\n');
      expect(read).toContain(title);
      expect(read).toContain(total);
      for (const secret of ['Секретова', 'Секретная', a.org.id, outsider.org.id]) expect(read).not.toContain(secret);
    }
    const csv = await t.api
      .get(`/api/v1/organisations/${hub.id}/reports/households?groupBy=round&format=csv&lang=ru`)
      .set(hubViewer)
      .buffer(true)
      .parse(binary as never);
    const lines = (csv.body as Buffer).toString('utf8').trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('\uFEFFРаунд программы,семей,человек');
    // The members' own programmes: counted, never named to the hub (nor their ids).
    const rounds = lines.slice(1, -1).map((line) => line.split(','));
    expect(rounds.map(([label]) => label).sort()).toEqual([
      'Раунд программы участника 1',
      'Раунд программы участника 2',
    ]);
    expect(rounds.map(([, households, people]) => `${households} ${people}`).sort()).toEqual(['6 24', '< 5 —']);
    for (const secret of [a.roundId, b.roundId, a.programme.id, 'winter blankets']) {
      expect(lines.join('\n')).not.toContain(secret);
    }
    expect(lines.at(-1)).toBe('Итого,8,32');

    const member = await t.api.get(`/api/v1/organisations/${hub.id}/reports/households`).set(a.headers);
    expect(member.status).toBe(404);
    const bad = await t.api.get('/api/v1/reports/households?groupBy=household').set(a.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('groupBy');
  });
});

describe("Kazakhstan's months", () => {
  test("when instants around Almaty's change to UTC+5 and older offsets are grouped by month, then the expression agrees with the database's Asia/Almaty time zone", async () => {
    const db = mongoose.connection.db;
    if (!db) throw new Error('not connected');
    const probes = [
      '2024-02-29T17:59:59Z', // 23:59:59 on 29 February, UTC+6
      '2024-02-29T18:00:00Z', // the clocks go back: 23:00 on 29 February again, now UTC+5
      '2024-02-29T18:59:59Z',
      '2024-02-29T19:00:00Z', // midnight of 1 March, UTC+5
      '2023-12-31T17:59:00Z',
      '2023-12-31T18:00:00Z',
      '2025-03-31T18:59:59Z',
      '2025-03-31T19:00:00Z',
      '2004-05-31T16:59:59Z', // summer time then: UTC+7
      '2004-05-31T17:00:00Z',
    ].map((iso) => ({ at: new Date(iso) }));
    const collection = db.collection('time_zone_probes');
    await collection.insertMany(probes);
    const rows = await collection
      .aggregate([
        {
          $project: {
            _id: 0,
            at: 1,
            ours: monthExpression('$at'),
            zone: { $dateToString: { format: '%Y-%m', date: '$at', timezone: 'Asia/Almaty' } },
            ourDay: dayExpression('$at'),
            zoneDay: { $dateToString: { format: '%Y-%m-%d', date: '$at', timezone: 'Asia/Almaty' } },
          },
        },
        { $sort: { at: 1 } },
      ])
      .toArray();
    expect(rows.map((r) => r.ours)).toEqual(rows.map((r) => r.zone));
    expect(rows.map((r) => r.ours)).toEqual(probes.map((p) => monthOf(p.at)).sort());
    const byInstant = new Map(rows.map((r) => [(r.at as Date).toISOString(), r.ours]));
    expect(byInstant.get('2024-02-29T18:59:59.000Z')).toBe('2024-02');
    expect(byInstant.get('2024-02-29T19:00:00.000Z')).toBe('2024-03');
    expect(byInstant.get('2004-05-31T17:00:00.000Z')).toBe('2004-06');
    expect(monthStart('2024-03').toISOString()).toBe('2024-02-29T19:00:00.000Z');
    expect(monthStart('2024-02').toISOString()).toBe('2024-01-31T18:00:00.000Z');
    // Days likewise: the database's day, ours, and the instant each begins.
    expect(rows.map((r) => r.ourDay)).toEqual(rows.map((r) => r.zoneDay));
    expect(rows.map((r) => r.ourDay)).toEqual(probes.map((p) => dayOf(p.at)).sort());
    expect(dayOf(new Date('2024-02-29T19:00:00.000Z'))).toBe('2024-03-01');
    expect(dayStart('2024-03-01').toISOString()).toBe('2024-02-29T19:00:00.000Z');
    expect(dayStart('2024-02-29').toISOString()).toBe('2024-02-28T18:00:00.000Z');
  });
});
