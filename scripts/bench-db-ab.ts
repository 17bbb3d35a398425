/**
 * The embedded database's CPU per operation at another commit against this checkout, measured together:
 *
 *   npx tsx scripts/bench-db-ab.ts [--against 66a1968] [--rounds 12] [--ops 400] [--disk] [--quick]
 *                                  [--profile-dir DIR] [--only inc]
 *
 * `--against` is checked out in a temporary git worktree (sharing this checkout's node_modules). Each side's database
 * runs in a process of its own (scripts/bench-db-child.ts), both at once, driven through Mongoose from this process
 * with 16 concurrent clients, as `npm run bench:db` drives it: inserts, indexed point reads, conditional `$inc`
 * updates, two-document transactions. Rounds alternate the two sides (ABBA) in short phases, so a machine whose
 * load drifts slows both alike; the figures are each database thread's CPU time per operation (the median over the
 * rounds, and the median of the per-round ratios) and this process's, the API side (driver and Mongoose). 66a1968
 * is the commit before issue 15's work. `--profile-dir` writes a CPU profile of each database over the measured
 * rounds. `--quick`: 6 rounds of 300 operations.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { type Connection, Schema } from 'mongoose';
import { threadCpuNs } from '../src/embedded-db/thread';
import { measure, printTable } from './bench/report';

const CONCURRENCY = 16;
const ROOT = path.resolve(__dirname, '..');
const QUICK = process.argv.includes('--quick');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const AGAINST = flag('against', '66a1968');
const ROUNDS = Number(flag('rounds', QUICK ? '6' : '12'));
const OPS = Number(flag('ops', QUICK ? '300' : '400'));
const PROFILE_DIR = process.argv.includes('--profile-dir') ? path.resolve(flag('profile-dir', '.')) : undefined;
const ON_DISK = process.argv.includes('--disk');

const ALL_KINDS = ['inserts', 'point reads', 'conditional $inc updates', 'two-document transactions'] as const;
type Kind = (typeof ALL_KINDS)[number];
/** `--only <word>`: the operations whose name holds it (e.g. `--only inc`), to profile one path alone. */
const ONLY = process.argv.includes('--only') ? flag('only', '') : '';
const KINDS = ALL_KINDS.filter((kind) => kind.includes(ONLY));

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

async function main(): Promise<void> {
  const worktree = mkdtempSync(path.join(tmpdir(), 'asar-ab-'));
  rmSync(worktree, { recursive: true });
  execFileSync('git', ['worktree', 'add', '--detach', worktree, AGAINST], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
  const sides: Side[] = [];
  try {
    sides.push(await openSide(AGAINST, worktree), await openSide('this checkout', ROOT));
    for (const side of sides) for (const kind of KINDS) await measure(OPS, CONCURRENCY, side.operations[kind]);
    if (PROFILE_DIR) for (const side of sides) await side.ask('profile', 'profiling');
    const samples = new Map<string, { database: number[]; api: number[] }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of KINDS) {
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const ops = kind === 'two-document transactions' ? Math.ceil(OPS / 3) : OPS;
          const before = await side.ask('cpu', 'cpu');
          const api0 = threadCpuNs() ?? 0;
          await measure(ops, CONCURRENCY, side.operations[kind]);
          const api1 = threadCpuNs() ?? 0;
          const after = await side.ask('cpu', 'cpu');
          const key = `${kind}|${side.label}`;
          const entry = samples.get(key) ?? { database: [], api: [] };
          entry.database.push((Number(after.threadNs) - Number(before.threadNs)) / 1000 / ops);
          entry.api.push((api1 - api0) / 1000 / ops);
          samples.set(key, entry);
        }
      }
    }
    if (PROFILE_DIR) {
      for (const [i, side] of sides.entries()) {
        const to = path.join(PROFILE_DIR, `bench-db-ab-${i === 0 ? 'before' : 'after'}.cpuprofile`);
        await side.ask({ profileTo: to }, 'profiled');
      }
    }
    const [before, after] = sides.map((side) => side.label);
    const get = (kind: Kind, label: string) => samples.get(`${kind}|${label}`) ?? { database: [], api: [] };
    printTable(
      `Database CPU per operation, µs: ${before} against this checkout (${ROUNDS} interleaved rounds of ${OPS}, ${
        ON_DISK ? 'on disk' : 'in memory'
      }, ${CONCURRENCY} clients through Mongoose)`,
      [
        'operation',
        `database, ${before}`,
        'database, now',
        'ratio (per round: median [quartiles])',
        `API, ${before}`,
        'API, now',
      ],
      KINDS.map((kind) => {
        const a = get(kind, before);
        const b = get(kind, after);
        const [q1, q2, q3] = quartiles(b.database.map((value, i) => value / a.database[i]));
        return [
          kind,
          median(a.database).toFixed(0),
          median(b.database).toFixed(0),
          `${q2.toFixed(2)} [${q1.toFixed(2)}–${q3.toFixed(2)}]`,
          median(a.api).toFixed(0),
          median(b.api).toFixed(0),
        ];
      }),
    );
  } finally {
    for (const side of sides) await closeSide(side);
    execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
