/**
 * What every report counts per row: weight (kg and tonnes) and volume (m³) from the shared catalog's integer grams
 * and cm³ per unit, summed exactly in BigInt, and pieces for counted items. A line whose item has no weight (or no
 * volume) is counted apart, so a total never silently leaves goods out.
 */
import type { Types } from 'mongoose';
import type { ItemRecord } from '../catalog';
import { formatRatio, gramsOf, itemsByIds, subUnitsPerBaseUnit, unitFamily } from '../catalog';
import { type Text, text } from './report-labels';
import type { ReportColumn } from './report-table';

export interface Totals {
  grams: bigint;
  cm3: bigint;
  pieces: bigint;
  withoutWeight: number;
  withoutVolume: number;
}

export const emptyTotals = (): Totals => ({ grams: 0n, cm3: 0n, pieces: 0n, withoutWeight: 0, withoutVolume: 0 });

/**
 * Adds `subUnits` of `item` (integer sub-units: grams, millilitres, pieces), held by `lines` lines (stock lines,
 * issue entries, donation lines: negative when they are taken out), to the totals.
 */
export function addQuantity(totals: Totals, item: ItemRecord | undefined, subUnits: number, lines = 1): void {
  const grams = item ? gramsOf(item, subUnits) : null;
  if (grams === null) totals.withoutWeight += lines;
  else totals.grams += grams;
  if (!item || item.volumeCm3PerUnit === null || item.volumeCm3PerUnit === undefined) totals.withoutVolume += lines;
  else {
    const perBase = BigInt(subUnitsPerBaseUnit(item.baseUnit));
    totals.cm3 += (BigInt(subUnits) * BigInt(item.volumeCm3PerUnit) + perBase / 2n) / perBase;
  }
  if (item && unitFamily(item.baseUnit) === 'count') totals.pieces += BigInt(subUnits);
}

/** Adds what a roll-up (or rows weighed like one) already holds. */
export function addMeasures(
  totals: Totals,
  m: { grams: number; cm3: number; pieces: number; withoutWeight: number; withoutVolume: number },
): void {
  totals.grams += BigInt(m.grams);
  totals.cm3 += BigInt(m.cm3);
  totals.pieces += BigInt(m.pieces);
  totals.withoutWeight += m.withoutWeight;
  totals.withoutVolume += m.withoutVolume;
}

export const MEASURE_COLUMNS: ReportColumn[] = [
  { key: 'pieces', header: text('pieces', 'штук', 'дана'), numeric: true },
  { key: 'kg', header: text('kg', 'кг', 'кг'), numeric: true },
  { key: 'tonnes', header: text('tonnes', 'тонн', 'тонна'), numeric: true },
  { key: 'm3', header: text('m³', 'м³', 'м³'), numeric: true },
  { key: 'withoutWeight', header: text('lines without weight', 'строк без веса', 'салмағы жоқ жолдар'), numeric: true },
];

/** Exact decimal strings: kg to the gram, tonnes to the kilogram, m³ to the cm³. */
export function measureCells(totals: Totals): Record<string, string | number> {
  return {
    pieces: String(totals.pieces),
    kg: formatRatio(totals.grams, 1000),
    tonnes: formatRatio((totals.grams + 500n) / 1000n, 1000),
    m3: formatRatio(totals.cm3, 1_000_000),
    withoutWeight: totals.withoutWeight,
  };
}

export const WITHOUT_WEIGHT_NOTE: Text = text(
  'Lines whose item has no weight in the catalog are counted under "lines without weight" and not in kg or tonnes.',
  'Строки, у товара которых в каталоге нет веса, учтены в графе «строк без веса», а не в кг и тоннах.',
  'Каталогта салмағы жоқ тауар жолдары кг мен тоннаға емес, «салмағы жоқ жолдар» бағанында есептелді.',
);

/** The catalog's items by id (the catalog is shared, so no scope applies). */
export async function catalogItems(ids: Iterable<string | Types.ObjectId>): Promise<Map<string, ItemRecord>> {
  const items = await itemsByIds([...new Set([...ids].map(String))]);
  return new Map(items.map((item) => [String(item._id), item]));
}

/**
 * The order `localeCompare` gives (the default locale's collation), from one collator: `localeCompare` sets one up
 * per call, which showed in the profile of a report of 2,000 donors.
 */
export const byLabel = new Intl.Collator().compare;

/** Rows keyed by group, each with its totals; the report's rows come out sorted by printed label. */
export class Groups<E extends { totals: Totals }> {
  readonly byKey = new Map<string, E & { label: Text }>();

  entry(key: string, label: () => Text, make: () => E): E & { label: Text } {
    let found = this.byKey.get(key);
    if (!found) {
      found = { ...make(), label: label() };
      this.byKey.set(key, found);
    }
    return found;
  }

  sorted(lang: 'en' | 'ru' | 'kk' = 'en'): [string, E & { label: Text }][] {
    return [...this.byKey.entries()].sort(([a, x], [b, y]) => byLabel(x.label[lang], y.label[lang]) || byLabel(a, b));
  }
}
