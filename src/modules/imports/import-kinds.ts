/**
 * What can be imported from CSV, one entry per kind: the columns (a Joi schema per row; headers are matched
 * case-insensitively, spaces as underscores), the checks against the database and across rows that the dry run
 * makes, and how valid rows are written. Writes go through the owning modules' services, so their rules (units,
 * tracking, the stock ledger) hold for imported data as for typed data.
 *
 * Every kind is written in batches (of the import's BATCH_ROWS rows): each batch in one transaction together with
 * the import's progress, so an import resumed after a restart starts after the last committed batch and never
 * writes a row twice. Where the owning module offers it, a batch is one insert (items, donors, warehouses,
 * households) with its audit entries in one more; bins are added one by one inside the batch's transaction, and
 * opening stock is received per warehouse through the stock ledger.
 *
 * Households are one row each, their members in one cell (see `households` below), validated as the API's
 * registration validates them, with their IINs matched through keyed hashes: never compared, stored or reported
 * in clear.
 */
import Joi from 'joi';
import type { ClientSession, Types } from 'mongoose';
import { type Actor, owned, type Permission } from '../access';
import {
  createItems,
  ITEM_CATEGORIES,
  Item,
  type ItemInput,
  type ItemRecord,
  newItemDoc,
  toSubUnits,
} from '../catalog';
import { countryCode, createDonors, DONOR_TYPES } from '../donors';
import {
  checkHouseholdInputs,
  type HouseholdInput,
  type HouseholdRecord,
  iinHash,
  insertHouseholds,
  prepareHouseholds,
  registeredIinHashes,
} from '../households';
import { CONDITIONS, checkTracking, receive } from '../stock';
import { addLocation, createWarehouses, locationCode, REGIONS, Warehouse, type WarehouseRecord } from '../warehouses';
import type { RowError } from './imports.model';

export interface ParsedRow<T> {
  row: number;
  value: T;
  /** What `check` derived from the row for `prepare` and `write` (the registration input of a household). */
  checked?: unknown;
}

export interface WriteContext {
  actor: Actor;
  importId: Types.ObjectId;
  /** The batch's transaction, which also saves the import's progress. */
  session: ClientSession;
}

export interface ImportKind<T = Record<string, unknown>> {
  kind: string;
  description: string;
  schema: Joi.ObjectSchema<T>;
  /** What the importing user must hold besides `imports:write`: the permission to create these records by hand. */
  permission: Permission;
  /**
   * Checks a batch of rows that passed the schema against the database (one query per batch, not per row) and
   * against the rows before them (`seen` lives for one pass over the file). Answers the errors; rows without errors
   * are valid. The dry run asks it, and so does the import for each batch just before writing it.
   */
  check(rows: ParsedRow<T>[], seen: Set<string>, actor: Actor): Promise<RowError[]>;
  /**
   * Work for a batch of valid rows done once, before its transaction, so that a retried transaction does not repeat
   * it (reserving document numbers); answers what `write` takes.
   */
  prepare?(rows: ParsedRow<T>[], actor: Actor): Promise<unknown>;
  /** Writes a batch of valid rows in the batch's transaction. */
  write(rows: ParsedRow<T>[], context: WriteContext, prepared: unknown): Promise<void>;
}

