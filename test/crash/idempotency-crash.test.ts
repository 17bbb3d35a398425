/**
 * Exactly-once across crashes (issue 9): the API process is killed with SIGKILL in the middle of idempotent
 * requests, at the two worst moments, then restarted on the same data, and the client retries with the same key:
 * - between the commit and the answer (`kill-after-commit`): the retry must answer the original answer (a committed
 *   receive answers its 200, not 409), and the operation must be applied once;
 * - after the key's record was written but before the commit (`kill-before-commit`): nothing committed, so the
 *   retry is told "still being processed" until the dead attempt's lock expires, then runs it, once.
 * Repeated over several rounds, every round's stock is counted: 0 double applications.
 *
 * The API runs as a child process, as `npm start` runs it (src/main.ts), with the embedded database on a temporary
 * data directory (or, with TEST_MONGODB_URI, on that server), demo data from `npm run seed`, and ASAR_TEST_FAULTS,
 * which enables the fault points (config refuses it in production).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { healthy, type Spawned, spawnIn, stopAll } from '../support/api-process';
import { externalTestUri } from '../support/env';
import { freePort } from '../support/free-port';

const ROUNDS = 3;
const LOCK_SECONDS = 2;
const PASSWORD = 'crash test password';

jest.setTimeout(300_000);

let dataDir: string;
let port: number;
let api: Spawned | undefined;

function environment(): Record<string, string> {
  const external = externalTestUri();
  const database: Record<string, string> = external
    ? { MONGODB_URI: external.replace(/\/(\?|$)/, `/asar_crash_${process.pid}$1`) }
    : { ASAR_DATA_DIR: dataDir };
  return {
    PORT: String(port),
    ASAR_SEED_PASSWORD: PASSWORD,
    ASAR_TEST_FAULTS: 'true',
    ASAR_IDEMPOTENCY_LOCK_SECONDS: String(LOCK_SECONDS),
    ...database,
  };
}

const base = () => `http://127.0.0.1:${port}`;

async function startApi(): Promise<void> {
  api = spawnIn({ script: 'src/main.ts' }, environment());
  await healthy(port, api);
}

let token = '';

/** The parts of answers this test reads. */
// biome-ignore lint/suspicious/noExplicitAny: answers of several routes, read field by field
type Answered = any;

async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Answered; headers: Headers }> {
  const res = await fetch(`${base()}/api/v1${url}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Sends a request that kills the API at `fault`, and waits for the process to be gone. */
async function crashDuring(url: string, body: unknown, key: string, fault: string): Promise<void> {
  const killed = api as Spawned;
  await expect(call('POST', url, body, { 'Idempotency-Key': key, 'X-Asar-Test-Fault': fault })).rejects.toThrow();
  expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

/** Retries until the answer is no longer "still being processed", as a client honouring Retry-After does. */
async function retry(url: string, body: unknown, key: string) {
  const deadline = Date.now() + 30_000;
  const stillProcessing: number[] = [];
  for (;;) {
    const res = await call('POST', url, body, { 'Idempotency-Key': key });
    if (!(res.status === 409 && res.body?.error?.code === 'CONFLICT') || Date.now() > deadline) {
      return { ...res, stillProcessing };
    }
    stillProcessing.push(Number(res.headers.get('retry-after')));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function onHandOf(warehouseId: string, itemId: string): Promise<number> {
  const res = await call('GET', `/stock?warehouseId=${warehouseId}&itemId=${itemId}&limit=200`);
  expect(res.status).toBe(200);
  return res.body.data.reduce((sum: number, b: { onHand: number }) => sum + b.onHand, 0);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'asar-idempotency-crash-'));
  port = await freePort();
  const seed = spawnIn({ script: 'scripts/seed.ts' }, environment());
  if ((await seed.exited).code !== 0) throw new Error(`npm run seed failed: ${seed.output().slice(-2000)}`);
  await startApi();
  const login = await fetch(`${base()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'warehouse@asar.demo', password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { token: string }).token;
});

afterAll(async () => {
  if (api) await stopAll([api], 'SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an idempotent request whose process is killed', () => {
  let from: { balanceId: string; warehouseId: string; itemId: string };
  let toWarehouseId: string;

  beforeAll(async () => {
    const stock = await call('GET', '/stock?limit=200');
    const flour = stock.body.data.find(
      (b: { item: { sku: string }; onHand: number; lot: unknown }) =>
        b.item.sku === 'FOOD-FLOUR' && b.onHand >= 100_000 && b.lot === null,
    );
    expect(flour).toBeDefined();
    from = { balanceId: flour.id, warehouseId: flour.warehouse.id, itemId: flour.item.id };
    const warehouses = await call('GET', '/warehouses?limit=50');
    toWarehouseId = warehouses.body.data.find((w: { id: string }) => w.id !== from.warehouseId).id;
  });

  test('when it is killed between commit and answer, then each retry answers the original and each transfer applies once', async () => {
    const before = await onHandOf(toWarehouseId, from.itemId);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const key = `crash-after-commit-${round}`;
      const body = { balanceId: from.balanceId, toWarehouseId, quantity: 1 };
      await crashDuring('/stock/transfers', body, key, 'kill-after-commit');
      await startApi();
      const res = await retry('/stock/transfers', body, key);
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect(res.stillProcessing).toEqual([]);
      // 1 kg per round, in grams: once, never twice.
      expect((await onHandOf(toWarehouseId, from.itemId)) - before).toBe(round * 1000);
    }
  });

  test('when it is killed before the commit, then the retry waits out the lock and applies the transfer once', async () => {
    const before = await onHandOf(toWarehouseId, from.itemId);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const key = `crash-before-commit-${round}`;
      const body = { balanceId: from.balanceId, toWarehouseId, quantity: 1 };
      await crashDuring('/stock/transfers', body, key, 'kill-before-commit');
      await startApi();
      // Nothing of the killed attempt committed.
      expect((await onHandOf(toWarehouseId, from.itemId)) - before).toBe((round - 1) * 1000);
      const res = await retry('/stock/transfers', body, key);
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect(res.stillProcessing.every((seconds) => seconds > 0 && seconds <= LOCK_SECONDS)).toBe(true);
      expect((await onHandOf(toWarehouseId, from.itemId)) - before).toBe(round * 1000);
      // And once more: now the answer is the committed one.
      const again = await retry('/stock/transfers', body, key);
      expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    }
  });

  test('when a committed receive is retried after the crash, then it answers its original 200, not 409, and stock is posted once', async () => {
    const donors = await call('GET', '/donors?limit=50');
    const donorId = donors.body.data[0].id;
    const before = await onHandOf(from.warehouseId, from.itemId);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const draft = await call('POST', '/donations', {
        donorId,
        warehouseId: from.warehouseId,
        lines: [{ itemId: from.itemId, quantity: 2 }],
      });
      expect(draft.status).toBe(201);
      const key = `crash-receive-${round}`;
      await crashDuring(`/donations/${draft.body.id}/receive`, undefined, key, 'kill-after-commit');
      await startApi();
      const res = await retry(`/donations/${draft.body.id}/receive`, undefined, key);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('received');
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect((await onHandOf(from.warehouseId, from.itemId)) - before).toBe(round * 2000);
      const fresh = await call('POST', `/donations/${draft.body.id}/receive`, undefined, {
        'Idempotency-Key': `another-key-${round}`,
      });
      expect(fresh.status).toBe(409);
    }
  });
});
