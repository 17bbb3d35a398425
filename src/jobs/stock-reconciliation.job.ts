/**
 * Nightly reconciliation of the stock invariants (the ledger sums to every balance's on-hand, nothing negative),
 * checked by the stock module itself. Every violation is a critical alert until a later run finds it repaired.
 */
import { syncAlerts } from '../modules/alerts';
import { findInvariantViolations } from '../modules/stock';
import type { Job } from './job';

export const stockReconciliationJob: Job = {
  name: 'stock-reconciliation',
  description: 'Check that the ledger equals every balance and nothing is negative; alert on any violation',
  schedule: '30 2 * * *',
  leaseMs: 30 * 60_000,
  async run() {
    const violations = await findInvariantViolations();
    const result = await syncAlerts(
      'stock_invariant',
      violations.map((v) => ({
        organisationId: null,
        kind: 'stock_invariant' as const,
        severity: 'critical' as const,
        subject: { type: 'balance', id: v.balanceId, label: `balance ${v.balanceId}` },
        message: `Stock balance ${v.balanceId}: on hand ${v.onHand} (ledger sum ${v.ledgerSum}), reserved ${v.reserved} (open reservations ${v.reservationSum})`,
        details: { ...v },
      })),
    );
    return { violations: violations.length, ...result };
  },
};
