/**
 * Reports, for an organisation or aggregated for a hub (report-scope.ts decides whose records are read):
 *
 * - stock on hand by region, warehouse or category (balances);
 * - inflows by donor, donor type or month (received donations' lines);
 * - outflows by purpose, region, warehouse or month (the stock ledger's issue entries that were not reversed: goods
 *   handed out for a distribution or issued directly);
 * - tonnage shipped by destination country, kind or month (dispatched shipments; what left is read from the
 *   ledger's dispatch entries, the truth of what went on the truck, weighed with the catalog).
 *
 * Each is one or two aggregations whose first stage leads with `organisationId` (the collections' compound indexes),
 * grouped in the database by warehouse, item (and month, donor, purpose), then rolled up here with the few items and
 * warehouses they name: weights and volumes come from the catalog, exactly (integer grams and cm³).
 *
 * A hub's report never names a member's record: its groupings are regions, categories, donor types, purposes and
 * months only (the routes allow no other), its rows carry no ids, and donors are read for their type alone.
 */
import type { PipelineStage, Types } from 'mongoose';
import { AppError } from '../../core/errors';
import { Donation } from '../donations';
import { Donor, type DonorRecord } from '../donors';
import { getOrganisation } from '../organisations';
import { Shipment } from '../shipments';
import { LedgerEntry, StockBalance, TRANSIT_LOCATION } from '../stock';
import { Warehouse, type WarehouseRecord } from '../warehouses';
import {
  addQuantity,
  catalogItems,
  emptyTotals,
  Groups,
  MEASURE_COLUMNS,
  measureCells,
  type Totals,
  WITHOUT_WEIGHT_NOTE,
} from './measures';
import { NOT_STATED, nameOf, type Text, text, verbatim } from './report-labels';
import { aggregateIn, objectIds, organisationCount, type ReportScope } from './report-scope';
import type { ReportColumn, ReportTable } from './report-table';

/**
 * Months are counted in Kazakhstan's time, one zone (UTC+5) since 1 March 2024: a donation received on 1 March at
 * 01:00 in Almaty is March's. The offset is added as a number rather than passed as `timezone: 'Asia/Almaty'`,
 * which the embedded database resolves per document at about 30 times the cost of the whole group stage (measured:
 * 15.5 s against 0.5 s for 20,000 entries). Before March 2024 Almaty was UTC+6: an entry of that period made in the
 * first hour of a month's first day counts in the month before.
 */
const KAZAKHSTAN_OFFSET_MS = 5 * 3_600_000;
const monthOf = (field: string) => ({
  $dateToString: { format: '%Y-%m', date: { $add: [field, KAZAKHSTAN_OFFSET_MS] } },
});

export interface Period {
  from?: Date;
  to?: Date;
}

function periodMatch(field: string, period: Period): Record<string, unknown> {
  const range: Record<string, Date> = {};
  if (period.from) range.$gte = period.from;
  if (period.to) range.$lt = period.to;
  return Object.keys(range).length ? { [field]: range } : {};
}

function periodFilters(period: Period): { label: Text; value: Text }[] {
  return [
    { label: text('From', 'С', 'Бастап'), value: verbatim(period.from?.toISOString().slice(0, 10) ?? '—') },
    { label: text('Until', 'По', 'Дейін'), value: verbatim(period.to?.toISOString().slice(0, 10) ?? '—') },
  ];
}

const MEMBERS = text('members', 'участников', 'мүше');

async function scopeName(scope: ReportScope): Promise<Text> {
  if (scope.kind === 'organisation') {
    return verbatim((await getOrganisation(String(scope.organisationId), scope.actor)).name);
  }
  const hub = await getOrganisation(String(scope.hubId), scope.actor);
  const count = organisationCount(scope);
  return {
    en: `${hub.name} (${count} ${MEMBERS.en})`,
    ru: `${hub.name} (${count} ${MEMBERS.ru})`,
    kk: `${hub.name} (${count} ${MEMBERS.kk})`,
  };
}

