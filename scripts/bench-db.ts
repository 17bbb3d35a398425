/**
 * `npm run bench:db [-- --quick]`: throughput of the embedded database through Mongoose, in memory and on disk, and
 * the CPU time each operation costs the database thread and the API thread (the driver and Mongoose). Then it runs
 * the bare-wire part (scripts/bench-db-server.ts) and, without `--quick`, the restart time (bench-db-startup.ts).
 *
 * The server runs on a worker thread of this process, as it does under `npm start`, so every figure includes the
 * driver, Mongoose and the wire protocol on loopback. On a shared machine the rates move with the load; the CPU
 * time per operation moves much less, so compare those (and scripts/bench-db-ab.ts compares two commits' database
 * CPU per operation in interleaved rounds). `--quick` runs fewer operations of each kind (a few minutes in all). Targets (issue 3, on a 2-core machine, in memory): 5,000 inserts/s, 5,000 point
 * reads/s, 2,000 conditional updates/s with 16 concurrent clients, 500 two-document transactions/s; on disk
 * 1,000 acknowledged durable single-document writes/s. The point-read rate is measured at 1k and 100k documents: it
 * must stay flat, which shows the index is used. Restart time on 1,000,000 documents is measured by
 * scripts/bench-db-startup.ts (`npm run bench:db` runs both).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { type Connection, Schema } from 'mongoose';
import { type EmbeddedServerThread, startEmbeddedServerThread, threadCpuNs } from '../src/embedded-db/thread';
import { formatRate, measure, printTable } from './bench/report';

const CONCURRENCY = 16;
const QUICK = process.argv.includes('--quick');
/** Operations per phase; `--quick` divides them (and reads the larger collection at 20k documents, not 100k). */
const COUNTS = QUICK
  ? { insertsMemory: 3_000, insertsDisk: 2_000, reads: 4_000, largeCollection: 20_000, updates: 6_000, txns: 1_000 }
  : {
      insertsMemory: 10_000,
      insertsDisk: 5_000,
      reads: 10_000,
      largeCollection: 100_000,
      updates: 20_000,
      txns: 3_000,
    };

const itemSchema = new Schema({ sku: { type: String, unique: true }, name: String, category: String, qty: Number });
const balanceSchema = new Schema({ sku: String, onHand: Number });
const ledgerSchema = new Schema({ sku: String, quantity: Number, at: Date });

/** One phase's outcome: the rate, and the CPU microseconds per operation of each thread. */
interface Phase {
  perSecond: number;
  databaseUs?: number;
  apiUs?: number;
}

/** Runs a measured phase and reads both threads' CPU clocks around it. */
async function phase(
  server: EmbeddedServerThread,
  total: number,
  operation: (index: number, worker: number) => Promise<unknown>,
): Promise<Phase> {
  const [database0, api0] = [await server.cpuTime(), threadCpuNs()];
  const { perSecond } = await measure(total, CONCURRENCY, operation);
  const [database1, api1] = [await server.cpuTime(), threadCpuNs()];
  const perOperation = (from?: number, to?: number) =>
    from === undefined || to === undefined ? undefined : (to - from) / 1000 / total;
  return { perSecond, databaseUs: perOperation(database0, database1), apiUs: perOperation(api0, api1) };
}

async function openConnection(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, { maxPoolSize: CONCURRENCY * 2 });
  await connection.asPromise();
  return connection;
}

async function pointReads(server: EmbeddedServerThread, connection: Connection, count: number): Promise<Phase> {
  const Item = connection.model('Item', itemSchema);
  const existing = await Item.estimatedDocumentCount();
  for (let start = existing; start < count; start += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, count - start) }, (_, i) => ({
      sku: `SKU-${start + i}`,
      name: 'Blanket, wool',
      category: 'bedding',
      qty: i,
    }));
    await Item.insertMany(batch, { ordered: false, lean: true });
  }
  // Untimed reads first: the 1k figure was taken while the read path was still being compiled (the 100k one, run
  // after it, was not), which made 1k look slower than 100k.
  await measure(2_000, CONCURRENCY, (i) => Item.findOne({ sku: `SKU-${(i * 104_729) % count}` }).lean());
  return phase(server, COUNTS.reads, (i) => Item.findOne({ sku: `SKU-${(i * 7919) % count}` }).lean());
}

