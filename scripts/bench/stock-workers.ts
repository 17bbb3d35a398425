/**
 * `npx tsx scripts/bench/stock-workers.ts [--quick] [--workers 1,2] [--rounds 2] [--requests 400] [--concurrency 16]`:
 * does `npm start` serve more with more API processes? It runs `src/main.ts` as an operator does (the embedded
 * database on a worker thread of the primary, ASAR_WORKERS API processes on one port) on one seeded data directory,
 * once per worker count and round, in turn (1, 2, 2, 1, ...: a noisy machine slows both alike), and sends transfers
 * of 1 unit from 16 keep-alive clients in a separate process (load-client.ts). Prints, per worker count: transfers/s,
 * p95, the ratio to one process (on an n-core machine that nothing else uses it should approach n), and the CPU each
 * process used per transfer (from /proc: the primary, which runs the database thread and hands connections to the
 * workers, and each API worker; with ASAR_WORKERS=1 one process does all), so that a machine without n free cores
 * still shows where the time went.
 * `--quick`: 2 rounds of 200 (a few minutes).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadRound } from './load-client';
import { percentile, printTable } from './report';

const { values: flags } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '2' },
    requests: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    quick: { type: 'boolean', default: false },
  },
  strict: true,
});
const COUNTS = (flags.workers ?? '1,2').split(',').map(Number);
const ROUNDS = Number(flags.rounds);
const REQUESTS = Number(flags.requests ?? (flags.quick ? 200 : 400));
const CONCURRENCY = Number(flags.concurrency);
const ROOT = path.resolve(__dirname, '../..');
const PASSWORD = 'bench workers password';
const PORT = 3900 + Math.floor(Math.random() * 90);

function run(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** CPU milliseconds a process has used (utime + stime of /proc/<pid>/stat, 10 ms ticks); 0 once it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** The processes whose parent is `pid` (npm start's API workers). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children.sort((x, y) => x - y);
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

async function healthy(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/health`, { headers: { connection: 'close' } })).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the API did not come up');
}

async function call(method: string, url: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { connection: 'close', 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${PORT}/api/v1${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json as Record<string, unknown> & { id: string; token: string; data: { id: string }[] };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asar-bench-workers-'));
  const env = {
    PORT: String(PORT),
    HOST: '127.0.0.1',
    ASAR_DATA_DIR: dataDir,
    ASAR_SEED_PASSWORD: PASSWORD,
    ASAR_TOKEN_SECRET: 'bench-workers-secret-that-is-long-enough-0123456789',
    ASAR_LOGIN_RATE_LIMIT: '1000/1m',
  };
  const load = fork(path.join(__dirname, 'load-client.ts'), [], { execArgv: ['--import', 'tsx'] });
  const round = (message: LoadRound) =>
    new Promise<LoadResult>((resolve, reject) => {
      load.once('message', (answer: { result?: LoadResult; error?: string }) =>
        answer.result ? resolve(answer.result) : reject(new Error(answer.error)),
      );
      load.send({ round: message });
    });
  console.log(`stock-workers on node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}`);
  const totals = new Map(
    COUNTS.map((n) => [
      n,
      { requests: 0, seconds: 0, latencies: [] as number[], primaryMs: 0, workerMs: new Array<number>(n).fill(0) },
    ]),
  );
  try {
    const seed = run('scripts/seed.ts', env);
    await exited(seed);
    let api = run('src/main.ts', { ...env, ASAR_WORKERS: '1' });
    await healthy();
    const login = async (email: string) => (await call('POST', '/auth/login', { email, password: PASSWORD })).token;
    const admin = await login('admin@asar.demo');
    const clerk = await login('warehouse@asar.demo');
    const a = (await call('POST', '/warehouses', { code: 'BW-A', name: 'A', region: 'astana', city: 'Astana' }, admin))
      .id;
    const b = (await call('POST', '/warehouses', { code: 'BW-B', name: 'B', region: 'astana', city: 'Astana' }, admin))
      .id;
    const items: string[] = [];
    for (let i = 0; i < 20; i++) {
      const name = { kk: `Көрпе ${i}`, ru: `Одеяло ${i}`, en: `Blanket ${i}` };
      items.push(
        (await call('POST', '/items', { sku: `BW-${i}`, name, category: 'bedding', baseUnit: 'piece' }, admin)).id,
      );
    }
    const donorId = (await call('GET', '/donors?limit=1', undefined, admin)).data[0]?.id;
    for (const warehouseId of [a, b]) {
      const lines = items.map((itemId) => ({ itemId, quantity: '1000000' }));
      await call('POST', '/donations', { donorId, warehouseId, receive: true, lines }, clerk);
    }
    let seq = 0;
    const transfers = (count: number): LoadRound => ({
      port: PORT,
      token: clerk,
      concurrency: CONCURRENCY,
      expect: [201],
      requests: Array.from({ length: count }, () => {
        seq += 1;
        const [from, to] = seq % 2 ? [a, b] : [b, a];
        const itemId = items[seq % items.length];
        return {
          path: '/api/v1/stock/transfers',
          body: { fromWarehouseId: from, toWarehouseId: to, itemId, quantity: 1 },
        };
      }),
    });
    let running = 1;
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? [...COUNTS].reverse() : COUNTS;
      for (const n of order) {
        if (running !== n) {
          api.kill('SIGTERM');
          await exited(api);
          api = run('src/main.ts', { ...env, ASAR_WORKERS: String(n) });
          await healthy();
          running = n;
        }
        await round(transfers(100)); // warm-up: JIT, pools, caches of every process
        const primary = api.pid as number;
        const workers = childrenOf(primary);
        const cpuBefore = [primary, ...workers].map(cpuMsOf);
        const result = await round(transfers(REQUESTS));
        const cpuUsed = [primary, ...workers].map((pid, i) => cpuMsOf(pid) - (cpuBefore[i] as number));
        if (result.unexpected.length) throw new Error(`unexpected answers: ${JSON.stringify(result.unexpected[0])}`);
        const t = totals.get(n);
        if (t) {
          t.requests += REQUESTS;
          t.seconds += result.seconds;
          t.latencies.push(...result.latencies);
          t.primaryMs += cpuUsed[0] as number;
          // Workers by pid order; a count other than n (one restarting) is added as it comes.
          cpuUsed.slice(1).forEach((ms, i) => {
            t.workerMs[i] = (t.workerMs[i] ?? 0) + ms;
          });
        }
        console.log(
          `round ${r + 1}, ${n} worker(s): ${(REQUESTS / result.seconds).toFixed(0)} transfers/s, CPU ms/transfer: ` +
            `primary ${((cpuUsed[0] as number) / REQUESTS).toFixed(2)}, workers ${
              cpuUsed
                .slice(1)
                .map((ms) => (ms / REQUESTS).toFixed(2))
                .join(' + ') || '(none: one process serves the API and runs the database thread)'
            }`,
        );
      }
    }
    api.kill('SIGTERM');
    await exited(api);
  } finally {
    load.send({ stop: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
  const one = totals.get(COUNTS[0] as number);
  const rate = (t: { requests: number; seconds: number }) => t.requests / t.seconds;
  printTable(
    `npm start with ASAR_WORKERS API processes, transfers of 1 unit (${CONCURRENCY} clients, ${ROUNDS} rounds of ${REQUESTS}, load average after ${loadAverage()})`,
    [
      'API processes',
      'transfers/s',
      'p95',
      `vs ${COUNTS[0]}`,
      'primary CPU ms/req (database thread)',
      'each API worker CPU ms/req',
      'all CPU ms/req',
    ],
    COUNTS.map((n) => {
      const t = totals.get(n) as NonNullable<ReturnType<typeof totals.get>>;
      const perRequest = (ms: number) => (ms / t.requests).toFixed(2);
      const all = t.primaryMs + t.workerMs.reduce((x, y) => x + y, 0);
      return [
        String(n),
        rate(t).toFixed(0),
        `${percentile(
          t.latencies.sort((x, y) => x - y),
          95,
        ).toFixed(1)} ms`,
        one ? (rate(t) / rate(one)).toFixed(2) : '',
        perRequest(t.primaryMs),
        t.workerMs.some((ms) => ms > 0) ? t.workerMs.map(perRequest).join(' + ') : '(in the primary)',
        perRequest(all),
      ];
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
