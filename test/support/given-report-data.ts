/**
 * What the report tests arrange and what they compare with: an organisation that distributed goods to households
 * in a programme's round and issued some directly, and scans of every ledger entry and donation of an organisation,
 * the way the reports were computed before roll-ups.
 */
// The modules in the app's order first: distributions and households import each other's faces, and loading
// distributions.service first would read its schemas' constants before they are defined.
import '../../src/modules';
import { Types } from 'mongoose';
import { monthOf } from '../../src/core/local-time';
import { acrossOrganisations } from '../../src/modules/access/ownership';
import type { Actor } from '../../src/modules/access/permissions';
import { Allocation } from '../../src/modules/distributions/distributions.model';
import { allocate, createBatch, handOver } from '../../src/modules/distributions/distributions.service';
import { Donation } from '../../src/modules/donations/donations.model';
import { addVulnerabilityCriterion } from '../../src/modules/households/households.service';
import { enrolHouseholds } from '../../src/modules/programmes/programmes.service';
import { issue, reverseOperation } from '../../src/modules/stock';
import { LedgerEntry } from '../../src/modules/stock/stock.model';
import type { TestApp } from './app';
import { givenHouseholds } from './given-households';
import { bearer, given } from './given-identity';
import { actorFor, givenInventory } from './given-inventory';

/** Waits until the clock enters the next whole second and answers that second's start. */
async function nextWholeSecond(): Promise<Date> {
  const start = Math.floor(Date.now() / 1000) * 1000 + 1000;
  while (Date.now() < start) await new Promise((resolve) => setTimeout(resolve, start - Date.now()));
  return new Date(start);
}

/**
 * An organisation that handed blankets to `served` households of a programme's round (the households spread over
 * `regions` in turn), issued some directly, and corrected one direct issue by a reversal.
 *
 * With `secondAfter: n`, the clock passes a whole second after the n-th hand-over, and `secondBoundary` is that
 * second's start: the hand-overs before it and those after fall on either side of a fold through it, since folds go
 * by the whole seconds of the hand-overs' ids.
 */
export async function organisationThatDistributed(
  name: string,
  options: { served: number; regions: string[]; secondAfter?: number },
) {
  const org = await given.organisation({ name, type: 'ngo' });
  const owner = { organisationId: org.id };
  const actor: Actor = await actorFor(owner);
  const blanket = await givenInventory.item({ sku: `BLANKET-${name}`, category: 'bedding', volumeM3PerUnit: '0.01' });
  const { warehouse } = await givenInventory.stockOf({ item: blanket, quantity: 200, organisationId: org.id });
  const { programme, roundId } = await givenHouseholds.programme(actor, blanket.id, {
    name: `${name}: winter blankets`,
    rounds: [
      {
        name: 'Round 1',
        startsOn: new Date('2026-01-01T00:00:00Z'),
        endsOn: new Date('2026-12-31T00:00:00Z'),
        entitlements: [{ itemId: blanket.id, category: 'bedding', basis: 'household', quantity: 2 }],
      },
    ],
  });
  await addVulnerabilityCriterion({ code: 'winter_heating', label: { en: 'No heating' } }, actor);
  const heads: Map<string, string> = new Map();
  const households = [];
  for (let n = 0; n < options.served + 1; n += 1) {
    const iin = givenHouseholds.iin();
    const region = options.regions[n % options.regions.length] as string;
    const household = await givenHouseholds.household(actor, {
      head: { name: `Секретова Айгүл ${n}`, birthDate: new Date('1985-04-12T00:00:00Z'), iin },
      address: { region, settlement: 'Талғар', line: `Секретная көшесі ${n}` },
      vulnerabilities: n % 2 === 0 ? ['single_parent', 'disability'] : ['low_income'],
    });
    heads.set(household.id, iin);
    households.push(household);
  }
  await enrolHouseholds(programme.id, roundId, { householdIds: households.map((h) => h.id) }, actor);
  const batch = await createBatch(
    {
      programmeId: programme.id,
      roundId,
      warehouseId: warehouse.id,
      site: { name: 'School 3', region: 'almaty_region', settlement: 'Талғар' },
      plannedOn: new Date('2026-06-01T00:00:00Z'),
    },
    actor,
  );
  const allocated = await allocate(batch.id, { householdIds: households.map((h) => h.id) }, actor);
  // Every household but the last takes its blankets; the last does not come ("none": not served).
  let secondBoundary: Date | undefined;
  for (const [i, allocation] of allocated.allocated.entries()) {
    if (i === options.secondAfter) secondBoundary = await nextWholeSecond();
    const last = i === allocated.allocated.length - 1;
    await handOver(
      allocation.id,
      {
        outcome: last ? 'none' : 'all',
        reason: last ? 'did not come' : null,
        receivedBy: { kind: 'head', iin: heads.get(allocation.householdId) as string },
        proof: last ? { kind: 'none' } : { kind: 'paper', sheet: `S-${i}` },
      },
      actor,
    );
  }
  await issue({ warehouseId: warehouse.id, itemId: blanket.id, quantity: 7, unit: 'piece', reason: 'fire' }, actor);
  const mistake = await issue(
    { warehouseId: warehouse.id, itemId: blanket.id, quantity: 3, unit: 'piece', reason: 'typo' },
    actor,
  );
  await reverseOperation(mistake.operationId, { reason: 'entered twice' }, actor);
  const headers = bearer((await given.user({ role: 'viewer', organisationId: org.id })).token);
  const coordinator = bearer((await given.user({ role: 'admin', organisationId: org.id })).token);
  return { org, actor, headers, coordinator, blanket, warehouse, programme, roundId, households, secondBoundary };
}

