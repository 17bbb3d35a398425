/**
 * `npm run bench:import`: CSV import and export throughput and memory, with the embedded database on its worker
 * thread (in this process: resident memory includes the database's, which holds every fixture in memory).
 *
 * Phases (`--only households,export` runs some of them):
 * - households: --households rows (a head and two members each, two valid IINs per family), uploaded (dry run: each
 *   row validated as the API's registration, its IINs hashed and looked up, one query per batch of 500), then
 *   imported all-or-nothing in batches of 500 per transaction (numbers reserved as one range, IINs, phones and
 *   addresses sealed in process, one insert of the households and one of their audit entries);
 * - items, donors: --items and --donors rows, uploaded and imported in batches (one insert per batch);
 * - opening stock: --rows rows (200 items, 5 warehouses), uploaded then imported through stock.receive, one
 *   transaction per batch of 500 rows;
 * - ledger export: the ledger fixture (inserted in bulk through the driver) exported as CSV to a sink that counts
 *   bytes, at two sizes (--ledger-small, then --ledger): memory that does not grow between them is flat.
 *
 * Each phase prints rows/s, the process's CPU (both threads) per 1,000 rows, and the peak growth of the heap and of
 * the resident memory over their level at the phase's start (after a garbage collection), sampled every 20 ms. The
 * heap's peak counts garbage V8 has not collected yet, which grows with a longer run; the live heap (what survived
 * each full collection V8 made on its own) is what an export holds. Resident memory includes the database
 * thread's, and its fixture's.
 *
 *   npm run bench:import                 # 50,000 households, 100,000 and 1,000,000 ledger rows
 *   npm run bench:import -- --quick      # 5,000 households, 20,000 and 200,000 ledger rows: about a minute
 *   npm run bench:import -- [--households N] [--items N] [--donors N] [--rows N] [--ledger-small N] [--ledger N]
 *                           [--only households,items,donors,stock,export] [--profile-dir DIR]
 */
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import mongoose, { Types } from 'mongoose';
import { kzCheckDigit } from '../src/core/kz-identifiers';
import { connectMongoose, disconnectMongoose } from '../src/db/connection';
import { startEmbeddedServerThread } from '../src/embedded-db/thread';
import { type Actor, organisationActor } from '../src/modules/access/permissions';
import { Item } from '../src/modules/catalog/catalog.model';
import { Household } from '../src/modules/households/households.model';
import { exportCsv } from '../src/modules/imports/exports.service';
import { startImport, uploadImport } from '../src/modules/imports/imports.service';
import { Organisation } from '../src/modules/organisations/organisations.model';
import { LedgerEntry } from '../src/modules/stock/stock.model';
import { Warehouse } from '../src/modules/warehouses/warehouses.model';
import { formatRate, printTable, profiled, runBench } from './bench/report';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    households: { type: 'string' },
    items: { type: 'string' },
    donors: { type: 'string' },
    rows: { type: 'string' },
    'ledger-small': { type: 'string' },
    ledger: { type: 'string' },
    only: { type: 'string' },
    'profile-dir': { type: 'string' },
  },
});
const sized = (name: keyof typeof values, full: number, quick: number) =>
  Number(values[name] ?? (values.quick ? quick : full));
const HOUSEHOLDS = sized('households', 50_000, 5_000);
const ITEMS = sized('items', 5_000, 1_000);
const DONORS = sized('donors', 5_000, 1_000);
const STOCK_ROWS = sized('rows', 5_000, 1_000);
const LEDGER_SMALL = sized('ledger-small', 100_000, 20_000);
const LEDGER = sized('ledger', 1_000_000, 200_000);
const PHASES = new Set((values.only ?? 'households,items,donors,stock,export').split(','));
const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const GC_MAJOR = constants.NODE_PERFORMANCE_GC_MAJOR;
const gc = runInNewContext('gc') as () => void;

interface Watched<T> {
  result: T;
  seconds: number;
  cpuSeconds: number;
  rssGrowthMb: number;
  heapGrowthMb: number;
  /** The heap that survived each full collection during the run: what is held, not the garbage not yet collected. */
  liveHeapGrowthMb: number;
  peakRssMb: number;
}

/**
 * Runs `fn` from a collected heap, sampling memory every 20 ms and after every full collection V8 makes on its own:
 * its duration, CPU and peak memory growth, the live heap's included.
 */
async function watched<T>(name: string, fn: () => Promise<T>): Promise<Watched<T>> {
  gc();
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  let live = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  const collections = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === GC_MAJOR);
    if (major) live = Math.max(live, process.memoryUsage().heapUsed);
  });
  collections.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    const result = await profiled(values['profile-dir'], name, fn);
    const used = process.cpuUsage(cpu);
    return {
      result,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      rssGrowthMb: (rss - base.rss) / MB,
      heapGrowthMb: (heap - base.heapUsed) / MB,
      liveHeapGrowthMb: (live - base.heapUsed) / MB,
      peakRssMb: rss / MB,
    };
  } finally {
    clearInterval(timer);
    collections.disconnect();
  }
}

