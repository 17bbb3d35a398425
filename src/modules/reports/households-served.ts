/**
 * Households served, as the reports count them (households served by region, round and vulnerability): a small
 * record per household and group it was served under, folded from the hand-overs by the report-rollups job behind a
 * watermark, and the hand-overs recorded since read as they are (the live tail), so a report never joins tens of
 * thousands of hand-overs with their households.
 *
 * - **Records**: for each household an organisation handed something (a hand-over whose outcome is not "none"), one
 *   record for itself (`dimension: 'household'`), one for the region it lived in, one per round, and one per
 *   vulnerability it had (`value: null`: none recorded), each listing every instant it was served under that group
 *   (`servedAt`) and its size at its latest hand-over under it. A household served in a period is a record with an
 *   instant in the period (`$elemMatch`), one record however often it was served: counts are exact distinct counts
 *   over any period, its ends anywhere within a day.
 * - **As served**: the groups come from what the hand-over kept of the household (`HandOverRecord.household`): a
 *   family that moved is counted under the region of each hand-over (in both when a period holds both, once in the
 *   total), and a later change of its record does not rewrite last winter's report. A hand-over recorded before it
 *   kept that is counted with the household as it is now.
 * - **Fold** (`foldHouseholdsServed`): the hand-overs created before the watermark's target (now − SAFETY_LAG,
 *   in whole seconds) and not yet folded, found by their `_id` (an ObjectId: the second the hand-over's transaction
 *   made it; no further index on hand-overs), are added to the records, and the watermark moves, in one transaction.
 *   `rebuild` recomputes every record from the hand-overs.
 * - **Read** (`servedCounts`): the records grouped in the database, leaving out the households of the tail; those
 *   few households are counted here from their records and their recent hand-overs together, so none is counted
 *   twice. `readConsistently` reads again if a fold landed in between.
 */
import mongoose, { Schema, Types } from 'mongoose';
import { withTransaction } from '../../db/transaction';
import { type Actor, acrossOrganisations, organisationActor, owned, ownedByOrganisation } from '../access';
import { HandOver, type HouseholdAtHandOver } from '../distributions';
import { householdsByIds } from '../households';
import { type Window, windowsOf } from './report-period';
import { moveWatermark, readConsistently, SAFETY_LAG_MS, watermarkOf } from './report-rollups';
import { aggregateIn, objectIds, type ReportScope } from './report-scope';

export const SERVED_DIMENSIONS = ['household', 'region', 'round', 'vulnerability'] as const;
export type ServedDimension = (typeof SERVED_DIMENSIONS)[number];
type GroupValue = string | Types.ObjectId | null;

export interface HouseholdServedRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  householdId: Types.ObjectId;
  dimension: ServedDimension;
  /** The region (a code), the round's id, the vulnerability (null: none recorded); null for `household`. */
  value: GroupValue;
  /** Every instant a hand-over served the household under this group (its `handedOverAt`). */
  servedAt: Date[];
  /** People in the household at its latest hand-over under this group. */
  size: number;
}

const servedSchema = new Schema<HouseholdServedRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    householdId: { type: Schema.Types.ObjectId, required: true },
    dimension: { type: String, enum: SERVED_DIMENSIONS, required: true },
    value: { type: Schema.Types.Mixed, default: null },
    servedAt: { type: [Date], default: [] },
    size: { type: Number, required: true },
  },
  { collection: 'households_served', versionKey: false },
);
servedSchema.plugin(ownedByOrganisation);
// One record per household and group (what a fold upserts); its prefix is a report's scan of one organisation's
// records of one dimension.
servedSchema.index({ organisationId: 1, dimension: 1, householdId: 1, value: 1 }, { unique: true });

export const HouseholdServed =
  (mongoose.models.HouseholdServed as mongoose.Model<HouseholdServedRecord> | undefined) ??
  mongoose.model<HouseholdServedRecord>('HouseholdServed', servedSchema);

const WATERMARK_ID = 'households-served';

/** Every hand-over created before this instant (a whole second) is in the records; null: nothing was folded. */
export const servedWatermark = (): Promise<Date | null> => watermarkOf(WATERMARK_ID);

/** The smallest ObjectId made in the second of `at`: hand-overs made before it have smaller `_id`s. */
const firstIdOf = (at: Date) => Types.ObjectId.createFromTime(Math.floor(at.getTime() / 1000));

interface ServedHandOver {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  householdId: Types.ObjectId;
  roundId: Types.ObjectId;
  handedOverAt: Date;
  household?: HouseholdAtHandOver;
}

const HAND_OVER_FIELDS = { organisationId: 1, householdId: 1, roundId: 1, handedOverAt: 1, household: 1 } as const;

