/**
 * Releases stock reservations whose `expiresAt` has passed, so that stock set aside for a document nobody finished
 * becomes available again (the next reservation of the same warehouse and item also does it, see
 * stock.reservations.ts). Each release is audited by the stock module as the system actor.
 */
import { SYSTEM_ACTOR } from '../modules/access/permissions';
import { releaseExpiredReservations } from '../modules/stock';
import type { Job } from './job';

export const reservationsExpiryJob: Job = {
  name: 'reservations-expiry',
  description: 'Release stock reservations past their expiry',
  schedule: '*/10 * * * *',
  async run() {
    return { released: await releaseExpiredReservations(SYSTEM_ACTOR) };
  },
};
