/**
 * Leases and run records of scheduled jobs, in MongoDB, so that several API processes on one database run each
 * occurrence of a job once and never run a job twice at once.
 *
 * One lease record per job (`job_leases`, _id = the job's name). A process may run an occurrence only after winning
 * one guarded write on it: the lease must have expired (nobody is running the job, or its holder died), and for a
 * scheduled run the occurrence must be later than the last one taken. Every process whose cron fires for the same
 * occurrence races for that write; exactly one matches. A manual run skips the occurrence guard, not the lease.
 *
 * The holder renews its lease while the run is alive and gives it back when the run ends (success or failure). Each
 * run leaves a record in `job_runs` (status, counts, the error message). Lease expiry compares the clocks of the
 * processes: keep them in sync (NTP), as any multi-host lease needs.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose, { type Connection, Schema } from 'mongoose';
import type { JobResult } from './job';

export interface JobLeaseRecord {
  _id: string;
  holder: string | null;
  runId: string | null;
  leaseUntil: Date;
  /** The latest scheduled occurrence taken by any process (a manual run does not move it). */
  lastScheduledFor: Date;
}

export type JobRunStatus = 'running' | 'succeeded' | 'failed';

export interface JobRunRecord {
  _id: string;
  job: string;
  scheduledFor: Date;
  trigger: 'schedule' | 'manual';
  holder: string;
  status: JobRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  result: JobResult | null;
  error: string | null;
}

const leaseSchema = new Schema<JobLeaseRecord>(
  {
    _id: { type: String, required: true },
    holder: { type: String, default: null },
    runId: { type: String, default: null },
    leaseUntil: { type: Date, required: true },
    lastScheduledFor: { type: Date, required: true },
  },
  { collection: 'job_leases', versionKey: false },
);

const runSchema = new Schema<JobRunRecord>(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    scheduledFor: { type: Date, required: true },
    trigger: { type: String, enum: ['schedule', 'manual'], required: true },
    holder: { type: String, required: true },
    status: { type: String, enum: ['running', 'succeeded', 'failed'], required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    result: { type: Schema.Types.Mixed, default: null },
    error: { type: String, default: null },
  },
  { collection: 'job_runs', versionKey: false },
);
runSchema.index({ job: 1, startedAt: -1 });

// The default connection's models are registered globally (the app and the tests build their indexes from
// mongoose.models); another connection (a second scheduler in a test, a script) gets its own copies.
const JobLease =
  (mongoose.models.JobLease as mongoose.Model<JobLeaseRecord> | undefined) ??
  mongoose.model<JobLeaseRecord>('JobLease', leaseSchema);
const JobRun =
  (mongoose.models.JobRun as mongoose.Model<JobRunRecord> | undefined) ??
  mongoose.model<JobRunRecord>('JobRun', runSchema);

export interface LeaseModels {
  JobLease: mongoose.Model<JobLeaseRecord>;
  JobRun: mongoose.Model<JobRunRecord>;
}

export function leaseModels(connection: Connection = mongoose.connection): LeaseModels {
  if (connection === mongoose.connection) return { JobLease, JobRun };
  return {
    JobLease:
      (connection.models.JobLease as mongoose.Model<JobLeaseRecord>) ?? connection.model('JobLease', leaseSchema),
    JobRun: (connection.models.JobRun as mongoose.Model<JobRunRecord>) ?? connection.model('JobRun', runSchema),
  };
}

/** Names this process in leases and run records: host, pid and a random part (two schedulers in one process differ). */
export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface Lease {
  job: string;
  runId: string;
  holder: string;
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * Tries to take the job's lease for one run. Returns the lease, or null when another process holds it (a run is in
 * progress) or, for a scheduled run, has already taken this occurrence.
 */
export async function takeLease(
  models: LeaseModels,
  input: { job: string; holder: string; scheduledFor: Date; trigger: 'schedule' | 'manual'; leaseMs: number },
  now = new Date(),
): Promise<Lease | null> {
  try {
    // The record exists from the first attempt on; two processes creating it at once collide on _id, harmlessly.
    await models.JobLease.updateOne(
      { _id: input.job },
      { $setOnInsert: { holder: null, runId: null, leaseUntil: new Date(0), lastScheduledFor: new Date(0) } },
      { upsert: true },
    );
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const runId = randomUUID();
  const scheduled = input.trigger === 'schedule';
  const taken = await models.JobLease.findOneAndUpdate(
    {
      _id: input.job,
      leaseUntil: { $lte: now },
      ...(scheduled ? { lastScheduledFor: { $lt: input.scheduledFor } } : {}),
    },
    {
      $set: {
        holder: input.holder,
        runId,
        leaseUntil: new Date(now.getTime() + input.leaseMs),
        ...(scheduled ? { lastScheduledFor: input.scheduledFor } : {}),
      },
    },
    { returnDocument: 'after' },
  ).lean();
  return taken ? { job: input.job, runId, holder: input.holder } : null;
}

/** Extends a lease still held by this run; false when it was lost (expired and taken by another process). */
export async function renewLease(
  models: LeaseModels,
  lease: Lease,
  leaseMs: number,
  now = new Date(),
): Promise<boolean> {
  const renewed = await models.JobLease.updateOne(
    { _id: lease.job, runId: lease.runId },
    { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } },
  );
  return renewed.matchedCount === 1;
}

/** Gives the lease back so that the next occurrence (or a manual run) may start at once. */
export async function releaseLease(models: LeaseModels, lease: Lease, now = new Date()): Promise<void> {
  await models.JobLease.updateOne(
    { _id: lease.job, runId: lease.runId },
    { $set: { holder: null, runId: null, leaseUntil: now } },
  );
}
