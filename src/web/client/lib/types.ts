/** The shapes the API answers, as far as the screens read them (see the OpenAPI document at /api/docs). */
export type LocalizedName = Partial<Record<'kk' | 'ru' | 'en', string>>;

export interface User {
  id: string;
  email: string;
  name: string;
  organisationId: string;
  roles: string[];
}

export interface Me {
  kind: 'user' | 'api_key';
  user?: User;
  permissions: string[];
}

export interface ItemRef {
  id: string;
  sku: string;
  name: LocalizedName;
  category: string;
  baseUnit: string;
}

export interface Pack {
  unit: string;
  quantity: string;
  of: string;
}

export interface Item extends ItemRef {
  packs: Pack[];
  lotTracked: boolean;
  expiryTracked: boolean;
  active: boolean;
  barcodes?: string[];
}

export interface WarehouseRef {
  id: string;
  code: string;
  name: string;
  region: string;
}

export interface Warehouse extends WarehouseRef {
  city?: string;
  locations: { code: string; name?: string; active: boolean }[];
  active: boolean;
}

export interface Donor {
  id: string;
  type: string;
  name: string | null;
  anonymous: boolean;
}

export interface Balance {
  id: string;
  warehouse: WarehouseRef | null;
  item: ItemRef | null;
  locationCode: string | null;
  lot: string | null;
  expiryDate: string | null;
  condition: string;
  expired: boolean;
  /** In the item's base unit, as decimal strings. */
  quantity: string;
  baseUnit: string;
  weightKg: string | null;
  /** Integer sub-units of `unit` (grams, millilitres or whole units). */
  onHand: number;
  reserved?: number;
  /** On hand − reserved; 0 when damaged or expired. */
  available?: number;
  unit: string;
  daysLeft?: number;
}

export interface StockTotals {
  weightKg?: string;
  items: { item: ItemRef | null; quantity: string; baseUnit: string; weightKg: string | null }[];
}

export interface LedgerEntry {
  id: string;
  type: string;
  quantity: number;
  unit: string;
  balanceAfter: number;
  at: string;
  actor: { kind: string; id: string; name: string } | null;
  source: { type: string; id: string; number: string | null } | null;
  note: string | null;
}

export interface DonationLine {
  itemId: string;
  quantity: string;
  unit: string;
  condition: string;
  lot: string | null;
  expiryDate: string | null;
  locationCode: string | null;
}

export interface Donation {
  id: string;
  number: string;
  status: 'draft' | 'received' | 'cancelled' | 'reversed';
  donorId: string;
  warehouseId: string;
  receivedAt: string;
  lines: DonationLine[];
  notes: string | null;
}

/** An item's name in the language asked for, else the nearest translation (kk and ru fall back on each other). */
export function nameIn(name: LocalizedName | undefined, lang: 'kk' | 'ru' | 'en'): string {
  if (!name) return '';
  const order = { kk: ['kk', 'ru', 'en'], ru: ['ru', 'kk', 'en'], en: ['en', 'ru', 'kk'] }[
    lang
  ] as (keyof LocalizedName)[];
  for (const candidate of order) {
    const value = name[candidate];
    if (value?.trim()) return value;
  }
  return '';
}

export interface StockCountLine {
  balanceId: string | null;
  itemId: string;
  locationCode: string | null;
  lot: string | null;
  expiryDate: string | null;
  condition: string;
  /** Sub-units of `unit`. */
  unit: string;
  expected: number;
  counted: number | null;
  difference: number | null;
}

export interface StockCount {
  id: string;
  number: string;
  warehouseId: string;
  locationCode: string | null;
  status: 'open' | 'posted' | 'cancelled';
  lines: StockCountLine[];
  createdAt: string;
}
