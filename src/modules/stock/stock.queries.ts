/**
 * Reading stock: balances with totals (base unit and kg/tonnes), availability (damaged and expired excluded),
 * expiring stock and ledger history. Filters are built from validated values only (ids become ObjectIds, enums are
 * checked by Joi), never from raw query objects.
 */
import { type PipelineStage, Types } from 'mongoose';
import { type Page, type PageRequest, pageOf } from '../../core/pagination';
import type { Actor } from '../access';
import { acrossOrganisations, organisationOf } from '../access';
import type { ItemCategory, ItemRecord, LocalizedName } from '../catalog';
import { formatRatio, gramsOf, itemIdsInCategory, itemsByIds, subUnitsPerBaseUnit } from '../catalog';
import type { Region } from '../warehouses';
import { type WarehouseRecord, warehouseIdsInRegion, warehousesByIds } from '../warehouses';
import { type LedgerEntryDto, toLedgerEntryDto } from './stock.dto';
import { isExpired, startOfToday } from './stock.ledger';
import {
  type Condition,
  freeOf,
  LedgerEntry,
  type LedgerEntryRecord,
  type LedgerType,
  StockBalance,
  type StockBalanceRecord,
  StockReservation,
} from './stock.model';
import { TRANSIT_LOCATION } from './stock.transit';

export interface StockScope {
  warehouseId?: string;
  itemId?: string;
  category?: ItemCategory;
  region?: Region;
}

export interface BalanceQuery extends StockScope, PageRequest {
  locationCode?: string | null;
  condition?: Condition;
  lot?: string;
  includeZero?: boolean;
}

export interface ItemRef {
  id: string;
  sku: string;
  name: LocalizedName;
  category: ItemCategory;
  baseUnit: string;
}

export interface WarehouseRef {
  id: string;
  code: string;
  name: string;
  region: Region;
}

export interface BalanceDto {
  id: string;
  warehouse: WarehouseRef | null;
  item: ItemRef | null;
  locationCode: string | null;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
  expired: boolean;
  /** Integer sub-units (`unit`). */
  onHand: number;
  /** Held by open reservations. */
  reserved: number;
  /** What can be issued or reserved: on hand − reserved; 0 when damaged or expired. */
  available: number;
  unit: string;
  /** On hand in the item's base unit, as an exact decimal string. */
  quantity: string | null;
  baseUnit: string | null;
  weightKg: string | null;
  version: number;
  updatedAt: Date;
}

export interface ItemTotal {
  item: ItemRef | null;
  onHand: number;
  reserved: number;
  available: number;
  unit: string;
  quantity: string | null;
  baseUnit: string | null;
  weightKg: string | null;
}

export interface StockTotals {
  items: ItemTotal[];
  /** Total weight of the items whose weight is known. */
  weightKg: string;
  weightTonnes: string;
  itemsWithoutWeight: number;
}

const refOfItem = (i: ItemRecord): ItemRef => ({
  id: String(i._id),
  sku: i.sku,
  name: i.name,
  category: i.category,
  baseUnit: i.baseUnit,
});
const refOfWarehouse = (w: WarehouseRecord): WarehouseRef => ({
  id: String(w._id),
  code: w.code,
  name: w.name,
  region: w.region,
});

/**
 * The balance filter of a scope inside the actor's organisation, or null when the scope matches nothing (a region
 * without warehouses). It leads with `organisationId`, as the balances' indexes do.
 */
async function scopeFilter(scope: StockScope, actor: Actor): Promise<Record<string, unknown> | null> {
  const and: Record<string, unknown>[] = [];
  if (scope.warehouseId) and.push({ warehouseId: new Types.ObjectId(scope.warehouseId) });
  // Goods in transit are on a shipment, not in a warehouse: only the shipment shows them.
  else and.push({ locationCode: { $ne: TRANSIT_LOCATION } });
  if (scope.itemId) and.push({ itemId: new Types.ObjectId(scope.itemId) });
  if (scope.region) {
    const ids = await warehouseIdsInRegion(actor, scope.region);
    if (ids.length === 0) return null;
    and.push({ warehouseId: { $in: ids } });
  }
  if (scope.category) {
    const ids = await itemIdsInCategory(scope.category);
    if (ids.length === 0) return null;
    and.push({ itemId: { $in: ids } });
  }
  const organisationId = organisationOf(actor);
  return and.length === 0
    ? { organisationId }
    : and.length === 1
      ? { organisationId, ...and[0] }
      : { organisationId, $and: and };
}

