/**
 * The reports' materialised view: monthly roll-ups of the ledger's issues (outflows) and of received donations
 * (inflows), fed from those records by a watermark, so that no request that writes them does any more work.
 *
 * - **Fold** (`foldReportRollups`, the `report-rollups` job): every event older than the watermark's target
 *   (now − SAFETY_LAG) and not yet folded is added to its bucket, and the watermark moves to that target, in one
 *   transaction. Events are: an issue entry (its `at`), a reversal entry of an issue (its `at`: the reversed issue is
 *   taken out of the bucket it was counted in), a donation posted (`postedAt`), a donation reversed (`reversedAt`).
 *   Each of those instants is taken by the writing request inside its transaction, which lives at most
 *   `transactionLifetimeLimitSeconds` (60 s); SAFETY_LAG is five times that, so nothing below the watermark can still
 *   commit. Weights and volumes are applied in the fold, from the catalog, per item (the view has no item).
 * - **Read** (reports): the roll-ups of the period's whole months, plus the records of those months whose events
 *   came after the watermark (an indexed range: a few minutes of writes), plus the records of the period's partial
 *   months at its ends, read as they are now. `readConsistently` reads the watermark before and after, and reads
 *   again if a fold landed in between.
 * - **Rebuild** (`rebuildReportRollups`, `npm run job -- report-rollups --rebuild`... see the job): the view
 *   recomputed from nothing, in one transaction that replaces it.
 * - **Years** (inflows only: a roll-up per donor and month makes 24,000 a year at 2,000 donors): yearly roll-ups
 *   summed from the monthly ones by the same fold, read for the whole years of a report by donor or donor type.
 *   A fold from nothing marks the watermark `yearly`; a view folded before they existed has no mark and reads its
 *   years as months until its next rebuild.
 *
 * So a report equals a scan of all its records (test/api/reports-rollups.test.ts writes before and after the
 * watermark and compares), while reading a few hundred roll-ups instead of a million entries.
 */
import type mongoose from 'mongoose';
import type { ClientSession, PipelineStage, Types } from 'mongoose';
import { dayExpression, dayOf, monthOfDay } from '../../core/local-time';
import { withTransaction } from '../../db/transaction';
import { acrossOrganisations, organisationActor, owned } from '../access';
import { programmeRoundsOf } from '../distributions';
import { Donation } from '../donations';
import { Organisation } from '../organisations';
import { LedgerEntry } from '../stock';
import { addQuantity, catalogItems, emptyTotals, type Totals } from './measures';
import { earlier, groupedBy, later, type PeriodParts } from './report-period';
import {
  InflowDailyRollup,
  InflowRollup,
  InflowYearlyRollup,
  OutflowDailyRollup,
  OutflowRollup,
  type RolledMeasures,
  RollupWatermark,
  type RollupWatermarkRecord,
  WATERMARK_ID,
} from './report-rollups.model';
import { aggregateIn, ownScope, type ReportScope } from './report-scope';

/** Five times the transaction lifetime limit: no event older than this can still be uncommitted. */
export const SAFETY_LAG_MS = 5 * 60_000;

const MEASURES = ['grams', 'cm3', 'pieces', 'withoutWeight', 'withoutVolume'] as const;

/** A range of instants on a record's field, per organisation (open ends allowed). */
export interface Branch {
  organisationId: Types.ObjectId;
  from?: Date | null;
  to?: Date | null;
}

function onField(field: string, branch: Branch): Record<string, unknown> {
  const r: Record<string, Date> = {};
  if (branch.from) r.$gte = branch.from;
  if (branch.to) r.$lt = branch.to;
  return Object.keys(r).length
    ? { organisationId: branch.organisationId, [field]: r }
    : { organisationId: branch.organisationId };
}

/**
 * The smallest range holding every branch's: a condition on the top level, beside the `$or`, is what lets the
 * database scan one index range (`{ organisationId, <field> }`) instead of every record of the organisations.
 */
function hull<T extends Date | string>(ranges: readonly { from?: T | null; to?: T | null }[]): Record<string, T> {
  const r: Record<string, T> = {};
  // Dates and `YYYY-MM` keys both order by `<`.
  const ordered = (values: T[]) => values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (ranges.length && ranges.every((x) => x.from)) r.$gte = ordered(ranges.map((x) => x.from as T))[0];
  if (ranges.length && ranges.every((x) => x.to)) r.$lt = ordered(ranges.map((x) => x.to as T)).reverse()[0];
  return r;
}

/**
 * Always an `$or`, even of one branch (a hub's read adds `organisationId: { $in: members }` beside it, which must
 * not replace a branch's own organisation), with the branches' hull on the field beside it.
 */