const table: string[][] = [];
function record(label: string, rows: number, w: Watched<unknown>): void {
  table.push([
    label,
    formatRate(rows / w.seconds),
    ((w.cpuSeconds / rows) * 1000).toFixed(2),
    w.heapGrowthMb.toFixed(0),
    w.liveHeapGrowthMb.toFixed(0),
    w.rssGrowthMb.toFixed(0),
    w.peakRssMb.toFixed(0),
  ]);
  console.log(`  ${label}: ${formatRate(rows / w.seconds)} rows/s (${w.seconds.toFixed(1)} s)`);
}

/** Uploads (the dry run) then imports a file all-or-nothing, recording both; refuses a fixture with bad rows. */
async function importFile(kind: string, label: string, rows: number, csv: string, actor: Actor): Promise<void> {
  const content = Buffer.from(csv, 'utf8');
  const upload = await watched(`${kind}-dry-run`, () =>
    uploadImport({ kind, filename: `${kind}.csv`, content }, actor),
  );
  if (upload.result.errorCount > 0) {
    throw new Error(`${kind} fixture has bad rows: ${JSON.stringify(upload.result.errors.slice(0, 3))}`);
  }
  record(`${label} dry run (${formatRate(rows)} rows)`, rows, upload);
  const run = await watched(`${kind}-import`, () =>
    startImport(upload.result.id, { mode: 'all_or_nothing' }, actor, { wait: true }),
  );
  if (run.result.status !== 'done') throw new Error(`${kind} import ${run.result.status}: ${run.result.failure}`);
  record(`${label} import (${formatRate(rows)} rows)`, rows, run);
}

/** A valid IIN of a person born on `born` (century digit by year and sex), the serial taken from `serial` on. */
function iin(born: Date, serial: number, female: boolean): string {
  const year = born.getUTCFullYear();
  const century = year >= 2000 ? (female ? 6 : 5) : female ? 4 : 3;
  const date = born.toISOString().slice(2, 10).replaceAll('-', '');
  for (let s = serial; ; s += 1) {
    const first11 = `${date}${century}${String(s % 10_000).padStart(4, '0')}`;
    const check = kzCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
}

/** Households as Excel in Kazakhstan saves them; every IIN unique (a birth date per family, a serial per cycle). */
function householdsCsv(count: number): string {
  const lines = [
    'head_name;head_birth_date;head_iin;phone;region;settlement;address;vulnerabilities;members;legal_basis;purpose;notes',
  ];
  for (let i = 0; i < count; i += 1) {
    const headBorn = new Date(Date.UTC(1960, 0, 1) + (i % 14_600) * 86_400_000);
    const spouseBorn = new Date(headBorn.getTime() + 400 * 86_400_000);
    const serial = Math.floor(i / 14_600) * 2000;
    lines.push(
      [
        `Отбасы басшысы ${i}`,
        headBorn.toISOString().slice(0, 10),
        iin(headBorn, serial, false),
        `+7 701 ${String(i % 1000).padStart(3, '0')} ${String(i % 100).padStart(2, '0')} 00`,
        'almaty_region',
        'Талғар',
        `Абай көшесі ${i}`,
        i % 3 ? 'low_income' : 'single_parent',
        `"Жұбайы ${i}|spouse|${spouseBorn.toISOString().slice(0, 10)}|${iin(spouseBorn, serial + 1000, true)}; Бала ${i}|child|5-17|"`,
        'vital_interest',
        'Flood response 2024',
        '',
      ].join(';'),
    );
  }
  return lines.join('\n');
}

/** Adds ledger entries up to `total`, in bulk through the driver: batches of 10,000, two in flight. */
async function ledgerFixture(
  total: number,
  items: { _id: Types.ObjectId }[],
  warehouseId: Types.ObjectId,
  organisationId: Types.ObjectId,
): Promise<void> {
  const have = await LedgerEntry.estimatedDocumentCount();
  const started = performance.now();
  const actor = { kind: 'system', id: 'system', name: 'benchmark fixture' };
  const now = Date.now();
  const batches: number[] = [];
  for (let from = have; from < total; from += 10_000) batches.push(from);
  const insert = async (from: number) => {
    const docs = Array.from({ length: Math.min(10_000, total - from) }, (_, i) => ({
      organisationId,
      warehouseId,
      locationCode: null,
      itemId: items[(from + i) % items.length]._id,
      lot: null,
      expiryDate: null,
      condition: 'new',
      type: 'receipt',
      quantity: 1 + ((from + i) % 7),
      unit: 'piece',
      balanceId: new Types.ObjectId(),
      balanceAfter: 1,
      operationId: new Types.ObjectId(),
      source: { type: 'fixture', id: null, number: null },
      reason: null,
      note: null,
      actor,
      at: new Date(now - (from + i) * 1000),
      reverses: null,
      reversedBy: null,
    }));
    await LedgerEntry.collection.insertMany(docs, { ordered: false });
  };
  await Promise.all(
    [0, 1].map(async (lane) => {
      for (let b = lane; b < batches.length; b += 2) await insert(batches[b] as number);
    }),
  );
  console.log(
    `  ledger fixture: ${formatRate(total)} entries (${((performance.now() - started) / 1000).toFixed(0)} s to add ${formatRate(total - have)})`,
  );
}

/** A sink that counts bytes and, like a slow client, lets the stream wait now and then (back-pressure). */
function sink(): Writable & { bytes: number } {
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      out.bytes += chunk.length;
      if (out.bytes % 7 === 0) setImmediate(done);
      else done();
    },
  }) as Writable & { bytes: number };
  out.bytes = 0;
  return out;
}