/** The hand-overs, each with the household as served (as it is now for one recorded before that was kept). */
async function asServed(
  handOvers: readonly ServedHandOver[],
): Promise<(ServedHandOver & { household: HouseholdAtHandOver })[]> {
  const missing = new Map<string, Types.ObjectId[]>();
  for (const h of handOvers) {
    if (h.household) continue;
    missing.set(String(h.organisationId), [...(missing.get(String(h.organisationId)) ?? []), h.householdId]);
  }
  const now = new Map<string, HouseholdAtHandOver>();
  for (const [organisationId, ids] of missing) {
    for (const [id, h] of await householdsByIds(objectIds(ids), organisationActor(organisationId))) {
      now.set(id, { region: h.address.region, size: h.size, vulnerabilities: h.vulnerabilities ?? [] });
    }
  }
  return handOvers.flatMap((h) => {
    const household = h.household ?? now.get(String(h.householdId));
    return household ? [{ ...h, household }] : [];
  });
}

/** The groups a household served in a round is counted under. */
function groupsOf(household: HouseholdAtHandOver, roundId: Types.ObjectId): [ServedDimension, GroupValue][] {
  const vulnerabilities = [...new Set(household.vulnerabilities ?? [])];
  return [
    ['household', null],
    ['region', household.region],
    ['round', roundId],
    ...(vulnerabilities.length ? vulnerabilities : [null]).map((v): [ServedDimension, GroupValue] => [
      'vulnerability',
      v,
    ]),
  ];
}

const recordKey = (dimension: string, householdId: Types.ObjectId, value: GroupValue) =>
  `${dimension}|${String(householdId)}|${value === null ? '' : String(value)}`;

// ---------------------------------------------------------------------------------------------------------------
// Folding

/** Records written per command. */
const WRITES_PER_COMMAND = 1000;

export interface ServedFoldResult {
  from: string;
  through: string;
  handOvers: number;
  records: number;
}

/**
 * Folds the hand-overs created between the watermark and now − SAFETY_LAG into the records and moves the watermark,
 * in one transaction whose watermark update is guarded by the value it started from (a concurrent fold fails rather
 * than count twice). `rebuild` replaces every record with those of all hand-overs.
 */
export async function foldHouseholdsServed(options: { now?: Date; rebuild?: boolean } = {}): Promise<ServedFoldResult> {
  const target = (options.now ?? new Date()).getTime() - SAFETY_LAG_MS;
  const through = new Date(Math.floor(target / 1000) * 1000);
  const from = options.rebuild ? null : await servedWatermark();
  const result: ServedFoldResult = {
    from: from?.toISOString() ?? '',
    through: through.toISOString(),
    handOvers: 0,
    records: 0,
  };
  if (from && from >= through) return { ...result, through: result.from };
  const ids: Record<string, Types.ObjectId> = { $lt: firstIdOf(through) };
  if (from) ids.$gte = firstIdOf(from);
  const filter = { outcome: { $ne: 'none' as const }, _id: ids };
  const organisationIds = (await acrossOrganisations('folding the households-served records', () =>
    HandOver.distinct('organisationId', filter).exec(),
  )) as Types.ObjectId[];
  const writes: { actor: Actor; records: Omit<HouseholdServedRecord, '_id' | 'organisationId'>[] }[] = [];
  for (const organisationId of organisationIds) {
    const actor = organisationActor(String(organisationId));
    const handOvers = await asServed(
      await owned(HandOver, actor).find(filter, HAND_OVER_FIELDS).sort({ _id: 1 }).lean<ServedHandOver[]>(),
    );
    const records = new Map<string, Omit<HouseholdServedRecord, '_id' | 'organisationId'>>();
    for (const h of handOvers) {
      for (const [dimension, value] of groupsOf(h.household, h.roundId)) {
        const key = recordKey(dimension, h.householdId, value);
        const record = records.get(key) ?? { householdId: h.householdId, dimension, value, servedAt: [], size: 0 };
        record.servedAt.push(h.handedOverAt);
        record.size = h.household.size;
        records.set(key, record);
      }
    }
    result.handOvers += handOvers.length;
    result.records += records.size;
    writes.push({ actor, records: [...records.values()] });
  }
  await withTransaction(async (session) => {
    if (options.rebuild) {
      await acrossOrganisations('rebuilding the households-served records', async () => {
        await HouseholdServed.deleteMany({}).session(session).exec();
      });
    }
    await moveWatermark(WATERMARK_ID, from, through, options.rebuild === true, session);
    for (const { actor, records } of writes) {
      for (let i = 0; i < records.length; i += WRITES_PER_COMMAND) {
        const chunk = records.slice(i, i + WRITES_PER_COMMAND);
        if (options.rebuild) {
          await owned(HouseholdServed, actor).insertMany(chunk, { session, lean: true });
          continue;
        }
        await owned(HouseholdServed, actor).bulkWrite(
          chunk.map((r) => ({
            updateOne: {
              filter: { dimension: r.dimension, householdId: r.householdId, value: r.value },
              update: { $push: { servedAt: { $each: r.servedAt } }, $set: { size: r.size } },
              upsert: true,
            },
          })),
          { session, ordered: false },
        );
      }
    }
  });
  return result;
}