async function runSuite(server: EmbeddedServerThread, onDisk: boolean): Promise<Map<string, Phase>> {
  const results = new Map<string, Phase>();
  const connection = await openConnection(server.uri);
  try {
    const Item = connection.model('Item', itemSchema);
    await Item.init();
    const inserts = await phase(server, onDisk ? COUNTS.insertsDisk : COUNTS.insertsMemory, (i) =>
      Item.create({ sku: `NEW-${i}`, name: 'Food basket', category: 'food', qty: 1 }),
    );
    results.set('inserts', inserts);
    await Item.deleteMany({});

    results.set('reads1k', await pointReads(server, connection, 1_000));
    results.set('readsLarge', await pointReads(server, connection, COUNTS.largeCollection));

    const Balance = connection.model('Balance', balanceSchema);
    const balances = await Balance.insertMany(
      Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, onHand: 1_000_000 })),
    );
    const updates = await phase(server, COUNTS.updates, async (i) => {
      const { matchedCount } = await Balance.updateOne(
        { _id: balances[i % balances.length]._id, onHand: { $gte: 3 } },
        { $inc: { onHand: -3 } },
      );
      if (matchedCount !== 1) throw new Error('conditional update did not match');
    });
    results.set('conditional', updates);

    const Ledger = connection.model('LedgerEntry', ledgerSchema);
    await Ledger.init();
    const transactions = await phase(server, COUNTS.txns, (i, worker) =>
      connection.transaction(async (session) => {
        // Each worker owns its balances, so the figure measures throughput rather than conflict retries.
        const balance = balances[(worker * 6 + (i % 6)) % balances.length];
        await Balance.updateOne({ _id: balance._id, onHand: { $gte: 1 } }, { $inc: { onHand: -1 } }, { session });
        await Ledger.create([{ sku: balance.sku, quantity: -1, at: new Date() }], { session });
      }),
    );
    results.set('transactions', transactions);
  } finally {
    await connection.close();
  }
  return results;
}

const micros = (value?: number) => (value === undefined ? 'n/a' : Math.round(value).toLocaleString('en-US'));

/** The other parts of `npm run bench:db`, each in a process of its own as before. */
function runPart(script: string, args: string[]): void {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`load average at the start: ${load()}${QUICK ? ' (--quick)' : ''}`);
  const memoryServer = await startEmbeddedServerThread({ port: 0 });
  const memory = await runSuite(memoryServer, false).finally(() => memoryServer.close());

  const dbPath = mkdtempSync(path.join(tmpdir(), 'asar-bench-'));
  const diskServer = await startEmbeddedServerThread({ port: 0, dbPath });
  const disk = await runSuite(diskServer, true).finally(async () => {
    await diskServer.close();
    rmSync(dbPath, { recursive: true, force: true });
  });

  const large = `${COUNTS.largeCollection / 1000}k`;
  const rows = [
    {
      key: 'inserts',
      name: 'inserts/s (Model.create, 16 clients)',
      cpuName: 'insert',
      target: '≥ 5,000 mem; ≥ 1,000 disk',
    },
    { key: 'reads1k', name: 'indexed point reads/s at 1k docs', cpuName: 'point read, 1k docs', target: '≥ 5,000' },
    {
      key: 'readsLarge',
      name: `indexed point reads/s at ${large} docs`,
      cpuName: `point read, ${large} docs`,
      target: 'flat vs 1k',
    },
    {
      key: 'conditional',
      name: 'conditional $inc updates/s (16 clients)',
      cpuName: 'conditional $inc update',
      target: '≥ 2,000',
    },
    {
      key: 'transactions',
      name: 'two-document transactions/s (16 clients)',
      cpuName: 'two-document transaction',
      target: '≥ 500',
    },
  ];
  printTable(
    `Embedded database through Mongoose (node ${process.version}, ${CONCURRENCY} concurrent clients)`,
    ['operation', 'in memory', 'on disk (durable)', 'target'],
    rows.map((row) => [
      row.name,
      formatRate(memory.get(row.key)?.perSecond ?? 0),
      formatRate(disk.get(row.key)?.perSecond ?? 0),
      row.target,
    ]),
  );
  printTable(
    'CPU time per operation, µs (database thread; API thread: the driver and Mongoose)',
    ['operation', 'database, in memory', 'database, on disk', 'API, in memory', 'API, on disk'],
    rows.map((row) => [
      row.cpuName,
      micros(memory.get(row.key)?.databaseUs),
      micros(disk.get(row.key)?.databaseUs),
      micros(memory.get(row.key)?.apiUs),
      micros(disk.get(row.key)?.apiUs),
    ]),
  );
  console.log(`load average at the end: ${load()}`);

  runPart('bench-db-server.ts', QUICK ? ['--quick'] : []);
  if (QUICK)
    console.log('restart time on 1,000,000 documents: not run with --quick (npx tsx scripts/bench-db-startup.ts)');
  else runPart('bench-db-startup.ts', []);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
