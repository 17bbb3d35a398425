/**
 * Factories for inventory tests: items, warehouses, donors and stock on hand, written through the services (so the
 * ledger invariant holds from the first balance) with the system actor.
 *
 *   const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
 */
import { SYSTEM_ACTOR } from '../../src/modules/access/permissions';
import { createItem, type ItemDto, type ItemInput } from '../../src/modules/catalog/catalog.service';
import { createDonor, type DonorDto, type DonorInput } from '../../src/modules/donors/donors.service';
import type { Condition } from '../../src/modules/stock/stock.model';
import { receive } from '../../src/modules/stock/stock.service';
import {
  createWarehouse,
  type WarehouseDto,
  type WarehouseInput,
} from '../../src/modules/warehouses/warehouses.service';

let sequence = 0;
const next = () => {
  sequence += 1;
  return sequence;
};

async function item(overrides: Partial<ItemInput> = {}): Promise<ItemDto> {
  const n = next();
  const counted = overrides.baseUnit === undefined || overrides.baseUnit === 'piece';
  return createItem(
    {
      sku: `SKU-${n}`,
      name: { kk: `Көрпе ${n}`, ru: `Одеяло ${n}`, en: `Blanket ${n}` },
      category: 'bedding',
      baseUnit: 'piece',
      packs: counted ? [{ unit: 'box', quantity: 12, of: 'piece' }] : [],
      weightKgPerUnit: counted ? '1.8' : null,
      ...overrides,
    },
    SYSTEM_ACTOR,
  );
}

async function warehouse(overrides: Partial<WarehouseInput> = {}): Promise<WarehouseDto> {
  const n = next();
  return createWarehouse(
    {
      code: `WH-${n}`,
      name: `Warehouse ${n}`,
      region: 'almaty_city',
      city: 'Almaty',
      address: `Raiymbek ave ${n}`,
      locations: [
        { code: 'A-01', name: 'Rack A, shelf 1' },
        { code: 'B-01', name: 'Rack B, shelf 1' },
      ],
      ...overrides,
    },
    SYSTEM_ACTOR,
  );
}

async function donor(overrides: Partial<DonorInput> = {}): Promise<DonorDto> {
  const n = next();
  return createDonor(
    {
      type: 'company',
      name: `Donor company ${n}`,
      country: 'KZ',
      contact: { phone: '+7 701 000 00 00' },
      ...overrides,
    },
    SYSTEM_ACTOR,
  );
}

export interface StockOfOptions {
  quantity?: number | string;
  unit?: string;
  item?: ItemDto;
  itemOverrides?: Partial<ItemInput>;
  warehouse?: WarehouseDto;
  locationCode?: string | null;
  lot?: string | null;
  expiryDate?: Date | null;
  condition?: Condition;
}

/** A warehouse holding `quantity` of an item (received through the stock service, so the ledger has the entry). */
async function stockOf(options: StockOfOptions = {}): Promise<{ warehouse: WarehouseDto; item: ItemDto }> {
  const theItem = options.item ?? (await item(options.itemOverrides));
  const theWarehouse = options.warehouse ?? (await warehouse());
  await receive(
    {
      warehouseId: theWarehouse.id,
      source: { type: 'test', id: null, number: null },
      lines: [
        {
          itemId: theItem.id,
          quantity: options.quantity ?? 10,
          unit: options.unit,
          locationCode: options.locationCode ?? null,
          lot: options.lot ?? null,
          expiryDate: options.expiryDate ?? null,
          condition: options.condition ?? 'new',
        },
      ],
    },
    SYSTEM_ACTOR,
  );
  return { warehouse: theWarehouse, item: theItem };
}

/** Days from today (UTC midnight), for expiry dates. */
export function daysFromToday(days: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
}

export const givenInventory = { item, warehouse, donor, stockOf };
