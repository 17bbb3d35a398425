/**
 * Monthly roll-ups of what left stock: the sums the outflow reports read instead of scanning the ledger.
 *
 * One record per organisation, local month (Kazakhstan time, src/core/local-time.ts), warehouse, item, purpose (the
 * source document's type: a direct issue, an allocation's hand-over, ...) and, for goods handed out in a programme's
 * round, that programme and round. It holds the signed sum of the issue entries' quantities and how many there were.
 *
 * It is written by the stock operation that writes the entries, in the same transaction (StockOperation.flush), so
 * it never lags the ledger and never disagrees with it: an issue adds to its bucket; the reversal of an issue (a
 * mistake corrected) takes the reversed entry out of the bucket it was counted in, which is what the outflow reports
 * always meant by "issue entries not reversed". Only issues are rolled up: receipts, moves and transfers, the hot
 * paths of a warehouse, write nothing more. Owned by the organisation like the ledger (owned(), the plugin).
 */
import mongoose, { type ClientSession, Schema, type Types } from 'mongoose';
import { monthExpression, monthOf } from '../../core/local-time';
import { acrossOrganisations, ownedByOrganisation } from '../access';
import { LedgerEntry, type LedgerEntryRecord } from './stock.model';

/** What an issue was for, beyond its source document: the programme and round a hand-over served. */
export interface OutflowDimensions {
  programmeId: Types.ObjectId;
  roundId: Types.ObjectId;
}

export interface OutflowRollupRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  /** `YYYY-MM`, local. */
  month: string;
  warehouseId: Types.ObjectId;
  itemId: Types.ObjectId;
  /** The issue entries' `source.type`. */
  purpose: string;
  programmeId: Types.ObjectId | null;
  roundId: Types.ObjectId | null;
  /** Signed sum of the entries' quantities (issues are negative), integer sub-units of the item. */
  quantity: number;
  /** How many issue entries are counted. */
  entries: number;
}

const rollupSchema = new Schema<OutflowRollupRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true },
    month: { type: String, required: true },
    warehouseId: { type: Schema.Types.ObjectId, required: true },
    itemId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, required: true },
    programmeId: { type: Schema.Types.ObjectId, default: null },
    roundId: { type: Schema.Types.ObjectId, default: null },
    quantity: { type: Number },
    entries: { type: Number },
  },
  { collection: 'outflow_rollups', versionKey: false },
);
rollupSchema.plugin(ownedByOrganisation);
// The bucket's identity (the upsert's key), led by the organisation and the month: a report's read of a range of
// months is one index range per organisation.
rollupSchema.index(
  { organisationId: 1, month: 1, warehouseId: 1, itemId: 1, purpose: 1, programmeId: 1, roundId: 1 },
  { unique: true },
);

export const OutflowRollup =
  (mongoose.models.OutflowRollup as mongoose.Model<OutflowRollupRecord> | undefined) ??
  mongoose.model<OutflowRollupRecord>('OutflowRollup', rollupSchema);

type RolledEntry = Pick<
  LedgerEntryRecord,
  '_id' | 'organisationId' | 'type' | 'quantity' | 'warehouseId' | 'itemId' | 'source' | 'at' | 'reverses'
>;

interface Bucket {
  key: Record<string, unknown>;
  quantity: number;
  entries: number;
}

function bucketOf(entry: RolledEntry, dimensions: OutflowDimensions | null): Record<string, unknown> {
  return {
    organisationId: entry.organisationId,
    month: monthOf(entry.at),
    warehouseId: entry.warehouseId,
    itemId: entry.itemId,
    purpose: entry.source.type,
    programmeId: dimensions?.programmeId ?? null,
    roundId: dimensions?.roundId ?? null,
  };
}

/**
 * Adds an operation's issue entries to their buckets, and takes reversed issues out of theirs, in the operation's
 * transaction. `dimensions` are the operation's (a hand-over's programme and round). A reversal finds the entries
 * it reverses (one read, only when it puts goods back) to know their month and purpose.
 */
