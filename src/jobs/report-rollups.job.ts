/**
 * The reports' roll-ups (modules/reports/report-rollups.ts): `report-rollups` folds the issues, reversals and
 * donations recorded since the last fold (older than the safety lag) into them, every five minutes, so a report
 * reads a few hundred roll-ups and a few minutes of records; `report-rollups-rebuild` recomputes them from every
 * record (after the catalog's weights changed, or as a check), weekly and by hand. Both do the same for the
 * households-served records (modules/reports/households-served.ts), folded from the hand-overs.
 */
import {
  foldHouseholdsServed,
  foldReportRollups,
  rebuildHouseholdsServed,
  rebuildReportRollups,
} from '../modules/reports';
import type { Job } from './job';

export const reportRollupsJob: Job = {
  name: 'report-rollups',
  description: "Fold the ledger's issues and received donations since the last fold into the reports' roll-ups",
  schedule: '*/5 * * * *',
  async run({ scheduledFor }) {
    const served = await foldHouseholdsServed({ now: scheduledFor });
    return {
      ...(await foldReportRollups({ now: scheduledFor })),
      servedHandOvers: served.handOvers,
      servedRecords: served.records,
    };
  },
};

export const reportRollupsRebuildJob: Job = {
  name: 'report-rollups-rebuild',
  description: "Recompute the reports' roll-ups from every ledger entry and donation",
  schedule: '40 3 * * 0',
  leaseMs: 30 * 60_000,
  async run({ scheduledFor }) {
    const served = await rebuildHouseholdsServed(scheduledFor);
    return {
      ...(await rebuildReportRollups(scheduledFor)),
      servedHandOvers: served.handOvers,
      servedRecords: served.records,
    };
  },
};
