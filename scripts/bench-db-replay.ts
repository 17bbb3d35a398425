/**
 * The embedded database's own CPU per operation at several commits, measured in one process, finely interleaved:
 *
 *   npx tsx scripts/bench-db-replay.ts [--commits 66a1968,.] [--disk] [--batches 120] [--ops 200] [--only inc]
 *
 * Each commit's database (`.` is this checkout's working tree, others are temporary worktrees) is started in this
 * process, and the driver's own messages for the insert, the point read, the conditional `$inc` update and the
 * two-document transaction (scripts/bench/replay.ts) are handed to each server's connection handler without a driver or a socket. Batches of
 * `--ops` operations alternate between the commits (the order reversed every other batch), and each batch's CPU time
 * is read from this thread's clock, so a shared machine whose other threads slow this one does so for every commit
 * alike, batch after batch, which separate processes measured in turns (bench-db-ab.ts) do not ensure: with four
 * other people's work on two cores, that is what makes a few per cent visible. The figures: the median CPU per
 * operation of each commit, and the per-batch ratio to the first commit (median and quartiles).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { threadCpuNs } from '../src/embedded-db/thread';
import { captureConnectionHandlers, REPLAY_KINDS, REPLAY_NAMES, Replayer, type ReplayKind } from './bench/replay';
import { printTable } from './bench/report';
import { labelOf, Worktrees } from './bench/worktrees';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const COMMITS = flag('commits', '66a1968,.').split(',');
const BATCHES = Number(flag('batches', '120'));
const OPS = Number(flag('ops', '200'));
const ON_DISK = process.argv.includes('--disk');
const KINDS = REPLAY_KINDS.filter((kind) => kind.includes(flag('only', '')));

const cpuNs = () => threadCpuNs() ?? 0;

interface Side {
  label: string;
  replayer: Replayer;
  close(): Promise<void>;
}

/** Starts `root`'s database here, with what the replayed operations touch. */
async function openSide(label: string, root: string, handlers: ReturnType<typeof captureConnectionHandlers>) {
  const { startEmbeddedServer } = (await import(
    path.join(root, 'src/embedded-db/index.ts')
  )) as typeof import('../src/embedded-db');
  const dbPath = ON_DISK ? mkdtempSync(path.join(tmpdir(), 'asar-bench-replay-')) : undefined;
  const before = handlers.length;
  const server = await startEmbeddedServer({ port: 0, dbPath });
  const replayer = new Replayer(handlers[before], cpuNs);
  await replayer.setup();
  return {
    label,
    replayer,
    async close() {
      await server.close();
      if (dbPath) rmSync(dbPath, { recursive: true, force: true });
    },
  } satisfies Side;
}

const quartiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (f: number) => sorted[Math.round(f * (sorted.length - 1))];
  return [at(0.25), at(0.5), at(0.75)];
};

async function main(): Promise<void> {
  const handlers = captureConnectionHandlers();
  const worktrees = new Worktrees();
  const sides: Side[] = [];
  try {
    for (const [i, commit] of COMMITS.entries()) {
      // A commit named twice (an A/A run, to see the noise) gets two sides told apart by their position.
      const label = COMMITS.indexOf(commit) === i ? labelOf(commit) : `${labelOf(commit)} (#${i + 1})`;
      sides.push(await openSide(label, worktrees.sourceTree(commit), handlers));
    }
    // Warm-up: every path compiled and optimised before anything is measured.
    for (let i = 0; i < 5; i++) for (const side of sides) for (const kind of KINDS) await run(side, kind);
    const samples = new Map<string, number[]>();
    for (let batch = 0; batch < BATCHES; batch++) {
      for (const kind of KINDS) {
        const order = batch % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const key = `${kind}|${side.label}`;
          samples.set(key, [...(samples.get(key) ?? []), await run(side, kind)]);
        }
      }
    }
    const reference = sides[0].label;
    for (const kind of KINDS) {
      const base = samples.get(`${kind}|${reference}`) ?? [];
      printTable(
        `Database CPU per ${REPLAY_NAMES[kind]}, µs, in one process (${BATCHES} interleaved batches of ${OPS}, ${ON_DISK ? 'on disk' : 'in memory'}, 16 connections replayed without driver or socket)`,
        ['commit', 'median µs', 'mean µs', `ratio to ${reference} per batch: median [quartiles]`, 'ratio of totals'],
        sides.map((side) => {
          const values = samples.get(`${kind}|${side.label}`) ?? [];
          // A batch the thread clock saw no time for (0 / 0) has no ratio: it is left out.
          const ratios = values.map((value, i) => value / base[i]).filter(Number.isFinite);
          const [q1, q2, q3] = quartiles(ratios);
          const total = (list: number[]) => list.reduce((sum, value) => sum + value, 0);
          return [
            side.label,
            quartiles(values)[1].toFixed(1),
            (total(values) / values.length).toFixed(1),
            `${q2.toFixed(3)} [${q1.toFixed(3)}–${q3.toFixed(3)}]`,
            (total(values) / total(base)).toFixed(3),
          ];
        }),
      );
    }
  } finally {
    for (const side of sides) await side.close();
    worktrees.removeAll();
  }
}

/** One batch of `kind` on a side: its CPU microseconds per operation. */
async function run(side: Side, kind: ReplayKind): Promise<number> {
  const ops = kind === 'transaction' ? Math.ceil(OPS / 3) : OPS;
  return (await side.replayer.run(kind, ops)) / 1000 / ops;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
