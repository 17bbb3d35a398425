/**
 * `npm run bench:import`: CSV import and export throughput and memory, with the embedded database on its worker
 * thread (in this process: the resident memory below includes the database's).
 *
 * - opening stock: a generated file of --rows rows (200 items, 5 warehouses), uploaded (dry run), then imported
 *   all-or-nothing in batches of 500 rows per transaction, through stock.receive;
 * - donors: --donors rows, written row by row through the donors service (each its own transaction and audit entry);
 * - ledger export: --ledger entries (a fixture written with insertMany, as bench:stock does), streamed as CSV to a
 *   sink that counts bytes; memory is sampled every 50 ms, and the export runs at two sizes to show that its peak
 *   does not grow with the number of rows.
 * - households: --households rows (a head and two members each, two valid IINs per family), uploaded (dry run:
 *   each row validated as the API's registration, its IINs hashed and looked up) and imported all-or-nothing in
 *   batches of 500 households per transaction through the registry's registration (sealed IINs, an audit entry each);
 *
 *   npm run bench:import -- [--rows 50000] [--donors 5000] [--households 50000] [--ledger 1000000]
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import mongoose, { Types } from 'mongoose';
import { kzCheckDigit } from '../src/core/kz-identifiers';
import { connectMongoose, disconnectMongoose } from '../src/db/connection';
import { startEmbeddedServerThread } from '../src/embedded-db/thread';
import { organisationActor } from '../src/modules/access/permissions';
import { Item } from '../src/modules/catalog/catalog.model';
import { exportCsv } from '../src/modules/imports/exports.service';
import { startImport, uploadImport } from '../src/modules/imports/imports.service';
import { Organisation } from '../src/modules/organisations/organisations.model';
import { LedgerEntry } from '../src/modules/stock/stock.model';
import { Warehouse } from '../src/modules/warehouses/warehouses.model';
import { formatRate, printTable, runBench } from './bench/report';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    donors: { type: 'string', default: '5000' },
    ledger: { type: 'string', default: '1000000' },
    households: { type: 'string', default: '50000' },
  },
});
const HOUSEHOLDS = Number(values.households);
const ROWS = Number(values.rows);
const DONORS = Number(values.donors);
const LEDGER = Number(values.ledger);
const MB = 1024 * 1024;

/** Samples resident memory and heap while `fn` runs; answers its duration and the peaks above the baseline. */
async function watched<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; seconds: number; rssMb: number; heapMb: number }> {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 50);
  const started = performance.now();
  try {
    const result = await fn();
    return {
      result,
      seconds: (performance.now() - started) / 1000,
      rssMb: rss / MB,
      heapMb: (heap - base.heapUsed) / MB,
    };
  } finally {
    clearInterval(timer);
  }
}

async function ledgerFixture(
  total: number,
  items: { _id: Types.ObjectId }[],
  warehouseId: Types.ObjectId,
  organisationId: Types.ObjectId,
) {
  const actor = { kind: 'system', id: 'system', name: 'benchmark fixture' };
  const now = Date.now();
  for (let written = 0; written < total; ) {
    const batch = Array.from({ length: Math.min(5000, total - written) }, (_, i) => ({
      organisationId,
      warehouseId,
      locationCode: null,
      itemId: items[(written + i) % items.length]._id,
      lot: null,
      expiryDate: null,
      condition: 'new',
      type: 'receipt',
      quantity: 1,
      unit: 'piece',
      balanceId: new Types.ObjectId(),
      balanceAfter: 1,
      operationId: new Types.ObjectId(),
      source: { type: 'fixture', id: null, number: null },
      reason: null,
      note: null,
      actor,
      at: new Date(now - (written + i) * 1000),
      reverses: null,
      reversedBy: null,
    }));
    await LedgerEntry.collection.insertMany(batch, { ordered: false });
    written += batch.length;
  }
}

