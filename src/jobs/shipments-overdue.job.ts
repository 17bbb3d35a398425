/**
 * Shipments overdue in transit: dispatched, not yet arrived, past their planned arrival. `findOverdueShipments`
 * answers which ones, reading each active organisation's own shipments in turn; this job turns them into alerts of
 * the dispatching organisation (one per shipment, refreshed while it stays overdue, resolved once it arrives).
 */
import type { Types } from 'mongoose';
import { owned } from '../modules/access';
import { syncAlerts } from '../modules/alerts';
import { eachOrganisationActor } from '../modules/organisations';
import { Shipment, type ShipmentRecord } from '../modules/shipments';
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

/** Dispatched (in transit, not arrived) shipments whose planned arrival has passed, organisation by organisation. */
export const findOverdueShipments: FindOverdueShipments = async (now) => {
  const overdue: OverdueShipment[] = [];
  for (const actor of await eachOrganisationActor()) {
    const found = await owned(Shipment, actor)
      .find({ status: 'dispatched', plannedArrivalAt: { $ne: null, $lt: now } })
      .lean<ShipmentRecord[]>();
    for (const s of found) {
      overdue.push({
        id: String(s._id),
        number: s.number,
        organisationId: s.organisationId,
        destination: s.destination.name ?? s.destination.code ?? s.destination.country ?? '?',
        expectedArrival: s.plannedArrivalAt as Date,
        dispatchedAt: s.dispatchedAt ?? now,
      });
    }
  }
  return overdue;
};

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
