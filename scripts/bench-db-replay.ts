/**
 * The embedded database's own CPU per operation at several commits, measured in one process, finely interleaved:
 *
 *   npx tsx scripts/bench-db-replay.ts [--commits 66a1968,.] [--disk] [--batches 120] [--ops 200] [--only inc]
 *                                      [--threads 3]
 *
 * Each commit's database (`.` is this checkout's working tree, others are temporary worktrees) is started in
 * `--threads` worker threads of this process (scripts/bench/replay-thread.ts), and the driver's own messages for the
 * insert, the point read, the conditional `$inc` update and the two-document transaction (scripts/bench/replay.ts)
 * are handed to each server's connection handler without a driver or a socket. Batches of `--ops` operations
 * alternate between the commits (the order reversed every other batch), one thread at a time, and each batch's CPU
 * time is read from its thread's clock, so a shared machine whose other threads slow this one does so for every
 * commit alike, batch after batch, which separate processes measured in turns (bench-db-ab.ts) do not ensure: with
 * four other people's work on two cores, that is what makes a few per cent visible. Every commit has threads (V8
 * isolates) of its own, several of them (see openSide): commits sharing one isolate did not run alike (three copies
 * of 66a1968: the first loaded 8-16% cheaper than the others in every operation). The figures: the median CPU per
 * operation of each commit, and the per-batch ratio to the first commit (median and quartiles).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { REPLAY_KINDS, REPLAY_NAMES, type ReplayKind } from './bench/replay';
import type { ReplayAnswer, ReplayRequest, ReplayThreadData } from './bench/replay-thread';
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
const THREADS = Number(flag('threads', '3'));

interface Side {
  label: string;
  /** Replays `ops` operations of `kind`; answers the CPU nanoseconds the side's thread spent on them. */
  run(kind: ReplayKind, ops: number): Promise<number>;
  close(): Promise<void>;
}

/** Starts `root`'s database in a thread of its own (scripts/bench/replay-thread.ts), set up for the replay. */
async function openThread(label: string, root: string): Promise<Omit<Side, 'label'>> {
  const data: ReplayThreadData = { root, onDisk: ON_DISK };
  // Under tsx a worker thread does not inherit the loader: register it before loading the TypeScript entry.
  const entry = path.join(__dirname, 'bench/replay-thread.ts');
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData: data });
  const answer = () =>
    new Promise<ReplayAnswer>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', (message: ReplayAnswer) => {
        worker.off('error', onError);
        if (message.type === 'failed') reject(new Error(`${label}: ${message.error}`));
        else resolve(message);
      });
    });
  const ask = (request: ReplayRequest) => {
    const answered = answer();
    worker.postMessage(request);
    return answered;
  };
  await answer(); // ready
  return {
    async run(kind, ops) {
      const replied = await ask({ kind, ops });
      return replied.type === 'replayed' ? replied.ns : Number.NaN;
    },
    async close() {
      await ask('close');
      await worker.terminate();
    },
  };
}

/**
 * A commit's side: `--threads` threads of its database, each batch replayed on every one of them in turn, their CPU
 * averaged. One isolate's figure keeps an offset of its own for a whole run (the optimising compiler's choices, where
 * its heap lies): copies of one commit differed by up to 16% batch after batch; the average of three differs less.
 */
async function openSide(label: string, root: string): Promise<Side> {
  const threads: Omit<Side, 'label'>[] = [];
  for (let i = 0; i < THREADS; i++) threads.push(await openThread(label, root));
  return {
    label,
    async run(kind, ops) {
      let ns = 0;
      for (const thread of threads) ns += await thread.run(kind, ops);
      return ns / threads.length;
    },
    async close() {
      for (const thread of threads) await thread.close();
    },
  };
}

const quartiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (f: number) => sorted[Math.round(f * (sorted.length - 1))];
  return [at(0.25), at(0.5), at(0.75)];
};

async function main(): Promise<void> {
  const worktrees = new Worktrees();
  const sides: Side[] = [];
  try {
    for (const [i, commit] of COMMITS.entries()) {
      // A commit named twice (an A/A run, to see the noise) gets two sides told apart by their position.
      const label = COMMITS.indexOf(commit) === i ? labelOf(commit) : `${labelOf(commit)} (#${i + 1})`;
      sides.push(await openSide(label, worktrees.sourceTree(commit)));
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
        `Database CPU per ${REPLAY_NAMES[kind]}, µs, in one process (${BATCHES} interleaved batches of ${OPS}, ${THREADS} threads each, ${ON_DISK ? 'on disk' : 'in memory'}, 16 connections replayed without driver or socket)`,
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
  return (await side.run(kind, ops)) / 1000 / ops;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