async function lookups(actor: Actor, records: { itemId: Types.ObjectId; warehouseId?: Types.ObjectId }[]) {
  const [items, warehouses] = await Promise.all([
    itemsByIds([...new Set(records.map((r) => String(r.itemId)))]),
    warehousesByIds(actor, [...new Set(records.filter((r) => r.warehouseId).map((r) => String(r.warehouseId)))]),
  ]);
  return {
    items: new Map(items.map((i) => [String(i._id), i])),
    warehouses: new Map(warehouses.map((w) => [String(w._id), w])),
  };
}

function inBaseUnit(
  item: ItemRecord | undefined,
  subUnits: number | bigint,
): { quantity: string | null; baseUnit: string | null; weightKg: string | null } {
  if (!item) return { quantity: null, baseUnit: null, weightKg: null };
  const grams = gramsOf(item, subUnits);
  return {
    quantity: formatRatio(subUnits, subUnitsPerBaseUnit(item.baseUnit)),
    baseUnit: item.baseUnit,
    weightKg: grams === null ? null : formatRatio(grams, 1000),
  };
}

function toBalanceDto(
  b: StockBalanceRecord,
  items: Map<string, ItemRecord>,
  warehouses: Map<string, WarehouseRecord>,
  now = new Date(),
): BalanceDto {
  const item = items.get(String(b.itemId));
  const warehouse = warehouses.get(String(b.warehouseId));
  const usable = b.condition !== 'damaged' && !isExpired(b, now);
  return {
    id: String(b._id),
    warehouse: warehouse ? refOfWarehouse(warehouse) : null,
    item: item ? refOfItem(item) : null,
    locationCode: b.locationCode ?? null,
    lot: b.lot ?? null,
    expiryDate: b.expiryDate ?? null,
    condition: b.condition,
    expired: isExpired(b, now),
    onHand: b.onHand,
    reserved: b.reserved ?? 0,
    available: usable ? freeOf(b) : 0,
    unit: b.unit,
    ...inBaseUnit(item, b.onHand),
    version: b.version,
    updatedAt: b.updatedAt,
  };
}

/** Sums of many balances, as the database returns them: int64 (a Long beyond 2^53) or a number. */
type StoredSum = number | { toString(): string };

/** A sum of balances, exact: `$toLong` makes the database add int64s (exact to 2^63), never doubles. */
const exactSum = (expression: unknown) => ({ $sum: { $toLong: expression } });

function exactInt(value: StoredSum | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  return typeof value === 'number' ? BigInt(value) : BigInt(value.toString());
}

/** Sub-units as a JSON number: exact up to 2^53 (every balance is); a total beyond it is rounded, see `quantity`. */
const asNumber = (value: bigint): number => Number(value);

/** What is usable (neither damaged nor expired), as an aggregation condition. */
function usableCondition(today: Date): Record<string, unknown> {
  return {
    $and: [
      { $ne: ['$condition', 'damaged'] },
      { $or: [{ $eq: [{ $ifNull: ['$expiryDate', null] }, null] }, { $gte: ['$expiryDate', today] }] },
    ],
  };
}

const reservedField = { $ifNull: ['$reserved', 0] };

/** On hand, reserved and available summed per group, exactly. */
function stockSums(today: Date) {
  return {
    onHand: exactSum('$onHand'),
    reserved: exactSum(reservedField),
    available: exactSum({ $cond: [usableCondition(today), { $subtract: ['$onHand', reservedField] }, 0] }),
    unit: { $first: '$unit' },
  };
}

interface StoredSums {
  onHand: StoredSum;
  reserved: StoredSum;
  available: StoredSum;
  unit: string;
}

interface ItemGroup extends StoredSums {
  _id: Types.ObjectId;
}

function itemGroups(filter: Record<string, unknown>): Promise<ItemGroup[]> {
  return StockBalance.aggregate<ItemGroup>([
    { $match: filter },
    { $group: { _id: '$itemId', ...stockSums(startOfToday()) } },
  ]);
}

