/**
 * The embedded database's machine instructions per operation at several commits, counted by valgrind, so that a
 * change of a few per cent shows on a machine where others' work moves every clock:
 *
 *   npx tsx scripts/bench-db-instructions.ts [--commits 66a1968,.] [--only inc] [--ops 4000] [--disk]
 *
 * Each commit's database runs alone in a process (scripts/bench-db-child.ts --replay) under
 * `valgrind --tool=cachegrind --cache-sim=no`, which counts every instruction of every thread (the JavaScript, the
 * compiler and the garbage collector); it replays the driver's own messages (scripts/bench/replay.ts) without a
 * driver or a socket. Each commit runs twice, with a small and a larger number of operations after the same warm-up,
 * and the difference divided by the extra operations is the figure: start-up, setup and warm-up cancel out. Slow
 * (valgrind runs about 40 times slower: a few minutes for two commits), and it needs valgrind installed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPLAY_KINDS, REPLAY_NAMES, type ReplayKind } from './bench/replay';
import { printTable } from './bench/report';
import { labelOf, ROOT, Worktrees } from './bench/worktrees';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const COMMITS = flag('commits', '66a1968,.').split(',');
const OPS = Number(flag('ops', '4000'));
const BASE_OPS = 500;
const ON_DISK = process.argv.includes('--disk');
const KINDS = REPLAY_KINDS.filter((kind) => kind.includes(flag('only', '')));

/** The instructions a replay of `ops` operations of `kind` against `root`'s database executes, start to exit. */
function countInstructions(root: string, kind: ReplayKind, ops: number): Promise<number> {
  const dbPath = ON_DISK ? mkdtempSync(path.join(tmpdir(), 'asar-bench-instructions-')) : undefined;
  const args = [
    '--tool=cachegrind',
    '--cache-sim=no',
    '--cachegrind-out-file=/dev/null',
    process.execPath,
    '--import',
    'tsx',
    path.join(ROOT, 'scripts/bench-db-child.ts'),
    '--root',
    root,
    '--replay',
    kind,
    '--ops',
    String(ops),
    ...(dbPath ? ['--dbpath', dbPath] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (dbPath) rmSync(dbPath, { recursive: true, force: true });
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (code !== 0 || !refs) reject(new Error(`valgrind run failed (${code}): ${stderr.slice(-2000)}`));
      else resolve(Number(refs[1].replaceAll(',', '')));
    });
  });
}

async function main(): Promise<void> {
  const worktrees = new Worktrees();
  try {
    const roots = COMMITS.map((commit) => ({ label: labelOf(commit), root: worktrees.sourceTree(commit) }));
    for (const kind of KINDS) {
      // Two runs at a time: one per core of the machine this was written on.
      const perOperation = await Promise.all(
        roots.map(async ({ root }) => {
          const [small, large] = await Promise.all([
            countInstructions(root, kind, BASE_OPS),
            countInstructions(root, kind, BASE_OPS + OPS),
          ]);
          return (large - small) / OPS;
        }),
      );
      const reference = perOperation[0];
      printTable(
        `Instructions per ${REPLAY_NAMES[kind]} (valgrind, ${OPS} operations, ${ON_DISK ? 'on disk' : 'in memory'}, replayed without driver or socket)`,
        ['commit', 'instructions', `ratio to ${roots[0].label}`],
        roots.map(({ label }, i) => [
          label,
          Math.round(perOperation[i]).toLocaleString('en-US'),
          (perOperation[i] / reference).toFixed(3),
        ]),
      );
    }
  } finally {
    worktrees.removeAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
