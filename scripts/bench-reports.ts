/**
 * `npm run bench:reports`: each report at a million ledger entries, p50/p95 and CPU per call (the process's: the
 * API's thread and the embedded database's, which the machine's load moves far less than wall time) over repeated
 * calls of the service (what the HTTP route runs, without the HTTP round trip), the database on its worker thread.
 *
 * Fixture, written straight through the driver in batches of 20,000, two in flight, outside transactions (not
 * through the stock service, which would take hours): 200 items in 6 warehouses, 10,000 balances of 100 ledger
 * entries each (1,000,000 entries over the last year, about half of them issues: to shipments, to households'
 * allocations in a programme's four rounds, and direct), 100,000 received donations of 10 lines each from 2,000
 * donors, 2,000 dispatched shipments of 5 lines to five countries, and 20,000 households, each handed its goods in
 * two rounds (40,000 hand-overs). Five warehouses and every donation belong to one organisation; the sixth to a
 * second one; a hub has both as members. The reports' roll-ups are then rebuilt (`rebuildReportRollups`, timed, as
 * the report-rollups-rebuild job does), and 1,000 issues and 200 donations are written after their watermark, as
 * the API writes them between two folds, so every outflow and inflow report reads roll-ups and recent records.
 *
 *   npm run bench:reports -- [--ledger 1000000] [--donations 100000] [--samples 20] [--only <text>[,<text>...]]
 *   npm run bench:reports -- --quick          (the same fixture, 5 samples per report)
 *   npm run bench:reports -- --reuse <dir>    (the fixture kept in a data directory: built there the first time,
 *                                              read back the next, so a second run takes a few minutes)
 *   npm run bench:reports -- --reuse <dir> --rebuild
 *                                             (the kept fixture's roll-ups rebuilt first, up to the watermark they
 *                                              had: after a change of the roll-ups' shape; the directory is changed)
 *
 * A reused fixture keeps its watermark and its records after it (nothing folds them: the job does not run here), so
 * every report reads the same parts as on the run that built it. Reading a million-entry fixture back (and rebuilding
 * its roll-ups) can pass the database thread's default heap limit (ERR_WORKER_OUT_OF_MEMORY): give the process
 * more, `NODE_OPTIONS=--max-old-space-size=12000 npm run bench:reports -- --reuse <dir>`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mongoose, { Types } from 'mongoose';
import { monthOf, monthStart } from '../src/core/local-time';
import { connectMongoose, disconnectMongoose } from '../src/db/connection';
import { startEmbeddedServerThread } from '../src/embedded-db/thread';
import { organisationActor } from '../src/modules/access/permissions';
import { Item } from '../src/modules/catalog/catalog.model';
import { Allocation, HandOver } from '../src/modules/distributions/distributions.model';
import { Donation } from '../src/modules/donations/donations.model';
import { Donor } from '../src/modules/donors/donors.model';
import { Household } from '../src/modules/households/households.model';
import { HubMembership } from '../src/modules/organisations/hub-membership.model';
import { Organisation } from '../src/modules/organisations/organisations.model';
import { Programme } from '../src/modules/programmes/programmes.model';
import { foldReportRollups, rebuildHouseholdsServed, rebuildReportRollups } from '../src/modules/reports';
import { servedWatermark } from '../src/modules/reports/households-served';
import { rollupWatermark, SAFETY_LAG_MS } from '../src/modules/reports/report-rollups';
import { hubScope, ownScope } from '../src/modules/reports/report-scope';
import {
  householdsServedReport,
  inflowsReport,
  outflowsReport,
  shippedReport,
  stockReport,
} from '../src/modules/reports/reports.service';
import { Shipment } from '../src/modules/shipments/shipments.model';
import { LedgerEntry, StockBalance } from '../src/modules/stock/stock.model';
import { REGIONS } from '../src/modules/warehouses/regions';
import { Warehouse } from '../src/modules/warehouses/warehouses.model';
import { formatRate, latencies, percentile, printTable, runBench } from './bench/report';

const { values } = parseArgs({
  options: {
    ledger: { type: 'string', default: '1000000' },
    donations: { type: 'string', default: '100000' },
    households: { type: 'string', default: '20000' },
    shipments: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
    /** Only the reports whose name contains this text (or one of several, comma-separated). */
    only: { type: 'string' },
    /** A data directory holding the fixture (built there when it holds none). */
    reuse: { type: 'string' },
    /** With --reuse: the kept roll-ups rebuilt first, to the same watermark. */
    rebuild: { type: 'boolean', default: false },
  },
});
const HOUSEHOLDS = Number(values.households);
const LEDGER = Number(values.ledger);
const DONATIONS = Number(values.donations);
const SHIPMENTS = Number(values.shipments);
// --quick: the same million entries, fewer samples per report (the fixture is most of the run).
const SAMPLES = values.quick ? 5 : Number(values.samples);
const BATCH = 1000;
/** Ledger entries per insert: large batches straight through the driver, outside transactions (it is a fixture). */
const LEDGER_BATCH = 20_000;
const actor = { kind: 'system', id: 'system', name: 'benchmark fixture' };