export async function rollUpOutflows(
  entries: readonly RolledEntry[],
  dimensions: OutflowDimensions | null,
  session: ClientSession,
): Promise<void> {
  const buckets = new Map<string, Bucket>();
  const add = (entry: RolledEntry, dims: OutflowDimensions | null, quantity: number, count: number) => {
    const key = bucketOf(entry, dims);
    const id = JSON.stringify(key);
    const bucket = buckets.get(id) ?? { key, quantity: 0, entries: 0 };
    bucket.quantity += quantity;
    bucket.entries += count;
    buckets.set(id, bucket);
  };
  for (const entry of entries) if (entry.type === 'issue') add(entry, dimensions, entry.quantity, 1);
  const reversed = entries.filter((e) => e.type === 'reversal' && e.reverses && e.quantity > 0).map((e) => e.reverses);
  if (reversed.length > 0) {
    const organisationId = entries[0].organisationId;
    const originals = await LedgerEntry.find({ organisationId, _id: { $in: reversed }, type: 'issue' })
      .session(session)
      .lean<RolledEntry[]>();
    const rolled = originals.length
      ? await OutflowRollup.find({
          organisationId,
          month: { $in: [...new Set(originals.map((o) => monthOf(o.at)))] },
          warehouseId: { $in: originals.map((o) => o.warehouseId) },
          itemId: { $in: originals.map((o) => o.itemId) },
          purpose: { $in: originals.map((o) => o.source.type) },
        })
          .session(session)
          .lean<OutflowRollupRecord[]>()
      : [];
    for (const original of originals) {
      // The reversed entry was counted with the dimensions its operation had: the bucket of its month, warehouse,
      // item and purpose. Direct issues (the reversible ones) have none; a bucket with dimensions is taken only when
      // it is the one such bucket, never guessed between several.
      const candidates = rolled.filter(
        (r) =>
          r.month === monthOf(original.at) &&
          r.warehouseId.equals(original.warehouseId) &&
          r.itemId.equals(original.itemId) &&
          r.purpose === original.source.type,
      );
      const chosen = candidates.find((r) => r.programmeId === null) ?? (candidates.length === 1 ? candidates[0] : null);
      // Unreachable today (hand-overs are not reversed through the ledger): refuse rather than count it wrongly.
      if (!chosen) throw new Error(`the outflow bucket of reversed issue ${String(original._id)} is not known`);
      const dims =
        chosen.programmeId && chosen.roundId ? { programmeId: chosen.programmeId, roundId: chosen.roundId } : null;
      add(original, dims, -original.quantity, -1);
    }
  }
  if (buckets.size === 0) return;
  await OutflowRollup.bulkWrite(
    [...buckets.values()].map((b) => ({
      updateOne: {
        filter: b.key,
        update: { $inc: { quantity: b.quantity, entries: b.entries } },
        upsert: true,
      },
    })),
    { session, ordered: false },
  );
}

/**
 * Rebuilds an organisation's roll-ups from its ledger (entries written before roll-ups existed, or a check):
 * every issue entry not reversed, by bucket. `dimensionsOf` names the programme and round of allocations' entries
 * (the distributions module knows them). Runs in the caller's transaction, or without one (null) when nothing else
 * writes meanwhile (a benchmark's fixture, a maintenance window).
 */
export async function rebuildOutflowRollups(
  organisationId: Types.ObjectId,
  dimensionsOf: (sourceType: string, sourceIds: string[]) => Promise<Map<string, OutflowDimensions>>,
  session: ClientSession | null,
): Promise<number> {
  const groups = await LedgerEntry.aggregate<{
    _id: {
      sourceType: string;
      sourceId: string | null;
      warehouseId: Types.ObjectId;
      itemId: Types.ObjectId;
      month: string;
    };
    quantity: number;
    entries: number;
  }>([
    { $match: { organisationId, type: 'issue', reversedBy: null } },
    {
      $group: {
        _id: {
          sourceType: '$source.type',
          sourceId: '$source.id',
          warehouseId: '$warehouseId',
          itemId: '$itemId',
          month: monthExpression('$at'),
        },
        quantity: { $sum: '$quantity' },
        entries: { $sum: 1 },
      },
    },
  ]).session(session);
  const bySourceType = new Map<string, Set<string>>();
  for (const g of groups) {
    if (!g._id.sourceId) continue;
    const ids = bySourceType.get(g._id.sourceType) ?? new Set<string>();
    ids.add(g._id.sourceId);
    bySourceType.set(g._id.sourceType, ids);
  }
  const dimensions = new Map<string, OutflowDimensions>();
  for (const [type, ids] of bySourceType) {
    for (const [id, dims] of await dimensionsOf(type, [...ids])) dimensions.set(`${type}:${id}`, dims);
  }
  const buckets = new Map<string, Bucket>();
  for (const g of groups) {
    const dims = g._id.sourceId ? (dimensions.get(`${g._id.sourceType}:${g._id.sourceId}`) ?? null) : null;
    const key = {
      organisationId,
      month: g._id.month,
      warehouseId: g._id.warehouseId,
      itemId: g._id.itemId,
      purpose: g._id.sourceType,
      programmeId: dims?.programmeId ?? null,
      roundId: dims?.roundId ?? null,
    };
    const id = JSON.stringify(key);
    const bucket = buckets.get(id) ?? { key, quantity: 0, entries: 0 };
    bucket.quantity += g.quantity;
    bucket.entries += g.entries;
    buckets.set(id, bucket);
  }
  await OutflowRollup.deleteMany({ organisationId }).session(session);
  if (buckets.size > 0) {
    await OutflowRollup.insertMany(
      [...buckets.values()].map((b) => ({ ...b.key, quantity: b.quantity, entries: b.entries })),
      { session, lean: true },
    );
  }
  return buckets.size;
}

/** The organisations that have ledger entries (for a rebuild of every organisation's roll-ups). */
export async function organisationsWithLedger(): Promise<Types.ObjectId[]> {
  return acrossOrganisations('rebuilding every organisation’s outflow roll-ups', () =>
    LedgerEntry.distinct('organisationId').exec(),
  ) as Promise<Types.ObjectId[]>;
}
