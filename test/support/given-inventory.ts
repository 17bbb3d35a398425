/**
 * Factories for inventory tests: items, warehouses, donors and stock on hand, written through the services (so the
 * ledger invariant holds from the first balance) as the system acting for an organisation: the test's home
 * organisation (given.homeOrganisation) unless `organisationId` names another. Items are the shared catalog's.
 *
 *   const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
 *   const theirs = await givenInventory.warehouse({}, { organisationId: other.id });
 */
import { type Actor, organisationActor, SYSTEM_ACTOR } from '../../src/modules/access/permissions';
import { createItem, type ItemDto, type ItemInput } from '../../src/modules/catalog/catalog.service';
import { createDonor, type DonorDto, type DonorInput } from '../../src/modules/donors/donors.service';
import type { Condition } from '../../src/modules/stock/stock.model';
import { receive } from '../../src/modules/stock/stock.service';
import {
  createWarehouse,
  type WarehouseDto,
  type WarehouseInput,
} from '../../src/modules/warehouses/warehouses.service';

import { given } from './given-identity';

let sequence = 0;

/** Whose records a factory writes: the home organisation's by default. */
export interface Owner {
  organisationId?: string;
}

/** The system acting inside an organisation: the home organisation by default. */
export async function actorFor(owner: Owner = {}): Promise<Actor> {
  return organisationActor(owner.organisationId ?? (await given.homeOrganisation()).id);
}
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

async function warehouse(overrides: Partial<WarehouseInput> = {}, owner: Owner = {}): Promise<WarehouseDto> {
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
    await actorFor(owner),
  );
}

async function donor(overrides: Partial<DonorInput> = {}, owner: Owner = {}): Promise<DonorDto> {
  const n = next();
  return createDonor(
    {
      type: 'company',
      name: `Donor company ${n}`,
      country: 'KZ',
      contact: { phone: '+7 701 000 00 00' },
      ...overrides,
    },
    await actorFor(owner),
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
  /** The organisation of the warehouse (when a new one is made) and of the receipt. */
  organisationId?: string;
}

/** A warehouse holding `quantity` of an item (received through the stock service, so the ledger has the entry). */
async function stockOf(options: StockOfOptions = {}): Promise<{ warehouse: WarehouseDto; item: ItemDto }> {
  const theItem = options.item ?? (await item(options.itemOverrides));
  const owner = { organisationId: options.warehouse?.organisationId ?? options.organisationId };
  const theWarehouse = options.warehouse ?? (await warehouse({}, owner));
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
    await actorFor(owner),
  );
  return { warehouse: theWarehouse, item: theItem };
}

/** Days from today (UTC midnight), for expiry dates. */
export function daysFromToday(days: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
}

export const givenInventory = { item, warehouse, donor, stockOf };