const text = (max: number) => Joi.string().trim().max(max);
const yesNo = () => Joi.boolean().truthy('yes', 'y', '1', 'да', 'иә').falsy('no', 'n', '0', 'нет', 'жоқ', '');
const decimal = () =>
  Joi.string()
    .trim()
    .replace(',', '.')
    .pattern(/^\d+(\.\d+)?$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a decimal number (1.5 or 1,5)' });

const error = (row: number, column: string | null, message: string): RowError => ({ row, column, message });

/** The importing organisation's warehouses by code (another organisation's codes are unknown here). */
async function warehousesByCode(actor: Actor, codes: string[]): Promise<Map<string, WarehouseRecord>> {
  const found = await owned(Warehouse, actor)
    .find({ code: { $in: codes } })
    .lean<WarehouseRecord[]>();
  return new Map(found.map((w) => [w.code, w]));
}

async function itemsBySku(skus: string[]): Promise<Map<string, ItemRecord>> {
  const found = await Item.find({ sku: { $in: skus } }).lean<ItemRecord[]>();
  return new Map(found.map((i) => [i.sku, i]));
}

/** Reports a value repeated within the file (a second row with the same SKU would fail half-way). */
function repeated(seen: Set<string>, key: string, row: number, column: string, what: string): RowError | null {
  if (seen.has(key)) return error(row, column, `${what} appears twice in the file`);
  seen.add(key);
  return null;
}

interface ItemRow {
  sku: string;
  name_kk?: string;
  name_ru?: string;
  name_en?: string;
  category: (typeof ITEM_CATEGORIES)[number];
  base_unit: string;
  weight_kg?: string;
  volume_m3?: string;
  lot_tracked?: boolean;
  expiry_tracked?: boolean;
}

function itemInputOf(value: ItemRow): ItemInput {
  return {
    sku: value.sku,
    name: { kk: value.name_kk || undefined, ru: value.name_ru || undefined, en: value.name_en || undefined },
    category: value.category,
    baseUnit: value.base_unit,
    weightKgPerUnit: value.weight_kg || null,
    volumeM3PerUnit: value.volume_m3 || null,
    lotTracked: value.lot_tracked ?? false,
    expiryTracked: value.expiry_tracked ?? false,
  };
}

/** An item's fields as the catalog's errors name them → the file's columns. */
const ITEM_COLUMNS: Record<string, string> = {
  baseUnit: 'base_unit',
  weightKgPerUnit: 'weight_kg',
  volumeM3PerUnit: 'volume_m3',
};

/** A service's VALIDATION error as a row error, on the column its first detail names. */
function errorOf(row: number, failure: unknown, columns: Record<string, string>, fallback: string): RowError {
  const detail = (failure as { details?: { field?: string; message?: string }[] }).details?.[0];
  const field = detail?.field?.split(/[.[]/)[0];
  return error(row, (field && columns[field]) ?? fallback, detail?.message ?? (failure as Error).message);
}

const items: ImportKind<ItemRow> = {
  kind: 'items',
  permission: 'catalog:write',
  description:
    'Catalog items: sku, name_kk, name_ru, name_en, category, base_unit, weight_kg, volume_m3, lot_tracked, expiry_tracked',
  schema: Joi.object<ItemRow>({
    sku: text(64).min(1).required(),
    name_kk: text(200).allow(''),
    name_ru: text(200).allow(''),
    name_en: text(200).allow(''),
    category: Joi.string()
      .trim()
      .lowercase()
      .valid(...ITEM_CATEGORIES)
      .required(),
    base_unit: text(16).lowercase().required(),
    weight_kg: decimal().allow(''),
    volume_m3: decimal().allow(''),
    lot_tracked: yesNo(),
    expiry_tracked: yesNo(),
  }).or('name_kk', 'name_ru', 'name_en'),
  async check(rows, seen) {
    const existing = await itemsBySku(rows.map((r) => r.value.sku));
    return rows.flatMap((r) => {
      const { row, value } = r;
      const dup = repeated(seen, value.sku, row, 'sku', `SKU ${value.sku}`);
      if (dup) return [dup];
      if (existing.has(value.sku)) return [error(row, 'sku', `SKU ${value.sku} already exists`)];
      const input = itemInputOf(value);
      try {
        newItemDoc(input); // units, weight and volume converted as a typed item's are
      } catch (failure) {
        return [errorOf(row, failure, ITEM_COLUMNS, 'base_unit')];
      }
      r.checked = input;
      return [];
    });
  },
  async write(rows, { actor, session }) {
    await createItems(
      rows.map((r) => (r.checked as ItemInput | undefined) ?? itemInputOf(r.value)),
      actor,
      session,
    );
  },
};

interface DonorRow {
  type: (typeof DONOR_TYPES)[number];
  name?: string;
  country: string;
  phone?: string;
  email?: string;
  anonymous?: boolean;
}

const donors: ImportKind<DonorRow> = {
  kind: 'donors',
  permission: 'donors:write',
  description: 'Donors: type, name, country, phone, email, anonymous',
  schema: Joi.object<DonorRow>({
    type: Joi.string()
      .trim()
      .lowercase()
      .valid(...DONOR_TYPES)
      .required(),
    name: text(200).allow(''),
    country: countryCode().default('KZ'),
    phone: text(30)
      .pattern(/^\+?[0-9 ()-]{5,30}$/)
      .allow(''),
    email: text(200)
      .email({ tlds: { allow: false } })
      .allow(''),
    anonymous: yesNo(),
  }),
  async check(rows) {
    return rows.flatMap(({ row, value }) =>
      !value.anonymous && !value.name ? [error(row, 'name', '"name" is required unless the donor is anonymous')] : [],
    );
  },
  async write(rows, { actor, session }) {
    await createDonors(
      rows.map(({ value }) => ({
        type: value.type,
        name: value.name || null,
        country: value.country,
        contact: { phone: value.phone || undefined, email: value.email || undefined },
        anonymous: value.anonymous ?? false,
      })),
      actor,
      session,
    );
  },
};

interface WarehouseRow {
  code: string;
  name: string;
  region: (typeof REGIONS)[number];
  city: string;
  address?: string;
}

const warehouses: ImportKind<WarehouseRow> = {
  kind: 'warehouses',
  permission: 'warehouses:write',
  description: 'Warehouses: code, name, region, city, address',
  schema: Joi.object<WarehouseRow>({
    code: text(32).min(1).required(),
    name: text(200).min(1).required(),
    region: Joi.string()
      .trim()
      .lowercase()
      .valid(...REGIONS)
      .required(),
    city: text(100).min(1).required(),
    address: text(300).allow(''),
  }),
  async check(rows, seen, actor) {
    const existing = await warehousesByCode(
      actor,
      rows.map((r) => r.value.code),
    );
    return rows.flatMap(({ row, value }) => {
      const dup = repeated(seen, value.code, row, 'code', `Warehouse ${value.code}`);
      if (dup) return [dup];
      return existing.has(value.code) ? [error(row, 'code', `Warehouse ${value.code} already exists`)] : [];
    });
  },
  async write(rows, { actor, session }) {
    await createWarehouses(
      rows.map(({ value }) => ({ ...value, address: value.address ?? '' })),
      actor,
      session,
    );
  },
};

interface BinRow {
  warehouse: string;
  code: string;
  name?: string;
}

const bins: ImportKind<BinRow> = {
  kind: 'bins',
  permission: 'warehouses:write',
  description: 'Storage locations (bins) of existing warehouses: warehouse (its code), code, name',
  schema: Joi.object<BinRow>({
    warehouse: text(32).min(1).required(),
    code: locationCode().required(),
    name: text(200).allow(''),
  }),
  async check(rows, seen, actor) {
    const found = await warehousesByCode(actor, [...new Set(rows.map((r) => r.value.warehouse))]);
    return rows.flatMap(({ row, value }) => {
      const warehouse = found.get(value.warehouse);
      if (!warehouse) return [error(row, 'warehouse', `No warehouse with code ${value.warehouse}`)];
      const dup = repeated(seen, `${value.warehouse}/${value.code}`, row, 'code', `Bin ${value.code}`);
      if (dup) return [dup];
      return warehouse.locations.some((l) => l.code === value.code)
        ? [error(row, 'code', `Bin ${value.code} already exists in ${value.warehouse}`)]
        : [];
    });
  },
  async write(rows, { actor }) {
    // One guarded change per bin, each joining the batch's transaction (withTransaction joins it).
    const found = await warehousesByCode(actor, [...new Set(rows.map((r) => r.value.warehouse))]);
    for (const { value } of rows) {
      const warehouse = found.get(value.warehouse) as WarehouseRecord;
      await addLocation(String(warehouse._id), { code: value.code, name: value.name ?? '' }, actor);
    }
  },
};

interface OpeningStockRow {
  warehouse: string;
  bin?: string;
  sku: string;
  quantity: string;
  unit?: string;
  lot?: string;
  expiry_date?: Date;
  condition: (typeof CONDITIONS)[number];
}

/** Opening stock reads items and warehouses once per batch; a batch is written in one transaction. */
const openingStock: ImportKind<OpeningStockRow> = {
  kind: 'opening_stock',
  permission: 'stock:write',
  description: 'Opening stock: warehouse (code), bin, sku, quantity, unit, lot, expiry_date (YYYY-MM-DD), condition',
  schema: Joi.object<OpeningStockRow>({
    warehouse: text(32).min(1).required(),
    bin: text(32).allow(''),
    sku: text(64).min(1).required(),
    quantity: decimal().required(),
    unit: text(16).lowercase().allow(''),
    lot: text(64).allow(''),
    expiry_date: Joi.date().iso().allow(''),
    condition: Joi.string()
      .trim()
      .lowercase()
      .valid(...CONDITIONS)
      .default('new'),
  }),
  async check(rows, _seen, actor) {
    const [found, known] = await Promise.all([
      warehousesByCode(actor, [...new Set(rows.map((r) => r.value.warehouse))]),
      itemsBySku([...new Set(rows.map((r) => r.value.sku))]),
    ]);
    return rows.flatMap(({ row, value }) => {
      const warehouse = found.get(value.warehouse);
      if (!warehouse) return [error(row, 'warehouse', `No warehouse with code ${value.warehouse}`)];
      if (value.bin && !warehouse.locations.some((l) => l.code === value.bin))
        return [error(row, 'bin', `No bin ${value.bin} in warehouse ${value.warehouse}`)];
      const item = known.get(value.sku);
      if (!item) return [error(row, 'sku', `No item with SKU ${value.sku}`)];
      try {
        toSubUnits(item, value.quantity, value.unit || undefined, 'quantity');
        checkTracking(item, { lot: value.lot || null, expiryDate: value.expiry_date || null }, '');
      } catch (failure) {
        const detail = (failure as { details?: { field?: string; message?: string }[] }).details?.[0];
        const column = detail?.field === 'expiryDate' ? 'expiry_date' : (detail?.field ?? 'quantity');
        return [error(row, column, detail?.message ?? (failure as Error).message)];
      }
      return [];
    });
  },
  async write(rows, { actor, importId, session }) {
    const [found, known] = await Promise.all([
      warehousesByCode(actor, [...new Set(rows.map((r) => r.value.warehouse))]),
      itemsBySku([...new Set(rows.map((r) => r.value.sku))]),
    ]);
    const byWarehouse = new Map<string, ParsedRow<OpeningStockRow>[]>();
    for (const r of rows) byWarehouse.set(r.value.warehouse, [...(byWarehouse.get(r.value.warehouse) ?? []), r]);
    for (const [code, group] of byWarehouse) {
      const warehouse = found.get(code) as WarehouseRecord;
      await receive(
        {
          warehouseId: String(warehouse._id),
          source: { type: 'opening_stock', id: String(importId), number: `rows ${group[0].row}-${group.at(-1)?.row}` },
          lines: group.map(({ value }) => ({
            itemId: String((known.get(value.sku) as ItemRecord)._id),
            quantity: value.quantity,
            unit: value.unit || undefined,
            locationCode: value.bin || null,
            lot: value.lot || null,
            expiryDate: value.expiry_date || null,
            condition: value.condition,
          })),
        },
        actor,
        session,
      );
    }
  },
};

interface HouseholdRow {
  head_name: string;
  head_birth_date?: string;
  head_iin: string;
  phone?: string;
  region: string;
  settlement: string;
  address?: string;
  vulnerabilities?: string;
  members?: string;
  legal_basis: string;
  purpose: string;
  notes?: string;
}

/** `12.04.1985` (as Excel in Kazakhstan writes a date) or `1985-04-12`, as an ISO date; anything else as it is. */
function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value.trim());
  if (dotted) return `${dotted[3]}-${dotted[2].padStart(2, '0')}-${dotted[1].padStart(2, '0')}`;
  return value.trim();
}

