/**
 * Weights and volumes of handling units and shipments, in exact integers: grams for weight, cm³ for volume. A line
 * weighs what its item weighs per unit (catalog), a unit adds its tare (or is weighed: declared gross), nested units
 * count inside their parent, and the shipment's totals are sums over its top-level units. Pure functions of records.
 */
import type { ItemRecord } from '../catalog';
import { gramsOf, subUnitsPerBaseUnit } from '../catalog';
import type { HandlingUnitLine, HandlingUnitRecord } from './shipments.model';

export interface UnitTotals {
  netGrams: bigint;
  grossGrams: bigint;
  volumeCm3: bigint;
  /** Lines whose item has no weight in the catalog (their weight is missing from the totals). */
  linesWithoutWeight: number;
}

export interface ShipmentTotals extends UnitTotals {
  /** Top-level units (pallets, loose boxes): what the carrier counts. */
  packages: number;
  units: number;
  lines: number;
}

export type ItemsById = ReadonlyMap<string, Pick<ItemRecord, 'baseUnit' | 'weightGramsPerUnit' | 'volumeCm3PerUnit'>>;

export function lineGrams(line: Pick<HandlingUnitLine, 'itemId' | 'quantity'>, items: ItemsById): bigint | null {
  const item = items.get(String(line.itemId));
  const grams = item ? gramsOf(item, line.quantity) : null;
  return grams === null ? null : BigInt(grams);
}

export function lineVolumeCm3(line: Pick<HandlingUnitLine, 'itemId' | 'quantity'>, items: ItemsById): bigint | null {
  const item = items.get(String(line.itemId));
  if (!item || item.volumeCm3PerUnit == null) return null;
  const perBase = BigInt(subUnitsPerBaseUnit(item.baseUnit));
  // Rounded to the nearest cm³ (only a gram- or millilitre-based item can land between two).
  return (BigInt(line.quantity) * BigInt(item.volumeCm3PerUnit) * 2n + perBase) / (perBase * 2n);
}

/**
 * Totals of every unit, its children included, keyed by unit id. A unit's volume is declared, or its outer
 * dimensions, or the sum of what it holds.
 */
export function unitTotals(units: readonly HandlingUnitRecord[], items: ItemsById): Map<string, UnitTotals> {
  const children = new Map<string, HandlingUnitRecord[]>();
  for (const unit of units) {
    if (!unit.parentId) continue;
    const key = String(unit.parentId);
    children.set(key, [...(children.get(key) ?? []), unit]);
  }
  const done = new Map<string, UnitTotals>();
  const visit = (unit: HandlingUnitRecord): UnitTotals => {
    const id = String(unit._id);
    const known = done.get(id);
    if (known) return known;
    let ownNet = 0n;
    let contentsVolume = 0n;
    let missing = 0;
    for (const line of unit.lines) {
      const grams = lineGrams(line, items);
      if (grams === null) missing += 1;
      else ownNet += grams;
      contentsVolume += lineVolumeCm3(line, items) ?? 0n;
    }
    let childrenNet = 0n;
    let childrenGross = 0n;
    for (const child of children.get(id) ?? []) {
      const t = visit(child);
      childrenNet += t.netGrams;
      childrenGross += t.grossGrams;
      contentsVolume += t.volumeCm3;
      missing += t.linesWithoutWeight;
    }
    const net = ownNet + childrenNet;
    const gross =
      unit.grossGrams !== null && unit.grossGrams !== undefined
        ? BigInt(unit.grossGrams)
        : ownNet + childrenGross + BigInt(unit.tareGrams ?? 0);
    const d = unit.dimensionsMm;
    const volume =
      unit.volumeCm3 !== null && unit.volumeCm3 !== undefined
        ? BigInt(unit.volumeCm3)
        : d
          ? (BigInt(d.length) * BigInt(d.width) * BigInt(d.height) + 500n) / 1000n
          : contentsVolume;
    const totals = { netGrams: net, grossGrams: gross, volumeCm3: volume, linesWithoutWeight: missing };
    done.set(id, totals);
    return totals;
  };
  for (const unit of units) visit(unit);
  return done;
}

/** The shipment's totals: sums over its top-level units (their children inside them). */
export function shipmentTotals(units: readonly HandlingUnitRecord[], items: ItemsById): ShipmentTotals {
  const perUnit = unitTotals(units, items);
  const ids = new Set(units.map((u) => String(u._id)));
  const top = units.filter((u) => !u.parentId || !ids.has(String(u.parentId)));
  const totals: ShipmentTotals = {
    packages: top.length,
    units: units.length,
    lines: units.reduce((sum, u) => sum + u.lines.length, 0),
    netGrams: 0n,
    grossGrams: 0n,
    volumeCm3: 0n,
    linesWithoutWeight: 0,
  };
  for (const unit of top) {
    const t = perUnit.get(String(unit._id)) as UnitTotals;
    totals.netGrams += t.netGrams;
    totals.grossGrams += t.grossGrams;
    totals.volumeCm3 += t.volumeCm3;
    totals.linesWithoutWeight += t.linesWithoutWeight;
  }
  return totals;
}
