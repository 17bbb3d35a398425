/**
 * The scheduler: node-cron fires each job at its schedule in every API process, and the job's lease (lease.ts)
 * lets exactly one process run each occurrence. A failed run is logged and recorded; the job runs again at its next
 * occurrence. `npm start` starts it and stops it on shutdown; `npm run job -- <name>` and POST /jobs/:name/run use
 * `runNow`.
 */
import mongoose, { type Connection } from 'mongoose';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Job, JobResult } from './job';
import {
  type JobRunRecord,
  type Lease,
  type LeaseModels,
  leaseModels,
  newHolderId,
  releaseLease,
  renewLease,
  takeLease,
} from './lease';

const DEFAULT_LEASE_MS = 10 * 60_000;

export interface SchedulerOptions {
  jobs: readonly Job[];
  logger: Logger;
  /** IANA time zone of the cron expressions. */
  timezone: string;
  /** Overrides of the jobs' default schedules by name; 'off' disables a job's schedule (it still runs by hand). */
  schedules?: Readonly<Record<string, string>>;
  /** Defaults to Mongoose's default connection. */
  connection?: Connection;
  holder?: string;
}

export type RunOutcome =
  | { ran: true; run: JobRunRecord }
  | { ran: false; reason: 'lease_held' | 'occurrence_taken' | 'stopping' };

export class Scheduler {
  readonly holder: string;
  private readonly models: LeaseModels;
  private readonly jobs = new Map<string, Job>();
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: SchedulerOptions) {
    this.holder = options.holder ?? newHolderId();
    this.models = leaseModels(options.connection ?? mongoose.connection);
    for (const job of options.jobs) this.jobs.set(job.name, job);
    const unknown = Object.keys(options.schedules ?? {}).filter((name) => !this.jobs.has(name));
    if (unknown.length) {
      throw new Error(
        `ASAR_JOB_SCHEDULES names unknown jobs: ${unknown.join(', ')} (known: ${this.names().join(', ')})`,
      );
    }
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  /** The effective schedule of a job: its override, else its default; 'off' when disabled. */
  scheduleOf(job: Job): string {
    return this.options.schedules?.[job.name] ?? job.schedule;
  }

  job(name: string): Job | undefined {
    return this.jobs.get(name);
  }

  start(): void {
    for (const job of this.jobs.values()) {
      const schedule = this.scheduleOf(job);
      if (schedule === 'off') continue;
      const task = cron.schedule(schedule, (context) => this.track(this.fire(job, context.date)), {
        name: `${job.name}@${this.holder}`,
        timezone: this.options.timezone,
        // Missed ticks (the process was busy or asleep) are not made up: the next occurrence runs as usual.
        suppressMissedWarning: true,
      });
      this.tasks.push(task);
    }
    this.options.logger.info(
      { jobs: this.tasks.length, timezone: this.options.timezone, holder: this.holder },
      'Scheduler started',
    );
  }

  /** Stops firing and waits for runs in progress (their leases are released as they finish). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.tasks.map((task) => task.destroy()));
    this.tasks.length = 0;
    await Promise.allSettled([...this.running]);
  }

  /** Runs a job now, outside its schedule, unless a run of it is in progress anywhere. */
  runNow(name: string): Promise<RunOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`Unknown job ${name} (known: ${this.names().join(', ')})`);
    return this.track(this.runOnce(job, new Date(), 'manual'));
  }

  /** One scheduled occurrence (what node-cron's tick calls); public so that tests can fire occurrences themselves. */
  fire(job: Job, scheduledAt: Date): Promise<RunOutcome> {
    // Whole seconds: every process firing for the same occurrence must present the same instant.
    return this.runOnce(job, new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000), 'schedule');
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    promise.finally(() => this.running.delete(promise)).catch(() => {});
    return promise;
  }

  private async runOnce(job: Job, scheduledFor: Date, trigger: 'schedule' | 'manual'): Promise<RunOutcome> {
    if (this.stopping) return { ran: false, reason: 'stopping' };
    const logger = this.options.logger.child({ job: job.name, trigger });
    const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS;
    let lease: Lease | null;
    try {
      lease = await takeLease(this.models, { job: job.name, holder: this.holder, scheduledFor, trigger, leaseMs });
    } catch (error) {
      // The database is unreachable, say: this occurrence is lost, the next one tries again.
      logger.error({ err: error }, 'Could not take the job lease; the job runs at its next occurrence');
      throw error;
    }
    if (!lease) {
      logger.debug('Job not run here: another process holds it or has run this occurrence');
      return { ran: false, reason: trigger === 'manual' ? 'lease_held' : 'occurrence_taken' };
    }
    return { ran: true, run: await this.execute(job, lease, scheduledFor, trigger, leaseMs, logger) };
  }

  private async execute(
    job: Job,
    lease: Lease,
    scheduledFor: Date,
    trigger: 'schedule' | 'manual',
    leaseMs: number,
    logger: Logger,
  ): Promise<JobRunRecord> {
    const { JobRun } = this.models;
    const run: JobRunRecord = {
      _id: lease.runId,
      job: job.name,
      scheduledFor,
      trigger,
      holder: this.holder,
      status: 'running',
      startedAt: new Date(),
      finishedAt: null,
      result: null,
      error: null,
    };
    // The lease is renewed at a third of its length while the run lasts: a long run keeps it, a dead process loses it.
    const heartbeat = setInterval(() => {
      renewLease(this.models, lease, leaseMs).catch((error) => logger.warn({ err: error }, 'Lease renewal failed'));
    }, leaseMs / 3);
    heartbeat.unref();
    try {
      await JobRun.create(run);
      let result: JobResult;
      try {
        result = await job.run({ scheduledFor, trigger, logger });
        Object.assign(run, { status: 'succeeded', result });
        logger.info({ result, ms: Date.now() - run.startedAt.getTime() }, `Job ${job.name} done`);
      } catch (error) {
        Object.assign(run, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
        logger.error({ err: error }, `Job ${job.name} failed; it runs again at its next occurrence`);
      }
      run.finishedAt = new Date();
      await JobRun.updateOne(
        { _id: run._id },
        { $set: { status: run.status, result: run.result, error: run.error, finishedAt: run.finishedAt } },
      );
      return run;
    } finally {
      clearInterval(heartbeat);
      await releaseLease(this.models, lease).catch((error) =>
        logger.warn({ err: error }, 'Could not release the job lease; it expires by itself'),
      );
    }
  }

  /** The latest runs of a job, newest first. */
  async recentRuns(name: string, limit = 10): Promise<JobRunRecord[]> {
    return this.models.JobRun.find({ job: name }).sort({ startedAt: -1, _id: -1 }).limit(limit).lean<JobRunRecord[]>();
  }
}
