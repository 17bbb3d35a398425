/**
 * Releases stock reservations past their expiry (a shipment packed and never dispatched, say), through the stock
 * module, so that the goods become available again. Allocations (issue 12) will add theirs here.
 */
import { SYSTEM_ACTOR } from '../modules/access/permissions';
import { releaseExpiredReservations } from '../modules/stock';
import type { Job } from './job';

export const reservationsExpiryJob: Job = {
  name: 'reservations-expiry',
  description: 'Release stock reservations whose expiry has passed',
  schedule: '*/5 * * * *',
  async run() {
    return { released: await releaseExpiredReservations(SYSTEM_ACTOR) };
  },
};
