/**
 * The benchmark fixture, created through the services as the demo operator organisation's system actor: 10
 * warehouses, 200 items (every tenth lot- and expiry-tracked, 50 of them used by the HTTP phases) and 10 donors.
 */
import mongoose from 'mongoose';
import { type Actor, organisationActor } from '../../src/modules/access/permissions';
import { issueSessionOfActiveUser } from '../../src/modules/auth/sessions';
import { createItem, type ItemDto, type ItemInput } from '../../src/modules/catalog/catalog.service';
import type { DonationLineInput } from '../../src/modules/donations/donations.service';
import { createDonation } from '../../src/modules/donations/donations.service';
import { createDonor } from '../../src/modules/donors/donors.service';
import { seedIdentity } from '../../src/modules/users/seed';
import { listUsers } from '../../src/modules/users/users.service';
import { createWarehouse, type WarehouseDto } from '../../src/modules/warehouses/warehouses.service';

export interface Fixture {
  warehouses: WarehouseDto[];
  items: ItemDto[];
  donorIds: string[];
}

export const ITEM_COUNT_HTTP = 50;

function benchItem(i: number): ItemInput {
  const kind = i % 10;
  const base: Pick<ItemInput, 'sku' | 'name'> = {
    sku: `BENCH-${String(i).padStart(4, '0')}`,
    name: { kk: `Гуманитарлық жүк ${i}`, ru: `Гуманитарный груз ${i}`, en: `Aid item ${i}` },
  };
  if (kind === 0)
    return { ...base, category: 'food', baseUnit: 'kg', packs: [{ unit: 'bag', quantity: 25, of: 'kg' }] };
  if (kind === 1) return { ...base, category: 'water', baseUnit: 'l', weightKgPerUnit: '1' };
  if (kind === 2)
    return {
      ...base,
      category: 'medicine',
      baseUnit: 'piece',
      weightKgPerUnit: '0.02',
      lotTracked: true,
      expiryTracked: true,
    };
  return {
    ...base,
    category: 'bedding',
    baseUnit: 'piece',
    weightKgPerUnit: '1.8',
    packs: [{ unit: 'box', quantity: 12, of: 'piece' }],
  };
}

export async function createFixture(benchActor: Actor): Promise<Fixture> {
  const regions = [
    ['astana', 'Astana'],
    ['almaty_city', 'Almaty'],
    ['shymkent', 'Shymkent'],
    ['karaganda', 'Karaganda'],
    ['aktobe', 'Aktobe'],
    ['pavlodar', 'Pavlodar'],
    ['turkistan', 'Turkistan'],
    ['kostanay', 'Kostanay'],
    ['atyrau', 'Atyrau'],
    ['abai', 'Semey'],
  ] as const;
  const warehouses: WarehouseDto[] = [];
  for (const [index, [region, city]] of regions.entries()) {
    warehouses.push(
      await createWarehouse(
        {
          code: `WH-${String(index + 1).padStart(2, '0')}`,
          name: `${city} warehouse`,
          region,
          city,
          locations: [
            { code: 'A-01', name: 'Rack A' },
            { code: 'B-01', name: 'Rack B' },
          ],
        },
        benchActor,
      ),
    );
  }
  const items: ItemDto[] = [];
  for (let i = 0; i < 200; i++) items.push(await createItem(benchItem(i), benchActor));
  const donorIds: string[] = [];
  for (let i = 0; i < 10; i++) {
    donorIds.push(
      (
        await createDonor(
          { type: i % 2 ? 'company' : 'individual', name: `Bench donor ${i}`, country: 'KZ' },
          benchActor,
        )
      ).id,
    );
  }
  return { warehouses, items, donorIds };
}

export const EXPIRY = new Date(Date.UTC(new Date().getUTCFullYear() + 2, 0, 31));

export function donationLine(item: ItemDto, quantity: string, index: number): DonationLineInput {
  const line: DonationLineInput = {
    itemId: item.id,
    quantity,
    condition: 'new',
    estimatedValue: { amount: '1500', currency: 'KZT' },
  };
  if (item.lotTracked) line.lot = `L-${index % 7}`;
  if (item.expiryTracked) line.expiryDate = EXPIRY;
  return line;
}

/** Five distinct items of the first 50, chosen from the donation's index. */
export function fiveItems(items: ItemDto[], index: number): ItemDto[] {
  const start = (index * 7) % ITEM_COUNT_HTTP;
  return Array.from({ length: 5 }, (_, k) => items[(start + k * 11) % ITEM_COUNT_HTTP] as ItemDto);
}

/**
 * On the connected database: the models' indexes, the demo organisations and users, and a session of the demo
 * warehouse clerk; answers the operator organisation's system actor (which creates the fixture) and the clerk's token.
 */
export async function benchIdentity(): Promise<{ actor: Actor; token: string }> {
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  const seeded = await seedIdentity({ password: 'bench-password-not-used' });
  const actor = organisationActor(seeded.organisations.operatorId);
  const users = await listUsers({ limit: 5, offset: 0, role: 'warehouse', q: 'warehouse@asar.demo' }, actor);
  const user = users.data.find((u) => u.email === 'warehouse@asar.demo');
  if (!user) throw new Error('the demo warehouse user was not created');
  return { actor, token: (await issueSessionOfActiveUser(user.id)).token };
}

/** Receives `quantity` of each item into each warehouse (a donation per warehouse), so that transfers have stock. */
export async function stockUp(
  actor: Actor,
  donorId: string,
  warehouses: readonly WarehouseDto[],
  items: readonly ItemDto[],
  quantity: string,
): Promise<void> {
  for (const warehouse of warehouses) {
    await createDonation(
      {
        donorId,
        warehouseId: warehouse.id,
        receive: true,
        lines: items.map((item, k) => donationLine(item, quantity, k)),
      },
      actor,
    );
  }
}
