/**
 * `npm run bench:stock`: Asar's transfer and received donation against a bare Express 5 + raw `mongodb` driver
 * baseline doing the same logical work (baseline-app.ts) on the same database, interleaved round by round so that a
 * noisy machine slows both alike; the ratio is what to read.
 *
 * This process is the API: it serves Asar (`buildApp()`, its request log lines, the app's logger at info, written to
 * /dev/null) and the baseline on two ports. 16 keep-alive clients run in a separate process (load-client.ts). Two topologies, as `--topology`:
 * - `in-process`: the embedded database on a worker thread of this process, as `npm start` runs it;
 * - `out-of-process`: the embedded database in a process of its own (db-process.ts), as production runs a database.
 *
 * Each round sends `--requests` requests of one kind to one app; rounds go Asar, baseline, baseline, Asar, ... per
 * kind. Printed per app and kind: requests/s (all rounds' requests over their time), p95 latency (all rounds), the
 * database commands per request (the driver's command monitoring, on Asar's Mongoose connection and on the
 * baseline's own client), the API thread's CPU per request (the main thread, from /proc), this process's CPU per request (all its threads, the database's too in-process), and
 * out of process the database process's CPU per request. At the end the ledger invariant is checked for every
 * balance (the baseline writes the same collections); the script exits 1 on a violation or an unexpected answer.
 *
 *   npm run bench:stock -- [--topology in-process|out-of-process|both] [--rounds 3] [--requests 600]
 *                          [--concurrency 16] [--quick] [--kinds transfer,donation] [--profile-dir /tmp/prof]
 *                          [--perf-dir /tmp/perf] [--heap-dir /tmp/heap] [--warmup 200]
 *
 * `--profile-dir` writes a CPU profile of this process's main thread over each measured round, each app's into its
 * own file (`<topology>-<kind>-<app>-<round>.cpuprofile`): both apps are profiled, so that the profiler's own cost
 * weighs on both and the ratios stay comparable. The older phases (issue conflicts, the stock summary over a million
 * ledger entries, the receipt PDF) are `npm run bench:stock:core`.
 *
 * `--warmup` is the number of requests each app serves, per kind, before the measured rounds (200, or 100 with
 * `--quick`). Asar has far more code than the baseline for V8 to optimise: on two cores its background compiler is
 * still busy in the fourth round after 200 (Linux perf: about 5 times the baseline's compiler samples), which the
 * throughput of both apps pays for, Asar's more; a longer warm-up measures a server that has been running a while.
 *
 * `--heap-dir` samples each measured round's allocations on the main thread (report.ts's heapProfiled, collected
 * objects included) into `<topology>-<kind>-<app>-<round>.heapprofile`: what each app allocates per request.
 *
 * `--perf-dir` records each measured round with Linux perf instead (report.ts's perfRecorded: time on a core only,
 * every thread, the kernel's share included), the API process into `<name>-api.perf.data` and, out of process, the
 * database's into `<name>-db.perf.data`. Run it as `NODE_OPTIONS=--perf-basic-prof npm run bench:stock -- --perf-dir
 * /tmp/perf` so that perf can name JavaScript functions.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Express } from 'express';
import mongoose from 'mongoose';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { startEmbeddedServerThread } from '../../src/embedded-db/thread';
import { createLogger, logger } from '../../src/logger';
import { hashSessionToken } from '../../src/modules/auth/tokens';
import type { ItemDto } from '../../src/modules/catalog/catalog.service';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { createWarehouse, type WarehouseDto } from '../../src/modules/warehouses/warehouses.service';
import { buildBaselineApp } from './baseline-app';
import { benchIdentity, createFixture, donationLine, fiveItems, ITEM_COUNT_HTTP, stockUp } from './fixture';
import type { LoadRequest, LoadResult, LoadRound } from './load-client';
import { formatRate, heapProfiled, percentile, perfRecorded, printTable, profiled } from './report';

const { values: flags } = parseArgs({
  options: {
    topology: { type: 'string', default: 'both' },
    rounds: { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    quick: { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
    'perf-dir': { type: 'string' },
    'heap-dir': { type: 'string' },
    warmup: { type: 'string' },
    kinds: { type: 'string', default: 'transfer,donation' },
  },
  strict: true,
});

type Topology = 'in-process' | 'out-of-process';
type Kind = 'transfer' | 'donation';
type AppName = 'asar' | 'baseline';

const TOPOLOGIES: Topology[] =
  flags.topology === 'both' ? ['in-process', 'out-of-process'] : [flags.topology as Topology];
if (!TOPOLOGIES.every((t) => t === 'in-process' || t === 'out-of-process')) {
  console.error('--topology must be in-process, out-of-process or both');
  process.exit(2);
}
const KINDS = (flags.kinds ?? '').split(',').filter((k): k is Kind => k === 'transfer' || k === 'donation');
const CONCURRENCY = Number(flags.concurrency);
const ROUNDS = Number(flags.rounds ?? (flags.quick ? 2 : 3));
const REQUESTS = Number(flags.requests ?? (flags.quick ? 300 : 600));
const WARMUP = Number(flags.warmup ?? (flags.quick ? 100 : 200));
/** What each app must reach against the baseline (issue 16): throughput ratio, and p95 at most 1.5× the baseline's. */
const TARGET_RATIO: Record<Kind, number> = { transfer: 0.67, donation: 0.8 };
const TARGET_P95_FACTOR = 1.5;

