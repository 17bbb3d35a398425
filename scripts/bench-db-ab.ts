/**
 * The embedded database's CPU per operation at another commit against this checkout, measured together:
 *
 *   npx tsx scripts/bench-db-ab.ts [--against 66a1968] [--rounds 12] [--ops 400] [--disk] [--quick]
 *                                  [--profile-dir DIR] [--only inc]
 *   npx tsx scripts/bench-db-ab.ts --commits 66a1968,e72395a,2d0aec8,. [--only inc] ...
 *
 * `--against` is checked out in a temporary git worktree (sharing this checkout's node_modules). `--commits` measures
 * any number of commits together instead (`.` is this checkout's working tree), each against the first: to bisect
 * which change costs what, in one interleaved run rather than in pairs taken at different loads. Each side's database
 * runs in a process of its own (scripts/bench-db-child.ts), both at once, driven through Mongoose from this process
 * with 16 concurrent clients, as `npm run bench:db` drives it: inserts, indexed point reads, conditional `$inc`
 * updates, two-document transactions. Rounds alternate the two sides (ABBA) in short phases, so a machine whose
 * load drifts slows both alike; the figures are each database thread's CPU time per operation (the median over the
 * rounds, and the median of the per-round ratios) and this process's, the API side (driver and Mongoose). 66a1968
 * is the commit before issue 15's work. `--profile-dir` writes a CPU profile of each database over the measured
 * rounds (with `--commits`, one profile per side, named by its commit). `--quick`: 6 rounds of 300 operations.
 *
 * A commit named more than once in `--commits` runs in as many processes, and its figures pool theirs (each round's
 * ratio pairs its copies in the order they ran). Each process keeps an offset of its own for a whole run (up to
 * ±10% on this project's machine, from where V8 and the allocator happened to place things), so one pair of
 * processes cannot settle a 10% question: `--commits 66a1968,.,66a1968,.,66a1968,.` can.
 *
 * `--replay` measures the four operations without the driver and the sockets: each
 * database builds the very messages the driver sends (scripts/bench/replay.ts) and hands them to its own
 * connection handler (see scripts/bench-db-child.ts), so the figure is the database's JavaScript alone, a smaller
 * number in which a regression of the database shows larger and load weighs less; the API column is then empty.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { type Connection, Schema } from 'mongoose';
import { threadCpuNs } from '../src/embedded-db/thread';
import type { ReplayKind } from './bench/replay';
import { measure, printTable } from './bench/report';
import { labelOf, Worktrees } from './bench/worktrees';

const CONCURRENCY = 16;
const QUICK = process.argv.includes('--quick');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const AGAINST = flag('against', '66a1968');
/** The sides measured, first the reference: a commit, or `.` for this checkout's working tree. */
const COMMITS = process.argv.includes('--commits') ? flag('commits', '').split(',') : [AGAINST, '.'];
const ROUNDS = Number(flag('rounds', QUICK ? '6' : '12'));
const OPS = Number(flag('ops', QUICK ? '300' : '400'));
const PROFILE_DIR = process.argv.includes('--profile-dir') ? path.resolve(flag('profile-dir', '.')) : undefined;
const ON_DISK = process.argv.includes('--disk');

const ALL_KINDS = ['inserts', 'point reads', 'conditional $inc updates', 'two-document transactions'] as const;
type Kind = (typeof ALL_KINDS)[number];
/** `--only <word>`: the operations whose name holds it (e.g. `--only inc`), to profile one path alone. */
const ONLY = process.argv.includes('--only') ? flag('only', '') : '';
const REPLAY = process.argv.includes('--replay');
/** The operations `--replay` can send, by the name the driver-side measure gives them. */
const REPLAYED: Partial<Record<Kind, ReplayKind>> = {
  inserts: 'insert',
  'point reads': 'read',
  'conditional $inc updates': 'inc',
  'two-document transactions': 'transaction',
};
const KINDS = ALL_KINDS.filter((kind) => kind.includes(ONLY) && (!REPLAY || REPLAYED[kind]));

const itemSchema = new Schema({ sku: { type: String, unique: true }, name: String, category: String, qty: Number });
const balanceSchema = new Schema({ sku: String, onHand: Number });
const ledgerSchema = new Schema({ sku: String, quantity: Number, at: Date });