function totalsOf(groups: ItemGroup[], items: Map<string, ItemRecord>): StockTotals {
  let grams = 0n;
  let withoutWeight = 0;
  const totals = groups
    .map((g): ItemTotal => {
      const item = items.get(String(g._id));
      const onHand = exactInt(g.onHand);
      const itemGrams = item ? gramsOf(item, onHand) : null;
      if (itemGrams === null) withoutWeight += 1;
      else grams += itemGrams;
      return {
        item: item ? refOfItem(item) : null,
        onHand: asNumber(onHand),
        reserved: asNumber(exactInt(g.reserved)),
        available: asNumber(exactInt(g.available)),
        unit: g.unit,
        ...inBaseUnit(item, onHand),
      };
    })
    .sort((a, b) => (a.item?.sku ?? '').localeCompare(b.item?.sku ?? ''));
  return {
    items: totals,
    weightKg: formatRatio(grams, 1000),
    weightTonnes: formatRatio(grams, 1_000_000),
    itemsWithoutWeight: withoutWeight,
  };
}

const EMPTY_TOTALS: StockTotals = { items: [], weightKg: '0', weightTonnes: '0', itemsWithoutWeight: 0 };

/** Stock on hand by warehouse, item, category or region, with totals per item and in kg/tonnes. */
export async function listBalances(
  query: BalanceQuery,
  actor: Actor,
): Promise<Page<BalanceDto> & { totals: StockTotals }> {
  const scope = await scopeFilter(query, actor);
  if (!scope) return { ...pageOf([], 0, query), totals: EMPTY_TOTALS };
  const filter: Record<string, unknown> = { ...scope };
  if (!query.includeZero) filter.onHand = { $gt: 0 };
  if (query.locationCode !== undefined) filter.locationCode = query.locationCode;
  if (query.condition) filter.condition = query.condition;
  if (query.lot) filter.lot = query.lot;
  const [balances, total, groups] = await Promise.all([
    StockBalance.find(filter)
      .sort({ warehouseId: 1, itemId: 1, expiryDate: 1, _id: 1 })
      .skip(query.offset)
      .limit(query.limit)
      .lean<StockBalanceRecord[]>(),
    StockBalance.countDocuments(filter),
    itemGroups(filter),
  ]);
  // The totals' items include the page's (same filter): one read of items serves both.
  const [items, warehouses] = await Promise.all([
    itemsByIds(groups.map((g) => g._id)),
    warehousesByIds(actor, [...new Set(balances.map((b) => String(b.warehouseId)))]),
  ]);
  const itemsById = new Map(items.map((i) => [String(i._id), i]));
  const warehousesById = new Map(warehouses.map((w) => [String(w._id), w]));
  return {
    ...pageOf(
      balances.map((b) => toBalanceDto(b, itemsById, warehousesById)),
      total,
      query,
    ),
    totals: totalsOf(groups, itemsById),
  };
}

export interface AvailabilityDto {
  item: ItemRef | null;
  warehouse: WarehouseRef | null;
  /** Sub-units that can be issued or reserved: not damaged, not expired, not reserved. */
  available: number;
  /** Sub-units on hand, including damaged, expired and reserved stock. */
  onHand: number;
  /** Sub-units held by open reservations. */
  reserved: number;
  unit: string;
  quantity: string | null;
  baseUnit: string | null;
  weightKg: string | null;
}

/** What can be issued, per item and warehouse: on-hand stock neither damaged, expired nor reserved. */
export async function availability(query: StockScope & PageRequest, actor: Actor): Promise<Page<AvailabilityDto>> {
  const scope = await scopeFilter(query, actor);
  if (!scope) return pageOf([], 0, query);
  const pipeline: PipelineStage[] = [
    { $match: { ...scope, onHand: { $gt: 0 } } },
    { $group: { _id: { itemId: '$itemId', warehouseId: '$warehouseId' }, ...stockSums(startOfToday()) } },
    { $sort: { '_id.warehouseId': 1, '_id.itemId': 1 } },
  ];
  const groups = await StockBalance.aggregate<
    StoredSums & { _id: { itemId: Types.ObjectId; warehouseId: Types.ObjectId } }
  >(pipeline);
  const pageGroups = groups.slice(query.offset, query.offset + query.limit);
  const { items, warehouses } = await lookups(
    actor,
    pageGroups.map((g) => g._id),
  );
  const data = pageGroups.map((g): AvailabilityDto => {
    const item = items.get(String(g._id.itemId));
    const warehouse = warehouses.get(String(g._id.warehouseId));
    const available = exactInt(g.available);
    return {
      item: item ? refOfItem(item) : null,
      warehouse: warehouse ? refOfWarehouse(warehouse) : null,
      available: asNumber(available),
      onHand: asNumber(exactInt(g.onHand)),
      reserved: asNumber(exactInt(g.reserved)),
      unit: g.unit,
      ...inBaseUnit(item, available),
    };
  });
  return pageOf(data, groups.length, query);
}

