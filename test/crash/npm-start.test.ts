/**
 * `npm start` as a service manager or a script uses it: SIGTERM sent to the process id it started stops the API and
 * frees its port and data directory, and so does Ctrl-C in a terminal; a second start on a data directory or a port already in use says in one line
 * what to do, without a stack trace; so does the seed on a data directory in use. Always the embedded database:
 * these are about its data directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { healthy, listening, type Spawned, spawnIn, stopAll } from '../support/api-process';
import { freePort } from '../support/free-port';

jest.setTimeout(180_000);

let dataDir: string;
const running: Spawned[] = [];

function start(port: number, command: string[] = ['start']): Spawned {
  const spawned = spawnIn({ npm: command }, { PORT: String(port), ASAR_DATA_DIR: dataDir });
  running.push(spawned);
  return spawned;
}

/** The lines an operator reads: what the process printed, without npm's own banner and the JSON log lines. */
function problemLines(spawned: Spawned): string[] {
  return spawned
    .stderr()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('{') && !line.startsWith('>') && !line.startsWith('npm '));
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'asar-npm-start-'));
});

afterEach(async () => {
  await stopAll(running.splice(0));
  rmSync(dataDir, { recursive: true, force: true });
});

test('when SIGTERM is sent to the npm start process, then the API stops and frees its port and data directory', async () => {
  const port = await freePort();
  const api = start(port);
  await healthy(port, api);
  expect(existsSync(path.join(dataDir, 'asar-db.lock'))).toBe(true);

  process.kill(api.child.pid as number, 'SIGTERM');
  expect(await api.exited).toEqual({ code: 0, signal: null });
  expect(await listening(port)).toBe(false);
  expect(existsSync(path.join(dataDir, 'asar-db.lock'))).toBe(false);

  const again = start(port);
  await healthy(port, again);
});

test('when Ctrl-C stops npm start with two API processes (SIGINT to the whole process group, which npm passes on once more), then every process stops cleanly and frees the port and data directory', async () => {
  const port = await freePort();
  const api = spawnIn(
    { npm: ['start'] },
    { PORT: String(port), ASAR_DATA_DIR: dataDir, ASAR_WORKERS: '2', LOG_LEVEL: 'info' },
  );
  running.push(api);
  await healthy(port, api);
  while (!api.output().includes('Asar serving on 2 processes')) await new Promise((r) => setTimeout(r, 100));

  // What a terminal does on Ctrl-C: the signal goes to every process of the foreground group.
  process.kill(-(api.child.pid as number), 'SIGINT');
  await api.exited;
  expect(await listening(port)).toBe(false);
  // The primary closed the embedded database: its lock file is gone, and it said so.
  expect(existsSync(path.join(dataDir, 'asar-db.lock'))).toBe(false);
  expect(api.output()).toContain('embedded database stopped');
});

test('when a second API starts on a data directory in use, then it says in one line who holds it and what to do', async () => {
  const first = await freePort();
  const api = start(first);
  await healthy(first, api);

  const second = start(await freePort());
  expect((await second.exited).code).toBe(1);
  const lines = problemLines(second);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/data directory .* is in use by another process \(pid \d+/);
  expect(lines[0]).toContain('ASAR_DATA_DIR=');
  expect(second.output()).not.toMatch(/\n\s+at /);
  expect(await listening(first)).toBe(true);
});

test('when the port is in use, then the API says in one line to choose another, and releases its data directory', async () => {
  const port = await freePort();
  const squatter: Server = createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    const api = start(port);
    expect((await api.exited).code).toBe(1);
    const lines = problemLines(api);
    expect(lines).toEqual([expect.stringContaining(`Port ${port} on 127.0.0.1 is already in use`)]);
    expect(lines[0]).toContain(`PORT=${port + 1} npm start`);
    expect(api.output()).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dataDir, 'asar-db.lock'))).toBe(false);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('when the seed runs on a data directory the API holds, then its message names ASAR_DATA_DIR', async () => {
  const port = await freePort();
  const api = start(port);
  await healthy(port, api);
  const seed = start(port, ['run', 'seed']);
  expect((await seed.exited).code).toBe(1);
  const lines = problemLines(seed);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('ASAR_DATA_DIR=');
  expect(lines[0]).not.toContain('--dbpath');
});
