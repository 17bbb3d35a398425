/**
 * Two API processes on one database, each started as an operator starts it (`src/main.ts`, its scheduler on), both
 * firing one job every second: each occurrence runs exactly once across them (the lease in MongoDB, not a timer in
 * memory). The in-process variant with two connections is scheduler.test.ts.
 */
import mongoose, { type Connection } from 'mongoose';
import { healthy, type Spawned, spawnIn, stopAll } from '../support/api-process';
import { testDatabaseName, testDatabaseUri } from '../support/env';
import { freePort } from '../support/free-port';

jest.setTimeout(240_000);

const JOB = 'idempotency-cleanup';
const OTHER_JOBS = [
  'expiry-warnings',
  'low-stock',
  'stock-reconciliation',
  'webhook-deliveries',
  'imports-resume',
  'reservations-expiry',
  'shipments-overdue',
];
const dbName = `${testDatabaseName()}_two_processes`;
let db: Connection;
const apis: Spawned[] = [];

/** The test server's URI naming this test's own database (the processes read MONGODB_URI only). */
function uriOfDatabase(): string {
  const url = new URL(testDatabaseUri());
  url.pathname = `/${dbName}`;
  return url.toString();
}

beforeAll(async () => {
  db = await mongoose.createConnection(testDatabaseUri(), { dbName }).asPromise();
  await db.dropDatabase();
});

afterAll(async () => {
  await stopAll(apis);
  await db.dropDatabase();
  await db.close();
});

test('when two API processes on one database schedule a job every second, then each occurrence runs once', async () => {
  const schedules = [`${JOB}=* * * * * *`, ...OTHER_JOBS.map((name) => `${name}=off`)].join(';');
  const ports = [await freePort(), await freePort()];
  for (const port of ports) {
    apis.push(
      spawnIn(
        { script: 'src/main.ts' },
        {
          PORT: String(port),
          MONGODB_URI: uriOfDatabase(),
          ASAR_WORKERS: '1',
          ASAR_JOBS_ENABLED: 'true',
          ASAR_JOB_SCHEDULES: schedules,
        },
      ),
    );
  }
  await Promise.all(ports.map((port, i) => healthy(port, apis[i] as Spawned, 180_000)));
  const runs = db.collection<{ job: string; scheduledFor: Date; trigger: string; holder: string; status: string }>(
    'job_runs',
  );
  // Both are up: let both schedulers fire together for a while.
  const since = new Date();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  for (const api of apis) api.child.kill('SIGTERM');
  const exits = await Promise.all(apis.map((api) => api.exited));
  expect(exits.map((e) => e.code)).toEqual([0, 0]);

  const taken = await runs.find({ job: JOB, trigger: 'schedule', scheduledFor: { $gte: since } }).toArray();
  const perOccurrence = new Map<number, number>();
  for (const run of taken) {
    const at = run.scheduledFor.getTime();
    perOccurrence.set(at, (perOccurrence.get(at) ?? 0) + 1);
  }
  // Five seconds of two schedulers firing every second: at least three occurrences, none run twice.
  expect(perOccurrence.size).toBeGreaterThanOrEqual(3);
  expect([...perOccurrence.values()].every((n) => n === 1)).toBe(true);
  expect(taken.every((run) => run.status === 'succeeded')).toBe(true);
});