/** What a kept fixture was built with, written beside its data: its sizes and the organisations' ids. */
const FIXTURE_FILE = 'bench-reports-fixture.json';
interface FixtureFile {
  ledger: number;
  donations: number;
  households: number;
  shipments: number;
  organisationId: string;
  smallMemberId: string;
  hubId: string;
}
const kept: FixtureFile | null =
  values.reuse && existsSync(path.join(values.reuse, FIXTURE_FILE))
    ? JSON.parse(readFileSync(path.join(values.reuse, FIXTURE_FILE), 'utf8'))
    : null;
if (kept && (kept.ledger !== LEDGER || kept.donations !== DONATIONS || kept.households !== HOUSEHOLDS)) {
  console.error(
    `${values.reuse} holds a fixture of ${kept.ledger} entries, ${kept.donations} donations and ${kept.households} households: give the same sizes, or another directory`,
  );
  process.exit(2);
}

const organisationId = new Types.ObjectId(kept?.organisationId);
const smallMemberId = new Types.ObjectId(kept?.smallMemberId);
const hubId = new Types.ObjectId(kept?.hubId);

/** A received donation of 10 lines, posted when received (as the API posts a donation created as received). */
function donationDoc(
  number: string,
  donorId: Types.ObjectId,
  warehouseId: Types.ObjectId,
  receivedAt: Date,
  items: { _id: Types.ObjectId; baseUnit: string }[],
  i: number,
) {
  return {
    _id: new Types.ObjectId(),
    number,
    status: 'received',
    donorId,
    warehouseId,
    organisationId,
    receivedAt,
    lines: Array.from({ length: 10 }, (_, l) => {
      const item = items[(i + l * 17) % 200];
      return {
        itemId: item._id,
        quantity: 1000 + l,
        enteredQuantity: '1',
        enteredUnit: item.baseUnit,
        condition: 'new',
        lot: null,
        expiryDate: null,
        locationCode: null,
        estimatedValue: null,
      };
    }),
    notes: null,
    verificationRef: 'X',
    createdBy: actor,
    receivedBy: actor,
    postedAt: receivedAt,
    reversedAt: null,
    createdAt: receivedAt,
    updatedAt: receivedAt,
  };
}

/** At most `limit` writes pending at once: `add` waits for the oldest when the limit is reached. */
function writesInFlight(limit: number) {
  const pending: Promise<unknown>[] = [];
  return {
    async add(write: Promise<unknown>): Promise<void> {
      pending.push(write);
      if (pending.length >= limit) await pending.shift();
    },
    async drain(): Promise<void> {
      await Promise.all(pending.splice(0));
    },
  };
}