/**
 * Branches grouped by their range: each group is read by its own command, whose top-level range is then exactly its
 * branches' (a hub's members' edges and the records after the watermark are far apart: one hull over them would
 * scan the whole year between).
 */
function byRange(branches: readonly Branch[]): Branch[][] {
  return groupedBy(branches, (b) => `${b.from?.getTime() ?? ''}|${b.to?.getTime() ?? ''}`);
}

function branchesOn(field: string, branches: readonly Branch[]): Record<string, unknown> {
  const range = hull(branches);
  return { $or: branches.map((b) => onField(field, b)), ...(Object.keys(range).length ? { [field]: range } : {}) };
}

const within = (at: Date, from?: Date | null, to?: Date | null) => (!from || at >= from) && (!to || at < to);

// ---------------------------------------------------------------------------------------------------------------
// Outflows: the ledger's issues

export interface OutflowKey {
  organisationId: Types.ObjectId;
  warehouseId: Types.ObjectId;
  month: string;
  /** The local day (`YYYY-MM-DD`) of records read from the ledger and of daily roll-ups; absent on monthly ones. */
  day?: string;
  purpose: string;
  programmeId: Types.ObjectId | null;
  roundId: Types.ObjectId | null;
}

export interface WeighedOutflow extends OutflowKey, RolledMeasures {
  entries: number;
}

interface OutflowRow {
  key: Omit<OutflowKey, 'programmeId' | 'roundId'>;
  /** The allocation whose programme and round are still to be read, or those already read (`dims`). */
  allocationId: string | null;
  dims?: { programmeId: Types.ObjectId; roundId: Types.ObjectId } | null;
  itemId: Types.ObjectId;
  /** What left, in the item's sub-units (the entries' opposite); negative for a reversed issue taken out. */
  quantity: number;
  entries: number;
}

/**
 * Issue entries whose `at` is in a branch, grouped by bucket and item. An allocation's entries are joined with the
 * allocation for its programme and round in the database (a million entries name tens of thousands of allocations:
 * grouping by allocation would send a row per allocation back).
 */
async function issueRows(
  scope: ReportScope,
  branches: readonly Branch[],
  unreversedOnly: boolean,
): Promise<OutflowRow[]> {
  if (branches.length === 0) return [];
  const ranges = byRange(branches);
  if (ranges.length > 1) {
    return (await Promise.all(ranges.map((part) => issueRows(scope, part, unreversedOnly)))).flat();
  }
  const groups = await aggregateIn<{
    _id: Omit<OutflowKey, 'programmeId' | 'roundId'> & {
      itemId: Types.ObjectId;
      programmeId: Types.ObjectId | null;
      roundId: Types.ObjectId | null;
    };
    quantity: number;
    entries: number;
  }>(
    scope,
    LedgerEntry,
    { type: 'issue', ...(unreversedOnly ? { reversedBy: null } : {}), ...branchesOn('at', branches) },
    [
      {
        $group: {
          _id: {
            organisationId: '$organisationId',
            warehouseId: '$warehouseId',
            itemId: '$itemId',
            day: dayExpression('$at'),
            purpose: '$source.type',
            allocationId: {
              $cond: [
                { $eq: ['$source.type', 'allocation'] },
                { $convert: { input: '$source.id', to: 'objectId', onError: null, onNull: null } },
                null,
              ],
            },
          },
          quantity: { $sum: '$quantity' },
          entries: { $sum: 1 },
        },
      },
      {
        $lookup: {
          from: 'allocations',
          localField: '_id.allocationId',
          foreignField: '_id',
          pipeline: [{ $project: { _id: 0, organisationId: 1, programmeId: 1, roundId: 1 } }],
          as: 'allocation',
        },
      },
      // The allocation of the entry's own organisation (as it always is).
      {
        $addFields: {
          allocation: {
            $first: {
              $filter: {
                input: '$allocation',
                cond: { $eq: ['$$this.organisationId', '$_id.organisationId'] },
              },
            },
          },
        },
      },
      {
        $group: {
          _id: {
            organisationId: '$_id.organisationId',
            warehouseId: '$_id.warehouseId',
            itemId: '$_id.itemId',
            day: '$_id.day',
            purpose: '$_id.purpose',
            programmeId: { $ifNull: ['$allocation.programmeId', null] },
            roundId: { $ifNull: ['$allocation.roundId', null] },
          },
          quantity: { $sum: '$quantity' },
          entries: { $sum: '$entries' },
        },
      },
    ],
  );
  return groups.map((g) => ({
    key: {
      organisationId: g._id.organisationId,
      warehouseId: g._id.warehouseId,
      month: monthOfDay(g._id.day as string),
      day: g._id.day,
      purpose: g._id.purpose,
    },
    allocationId: null,
    dims: g._id.programmeId && g._id.roundId ? { programmeId: g._id.programmeId, roundId: g._id.roundId } : null,
    itemId: g._id.itemId,
    quantity: -g.quantity,
    entries: g.entries,
  }));
}

