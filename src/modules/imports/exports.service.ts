/**
 * CSV exports of the catalog, donors, warehouses and bins, stock balances and the ledger, streamed: each export is
 * one database cursor (one consistent read, fetched BATCH documents at a time; the ledger in the order of its
 * organisation-and-time index) written through csv-stringify as it comes, and the cursor is read no faster than
 * the destination (an HTTP response, a file) takes the CSV: memory stays flat however many rows (a million ledger
 * entries included), and a client that goes away stops the export and closes its cursor. (Pages by `_id` would
 * each sort every entry of the organisation again: the organisation's index serves the filter, not that order.)
 * UTF-8 with a BOM, so that Excel opens Cyrillic text correctly; comma separated unless asked for ';'.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Model } from 'mongoose';
import { batchesOf } from '../../core/batches';
import { AppError } from '../../core/errors';
import type { Actor, Permission } from '../access';
import { ownerFilter } from '../access';
import { fromSubUnits, Item, type ItemRecord } from '../catalog';
import { Donor, type DonorRecord } from '../donors';
import { type HouseholdDto, householdsForExport } from '../households';
import { LedgerEntry, type LedgerEntryRecord, StockBalance, type StockBalanceRecord } from '../stock';
import { Warehouse, type WarehouseRecord } from '../warehouses';

/** Documents per round trip of a cursor, and rows per write burst. */
const BATCH = 2000;

export const EXPORTS = ['items', 'donors', 'warehouses', 'bins', 'stock', 'ledger', 'households'] as const;
export type ExportName = (typeof EXPORTS)[number];

/** Besides `exports:read`, an export needs the permission to read its records (a clerk does not list families). */
const READ_PERMISSION: Record<ExportName, Permission> = {
  items: 'catalog:read',
  donors: 'donors:read',
  warehouses: 'warehouses:read',
  bins: 'warehouses:read',
  stock: 'stock:read',
  ledger: 'stock:read',
  households: 'households:read',
};

/** FORBIDDEN unless the actor may read the records of this export: checked before the first byte is sent. */
export function requireExportPermission(name: ExportName, actor: Actor): void {
  const permission = READ_PERMISSION[name];
  if (!actor.permissions.has(permission)) {
    throw new AppError('FORBIDDEN', `Exporting ${name} needs the permission ${permission}`, {
      export: name,
      permission,
    });
  }
}

/** `name|relation|birth date or age band|IIN; ...`, as the households import reads members (IINs masked). */
function membersCell(members: HouseholdDto['members']): string {
  return members
    .map((m) =>
      [m.name ?? '', m.relation ?? '', m.birthDate ? day(m.birthDate) : (m.ageBand ?? ''), m.iin ?? ''].join('|'),
    )
    .join('; ');
}

export interface ExportOptions {
  delimiter?: ',' | ';';
  /** Ledger only: entries at or after / before these instants. */
  from?: Date;
  to?: Date;
  onRows?: (count: number) => void;
}

/** The documents `filter` matches in `sort` order, from one cursor, in arrays of up to BATCH. */
async function* pages<T>(
  model: Model<T>,
  filter: Record<string, unknown>,
  sort: Record<string, 1 | -1>,
): AsyncGenerator<T[]> {
  const cursor = model.find(filter).sort(sort).lean<T>().cursor({ batchSize: BATCH });
  try {
    yield* batchesOf(cursor as AsyncIterable<T>, BATCH);
  } finally {
    await cursor.close();
  }
}

const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : '');

async function lookups(
  actor: Actor,
): Promise<{ items: Map<string, ItemRecord>; warehouses: Map<string, WarehouseRecord> }> {
  const [items, warehouses] = await Promise.all([
    Item.find({}).lean<ItemRecord[]>(),
    Warehouse.find(ownerFilter(actor)).lean<WarehouseRecord[]>(),
  ]);
  return {
    items: new Map(items.map((i) => [String(i._id), i])),
    warehouses: new Map(warehouses.map((w) => [String(w._id), w])),
  };
}

type Row = (string | number | boolean | null)[];

interface Source {
  header: string[];
  rows(): AsyncGenerator<Row[]>;
}

/**
 * The rows of one export. Every owned collection is read within the actor's organisation (the catalog is shared).
 */
