/**
 * Sends webhook deliveries that are due: retries after a failure (with backoff), and deliveries queued by a
 * process that stopped before sending them. New alerts are normally sent within seconds by the process that
 * raised them; this job is the safety net.
 */
import { sendDueDeliveries } from '../modules/alerts';
import type { Job } from './job';

export const webhookDeliveriesJob: Job = {
  name: 'webhook-deliveries',
  description: 'Send due webhook deliveries and retries',
  schedule: '* * * * *',
  leaseMs: 5 * 60_000,
  async run() {
    return sendDueDeliveries({ limit: 500 });
  },
};