interface IssueEntry {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  warehouseId: Types.ObjectId;
  itemId: Types.ObjectId;
  quantity: number;
  at: Date;
  source: { type: string; id: string | null };
}

/**
 * The issues that reversal entries with `at` in a branch put back, as rows taking them out again; only those whose
 * own `at` passes `counted` (the reversed issue was counted where it is taken out).
 */
async function reversedIssueRows(
  scope: ReportScope,
  branches: readonly Branch[],
  counted: (issue: IssueEntry) => boolean,
): Promise<OutflowRow[]> {
  if (branches.length === 0) return [];
  const ranges = byRange(branches);
  if (ranges.length > 1) {
    return (await Promise.all(ranges.map((part) => reversedIssueRows(scope, part, counted)))).flat();
  }
  const reversals = await aggregateIn<{ reverses: Types.ObjectId }>(
    scope,
    LedgerEntry,
    { type: 'reversal', quantity: { $gt: 0 }, reverses: { $ne: null }, ...branchesOn('at', branches) },
    [{ $project: { _id: 0, reverses: 1 } }],
  );
  if (reversals.length === 0) return [];
  const originals = await aggregateIn<IssueEntry>(
    scope,
    LedgerEntry,
    { _id: { $in: reversals.map((r) => r.reverses) }, type: 'issue' },
    [{ $project: { organisationId: 1, warehouseId: 1, itemId: 1, quantity: 1, at: 1, source: 1 } }],
  );
  return originals.filter(counted).map((o) => ({
    key: {
      organisationId: o.organisationId,
      warehouseId: o.warehouseId,
      month: monthOfDay(dayOf(o.at)),
      day: dayOf(o.at),
      purpose: o.source.type,
    },
    allocationId: o.source.type === 'allocation' ? o.source.id : null,
    itemId: o.itemId,
    quantity: o.quantity,
    entries: -1,
  }));
}

/** Allocation ids read at a time: each read is one `$in` of ids (a direct lookup on the database). */
const IDS_PER_READ = 1000;

