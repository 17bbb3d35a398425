/**
 * The records of the reports' materialised view (report-rollups.ts): monthly and daily sums of what left stock and of
 * what donors gave (and yearly ones of what donors gave), without the item (weights and volumes are applied when entries are folded in), and the one
 * watermark that says up to which instant they hold every event. Monthly roll-ups answer a report's whole months;
 * daily ones the whole days of the partial months at its ends (a report from the 14th reads 17 daily roll-ups, not
 * the ledger's entries of those days).
 *
 * Roll-ups are owned by their organisation like the records they sum (`ownedByOrganisation`, keys led by
 * `organisationId`). The watermark is the system's own: one record for both views, moved in the same transaction as
 * the roll-ups it covers, so a reader that sees it unchanged before and after its reads saw a consistent view.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';

/** What a roll-up sums, exact integers: grams, cm³, pieces of counted items, and lines without weight or volume. */
export interface RolledMeasures {
  grams: number;
  cm3: number;
  pieces: number;
  withoutWeight: number;
  withoutVolume: number;
}

const measureFields = {
  grams: { type: Number, default: 0 },
  cm3: { type: Number, default: 0 },
  pieces: { type: Number, default: 0 },
  withoutWeight: { type: Number, default: 0 },
  withoutVolume: { type: Number, default: 0 },
};

/** Issues not reversed, per organisation, local month of the entry, warehouse, purpose, programme and round. */
export interface OutflowRollupRecord extends RolledMeasures {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  /** `YYYY-MM`, Kazakhstan's time. */
  month: string;
  warehouseId: Types.ObjectId;
  /** The issue entries' `source.type`. */
  purpose: string;
  programmeId: Types.ObjectId | null;
  roundId: Types.ObjectId | null;
  /** Issue entries counted (a reversed one taken out again). */
  entries: number;
}

const outflowFields = {
  organisationId: { type: Schema.Types.ObjectId, required: true },
  month: { type: String, required: true },
  warehouseId: { type: Schema.Types.ObjectId, required: true },
  purpose: { type: String, required: true },
  programmeId: { type: Schema.Types.ObjectId, default: null },
  roundId: { type: Schema.Types.ObjectId, default: null },
  entries: { type: Number, default: 0 },
  ...measureFields,
};

const outflowSchema = new Schema<OutflowRollupRecord>(outflowFields, {
  collection: 'outflow_rollups',
  versionKey: false,
});
outflowSchema.plugin(ownedByOrganisation);
// The bucket's identity, led by the organisation and the month: a report's months are one index range per member.
outflowSchema.index(
  { organisationId: 1, month: 1, warehouseId: 1, purpose: 1, programmeId: 1, roundId: 1 },
  { unique: true },
);

export const OutflowRollup =
  (mongoose.models.OutflowRollup as mongoose.Model<OutflowRollupRecord> | undefined) ??
  mongoose.model<OutflowRollupRecord>('OutflowRollup', outflowSchema);

/**
 * The daily twin of a monthly roll-up: the same fields and `day` (`YYYY-MM-DD`, local; `month` is its month), its
 * identity the monthly one's with the day in the month's place.
 */
function dailyModel<T extends { day: string }>(
  name: string,
  collection: string,
  fields: Record<string, unknown>,
  key: Record<string, 1>,
): mongoose.Model<T> {
  const existing = mongoose.models[name] as mongoose.Model<T> | undefined;
  if (existing) return existing;
  const schema = new Schema<T>({ ...fields, day: { type: String, required: true } }, { collection, versionKey: false });
  schema.plugin(ownedByOrganisation);
  schema.index({ organisationId: 1, day: 1, ...key }, { unique: true });
  return mongoose.model<T>(name, schema);
}

export interface OutflowDailyRollupRecord extends OutflowRollupRecord {
  day: string;
}

export const OutflowDailyRollup = dailyModel<OutflowDailyRollupRecord>(
  'OutflowDailyRollup',
  'outflow_daily_rollups',
  outflowFields,
  { warehouseId: 1, purpose: 1, programmeId: 1, roundId: 1 },
);

/** Received donations not reversed, per organisation, local month of receipt and donor. */
export interface InflowRollupRecord extends RolledMeasures {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  month: string;
  donorId: Types.ObjectId;
  donations: number;
  lines: number;
}

const inflowFields = {
  organisationId: { type: Schema.Types.ObjectId, required: true },
  month: { type: String, required: true },
  donorId: { type: Schema.Types.ObjectId, required: true },
  donations: { type: Number, default: 0 },
  lines: { type: Number, default: 0 },
  ...measureFields,
};

const inflowSchema = new Schema<InflowRollupRecord>(inflowFields, { collection: 'inflow_rollups', versionKey: false });
inflowSchema.plugin(ownedByOrganisation);
inflowSchema.index({ organisationId: 1, month: 1, donorId: 1 }, { unique: true });

export const InflowRollup =
  (mongoose.models.InflowRollup as mongoose.Model<InflowRollupRecord> | undefined) ??
  mongoose.model<InflowRollupRecord>('InflowRollup', inflowSchema);

export interface InflowDailyRollupRecord extends InflowRollupRecord {
  day: string;
}

export const InflowDailyRollup = dailyModel<InflowDailyRollupRecord>(
  'InflowDailyRollup',
  'inflow_daily_rollups',
  inflowFields,
  { donorId: 1 },
);

/**
 * The yearly sums of the inflows' monthly roll-ups (`year`: `YYYY`, local, in the month's place): a year by donor is
 * then one roll-up per donor, not twelve (2,000 donors give 24,000 monthly roll-ups a year). Only the inflows have
 * them: the outflows' buckets are few.
 */
export interface InflowYearlyRollupRecord extends Omit<InflowRollupRecord, 'month'> {
  year: string;
}

const { month: _month, ...inflowFieldsWithoutMonth } = inflowFields;
const inflowYearlySchema = new Schema<InflowYearlyRollupRecord>(
  { ...inflowFieldsWithoutMonth, year: { type: String, required: true } },
  { collection: 'inflow_yearly_rollups', versionKey: false },
);
inflowYearlySchema.plugin(ownedByOrganisation);
inflowYearlySchema.index({ organisationId: 1, year: 1, donorId: 1 }, { unique: true });

export const InflowYearlyRollup =
  (mongoose.models.InflowYearlyRollup as mongoose.Model<InflowYearlyRollupRecord> | undefined) ??
  mongoose.model<InflowYearlyRollupRecord>('InflowYearlyRollup', inflowYearlySchema);

export const WATERMARK_ID = 'report-rollups';

export interface RollupWatermarkRecord {
  _id: string;
  /** Every event (an issue, a reversal, a donation posted or reversed) before this instant is in the roll-ups. */
  through: Date;
  foldedAt: Date;
  /**
   * The yearly inflow roll-ups hold every year (set by a fold from nothing: a rebuild, or the first fold). A view
   * folded before they existed lacks it until its next rebuild, and its years are read from the monthly roll-ups.
   */
  yearly?: boolean;
}

const watermarkSchema = new Schema<RollupWatermarkRecord>(
  {
    _id: { type: String, required: true },
    through: { type: Date, required: true },
    foldedAt: { type: Date, required: true },
    yearly: { type: Boolean },
  },
  { collection: 'report_rollup_watermarks', versionKey: false },
);

export const RollupWatermark =
  (mongoose.models.RollupWatermark as mongoose.Model<RollupWatermarkRecord> | undefined) ??
  mongoose.model<RollupWatermarkRecord>('RollupWatermark', watermarkSchema);
