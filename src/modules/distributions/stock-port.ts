/**
 * What distributions ask of the stock module, in one place: reserve an allocation line, release what it still holds,
 * issue a hand-over against it. Every call runs in the caller's transaction; only modules/stock writes balances,
 * reservations and the ledger. The source of every reservation is `{ type: 'allocation', id, line: itemId }`.
 * Quantities are integers of the item's sub-unit (`unit`), as entitlements are computed.
 */
import type { ClientSession, Types } from 'mongoose';
import { AppError } from '../../core/errors';
import type { Actor } from '../access';
import * as stock from '../stock';

export interface AllocationLineRef {
  allocationId: Types.ObjectId;
  itemId: Types.ObjectId;
  /** The item's sub-unit ('piece', 'kit', 'g'): the unit of every quantity here. */
  unit: string;
  /** The hand-over's number, recorded on the ledger entries. */
  number?: string;
  /** The programme and round served: the outflow reports count by them. */
  programmeId?: Types.ObjectId;
  roundId?: Types.ObjectId;
}

export const { queuedOnStock } = stock;

function sourceOf(ref: AllocationLineRef) {
  return { type: 'allocation', id: String(ref.allocationId), line: String(ref.itemId) };
}

/**
 * Reserves `quantity`, or as much of it as is free (issuable, FEFO) when stock is short; answers how much it
 * reserved. A shortage is not an error for an allocation: the due list shows it.
 */
export async function reserveUpTo(
  ref: AllocationLineRef,
  warehouseId: Types.ObjectId,
  quantity: number,
  actor: Actor,
  session: ClientSession,
): Promise<number> {
  const input = { warehouseId: String(warehouseId), itemId: String(ref.itemId), unit: ref.unit, source: sourceOf(ref) };
  try {
    return (await stock.reserve({ ...input, quantity }, actor, session)).quantity;
  } catch (error) {
    // The stock service checks what is free before it writes anything: after this refusal nothing was reserved.
    if (!(error instanceof AppError) || error.code !== 'INSUFFICIENT_STOCK') throw error;
    const available = Number((error.details as { available?: unknown }).available ?? 0);
    if (!(available > 0 && available < quantity)) return 0;
    return (await stock.reserve({ ...input, quantity: available }, actor, session)).quantity;
  }
}

/** Releases what the line's reservations still hold; answers how much. */
export async function releaseLine(ref: AllocationLineRef, actor: Actor, session: ClientSession): Promise<number> {
  return (await stock.release({ source: sourceOf(ref), itemId: String(ref.itemId) }, actor, session)).quantity;
}

/** Issues `quantity` against the line's reservations (a hand-over). */
export async function issueLine(
  ref: AllocationLineRef,
  quantity: number,
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  if (quantity <= 0) return;
  await stock.issueReserved(
    {
      source: sourceOf(ref),
      itemId: String(ref.itemId),
      quantity,
      unit: ref.unit,
      number: ref.number,
      reason: 'distribution',
    },
    actor,
    session,
  );
}
