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
import type { Types } from 'mongoose';
import { AppError } from '../../core/errors';
import { monthExpression } from '../../core/local-time';
import { Donor, type DonorRecord } from '../donors';
import { getOrganisation } from '../organisations';
import { roundNames } from '../programmes';
import { Shipment } from '../shipments';
import { LedgerEntry, StockBalance, TRANSIT_LOCATION } from '../stock';
import { Warehouse, type WarehouseRecord } from '../warehouses';
import { servedCounts } from './households-served';
import {
  addMeasures,
  addQuantity,
  byLabel,
  catalogItems,
  emptyTotals,
  Groups,
  MEASURE_COLUMNS,
  measureCells,
  type Totals,
  WITHOUT_WEIGHT_NOTE,
} from './measures';
import { NOT_STATED, nameOf, type Text, text, verbatim } from './report-labels';
import { periodParts } from './report-period';
import { inflowsOf, outflowsOf } from './report-rollups';
import { aggregateIn, objectIds, organisationCount, type ReportScope } from './report-scope';
import type { ReportColumn, ReportTable } from './report-table';

/** Months are local to Kazakhstan (Asia/Almaty: UTC+5 since 1 March 2024, UTC+6 before): src/core/local-time.ts. */
const monthOf = monthExpression;

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

const byWarehouse = (warehouseId: Types.ObjectId, warehouse: WarehouseRecord | undefined): [string, () => Text] => [
  String(warehouseId),
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
    // A group whose every record was taken out again (a reversed donation or issue) is not a row.
    rows: groups
      .sorted()
      .filter(([, e]) => e.count !== 0)
      .map(([group, e]) => ({
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
          ? byWarehouse(g._id.warehouseId, warehouse)
          : [item?.category ?? '', () => nameOf('category', item?.category)];
    const entry = rows.entry(key, label, newEntry);
    for (const e of [entry, all]) {
      addQuantity(e.totals, item, g.onHand, g.lines);
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
  // Per donor or month: the roll-ups of whole years (by donor), months and days (and what was posted after their
  // watermark), the donations of the period's ends within a day (report-rollups.ts).
  const byMonth = query.groupBy === 'month';
  const parts = periodParts(scope, query, new Date(), { years: !byMonth });
  const sums = await inflowsOf(scope, parts, byMonth ? 'month' : 'donor');
  // A hub reads its members' donors for their type only: never a name or a contact.
  const donorProjection = scope.kind === 'hub' ? { type: 1 } : { type: 1, name: 1, anonymous: 1 };
  const donorIds = objectIds(sums.flatMap((s) => (s.donorId ? [s.donorId] : [])));
  const donors = byMonth
    ? []
    : await aggregateIn<DonorRecord>(scope, Donor, { _id: { $in: donorIds } }, [{ $project: donorProjection }]);
  const donorById = new Map(donors.map((d) => [String(d._id), d]));
  const keyOf = (donorId: Types.ObjectId | null, monthKey: string | null): [string, () => Text] => {
    const donor = donorById.get(String(donorId));
    if (query.groupBy === 'donor') return [String(donorId), () => donorLabel(donor)];
    if (query.groupBy === 'donor_type') return [donor?.type ?? '', () => nameOf('donor_type', donor?.type)];
    return [monthKey ?? '', () => verbatim(monthKey ?? '')];
  };
  const rows = new Groups<Entry>();
  const all = newEntry();
  for (const sum of sums) {
    const [key, label] = keyOf(sum.donorId, sum.month);
    for (const e of [rows.entry(key, label, newEntry), all]) {
      e.count += sum.donations;
      addMeasures(e.totals, sum);
    }
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

export type OutflowGrouping = 'purpose' | 'region' | 'warehouse' | 'month' | 'programme' | 'round';

const OUTFLOW_GROUP_HEADERS: Record<OutflowGrouping, Text> = {
  purpose: text('Purpose', 'Назначение', 'Мақсаты'),
  region: text('Region', 'Регион', 'Өңір'),
  warehouse: text('Warehouse', 'Склад', 'Қойма'),
  month: text('Month', 'Месяц', 'Ай'),
  programme: text('Programme', 'Программа', 'Бағдарлама'),
  round: text('Programme round', 'Раунд программы', 'Бағдарлама кезеңі'),
};

/** Source documents by what they were for: hand-overs to households (allocations) are distributions. */
const PURPOSE_OF: Record<string, string> = {
  shipment: 'shipment',
  distribution: 'distribution',
  allocation: 'distribution',
};

const OUTSIDE_PROGRAMMES = text('(outside programmes)', '(вне программ)', '(бағдарламадан тыс)');

const MEMBER_PROGRAMME = text("A member's programme", 'Программа участника', 'Мүшенің бағдарламасы');
const MEMBER_ROUND = text("A member's programme round", 'Раунд программы участника', 'Мүше бағдарламасының кезеңі');

/**
 * Programmes and rounds as a report prints them: by name when the actor's organisation sees the programme (one it
 * leads or takes part in); a hub's member's own programme only as "A member's programme 2", never by name or id.
 */
async function roundLabels(scope: ReportScope, roundIds: readonly Types.ObjectId[]) {
  const names = await roundNames(roundIds, scope.actor);
  const programmes = new Map([...names.values()].map((n) => [String(n.programmeId), n.programme]));
  const hidden = new Map<string, number>();
  const numbered = (key: string): number => {
    const n = hidden.get(key) ?? hidden.size + 1;
    hidden.set(key, n);
    return n;
  };
  const withNumber = (label: Text, n: number): Text => ({
    en: `${label.en} ${n}`,
    ru: `${label.ru} ${n}`,
    kk: `${label.kk} ${n}`,
  });
  return {
    programme(programmeId: Types.ObjectId | null): [string, () => Text] {
      if (!programmeId) return ['', () => OUTSIDE_PROGRAMMES];
      const name = programmes.get(String(programmeId));
      if (name !== undefined) return [String(programmeId), () => verbatim(name)];
      const n = numbered(`programme:${String(programmeId)}`);
      return [`member-programme-${n}`, () => withNumber(MEMBER_PROGRAMME, n)];
    },
    round(roundId: Types.ObjectId | null): [string, () => Text] {
      if (!roundId) return ['', () => OUTSIDE_PROGRAMMES];
      const name = names.get(String(roundId));
      if (name) return [String(roundId), () => verbatim(`${name.programme} — ${name.round}`)];
      const n = numbered(`round:${String(roundId)}`);
      return [`member-round-${n}`, () => withNumber(MEMBER_ROUND, n)];
    },
  };
}

export async function outflowsReport(
  scope: ReportScope,
  query: Period & { groupBy: OutflowGrouping },
): Promise<ReportTable> {
  if (query.groupBy === 'warehouse') refuseForHub(scope, 'warehouse');
  // Issues not reversed (a mistake corrected did not leave), per warehouse, month, purpose, programme and round:
  // the roll-ups of whole months and days, the ledger after their watermark and within a day at the period's ends
  // (report-rollups.ts).
  const groups = await outflowsOf(scope, periodParts(scope, query));
  const [warehouses, programmes] = await Promise.all([
    query.groupBy === 'region' || query.groupBy === 'warehouse'
      ? warehousesOf(
          scope,
          groups.map((g) => g.warehouseId),
        )
      : new Map<string, WarehouseRecord>(),
    query.groupBy === 'programme' || query.groupBy === 'round'
      ? roundLabels(
          scope,
          groups.flatMap((g) => (g.roundId ? [g.roundId] : [])),
        )
      : null,
  ]);
  const rows = new Groups<Entry>();
  const all = newEntry();
  for (const g of groups) {
    const warehouse = warehouses.get(String(g.warehouseId));
    const purpose = PURPOSE_OF[g.purpose] ?? 'issue';
    const [key, label] =
      query.groupBy === 'purpose'
        ? [purpose, () => nameOf('purpose', purpose)]
        : query.groupBy === 'region'
          ? byRegion(warehouse)
          : query.groupBy === 'warehouse'
            ? byWarehouse(g.warehouseId, warehouse)
            : query.groupBy === 'month'
              ? [g.month, () => verbatim(g.month)]
              : query.groupBy === 'programme'
                ? (programmes as NonNullable<typeof programmes>).programme(g.programmeId)
                : (programmes as NonNullable<typeof programmes>).round(g.roundId);
    for (const e of [rows.entry(key, label, newEntry), all]) {
      addMeasures(e.totals, g);
      e.count += g.entries;
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
  const keyOf = (s: ShippedShipment): [string, () => Text] => {
    if (query.groupBy === 'country') return [s.country ?? '', () => (s.country ? verbatim(s.country) : NOT_STATED)];
    if (query.groupBy === 'kind') return [s.kind, () => nameOf('shipment_kind', s.kind)];
    return [s.month, () => verbatim(s.month)];
  };
  const rows = new Groups<Entry>();
  const all = newEntry();
  const shipmentsOf = new Map<string, string[]>();
  for (const s of shipments) {
    const [key, label] = keyOf(s);
    rows.entry(key, label, newEntry).count += 1;
    all.count += 1;
    const ids = shipmentsOf.get(key) ?? [];
    ids.push(String(s._id));
    shipmentsOf.set(key, ids);
  }
  // What left on each group's shipments: their dispatch's debits of the warehouse (not the transit side),
  // unreversed, summed per item in the database (a row per item, not per shipment and item: a year's 2,000
  // shipments would send back 10,000). One read per group and per 1,000 of its shipments: each is then one index
  // point per shipment (the database's planner, like this one's, scans a range rather than more points than that,
  // here every entry of every shipment ever made).
  const reads = [...shipmentsOf].flatMap(([key, ids]) =>
    Array.from({ length: Math.ceil(ids.length / 1000) }, (_, i) => ({ key, ids: ids.slice(i * 1000, (i + 1) * 1000) })),
  );
  const lines = (
    await Promise.all(
      reads.map(async ({ key, ids }) =>
        (
          await aggregateIn<{ _id: Types.ObjectId; quantity: number }>(
            scope,
            LedgerEntry,
            {
              type: 'transfer_out',
              'source.type': 'shipment',
              'source.id': { $in: ids },
              locationCode: { $ne: TRANSIT_LOCATION },
              reversedBy: null,
            },
            [{ $group: { _id: '$itemId', quantity: { $sum: '$quantity' } } }],
          )
        ).map((line) => ({ key, itemId: line._id, quantity: line.quantity })),
      ),
    )
  ).flat();
  const items = await catalogItems(lines.map((l) => l.itemId));
  for (const l of lines) {
    const item = items.get(String(l.itemId));
    // Debits are negative: what left is their opposite.
    addQuantity((rows.byKey.get(l.key) as Entry).totals, item, -l.quantity);
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

// ---------------------------------------------------------------------------------------------------------------
// Households served

export type HouseholdsGrouping = 'region' | 'round' | 'vulnerability';

const HOUSEHOLDS_GROUP_HEADERS: Record<HouseholdsGrouping, Text> = {
  region: text('Region', 'Регион', 'Өңір'),
  round: text('Programme round', 'Раунд программы', 'Бағдарлама кезеңі'),
  vulnerability: text('Vulnerability', 'Уязвимость', 'Осалдық'),
};

const NO_VULNERABILITY = text('(no vulnerability recorded)', '(уязвимость не указана)', '(осалдық көрсетілмеген)');

/**
 * Below this many households a hub's row says only "fewer than": a member's region with one family served with a
 * disability would otherwise point at that family. An organisation's own report is exact (it holds the records).
 */
export const SMALL_GROUP = 5;

interface Served {
  households: number;
  people: number;
}

/**
 * Households that received aid (a hand-over of all or part of what they were due) over a period, counted once per
 * group: by region, by round, or by vulnerability (a household under each of its criteria), and once in the total.
 * Counted from the households-served records (households-served.ts: one per household and group, folded from the
 * hand-overs, and the hand-overs since read as they are), as the household was when served; only the counts per
 * group leave the database: no household id, name or address.
 */
export async function householdsServedReport(
  scope: ReportScope,
  query: Period & { groupBy: HouseholdsGrouping },
): Promise<ReportTable> {
  const byRound = query.groupBy === 'round';
  const { rows: groups, total } = await servedCounts(scope, query, query.groupBy);
  const rounds = byRound
    ? await roundLabels(
        scope,
        groups.map((r) => r._id as Types.ObjectId),
      )
    : null;
  const rows = new Map<string, Served & { label: Text }>();
  for (const r of groups) {
    const value = r._id === null || r._id === undefined ? '' : r._id;
    const [key, label]: [string, () => Text] =
      query.groupBy === 'region'
        ? [String(value), () => nameOf('region', String(value))]
        : byRound
          ? (rounds as NonNullable<typeof rounds>).round(r._id as Types.ObjectId)
          : value === ''
            ? ['', () => NO_VULNERABILITY]
            : [String(value), () => nameOf('vulnerability', String(value))];
    const row = rows.get(key) ?? { households: 0, people: 0, label: label() };
    row.households += r.households;
    row.people += r.people;
    rows.set(key, row);
  }
  const all: Served = total;
  const hub = scope.kind === 'hub';
  const cells = (s: Served): Record<string, string | number> =>
    hub && s.households > 0 && s.households < SMALL_GROUP
      ? { households: `< ${SMALL_GROUP}`, people: '—' }
      : { households: s.households, people: s.people };
  const notes: Text[] = [];
  if (query.groupBy === 'vulnerability') {
    notes.push(
      text(
        'A household with several vulnerabilities is counted under each; the total counts it once.',
        'Семья с несколькими уязвимостями учтена в каждой из них; в итоге — один раз.',
        'Бірнеше осалдығы бар отбасы әрқайсысында есептелді; жиынтықта бір рет.',
      ),
    );
  }
  if (hub) {
    notes.push(
      text(
        `Groups of fewer than ${SMALL_GROUP} households are not counted exactly, so that no family can be recognised.`,
        `Группы менее чем из ${SMALL_GROUP} семей не указаны точно, чтобы ни одну семью нельзя было узнать.`,
        `${SMALL_GROUP} отбасыдан аз топтар нақты көрсетілмейді: ешбір отбасын тануға болмайды.`,
      ),
    );
  }
  return {
    report: `households-served-by-${query.groupBy}`,
    title: text('Households served', 'Семьи, получившие помощь', 'Көмек алған отбасылар'),
    scope: await scopeName(scope),
    filters: [{ label: GROUPED_BY, value: HOUSEHOLDS_GROUP_HEADERS[query.groupBy] }, ...periodFilters(query)],
    groupHeader: HOUSEHOLDS_GROUP_HEADERS[query.groupBy],
    columns: [
      { key: 'households', header: text('households', 'семей', 'отбасы'), numeric: true },
      { key: 'people', header: text('people', 'человек', 'адам'), numeric: true },
    ],
    rows: [...rows.entries()]
      .sort(([a, x], [b, y]) => byLabel(x.label.en, y.label.en) || byLabel(a, b))
      .map(([group, row]) => ({ group, label: row.label, cells: cells(row) })),
    totals: cells(all),
    notes,
    generatedAt: new Date(),
  };
}