function refuseForHub(scope: ReportScope, grouping: string): void {
  // The routes do not offer these groupings to hubs; this keeps a future caller from naming members' records.
  if (scope.kind === 'hub') {
    throw new AppError('FORBIDDEN', `A hub's report is not grouped by ${grouping}: it would show members' records`, {
      groupBy: grouping,
    });
  }
}

/** The scope's warehouses by id: a hub reads only their region (not their names, codes or addresses). */
async function warehousesOf(scope: ReportScope, ids: Iterable<Types.ObjectId>): Promise<Map<string, WarehouseRecord>> {
  const project = scope.kind === 'hub' ? { region: 1 } : { region: 1, code: 1, name: 1 };
  const found = await aggregateIn<WarehouseRecord>(scope, Warehouse, { _id: { $in: objectIds(ids) } }, [
    { $project: project },
  ]);
  return new Map(found.map((w) => [String(w._id), w]));
}

interface ByWarehouseAndItem {
  _id: { warehouseId: Types.ObjectId; itemId: Types.ObjectId };
}

/** The catalog items and the scope's warehouses that grouped results name. */
async function namesOf(scope: ReportScope, groups: readonly ByWarehouseAndItem[]) {
  const [items, warehouses] = await Promise.all([
    catalogItems(groups.map((g) => g._id.itemId)),
    warehousesOf(
      scope,
      groups.map((g) => g._id.warehouseId),
    ),
  ]);
  return {
    itemOf: (g: ByWarehouseAndItem) => items.get(String(g._id.itemId)),
    warehouseOf: (g: ByWarehouseAndItem) => warehouses.get(String(g._id.warehouseId)),
  };
}

const byRegion = (warehouse: WarehouseRecord | undefined): [string, () => Text] => [
  warehouse?.region ?? '',
  () => nameOf('region', warehouse?.region),
];

const byWarehouse = (g: ByWarehouseAndItem, warehouse: WarehouseRecord | undefined): [string, () => Text] => [
  String(g._id.warehouseId),
  () => verbatim(warehouse ? `${warehouse.code} ${warehouse.name}` : '?'),
];

interface Entry {
  totals: Totals;
  count: number;
}

const GROUPED_BY = text('Grouped by', 'Группировка', 'Топтау');

async function table(
  scope: ReportScope,
  parts: Pick<ReportTable, 'report' | 'title' | 'groupHeader'> & {
    /** A report over a period prints it; a snapshot (stock on hand) has none. */
    period?: Period;
    countColumn: ReportColumn;
    groups: Groups<Entry>;
    all: Entry;
  },
): Promise<ReportTable> {
  const { countColumn, groups, all, period, ...rest } = parts;
  const missingWeight = all.totals.withoutWeight > 0;
  return {
    ...rest,
    scope: await scopeName(scope),
    filters: [{ label: GROUPED_BY, value: parts.groupHeader }, ...(period ? periodFilters(period) : [])],
    columns: [countColumn, ...MEASURE_COLUMNS],
    rows: groups.sorted().map(([group, e]) => ({
      group,
      label: e.label,
      cells: { [countColumn.key]: e.count, ...measureCells(e.totals) },
    })),
    totals: { [countColumn.key]: all.count, ...measureCells(all.totals) },
    notes: missingWeight ? [WITHOUT_WEIGHT_NOTE] : [],
    generatedAt: new Date(),
  };
}

const newEntry = (): Entry => ({ totals: emptyTotals(), count: 0 });

// ---------------------------------------------------------------------------------------------------------------
// Stock on hand

export type StockGrouping = 'region' | 'warehouse' | 'category';

const STOCK_GROUP_HEADERS: Record<StockGrouping, Text> = {
  region: text('Region', 'Регион', 'Өңір'),
  warehouse: text('Warehouse', 'Склад', 'Қойма'),
  category: text('Category', 'Категория', 'Санат'),
};