async function main(): Promise<number> {
  const database = await startEmbeddedServerThread({ port: 0 });
  await connectMongoose(database.uri, { backend: 'embedded', dbName: 'asar_bench_import' });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  try {
    const now = new Date();
    const organisationId = new Types.ObjectId();
    await Organisation.collection.insertOne({
      _id: organisationId,
      name: 'Bench organisation',
      type: 'ngo',
      contact: {},
      active: true,
      createdAt: now,
      updatedAt: now,
    });
    const actor = organisationActor(String(organisationId));
    const items = Array.from({ length: 200 }, (_, i) => ({
      _id: new Types.ObjectId(),
      sku: `IMP-${i}`,
      name: { en: `Item ${i}` },
      category: 'food',
      baseUnit: 'piece',
      packs: [],
      weightGramsPerUnit: 500,
      volumeCm3PerUnit: null,
      lotTracked: false,
      expiryTracked: false,
      components: [],
      active: true,
      createdAt: now,
      updatedAt: now,
    }));
    const warehouses = Array.from({ length: 5 }, (_, i) => ({
      _id: new Types.ObjectId(),
      organisationId,
      code: `IW-${i}`,
      name: `Warehouse ${i}`,
      region: 'astana',
      city: 'Astana',
      address: '',
      locations: [{ code: 'A-01', name: '', active: true }],
      active: true,
      createdAt: now,
      updatedAt: now,
    }));
    await Item.collection.insertMany(items);
    await Warehouse.collection.insertMany(warehouses);

    if (PHASES.has('households')) {
      await importFile('households', 'households', HOUSEHOLDS, householdsCsv(HOUSEHOLDS), actor);
      const stored = await Household.countDocuments({ organisationId });
      if (stored !== HOUSEHOLDS) throw new Error(`${stored} households registered, not ${HOUSEHOLDS}`);
    }
    if (PHASES.has('items')) {
      const lines = ['sku,name_en,name_ru,category,base_unit,weight_kg'];
      for (let i = 0; i < ITEMS; i += 1) lines.push(`CSV-${i},Item ${i},Товар ${i},food,piece,"0,${1 + (i % 9)}"`);
      await importFile('items', 'items', ITEMS, lines.join('\n'), actor);
    }
    if (PHASES.has('donors')) {
      const lines = ['type,name,country,phone'];
      for (let i = 0; i < DONORS; i += 1)
        lines.push(`company,Donor company ${i},KZ,+7 701 000 ${String(i).padStart(4, '0')}`);
      await importFile('donors', 'donors', DONORS, lines.join('\n'), actor);
    }
    if (PHASES.has('stock')) {
      const lines = ['warehouse;bin;sku;quantity;unit;condition'];
      for (let i = 0; i < STOCK_ROWS; i += 1) lines.push(`IW-${i % 5};A-01;IMP-${i % 200};${1 + (i % 9)};piece;new`);
      await importFile('opening_stock', 'opening stock', STOCK_ROWS, `\uFEFF${lines.join('\r\n')}\r\n`, actor);
    }
    if (PHASES.has('export')) {
      for (const size of [LEDGER_SMALL, LEDGER]) {
        await ledgerFixture(size, items, warehouses[0]._id, organisationId);
        const rows = await LedgerEntry.countDocuments({ organisationId });
        const out = sink();
        const exported = await watched(`ledger-export-${size}`, () => exportCsv('ledger', out, actor));
        if (exported.result !== rows) throw new Error(`exported ${exported.result} rows of ${rows}`);
        record(`ledger export (${formatRate(rows)} rows, ${(out.bytes / MB).toFixed(0)} MB)`, rows, exported);
      }
    }
    printTable(
      'CSV import and export (embedded database in this process)',
      [
        'operation',
        'rows/s',
        'CPU ms / row',
        'peak heap growth MB',
        'live heap growth MB',
        'peak RSS growth MB',
        'peak RSS MB',
      ],
      table,
    );
    return 0;
  } catch (error) {
    console.error(error); // before the connection closes under streams still reading
    return 1;
  } finally {
    await disconnectMongoose();
    await database.close();
  }
}

runBench(main);
