/**
 * Reports per organisation: stock by region, warehouse or category (kg, tonnes, m³), and inflows by donor, donor
 * type or month. Each is one aggregation over an indexed collection (balances: one per warehouse, item, lot, ...;
 * donations: their lines), grouped in the database by warehouse and item, then rolled up here with the few items
 * and warehouses it names: weights and volumes come from the catalog, exactly (integer grams and cm³).
 *
 * Scope: a coordinator sees its organisation; operator staff see every organisation, or the ones they ask for.
 * Hubs (issue 8) aggregate their member organisations through the same `organisationIds` filter.
 *
 * Still to add when their modules land (same shape: an aggregation + a ReportTable): outflows by programme, region
 * and round, households served by region, round and vulnerability (issue 12), tonnage shipped per destination
 * country (issue 11).
 */
import { type PipelineStage, Types } from 'mongoose';
import { isOrganisationScoped } from '../access/organisation-scope';
import type { Actor } from '../access/permissions';
import { Item, type ItemRecord } from '../catalog/catalog.model';
import { formatRatio, gramsOf, subUnitsPerBaseUnit, unitFamily } from '../catalog/units';
import { Donation } from '../donations/donations.model';
import { Donor, type DonorRecord } from '../donors/donors.model';
import { StockBalance } from '../stock/stock.model';
import { Warehouse, type WarehouseRecord } from '../warehouses/warehouses.model';
import type { ReportColumn, ReportTable, Text } from './report-table';

export interface ReportScope {
  /** Operator staff may narrow to organisations (a hub's members); a coordinator is always its own. */
  organisationIds?: string[];
}

function organisationFilter(actor: Actor, scope: ReportScope): Types.ObjectId[] | null {
  if (isOrganisationScoped(actor)) return actor.organisationId ? [new Types.ObjectId(actor.organisationId)] : [];
  return scope.organisationIds?.length ? scope.organisationIds.map((id) => new Types.ObjectId(id)) : null;
}

const t = (en: string, ru: string, kk: string): Text => ({ en, ru, kk });

const WEIGHT_COLUMNS: ReportColumn[] = [
  { key: 'kg', header: t('kg', 'кг', 'кг'), numeric: true },
  { key: 'tonnes', header: t('tonnes', 'тонн', 'тонна'), numeric: true },
  { key: 'm3', header: t('m³', 'м³', 'м³'), numeric: true },
  { key: 'withoutWeight', header: t('lines without weight', 'строк без веса', 'салмағы жоқ жолдар'), numeric: true },
];

interface Totals {
  grams: bigint;
  cm3: bigint;
  withoutWeight: number;
  withoutVolume: number;
  count: number;
}

const emptyTotals = (): Totals => ({ grams: 0n, cm3: 0n, withoutWeight: 0, withoutVolume: 0, count: 0 });

function add(totals: Totals, item: ItemRecord | undefined, subUnits: number, count = 1): void {
  totals.count += count;
  const grams = item ? gramsOf(item, subUnits) : null;
  if (grams === null) totals.withoutWeight += 1;
  else totals.grams += BigInt(grams);
  if (!item || item.volumeCm3PerUnit === null) totals.withoutVolume += 1;
  else {
    const perBase = BigInt(subUnitsPerBaseUnit(item.baseUnit));
    totals.cm3 += (BigInt(subUnits) * BigInt(item.volumeCm3PerUnit) + perBase / 2n) / perBase;
  }
}

function weightCells(totals: Totals): Record<string, string | number> {
  return {
    kg: formatRatio(totals.grams, 1000),
    tonnes: formatRatio((totals.grams + 500n) / 1000n, 1000),
    m3: formatRatio(totals.cm3, 1_000_000),
    withoutWeight: totals.withoutWeight,
  };
}

async function itemsById(ids: Types.ObjectId[]): Promise<Map<string, ItemRecord>> {
  const items = await Item.find({ _id: { $in: ids } }).lean<ItemRecord[]>();
  return new Map(items.map((i) => [String(i._id), i]));
}

export type StockGrouping = 'region' | 'warehouse' | 'category';

