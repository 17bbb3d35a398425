/**
 * Shipments overdue in transit: dispatched, not yet arrived, past their expected arrival. The shipments module
 * (issue 11) answers which ones; this job turns them into alerts. Until it lands the job is not in the list of
 * jobs (jobs/index.ts): to plug it in, pass the module's finder to `shipmentsOverdueJob(...)` there.
 */
import type { Types } from 'mongoose';
import { syncAlerts } from '../modules/alerts/alerts.service';
import type { Job } from './job';

/** What the shipments module reports for each overdue shipment (no personal data: numbers, places, dates). */
export interface OverdueShipment {
  id: string;
  number: string;
  /** The organisation that dispatched it (the alert's owner). */
  organisationId: string | Types.ObjectId | null;
  destination: string;
  expectedArrival: Date;
  dispatchedAt: Date;
}

export type FindOverdueShipments = (now: Date) => Promise<OverdueShipment[]>;

export function shipmentsOverdueJob(findOverdue: FindOverdueShipments): Job {
  return {
    name: 'shipments-overdue',
    description: 'Alert about shipments still in transit after their expected arrival',
    schedule: '0 * * * *',
    async run() {
      const now = new Date();
      const overdue = await findOverdue(now);
      const result = await syncAlerts(
        'shipment_overdue',
        overdue.map((s) => {
          const daysLate = Math.floor((now.getTime() - s.expectedArrival.getTime()) / 86_400_000);
          return {
            organisationId: s.organisationId,
            kind: 'shipment_overdue' as const,
            severity: daysLate >= 3 ? ('critical' as const) : ('warning' as const),
            subject: { type: 'shipment', id: s.id, label: s.number },
            message: `Shipment ${s.number} to ${s.destination} was expected ${s.expectedArrival.toISOString().slice(0, 10)}`,
            details: { destination: s.destination, expectedArrival: s.expectedArrival, daysLate },
          };
        }),
      );
      return { overdue: overdue.length, ...result };
    },
  };
}
