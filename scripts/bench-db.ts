/**
 * `npm run bench:db`: throughput of the embedded database through Mongoose, in memory and on disk.
 *
 * The server runs on a worker thread of this process, as it does under `npm start`, so every figure includes the
 * driver, Mongoose and the wire protocol on loopback. Targets (issue 3, on a 2-core machine, in memory): 5,000 inserts/s, 5,000 point
 * reads/s, 2,000 conditional updates/s with 16 concurrent clients, 500 two-document transactions/s; on disk
 * 1,000 acknowledged durable single-document writes/s. The point-read rate is measured at 1k and 100k documents: it
 * must stay flat, which shows the index is used. Restart time on 1,000,000 documents is measured by
 * scripts/bench-db-startup.ts (`npm run bench:db` runs both).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { type Connection, Schema } from 'mongoose';
import { startEmbeddedServerThread } from '../src/embedded-db/thread';
import { formatRate, measure, printTable } from './bench/report';

const CONCURRENCY = 16;

const itemSchema = new Schema({ sku: { type: String, unique: true }, name: String, category: String, qty: Number });
const balanceSchema = new Schema({ sku: String, onHand: Number });
const ledgerSchema = new Schema({ sku: String, quantity: Number, at: Date });

interface Row {
  name: string;
  memory?: number;
  disk?: number;
  target: string;
}

async function openConnection(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, { maxPoolSize: CONCURRENCY * 2 });
  await connection.asPromise();
  return connection;
}

async function pointReadsPerSecond(connection: Connection, count: number): Promise<number> {
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
  const reads = await measure(10_000, CONCURRENCY, (i) => Item.findOne({ sku: `SKU-${(i * 7919) % count}` }).lean());
  return reads.perSecond;
}

async function runSuite(uri: string, onDisk: boolean): Promise<Map<string, number>> {
  const results = new Map<string, number>();
  const connection = await openConnection(uri);
  try {
    const Item = connection.model('Item', itemSchema);
    await Item.init();
    const inserts = await measure(onDisk ? 5_000 : 10_000, CONCURRENCY, (i) =>
      Item.create({ sku: `NEW-${i}`, name: 'Food basket', category: 'food', qty: 1 }),
    );
    results.set('inserts', inserts.perSecond);
    await Item.deleteMany({});

    results.set('reads1k', await pointReadsPerSecond(connection, 1_000));
    results.set('reads100k', await pointReadsPerSecond(connection, 100_000));

    const Balance = connection.model('Balance', balanceSchema);
    const balances = await Balance.insertMany(
      Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, onHand: 1_000_000 })),
    );
    const updates = await measure(20_000, CONCURRENCY, async (i) => {
      const { matchedCount } = await Balance.updateOne(
        { _id: balances[i % balances.length]._id, onHand: { $gte: 3 } },
        { $inc: { onHand: -3 } },
      );
      if (matchedCount !== 1) throw new Error('conditional update did not match');
    });
    results.set('conditional', updates.perSecond);

    const Ledger = connection.model('LedgerEntry', ledgerSchema);
    await Ledger.init();
    const transactions = await measure(3_000, CONCURRENCY, (i, worker) =>
      connection.transaction(async (session) => {
        // Each worker owns its balances, so the figure measures throughput rather than conflict retries.
        const balance = balances[(worker * 6 + (i % 6)) % balances.length];
        await Balance.updateOne({ _id: balance._id, onHand: { $gte: 1 } }, { $inc: { onHand: -1 } }, { session });
        await Ledger.create([{ sku: balance.sku, quantity: -1, at: new Date() }], { session });
      }),
    );
    results.set('transactions', transactions.perSecond);
  } finally {
    await connection.close();
  }
  return results;
}

async function main(): Promise<void> {
  const memoryServer = await startEmbeddedServerThread({ port: 0 });
  const memory = await runSuite(memoryServer.uri, false).finally(() => memoryServer.close());

  const dbPath = mkdtempSync(path.join(tmpdir(), 'asar-bench-'));
  const diskServer = await startEmbeddedServerThread({ port: 0, dbPath });
  const disk = await runSuite(diskServer.uri, true).finally(async () => {
    await diskServer.close();
    rmSync(dbPath, { recursive: true, force: true });
  });

  const rows: Row[] = [
    { name: 'inserts/s (Model.create, 16 clients)', target: '≥ 5,000 mem; ≥ 1,000 disk' },
    { name: 'indexed point reads/s at 1k docs', target: '≥ 5,000' },
    { name: 'indexed point reads/s at 100k docs', target: 'flat vs 1k' },
    { name: 'conditional $inc updates/s (16 clients)', target: '≥ 2,000' },
    { name: 'two-document transactions/s (16 clients)', target: '≥ 500' },
  ];
  const keys = ['inserts', 'reads1k', 'reads100k', 'conditional', 'transactions'];
  printTable(
    `Embedded database through Mongoose (node ${process.version}, ${CONCURRENCY} concurrent clients)`,
    ['operation', 'in memory', 'on disk (durable)', 'target'],
    rows.map((row, i) => [
      row.name,
      formatRate(memory.get(keys[i]) ?? 0),
      formatRate(disk.get(keys[i]) ?? 0),
      row.target,
    ]),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
