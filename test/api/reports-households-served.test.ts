/**
 * Households served, from the households-served records (folded from the hand-overs behind a watermark) and the
 * hand-overs since: every report equals a scan of the hand-overs over periods whose ends fall between two hand-overs,
 * for an organisation and for a hub, before a fold, after it and with some hand-overs on each side; a household is
 * counted as it was when served, so moving it afterwards does not move last round's count.
 */
import '../../src/modules';
import { Types } from 'mongoose';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import { HandOver } from '../../src/modules/distributions/distributions.model';
import { foldHouseholdsServed, rebuildHouseholdsServed } from '../../src/modules/reports';
import { HouseholdServed } from '../../src/modules/reports/households-served';
import { SAFETY_LAG_MS } from '../../src/modules/reports/report-rollups';
import { SMALL_GROUP } from '../../src/modules/reports/reports.service';
import { setupTestApp } from '../support/app';
import { givenHubOf, organisationThatDistributed } from '../support/given-report-data';

const t = setupTestApp();

interface Row {
  group: string;
  households: number | string;
  people: number | string;
}

type Grouping = 'region' | 'round' | 'vulnerability';

/** Households served in [from, to) straight from the hand-overs: distinct per group and in all, with their people. */
async function scan(organisationIds: readonly string[], groupBy: Grouping, from?: Date, to?: Date) {
  const handOvers = await acrossOrganisations('test: every hand-over, as households served is defined', () =>
    HandOver.find({
      organisationId: { $in: organisationIds.map((id) => new Types.ObjectId(id)) },
      outcome: { $ne: 'none' },
    })
      .sort({ _id: 1 })
      .lean()
      .exec(),
  );
  const groups = new Map<string, Map<string, number>>();
  const all = new Map<string, number>();
  for (const h of handOvers) {
    if ((from && h.handedOverAt < from) || (to && h.handedOverAt >= to)) continue;
    const household = h.household as NonNullable<typeof h.household>;
    const values =
      groupBy === 'region'
        ? [household.region]
        : groupBy === 'round'
          ? [String(h.roundId)]
          : household.vulnerabilities.length
            ? household.vulnerabilities
            : [''];
    for (const value of values) {
      const members = groups.get(value) ?? new Map<string, number>();
      members.set(String(h.householdId), household.size);
      groups.set(value, members);
    }
    all.set(String(h.householdId), household.size);
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    rows: new Map([...groups].map(([g, m]) => [g, [m.size, sum(m)]])),
    total: [all.size, sum(all)],
  };
}

const cellsOf = (rows: Row[]) => new Map(rows.map((r) => [r.group, [r.households, r.people]]));

/** A hub's cells: a group of fewer than SMALL_GROUP households is not counted exactly. */
const masked = ([households, people]: number[]) =>
  households > 0 && households < SMALL_GROUP ? [`< ${SMALL_GROUP}`, '—'] : [households, people];