export interface ExpiringQuery extends StockScope, PageRequest {
  days: number;
  includeExpired?: boolean;
}

/** Balances expiring within `days` days (and, if asked, those already expired), earliest first. */
export async function expiring(query: ExpiringQuery, actor: Actor): Promise<Page<BalanceDto & { daysLeft: number }>> {
  const scope = await scopeFilter(query, actor);
  if (!scope) return pageOf([], 0, query);
  const today = startOfToday();
  const until = new Date(today.getTime() + (query.days + 1) * 86_400_000);
  const expiryDate: Record<string, Date> = { $lt: until };
  // `$lt` never matches a null expiry (comparison operators bracket by type).
  if (!query.includeExpired) expiryDate.$gte = today;
  const filter = { ...scope, onHand: { $gt: 0 }, expiryDate };
  const [balances, total] = await Promise.all([
    StockBalance.find(filter)
      .sort({ expiryDate: 1, _id: 1 })
      .skip(query.offset)
      .limit(query.limit)
      .lean<StockBalanceRecord[]>(),
    StockBalance.countDocuments(filter),
  ]);
  const { items, warehouses } = await lookups(actor, balances);
  const data = balances.map((b) => ({
    ...toBalanceDto(b, items, warehouses),
    daysLeft: Math.floor(((b.expiryDate as Date).getTime() - today.getTime()) / 86_400_000),
  }));
  return pageOf(data, total, query);
}

export interface LedgerQuery extends PageRequest {
  warehouseId?: string;
  itemId?: string;
  balanceId?: string;
  operationId?: string;
  type?: LedgerType;
  sourceType?: string;
  sourceId?: string;
  locationCode?: string;
  lot?: string;
  from?: Date;
  to?: Date;
}

/** The ledger list counts matching entries up to this many; beyond, `page.total` is a lower bound. */
export const LEDGER_COUNT_CAP = 10_000;

/** Windows (days back from `to`, or now) tried in turn for the newest entries before reading the whole filter. */
const RECENT_WINDOWS_DAYS = [1, 7, 31];

export interface LedgerPage extends Page<LedgerEntryDto> {
  page: Page<LedgerEntryDto>['page'] & {
    /** True when more than LEDGER_COUNT_CAP entries match: `total` is then the cap, and there are more. */
    totalIsLowerBound: boolean;
  };
}

/**
 * The first `offset + limit` entries of `filter`, newest first. A warehouse's ledger grows without end (200,000
 * entries and more) while pages show the newest: the entries of a recent window are tried first (a range of the
 * `{ warehouseId, at, _id }` index), and when a window holds a full page, the page is in it, because every entry
 * outside it is older. Only a filter with too few recent entries reads all its entries.
 */
async function newestEntries(filter: Record<string, unknown>, query: LedgerQuery): Promise<LedgerEntryRecord[]> {
  const wanted = query.offset + query.limit;
  const anchor = (query.to ?? new Date()).getTime();
  const newest = (f: Record<string, unknown>) =>
    LedgerEntry.find(f).sort({ at: -1, _id: -1 }).limit(wanted).lean<LedgerEntryRecord[]>();
  for (const days of RECENT_WINDOWS_DAYS) {
    const since = new Date(anchor - days * 86_400_000);
    if (query.from && since <= query.from) break; // the window covers the whole requested range
    const entries = await newest({ ...filter, at: { ...(filter.at as object | undefined), $gte: since } });
    if (entries.length === wanted) return entries;
  }
  return newest(filter);
}

/**
 * Counts matching entries, stopping at `cap`. The `count` command with a `limit` (not countDocuments, whose
 * aggregation reads every match on the embedded database before its `$limit` applies) lets the store stop its index
 * scan early. The filter is built from validated, already cast values.
 */
async function countUpTo(filter: Record<string, unknown>, cap: number): Promise<number> {
  const db = LedgerEntry.db.db;
  if (!db) throw new Error('the database is not connected');
  const result = await db.command({ count: LedgerEntry.collection.collectionName, query: filter, limit: cap });
  return Number(result.n);
}