/** Every record recomputed from every hand-over (after this view changes, or as a check). */
export function rebuildHouseholdsServed(now?: Date): Promise<ServedFoldResult> {
  return foldHouseholdsServed({ now, rebuild: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface Period {
  from?: Date;
  to?: Date;
}

/** The records with an instant in their organisation's window (one `$elemMatch` per organisation). */
function servedIn(windows: readonly Window[]): Record<string, unknown> {
  const branches = windows.map((w) => {
    const range: Record<string, Date> = {};
    if (w.from) range.$gte = w.from;
    if (w.to) range.$lt = w.to;
    // Every record has an instant: without bounds, every record of the organisation.
    return Object.keys(range).length
      ? { organisationId: w.organisationId, servedAt: { $elemMatch: range } }
      : { organisationId: w.organisationId };
  });
  // No organisation counts within the period: a branch that matches nothing.
  return { $or: branches.length ? branches : [{ organisationId: null }] };
}

export interface ServedCount {
  /** The group's value: a region, a round's id, a vulnerability (null: none recorded). */
  _id: GroupValue;
  households: number;
  people: number;
}

/**
 * Households served in the period under each group of `dimension` (`rows`, several per value possible: their sums
 * are the group's) and in all (`total`), each counted once.
 */
export function servedCounts(
  scope: ReportScope,
  period: Period,
  dimension: Exclude<ServedDimension, 'household'>,
): Promise<{ rows: ServedCount[]; total: { households: number; people: number } }> {
  const windows = windowsOf(scope, period);
  const counts = (organisationId: Types.ObjectId, at: Date) =>
    windows.some((w) => w.organisationId.equals(organisationId) && (!w.from || at >= w.from) && (!w.to || at < w.to));
  return readConsistently(async (through) => {
    // The tail: hand-overs made since the watermark (every one when nothing was folded).
    const tail = await asServed(
      await aggregateIn<ServedHandOver>(
        scope,
        HandOver,
        { outcome: { $ne: 'none' }, ...(through ? { _id: { $gte: firstIdOf(through) } } : {}) },
        [{ $project: HAND_OVER_FIELDS }],
      ),
    );
    const tailIds = objectIds(tail.map((h) => h.householdId));
    const group = (d: ServedDimension, by: string | null) =>
      aggregateIn<ServedCount>(
        scope,
        HouseholdServed,
        { dimension: d, ...(tailIds.length ? { householdId: { $nin: tailIds } } : {}), ...servedIn(windows) },
        [{ $group: { _id: by, households: { $sum: 1 }, people: { $sum: '$size' } } }],
      );
    const [rows, [total], tailRecords] = await Promise.all([
      group(dimension, '$value'),
      group('household', null),
      tailIds.length
        ? aggregateIn<Omit<HouseholdServedRecord, '_id'>>(
            scope,
            HouseholdServed,
            { dimension: { $in: [dimension, 'household'] }, householdId: { $in: tailIds } },
            [{ $project: { _id: 0 } }],
          )
        : [],
    ]);
    // The tail's households: each group's folded record and recent hand-overs together.
    const groups = new Map<string, { dimension: ServedDimension; value: GroupValue; size: number; served: boolean }>();
    for (const r of tailRecords) {
      groups.set(recordKey(r.dimension, r.householdId, r.value), {
        dimension: r.dimension,
        value: r.value,
        size: r.size,
        served: r.servedAt.some((at) => counts(r.organisationId, at)),
      });
    }
    for (const h of [...tail].sort((a, b) => (a._id.toHexString() < b._id.toHexString() ? -1 : 1))) {
      for (const [d, value] of groupsOf(h.household, h.roundId)) {
        if (d !== dimension && d !== 'household') continue;
        const key = recordKey(d, h.householdId, value);
        const entry = groups.get(key) ?? { dimension: d, value, size: 0, served: false };
        entry.size = h.household.size;
        entry.served ||= counts(h.organisationId, h.handedOverAt);
        groups.set(key, entry);
      }
    }
    const all = { households: total?.households ?? 0, people: total?.people ?? 0 };
    for (const g of groups.values()) {
      if (!g.served) continue;
      if (g.dimension === 'household') {
        all.households += 1;
        all.people += g.size;
      } else rows.push({ _id: g.value, households: 1, people: g.size });
    }
    return { rows, total: all };
  }, servedWatermark);
}
