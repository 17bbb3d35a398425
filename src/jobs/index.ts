/**
 * Every scheduled job, and the process's scheduler. `npm start` starts `scheduler()` (main.ts); the job command
 * (`npm run job -- <name>`) and POST /api/v1/jobs/:name/run run a job through it by hand, under the same lease.
 */
import { config } from '../config';
import { logger } from '../logger';
import { allocationsExpiryJob } from './allocations-expiry.job';
import { expiryWarningsJob } from './expiry-warnings.job';
import { idempotencyCleanupJob } from './idempotency-cleanup.job';
import { importsResumeJob } from './imports-resume.job';
import type { Job } from './job';
import { lowStockJob } from './low-stock.job';
import { reportRollupsJob, reportRollupsRebuildJob } from './report-rollups.job';
import { reservationsExpiryJob } from './reservations-expiry.job';
import { Scheduler } from './scheduler';
import { findOverdueShipments, shipmentsOverdueJob } from './shipments-overdue.job';
import { stockReconciliationJob } from './stock-reconciliation.job';
import { webhookDeliveriesJob } from './webhook-deliveries.job';

export function allJobs(): Job[] {
  return [
    expiryWarningsJob,
    lowStockJob,
    stockReconciliationJob,
    idempotencyCleanupJob,
    webhookDeliveriesJob,
    importsResumeJob,
    reservationsExpiryJob,
    allocationsExpiryJob,
    shipmentsOverdueJob(findOverdueShipments),
    reportRollupsJob,
    reportRollupsRebuildJob,
  ];
}

let instance: Scheduler | undefined;

/** The scheduler of this process on the default connection (created on first use, started only by main.ts). */
export function scheduler(): Scheduler {
  instance ??= new Scheduler({
    jobs: allJobs(),
    logger: logger.child({ component: 'scheduler' }),
    timezone: config.jobs.timezone,
    schedules: config.jobs.schedules,
  });
  return instance;
}
