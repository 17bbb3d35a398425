/**
 * Restart time of the embedded database on a data directory of small documents (issue 3: 1,000,000 documents,
 * under 10 s to serve).
 *
 *   npx tsx scripts/bench-db-startup.ts [--docs 1000000] [--dir /tmp/asar-startup-1m] [--runs 3] [--keep]
 *
 * Seeds `dir` once through the storage engine (documents `{ _id: ObjectId, n, sku: 'SKU-123', q: 1 }` and a
 * secondary index on `sku`) unless it already holds a seeded data set of that size, then restarts the server in a
 * fresh node process `runs` times. Each child reports the time from its start until a client connected over the
 * wire got the document count back and an indexed read answered ("to serve"), its CPU time (user + system, so a
 * shared, loaded machine can be compared fairly), and its peak RSS.
 *
 * `--child` runs one restart (used internally; run it directly with `node --cpu-prof --import tsx` to profile).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ObjectId } from 'bson';

const DB = 'bench';
const COLL = 'stock_ledger';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const docs = Number(arg('docs', '1000000'));
const dir = path.resolve(arg('dir', `/tmp/asar-startup-${docs}`));

async function seed(): Promise<void> {
  const marker = path.join(dir, 'seeded.json');
  if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).docs === docs) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { openStore } = await import('../src/embedded-db/storage/store');
  const started = performance.now();
  const store = await openStore({ dbPath: dir });
  await store.createCollection(DB, COLL, {});
  await store.createIndexes(DB, COLL, [{ name: 'sku_1', key: { sku: 1 } }]);
  const batch = 10_000;
  for (let start = 0; start < docs; start += batch) {
    const txn = store.begin({ multiDocument: true });
    for (let n = start; n < Math.min(docs, start + batch); n++) {
      txn.insert(DB, COLL, { _id: new ObjectId(), n, sku: `SKU-${n % 5000}`, q: 1 });
    }
    await txn.commit();
  }
  await store.close();
  writeFileSync(marker, JSON.stringify({ docs }));
  console.log(`seeded ${docs} documents in ${((performance.now() - started) / 1000).toFixed(1)} s (${dir})`);
}

interface ChildResult {
  /** From process start (performance.timeOrigin) to serving a client. */
  serveMs: number;
  /** openStore alone (the load), as logged by the store. */
  loadMs: number;
  cpuMs: number;
  loadCpuMs: number;
  maxRssMb: number;
  rssMb: number;
  heapMb: number;
  count: number;
}

async function child(): Promise<void> {
  const cpu0 = process.cpuUsage();
  const { startEmbeddedServer } = await import('../src/embedded-db/server');
  const { MongoClient } = await import('mongodb');
  let loadMs = 0;
  let loadCpuMs = 0;
  const cpuBeforeLoad = process.cpuUsage();
  const server = await startEmbeddedServer({
    dbPath: dir,
    log: (msg, extra) => {
      if (msg.includes('data directory loaded')) {
        loadMs = (extra as { ms: number }).ms;
        const c = process.cpuUsage(cpuBeforeLoad);
        loadCpuMs = (c.user + c.system) / 1000;
      } else if (process.env.BENCH_VERBOSE) console.error(msg, extra);
    },
  });
  const client = new MongoClient(server.uri, { directConnection: true });
  await client.connect();
  const coll = client.db(DB).collection(COLL);
  const count = await coll.estimatedDocumentCount();
  const probe = await coll.find({ sku: 'SKU-123' }).limit(3).toArray();
  const serveMs = performance.now();
  if (probe.length === 0) throw new Error('indexed read found nothing');
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  const result: ChildResult = {
    serveMs,
    loadMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loadCpuMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rssMb: mem.rss / 2 ** 20,
    heapMb: mem.heapUsed / 2 ** 20,
    count,
  };
  await client.close();
  await server.close();
  console.log(`RESULT ${JSON.stringify(result)}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    await child();
    return;
  }
  await seed();
  const runs = Number(arg('runs', '3'));
  const rows: ChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', __filename, '--child', '--docs', String(docs), '--dir', dir],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      },
    );
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`child printed no result:\n${out}`);
    const r = JSON.parse(line.slice(7)) as ChildResult;
    if (r.count !== docs) throw new Error(`expected ${docs} documents, found ${r.count}`);
    rows.push(r);
    console.log(
      `run ${i + 1}: serve ${(r.serveMs / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU; ` +
        `load ${(r.loadMs / 1000).toFixed(2)} s wall, ${(r.loadCpuMs / 1000).toFixed(2)} s CPU; ` +
        `peak RSS ${r.maxRssMb.toFixed(0)} MB, RSS ${r.rssMb.toFixed(0)} MB, heap ${r.heapMb.toFixed(0)} MB`,
    );
  }
  const best = (f: (r: ChildResult) => number) => Math.min(...rows.map(f));
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  console.log(
    `best of ${runs}: serve ${(best((r) => r.serveMs) / 1000).toFixed(2)} s wall, ${(best((r) => r.cpuMs) / 1000).toFixed(2)} s CPU, ` +
      `peak RSS ${best((r) => r.maxRssMb).toFixed(0)} MB (loadavg ${load})`,
  );
  if (process.argv.includes('--clean')) rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
