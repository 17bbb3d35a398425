/**
 * What the forms with item lines share (a donation's lines, a handling unit's contents): the units a line may be
 * counted in (the item's base unit or one of its packs), and putting a scan into the lines (see placeScan).
 */
import { placeScan, type ScanMatch, type ScannedLine } from './scan';
import type { Item } from './types';

/** The units an item's line may use, labelled in the user's language. */
export function unitOptions(item: Item | undefined, label: (unit: string) => string) {
  if (!item) return [];
  return [item.baseUnit, ...item.packs.map((pack) => pack.unit)].map((unit) => ({ value: unit, label: label(unit) }));
}

/** The part of a Mantine form this needs: a `lines` list. */
export interface LinesForm<L extends ScannedLine> {
  getValues(): { lines: L[] };
  setFieldValue(path: string, value: unknown): void;
  insertListItem(path: string, item: unknown): void;
}

/** Adds a scan to the form's lines: onto the matching line, into an empty one, or as a new line made by `blank`. */
export function scanIntoLines<L extends ScannedLine>(form: LinesForm<L>, match: ScanMatch, blank: () => L): void {
  const lines = form.getValues().lines;
  const place = placeScan(lines, match);
  if (!place.fresh) {
    form.setFieldValue(`lines.${place.index}.quantity`, place.quantity);
    return;
  }
  const line = { ...blank(), itemId: match.item.id, quantity: place.quantity, unit: match.unit };
  if (place.index < lines.length) form.setFieldValue(`lines.${place.index}`, line);
  else form.insertListItem('lines', line);
}
