/**
 * The scheduler's lease, with two schedulers on two connections to one database (as two API processes would be):
 * each occurrence runs once, a job never runs twice at once, and a failed run is retried at the next occurrence.
 */
import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import type { Job } from '../../src/jobs/job';
import { leaseModels } from '../../src/jobs/lease';
import { Scheduler } from '../../src/jobs/scheduler';
import { useTestDatabase } from '../support/database';
import { testDatabaseName, testDatabaseUri } from '../support/env';

useTestDatabase();

const silent = pino({ level: 'silent' });
let second: Connection;

beforeAll(async () => {
  second = await mongoose.createConnection(testDatabaseUri(), { dbName: testDatabaseName() }).asPromise();
});
afterAll(async () => {
  await second.close();
});

/** A job that records each run in a collection and can be made slow or failing. */
function countingJob(
  options: { schedule?: string; delayMs?: number; failFirst?: number } = {},
): Job & { runs: Date[] } {
  let failures = options.failFirst ?? 0;
  const runs: Date[] = [];
  return {
    name: 'counting',
    description: 'test job',
    schedule: options.schedule ?? '0 0 1 1 *',
    leaseMs: 60_000,
    runs,
    async run({ scheduledFor }) {
      runs.push(scheduledFor);
      await mongoose.connection.collection('counting_runs').insertOne({ scheduledFor, at: new Date() });
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (failures > 0) {
        failures -= 1;
        throw new Error('the warehouse system is down');
      }
      return { ok: true };
    },
  };
}

function schedulersOn(job: Job): [Scheduler, Scheduler] {
  const options = { jobs: [job], logger: silent, timezone: 'Asia/Almaty' };
  return [new Scheduler(options), new Scheduler({ ...options, connection: second })];
}

test('when two schedulers on two connections fire the same occurrences at once, then each occurrence runs once', async () => {
  const job = countingJob();
  const [a, b] = schedulersOn(job);
  const occurrences = Array.from({ length: 5 }, (_, i) => new Date(Date.UTC(2026, 0, 1, 0, i)));
  for (const occurrence of occurrences) {
    const outcomes = await Promise.all([a.fire(job, occurrence), b.fire(job, occurrence)]);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ran)).toEqual({ ran: false, reason: 'occurrence_taken' });
  }
  expect(job.runs.map((d) => d.getTime())).toEqual(occurrences.map((d) => d.getTime()));
  expect(await mongoose.connection.collection('counting_runs').countDocuments()).toBe(5);
  const runs = await leaseModels().JobRun.find({ job: 'counting' }).lean();
  expect(runs).toHaveLength(5);
  expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
});

test('when both schedulers run on a cron of every second, then every second runs exactly once across them', async () => {
  const job = countingJob({ schedule: '* * * * * *' });
  const [a, b] = schedulersOn(job);
  a.start();
  b.start();
  await new Promise((resolve) => setTimeout(resolve, 3_300));
  await Promise.all([a.stop(), b.stop()]);
  const runs = await mongoose.connection.collection('counting_runs').find().toArray();
  const seconds = runs.map((r) => (r.scheduledFor as Date).getTime());
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(new Set(seconds).size).toBe(seconds.length);
  expect(seconds.every((s) => s % 1000 === 0)).toBe(true);
});

test('when a run is in progress, then neither a later occurrence nor a manual run starts it a second time', async () => {
  const job = countingJob({ delayMs: 400 });
  const [a, b] = schedulersOn(job);
  const first = a.fire(job, new Date(Date.UTC(2026, 0, 1, 6)));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const [later, manual] = await Promise.all([b.fire(job, new Date(Date.UTC(2026, 0, 1, 7))), b.runNow('counting')]);
  expect(later.ran).toBe(false);
  expect(manual).toEqual({ ran: false, reason: 'lease_held' });
  expect((await first).ran).toBe(true);
  expect(job.runs).toHaveLength(1);
  // Once the first run gave the lease back, a manual run goes ahead.
  expect((await b.runNow('counting')).ran).toBe(true);
});

test('when a run fails, then it is recorded as failed, the lease is released and the next occurrence runs again', async () => {
  const job = countingJob({ failFirst: 1 });
  const [a, b] = schedulersOn(job);
  const failed = await a.fire(job, new Date(Date.UTC(2026, 0, 2)));
  expect(failed.ran && failed.run.status).toBe('failed');
  expect(failed.ran && failed.run.error).toBe('the warehouse system is down');
  const retried = await b.fire(job, new Date(Date.UTC(2026, 0, 3)));
  expect(retried.ran && retried.run.status).toBe('succeeded');
  const lease = await leaseModels().JobLease.findById('counting').lean();
  expect(lease).toMatchObject({ holder: null, runId: null });
  const stored = await leaseModels().JobRun.find({ job: 'counting' }).sort({ startedAt: 1 }).lean();
  expect(stored.map((r) => r.status)).toEqual(['failed', 'succeeded']);
});

test('when the holder of a lease died, then the job runs again once the lease has expired', async () => {
  const job = countingJob();
  const [a] = schedulersOn(job);
  // A process that took the lease and died: its lease is still in force for a minute.
  await leaseModels().JobLease.create({
    _id: 'counting',
    holder: 'dead-host:1',
    runId: 'dead',
    leaseUntil: new Date(Date.now() + 60_000),
    lastScheduledFor: new Date(0),
  });
  expect((await a.runNow('counting')).ran).toBe(false);
  await leaseModels().JobLease.updateOne({ _id: 'counting' }, { $set: { leaseUntil: new Date(Date.now() - 1) } });
  expect((await a.runNow('counting')).ran).toBe(true);
});

test('when a schedule override names an unknown job, then the scheduler refuses to start', () => {
  expect(
    () =>
      new Scheduler({
        jobs: [countingJob()],
        logger: silent,
        timezone: 'UTC',
        schedules: { 'no-such-job': '* * * * *' },
      }),
  ).toThrow(/unknown jobs: no-such-job/);
});