/** Outflows straight from the ledger: every issue entry not reversed, of the organisation, in [from, to). */
export async function fullScan(organisationId: string, from?: Date, to?: Date) {
  return acrossOrganisations('test: the whole ledger, as the reports were before roll-ups', async () => {
    const at: Record<string, Date> = {};
    if (from) at.$gte = from;
    if (to) at.$lt = to;
    const entries = await LedgerEntry.find({
      organisationId: new Types.ObjectId(organisationId),
      type: 'issue',
      reversedBy: null,
      ...(from || to ? { at } : {}),
    })
      .lean()
      .exec();
    const allocations = await Allocation.find({ organisationId: new Types.ObjectId(organisationId) })
      .lean()
      .exec();
    const roundOf = new Map(allocations.map((a) => [String(a._id), String(a.roundId)]));
    const byPurpose = new Map<string, number>();
    const byRound = new Map<string, number>();
    const byMonth = new Map<string, number>();
    const byWarehouse = new Map<string, number>();
    for (const e of entries) {
      byWarehouse.set(String(e.warehouseId), (byWarehouse.get(String(e.warehouseId)) ?? 0) - e.quantity);
      const purpose = e.source.type === 'allocation' ? 'distribution' : 'issue';
      byPurpose.set(purpose, (byPurpose.get(purpose) ?? 0) - e.quantity);
      const round = e.source.type === 'allocation' ? (roundOf.get(String(e.source.id)) ?? '?') : '';
      byRound.set(round, (byRound.get(round) ?? 0) - e.quantity);
      byMonth.set(monthOf(e.at), (byMonth.get(monthOf(e.at)) ?? 0) - e.quantity);
    }
    return { entries: entries.length, byPurpose, byRound, byMonth, byWarehouse };
  });
}

/** Received donations straight from the collection: count and pieces per donor and per local month of receipt. */
export async function inflowScan(organisationId: string) {
  return acrossOrganisations('test: every donation, as the reports were before roll-ups', async () => {
    const donations = await Donation.find({ organisationId: new Types.ObjectId(organisationId), status: 'received' })
      .lean()
      .exec();
    const byDonor = new Map<string, { donations: number; pieces: number }>();
    const byMonth = new Map<string, { donations: number; pieces: number }>();
    for (const d of donations) {
      const pieces = d.lines.reduce((sum, l) => sum + l.quantity, 0);
      for (const [map, key] of [
        [byDonor, String(d.donorId)],
        [byMonth, monthOf(d.receivedAt)],
      ] as const) {
        const entry = map.get(key) ?? { donations: 0, pieces: 0 };
        entry.donations += 1;
        entry.pieces += pieces;
        map.set(key, entry);
      }
    }
    return { donations: donations.length, byDonor, byMonth };
  });
}

/** A hub whose members (since 2025) are these organisations, and a viewer of the hub. */
export async function givenHubOf(api: TestApp['api'], name: string, memberIds: readonly string[]) {
  const hub = await given.organisation({ name, type: 'hub' });
  const operator = bearer((await given.user({ role: 'operator' })).token);
  for (const organisationId of memberIds) {
    const res = await api
      .post(`/api/v1/organisations/${hub.id}/members`)
      .set(operator)
      .send({ organisationId, from: '2025-01-01' });
    if (res.status !== 201) throw new Error(`membership of ${organisationId}: ${res.status}`);
  }
  const hubViewer = bearer((await given.user({ role: 'viewer', organisationId: hub.id })).token);
  return { hub, hubViewer };
}