/**
 * Ledger history, newest first. `from` inclusive, `to` exclusive. The count stops at LEDGER_COUNT_CAP
 * (`page.totalIsLowerBound` says so): counting every entry of a busy warehouse on every page would cost more than
 * the page.
 */
export async function ledger(query: LedgerQuery, actor: Actor): Promise<LedgerPage> {
  const filter: Record<string, unknown> = { organisationId: organisationOf(actor) };
  if (query.warehouseId) filter.warehouseId = new Types.ObjectId(query.warehouseId);
  if (query.itemId) filter.itemId = new Types.ObjectId(query.itemId);
  if (query.balanceId) filter.balanceId = new Types.ObjectId(query.balanceId);
  if (query.operationId) filter.operationId = new Types.ObjectId(query.operationId);
  if (query.type) filter.type = query.type;
  if (query.sourceType) filter['source.type'] = query.sourceType;
  if (query.sourceId) filter['source.id'] = query.sourceId;
  if (query.locationCode) filter.locationCode = query.locationCode;
  if (query.lot) filter.lot = query.lot;
  if (query.from || query.to)
    filter.at = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
  const [entries, counted] = await Promise.all([newestEntries(filter, query), countUpTo(filter, LEDGER_COUNT_CAP + 1)]);
  const page = pageOf(entries.slice(query.offset).map(toLedgerEntryDto), Math.min(counted, LEDGER_COUNT_CAP), query);
  return { ...page, page: { ...page.page, totalIsLowerBound: counted > LEDGER_COUNT_CAP } };
}

export interface InvariantViolation {
  balanceId: string;
  onHand: number;
  ledgerSum: number;
  reserved: number;
  reservationSum: number;
}

/**
 * Checks the stock invariants for every balance: the sum of its ledger entries equals on-hand; the sum of its open
 * reservations equals reserved; 0 ≤ reserved ≤ on-hand. Sums are exact (int64). Returns the violations (none when
 * all is well). Used by tests and the benchmark.
 */
export async function findInvariantViolations(): Promise<InvariantViolation[]> {
  const [sums, held, balances] = await acrossOrganisations('the ledger invariant holds for every balance', () =>
    Promise.all([
      LedgerEntry.aggregate<{ _id: Types.ObjectId; sum: StoredSum }>([
        { $group: { _id: '$balanceId', sum: exactSum('$quantity') } },
      ]),
      StockReservation.aggregate<{ _id: Types.ObjectId; sum: StoredSum }>([
        { $match: { status: 'open' } },
        { $group: { _id: '$balanceId', sum: exactSum('$quantity') } },
      ]),
      StockBalance.find({}, { onHand: 1, reserved: 1 }).lean<
        { _id: Types.ObjectId; onHand: number; reserved?: number }[]
      >(),
    ]),
  );
  const bySum = new Map(sums.map((s) => [String(s._id), exactInt(s.sum)]));
  const byHeld = new Map(held.map((s) => [String(s._id), exactInt(s.sum)]));
  const violations: InvariantViolation[] = [];
  for (const b of balances) {
    const id = String(b._id);
    const ledgerSum = bySum.get(id) ?? 0n;
    const reservationSum = byHeld.get(id) ?? 0n;
    const reserved = b.reserved ?? 0;
    const wrong =
      !Number.isSafeInteger(b.onHand) ||
      !Number.isSafeInteger(reserved) ||
      ledgerSum !== BigInt(b.onHand) ||
      reservationSum !== BigInt(reserved) ||
      b.onHand < 0 ||
      reserved < 0 ||
      reserved > b.onHand;
    if (wrong) {
      violations.push({
        balanceId: id,
        onHand: b.onHand,
        ledgerSum: Number(ledgerSum),
        reserved,
        reservationSum: Number(reservationSum),
      });
    }
    bySum.delete(id);
    byHeld.delete(id);
  }
  for (const id of new Set([...bySum.keys(), ...byHeld.keys()])) {
    violations.push({
      balanceId: id,
      onHand: 0,
      ledgerSum: Number(bySum.get(id) ?? 0n),
      reserved: 0,
      reservationSum: Number(byHeld.get(id) ?? 0n),
    });
  }
  return violations;
}
