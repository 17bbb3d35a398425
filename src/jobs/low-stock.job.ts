/**
 * Low stock: every minimum level (set per item and warehouse by warehouse staff) against what is available there
 * (not damaged, not expired). One alert per level below its minimum: critical when nothing is left, else a warning.
 */

import { type Actor, organisationActor } from '../modules/access';
import type { AlertSighting } from '../modules/alerts';
import { minimumLevelsByWarehouse, syncAlerts } from '../modules/alerts';
import { fromSubUnits, itemsByIds } from '../modules/catalog';
import { availability } from '../modules/stock';
import { warehousesByIds } from '../modules/warehouses';
import type { Job } from './job';

const PAGE = 200;

/** Available sub-units per item id in one warehouse. */
async function availableIn(warehouseId: string, actor: Actor): Promise<Map<string, number>> {
  const available = new Map<string, number>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await availability({ warehouseId, limit: PAGE, offset }, actor);
    for (const row of page.data) if (row.item) available.set(row.item.id, row.available);
    if (offset + PAGE >= page.page.total) break;
  }
  return available;
}

export const lowStockJob: Job = {
  name: 'low-stock',
  description: 'Alert when the available stock of an item in a warehouse is below its minimum level',
  schedule: '*/30 * * * *',
  async run() {
    const levels = await minimumLevelsByWarehouse();
    const all = [...levels.values()].flat();
    // Each warehouse is read, and its stock counted, as the system acting inside the levels' organisation.
    const actorOf = (warehouseLevels: readonly { organisationId: unknown }[]) =>
      organisationActor(String(warehouseLevels[0]?.organisationId));
    const [warehouses, items] = await Promise.all([
      Promise.all([...levels].map(([id, warehouseLevels]) => warehousesByIds(actorOf(warehouseLevels), [id]))),
      itemsByIds([...new Set(all.map((level) => String(level.itemId)))]),
    ]);
    const warehouseById = new Map(warehouses.flat().map((w) => [String(w._id), w]));
    const itemById = new Map(items.map((i) => [String(i._id), i]));
    const sightings: AlertSighting[] = [];
    for (const [warehouseId, warehouseLevels] of levels) {
      const warehouse = warehouseById.get(warehouseId);
      if (!warehouse) continue;
      const available = await availableIn(warehouseId, actorOf(warehouseLevels));
      for (const level of warehouseLevels) {
        const item = itemById.get(String(level.itemId));
        const have = available.get(String(level.itemId)) ?? 0;
        if (!item || have >= level.minimum) continue;
        const minimum = `${fromSubUnits(item, level.minimum)} ${item.baseUnit}`;
        const left = `${fromSubUnits(item, have)} ${item.baseUnit}`;
        sightings.push({
          organisationId: level.organisationId,
          kind: 'stock_low',
          severity: have === 0 ? 'critical' : 'warning',
          subject: { type: 'minimum_level', id: String(level._id), label: `${warehouse.code} ${item.sku}` },
          message: `${warehouse.code}: ${item.sku} ${item.name.en ?? item.name.ru ?? ''} at ${left}, below the minimum of ${minimum}`,
          details: { warehouseId, itemId: String(item._id), sku: item.sku, available: left, minimum },
        });
      }
    }
    const result = await syncAlerts('stock_low', sightings);
    return { levels: all.length, below: sightings.length, ...result };
  },
};
