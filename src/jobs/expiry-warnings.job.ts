/**
 * Expiry warnings: per warehouse, the stock that expires within 30, 60 and 90 days (and what has expired already).
 * One alert per warehouse; its severity follows the nearest expiry (expired or ≤ 30 days critical, ≤ 60 warning,
 * ≤ 90 info), so an alert escalates as the date comes closer rather than repeating.
 */

import type { Actor } from '../modules/access';
import type { AlertSighting } from '../modules/alerts';
import { organisationOfWarehouse, syncAlerts } from '../modules/alerts';
import { eachOrganisationActor } from '../modules/organisations';
import { expiring } from '../modules/stock';
import { warehousesByIds } from '../modules/warehouses';
import type { Job } from './job';

export const EXPIRY_WINDOWS = [30, 60, 90] as const;
const PAGE = 200;
const LISTED_BALANCES = 20;

interface WarehouseExpiry {
  expired: number;
  within: Record<(typeof EXPIRY_WINDOWS)[number], number>;
  nearest: number;
  balances: { sku: string; lot: string | null; expiryDate: string; daysLeft: number; quantity: string | null }[];
}

export const expiryWarningsJob: Job = {
  name: 'expiry-warnings',
  description: 'Alert each warehouse about stock expiring within 30, 60 and 90 days, or already expired',
  schedule: '0 6 * * *',
  async run() {
    const sightings: AlertSighting[] = [];
    for (const actor of await eachOrganisationActor()) sightings.push(...(await sightingsOf(actor)));
    const result = await syncAlerts('stock_expiring', sightings);
    return { warehouses: sightings.length, ...result };
  },
};

/** One organisation's expiry sightings, one per warehouse with stock expiring within the windows. */
async function sightingsOf(actor: Actor): Promise<AlertSighting[]> {
  const byWarehouse = new Map<string, WarehouseExpiry>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await expiring(
      { days: EXPIRY_WINDOWS.at(-1) as number, includeExpired: true, limit: PAGE, offset },
      actor,
    );
    for (const balance of page.data) {
      if (!balance.warehouse) continue;
      const entry = byWarehouse.get(balance.warehouse.id) ?? {
        expired: 0,
        within: { 30: 0, 60: 0, 90: 0 },
        nearest: Number.POSITIVE_INFINITY,
        balances: [],
      };
      if (balance.daysLeft < 0) entry.expired += 1;
      for (const days of EXPIRY_WINDOWS) if (balance.daysLeft >= 0 && balance.daysLeft <= days) entry.within[days] += 1;
      entry.nearest = Math.min(entry.nearest, balance.daysLeft);
      // Earliest first (the query's order): the list shows what needs attention first.
      if (entry.balances.length < LISTED_BALANCES) {
        entry.balances.push({
          sku: balance.item?.sku ?? '?',
          lot: balance.lot,
          expiryDate: (balance.expiryDate as Date).toISOString().slice(0, 10),
          daysLeft: balance.daysLeft,
          quantity: balance.quantity === null ? null : `${balance.quantity} ${balance.baseUnit}`,
        });
      }
      byWarehouse.set(balance.warehouse.id, entry);
    }
    if (offset + PAGE >= page.page.total) break;
  }

  const warehouses = await warehousesByIds(actor, [...byWarehouse.keys()]);
  return warehouses.map((warehouse): AlertSighting => {
    const e = byWarehouse.get(String(warehouse._id)) as WarehouseExpiry;
    const severity = e.nearest <= 30 ? 'critical' : e.nearest <= 60 ? 'warning' : 'info';
    const parts = [
      e.expired ? `${e.expired} expired` : '',
      `${e.within[30]} within 30 days`,
      `${e.within[60]} within 60`,
      `${e.within[90]} within 90`,
    ].filter(Boolean);
    return {
      organisationId: organisationOfWarehouse(warehouse),
      kind: 'stock_expiring',
      severity,
      subject: { type: 'warehouse', id: String(warehouse._id), label: `${warehouse.code} ${warehouse.name}` },
      message: `${warehouse.code}: stock lines ${parts.join(', ')}`,
      details: { expired: e.expired, within: e.within, nearestDaysLeft: e.nearest, balances: e.balances },
    };
  });
}