describe('households served from the households-served records', () => {
  test('when hand-overs are partly folded and partly not, then every report over periods ending between two hand-overs equals a scan of the hand-overs, for an organisation and for a hub', async () => {
    const a = await organisationThatDistributed('Love Kazakhstan', {
      served: 7,
      regions: ['almaty_region', 'astana'],
      secondAfter: 3,
    });
    const b = await organisationThatDistributed('Talgar group', { served: 3, regions: ['astana'] });
    const { hub, hubViewer } = await givenHubOf(t.api, 'Almaty hub', [a.org.id, b.org.id]);
    const instants = (
      await acrossOrganisations('test: hand-over instants', () =>
        HandOver.find({ organisationId: new Types.ObjectId(a.org.id), outcome: { $ne: 'none' } })
          .sort({ handedOverAt: 1 })
          .lean()
          .exec(),
      )
    ).map((h) => h.handedOverAt);
    // Periods that start and end between two hand-overs (within a day, to the millisecond), and open ones.
    const periods: [Date | undefined, Date | undefined][] = [
      [undefined, undefined],
      [new Date(instants[2].getTime() - 1), undefined],
      [new Date(instants[1].getTime() + 1), new Date(instants[5].getTime())],
      [undefined, new Date(instants[3].getTime() + 1)],
    ];
    const expectEqualScans = async (when: string) => {
      for (const [from, to] of periods) {
        const range = `${from ? `&from=${from.toISOString()}` : ''}${to ? `&to=${to.toISOString()}` : ''}`;
        for (const groupBy of ['region', 'round', 'vulnerability'] as const) {
          const own = await t.api.get(`/api/v1/reports/households?groupBy=${groupBy}${range}`).set(a.headers);
          expect(own.status).toBe(200);
          const expected = await scan([a.org.id], groupBy, from, to);
          const label = `${when} ${groupBy}${range}`;
          expect([label, cellsOf(own.body.rows)]).toEqual([label, expected.rows]);
          expect([label, own.body.totals]).toEqual([
            label,
            { households: expected.total[0], people: expected.total[1] },
          ]);
          const ofHub = await t.api
            .get(`/api/v1/organisations/${hub.id}/reports/households?groupBy=${groupBy}${range}`)
            .set(hubViewer);
          expect(ofHub.status).toBe(200);
          const both = await scan([a.org.id, b.org.id], groupBy, from, to);
          if (groupBy !== 'round') {
            expect([label, cellsOf(ofHub.body.rows)]).toEqual([
              label,
              new Map([...both.rows].map(([g, cells]) => [g, masked(cells)])),
            ]);
          }
          const [households, people] = masked(both.total);
          expect([label, ofHub.body.totals]).toEqual([label, { households, people }]);
        }
      }
    };
    // Nothing folded: every hand-over is read as it is.
    await expectEqualScans('before a fold');
    // Folded up to a second within the hand-overs: the first three in the records, the others in the tail.
    const boundary = a.secondBoundary as Date;
    const partly = await foldHouseholdsServed({ now: new Date(boundary.getTime() + SAFETY_LAG_MS) });
    expect(partly.handOvers).toBe(3);
    await expectEqualScans('partly folded');
    const folded = await foldHouseholdsServed({ now: new Date(Date.now() + 2000 + SAFETY_LAG_MS) });
    // The rest: a's other four served households, and b's three.
    expect(folded.handOvers).toBe(7);
    await expectEqualScans('all folded');
    // The records hold the organisation's households once per group, each with its one instant.
    const records = await acrossOrganisations('test: the records', () =>
      HouseholdServed.find({ organisationId: new Types.ObjectId(a.org.id), dimension: 'household' })
        .lean()
        .exec(),
    );
    expect(records).toHaveLength(7);
    expect(records.every((r) => r.servedAt.length === 1 && r.size === 4)).toBe(true);
    // A rebuild writes the same records.
    const before = await acrossOrganisations('test: every record', () =>
      HouseholdServed.find({}, { _id: 0 }).sort({ organisationId: 1, dimension: 1, householdId: 1 }).lean().exec(),
    );
    await rebuildHouseholdsServed(new Date(Date.now() + 2000 + SAFETY_LAG_MS));
    const after = await acrossOrganisations('test: every record', () =>
      HouseholdServed.find({}, { _id: 0 }).sort({ organisationId: 1, dimension: 1, householdId: 1 }).lean().exec(),
    );
    const asText = (rows: typeof before) =>
      new Set(
        rows.map((r) => JSON.stringify([r.organisationId, r.householdId, r.dimension, r.value, r.servedAt, r.size])),
      );
    expect(after).toHaveLength(before.length);
    expect(asText(after)).toEqual(asText(before));
    await expectEqualScans('rebuilt');
  }, 240_000);

  test('when a household served in almaty_region moves to astana, then the report still counts it where it was served, folded or not', async () => {
    const a = await organisationThatDistributed('Zhanuya', { served: 2, regions: ['almaty_region'] });
    const moved = a.households[0];
    const change = await t.api
      .patch(`/api/v1/households/${moved.id}`)
      .set(a.coordinator)
      .send({ address: { region: 'astana', settlement: 'Астана', line: null }, vulnerabilities: [] });
    expect(change.status).toBe(200);
    for (const when of ['not folded', 'folded']) {
      const res = await t.api.get('/api/v1/reports/households?groupBy=region').set(a.headers);
      expect([when, res.body.rows.map((r: Row) => [r.group, r.households])]).toEqual([when, [['almaty_region', 2]]]);
      const byVulnerability = await t.api.get('/api/v1/reports/households?groupBy=vulnerability').set(a.headers);
      expect([when, cellsOf(byVulnerability.body.rows).get('')]).toEqual([when, undefined]);
      await foldHouseholdsServed({ now: new Date(Date.now() + 2000 + SAFETY_LAG_MS) });
    }
    // The folded records say so too: the region and criteria the hand-over kept, not the household's new ones.
    const record = await acrossOrganisations('test: the moved household', () =>
      HouseholdServed.findOne({ householdId: new Types.ObjectId(moved.id), dimension: 'region' })
        .lean()
        .exec(),
    );
    expect(record?.value).toBe('almaty_region');
  }, 120_000);
});
