/**
 * The inventory part of the demo seed: the operator organisation's three warehouses (Astana, Almaty, Shymkent) with
 * bins, the donors a humanitarian warehouse in Kazakhstan typically has, a catalog from flour to a yurt kit (shared by
 * the deployment), a few received donations and one draft, one transfer and one kit assembly; and the partner NGO's
 * own storeroom in Talgar, with its own donors and stock, which the operator organisation's users never see.
 *
 * Everything goes through the services, never raw inserts: the stock ledger, the balances and the audit log are
 * consistent from the first entry. Master data is created by the demo admin, goods are received and moved by the
 * demo warehouse user, so the ledger and audit read like real work.
 *
 * Safe to run again: warehouses, items and donors are looked up by code, SKU and name and only missing ones are
 * created; donations, the transfer and the kit assembly are posted only when no donation exists yet in the demo
 * warehouses (they change stock, so running them twice would double it).
 */
import type { Actor } from '../../src/modules/access/permissions';
import { createItem, type ItemInput, listItems } from '../../src/modules/catalog/catalog.service';
import { createDonation, type DonationLineInput, listDonations } from '../../src/modules/donations/donations.service';
import { createDonor, type DonorInput, listDonors } from '../../src/modules/donors/donors.service';
import { assembleKits, transfer } from '../../src/modules/stock/stock.service';
import { createWarehouse, listWarehouses, type WarehouseInput } from '../../src/modules/warehouses/warehouses.service';

const FIRST = { limit: 1, offset: 0 };
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------------------
// Warehouses

