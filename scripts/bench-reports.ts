/**
 * `npm run bench:reports`: each report at a million ledger entries, p50/p95 over repeated calls of the service
 * (what the HTTP route runs, without the HTTP round trip), with the embedded database on its worker thread.
 *
 * Fixture (written with insertMany, as bench:stock does; not through the stock service, which would take hours):
 * 200 items in 6 warehouses, 10,000 balances of 100 ledger entries each (1,000,000 entries, about half of them
 * issues), and 100,000 received donations of 10 lines each (1,000,000 donation lines) from 2,000 donors over the last
 * year. Five warehouses and every donation belong to one organisation; the sixth to a second one; a hub has both as
 * members. The stock report reads the balances, the inflows report the donations' lines, the outflows report the
 * ledger's issue entries (the one that scans the ledger).
 *
 *   npm run bench:reports -- [--ledger 1000000] [--donations 100000] [--samples 20]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mongoose, { Types } from 'mongoose';
import { connectMongoose, disconnectMongoose } from '../src/db/connection';
import { startEmbeddedServerThread } from '../src/embedded-db/thread';
import { organisationActor } from '../src/modules/access/permissions';
import { Item } from '../src/modules/catalog/catalog.model';
import { Donation } from '../src/modules/donations/donations.model';
import { Donor } from '../src/modules/donors/donors.model';
import { HubMembership } from '../src/modules/organisations/hub-membership.model';
import { Organisation } from '../src/modules/organisations/organisations.model';
import { hubScope, ownScope } from '../src/modules/reports/report-scope';
import { inflowsReport, outflowsReport, stockReport } from '../src/modules/reports/reports.service';
import { LedgerEntry, StockBalance } from '../src/modules/stock/stock.model';
import { REGIONS } from '../src/modules/warehouses/regions';
import { Warehouse } from '../src/modules/warehouses/warehouses.model';
import { formatRate, latencies, percentile, printTable } from './bench/report';

const { values } = parseArgs({
  options: {
    ledger: { type: 'string', default: '1000000' },
    donations: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '20' },
  },
});
const LEDGER = Number(values.ledger);
const DONATIONS = Number(values.donations);
const SAMPLES = Number(values.samples);
const BATCH = 1000;
const actor = { kind: 'system', id: 'system', name: 'benchmark fixture' };

const organisationId = new Types.ObjectId();
const smallMemberId = new Types.ObjectId();
const hubId = new Types.ObjectId();

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

  const started = performance.now();
  const perBalance = 100;
  for (let b = 0; b * perBalance < LEDGER; b += BATCH / perBalance) {
    const balances: Record<string, unknown>[] = [];
    const entries: Record<string, unknown>[] = [];
    for (let k = b; k < b + BATCH / perBalance && k * perBalance < LEDGER; k += 1) {
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
          source: { type: ['shipment', 'distribution', 'issue'][e % 3], id: null, number: null },
          reason: null,
          note: null,
          actor,
          at: new Date(now.getTime() - (e + 1) * 3_600_000),
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
    await StockBalance.collection.insertMany(balances, { ordered: false });
    await LedgerEntry.collection.insertMany(entries, { ordered: false });
  }
  console.log(
    `  ledger fixture: ${formatRate(LEDGER)} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const yearAgo = now.getTime() - 365 * 86_400_000;
  const started2 = performance.now();
  for (let d = 0; d < DONATIONS; d += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, DONATIONS - d) }, (_, j) => {
      const i = d + j;
      const receivedAt = new Date(yearAgo + (i % 365) * 86_400_000);
      return {
        _id: new Types.ObjectId(),
        number: `D-${i}`,
        status: 'received',
        donorId: donors[i % donors.length]._id,
        warehouseId: warehouses[i % 5]._id,
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
        createdAt: receivedAt,
        updatedAt: receivedAt,
      };
    });
    await Donation.collection.insertMany(docs, { ordered: false });
  }
  console.log(
    `  donation fixture: ${formatRate(DONATIONS)} donations (${formatRate(DONATIONS * 10)} lines) in ${((performance.now() - started2) / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<number> {
  const database = await startEmbeddedServerThread({ port: 0 });
  await connectMongoose(database.uri, { backend: 'embedded', dbName: 'asar_bench_reports' });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  try {
    await fixture();
    const quarter = { from: new Date(Date.now() - 91 * 86_400_000), to: new Date() };
    const own = ownScope(organisationActor(String(organisationId)));
    const hubActor = organisationActor(String(hubId));
    const cases: [string, () => Promise<unknown>][] = [
      ['stock by region', async () => stockReport(own, { groupBy: 'region' })],
      ['stock by warehouse', async () => stockReport(own, { groupBy: 'warehouse' })],
      ['stock by category', async () => stockReport(own, { groupBy: 'category' })],
      ['inflows by month (a year: 1,000,000 lines)', async () => inflowsReport(own, { groupBy: 'month' })],
      ['inflows by donor (a year)', async () => inflowsReport(own, { groupBy: 'donor' })],
      ['inflows by donor type (a quarter)', async () => inflowsReport(own, { groupBy: 'donor_type', ...quarter })],
      ['outflows by purpose (all issues)', async () => outflowsReport(own, { groupBy: 'purpose' })],
      ['outflows by region (a quarter)', async () => outflowsReport(own, { groupBy: 'region', ...quarter })],
      ['hub: stock by region', async () => stockReport(await hubScope(String(hubId), hubActor), { groupBy: 'region' })],
      [
        'hub: inflows by donor type (a year)',
        async () => inflowsReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'donor_type' }),
      ],
      [
        'hub: outflows by month (all issues)',
        async () => outflowsReport(await hubScope(String(hubId), hubActor, {}), { groupBy: 'month' }),
      ],
    ];
    const rows: string[][] = [];
    for (const [name, run] of cases) {
      await run(); // warm-up
      const ms = await latencies(SAMPLES, run);
      rows.push([name, `${percentile(ms, 50).toFixed(0)} ms`, `${percentile(ms, 95).toFixed(0)} ms`, '< 500 ms']);
    }
    printTable(
      `Reports at ${formatRate(LEDGER)} ledger entries, ${formatRate(DONATIONS)} donations, ${SAMPLES} samples each`,
      ['report', 'p50', 'p95', 'target p95'],
      rows,
    );
    return 0;
  } finally {
    await disconnectMongoose();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