export async function stockReport(scope: ReportScope, query: { groupBy: StockGrouping }): Promise<ReportTable> {
  if (query.groupBy === 'warehouse') refuseForHub(scope, 'warehouse');
  const groups = await aggregateIn<{
    _id: { warehouseId: Types.ObjectId; itemId: Types.ObjectId };
    onHand: number;
    lines: number;
  }>(scope, StockBalance, { onHand: { $gt: 0 } }, [
    {
      $group: {
        _id: { warehouseId: '$warehouseId', itemId: '$itemId' },
        onHand: { $sum: '$onHand' },
        lines: { $sum: 1 },
      },
    },
  ]);
  const { itemOf, warehouseOf } = await namesOf(scope, groups);
  const rows = new Groups<Entry>();
  const all = newEntry();
  for (const g of groups) {
    const item = itemOf(g);
    const warehouse = warehouseOf(g);
    const [key, label] =
      query.groupBy === 'region'
        ? byRegion(warehouse)
        : query.groupBy === 'warehouse'
          ? byWarehouse(g, warehouse)
          : [item?.category ?? '', () => nameOf('category', item?.category)];
    const entry = rows.entry(key, label, newEntry);
    for (const e of [entry, all]) {
      addQuantity(e.totals, item, g.onHand);
      e.count += g.lines;
    }
  }
  return table(scope, {
    report: `stock-by-${query.groupBy}`,
    title: text('Stock on hand', 'Остатки на складах', 'Қоймадағы қалдық'),
    groupHeader: STOCK_GROUP_HEADERS[query.groupBy],
    countColumn: { key: 'lines', header: text('stock lines', 'строк', 'жолдар'), numeric: true },
    groups: rows,
    all,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Inflows: donations received

export type InflowGrouping = 'donor' | 'donor_type' | 'month';

const INFLOW_GROUP_HEADERS: Record<InflowGrouping, Text> = {
  donor: text('Donor', 'Жертвователь', 'Демеуші'),
  donor_type: text('Donor type', 'Тип жертвователя', 'Демеуші түрі'),
  month: text('Month', 'Месяц', 'Ай'),
};

/** A donor as a report may name it: organisations by name; a person or an anonymous donor never by name. */
function donorLabel(donor: DonorRecord | undefined): Text {
  if (!donor || donor.anonymous) return text('Anonymous donor', 'Анонимный жертвователь', 'Анонимді демеуші');
  if (donor.type === 'individual') {
    const tail = String(donor._id).slice(-6);
    return text(`Individual donor …${tail}`, `Частное лицо …${tail}`, `Жеке тұлға …${tail}`);
  }
  return verbatim(donor.name ?? '?');
}

export async function inflowsReport(
  scope: ReportScope,
  query: Period & { groupBy: InflowGrouping },
): Promise<ReportTable> {
  if (query.groupBy === 'donor') refuseForHub(scope, 'donor');
  const match = { status: 'received', ...periodMatch('receivedAt', query) };
  const on = { dateField: 'receivedAt' };
  const month = monthOf('$receivedAt');
  // Lines summed per donor, month and item in the database; donations counted per donor and month.
  const [lineGroups, counts] = await Promise.all([
    aggregateIn<{ _id: { donorId: Types.ObjectId; month: string; itemId: Types.ObjectId }; quantity: number }>(
      scope,
      Donation,
      match,
      [
        // Only what is summed, and the month once per donation: $unwind copies the document once per line.
        { $project: { _id: 0, donorId: 1, month, 'lines.itemId': 1, 'lines.quantity': 1 } },
        { $unwind: '$lines' },
        {
          $group: {
            _id: { donorId: '$donorId', month: '$month', itemId: '$lines.itemId' },
            quantity: { $sum: '$lines.quantity' },
          },
        },
      ],
      on,
    ),
    aggregateIn<{ _id: { donorId: Types.ObjectId; month: string }; donations: number }>(
      scope,
      Donation,
      match,
      [{ $group: { _id: { donorId: '$donorId', month }, donations: { $sum: 1 } } }],
      on,
    ),
  ]);
  // A hub reads its members' donors for their type only: never a name or a contact.
  const donorProjection = scope.kind === 'hub' ? { type: 1 } : { type: 1, name: 1, anonymous: 1 };
  const donorIds = objectIds(counts.map((c) => c._id.donorId));
  const [items, donors] = await Promise.all([
    catalogItems(lineGroups.map((l) => l._id.itemId)),
    aggregateIn<DonorRecord>(scope, Donor, { _id: { $in: donorIds } }, [{ $project: donorProjection }]),
  ]);
  const donorById = new Map(donors.map((d) => [String(d._id), d]));
  const keyOf = (donorId: Types.ObjectId, monthKey: string): [string, () => Text] => {
    const donor = donorById.get(String(donorId));
    if (query.groupBy === 'donor') return [String(donorId), () => donorLabel(donor)];
    if (query.groupBy === 'donor_type') return [donor?.type ?? '', () => nameOf('donor_type', donor?.type)];
    return [monthKey, () => verbatim(monthKey)];
  };
  const rows = new Groups<Entry>();
  const all = newEntry();
  for (const c of counts) {
    const [key, label] = keyOf(c._id.donorId, c._id.month);
    rows.entry(key, label, newEntry).count += c.donations;
    all.count += c.donations;
  }
  for (const l of lineGroups) {
    const [key, label] = keyOf(l._id.donorId, l._id.month);
    const item = items.get(String(l._id.itemId));
    addQuantity(rows.entry(key, label, newEntry).totals, item, l.quantity);
    addQuantity(all.totals, item, l.quantity);
  }
  return table(scope, {
    report: `inflows-by-${query.groupBy.replace('_', '-')}`,
    title: text('Donations received', 'Полученные пожертвования', 'Алынған қайырмалдықтар'),
    period: query,
    groupHeader: INFLOW_GROUP_HEADERS[query.groupBy],
    countColumn: { key: 'donations', header: text('donations', 'пожертвований', 'қайырмалдық'), numeric: true },
    groups: rows,
    all,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Outflows: goods that left stock

export type OutflowGrouping = 'purpose' | 'region' | 'warehouse' | 'month';

const OUTFLOW_GROUP_HEADERS: Record<OutflowGrouping, Text> = {
  purpose: text('Purpose', 'Назначение', 'Мақсаты'),
  region: text('Region', 'Регион', 'Өңір'),
  warehouse: text('Warehouse', 'Склад', 'Қойма'),
  month: text('Month', 'Месяц', 'Ай'),
};

const PURPOSES = new Set(['shipment', 'distribution']);

export async function outflowsReport(
  scope: ReportScope,
  query: Period & { groupBy: OutflowGrouping },
): Promise<ReportTable> {
  if (query.groupBy === 'warehouse') refuseForHub(scope, 'warehouse');
  // An issue later reversed (a mistake corrected) did not leave: only entries without a reversal count.
  const match = { type: 'issue', reversedBy: null, ...periodMatch('at', query) };
  const pipeline: PipelineStage[] = [
    {
      $group: {
        _id: { warehouseId: '$warehouseId', itemId: '$itemId', month: monthOf('$at'), purpose: '$source.type' },
        quantity: { $sum: '$quantity' },
        lines: { $sum: 1 },
      },
    },
  ];
  const groups = await aggregateIn<{
    _id: { warehouseId: Types.ObjectId; itemId: Types.ObjectId; month: string; purpose: string };
    quantity: number;
    lines: number;
  }>(scope, LedgerEntry, match, pipeline, { dateField: 'at' });
  const { itemOf, warehouseOf } = await namesOf(scope, groups);
  const rows = new Groups<Entry>();
  const all = newEntry();
  for (const g of groups) {
    const item = itemOf(g);
    const warehouse = warehouseOf(g);
    const purpose = PURPOSES.has(g._id.purpose) ? g._id.purpose : 'issue';
    const [key, label] =
      query.groupBy === 'purpose'
        ? [purpose, () => nameOf('purpose', purpose)]
        : query.groupBy === 'region'
          ? byRegion(warehouse)
          : query.groupBy === 'warehouse'
            ? byWarehouse(g, warehouse)
            : [g._id.month, () => verbatim(g._id.month)];
    for (const e of [rows.entry(key, label, newEntry), all]) {
      // Issue entries are negative: what left is their opposite.
      addQuantity(e.totals, item, -g.quantity);
      e.count += g.lines;
    }
  }
  return table(scope, {
    report: `outflows-by-${query.groupBy}`,
    title: text('Goods issued from stock', 'Выдано со складов', 'Қоймадан берілген тауарлар'),
    period: query,
    groupHeader: OUTFLOW_GROUP_HEADERS[query.groupBy],
    countColumn: { key: 'lines', header: text('issue lines', 'строк выдачи', 'беру жолдары'), numeric: true },
    groups: rows,
    all,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Tonnage shipped

export type ShippedGrouping = 'country' | 'kind' | 'month';

const SHIPPED_GROUP_HEADERS: Record<ShippedGrouping, Text> = {
  country: text('Destination country', 'Страна назначения', 'Баратын ел'),
  kind: text('Kind of shipment', 'Вид отправки', 'Жөнелту түрі'),
  month: text('Month of dispatch', 'Месяц отправки', 'Жөнелту айы'),
};

/** Every state a shipment is in once its goods have left (lost ones left too). */
const DISPATCHED = ['dispatched', 'arrived', 'received', 'received_with_discrepancies', 'closed', 'lost'];
/** Inbound shipments are goods coming to the organisation: nothing of its stock left on them. */
const SHIPPED_KINDS = ['outbound', 'delivery', 'transfer'];

interface ShippedShipment {
  _id: Types.ObjectId;
  kind: string;
  country: string | null;
  month: string;
}

export async function shippedReport(
  scope: ReportScope,
  query: Period & { groupBy: ShippedGrouping },
): Promise<ReportTable> {
  const shipments = await aggregateIn<ShippedShipment>(
    scope,
    Shipment,
    { status: { $in: DISPATCHED }, kind: { $in: SHIPPED_KINDS }, ...periodMatch('dispatchedAt', query) },
    [
      {
        $project: {
          kind: 1,
          country: { $ifNull: ['$destination.country', '$consignee.country'] },
          month: monthOf('$dispatchedAt'),
        },
      },
    ],
    { dateField: 'dispatchedAt' },
  );
  const byId = new Map(shipments.map((s) => [String(s._id), s]));
  // What left on each shipment: its dispatch's debits of the warehouse (not the transit side), unreversed.
  const lines =
    shipments.length === 0
      ? []
      : await aggregateIn<{ _id: { shipmentId: string; itemId: Types.ObjectId }; quantity: number }>(
          scope,
          LedgerEntry,
          {
            type: 'transfer_out',
            'source.type': 'shipment',
            'source.id': { $in: [...byId.keys()] },
            locationCode: { $ne: TRANSIT_LOCATION },
            reversedBy: null,
          },
          [{ $group: { _id: { shipmentId: '$source.id', itemId: '$itemId' }, quantity: { $sum: '$quantity' } } }],
        );
  const items = await catalogItems(lines.map((l) => l._id.itemId));
  const keyOf = (s: ShippedShipment): [string, () => Text] => {
    if (query.groupBy === 'country') return [s.country ?? '', () => (s.country ? verbatim(s.country) : NOT_STATED)];
    if (query.groupBy === 'kind') return [s.kind, () => nameOf('shipment_kind', s.kind)];
    return [s.month, () => verbatim(s.month)];
  };
  const rows = new Groups<Entry>();
  const all = newEntry();
  for (const s of shipments) {
    const [key, label] = keyOf(s);
    rows.entry(key, label, newEntry).count += 1;
    all.count += 1;
  }
  for (const l of lines) {
    const shipment = byId.get(l._id.shipmentId);
    if (!shipment) continue;
    const [key, label] = keyOf(shipment);
    const item = items.get(String(l._id.itemId));
    // Debits are negative: what left is their opposite.
    addQuantity(rows.entry(key, label, newEntry).totals, item, -l.quantity);
    addQuantity(all.totals, item, -l.quantity);
  }
  return table(scope, {
    report: `shipped-by-${query.groupBy}`,
    title: text('Tonnage shipped', 'Отгружено (тоннаж)', 'Жөнелтілген тоннаж'),
    period: query,
    groupHeader: SHIPPED_GROUP_HEADERS[query.groupBy],
    countColumn: { key: 'shipments', header: text('shipments', 'отправок', 'жөнелтім'), numeric: true },
    groups: rows,
    all,
  });
}
