/**
 * Ends the allocations whose distribution day's hold has passed (`holdUntil`, a week after the day unless the
 * coordinator set it): the day is closed as a coordinator closes it with `release`, so what recipients did not
 * collect goes back to available stock, a partial hand-over keeps what was handed over, and each close is audited.
 * Stock reservations of other documents expire by their own `expiresAt` (reservations-expiry.job.ts).
 */
import { releaseExpiredAllocations } from '../modules/distributions';
import { eachOrganisationActor } from '../modules/organisations';
import type { Job } from './job';

export const allocationsExpiryJob: Job = {
  name: 'allocations-expiry',
  description: 'Close distribution days past their hold and release what was not collected',
  schedule: '20 * * * *',
  async run() {
    const closed: string[] = [];
    for (const actor of await eachOrganisationActor()) closed.push(...(await releaseExpiredAllocations(actor)).closed);
    return { closed: closed.length, days: closed.join(', ') };
  },
};