async function sourceOf(name: ExportName, actor: Actor, options: ExportOptions): Promise<Source> {
  requireExportPermission(name, actor);
  const own = ownerFilter(actor);
  switch (name) {
    case 'households':
      // The import's columns, with IINs, phones and address lines masked as every list shows them.
      return {
        header: [
          'number',
          'kind',
          'status',
          'head_name',
          'head_birth_date',
          'head_iin',
          'phone',
          'region',
          'settlement',
          'address',
          'vulnerabilities',
          'members',
          'size',
          'legal_basis',
          'purpose',
          'notes',
          'retain_until',
        ],
        async *rows() {
          for await (const page of householdsForExport(actor, BATCH))
            yield page.map((h) => [
              h.number,
              h.kind,
              h.status,
              h.head?.name ?? h.institution?.name ?? '',
              day(h.head?.birthDate),
              h.head?.iin ?? '',
              h.head?.phone ?? h.institution?.phone ?? '',
              h.address.region,
              h.address.settlement,
              h.address.line ?? '',
              h.vulnerabilities.join(', '),
              membersCell(h.members),
              h.size,
              h.legalBasis.basis,
              h.legalBasis.purpose,
              h.notes ?? '',
              day(h.retainUntil),
            ]);
        },
      };
    case 'items':
      return {
        header: [
          'sku',
          'name_kk',
          'name_ru',
          'name_en',
          'category',
          'base_unit',
          'weight_kg',
          'volume_m3',
          'lot_tracked',
          'expiry_tracked',
          'active',
        ],
        async *rows() {
          for await (const page of pages(Item, {}, { _id: 1 }))
            yield page.map((i) => [
              i.sku,
              i.name.kk ?? '',
              i.name.ru ?? '',
              i.name.en ?? '',
              i.category,
              i.baseUnit,
              i.weightGramsPerUnit === null ? '' : i.weightGramsPerUnit / 1000,
              i.volumeCm3PerUnit === null ? '' : i.volumeCm3PerUnit / 1_000_000,
              i.lotTracked,
              i.expiryTracked,
              i.active,
            ]);
        },
      };
    case 'donors':
      return {
        header: ['type', 'name', 'country', 'phone', 'email', 'anonymous'],
        async *rows() {
          for await (const page of pages(Donor, own, { _id: 1 }))
            yield page.map((d: DonorRecord) => [
              d.type,
              d.anonymous ? '' : (d.name ?? ''),
              d.country,
              d.anonymous ? '' : (d.contact?.phone ?? ''),
              d.anonymous ? '' : (d.contact?.email ?? ''),
              d.anonymous,
            ]);
        },
      };
    case 'warehouses':
      return {
        header: ['code', 'name', 'region', 'city', 'address', 'active'],
        async *rows() {
          for await (const page of pages(Warehouse, own, { _id: 1 }))
            yield page.map((w) => [w.code, w.name, w.region, w.city, w.address, w.active]);
        },
      };
    case 'bins':
      return {
        header: ['warehouse', 'code', 'name', 'active'],
        async *rows() {
          for await (const page of pages(Warehouse, own, { _id: 1 }))
            yield page.flatMap((w) => w.locations.map((l) => [w.code, l.code, l.name, l.active]));
        },
      };
    case 'stock': {
      const { items, warehouses } = await lookups(actor);
      return {
        header: ['warehouse', 'bin', 'sku', 'quantity', 'unit', 'lot', 'expiry_date', 'condition'],
        async *rows() {
          for await (const page of pages(StockBalance, { ...own, onHand: { $gt: 0 } }, { _id: 1 }))
            yield page.map((b: StockBalanceRecord) => {
              const item = items.get(String(b.itemId));
              return [
                warehouses.get(String(b.warehouseId))?.code ?? String(b.warehouseId),
                b.locationCode ?? '',
                item?.sku ?? String(b.itemId),
                item ? fromSubUnits(item, b.onHand) : b.onHand,
                item?.baseUnit ?? b.unit,
                b.lot ?? '',
                day(b.expiryDate),
                b.condition,
              ];
            });
        },
      };
    }
    case 'ledger': {
      const { items, warehouses } = await lookups(actor);
      const at: Record<string, Date> = {};
      if (options.from) at.$gte = options.from;
      if (options.to) at.$lt = options.to;
      const filter = Object.keys(at).length ? { ...own, at } : own;
      return {
        header: [
          'at',
          'type',
          'warehouse',
          'bin',
          'sku',
          'lot',
          'expiry_date',
          'condition',
          'quantity',
          'unit',
          'balance_after',
          'source_type',
          'source_number',
          'reason',
          'actor',
          'operation_id',
          'entry_id',
        ],
        async *rows() {
          for await (const page of pages(LedgerEntry, filter, { organisationId: 1, at: 1, _id: 1 }))
            yield page.map((e: LedgerEntryRecord) => {
              const item = items.get(String(e.itemId));
              return [
                e.at.toISOString(),
                e.type,
                warehouses.get(String(e.warehouseId))?.code ?? String(e.warehouseId),
                e.locationCode ?? '',
                item?.sku ?? String(e.itemId),
                e.lot ?? '',
                day(e.expiryDate),
                e.condition,
                item ? fromSubUnits(item, e.quantity) : e.quantity,
                item?.baseUnit ?? e.unit,
                item ? fromSubUnits(item, e.balanceAfter) : e.balanceAfter,
                e.source.type,
                e.source.number ?? '',
                e.reason ?? '',
                e.actor.name,
                String(e.operationId),
                String(e._id),
              ];
            });
        },
      };
    }
  }
}

/**
 * Writes the export to `out` (an HTTP response, a file) and ends it, honouring back-pressure; resolves with the row
 * count. If `out` fails or closes early (a client that went away), the export stops, its cursor closed, and rejects.
 */
export async function exportCsv(
  name: ExportName,
  out: Writable,
  actor: Actor,
  options: ExportOptions = {},
): Promise<number> {
  const source = await sourceOf(name, actor, options);
  const csv = stringify({
    delimiter: options.delimiter ?? ',',
    bom: true,
    header: true,
    columns: source.header,
    // As the import reads them back.
    cast: { boolean: (value) => (value ? 'yes' : 'no') },
  });
  const delivered = pipeline(csv, out);
  // A failure of `out` destroys `csv`, which rejects a pending wait for 'drain' below; `delivered` reports it too.
  delivered.catch(() => {});
  let count = 0;
  try {
    for await (const rows of source.rows()) {
      for (const row of rows) {
        if (!csv.write(row)) await once(csv, 'drain');
      }
      count += rows.length;
      options.onRows?.(count);
    }
    csv.end();
  } catch (error) {
    csv.destroy(error as Error);
    await delivered.catch(() => {});
    throw error;
  }
  await delivered;
  return count;
}