// ---------------------------------------------------------------------------------------------------------------
// Processes: the load client and, out of process, the database

function forkTs(file: string): ChildProcess {
  const perfMap = flags['perf-dir'] ? ['--perf-basic-prof'] : [];
  return fork(path.join(__dirname, file), [], { execArgv: [...perfMap, '--import', 'tsx'], stdio: 'inherit' });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as T);
    });
  });
}

interface Database {
  uri: string;
  /** The database's own process, out of process. */
  pid: number | null;
  /** CPU microseconds used so far by the database's own process (null when it shares this process). */
  cpu(): Promise<number | null>;
  close(): Promise<void>;
}

async function startDatabase(topology: Topology): Promise<Database> {
  if (topology === 'in-process') {
    const thread = await startEmbeddedServerThread({ port: 0, host: '127.0.0.1', replSetName: 'asar' });
    return { uri: thread.uri, pid: null, cpu: async () => null, close: () => thread.close() };
  }
  const child = forkTs('db-process.ts');
  const { uri } = await nextMessage<{ uri: string }>(child);
  return {
    uri,
    pid: child.pid ?? null,
    async cpu() {
      const answer = nextMessage<{ cpu: number }>(child);
      child.send('cpu');
      return (await answer).cpu;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

class LoadClient {
  private readonly child = forkTs('load-client.ts');

  async run(round: LoadRound): Promise<LoadResult> {
    const answer = nextMessage<{ result: LoadResult } | { error: string }>(this.child);
    this.child.send({ round });
    const message = await answer;
    if ('error' in message) throw new Error(`load client: ${message.error}`);
    return message.result;
  }

  stop(): void {
    this.child.send({ stop: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring one round

/** Database commands started on each app's client, by app (the driver's command monitoring). */
const commands: Record<AppName, number> = { asar: 0, baseline: 0 };
/** The round being measured: its app and its commands by name (to print what a request is made of). */
let measuring: { app: AppName; byName: Map<string, number> } | null = null;

function countCommands(client: mongoose.mongo.MongoClient, app: AppName): void {
  client.on('commandStarted', (event: { commandName: string }) => {
    commands[app] += 1;
    if (measuring?.app !== app) return;
    const { byName } = measuring;
    byName.set(event.commandName, (byName.get(event.commandName) ?? 0) + 1);
  });
  // What transactions conflict on: a WriteConflict makes the driver run the whole transaction again.
  client.on('commandFailed', (event: { commandName: string; failure: Error & { codeName?: string } }) => {
    if (measuring?.app !== app) return;
    const key = `(failed ${event.commandName} ${event.failure.codeName ?? event.failure.name})`;
    measuring.byName.set(key, (measuring.byName.get(key) ?? 0) + 1);
  });
}

interface Totals {
  requests: number;
  seconds: number;
  latencies: number[];
  commands: number;
  threadMs: number;
  processCpuMs: number;
  databaseCpuMs: number | null;
  byName: Map<string, number>;
  unexpected: LoadResult['unexpected'];
}

function emptyTotals(): Totals {
  return {
    requests: 0,
    seconds: 0,
    latencies: [],
    commands: 0,
    threadMs: 0,
    processCpuMs: 0,
    databaseCpuMs: null,
    byName: new Map(),
    unexpected: [],
  };
}

async function measuredRound(
  load: LoadClient,
  database: Database,
  app: AppName,
  round: LoadRound,
  totals: Totals,
): Promise<void> {
  const commandsBefore = commands[app];
  const thread = mainThreadCpuMs();
  const cpu = process.cpuUsage();
  const databaseCpu = await database.cpu();
  measuring = { app, byName: totals.byName };
  const result = await load.run(round);
  measuring = null;
  const used = process.cpuUsage(cpu);
  const databaseCpuAfter = await database.cpu();
  totals.requests += round.requests.length;
  totals.seconds += result.seconds;
  totals.latencies.push(...result.latencies);
  totals.commands += commands[app] - commandsBefore;
  totals.threadMs += mainThreadCpuMs() - thread;
  totals.processCpuMs += (used.user + used.system) / 1000;
  if (databaseCpu !== null && databaseCpuAfter !== null)
    totals.databaseCpuMs = (totals.databaseCpuMs ?? 0) + (databaseCpuAfter - databaseCpu) / 1000;
  totals.unexpected.push(...result.unexpected);
}

/**
 * CPU time of this process's main thread (the API's event loop), from /proc on Linux (10 ms ticks, so read over
 * whole rounds); elsewhere its event-loop busy time, which also counts time spent waiting for a core.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from the state field (3) after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return performance.eventLoopUtilization().active;
  }
}

const CLOCK_TICKS = 100;

// ---------------------------------------------------------------------------------------------------------------
// Requests

interface Side {
  transferPair: [WarehouseDto, WarehouseDto];
  donationWarehouses: WarehouseDto[];
}

function transferRequests(prefix: string, side: Side, items: ItemDto[], count: number, seed: number): LoadRequest[] {
  const [a, b] = side.transferPair;
  return Array.from({ length: count }, (_, k) => {
    const index = seed + k;
    const [from, to] = index % 2 ? [a, b] : [b, a];
    const item = items[(index * 13) % items.length] as ItemDto;
    return {
      path: `${prefix}${prefix ? '/stock' : ''}/transfers`,
      body: { fromWarehouseId: from.id, toWarehouseId: to.id, itemId: item.id, quantity: 1, reference: `B-${index}` },
    };
  });
}

function donationRequests(
  prefix: string,
  side: Side,
  donorIds: string[],
  items: ItemDto[],
  count: number,
  seed: number,
): LoadRequest[] {
  return Array.from({ length: count }, (_, k) => {
    const index = seed + k;
    return {
      path: `${prefix}/donations`,
      body: {
        donorId: donorIds[index % donorIds.length],
        warehouseId: (side.donationWarehouses[index % side.donationWarehouses.length] as WarehouseDto).id,
        receive: true,
        lines: fiveItems(items, index).map((item, l) => donationLine(item, String(1 + ((index + l) % 9)), index)),
      },
    };
  });
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    // Longer than any pause between rounds (a profile starting, a loaded machine): Node's 5 s default closes an idle
    // keep-alive socket just as the next round reuses it ("socket hang up"). The same for both apps.
    server.keepAliveTimeout = 60_000;
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

// ---------------------------------------------------------------------------------------------------------------

interface TopologyResult {
  topology: Topology;
  totals: Record<Kind, Record<AppName, Totals>>;
  violations: number;
}

async function benchTopology(topology: Topology, load: LoadClient): Promise<TopologyResult> {
  const database = await startDatabase(topology);
  await mongoose.connect(database.uri, { dbName: 'asar_bench', monitorCommands: true });
  countCommands(mongoose.connection.getClient(), 'asar');
  const raw = new mongoose.mongo.MongoClient(database.uri, { monitorCommands: true });
  await raw.connect();
  countCommands(raw, 'baseline');
  const servers: Server[] = [];
  try {
    const { actor, token } = await benchIdentity();
    const fx = await createFixture(actor);
    const extra: WarehouseDto[] = [];
    for (let i = 0; i < 6; i++) {
      extra.push(
        await createWarehouse(
          { code: `WH-B${i + 1}`, name: `Baseline warehouse ${i + 1}`, region: 'astana', city: 'Astana' },
          actor,
        ),
      );
    }
    const sides: Record<AppName, Side> = {
      asar: { transferPair: [fx.warehouses[4], fx.warehouses[5]], donationWarehouses: fx.warehouses.slice(0, 4) },
      baseline: { transferPair: [extra[0], extra[1]], donationWarehouses: extra.slice(2, 6) },
    };
    const items = fx.items.slice(0, ITEM_COUNT_HTTP);
    for (const side of Object.values(sides)) {
      await stockUp(actor, fx.donorIds[0] as string, side.transferPair, items, '100000');
    }

    const asarServer = await listen(
      // The app's own logger settings (redaction, timestamps), at info: one line per request, written to /dev/null.
      buildApp({ logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: false })) }),
    );
    servers.push(asarServer);
    const baselineServer = await listen(
      buildBaselineApp({ client: raw, db: raw.db('asar_bench'), hashToken: hashSessionToken }),
    );
    servers.push(baselineServer);
    const targets: Record<AppName, { port: number; prefix: string }> = {
      asar: { port: portOf(asarServer), prefix: '/api/v1' },
      baseline: { port: portOf(baselineServer), prefix: '' },
    };
    let seed = 0;
    const roundOf = (app: AppName, kind: Kind, count: number): LoadRound => {
      const { port, prefix } = targets[app];
      seed += count;
      const requests =
        kind === 'transfer'
          ? transferRequests(prefix, sides[app], items, count, seed)
          : donationRequests(prefix, sides[app], fx.donorIds, items, count, seed);
      return { port, token, concurrency: CONCURRENCY, requests, expect: [201] };
    };

    const totals: TopologyResult['totals'] = {
      transfer: { asar: emptyTotals(), baseline: emptyTotals() },
      donation: { asar: emptyTotals(), baseline: emptyTotals() },
    };
    for (const kind of KINDS) {
      // Warm-up: JIT, connection pools, the first balances.
      for (const app of ['asar', 'baseline'] as const) {
        const warm = await load.run(roundOf(app, kind, WARMUP));
        if (warm.unexpected.length) totals[kind][app].unexpected.push(...warm.unexpected);
      }
      for (let round = 0; round < ROUNDS; round++) {
        const order: AppName[] = round % 2 ? ['baseline', 'asar'] : ['asar', 'baseline'];
        for (const app of order) {
          const measure = () => measuredRound(load, database, app, roundOf(app, kind, REQUESTS), totals[kind][app]);
          const name = `${topology}-${kind}-${app}-${round + 1}`;
          // The API's recording starts last, so that it does not record the start of the database's.
          const recordApi = () => perfRecorded(flags['perf-dir'], `${name}-api`, [process.pid], measure);
          const recorded = () =>
            database.pid === null
              ? recordApi()
              : perfRecorded(flags['perf-dir'], `${name}-db`, [database.pid], recordApi);
          await profiled(flags['profile-dir'], name, () => heapProfiled(flags['heap-dir'], name, recorded));
        }
      }
    }
    const violations = await findInvariantViolations();
    return { topology, totals, violations: violations.length };
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await raw.close();
    await mongoose.connection.dropDatabase().catch(() => {});
    await mongoose.disconnect();
    await database.close();
  }
}

function describe(t: Totals): {
  rate: number;
  p95: number;
  commands: number;
  thread: number;
  cpu: number;
  db: number | null;
} {
  return {
    rate: t.requests / t.seconds,
    p95: percentile(t.latencies, 95),
    commands: t.commands / t.requests,
    thread: t.threadMs / t.requests,
    cpu: t.processCpuMs / t.requests,
    db: t.databaseCpuMs === null ? null : t.databaseCpuMs / t.requests,
  };
}

function report(result: TopologyResult): boolean {
  const rows: string[][] = [];
  let met = true;
  for (const kind of KINDS) {
    const asar = describe(result.totals[kind].asar);
    const base = describe(result.totals[kind].baseline);
    const ratio = asar.rate / base.rate;
    const p95Factor = asar.p95 / base.p95;
    const ok = ratio >= TARGET_RATIO[kind] && p95Factor <= TARGET_P95_FACTOR;
    met &&= ok;
    const cells = (d: ReturnType<typeof describe>) => [
      formatRate(d.rate),
      `${d.p95.toFixed(1)} ms`,
      d.commands.toFixed(2),
      `${d.thread.toFixed(2)} ms`,
      `${d.cpu.toFixed(2)} ms`,
      d.db === null ? '(in process)' : `${d.db.toFixed(2)} ms`,
    ];
    const label = kind === 'transfer' ? 'transfer of 1 unit' : 'donation of 5 lines, received';
    rows.push([`${label}: Asar`, ...cells(asar), '', '']);
    rows.push([`${label}: baseline`, ...cells(base), '', '']);
    rows.push([
      `${label}: Asar / baseline`,
      ratio.toFixed(2),
      `${p95Factor.toFixed(2)}×`,
      (asar.commands / base.commands).toFixed(2),
      (asar.thread / base.thread).toFixed(2),
      (asar.cpu / base.cpu).toFixed(2),
      asar.db === null || base.db === null ? '' : (asar.db / base.db).toFixed(2),
      `≥ ${TARGET_RATIO[kind]}, p95 ≤ ${TARGET_P95_FACTOR}×`,
      ok ? 'yes' : 'NO',
    ]);
  }
  printTable(
    `Asar against the bare Express + mongodb baseline, database ${result.topology} (${CONCURRENCY} clients, ${ROUNDS} interleaved rounds of ${REQUESTS})`,
    [
      'request',
      'req/s',
      'p95',
      'DB commands/req',
      'API thread CPU ms/req',
      'API process CPU ms/req',
      'DB process CPU ms/req',
      'target',
      'met',
    ],
    rows,
  );
  for (const kind of KINDS) {
    for (const app of ['asar', 'baseline'] as const) {
      const { byName, requests } = result.totals[kind][app];
      const parts = [...byName.entries()]
        .sort((x, y) => y[1] - x[1])
        .map(([name, n]) => `${name} ${(n / requests).toFixed(2)}`);
      console.log(`  ${app} ${kind}, commands per request: ${parts.join(', ')}`);
    }
  }
  for (const kind of KINDS) {
    for (const app of ['asar', 'baseline'] as const) {
      const { unexpected } = result.totals[kind][app];
      if (unexpected.length) {
        console.log(`unexpected answers, ${app} ${kind}: ${unexpected.length}`);
        for (const u of unexpected.slice(0, 3)) console.log(`  ${u.status} ${u.body}`);
      }
    }
  }
  console.log(`invariant violations: ${result.violations}`);
  return met;
}

function hasUnexpected(result: TopologyResult): boolean {
  return Object.values(result.totals).some((byApp) => Object.values(byApp).some((t) => t.unexpected.length > 0));
}

async function main(): Promise<number> {
  logger.level = 'error';
  const loadAverage = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(
    `bench:stock on node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}; ` +
      `${CONCURRENCY} clients in a separate process`,
  );
  const load = new LoadClient();
  let failed = false;
  try {
    for (const topology of TOPOLOGIES) {
      const result = await benchTopology(topology, load);
      report(result);
      console.log(`load average after: ${loadAverage()}`);
      if (result.violations > 0 || hasUnexpected(result)) failed = true;
    }
  } finally {
    load.stop();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
