/**
 * `npm start` on several cores: the primary runs the embedded database and ASAR_WORKERS API processes on one port.
 * Both processes serve (each log line names its worker); a token issued by one is accepted by the other (one secret,
 * even a random one); the login limit, kept in the database, holds whichever process an attempt reaches; a
 * warehouse deactivated through one process is refused at once by the other, whose cache held it; a stop
 * signal to the primary stops them all and frees the port and the data directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { healthy, listening, type Spawned, spawnIn, stopAll } from '../support/api-process';
import { freePort } from '../support/free-port';

jest.setTimeout(240_000);

const PASSWORD = 'workers test password';
let dataDir: string;
let port: number;
let api: Spawned;

/** Which worker logged the completion of each request id. */
function workersByRequest(): Map<string, number> {
  const served = new Map<string, number>();
  for (const line of api.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { worker?: number; req?: { id?: string } };
    if (entry.worker !== undefined && entry.req?.id) served.set(entry.req.id, entry.worker);
  }
  return served;
}

/** A request on a connection of its own, so that the primary hands it to the next worker in turn. */
async function call(id: string, method: string, url: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { connection: 'close', 'x-request-id': id };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function servedBy(ids: string[]): Promise<Set<number>> {
  // The completion line is written as the answer goes out: give the pipe a moment.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const served = workersByRequest();
  return new Set(ids.map((id) => served.get(id)).filter((w): w is number => w !== undefined));
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'asar-workers-'));
  port = await freePort();
  const env = {
    PORT: String(port),
    ASAR_DATA_DIR: dataDir,
    ASAR_SEED_PASSWORD: PASSWORD,
    // No secret given: the primary's random one must serve both workers.
    ASAR_TOKEN_SECRET: '',
    ASAR_LOGIN_RATE_LIMIT: '5/15m',
  };
  const seed = spawnIn({ script: 'scripts/seed.ts' }, env);
  if ((await seed.exited).code !== 0) throw new Error(`npm run seed failed: ${seed.output().slice(-2000)}`);
  api = spawnIn({ script: 'src/main.ts' }, { ...env, ASAR_WORKERS: '2', LOG_LEVEL: 'info' });
  await healthy(port, api, 120_000);
});

afterAll(async () => {
  await stopAll([api]);
  rmSync(dataDir, { recursive: true, force: true });
});

test('when requests arrive on new connections, then both API processes serve them, and a token issued by one works on the other', async () => {
  const login = await call('login-ok', 'POST', '/api/v1/auth/login', {
    email: 'warehouse@asar.demo',
    password: PASSWORD,
  });
  expect(login.status).toBe(200);
  const ids = Array.from({ length: 8 }, (_, i) => `me-${i}`);
  for (const id of ids)
    expect((await call(id, 'GET', '/api/v1/auth/me', undefined, login.body.token)).status).toBe(200);
  expect((await servedBy(ids)).size).toBe(2);
});

test('when failed logins for one account reach either process, then the login limit counts them together', async () => {
  const attempt = (id: string) =>
    call(id, 'POST', '/api/v1/auth/login', { email: 'viewer@asar.demo', password: 'not the password' });
  // The first failures are free (typos); the next attempt must wait, whichever process it reaches.
  const free = ['fail-0', 'fail-1', 'fail-2'];
  for (const id of free) expect((await attempt(id)).status).toBe(401);
  const refusedIds = ['fail-3', 'fail-4', 'fail-5', 'fail-6'];
  for (const id of refusedIds) {
    const res = await attempt(id);
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
  }
  expect((await servedBy([...free, ...refusedIds])).size).toBe(2);
  expect((await servedBy(refusedIds)).size).toBe(2);
});

test('when a warehouse is deactivated through one process after both have cached it, then neither accepts a transfer from it', async () => {
  const token = async (email: string) =>
    (await call(`login-${email}`, 'POST', '/api/v1/auth/login', { email, password: PASSWORD })).body.token as string;
  const admin = await token('admin@asar.demo');
  const clerk = await token('warehouse@asar.demo');
  const warehouse = async (code: string) =>
    (
      await call(
        `create-${code}`,
        'POST',
        '/api/v1/warehouses',
        { code, name: `Workers ${code}`, region: 'astana', city: 'Astana' },
        admin,
      )
    ).body.id as string;
  const [from, to] = [await warehouse('WRK-A'), await warehouse('WRK-B')];
  const item = await call(
    'create-item',
    'POST',
    '/api/v1/items',
    { sku: 'WRK-BLANKET', name: { kk: 'Көрпе', ru: 'Одеяло', en: 'Blanket' }, category: 'bedding', baseUnit: 'piece' },
    admin,
  );
  expect(item.status).toBe(201);
  const donors = await call('donors', 'GET', '/api/v1/donors?limit=1', undefined, admin);
  const received = await call(
    'receive',
    'POST',
    '/api/v1/donations',
    {
      donorId: donors.body.data[0].id,
      warehouseId: from,
      receive: true,
      lines: [{ itemId: item.body.id, quantity: '20' }],
    },
    clerk,
  );
  expect(received.status).toBe(201);
  const transfer = (id: string) =>
    call(
      id,
      'POST',
      '/api/v1/stock/transfers',
      { fromWarehouseId: from, toWarehouseId: to, itemId: item.body.id, quantity: 1 },
      clerk,
    );

  // Each process reads (and caches) both warehouses and the item.
  const before = ['before-0', 'before-1', 'before-2', 'before-3'];
  for (const id of before) expect((await transfer(id)).status).toBe(201);
  expect((await servedBy(before)).size).toBe(2);

  expect((await call('deactivate', 'DELETE', `/api/v1/warehouses/${from}`, undefined, admin)).status).toBe(200);

  const after = ['after-0', 'after-1', 'after-2', 'after-3'];
  for (const id of after) {
    const res = await transfer(id);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'INVALID_STATE', details: { field: 'fromWarehouseId' } });
  }
  expect((await servedBy(after)).size).toBe(2);
});

test('when SIGTERM is sent to the primary, then every process stops and the port and data directory are free', async () => {
  process.kill(api.child.pid as number, 'SIGTERM');
  expect(await api.exited).toEqual({ code: 0, signal: null });
  expect(await listening(port)).toBe(false);
  expect(existsSync(path.join(dataDir, 'asar-db.lock'))).toBe(false);
});
