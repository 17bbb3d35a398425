/**
 * Doubts about goods a donation brings in, that a clerk must confirm rather than the API take silently: goods already
 * expired when they arrive (they would be kept apart and never issued), and a line so large it is more likely a
 * wrong unit or a slipped key than a delivery (10^9 t of flour). The answer names each doubtful line, says why, and
 * how to confirm it: `"confirm": ["expired"]` or `"confirm": ["large_quantity"]` on the same request.
 *
 * The format mistakes (a decimal comma, a date as 31.12.2027, a warehouse code for its id) are the HTTP layer's to
 * explain (src/http/clerk-mistakes.ts); these depend on the item and the date, so the service checks them.
 */
import { AppError, type FieldError } from '../../core/errors';
import { type UnitFamily, unitFamily } from '../catalog';

export const RECEIPT_CONFIRMATIONS = ['expired', 'large_quantity'] as const;
export type ReceiptConfirmation = (typeof RECEIPT_CONFIRMATIONS)[number];

/**
 * The most of one item one line brings without confirmation, in sub-units: 10,000 t, 10,000 m³ (what a large ship's
 * hold carries) or a million pieces.
 */
export const LARGE_LINE: Record<UnitFamily, number> = {
  mass: 10_000 * 1_000_000,
  volume: 10_000 * 1_000_000,
  count: 1_000_000,
};
const LARGE_LINE_TEXT: Record<UnitFamily, string> = {
  mass: '10,000 t',
  volume: '10,000 m³',
  count: '1,000,000 pieces',
};

export interface ReceivedLine {
  /** The request field of the line: `lines[2]`. */
  field: string;
  /** As entered: `1000000000` and `t`. */
  enteredQuantity: string;
  enteredUnit: string;
  /** In the item's sub-units. */
  quantity: number;
  baseUnit: string;
  expiryDate: Date | null;
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** Throws UNPROCESSABLE naming every doubtful line that `confirm` does not confirm; returns when there is none. */
export function checkReceivedLines(
  lines: readonly ReceivedLine[],
  receivedAt: Date,
  confirm: readonly ReceiptConfirmation[] = [],
): void {
  const doubts: FieldError[] = [];
  for (const line of lines) {
    if (line.expiryDate && dayOf(line.expiryDate) < dayOf(receivedAt) && !confirm.includes('expired')) {
      doubts.push({
        field: `${line.field}.expiryDate`,
        message: `"${line.field}.expiryDate" ${dayOf(line.expiryDate)} is before the goods arrive (${dayOf(receivedAt)}): expired goods are kept apart and never issued; correct the date, or send "confirm": ["expired"] to receive them for disposal`,
        type: 'receipt.expired',
      });
    }
    const family = unitFamily(line.baseUnit);
    if (line.quantity > LARGE_LINE[family] && !confirm.includes('large_quantity')) {
      doubts.push({
        field: `${line.field}.quantity`,
        message: `"${line.field}.quantity" ${line.enteredQuantity} ${line.enteredUnit} is more than ${LARGE_LINE_TEXT[family]} in one line: check the quantity and its unit, or send "confirm": ["large_quantity"]`,
        type: 'receipt.largeQuantity',
      });
    }
  }
  if (doubts.length === 0) return;
  const [first] = doubts;
  throw new AppError(
    'UNPROCESSABLE',
    doubts.length === 1 && first ? first.message : `${doubts.length} lines need a correction or a confirmation`,
    doubts,
  );
}