async function main(): Promise<number> {
  const database = await startEmbeddedServerThread({ port: 0 });
  await connectMongoose(database.uri, { backend: 'embedded', dbName: 'asar_bench_import' });
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  const rows: string[][] = [];
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

    const lines = ['warehouse;bin;sku;quantity;unit;condition'];
    for (let i = 0; i < ROWS; i += 1) lines.push(`IW-${i % 5};A-01;IMP-${i % 200};${1 + (i % 9)};piece;new`);
    const stockCsv = Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
    const upload = await watched(() =>
      uploadImport({ kind: 'opening_stock', filename: 'stock.csv', content: stockCsv }, actor),
    );
    rows.push([
      `opening stock dry run (${formatRate(ROWS)} rows)`,
      formatRate(ROWS / upload.seconds),
      upload.rssMb.toFixed(0),
      upload.heapMb.toFixed(0),
    ]);
    const run = await watched(() => startImport(upload.result.id, { mode: 'all_or_nothing' }, actor, { wait: true }));
    if (run.result.status !== 'done')
      throw new Error(`opening stock import ${run.result.status}: ${run.result.failure}`);
    rows.push([
      `opening stock import (${formatRate(ROWS)} rows)`,
      formatRate(ROWS / run.seconds),
      run.rssMb.toFixed(0),
      run.heapMb.toFixed(0),
    ]);

    const donorLines = ['type,name,country,phone'];
    for (let i = 0; i < DONORS; i += 1)
      donorLines.push(`company,Donor company ${i},KZ,+7 701 000 ${String(i).padStart(4, '0')}`);
    const donorCsv = Buffer.from(donorLines.join('\n'), 'utf8');
    const donors = await watched(async () => {
      const checked = await uploadImport({ kind: 'donors', filename: 'donors.csv', content: donorCsv }, actor);
      return startImport(checked.id, { mode: 'all_or_nothing' }, actor, { wait: true });
    });
    rows.push([
      `donors import, row by row (${formatRate(DONORS)} rows)`,
      formatRate(DONORS / donors.seconds),
      donors.rssMb.toFixed(0),
      donors.heapMb.toFixed(0),
    ]);

    // Households: IINs of people born 1960-1999 and 2000-2019, each unique (a serial per family).
    const iin = (born: Date, serial: number, female: boolean): string => {
      const year = born.getUTCFullYear();
      const century = year >= 2000 ? (female ? 6 : 5) : female ? 4 : 3;
      const date = born.toISOString().slice(2, 10).replaceAll('-', '');
      for (let s = serial; ; s += 1) {
        const first11 = `${date}${century}${String(s % 10_000).padStart(4, '0')}`;
        const check = kzCheckDigit(first11);
        if (check !== null) return `${first11}${check}`;
      }
    };
    const householdLines = [
      'head_name;head_birth_date;head_iin;phone;region;settlement;address;vulnerabilities;members;legal_basis;purpose;notes',
    ];
    for (let i = 0; i < HOUSEHOLDS; i += 1) {
      // A distinct birth date per family (50,000 days from 1960 on) keeps every IIN unique.
      const headBorn = new Date(Date.UTC(1960, 0, 1) + (i % 14_600) * 86_400_000);
      const spouseBorn = new Date(headBorn.getTime() + 400 * 86_400_000);
      const serial = Math.floor(i / 14_600) * 2000;
      householdLines.push(
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
    const householdCsv = Buffer.from(householdLines.join('\n'), 'utf8');
    const householdUpload = await watched(() =>
      uploadImport({ kind: 'households', filename: 'households.csv', content: householdCsv }, actor),
    );
    if (householdUpload.result.errorCount > 0) {
      throw new Error(`households fixture has bad rows: ${JSON.stringify(householdUpload.result.errors.slice(0, 3))}`);
    }
    rows.push([
      `households dry run (${formatRate(HOUSEHOLDS)} rows)`,
      formatRate(HOUSEHOLDS / householdUpload.seconds),
      householdUpload.rssMb.toFixed(0),
      householdUpload.heapMb.toFixed(0),
    ]);
    const householdRun = await watched(() =>
      startImport(householdUpload.result.id, { mode: 'all_or_nothing' }, actor, { wait: true }),
    );
    if (householdRun.result.status !== 'done') throw new Error(`households import ${householdRun.result.status}`);
    rows.push([
      `households import (${formatRate(HOUSEHOLDS)} rows, 3 people each)`,
      formatRate(HOUSEHOLDS / householdRun.seconds),
      householdRun.rssMb.toFixed(0),
      householdRun.heapMb.toFixed(0),
    ]);

    const sink = () =>
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      });
    for (const size of [Math.round(LEDGER / 5), LEDGER]) {
      const have = await LedgerEntry.estimatedDocumentCount();
      const t0 = performance.now();
      await ledgerFixture(size - have, items, warehouses[0]._id, organisationId);
      console.log(
        `  ledger fixture: ${formatRate(size)} entries (${((performance.now() - t0) / 1000).toFixed(0)} s to add ${formatRate(size - have)})`,
      );
      const exported = await watched(() => exportCsv('ledger', sink(), actor));
      rows.push([
        `ledger export (${formatRate(exported.result)} rows)`,
        formatRate(exported.result / exported.seconds),
        exported.rssMb.toFixed(0),
        exported.heapMb.toFixed(0),
      ]);
    }
    printTable(
      'CSV import and export (embedded database in this process)',
      ['operation', 'rows/s', 'peak RSS MB', 'peak heap growth MB'],
      rows,
    );
    return 0;
  } finally {
    await disconnectMongoose();
    await database.close();
  }
}

runBench(main);