export async function stockReport(query: ReportScope & { groupBy: StockGrouping }, actor: Actor): Promise<ReportTable> {
  const organisations = organisationFilter(actor, query);
  const warehouses = await Warehouse.find(organisations ? { organisationId: { $in: organisations } } : {}).lean<
    WarehouseRecord[]
  >();
  const warehouseById = new Map(warehouses.map((w) => [String(w._id), w]));
  const match: Record<string, unknown> = { onHand: { $gt: 0 } };
  if (organisations) match.warehouseId = { $in: warehouses.map((w) => w._id) };
  const pipeline: PipelineStage[] = [
    { $match: match },
    {
      $group: {
        _id: { warehouseId: '$warehouseId', itemId: '$itemId' },
        onHand: { $sum: '$onHand' },
        lines: { $sum: 1 },
      },
    },
  ];
  const groups = await StockBalance.aggregate<{
    _id: { warehouseId: Types.ObjectId; itemId: Types.ObjectId };
    onHand: number;
    lines: number;
  }>(pipeline);
  const items = await itemsById(
    [...new Set(groups.map((g) => String(g._id.itemId)))].map((id) => new Types.ObjectId(id)),
  );

  const byKey = new Map<string, { label: string; totals: Totals }>();
  const all = emptyTotals();
  for (const g of groups) {
    const item = items.get(String(g._id.itemId));
    const warehouse = warehouseById.get(String(g._id.warehouseId));
    const [key, label] =
      query.groupBy === 'region'
        ? [warehouse?.region ?? '?', warehouse?.region ?? '?']
        : query.groupBy === 'warehouse'
          ? [String(g._id.warehouseId), warehouse ? `${warehouse.code} ${warehouse.name}` : String(g._id.warehouseId)]
          : [item?.category ?? '?', item?.category ?? '?'];
    const entry = byKey.get(key) ?? { label, totals: emptyTotals() };
    add(entry.totals, item, g.onHand, g.lines);
    add(all, item, g.onHand, g.lines);
    byKey.set(key, entry);
  }
  const groupHeader: Record<StockGrouping, Text> = {
    region: t('Region', 'Регион', 'Өңір'),
    warehouse: t('Warehouse', 'Склад', 'Қойма'),
    category: t('Category', 'Категория', 'Санат'),
  };
  return {
    report: `stock-by-${query.groupBy}`,
    title: t('Stock on hand', 'Остатки на складах', 'Қоймадағы қалдық'),
    filters: { groupBy: query.groupBy, organisations: organisations ? organisations.join(', ') : 'all' },
    columns: [
      { key: 'group', header: groupHeader[query.groupBy] },
      { key: 'lines', header: t('stock lines', 'строк', 'жолдар'), numeric: true },
      ...WEIGHT_COLUMNS,
    ],
    rows: [...byKey.values()]
      .sort((a, b) => a.label.localeCompare(b.label))
      .map(({ label, totals }) => ({ group: label, lines: totals.count, ...weightCells(totals) })),
    totals: { group: '', lines: all.count, ...weightCells(all) },
    generatedAt: new Date(),
  };
}

export type InflowGrouping = 'donor' | 'donor_type' | 'month';

/** A donor as a report may name it: organisations by name; people as "individual donor" (personal data). */
function donorLabel(donor: DonorRecord | undefined): string {
  if (!donor) return '?';
  if (donor.anonymous) return 'anonymous';
  if (donor.type === 'individual') return `individual …${String(donor._id).slice(-6)}`;
  return donor.name ?? '?';
}

