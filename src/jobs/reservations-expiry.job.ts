/**
 * Releases stock reservations whose `expiresAt` has passed, so that stock set aside for a document nobody finished
 * becomes available again (the next reservation of the same warehouse and item also does it, see
 * stock.reservations.ts). Reservations are owned: the job works inside each active organisation in turn, as the
 * system acting for it, and each release is audited by the stock module.
 */

import { eachOrganisationActor } from '../modules/organisations';
import { releaseExpiredReservations } from '../modules/stock';
import type { Job } from './job';

export const reservationsExpiryJob: Job = {
  name: 'reservations-expiry',
  description: 'Release stock reservations past their expiry',
  schedule: '*/10 * * * *',
  async run() {
    let released = 0;
    for (const actor of await eachOrganisationActor()) released += await releaseExpiredReservations(actor);
    return { released };
  },
};
