/**
 * What distributions ask of the stock module, in one place: reserve an allocation line, release what it still holds,
 * issue a hand-over against it. Every call runs in the caller's transaction; only modules/stock writes balances,
 * reservations and the ledger.
 */
import type { ClientSession, Types } from 'mongoose';
import type { Actor } from '../access/permissions';
import * as stock from '../stock/stock.service';

export interface AllocationLineRef {
  allocationId: Types.ObjectId;
  itemId: Types.ObjectId;
  number?: string;
}

function sourceOf(ref: AllocationLineRef) {
  return { type: 'allocation', id: String(ref.allocationId), line: String(ref.itemId) };
}

/** Reserves up to `quantity` of the item in the warehouse (issuable stock, FEFO); answers how much it reserved. */
export async function reserveUpTo(
  ref: AllocationLineRef,
  warehouseId: Types.ObjectId,
  quantity: number,
  actor: Actor,
  session: ClientSession,
): Promise<number> {
  const reserved = await stock.reserveUpTo(
    { warehouseId: String(warehouseId), itemId: String(ref.itemId), quantity, source: sourceOf(ref) },
    actor,
    session,
  );
  return reserved;
}

/** Releases what the line's reservations still hold; answers how much. */
export async function releaseLine(ref: AllocationLineRef, actor: Actor, session: ClientSession): Promise<number> {
  return stock.releaseReservations({ source: sourceOf(ref) }, actor, session);
}

/** Issues `quantity` against the line's reservations (a hand-over). */
export async function issueLine(
  ref: AllocationLineRef,
  quantity: number,
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  if (quantity <= 0) return;
  await stock.issueReserved({ source: sourceOf(ref), quantity, reason: 'DISTRIBUTION' }, actor, session);
}