/** A database process of one source tree, and the Mongoose operations sent to it. */
interface Side {
  label: string;
  child: ChildProcess;
  /** Set before the child is asked to close: its exit is then expected. */
  closing: { asked: boolean };
  ask(message: unknown, answer: string): Promise<Record<string, unknown>>;
  connection: Connection;
  operations: Record<Kind, (index: number, worker: number) => Promise<unknown>>;
  dbPath?: string;
}

async function startDatabase(root: string, dbPath: string | undefined) {
  const args = ['--root', root, ...(dbPath ? ['--dbpath', dbPath] : [])];
  const child = fork(path.join(__dirname, 'bench-db-child.ts'), args, { execArgv: ['--import', 'tsx'] });
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  const closing = { asked: false };
  const ask = (message: unknown, answer: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.set(answer, resolve);
      child.send(message as string);
    });
  const uri = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      const error = new Error(`database of ${root} exited with code ${code} (signal ${signal})`);
      reject(error);
      // A database that dies mid-run would leave its side waiting forever for an answer.
      if (!closing.asked) {
        console.error(error.message);
        process.exit(1);
      }
    });
    child.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'ready') resolve(String(message.uri));
      waiting.get(String(message.type))?.(message);
    });
  });
  return { child, ask, uri, closing };
}

async function openSide(label: string, root: string): Promise<Side> {
  const dbPath = ON_DISK ? mkdtempSync(path.join(tmpdir(), 'asar-bench-ab-')) : undefined;
  const { child, ask, uri, closing } = await startDatabase(root, dbPath);
  const connection = mongoose.createConnection(uri, { maxPoolSize: CONCURRENCY * 2 });
  await connection.asPromise();
  const Item = connection.model('Item', itemSchema);
  await Item.init();
  const Balance = connection.model('Balance', balanceSchema);
  const Ledger = connection.model('LedgerEntry', ledgerSchema);
  await Ledger.init();
  const created = await Balance.insertMany(
    Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, onHand: 1_000_000_000 })),
  );
  const balances = created.map((balance) => ({ _id: balance._id, sku: String(balance.sku) }));
  let inserted = 0;
  const operations: Side['operations'] = {
    inserts: () => Item.create({ sku: `NEW-${inserted++}`, name: 'Food basket', category: 'food', qty: 1 }),
    'point reads': (i) => Item.findOne({ sku: `NEW-${(i * 7919) % Math.max(1, inserted)}` }).lean(),
    'conditional $inc updates': async (i) => {
      const { matchedCount } = await Balance.updateOne(
        { _id: balances[i % balances.length]._id, onHand: { $gte: 3 } },
        { $inc: { onHand: -3 } },
      );
      if (matchedCount !== 1) throw new Error('conditional update did not match');
    },
    'two-document transactions': (i, worker) =>
      connection.transaction(async (session) => {
        const balance = balances[(worker * 6 + (i % 6)) % balances.length];
        await Balance.updateOne({ _id: balance._id, onHand: { $gte: 1 } }, { $inc: { onHand: -1 } }, { session });
        await Ledger.create([{ sku: balance.sku, quantity: -1, at: new Date() }], { session });
      }),
  };
  return { label, child, closing, ask, connection, operations, dbPath };
}