export async function inflowsReport(
  query: ReportScope & { groupBy: InflowGrouping; from?: Date; to?: Date },
  actor: Actor,
): Promise<ReportTable> {
  const organisations = organisationFilter(actor, query);
  const receivedAt: Record<string, Date> = {};
  if (query.from) receivedAt.$gte = query.from;
  if (query.to) receivedAt.$lt = query.to;
  const match: Record<string, unknown> = { status: 'received' };
  if (Object.keys(receivedAt).length) match.receivedAt = receivedAt;
  if (organisations) match.organisationId = { $in: organisations };
  const month = { $dateToString: { format: '%Y-%m', date: '$receivedAt', timezone: 'Asia/Almaty' } };
  // Lines summed per donor, month and item in the database; donations counted per donor and month.
  const [lineGroups, counts] = await Promise.all([
    Donation.aggregate<{ _id: { donorId: Types.ObjectId; month: string; itemId: Types.ObjectId }; quantity: number }>([
      { $match: match },
      { $unwind: '$lines' },
      {
        $group: { _id: { donorId: '$donorId', month, itemId: '$lines.itemId' }, quantity: { $sum: '$lines.quantity' } },
      },
    ]),
    Donation.aggregate<{ _id: { donorId: Types.ObjectId; month: string }; donations: number }>([
      { $match: match },
      { $group: { _id: { donorId: '$donorId', month }, donations: { $sum: 1 } } },
    ]),
  ]);
  const byGroup = new Map<
    string,
    {
      _id: { donorId: Types.ObjectId; month: string };
      donations: number;
      lines: { itemId: Types.ObjectId; quantity: number }[];
    }
  >();
  for (const c of counts) byGroup.set(`${c._id.donorId}|${c._id.month}`, { ...c, lines: [] });
  for (const l of lineGroups)
    byGroup.get(`${l._id.donorId}|${l._id.month}`)?.lines.push({ itemId: l._id.itemId, quantity: l.quantity });
  const groups = [...byGroup.values()];
  const itemIds = new Set<string>();
  for (const g of groups) for (const l of g.lines) itemIds.add(String(l.itemId));
  const [items, donors] = await Promise.all([
    itemsById([...itemIds].map((id) => new Types.ObjectId(id))),
    Donor.find({ _id: { $in: [...new Set(groups.map((g) => g._id.donorId))] } }).lean<DonorRecord[]>(),
  ]);
  const donorById = new Map(donors.map((d) => [String(d._id), d]));

  const byKey = new Map<string, { label: string; donations: number; pieces: bigint; totals: Totals }>();
  const all = { donations: 0, pieces: 0n, totals: emptyTotals() };
  for (const g of groups) {
    const donor = donorById.get(String(g._id.donorId));
    const [key, label] =
      query.groupBy === 'donor'
        ? [String(g._id.donorId), donorLabel(donor)]
        : query.groupBy === 'donor_type'
          ? [donor?.type ?? '?', donor?.type ?? '?']
          : [g._id.month, g._id.month];
    const entry = byKey.get(key) ?? { label, donations: 0, pieces: 0n, totals: emptyTotals() };
    entry.donations += g.donations;
    all.donations += g.donations;
    for (const line of g.lines) {
      const item = items.get(String(line.itemId));
      add(entry.totals, item, line.quantity);
      add(all.totals, item, line.quantity);
      if (item && unitFamily(item.baseUnit) === 'count') {
        entry.pieces += BigInt(line.quantity);
        all.pieces += BigInt(line.quantity);
      }
    }
    byKey.set(key, entry);
  }
  const groupHeader: Record<InflowGrouping, Text> = {
    donor: t('Donor', 'Жертвователь', 'Демеуші'),
    donor_type: t('Donor type', 'Тип жертвователя', 'Демеуші түрі'),
    month: t('Month', 'Месяц', 'Ай'),
  };
  return {
    report: `inflows-by-${query.groupBy.replace('_', '-')}`,
    title: t('Donations received', 'Полученные пожертвования', 'Алынған қайырмалдықтар'),
    filters: {
      groupBy: query.groupBy,
      from: query.from?.toISOString().slice(0, 10) ?? '',
      to: query.to?.toISOString().slice(0, 10) ?? '',
      organisations: organisations ? organisations.join(', ') : 'all',
    },
    columns: [
      { key: 'group', header: groupHeader[query.groupBy] },
      { key: 'donations', header: t('donations', 'пожертвований', 'қайырмалдық'), numeric: true },
      { key: 'pieces', header: t('pieces', 'штук', 'дана'), numeric: true },
      ...WEIGHT_COLUMNS,
    ],
    rows: [...byKey.values()]
      .sort((a, b) => a.label.localeCompare(b.label))
      .map((e) => ({ group: e.label, donations: e.donations, pieces: String(e.pieces), ...weightCells(e.totals) })),
    totals: { group: '', donations: all.donations, pieces: String(all.pieces), ...weightCells(all.totals) },
    generatedAt: new Date(),
  };
}