const blankToNull = (value: string | undefined) => (value?.trim() ? value.trim() : null);

const AGE_BAND = /^(0-1|1-4|5-17|18-59|60\+)$/;

/**
 * `name|relation|birth date or age band|IIN` per member, members separated by `;` (any part may be empty; a member
 * needs a birth date or an age band such as `5-17`, as on the API).
 */
function membersOf(cell: string | undefined): Record<string, unknown>[] {
  if (!cell?.trim()) return [];
  return cell
    .split(';')
    .filter((part) => part.trim())
    .map((part) => {
      const [name, relation, born, iin] = part.split('|').map((p) => p.trim());
      const band = born && AGE_BAND.test(born) ? born : null;
      return {
        name: blankToNull(name),
        relation: blankToNull(relation)?.toLowerCase() ?? null,
        birthDate: band ? null : isoDate(blankToNull(born) ?? undefined),
        ageBand: band,
        iin: blankToNull(iin),
      };
    });
}

function householdInputOf(value: HouseholdRow): Record<string, unknown> {
  return {
    kind: 'household',
    head: {
      name: value.head_name,
      birthDate: isoDate(value.head_birth_date),
      iin: value.head_iin,
      phone: blankToNull(value.phone),
    },
    members: membersOf(value.members),
    address: { region: value.region.toLowerCase(), settlement: value.settlement, line: blankToNull(value.address) },
    vulnerabilities: (value.vulnerabilities ?? '')
      .split(/[\s,;|]+/)
      .filter(Boolean)
      .map((v) => v.toLowerCase()),
    notes: blankToNull(value.notes),
    legalBasis: { basis: value.legal_basis.toLowerCase(), purpose: value.purpose },
  };
}