async function fixture(): Promise<void> {
  const now = new Date();
  await Organisation.collection.insertMany(
    (
      [
        [organisationId, 'Bench NGO', 'ngo'],
        [smallMemberId, 'Bench initiative group', 'initiative_group'],
        [hubId, 'Bench hub', 'hub'],
      ] as const
    ).map(([_id, name, type]) => ({ _id, name, type, contact: {}, active: true, createdAt: now, updatedAt: now })),
  );
  await HubMembership.collection.insertMany(
    [organisationId, smallMemberId].map((memberId) => ({
      hubId,
      memberId,
      from: new Date(now.getTime() - 400 * 86_400_000),
      until: null,
      createdAt: now,
      updatedAt: now,
    })),
  );
  const warehouses = Array.from({ length: 6 }, (_, i) => ({
    _id: new Types.ObjectId(),
    organisationId: i < 5 ? organisationId : smallMemberId,
    code: `BW-${i}`,
    name: `Bench warehouse ${i}`,
    region: REGIONS[i * 3],
    city: 'City',
    address: '',
    locations: [{ code: 'A-01', name: '', active: true }],
    active: true,
    createdAt: now,
    updatedAt: now,
  }));
  const items = Array.from({ length: 200 }, (_, i) => ({
    _id: new Types.ObjectId(),
    sku: `BENCH-${i}`,
    name: { en: `Item ${i}`, ru: `Товар ${i}`, kk: `Тауар ${i}` },
    category: ['food', 'bedding', 'hygiene', 'clothing', 'shelter'][i % 5],
    baseUnit: i % 2 ? 'kg' : 'piece',
    packs: [],
    weightGramsPerUnit: i % 2 ? 1000 : 500 + i,
    volumeCm3PerUnit: i % 7 ? 2000 : null,
    lotTracked: false,
    expiryTracked: false,
    components: [],
    active: true,
    createdAt: now,
    updatedAt: now,
  }));
  const donors = Array.from({ length: 2000 }, (_, i) => ({
    _id: new Types.ObjectId(),
    organisationId,
    type: ['individual', 'company', 'ngo', 'government', 'foreign_organisation'][i % 5],
    name: `Donor ${i}`,
    country: 'KZ',
    contact: {},
    anonymous: false,
    createdAt: now,
    updatedAt: now,
  }));
  await Warehouse.collection.insertMany(warehouses);
  await Item.collection.insertMany(items);
  await Donor.collection.insertMany(donors);

  const programmeId = new Types.ObjectId();
  const roundIds = Array.from({ length: 4 }, () => new Types.ObjectId());
  await Programme.collection.insertOne({
    _id: programmeId,
    organisationId,
    name: 'Bench winter programme',
    description: null,
    participatingOrganisationIds: [organisationId, smallMemberId],
    eligibility: { vulnerabilities: [], regions: [] },
    discloseEnrollingOrganisation: false,
    overlapRules: [],
    rounds: roundIds.map((_id, i) => ({
      _id,
      name: `Round ${i + 1}`,
      startsOn: now,
      endsOn: now,
      status: 'open',
      entitlements: [],
    })),
    status: 'active',
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  });
  // The households and what they were handed: each household served in two of the four rounds.
  const households = Array.from({ length: HOUSEHOLDS }, (_, i) => ({
    _id: new Types.ObjectId(),
    organisationId: i % 10 === 0 ? smallMemberId : organisationId,
    number: `HH-${i}`,
    kind: 'household',
    status: 'active',
    head: null,
    institution: null,
    members: [],
    size: 1 + (i % 6),
    address: { region: REGIONS[i % REGIONS.length], settlement: 'Settlement', line: null },
    vulnerabilities: [['single_parent'], ['disability', 'low_income'], [], ['large_family']][i % 4],
    notes: null,
    createdAt: now,
    updatedAt: now,
  }));
  const allocations: Record<string, unknown>[] = [];
  const handOvers: Record<string, unknown>[] = [];
  for (const [i, h] of households.entries()) {
    for (const r of [i % 4, (i + 1) % 4]) {
      const allocationId = new Types.ObjectId();
      allocations.push({
        _id: allocationId,
        organisationId: h.organisationId,
        programmeId,
        roundId: roundIds[r],
        householdId: h._id,
        status: 'handed_over',
        active: true,
      });
      handOvers.push({
        _id: new Types.ObjectId(),
        organisationId: h.organisationId,
        number: `HO-${i}-${r}`,
        allocationId,
        householdId: h._id,
        roundId: roundIds[r],
        outcome: 'all',
        handedOverAt: new Date(now.getTime() - ((i * 2 + r) % 365) * 86_400_000),
      });
    }
  }
  for (const [model, docs] of [
    [Household, households],
    [Allocation, allocations],
    [HandOver, handOvers],
  ] as const) {
    for (let i = 0; i < docs.length; i += 5000) {
      await (model as typeof Household).collection.insertMany(docs.slice(i, i + 5000), { ordered: false });
    }
  }
  const allocationsOf = (orgId: Types.ObjectId) =>
    allocations.filter((a) => (a.organisationId as Types.ObjectId).equals(orgId)).map((a) => a._id);
  const allocationPool = new Map([
    [String(organisationId), allocationsOf(organisationId)],
    [String(smallMemberId), allocationsOf(smallMemberId)],
  ]);

  const started = performance.now();
  const inFlight = writesInFlight(2);
  const perBalance = 100;
  const yearMs = 365 * 86_400_000;
  for (let b = 0; b * perBalance < LEDGER; b += LEDGER_BATCH / perBalance) {
    const balances: Record<string, unknown>[] = [];
    const entries: Record<string, unknown>[] = [];
    for (let k = b; k < b + LEDGER_BATCH / perBalance && k * perBalance < LEDGER; k += 1) {
      const warehouse = warehouses[k % 6];
      const item = items[Math.floor(k / 5) % 200];
      const identity = {
        organisationId: warehouse.organisationId,
        warehouseId: warehouse._id,
        locationCode: 'A-01',
        itemId: item._id,
        lot: `L${Math.floor(k / 1000)}`,
        expiryDate: null,
        condition: 'new',
      };
      const balanceId = new Types.ObjectId();
      const sourceOf = (n: number, orgId: Types.ObjectId) => {
        const type = ['shipment', 'allocation', 'issue'][n % 3] as string;
        if (type !== 'allocation') return { type, id: null, number: null };
        const pool = allocationPool.get(String(orgId)) as Types.ObjectId[];
        return { type, id: String(pool[n % pool.length]), number: null };
      };
      let onHand = 0;
      for (let e = 0; e < perBalance; e += 1) {
        const quantity = e === 0 ? 1000 : e % 2 ? -1 : 1;
        onHand += quantity;
        entries.push({
          ...identity,
          type: quantity > 0 ? 'receipt' : 'issue',
          quantity,
          unit: item.baseUnit === 'kg' ? 'g' : 'piece',
          balanceId,
          balanceAfter: onHand,
          operationId: new Types.ObjectId(),
          source: sourceOf(k * perBalance + e, warehouse.organisationId),
          reason: null,
          note: null,
          actor,
          // Spread over the last year, every balance's entries in order.
          at: new Date(now.getTime() - 7_200_000 - (((k * 7919) % 10_000) / 10_000) * yearMs + e * 60_000),
          reverses: null,
          reversedBy: null,
        });
      }
      balances.push({
        _id: balanceId,
        ...identity,
        onHand,
        unit: item.baseUnit === 'kg' ? 'g' : 'piece',
        version: perBalance,
        createdAt: now,
        updatedAt: now,
      });
    }
    // Two batches in flight: the next one is built and sent while the database writes this one.
    await inFlight.add(
      StockBalance.collection
        .insertMany(balances, { ordered: false })
        .then(() => LedgerEntry.collection.insertMany(entries, { ordered: false })),
    );
  }
  await inFlight.drain();
  console.log(
    `  ledger fixture: ${formatRate(LEDGER)} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const yearAgo = now.getTime() - 365 * 86_400_000;
  const started2 = performance.now();
  for (let d = 0; d < DONATIONS; d += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, DONATIONS - d) }, (_, j) => {
      const i = d + j;
      const receivedAt = new Date(yearAgo + (i % 365) * 86_400_000);
      return donationDoc(`D-${i}`, donors[i % donors.length]._id, warehouses[i % 5]._id, receivedAt, items, i);
    });
    await inFlight.add(Donation.collection.insertMany(docs, { ordered: false }));
  }
  await inFlight.drain();
  console.log(
    `  donation fixture: ${formatRate(DONATIONS)} donations (${formatRate(DONATIONS * 10)} lines) in ${((performance.now() - started2) / 1000).toFixed(1)} s`,
  );
  // The roll-ups, as the report-rollups job leaves them: everything older than its safety lag folded in.
  const rebuilt = performance.now();
  const fold = await rebuildReportRollups();
  console.log(
    `  report roll-ups rebuilt: ${formatRate(fold.outflowBuckets)} outflow and ${formatRate(fold.inflowBuckets)} inflow buckets in ${((performance.now() - rebuilt) / 1000).toFixed(1)} s`,
  );
  await shipmentsFixture(warehouses, items);
  // Then a few minutes of work after the watermark, which every report reads from the records themselves: issues
  // from the first balances and donations, as the API writes them between two folds.
  await recentWork(warehouses, items, donors);
  const folded = performance.now();
  const again = await foldReportRollups();
  console.log(
    `  an incremental fold with nothing new before the safety lag: ${((performance.now() - folded) / 1000).toFixed(2)} s (${again.outflowBuckets + again.inflowBuckets} buckets)`,
  );
}

/** Dispatched shipments to five countries, each with the dispatch's debits of its warehouse (5 lines). */
async function shipmentsFixture(
  warehouses: { _id: Types.ObjectId; organisationId: Types.ObjectId }[],
  items: { _id: Types.ObjectId; baseUnit: string }[],
): Promise<void> {
  const now = Date.now();
  const shipments = Array.from({ length: SHIPMENTS }, (_, i) => ({
    _id: new Types.ObjectId(),
    organisationId,
    number: `SH-${i}`,
    kind: ['outbound', 'delivery', 'transfer'][i % 3],
    status: ['dispatched', 'received', 'closed'][i % 3],
    consignee: { name: 'Consignee', country: null },
    destination: { name: 'Destination', country: ['KZ', 'TR', 'KG', 'UZ', 'TJ'][i % 5] },
    dispatchedAt: new Date(now - 7_200_000 - (i % 365) * 86_400_000),
    createdAt: new Date(now),
    updatedAt: new Date(now),
  }));
  const entries = shipments.flatMap((shipment, i) =>
    Array.from({ length: 5 }, (_, l) => {
      const item = items[(i + l * 31) % 200];
      return {
        organisationId,
        warehouseId: warehouses[i % 5]._id,
        locationCode: 'A-01',
        itemId: item._id,
        lot: null,
        expiryDate: null,
        condition: 'new',
        type: 'transfer_out',
        quantity: -(10 + l),
        unit: item.baseUnit === 'kg' ? 'g' : 'piece',
        balanceId: new Types.ObjectId(),
        balanceAfter: 0,
        operationId: new Types.ObjectId(),
        source: { type: 'shipment', id: String(shipment._id), number: shipment.number },
        reason: null,
        note: null,
        actor,
        at: shipment.dispatchedAt,
        reverses: null,
        reversedBy: null,
      };
    }),
  );
  await Shipment.collection.insertMany(shipments, { ordered: false });
  for (let i = 0; i < entries.length; i += LEDGER_BATCH) {
    await LedgerEntry.collection.insertMany(entries.slice(i, i + LEDGER_BATCH), { ordered: false });
  }
}

/** 1,000 issues and 200 donations of 10 lines in the last two minutes (after the watermark). */
async function recentWork(
  warehouses: { _id: Types.ObjectId; organisationId: Types.ObjectId }[],
  items: { _id: Types.ObjectId; baseUnit: string }[],
  donors: { _id: Types.ObjectId }[],
): Promise<void> {
  const now = Date.now();
  await LedgerEntry.collection.insertMany(
    Array.from({ length: 1000 }, (_, i) => {
      const warehouse = warehouses[i % 5];
      const item = items[i % 200];
      return {
        organisationId: warehouse.organisationId,
        warehouseId: warehouse._id,
        locationCode: 'A-01',
        itemId: item._id,
        lot: 'RECENT',
        expiryDate: null,
        condition: 'new',
        type: 'issue',
        quantity: -1,
        unit: item.baseUnit === 'kg' ? 'g' : 'piece',
        balanceId: new Types.ObjectId(),
        balanceAfter: 0,
        operationId: new Types.ObjectId(),
        source: { type: 'issue', id: null, number: null },
        reason: null,
        note: null,
        actor,
        at: new Date(now - 120_000 + i * 100),
        reverses: null,
        reversedBy: null,
      };
    }),
  );
  await Donation.collection.insertMany(
    Array.from({ length: 200 }, (_, i) =>
      donationDoc(
        `D-RECENT-${i}`,
        donors[i % donors.length]._id,
        warehouses[i % 5]._id,
        new Date(now - 120_000 + i * 500),
        items,
        i,
      ),
    ),
  );
}

/**
 * The roll-ups rebuilt in the shape this code gives them, to the watermark the kept fixture had: its records after
 * the watermark stay there, so every report reads the same parts as before.
 */
async function rebuildToWatermark(): Promise<void> {
  const watermark = await rollupWatermark();
  if (!watermark) throw new Error(`${values.reuse} holds no roll-ups to rebuild`);
  const started = performance.now();
  const fold = await rebuildReportRollups(new Date(watermark.getTime() + SAFETY_LAG_MS));
  console.log(
    `  report roll-ups rebuilt to ${fold.through}: ${formatRate(fold.outflowBuckets)} outflow, ${formatRate(fold.inflowBuckets)} inflow and ${formatRate(fold.yearlyBuckets)} yearly inflow buckets in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<number> {
  const opened = performance.now();
  const database = await startEmbeddedServerThread({ port: 0, dbPath: values.reuse });
  // Building the fixture holds the database's thread for long stretches on a loaded machine: the driver's monitor
  // waits for it rather than giving the server up.
  await connectMongoose(database.uri, {
    backend: 'embedded',
    dbName: 'asar_bench_reports',
    serverSelectionTimeoutMS: 300_000,
    driverOptions: { connectTimeoutMS: 300_000 },
  });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  try {
    if (kept) {
      console.log(
        `  the fixture read back from ${values.reuse} in ${((performance.now() - opened) / 1000).toFixed(1)} s`,
      );
      if (values.rebuild) await rebuildToWatermark();
    } else {
      await fixture();
      if (values.reuse) {
        const file: FixtureFile = {
          ledger: LEDGER,
          donations: DONATIONS,
          households: HOUSEHOLDS,
          shipments: SHIPMENTS,
          organisationId: String(organisationId),
          smallMemberId: String(smallMemberId),
          hubId: String(hubId),
        };
        writeFileSync(path.join(values.reuse, FIXTURE_FILE), JSON.stringify(file, null, 2));
      }
    }
    // The households-served records, as the report-rollups job leaves them: every hand-over folded (the fixture's
    // were all made minutes ago; a fixture kept before these records existed gains them here).
    if ((await servedWatermark()) === null) {
      const started = performance.now();
      const served = await rebuildHouseholdsServed(new Date(Date.now() + SAFETY_LAG_MS));
      console.log(
        `  households-served records rebuilt: ${formatRate(served.records)} from ${formatRate(served.handOvers)} hand-overs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    const quarter = { from: new Date(Date.now() - 91 * 86_400_000), to: new Date() };
    // The last three whole local months and this one so far: roll-ups only.
    const wholeMonths = { from: monthStart(monthOf(new Date(Date.now() - 80 * 86_400_000))) };
    const own = ownScope(organisationActor(String(organisationId)));
    const hubActor = organisationActor(String(hubId));
    const cases: [string, () => Promise<unknown>][] = [
      ['stock by region', async () => stockReport(own, { groupBy: 'region' })],
      ['stock by warehouse', async () => stockReport(own, { groupBy: 'warehouse' })],
      ['stock by category', async () => stockReport(own, { groupBy: 'category' })],
      [
        `inflows by month (a year: ${formatRate(DONATIONS * 10)} lines)`,
        async () => inflowsReport(own, { groupBy: 'month' }),
      ],
      ['inflows by donor (a year)', async () => inflowsReport(own, { groupBy: 'donor' })],
      ['inflows by donor type (a quarter)', async () => inflowsReport(own, { groupBy: 'donor_type', ...quarter })],
      ['outflows by purpose (all issues)', async () => outflowsReport(own, { groupBy: 'purpose' })],
      [
        'outflows by region (a quarter from a mid-month day)',
        async () => outflowsReport(own, { groupBy: 'region', ...quarter }),
      ],
      ['outflows by month (whole months)', async () => outflowsReport(own, { groupBy: 'month', ...wholeMonths })],
      ['outflows by programme (all)', async () => outflowsReport(own, { groupBy: 'programme' })],
      ['outflows by round (whole months)', async () => outflowsReport(own, { groupBy: 'round', ...wholeMonths })],
      ['households served by region (a year)', async () => householdsServedReport(own, { groupBy: 'region' })],
      ['households served by round', async () => householdsServedReport(own, { groupBy: 'round' })],
      [
        'households served by vulnerability (a quarter)',
        async () => householdsServedReport(own, { groupBy: 'vulnerability', ...quarter }),
      ],
      [
        `tonnage shipped by country (${formatRate(SHIPMENTS)} shipments)`,
        async () => shippedReport(own, { groupBy: 'country' }),
      ],
      ['tonnage shipped by month (a quarter)', async () => shippedReport(own, { groupBy: 'month', ...quarter })],
      ['hub: stock by region', async () => stockReport(await hubScope(String(hubId), hubActor), { groupBy: 'region' })],
      [
        'hub: inflows by donor type (a year)',
        async () => inflowsReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'donor_type' }),
      ],
      [
        'hub: outflows by month (all issues)',
        async () => outflowsReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'month' }),
      ],
      [
        'hub: outflows by round',
        async () => outflowsReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'round' }),
      ],
      [
        'hub: tonnage shipped by country',
        async () => shippedReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'country' }),
      ],
      [
        'hub: households served by region',
        async () => householdsServedReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'region' }),
      ],
    ];
    const rows: string[][] = [];
    for (const [name, run] of cases) {
      if (values.only && !values.only.split(',').some((part) => name.includes(part))) continue;
      const warm = performance.now();
      await run(); // warm-up
      // A report far over its target is sampled less (at least 3 times): 20 samples of a 30 s report take 10 minutes.
      const samples = Math.max(3, Math.min(SAMPLES, Math.floor(60_000 / (performance.now() - warm))));
      // CPU of the whole process (the API's thread and the database's), which the machine's load does not move.
      const cpu = process.cpuUsage();
      const ms = await latencies(samples, run);
      const used = process.cpuUsage(cpu);
      rows.push([
        name,
        `${percentile(ms, 50).toFixed(0)} ms`,
        `${percentile(ms, 95).toFixed(0)} ms`,
        `${((used.user + used.system) / 1000 / samples).toFixed(0)} ms`,
        String(samples),
        '< 500 ms',
      ]);
    }
    printTable(
      `Reports at ${formatRate(LEDGER)} ledger entries, ${formatRate(DONATIONS)} donations, ${formatRate(HOUSEHOLDS)} households served twice (load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
      ['report', 'p50', 'p95', 'CPU per call', 'samples', 'target p95'],
      rows,
    );
    return 0;
  } finally {
    await disconnectMongoose();
    await database.close();
  }
}

runBench(main);
