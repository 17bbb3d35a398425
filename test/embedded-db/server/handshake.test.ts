/** The handshake and server-information commands, as the driver sees them. */
import { MongoServerError } from 'mongodb';
import { useServer } from './harness';

const h = useServer();

test('when the driver connects, then hello describes a writable primary of a replica set', async () => {
  const hello = await h.db('admin').command({ hello: 1 });
  expect(hello.ok).toBe(1);
  expect(hello.isWritablePrimary).toBe(true);
  expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
  expect(hello.minWireVersion).toBeLessThanOrEqual(hello.maxWireVersion);
  expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
  expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
  expect(hello.maxMessageSizeBytes).toBe(48_000_000);
  expect(hello.maxWriteBatchSize).toBe(100_000);
  expect(typeof hello.setName).toBe('string');
  expect(hello.hosts).toContain(hello.primary);
  expect(hello.me).toBe(hello.primary);
  expect(hello.localTime).toBeInstanceOf(Date);
  expect(typeof hello.connectionId).toBe('number');
});

test('when the embedded server runs, then it advertises the address it is bound to and no topologyVersion', async () => {
  if (!h.server) return; // only meaningful for the embedded server
  const hello = await h.db('admin').command({ hello: 1 });
  expect(hello.hosts).toEqual([`127.0.0.1:${h.server.port}`]);
  expect(hello.topologyVersion).toBeUndefined();
});

test('when isMaster is sent, then it answers ismaster: true', async () => {
  const reply = await h.db('admin').command({ isMaster: 1 });
  expect(reply.ismaster).toBe(true);
  expect(reply.ok).toBe(1);
});

test('when pinged, then the server answers ok', async () => {
  await expect(h.db().command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
});

test('when an unknown command is sent, then the server answers 59 CommandNotFound naming it', async () => {
  const err = await h
    .db()
    .command({ frobnicate: 1 })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MongoServerError);
  expect((err as MongoServerError).code).toBe(59);
  expect((err as MongoServerError).codeName).toBe('CommandNotFound');
  expect((err as MongoServerError).message).toContain("no such command: 'frobnicate'");
});

test('when buildInfo is asked, then it reports a version string and its array form', async () => {
  const info = await h.db('admin').command({ buildInfo: 1 });
  expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(info.versionArray.slice(0, 3)).toEqual(
    info.version
      .split('.')
      .slice(0, 3)
      .map((p: string) => Number.parseInt(p, 10)),
  );
});

test('when serverStatus is asked, then it reports connections and uptime', async () => {
  const status = await h.db('admin').command({ serverStatus: 1 });
  expect(status.ok).toBe(1);
  expect(status.connections.current).toBeGreaterThan(0);
  expect(typeof status.uptime).toBe('number');
});

test('when transactionLifetimeLimitSeconds is set, then getParameter reads the new value and setParameter reports the old', async () => {
  const before = await h.db('admin').command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 });
  const set = await h.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 30 });
  expect(set.was).toBe(before.transactionLifetimeLimitSeconds);
  const after = await h.db('admin').command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 });
  expect(after.transactionLifetimeLimitSeconds).toBe(30);
  await h
    .db('admin')
    .command({ setParameter: 1, transactionLifetimeLimitSeconds: before.transactionLifetimeLimitSeconds });
});

test('when many clients connect at once, then each gets its own connection id', async () => {
  const clients = await Promise.all([h.newClient(), h.newClient(), h.newClient()]);
  const ids = await Promise.all(clients.map(async (c) => (await c.db('admin').command({ hello: 1 })).connectionId));
  expect(new Set(ids).size).toBe(3);
});