async function closeSide(side: Side): Promise<void> {
  await side.connection.close();
  const exited = new Promise((resolve) => side.child.once('exit', resolve));
  side.closing.asked = true;
  side.child.send('close');
  await exited;
  if (side.dbPath) rmSync(side.dbPath, { recursive: true, force: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const quartiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (f: number) => sorted[Math.round(f * (sorted.length - 1))];
  return [at(0.25), at(0.5), at(0.75)];
};

/** Runs `ops` operations of `kind` on one side; answers the CPU nanoseconds its database and this process spent. */
async function run(side: Side, kind: Kind, ops: number): Promise<{ databaseNs: number; apiNs: number }> {
  const replayed = REPLAYED[kind];
  if (REPLAY && replayed) {
    const { threadNs } = await side.ask({ replay: replayed, ops }, 'replayed');
    return { databaseNs: Number(threadNs), apiNs: 0 };
  }
  const before = await side.ask('cpu', 'cpu');
  const api0 = threadCpuNs() ?? 0;
  await measure(ops, CONCURRENCY, side.operations[kind]);
  const api1 = threadCpuNs() ?? 0;
  const after = await side.ask('cpu', 'cpu');
  return { databaseNs: Number(after.threadNs) - Number(before.threadNs), apiNs: api1 - api0 };
}

async function main(): Promise<void> {
  const worktrees = new Worktrees();
  const sides: Side[] = [];
  try {
    for (const commit of COMMITS) sides.push(await openSide(labelOf(commit), worktrees.sourceTree(commit)));
    for (const side of sides) for (const kind of KINDS) await run(side, kind, OPS);
    if (PROFILE_DIR) for (const side of sides) await side.ask('profile', 'profiling');
    const samples = new Map<string, { database: number[]; api: number[] }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of KINDS) {
        // Each round starts at another side and alternates direction (ABBA for two), so drift in the load falls on
        // every side alike.
        const rotated = sides.map((_, i) => sides[(i + Math.floor(round / 2)) % sides.length]);
        const order = round % 2 === 0 ? rotated : rotated.reverse();
        for (const side of order) {
          const ops = kind === 'two-document transactions' ? Math.ceil(OPS / 3) : OPS;
          const { databaseNs, apiNs } = await run(side, kind, ops);
          const key = `${kind}|${side.label}`;
          const entry = samples.get(key) ?? { database: [], api: [] };
          entry.database.push(databaseNs / 1000 / ops);
          entry.api.push(apiNs / 1000 / ops);
          samples.set(key, entry);
        }
      }
    }
    if (PROFILE_DIR) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      for (const [i, side] of sides.entries()) {
        const commit = COMMITS.length === 2 ? (i === 0 ? 'before' : 'after') : COMMITS[i] === '.' ? 'now' : COMMITS[i];
        const name = PROCESSES > 1 ? `${commit}-${i + 1}` : commit;
        await side.ask({ profileTo: path.join(PROFILE_DIR, `bench-db-ab-${name}.cpuprofile`) }, 'profiled');
      }
    }
    const get = (kind: Kind, label: string) => samples.get(`${kind}|${label}`) ?? { database: [], api: [] };
    // A commit named more than once has one process per mention, and its figures pool theirs.
    const labels = [...new Set(sides.map((side) => side.label))];
    if (labels.length === 2) printPair(labels[0], labels[1], get);
    else printSides(labels, get);
  } finally {
    for (const side of sides) await closeSide(side);
    worktrees.removeAll();
  }
}

type Samples = (kind: Kind, label: string) => { database: number[]; api: number[] };

const PROCESSES = COMMITS.length / new Set(COMMITS).size;

const setting = () =>
  `${ROUNDS} interleaved rounds of ${OPS}, ${ON_DISK ? 'on disk' : 'in memory'}, ${CONCURRENCY} clients ${
    REPLAY ? 'replayed without driver or socket' : 'through Mongoose'
  }${Number.isInteger(PROCESSES) && PROCESSES > 1 ? `, ${PROCESSES} processes per commit` : ''}`;

/** The per-round ratio of `label`'s database CPU to the reference side's: median [quartiles]. */
function ratio(get: Samples, kind: Kind, reference: string, label: string): string {
  const a = get(kind, reference).database;
  const [q1, q2, q3] = quartiles(get(kind, label).database.map((value, i) => value / a[i]));
  return `${q2.toFixed(2)} [${q1.toFixed(2)}–${q3.toFixed(2)}]`;
}

function printPair(before: string, after: string, get: Samples): void {
  printTable(
    `Database CPU per operation, µs: ${before} against ${after} (${setting()})`,
    [
      'operation',
      `database, ${before}`,
      `database, ${after}`,
      'ratio (per round: median [quartiles])',
      `API, ${before}`,
      `API, ${after}`,
    ],
    KINDS.map((kind) => [
      kind,
      median(get(kind, before).database).toFixed(0),
      median(get(kind, after).database).toFixed(0),
      ratio(get, kind, before, after),
      median(get(kind, before).api).toFixed(0),
      median(get(kind, after).api).toFixed(0),
    ]),
  );
}

/** One table per operation: each side's database and API CPU, and its ratio to the first side per round. */
function printSides(labels: string[], get: Samples): void {
  const reference = labels[0];
  for (const kind of KINDS) {
    printTable(
      `Database CPU per operation, µs, ${kind}: each commit against ${reference} (${setting()})`,
      ['commit', 'database', `ratio to ${reference} (per round: median [quartiles])`, 'API'],
      labels.map((label) => [
        label,
        median(get(kind, label).database).toFixed(1),
        ratio(get, kind, reference, label),
        median(get(kind, label).api).toFixed(1),
      ]),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