/** The column a registration field comes from. */
function householdColumn(field: string): string {
  if (field.startsWith('members')) return 'members';
  if (field.startsWith('vulnerabilities')) return 'vulnerabilities';
  const columns: Record<string, string> = {
    'head.name': 'head_name',
    'head.birthDate': 'head_birth_date',
    'head.iin': 'head_iin',
    'head.phone': 'phone',
    'address.region': 'region',
    'address.settlement': 'settlement',
    'address.line': 'address',
    'legalBasis.basis': 'legal_basis',
    'legalBasis.purpose': 'purpose',
  };
  return columns[field] ?? field;
}

/** Every IIN a row names (the head's and the members'), for the duplicate checks. */
function iinsOf(input: HouseholdInput): string[] {
  return [input.head?.iin, ...(input.members ?? []).map((m) => m.iin)].filter((v): v is string => Boolean(v));
}

/**
 * Households with their members. Each row is validated as the API's registration is; then its IINs (by keyed hash)
 * must not repeat an earlier row's, nor be a household's the organisation already registered: the file cannot
 * register a family twice. Written in batches, each in one transaction with the import's progress, through the
 * registry's own registration (sealed IINs, phones and addresses, keyed hashes, an audit entry per household).
 */
const households: ImportKind<HouseholdRow> = {
  kind: 'households',
  description:
    'Households: head_name, head_birth_date, head_iin, phone, region, settlement, address, vulnerabilities, members (name|relation|birth date or age band|IIN; ...), legal_basis, purpose, notes',
  permission: 'households:write',
  schema: Joi.object<HouseholdRow>({
    head_name: text(200).min(1).required(),
    head_birth_date: text(20).allow(''),
    head_iin: text(20).min(1).required(),
    phone: text(30).allow(''),
    region: text(40).min(1).required(),
    settlement: text(120).min(1).required(),
    address: text(300).allow(''),
    vulnerabilities: text(400).allow(''),
    members: text(4000).allow(''),
    legal_basis: text(40).min(1).required(),
    purpose: text(500).min(1).required(),
    notes: text(2000).allow(''),
  }),
  async check(rows, seen, actor) {
    const checked = await checkHouseholdInputs(
      rows.map((r) => householdInputOf(r.value)),
      actor,
    );
    const hashesOf = checked.map((c) => (c.value ? iinsOf(c.value).map(iinHash) : []));
    const registered = await registeredIinHashes(hashesOf.flat(), actor);
    return rows.flatMap((r, i) => {
      const { row } = r;
      const { value, errors } = checked[i] as (typeof checked)[number];
      if (errors.length) return errors.map((e) => error(row, householdColumn(e.field), e.message));
      const hashes = hashesOf[i] as string[];
      const known = hashes.map((h) => registered.get(h)).find(Boolean);
      if (known)
        return [error(row, 'head_iin', `A person of this household is already registered (household ${known})`)];
      if (hashes.some((h) => seen.has(h)))
        return [error(row, 'head_iin', 'A person of this household is in an earlier row too')];
      for (const h of hashes) seen.add(h);
      r.checked = value;
      return [];
    });
  },
  async prepare(rows, actor) {
    // Sealed, hashed and numbered (one range for the batch) before the transaction; checked by `check` just before.
    const inputs = rows.map((r) => r.checked as HouseholdInput | undefined);
    if (inputs.some((input) => !input)) throw new Error('household rows must be checked before they are written');
    const errorsOf = inputs.map((): { field: string }[] => []);
    const records = await prepareHouseholds(inputs as HouseholdInput[], actor, errorsOf as never);
    const bad = errorsOf.findIndex((e) => e.length);
    if (bad >= 0) throw new Error(`household row ${rows[bad]?.row} is no longer valid: ${errorsOf[bad]?.[0]?.field}`);
    return records;
  },
  async write(_rows, { actor, session }, prepared) {
    await insertHouseholds(prepared as HouseholdRecord[], actor, session);
  },
};

export const IMPORT_KINDS: Record<string, ImportKind> = Object.fromEntries(
  [items, donors, warehouses, bins, openingStock, households].map((k) => [k.kind, k as unknown as ImportKind]),
);
