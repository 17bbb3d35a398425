/**
 * The API as a child process, the way an operator runs it (`npm start`, `npm run seed`), for the tests that stop or
 * kill it: each process gets the given environment on top of a minimal one, and its output is collected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** No keep-alive: an idle pooled socket would keep Jest waiting after the test. */
const CLOSE: RequestInit = { headers: { connection: 'close' } };

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const BASE_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  ASAR_TOKEN_SECRET: 'process-test-secret-that-is-long-enough-0123456789',
};

/** `npm <args>` (e.g. `['start']`), or a TypeScript file run with tsx, in the repository. */
export function spawnIn(command: { npm: string[] } | { script: string }, env: Record<string, string>): Spawned {
  const [file, args] =
    'npm' in command ? ['npm', command.npm] : [process.execPath, ['--import', 'tsx', command.script]];
  // Its own process group, so that `stopAll` reaches what npm started too (npm does not pass SIGKILL on).
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...BASE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out + err, stderr: () => err, exited };
}

/**
 * Kills each process and everything it started, and waits for each to be gone: a test's cleanup. Killing only the
 * `npm` process would leave its `node src/main.ts` running, holding a port and a data directory after the run.
 */
export async function stopAll(spawned: Spawned[], signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  for (const each of spawned) {
    try {
      process.kill(-(each.child.pid as number), signal);
    } catch (error) {
      // ESRCH: the whole group is gone already.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  await Promise.all(spawned.map((each) => each.exited));
}

/** Resolves once `GET /health` answers 200 on the port; rejects if the process exits first or takes too long. */
export async function healthy(port: number, spawned: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void spawned.exited.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`the API exited before it was up: ${spawned.output().slice(-2000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, CLOSE);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the API did not come up: ${spawned.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** True while something accepts connections on the port. */
export async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`, CLOSE);
    return true;
  } catch {
    return false;
  }
}
