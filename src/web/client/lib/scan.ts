/**
 * Scans. A handheld scanner types like a keyboard and presses Enter; into a focused field it is just typing, and
 * ScanField takes the Enter. Elsewhere on the page, WedgeBuffer tells a scan from a person typing: a scanner sends
 * its characters a few milliseconds apart, a person far slower.
 *
 * What a code means (resolveScan): an item's barcode or SKU is one base unit of it; a pack's barcode, or the SKU and
 * the pack's unit as printed on Asar's labels ("FOOD-FLOUR/sack"), is one pack, i.e. the pack's quantity.
 */
import { positiveOrNull } from './decimal';
import { addDecimal } from './stock';
import type { Item } from './types';

export interface ScanMatch {
  item: Item;
  /** Quantity in `unit`: 1 of the base unit, or 1 pack. */
  quantity: string;
  unit: string;
}

export function resolveScan(rawCode: string, items: readonly Item[]): ScanMatch | null {
  const code = rawCode.trim().toUpperCase();
  if (!code) return null;
  for (const item of items) {
    const sku = item.sku.toUpperCase();
    if (sku === code || item.barcodes?.some((barcode) => barcode.toUpperCase() === code)) {
      return { item, quantity: '1', unit: item.baseUnit };
    }
    for (const pack of item.packs ?? []) {
      const packBarcodes = (pack as { barcodes?: string[] }).barcodes ?? [];
      if (`${sku}/${pack.unit.toUpperCase()}` === code || packBarcodes.some((b) => b.toUpperCase() === code)) {
        return { item, quantity: '1', unit: pack.unit };
      }
    }
  }
  return null;
}

/** Collects keystrokes that arrive scanner-fast and ends a scan on Enter. */
export class WedgeBuffer {
  private chars = '';
  private last = 0;

  constructor(
    private readonly maxGapMs = 40,
    private readonly minLength = 3,
  ) {}

  /** Feeds one key; answers the scanned code when this key completed one. */
  key(key: string, at: number): string | null {
    const gap = at - this.last;
    this.last = at;
    if (key === 'Enter') {
      const code = this.chars;
      this.chars = '';
      return code.length >= this.minLength && gap <= this.maxGapMs ? code : null;
    }
    if (key.length !== 1) return null;
    this.chars = gap <= this.maxGapMs ? this.chars + key : key;
    return null;
  }
}

/** A line of a form that scans add to (a donation's lines, a handling unit's contents). */
export interface ScannedLine {
  itemId: string | null;
  quantity: string;
  unit: string | null;
}

/**
 * Where a scan goes among a form's lines: onto the line of the same item and unit (its quantity grows by the scan's,
 * exactly), else into the first empty line, else a new line at the end (`index` is then `lines.length`).
 */
export function placeScan(
  lines: readonly ScannedLine[],
  match: ScanMatch,
): { index: number; quantity: string; fresh: boolean } {
  const same = lines.findIndex(
    (line) => line.itemId === match.item.id && (line.unit ?? match.item.baseUnit) === match.unit,
  );
  if (same >= 0) {
    const current = positiveOrNull(lines[same].quantity);
    return { index: same, quantity: current ? addDecimal(current, match.quantity) : match.quantity, fresh: false };
  }
  const blank = lines.findIndex((line) => !line.itemId);
  return { index: blank >= 0 ? blank : lines.length, quantity: match.quantity, fresh: true };
}
