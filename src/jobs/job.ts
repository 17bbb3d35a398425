/**
 * What a scheduled job is: a name, a default cron schedule (overridable with ASAR_JOB_SCHEDULES) and a `run` that
 * does one pass of the work. A job runs as the system actor across every organisation; what it finds goes into
 * alerts (modules/alerts), each owned by the organisation it concerns.
 */
import type { Logger } from 'pino';

export interface JobContext {
  /** The occurrence being run: the scheduled time, or the moment a manual run started. */
  scheduledFor: Date;
  /** 'schedule' when node-cron fired it, 'manual' for `npm run job` and POST /jobs/:name/run. */
  trigger: 'schedule' | 'manual';
  logger: Logger;
}

/** What a run reports: small counts that go into the run's record and the log line (never personal data). */
export type JobResult = Record<string, number | string | boolean>;

export interface Job {
  /** kebab-case; the key of its lease, its runs and its schedule override. */
  name: string;
  description: string;
  /** Default cron expression (node-cron syntax, in ASAR_JOBS_TIMEZONE). */
  schedule: string;
  /**
   * How long a run may hold its lease before another process may assume it died. The scheduler renews the lease
   * while the run is alive, so this only bounds how long a crashed holder blocks the job.
   */
  leaseMs?: number;
  run(context: JobContext): Promise<JobResult>;
}