/** Rows weighed with the catalog and summed per bucket, allocations' rows under their programme and round. */
async function weighOutflows(rows: readonly OutflowRow[]): Promise<WeighedOutflow[]> {
  const byOrganisation = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.allocationId) continue;
    const key = String(r.key.organisationId);
    const ids = byOrganisation.get(key) ?? new Set<string>();
    ids.add(r.allocationId);
    byOrganisation.set(key, ids);
  }
  const rounds = new Map<string, { programmeId: Types.ObjectId; roundId: Types.ObjectId }>();
  for (const [organisationId, ids] of byOrganisation) {
    const list = [...ids];
    for (let i = 0; i < list.length; i += IDS_PER_READ) {
      for (const [id, dims] of await programmeRoundsOf(organisationId, list.slice(i, i + IDS_PER_READ))) {
        rounds.set(`${organisationId}:${id}`, dims);
      }
    }
  }
  const items = await catalogItems(rows.map((r) => r.itemId));
  const buckets = new Map<string, { key: OutflowKey; totals: Totals; entries: number }>();
  for (const r of rows) {
    const dims = r.allocationId ? rounds.get(`${String(r.key.organisationId)}:${r.allocationId}`) : r.dims;
    const key: OutflowKey = { ...r.key, programmeId: dims?.programmeId ?? null, roundId: dims?.roundId ?? null };
    const id = JSON.stringify(key);
    const bucket = buckets.get(id) ?? { key, totals: emptyTotals(), entries: 0 };
    addQuantity(bucket.totals, items.get(String(r.itemId)), r.quantity, r.entries);
    bucket.entries += r.entries;
    buckets.set(id, bucket);
  }
  return [...buckets.values()].map((b) => ({ ...b.key, entries: b.entries, ...rolled(b.totals) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Inflows: received donations

export interface InflowKey {
  organisationId: Types.ObjectId;
  donorId: Types.ObjectId;
  month: string;
  /** As an outflow's. */
  day?: string;
}

export interface WeighedInflow extends InflowKey, RolledMeasures {
  donations: number;
  lines: number;
}

/**
 * Donations matching `match` and a branch (on `field`), weighed and summed per organisation, donor and month of
 * receipt, times `sign` (−1: donations taken out). `after` filters what the branches' index range found (a second
 * stage, so that the range on `field` is the one the database's plan scans).
 */
async function donationSums(
  scope: ReportScope,
  field: string,
  branches: readonly Branch[],
  after: Record<string, unknown>,
  sign: 1 | -1,
): Promise<WeighedInflow[]> {
  if (branches.length === 0) return [];
  const ranges = byRange(branches);
  if (ranges.length > 1) {
    return (await Promise.all(ranges.map((part) => donationSums(scope, field, part, after, sign)))).flat();
  }
  const day = dayExpression('$receivedAt');
  const stages = Object.keys(after).length ? [{ $match: after }] : [];
  const [lines, counts] = await Promise.all([
    aggregateIn<{ _id: InflowKey & { itemId: Types.ObjectId }; quantity: number; lines: number }>(
      scope,
      Donation,
      branchesOn(field, branches),
      [
        ...stages,
        // Only what is summed, and the month once per donation: $unwind copies the document once per line.
        { $project: { _id: 0, organisationId: 1, donorId: 1, day, 'lines.itemId': 1, 'lines.quantity': 1 } },
        { $unwind: '$lines' },
        {
          $group: {
            _id: { organisationId: '$organisationId', donorId: '$donorId', day: '$day', itemId: '$lines.itemId' },
            quantity: { $sum: '$lines.quantity' },
            lines: { $sum: 1 },
          },
        },
      ],
    ),
    aggregateIn<{ _id: InflowKey; donations: number }>(scope, Donation, branchesOn(field, branches), [
      ...stages,
      { $group: { _id: { organisationId: '$organisationId', donorId: '$donorId', day }, donations: { $sum: 1 } } },
    ]),
  ]);
  const items = await catalogItems(lines.map((l) => l._id.itemId));
  const buckets = new Map<string, { key: InflowKey; totals: Totals; donations: number; lines: number }>();
  const bucketOf = (k: InflowKey) => {
    const key = {
      organisationId: k.organisationId,
      donorId: k.donorId,
      month: monthOfDay(k.day as string),
      day: k.day,
    };
    const id = JSON.stringify(key);
    const bucket = buckets.get(id) ?? { key, totals: emptyTotals(), donations: 0, lines: 0 };
    buckets.set(id, bucket);
    return bucket;
  };
  for (const c of counts) bucketOf(c._id).donations += sign * c.donations;
  for (const l of lines) {
    const bucket = bucketOf(l._id);
    addQuantity(bucket.totals, items.get(String(l._id.itemId)), sign * l.quantity, sign * l.lines);
    bucket.lines += sign * l.lines;
  }
  return [...buckets.values()].map((b) => ({
    ...b.key,
    donations: b.donations,
    lines: b.lines,
    ...rolled(b.totals),
  }));
}

function rolled(totals: Totals): RolledMeasures {
  return {
    grams: Number(totals.grams),
    cm3: Number(totals.cm3),
    pieces: Number(totals.pieces),
    withoutWeight: totals.withoutWeight,
    withoutVolume: totals.withoutVolume,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading: roll-ups up to the watermark, records after it

/** A view's watermark: every event before it is in the view; null when nothing was ever folded. */
export async function watermarkOf(id: string): Promise<Date | null> {
  const state = await RollupWatermark.findById(id).lean();
  return state?.through ?? null;
}

/** The roll-ups' watermark. */
export const rollupWatermark = (): Promise<Date | null> => watermarkOf(WATERMARK_ID);

/**
 * Runs `read` with the watermark (the roll-ups', or another view's), and again if a fold moved it meanwhile (the view
 * read would then hold events the records read after the old watermark hold too). Folds are minutes apart: a second
 * attempt is rare.
 */
export async function readConsistently<T>(
  read: (through: Date | null) => Promise<T>,
  watermark: () => Promise<Date | null> = rollupWatermark,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const before = await watermark();
    const result = await read(before);
    // Without a watermark no roll-up was read: the records read are all there is, whatever a fold did meanwhile.
    if (before === null) return result;
    const after = await watermark();
    if (before?.getTime() === after?.getTime() || attempt >= 5) return result;
  }
}

/**
 * A part of a report's period for one organisation: whole local months (or days) [from, to) and their keys. A month
 * is read from the monthly roll-ups, a day from the daily ones.
 */
export interface WholeMonths {
  organisationId: Types.ObjectId;
  /** Instants: the first whole month's start (null: since always), the end of the last (null: open). */
  from: Date | null;
  to: Date | null;
  /** The same months as `YYYY-MM` keys (days as `YYYY-MM-DD`), `to` exclusive. */
  fromKey?: string;
  toKey?: string;
}

/** The roll-ups of the parts, on their `year`, `month` or `day` key. */
function keyBranches(parts: readonly WholeMonths[], field: RollupKey): Record<string, unknown> {
  const ranges = parts.map((p) => ({ from: p.fromKey, to: p.toKey }));
  const branch = (p: WholeMonths, i: number) => {
    const r = hull([ranges[i]]);
    return Object.keys(r).length
      ? { organisationId: p.organisationId, [field]: r }
      : { organisationId: p.organisationId };
  };
  const range = hull(ranges);
  return { $or: parts.map(branch), ...(Object.keys(range).length ? { [field]: range } : {}) };
}

type RollupKey = 'year' | 'month' | 'day';

/** The parts grouped by their range of keys, as `byRange` groups branches (one command per range, for its hull). */
function byKeyRange(parts: readonly WholeMonths[]): WholeMonths[][] {
  return groupedBy(parts, (p) => `${p.fromKey ?? ''}|${p.toKey ?? ''}`);
}

/**
 * The roll-ups of each model's parts, on its key, through `pipeline`: one command per range of keys (a quarter's
 * days at its two ends are months apart: one hull over them would read every daily roll-up between).
 */
async function rollupsOf<R>(
  scope: ReportScope,
  reads: readonly (readonly [
    // biome-ignore lint/suspicious/noExplicitAny: the yearly, monthly and daily models of one view
    model: mongoose.Model<any>,
    key: RollupKey,
    parts: readonly WholeMonths[],
    sign: 1 | -1,
  ])[],
  pipeline: PipelineStage[],
  negated: (row: R) => R,
): Promise<R[]> {
  const commands = reads.flatMap(([model, key, parts, sign]) =>
    byKeyRange(parts).map((group) =>
      aggregateIn<R>(scope, model, keyBranches(group, key), pipeline).then((rows) =>
        sign === 1 ? rows : rows.map(negated),
      ),
    ),
  );
  return (await Promise.all(commands)).flat();
}

/** A row's measures and counters with the opposite sign: a roll-up (or records) taken out of a larger one. */
function negatedMeasures<T extends RolledMeasures>(row: T, counters: readonly (keyof T & string)[]): T {
  const out = { ...row } as Record<string, unknown>;
  for (const field of [...MEASURES, ...counters]) out[field] = -(row as unknown as Record<string, number>)[field];
  return out as T;
}

/**
 * What left stock in the whole months and days (monthly and daily roll-ups, and issues after the watermark) and in
 * the rest of the period's ends (`edges`, within a day: issues as they are now), less the months, days and edges
 * taken out again (`less`), per bucket. The issues after the watermark are read for the instants the roll-ups
 * count, net (`covered`).
 */
export async function outflowsOf(
  scope: ReportScope,
  { whole, days, edges, less, covered }: PeriodParts,
): Promise<WeighedOutflow[]> {
  return readConsistently(async (through) => {
    const rolledUp = through
      ? rollupsOf<WeighedOutflow>(
          scope,
          ([1, -1] as const).flatMap((sign) => {
            const parts = sign === 1 ? { whole, days } : less;
            return [
              [OutflowRollup, 'month', parts.whole, sign],
              [OutflowDailyRollup, 'day', parts.days, sign],
            ] as const;
          }),
          [{ $match: { entries: { $ne: 0 } } }, { $project: { _id: 0 } }],
          (row) => negatedMeasures(row, ['entries']),
        )
      : Promise.resolve([]);
    // Issues of the whole months and days after the watermark, as they are now; and the issues the roll-ups counted
    // that a reversal after the watermark put back.
    const after = covered.map((w) => ({ organisationId: w.organisationId, from: later(w.from, through), to: w.to }));
    const reversedSince = through ? covered.map((w) => ({ organisationId: w.organisationId, from: through })) : [];
    const counted = (issue: IssueEntry) =>
      covered.some(
        (w) => w.organisationId.equals(issue.organisationId) && within(issue.at, w.from, earlier(w.to, through)),
      );
    const [rolls, rows] = await Promise.all([
      rolledUp,
      Promise.all([
        issueRows(scope, [...after.filter((a) => !(a.from && a.to && a.from >= a.to)), ...edges], true),
        issueRows(scope, less.edges, true).then((rows) =>
          rows.map((r) => ({ ...r, quantity: -r.quantity, entries: -r.entries })),
        ),
        reversedIssueRows(scope, reversedSince, counted),
      ]).then(([issues, taken, reversed]) => weighOutflows([...issues, ...taken, ...reversed])),
    ]);
    return [...rolls, ...rows];
  });
}

/** Whether the yearly inflow roll-ups hold every year (the watermark's mark). */
async function yearlyRollupsComplete(): Promise<boolean> {
  const state = await RollupWatermark.findById(WATERMARK_ID, { yearly: 1 }).lean();
  return state?.yearly === true;
}

/** Whole years as the same whole months (a local year begins with its January). */
const yearsAsMonths = (w: WholeMonths): WholeMonths => ({
  ...w,
  fromKey: w.fromKey && `${w.fromKey}-01`,
  toKey: w.toKey && `${w.toKey}-01`,
});

/** Inflow sums by donor (`month` null) or by month (`donorId` null), or by both. */
export type InflowSum = Omit<WeighedInflow, 'donorId' | 'month' | 'organisationId'> & {
  donorId: Types.ObjectId | null;
  month: string | null;
};

/**
 * Donations received in the whole years, months and days (roll-ups, and postings and reversals after the watermark)
 * and the edges. The roll-ups (one per donor and year, month or day) are summed in the database by what the report
 * groups by; a year has no month, so a report by month has no whole years.
 */
export async function inflowsOf(
  scope: ReportScope,
  { years, whole, days, edges, less, covered }: PeriodParts,
  by: 'donor' | 'month',
): Promise<InflowSum[]> {
  if (by === 'month' && (years.length || less.years.length)) {
    throw new Error('inflows by month are read from whole months, not years');
  }
  const sum = (field: string) => ({ $sum: `$${field}` });
  return readConsistently(async (through) => {
    // A view folded before the yearly roll-ups existed answers its years from the monthly ones.
    const yearly = through !== null && (await yearlyRollupsComplete());
    const rolledUp = through
      ? rollupsOf<InflowSum & { _id: Types.ObjectId | string }>(
          scope,
          ([1, -1] as const).flatMap((sign) => {
            const parts = sign === 1 ? { years, whole, days } : less;
            return [
              [InflowYearlyRollup, 'year', yearly ? parts.years : [], sign],
              [InflowRollup, 'month', [...parts.whole, ...(yearly ? [] : parts.years.map(yearsAsMonths))], sign],
              [InflowDailyRollup, 'day', parts.days, sign],
            ] as const;
          }),
          [
            { $match: { donations: { $ne: 0 } } },
            {
              $group: {
                _id: by === 'donor' ? '$donorId' : '$month',
                donations: sum('donations'),
                lines: sum('lines'),
                ...Object.fromEntries(MEASURES.map((m) => [m, sum(m)])),
              },
            },
          ],
          (row) => negatedMeasures(row, ['donations', 'lines']),
        ).then((rows) =>
          rows.map(({ _id, ...r }) => ({
            ...r,
            donorId: by === 'donor' ? (_id as Types.ObjectId) : null,
            month: by === 'month' ? (_id as string) : null,
          })),
        )
      : Promise.resolve([]);
    const receivedIn = (parts: readonly Branch[]) => ({ $or: parts.map((p) => onField('receivedAt', p)) });
    const since = covered.map((w) => ({ organisationId: w.organisationId, from: through }));
    const [rolls, posted, reversed, atEdges, takenAtEdges] = await Promise.all([
      rolledUp,
      // Posted after the watermark (all of them when nothing was folded) and still received.
      donationSums(scope, 'postedAt', since, { status: 'received', ...receivedIn(covered) }, 1),
      // Counted by a fold, reversed since.
      through
        ? donationSums(scope, 'reversedAt', since, { postedAt: { $lt: through }, ...receivedIn(covered) }, -1)
        : Promise.resolve([]),
      donationSums(scope, 'receivedAt', edges, { status: 'received' }, 1),
      donationSums(scope, 'receivedAt', less.edges, { status: 'received' }, -1),
    ]);
    return [...rolls, ...posted, ...reversed, ...atEdges, ...takenAtEdges];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Folding

export interface FoldResult {
  /** The watermark before and after ('' when there was none). */
  from: string;
  through: string;
  organisations: number;
  outflowBuckets: number;
  inflowBuckets: number;
  /** Daily roll-ups written (outflows and inflows). */
  dailyBuckets: number;
  /** Yearly roll-ups written (inflows). */
  yearlyBuckets: number;
}

/** Every organisation's id (organisations are few; each one's records are read through its own indexes). */
async function organisationIds(): Promise<Types.ObjectId[]> {
  const found = await Organisation.find({}, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  return found.map((o) => o._id);
}

/**
 * A fold reads its events a week at a time: one command of the database then sums a bounded number of
 * records (a rebuild over a million entries would otherwise hold the embedded database's thread for tens of
 * seconds, longer than the driver's monitor waits for it).
 */
const FOLD_STEP_MS = 7 * 86_400_000;
/** Roll-ups written per command. */
const WRITES_PER_COMMAND = 1000;

/**
 * Whether an organisation has an event before `instant` (an entry, a posted donation: reversals come after what they
 * reverse). Found by an index range that stops at its first hit, never by sorting every entry.
 */
async function hasEventsBefore(organisationId: Types.ObjectId, instant: Date): Promise<boolean> {
  const actor = organisationActor(String(organisationId));
  const [entry, donation] = await Promise.all([
    owned(LedgerEntry, actor).exists({ at: { $lt: instant } }),
    owned(Donation, actor).exists({ postedAt: { $lt: instant } }),
  ]);
  return Boolean(entry || donation);
}

/** The events of [from, through) of one organisation, as bucket deltas. */
async function eventsOf(organisationId: Types.ObjectId, from: Date, through: Date) {
  const scope = ownScope(organisationActor(String(organisationId)));
  const window: Branch = { organisationId, from, to: through };
  const [issues, reversed, posted, unposted] = await Promise.all([
    issueRows(scope, [window], false),
    reversedIssueRows(scope, [window], () => true),
    donationSums(scope, 'postedAt', [window], {}, 1),
    donationSums(scope, 'reversedAt', [window], { postedAt: { $ne: null } }, -1),
  ]);
  return { outflows: await weighOutflows([...issues, ...reversed]), inflows: [...posted, ...unposted] };
}

/** A bucket's identity: with its day in the daily roll-ups, without it in the monthly ones. */
const outflowFilter = (o: OutflowKey) => ({
  organisationId: o.organisationId,
  month: o.month,
  ...(o.day ? { day: o.day } : {}),
  warehouseId: o.warehouseId,
  purpose: o.purpose,
  programmeId: o.programmeId,
  roundId: o.roundId,
});

const inflowFilter = (i: InflowKey) => ({
  organisationId: i.organisationId,
  month: i.month,
  ...(i.day ? { day: i.day } : {}),
  donorId: i.donorId,
});

/** An inflow bucket of a year: the monthly one's key with the year in the month's place. */
type YearlyInflow = Omit<WeighedInflow, 'month' | 'day'> & { year: string };

const yearlyInflowFilter = (i: YearlyInflow) => ({
  organisationId: i.organisationId,
  year: i.year,
  donorId: i.donorId,
});

const INFLOW_COUNTERS = ['donations', 'lines'] as const;

/** The monthly inflow sums summed per year. */
function yearlyInflows(months: readonly WeighedInflow[]): YearlyInflow[] {
  const years = new Sums<YearlyInflow>(yearlyInflowFilter, INFLOW_COUNTERS);
  years.add(months.map(({ month, day: _day, ...row }) => ({ ...row, year: month.slice(0, 4) })));
  return years.nonZero();
}

/** Every collection of the view. */
const ROLLUP_MODELS = [OutflowRollup, InflowRollup, OutflowDailyRollup, InflowDailyRollup, InflowYearlyRollup] as const;

/** Sums of records by key: what several weeks of a fold add to one bucket. */
class Sums<T extends RolledMeasures & { day?: string }> {
  readonly byKey = new Map<string, T>();

  constructor(
    private readonly keyOf: (row: T) => Record<string, unknown>,
    private readonly counters: readonly (keyof T & string)[],
  ) {}

  add(rows: readonly T[]): void {
    for (const row of rows) {
      const id = JSON.stringify(this.keyOf(row));
      const sum = this.byKey.get(id);
      if (!sum) {
        this.byKey.set(id, { ...row });
        continue;
      }
      for (const field of [...MEASURES, ...this.counters]) {
        (sum as unknown as Record<string, number>)[field] += (row as unknown as Record<string, number>)[field];
      }
    }
  }

  /** The sums that change something (a week's issue and its reversal cancel out). */
  nonZero(): T[] {
    return [...this.byKey.values()].filter((row) =>
      [...MEASURES, ...this.counters].some((field) => (row as unknown as Record<string, number>)[field] !== 0),
    );
  }

  /** The daily sums (the records' buckets) summed per month: the same keys without the day. */
  monthly(): T[] {
    const months = new Sums<T>(this.keyOf, this.counters);
    months.add(this.nonZero().map(({ day: _day, ...row }) => row as unknown as T));
    return months.nonZero();
  }
}

async function writeBuckets<T>(
  // biome-ignore lint/suspicious/noExplicitAny: either roll-up model
  model: mongoose.Model<any>,
  buckets: readonly T[],
  filterOf: (bucket: T) => Record<string, unknown>,
  counters: readonly string[],
  replace: boolean,
  session: ClientSession,
): Promise<void> {
  for (let i = 0; i < buckets.length; i += WRITES_PER_COMMAND) {
    const chunk = buckets.slice(i, i + WRITES_PER_COMMAND);
    if (replace) {
      await model.insertMany(chunk, { session, lean: true });
      continue;
    }
    await model.bulkWrite(
      chunk.map((bucket) => {
        const values = bucket as Record<string, number>;
        const inc = Object.fromEntries([...MEASURES, ...counters].map((field) => [field, values[field]]));
        return { updateOne: { filter: filterOf(bucket), update: { $inc: inc }, upsert: true } };
      }),
      { session, ordered: false },
    );
  }
}

/**
 * Folds every event between the watermark and now − SAFETY_LAG into the roll-ups and moves the watermark there, in
 * one transaction whose watermark update is guarded by the value it started from (a concurrent fold makes it fail
 * rather than count twice; the job's lease already keeps folds apart). `rebuild` recomputes the view from nothing
 * and replaces it, in one transaction too. The events are read before that transaction, a week at a time.
 */
export async function foldReportRollups(options: { now?: Date; rebuild?: boolean } = {}): Promise<FoldResult> {
  const through = new Date((options.now ?? new Date()).getTime() - SAFETY_LAG_MS);
  const from = options.rebuild ? null : await rollupWatermark();
  const result: FoldResult = {
    from: from?.toISOString() ?? '',
    through: through.toISOString(),
    organisations: 0,
    outflowBuckets: 0,
    inflowBuckets: 0,
    dailyBuckets: 0,
    yearlyBuckets: 0,
  };
  if (from && from >= through) return { ...result, through: result.from };
  const outflows = new Sums<WeighedOutflow>(outflowFilter, ['entries']);
  const inflows = new Sums<WeighedInflow>(inflowFilter, INFLOW_COUNTERS);
  for (const organisationId of await organisationIds()) {
    // Back from the target a week at a time, to the watermark, or (folding from nothing) until nothing is earlier.
    let counted = false;
    for (let end = through.getTime(); !from || end > from.getTime(); end -= FOLD_STEP_MS) {
      const start = from ? Math.max(end - FOLD_STEP_MS, from.getTime()) : end - FOLD_STEP_MS;
      const events = await eventsOf(organisationId, new Date(start), new Date(end));
      outflows.add(events.outflows);
      inflows.add(events.inflows);
      counted ||= events.outflows.length > 0 || events.inflows.length > 0;
      if (!from && !(await hasEventsBefore(organisationId, new Date(start)))) break;
    }
    if (counted) result.organisations += 1;
  }
  const outflowDays = outflows.nonZero();
  const inflowDays = inflows.nonZero();
  const outflowBuckets = outflows.monthly();
  const inflowBuckets = inflows.monthly();
  const inflowYears = yearlyInflows(inflowBuckets);
  result.outflowBuckets = outflowBuckets.length;
  result.inflowBuckets = inflowBuckets.length;
  result.dailyBuckets = outflowDays.length + inflowDays.length;
  result.yearlyBuckets = inflowYears.length;
  const replace = options.rebuild === true;
  await withTransaction(async (session) => {
    if (replace) {
      await acrossOrganisations('rebuilding the reports’ roll-ups', async () => {
        for (const model of ROLLUP_MODELS) {
          // biome-ignore lint/suspicious/noExplicitAny: the four roll-up models
          await (model as mongoose.Model<any>).deleteMany({}).session(session).exec();
        }
      });
    }
    // Folded from nothing, the yearly roll-ups hold every year; an incremental fold keeps the mark as it was.
    await moveWatermark(WATERMARK_ID, from, through, replace, session, from === null ? { yearly: true } : {});
    await writeBuckets(OutflowRollup, outflowBuckets, outflowFilter, ['entries'], replace, session);
    await writeBuckets(InflowRollup, inflowBuckets, inflowFilter, INFLOW_COUNTERS, replace, session);
    await writeBuckets(OutflowDailyRollup, outflowDays, outflowFilter, ['entries'], replace, session);
    await writeBuckets(InflowDailyRollup, inflowDays, inflowFilter, INFLOW_COUNTERS, replace, session);
    await writeBuckets(InflowYearlyRollup, inflowYears, yearlyInflowFilter, INFLOW_COUNTERS, replace, session);
  });
  return result;
}

/**
 * Moves a view's watermark from `from` to `through` in the fold's transaction (a rebuild replaces it), guarded by the
 * value the fold started from: a concurrent fold makes it fail rather than count twice.
 */
export async function moveWatermark(
  id: string,
  from: Date | null,
  through: Date,
  rebuild: boolean,
  session: ClientSession,
  marks: Partial<Pick<RollupWatermarkRecord, 'yearly'>> = {},
): Promise<void> {
  if (rebuild) await RollupWatermark.deleteOne({ _id: id }).session(session);
  const moved = await RollupWatermark.updateOne(
    { _id: id, through: from },
    { $set: { through, foldedAt: new Date(), ...marks } },
    { session, upsert: from === null },
  );
  if (moved.matchedCount === 0 && moved.upsertedCount === 0) {
    throw new Error(`the view ${id} was folded by another run meanwhile`);
  }
}

/** The roll-ups recomputed from every record (after a change of the catalog's weights, or as a check). */
export function rebuildReportRollups(now?: Date): Promise<FoldResult> {
  return foldReportRollups({ now, rebuild: true });
}