const WAREHOUSES: WarehouseInput[] = [
  {
    code: 'AST-01',
    name: 'Astana central humanitarian warehouse',
    region: 'astana',
    city: 'Astana',
    address: 'Astana, Industrial park No. 1, Alash highway 28',
    locations: [
      { code: 'A-01', name: 'Rack A, dry food' },
      { code: 'A-02', name: 'Rack A, dry food (upper)' },
      { code: 'B-01', name: 'Rack B, bedding and clothing' },
      { code: 'K-01', name: 'Kitting area (food baskets)' },
    ],
  },
  {
    code: 'ALA-01',
    name: 'Almaty regional hub',
    region: 'almaty_city',
    city: 'Almaty',
    address: 'Almaty, Ryskulov avenue 103',
    locations: [
      { code: 'A-01', name: 'Rack A, bedding' },
      { code: 'B-01', name: 'Rack B, clothing' },
      { code: 'C-01', name: 'Rack C, hygiene and school supplies' },
      { code: 'MED-01', name: 'Medicine room (15-25 °C)' },
    ],
  },
  {
    code: 'SHY-01',
    name: 'Shymkent southern warehouse',
    region: 'shymkent',
    city: 'Shymkent',
    address: 'Shymkent, Kapal Batyr street 5',
    locations: [
      { code: 'A-01', name: 'Rack A, water and food' },
      { code: 'B-01', name: 'Rack B, heaters' },
      { code: 'MED-01', name: 'Medicine cabinet' },
      { code: 'YARD-01', name: 'Covered yard (yurts, bulky goods)' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Catalog. Kits refer to their components by SKU here and get item ids when created.

type DemoItem = Omit<ItemInput, 'components'> & { components?: { sku: string; quantity: string; unit?: string }[] };

const ITEMS: DemoItem[] = [
  {
    sku: 'FOOD-FLOUR',
    name: { kk: 'Бидай ұны, бірінші сұрып', ru: 'Мука пшеничная, первый сорт', en: 'Wheat flour, first grade' },
    category: 'food',
    baseUnit: 'kg',
    packs: [{ unit: 'bag', quantity: 50, of: 'kg' }],
    volumeM3PerUnit: '0.0015',
  },
  {
    sku: 'FOOD-RICE',
    name: { kk: 'Күріш, ұзын дәнді', ru: 'Рис длиннозёрный', en: 'Rice, long grain' },
    category: 'food',
    baseUnit: 'kg',
    packs: [{ unit: 'bag', quantity: 25, of: 'kg' }],
  },
  {
    sku: 'FOOD-OIL',
    name: { kk: 'Күнбағыс майы', ru: 'Масло подсолнечное', en: 'Sunflower oil' },
    category: 'food',
    baseUnit: 'l',
    packs: [
      { unit: 'bottle', quantity: 1, of: 'l' },
      { unit: 'box', quantity: 12, of: 'bottle' },
    ],
    // Oil is lighter than water: 0.92 kg per litre.
    weightKgPerUnit: '0.92',
  },
  {
    sku: 'FOOD-SUGAR',
    name: { kk: 'Қант', ru: 'Сахар-песок', en: 'Sugar' },
    category: 'food',
    baseUnit: 'kg',
    packs: [{ unit: 'bag', quantity: 50, of: 'kg' }],
  },
  {
    sku: 'FOOD-TEA',
    name: { kk: 'Қара шай, 250 г', ru: 'Чай чёрный, 250 г', en: 'Black tea, 250 g pack' },
    category: 'food',
    baseUnit: 'piece',
    packs: [{ unit: 'box', quantity: 24, of: 'piece' }],
    weightKgPerUnit: '0.25',
  },
  {
    sku: 'FOOD-BEEF-CAN',
    name: { kk: 'Сиыр етінің консервісі, 338 г', ru: 'Говядина тушёная, 338 г', en: 'Canned beef, 338 g' },
    category: 'food',
    baseUnit: 'piece',
    packs: [{ unit: 'box', quantity: 36, of: 'piece' }],
    weightKgPerUnit: '0.375',
    lotTracked: true,
    expiryTracked: true,
  },
  {
    sku: 'WATER-5L',
    name: { kk: 'Ауыз су', ru: 'Питьевая вода', en: 'Drinking water' },
    category: 'water',
    baseUnit: 'l',
    packs: [
      { unit: 'bottle', quantity: 5, of: 'l' },
      { unit: 'pallet', quantity: 96, of: 'bottle' },
    ],
    weightKgPerUnit: '1',
    expiryTracked: true,
  },
  {
    sku: 'KIT-FOOD-BASKET',
    name: { kk: 'Азық-түлік себеті', ru: 'Продуктовая корзина', en: 'Food basket' },
    category: 'food',
    baseUnit: 'kit',
    // 5 + 2 + 0.92 + 1 + 0.25 + 2 × 0.375 kg of contents, plus the box.
    weightKgPerUnit: '10.1',
    volumeM3PerUnit: '0.028',
    components: [
      { sku: 'FOOD-FLOUR', quantity: '5', unit: 'kg' },
      { sku: 'FOOD-RICE', quantity: '2', unit: 'kg' },
      { sku: 'FOOD-OIL', quantity: '1', unit: 'l' },
      { sku: 'FOOD-SUGAR', quantity: '1', unit: 'kg' },
      { sku: 'FOOD-TEA', quantity: '1' },
      { sku: 'FOOD-BEEF-CAN', quantity: '2' },
    ],
  },
  {
    sku: 'BED-BLANKET-WOOL',
    name: { kk: 'Жүн көрпе, 150×200', ru: 'Одеяло шерстяное, 150×200', en: 'Wool blanket, 150×200' },
    category: 'bedding',
    baseUnit: 'piece',
    packs: [{ unit: 'bale', quantity: 10, of: 'piece' }],
    weightKgPerUnit: '1.8',
    volumeM3PerUnit: '0.012',
  },
  {
    sku: 'FURN-MATTRESS',
    name: { kk: 'Төсеніш (матрас), бір кісілік', ru: 'Матрас односпальный', en: 'Mattress, single' },
    category: 'furniture',
    baseUnit: 'piece',
    weightKgPerUnit: '9',
    volumeM3PerUnit: '0.2',
  },
  {
    sku: 'CLOTH-JACKET-WINTER',
    name: { kk: 'Қысқы күртеше', ru: 'Куртка зимняя', en: 'Winter jacket' },
    category: 'clothing',
    baseUnit: 'piece',
    packs: [{ unit: 'box', quantity: 10, of: 'piece' }],
    weightKgPerUnit: '1.2',
  },
  {
    sku: 'KIT-HYGIENE',
    name: { kk: 'Гигиена жиынтығы (отбасылық)', ru: 'Гигиенический набор (семейный)', en: 'Hygiene kit (family)' },
    category: 'hygiene',
    baseUnit: 'kit',
    weightKgPerUnit: '2.5',
  },
  {
    sku: 'HEAT-OIL-RADIATOR',
    name: { kk: 'Майлы жылытқыш, 2 кВт', ru: 'Масляный обогреватель, 2 кВт', en: 'Oil-filled heater, 2 kW' },
    category: 'heating',
    baseUnit: 'piece',
    weightKgPerUnit: '8.5',
  },
  {
    sku: 'EDU-BACKPACK',
    name: {
      kk: 'Мектеп рюкзагы (құралдарымен)',
      ru: 'Школьный рюкзак с принадлежностями',
      en: 'School backpack with supplies',
    },
    category: 'education',
    baseUnit: 'piece',
    weightKgPerUnit: '1.1',
  },
  {
    sku: 'MED-PARACETAMOL-500',
    name: { kk: 'Парацетамол 500 мг, №20', ru: 'Парацетамол 500 мг, №20', en: 'Paracetamol 500 mg, 20 tablets' },
    category: 'medicine',
    baseUnit: 'piece',
    packs: [{ unit: 'box', quantity: 100, of: 'piece' }],
    weightKgPerUnit: '0.02',
    lotTracked: true,
    expiryTracked: true,
  },
  // The yurt: a six-wing (алты қанат) yurt ships as a kit of its parts, about 530 kg in all.
  {
    sku: 'YURT-KEREGE',
    name: {
      kk: 'Кереге (торлы қабырға)',
      ru: 'Кереге (решётчатая стена юрты)',
      en: 'Yurt lattice wall section (kerege)',
    },
    category: 'shelter',
    baseUnit: 'piece',
    weightKgPerUnit: '28',
  },
  {
    sku: 'YURT-UYK',
    name: { kk: 'Уық', ru: 'Уык (купольная жердь)', en: 'Yurt roof pole (uyk)' },
    category: 'shelter',
    baseUnit: 'piece',
    packs: [{ unit: 'bundle', quantity: 12, of: 'piece' }],
    weightKgPerUnit: '2',
  },
  {
    sku: 'YURT-SHANYRAK',
    name: { kk: 'Шаңырақ', ru: 'Шанырак (купольный круг)', en: 'Yurt crown (shanyrak)' },
    category: 'shelter',
    baseUnit: 'piece',
    weightKgPerUnit: '45',
  },
  {
    sku: 'YURT-FELT',
    name: { kk: 'Киіз жабын', ru: 'Войлочное покрытие юрты', en: 'Yurt felt cover' },
    category: 'shelter',
    baseUnit: 'piece',
    weightKgPerUnit: '22',
  },
  {
    sku: 'KIT-YURT-6',
    name: { kk: 'Киіз үй, алты қанат (жиынтық)', ru: 'Юрта шестикрылая (комплект)', en: 'Yurt, six-wing (kit)' },
    category: 'shelter',
    baseUnit: 'kit',
    // 6 × 28 + 72 × 2 + 45 + 8 × 22 kg.
    weightKgPerUnit: '533',
    volumeM3PerUnit: '4.5',
    components: [
      { sku: 'YURT-KEREGE', quantity: '6' },
      { sku: 'YURT-UYK', quantity: '72' },
      { sku: 'YURT-SHANYRAK', quantity: '1' },
      { sku: 'YURT-FELT', quantity: '8' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Donors

const DONORS: DonorInput[] = [
  {
    type: 'company',
    name: 'Atyrau Munai Service LLP, employee volunteer programme',
    country: 'KZ',
    contact: {
      person: 'Askar Zhumabekov',
      phone: '+7 712 258 40 10',
      email: 'volunteers@amservice.example.kz',
      address: 'Atyrau, Satpayev street 17',
    },
  },
  {
    type: 'individual',
    name: 'Gulnara Seitkali',
    country: 'KZ',
    contact: { phone: '+7 707 315 62 48' },
  },
  {
    type: 'foreign_organisation',
    name: 'Nothilfe Zentralasien e.V.',
    country: 'DE',
    contact: { person: 'Katrin Vogel', email: 'office@nothilfe-za.example.de', address: 'Leipzig, Germany' },
  },
  { type: 'individual', name: null, anonymous: true, country: 'KZ' },
  {
    type: 'government',
    name: 'Committee for Emergency Situations, Turkistan Region',
    country: 'KZ',
    contact: { phone: '+7 725 330 11 12', address: 'Turkistan, Tauke Khan avenue 2' },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// The partner NGO's own storeroom, donors and stock

const PARTNER_WAREHOUSES: WarehouseInput[] = [
  {
    code: 'TLG-01',
    name: 'Zhanuya Kamkory family care storeroom',
    region: 'almaty_region',
    city: 'Talgar',
    address: 'Talgar, Lenin street 54',
    locations: [
      { code: 'A-01', name: 'Shelf A, food' },
      { code: 'B-01', name: 'Shelf B, bedding and hygiene' },
    ],
  },
];

const PARTNER_DONORS: DonorInput[] = [
  {
    type: 'government',
    name: 'Talgar District Akimat',
    country: 'KZ',
    contact: { phone: '+7 727 742 21 30', address: 'Talgar, Konaev street 55' },
  },
  {
    type: 'individual',
    name: 'Aruzhan Bekova',
    country: 'KZ',
    contact: { phone: '+7 702 118 90 31', email: 'aruzhan.b@example.kz' },
  },
];

function partnerDonations(): DemoDonation[] {
  return [
    {
      donor: 'Talgar District Akimat',
      warehouse: 'TLG-01',
      daysAgo: 10,
      receive: true,
      notes: 'Winter support for large families of Talgar district',
      lines: [
        { sku: 'FOOD-FLOUR', quantity: 4, unit: 'bag', locationCode: 'A-01' },
        { sku: 'BED-BLANKET-WOOL', quantity: 30, locationCode: 'B-01' },
        { sku: 'KIT-HYGIENE', quantity: 25, locationCode: 'B-01' },
      ],
    },
    {
      donor: 'Aruzhan Bekova',
      warehouse: 'TLG-01',
      daysAgo: 2,
      receive: true,
      notes: 'Collected among neighbours',
      lines: [{ sku: 'EDU-BACKPACK', quantity: 12, locationCode: 'B-01' }],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------

export interface DemoActors {
  /** Creates the operator organisation's master data (warehouses, items, donors). */
  admin: Actor;
  /** Receives donations and moves stock in the operator organisation's warehouses. */
  warehouse: Actor;
  /** The partner NGO's storekeeper: its storeroom, donors and donations. */
  partnerWarehouse: Actor;
}

export interface DemoInventoryResult {
  lines: string[];
}

function isoDaysFromNow(days: number, now: Date): Date {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return new Date(day.getTime() + days * DAY_MS);
}

async function ensureWarehouses(
  actor: Actor,
  list: readonly WarehouseInput[],
  out: string[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const input of list) {
    const existing = (await listWarehouses({ ...FIRST, code: input.code }, actor)).data[0];
    const warehouse = existing ?? (await createWarehouse(input, actor));
    ids.set(input.code, warehouse.id);
    out.push(`  warehouse ${input.code.padEnd(8)} ${input.city.padEnd(9)} ${existing ? 'already there' : 'created'}`);
  }
  return ids;
}

async function ensureItems(actor: Actor, out: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let created = 0;
  for (const { components, ...input } of ITEMS) {
    const existing = (await listItems({ ...FIRST, sku: input.sku })).data[0];
    if (existing) {
      ids.set(input.sku, existing.id);
      continue;
    }
    const resolved = components?.map((c) => {
      const itemId = ids.get(c.sku);
      if (!itemId) throw new Error(`demo kit ${input.sku}: component ${c.sku} must be listed before it`);
      return { itemId, quantity: c.quantity, unit: c.unit };
    });
    const item = await createItem({ ...input, components: resolved }, actor);
    ids.set(input.sku, item.id);
    created += 1;
  }
  out.push(`  items: ${created} created, ${ITEMS.length - created} already there`);
  return ids;
}

function donorKey(donor: Pick<DonorInput, 'name' | 'anonymous'>): string {
  return donor.anonymous ? 'anonymous' : (donor.name ?? '');
}

async function ensureDonors(actor: Actor, list: readonly DonorInput[], out: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let created = 0;
  for (const input of list) {
    const candidates = input.anonymous
      ? await listDonors({ limit: 1, offset: 0, anonymous: true }, actor)
      : await listDonors({ limit: 20, offset: 0, q: input.name ?? '' }, actor);
    const existing = candidates.data.find((d) => (input.anonymous ? d.anonymous : d.name === input.name));
    const donor = existing ?? (await createDonor(input, actor));
    if (!existing) created += 1;
    ids.set(donorKey(input), donor.id);
  }
  out.push(`  donors: ${created} created, ${list.length - created} already there`);
  return ids;
}

interface DemoDonation {
  donor: string;
  warehouse: string;
  daysAgo: number;
  receive: boolean;
  notes: string;
  lines: (Omit<DonationLineInput, 'itemId' | 'condition'> & {
    sku: string;
    condition?: DonationLineInput['condition'];
  })[];
}

function demoDonations(now: Date): DemoDonation[] {
  const expiry = (days: number) => isoDaysFromNow(days, now);
  const kzt = (amount: string) => ({ amount, currency: 'KZT' as const });
  return [
    {
      donor: 'Atyrau Munai Service LLP, employee volunteer programme',
      warehouse: 'AST-01',
      daysAgo: 12,
      receive: true,
      notes: 'Winter food drive: goods for 40+ food baskets',
      lines: [
        { sku: 'FOOD-FLOUR', quantity: 10, unit: 'bag', locationCode: 'A-01', estimatedValue: kzt('162500') },
        { sku: 'FOOD-RICE', quantity: 6, unit: 'bag', locationCode: 'A-01', estimatedValue: kzt('93000') },
        { sku: 'FOOD-OIL', quantity: 8, unit: 'box', locationCode: 'A-02', estimatedValue: kzt('86400') },
        { sku: 'FOOD-SUGAR', quantity: 2, unit: 'bag', locationCode: 'A-01', estimatedValue: kzt('42000') },
        { sku: 'FOOD-TEA', quantity: 4, unit: 'box', locationCode: 'A-02', estimatedValue: kzt('124800') },
        {
          sku: 'FOOD-BEEF-CAN',
          quantity: 4,
          unit: 'box',
          locationCode: 'A-02',
          lot: 'SB-2411-07',
          expiryDate: expiry(540),
          estimatedValue: kzt('201600'),
        },
      ],
    },
    {
      donor: 'Nothilfe Zentralasien e.V.',
      warehouse: 'ALA-01',
      daysAgo: 9,
      receive: true,
      notes: 'Winterisation aid, shipment via Dostyk',
      lines: [
        {
          sku: 'BED-BLANKET-WOOL',
          quantity: 20,
          unit: 'bale',
          locationCode: 'A-01',
          estimatedValue: { amount: '3600', currency: 'EUR' },
        },
        {
          sku: 'FURN-MATTRESS',
          quantity: 50,
          locationCode: 'A-01',
          estimatedValue: { amount: '2250', currency: 'EUR' },
        },
        {
          sku: 'CLOTH-JACKET-WINTER',
          quantity: 15,
          unit: 'box',
          locationCode: 'B-01',
          estimatedValue: { amount: '4500', currency: 'EUR' },
        },
        {
          sku: 'KIT-HYGIENE',
          quantity: 300,
          locationCode: 'C-01',
          estimatedValue: { amount: '5400', currency: 'EUR' },
        },
        {
          sku: 'MED-PARACETAMOL-500',
          quantity: 5,
          unit: 'box',
          locationCode: 'MED-01',
          lot: 'PCM-23A118',
          expiryDate: expiry(610),
          estimatedValue: { amount: '350', currency: 'EUR' },
        },
      ],
    },
    {
      donor: 'Committee for Emergency Situations, Turkistan Region',
      warehouse: 'SHY-01',
      daysAgo: 6,
      receive: true,
      notes: 'Reserve for families relocated after the spring floods',
      lines: [
        { sku: 'WATER-5L', quantity: 2, unit: 'pallet', locationCode: 'A-01', expiryDate: expiry(300) },
        { sku: 'HEAT-OIL-RADIATOR', quantity: 40, locationCode: 'B-01' },
        { sku: 'KIT-YURT-6', quantity: 2, locationCode: 'YARD-01', estimatedValue: kzt('5600000') },
        {
          sku: 'MED-PARACETAMOL-500',
          quantity: 2,
          unit: 'box',
          locationCode: 'MED-01',
          lot: 'PCM-24K031',
          expiryDate: expiry(25),
        },
      ],
    },
    {
      donor: 'Gulnara Seitkali',
      warehouse: 'ALA-01',
      daysAgo: 3,
      receive: true,
      notes: 'Back-to-school collection from a parents’ chat; jackets gently used',
      lines: [
        { sku: 'EDU-BACKPACK', quantity: 30, locationCode: 'C-01', estimatedValue: kzt('405000') },
        { sku: 'CLOTH-JACKET-WINTER', quantity: 12, condition: 'used', locationCode: 'B-01' },
      ],
    },
    {
      donor: 'anonymous',
      warehouse: 'AST-01',
      daysAgo: 0,
      receive: false,
      notes: 'Left at the gate; to be checked before receiving',
      lines: [
        { sku: 'BED-BLANKET-WOOL', quantity: 20, condition: 'good' },
        { sku: 'FOOD-BEEF-CAN', quantity: 24, lot: 'UNKNOWN-1', expiryDate: expiry(200) },
      ],
    },
  ];
}

interface DemoMasterData {
  warehouses: Map<string, string>;
  items: Map<string, string>;
  donors: Map<string, string>;
}

function idIn(map: Map<string, string>, key: string): string {
  const value = map.get(key);
  if (!value) throw new Error(`demo data refers to unknown ${key}`);
  return value;
}

async function postDonations(
  actor: Actor,
  donations: readonly DemoDonation[],
  { warehouses, items, donors }: DemoMasterData,
  out: string[],
): Promise<void> {
  const now = new Date();
  for (const donation of donations) {
    const created = await createDonation(
      {
        donorId: idIn(donors, donation.donor),
        warehouseId: idIn(warehouses, donation.warehouse),
        receivedAt: new Date(now.getTime() - donation.daysAgo * DAY_MS),
        notes: donation.notes,
        receive: donation.receive,
        lines: donation.lines.map(({ sku, condition, ...line }) => ({
          ...line,
          itemId: idIn(items, sku),
          condition: condition ?? 'new',
        })),
      },
      actor,
    );
    out.push(
      `  donation ${created.number} ${donation.warehouse.padEnd(7)} ${created.lines.length} lines, ${created.status}`,
    );
  }
}

async function postDemoStock(actors: DemoActors, data: DemoMasterData, out: string[]): Promise<void> {
  await postDonations(actors.warehouse, demoDonations(new Date()), data, out);
  const { warehouses, items } = data;

  // 60 blankets go north, where the winter is harder.
  const moved = await transfer(
    {
      fromWarehouseId: idIn(warehouses, 'ALA-01'),
      itemId: idIn(items, 'BED-BLANKET-WOOL'),
      toWarehouseId: idIn(warehouses, 'AST-01'),
      toLocationCode: 'B-01',
      quantity: 6,
      unit: 'bale',
      reference: 'TR-WINTER-01',
      note: 'Winter reserve for Astana',
    },
    actors.warehouse,
  );
  out.push(`  transfer ALA-01 → AST-01: 60 wool blankets (${moved.entries.length} ledger entries)`);

  const kits = await assembleKits(
    {
      warehouseId: idIn(warehouses, 'AST-01'),
      kitItemId: idIn(items, 'KIT-FOOD-BASKET'),
      quantity: 40,
      toLocationCode: 'K-01',
      note: 'Food baskets for families on the city akimat list',
    },
    actors.warehouse,
  );
  out.push(`  kit assembly AST-01: 40 food baskets (${kits.entries.length} ledger entries)`);
}

/** Donations in these warehouses already: the stock was posted by an earlier run and must not be doubled. */
async function donationsIn(warehouses: Map<string, string>, actor: Actor): Promise<number> {
  let total = 0;
  for (const warehouseId of warehouses.values())
    total += (await listDonations({ ...FIRST, warehouseId }, actor)).page.total;
  return total;
}

/** Creates what is missing of the demo inventory; returns lines for the seed script to print. */
export async function seedDemoInventory(actors: DemoActors): Promise<DemoInventoryResult> {
  const out: string[] = [];
  const items = await ensureItems(actors.admin, out);

  out.push('  operator organisation:');
  const warehouses = await ensureWarehouses(actors.admin, WAREHOUSES, out);
  const donors = await ensureDonors(actors.admin, DONORS, out);
  const there = await donationsIn(warehouses, actors.admin);
  if (there > 0) out.push(`  donations and stock: ${there} donation(s) already in the demo warehouses, nothing posted`);
  else await postDemoStock(actors, { warehouses, items, donors }, out);

  out.push('  partner NGO:');
  const partner = actors.partnerWarehouse;
  const partnerWarehouses = await ensureWarehouses(partner, PARTNER_WAREHOUSES, out);
  const partnerDonors = await ensureDonors(partner, PARTNER_DONORS, out);
  const partnerThere = await donationsIn(partnerWarehouses, partner);
  if (partnerThere > 0) out.push(`  donations and stock: ${partnerThere} donation(s) already there, nothing posted`);
  else
    await postDonations(
      partner,
      partnerDonations(),
      { warehouses: partnerWarehouses, items, donors: partnerDonors },
      out,
    );
  return { lines: out };
}
