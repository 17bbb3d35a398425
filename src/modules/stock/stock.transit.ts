/**
 * Stock in transit: goods that have left a warehouse on a shipment and are on nobody's shelf until they are received.
 *
 * A transit balance is an ordinary stock balance whose place is the shipment: `warehouseId` holds the shipment's id
 * and `locationCode` is TRANSIT_LOCATION, a code no warehouse location can take (location codes are letters, digits
 * and dashes). Keeping it an ordinary balance keeps every invariant in force without a second mechanism: its ledger
 * entries sum to it, it never goes negative, and the same checks find a violation. Lot, expiry and condition travel
 * with the goods, so the receiving warehouse gets the lots that left.
 *
 * Ownership: a transit balance belongs to the organisation that dispatched the goods (the shipper), as the goods do
 * until someone receives them. Receiving takes them out of the shipper's transit balance and puts them on the
 * receiver's shelf, owned by the receiver: for a delivery to another organisation the receiver is the consignee
 * organisation's staff, and the goods become its stock. Only the shipments module calls this, after it has checked
 * through `owned(Shipment, actor).addressed(...)` that the actor's organisation receives that shipment; it passes the
 * shipment's owner as `transitOwnerId`, the one organisation besides the actor's whose balances a movement touches,
 * and only the balances whose place is that shipment.
 *
 * Each movement is one stock operation, however many lines it has, written in a fixed number of round trips (one
 * read of the candidate balances, one bulk of guarded debits, one bulk of credits, one insert of the entries), so a
 * shipment of 3,000 lines is dispatched in one transaction that stays short.
 */
import type { ClientSession, Types } from 'mongoose';
import { Types as MongooseTypes } from 'mongoose';
import { AppError } from '../../core/errors';
import type { Actor } from '../access';
import { organisationOf } from '../access';
import { recordAudit } from '../audit';
import {
  type CreditLine,
  creditAll,
  fefoOrder,
  insufficientStock,
  inTransaction,
  isExpired,
  type NewLedgerEntry,
  StockOperation,
} from './stock.ledger';
import {
  type Condition,
  type LedgerType,
  type ReservationRecord,
  type SourceDocument,
  StockBalance,
  type StockBalanceRecord,
  type StockIdentity,
  StockReservation,
} from './stock.model';

export const TRANSIT_LOCATION = '@transit';

export interface TransitLineInput {
  itemId: string | Types.ObjectId;
  /** Take this lot only; any lot (earliest expiry first) when absent. */
  lot?: string | null;
  /** Integer sub-units of the item. */
  quantity: number;
}

export interface ArrivalLineInput extends TransitLineInput {
  /** The condition the goods land in (damaged goods are never available); their condition in transit when absent. */
  condition?: Condition;
  locationCode?: string | null;
  /** Lot and expiry as counted on arrival, when they differ from what was sent. */
  receivedLot?: string | null;
  expiryDate?: Date | null;
}

/** One line of a movement as posted: the balance identity it took from, and how much. */
export interface TransitMovementLine {
  itemId: string;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
  quantity: number;
}

export interface TransitMovement {
  operationId: string;
  at: Date;
  entries: number;
  lines: TransitMovementLine[];
}

interface Pick {
  balance: StockBalanceRecord;
  take: number;
  /** Index of the input line it serves. */
  line: number;
}

const asId = (id: string | Types.ObjectId): Types.ObjectId =>
  typeof id === 'string' ? new MongooseTypes.ObjectId(id) : id;

/**
 * Chooses balances for every line from one set of candidates, earliest expiry first, each balance's remainder
 * carried from one line to the next so two lines never take the same units. INSUFFICIENT_STOCK names the first
 * line that cannot be served.
 */
function planPicks(
  candidates: StockBalanceRecord[],
  lines: readonly TransitLineInput[],
  usable: (balance: StockBalanceRecord) => boolean,
  where: Types.ObjectId,
): Pick[] {
  const remaining = new Map(candidates.map((b) => [String(b._id), b.onHand]));
  const byItem = new Map<string, StockBalanceRecord[]>();
  for (const balance of [...candidates].sort(fefoOrder)) {
    if (!usable(balance)) continue;
    const key = String(balance.itemId);
    byItem.set(key, [...(byItem.get(key) ?? []), balance]);
  }
  const picks: Pick[] = [];
  lines.forEach((line, index) => {
    const eligible = (byItem.get(String(line.itemId)) ?? []).filter(
      (b) => line.lot === undefined || line.lot === null || b.lot === line.lot,
    );
    let left = line.quantity;
    for (const balance of eligible) {
      if (left === 0) break;
      const id = String(balance._id);
      const take = Math.min(remaining.get(id) ?? 0, left);
      if (take === 0) continue;
      remaining.set(id, (remaining.get(id) ?? 0) - take);
      picks.push({ balance, take, line: index });
      left -= take;
    }
    if (left > 0) {
      const available = line.quantity - left;
      throw insufficientStock(line.quantity, available, { itemId: asId(line.itemId), warehouseId: where });
    }
  });
  return picks;
}

/**
 * Debits several balances with guarded updates in one bulk: the same guarantee as `debit` (on-hand never below
 * zero), in one round trip. The balances are then read back for each entry's `balanceAfter`; as in creditAll, the
 * guarded updates hold those balances for this transaction, so the read returns this transaction's own result.
 */
async function debitAll(
  op: StockOperation,
  type: LedgerType,
  picks: readonly Pick[],
  owner: Types.ObjectId = op.organisationId,
): Promise<NewLedgerEntry[]> {
  const totals = new Map<string, number>();
  for (const p of picks) totals.set(String(p.balance._id), (totals.get(String(p.balance._id)) ?? 0) + p.take);
  const ids = [...totals.keys()].map((id) => new MongooseTypes.ObjectId(id));
  const result = await StockBalance.bulkWrite(
    ids.map((_id) => ({
      updateOne: {
        filter: { _id, organisationId: owner, onHand: { $gte: totals.get(String(_id)) ?? 0 } },
        update: { $inc: { onHand: -(totals.get(String(_id)) ?? 0), version: 1 } },
      },
    })),
    { session: op.session, ordered: true },
  );
  if (result.matchedCount !== ids.length) {
    const first = picks[0];
    throw insufficientStock(first?.take ?? 0, 0, {
      itemId: first?.balance.itemId,
      warehouseId: first?.balance.warehouseId,
    });
  }
  const after = await StockBalance.find({ _id: { $in: ids }, organisationId: owner })
    .session(op.session)
    .lean<StockBalanceRecord[]>();
  const onHand = new Map(after.map((b) => [String(b._id), b.onHand]));
  // Walk backwards so each entry records the balance as it stood after its own pick.
  const entries = new Array<NewLedgerEntry>(picks.length);
  for (let i = picks.length - 1; i >= 0; i -= 1) {
    const p = picks[i] as Pick;
    const id = String(p.balance._id);
    const now = onHand.get(id) ?? 0;
    entries[i] = op.record(type, { ...p.balance, onHand: now }, -p.take);
    onHand.set(id, now + p.take);
  }
  return entries;
}

function movementLines(picks: readonly Pick[]): TransitMovementLine[] {
  return picks.map((p) => ({
    itemId: String(p.balance.itemId),
    lot: p.balance.lot ?? null,
    expiryDate: p.balance.expiryDate ?? null,
    condition: p.balance.condition,
    quantity: p.take,
  }));
}

async function finish(op: StockOperation, action: string, summary: Record<string, unknown>, picks: Pick[]) {
  const entries = await op.flush();
  await recordAudit(
    {
      actor: op.actor,
      action: `stock.${action}`,
      targetType: 'stock_operation',
      targetId: op.id,
      summary: { source: op.source, entries: entries.length, ...summary },
    },
    op.session,
  );
  return { operationId: String(op.id), at: op.at, entries: entries.length, lines: movementLines(picks) };
}

function transitIdentity(transitId: Types.ObjectId, from: StockBalanceRecord): StockIdentity {
  return {
    warehouseId: transitId,
    locationCode: TRANSIT_LOCATION,
    itemId: from.itemId,
    lot: from.lot ?? null,
    expiryDate: from.expiryDate ?? null,
    condition: from.condition,
  };
}

/** The balances a shipment carries (what is still in transit on it), owned by the organisation that dispatched it. */
export function transitBalances(
  transitId: string | Types.ObjectId,
  transitOwnerId: string | Types.ObjectId,
  session?: ClientSession,
) {
  return StockBalance.find({
    organisationId: asId(transitOwnerId),
    warehouseId: asId(transitId),
    locationCode: TRANSIT_LOCATION,
    onHand: { $gt: 0 },
  })
    .session(session ?? null)
    .lean<StockBalanceRecord[]>();
}

export interface DispatchReservedInput {
  transitId: string | Types.ObjectId;
  /** The ledger source; its type and id are also the reservations' source. */
  source: SourceDocument & { id: string };
  /** What the shipment carries, per item and lot: its reservations must hold exactly this. */
  expected: readonly TransitLineInput[];
}

/**
 * Dispatches exactly what a shipment reserved: every open reservation of the source is consumed (issued) and its
 * balance debited on-hand and reserved alike, and the same goods are credited to the shipment's transit balances;
 * one stock operation, in a fixed number of round trips. Refused (UNPROCESSABLE) when the reservations no longer
 * hold what the shipment carries (a count cut them, or reserved stock was found damaged or has expired): unpack and
 * pack again.
 */
export function dispatchReserved(
  input: DispatchReservedInput,
  actor: Actor,
  session?: ClientSession,
): Promise<TransitMovement> {
  return inTransaction(session, async (s) => {
    const transitId = asId(input.transitId);
    const organisationId = organisationOf(actor);
    const reservations = await StockReservation.find({
      organisationId,
      'source.type': input.source.type,
      'source.id': input.source.id,
      status: 'open',
    })
      .session(s)
      .lean<ReservationRecord[]>();
    const held = new Map<string, number>();
    const now = new Date();
    for (const r of reservations) {
      if (r.condition === 'damaged' || isExpired(r, now)) {
        throw new AppError(
          'UNPROCESSABLE',
          `Reserved stock of ${input.source.number ?? input.source.id} is ${r.condition === 'damaged' ? 'damaged' : 'expired'}: unpack and pack again`,
          {
            reservationId: String(r._id),
          },
        );
      }
      held.set(String(r.itemId), (held.get(String(r.itemId)) ?? 0) + r.quantity);
    }
    const wanted = new Map<string, number>();
    for (const line of input.expected)
      wanted.set(String(line.itemId), (wanted.get(String(line.itemId)) ?? 0) + line.quantity);
    for (const [itemId, quantity] of wanted) {
      if ((held.get(itemId) ?? 0) !== quantity) {
        throw new AppError(
          'UNPROCESSABLE',
          `The reservations of ${input.source.number ?? input.source.id} no longer hold what it carries: unpack and pack again`,
          {
            itemId,
            carried: quantity,
            reserved: held.get(itemId) ?? 0,
          },
        );
      }
    }
    const closed = await StockReservation.bulkWrite(
      reservations.map((r) => ({
        updateOne: {
          filter: { _id: r._id, organisationId, status: 'open', quantity: r.quantity },
          update: {
            $set: { quantity: 0, status: 'closed', closedAt: now, updatedAt: now },
            $inc: { issuedQuantity: r.quantity },
          },
        },
      })),
      { session: s, ordered: true },
    );
    if (closed.matchedCount !== reservations.length) {
      throw new AppError(
        'CONFLICT',
        `The reservations of ${input.source.number ?? input.source.id} changed meanwhile; retry`,
        {},
      );
    }
    const perBalance = new Map<string, number>();
    for (const r of reservations)
      perBalance.set(String(r.balanceId), (perBalance.get(String(r.balanceId)) ?? 0) + r.quantity);
    const ids = [...perBalance.keys()].map((id) => new MongooseTypes.ObjectId(id));
    const debited = await StockBalance.bulkWrite(
      ids.map((_id) => {
        const q = perBalance.get(String(_id)) ?? 0;
        return {
          updateOne: {
            filter: { _id, organisationId, onHand: { $gte: q }, reserved: { $gte: q } },
            update: { $inc: { onHand: -q, reserved: -q, version: 1 } },
          },
        };
      }),
      { session: s, ordered: true },
    );
    // Unreachable while the invariant holds (reserved ≤ onHand, reserved = its open reservations): never skip it.
    if (debited.matchedCount !== ids.length) throw new Error('a reserved balance holds less than its reservations');
    const balances = new Map(
      (
        await StockBalance.find({ _id: { $in: ids }, organisationId })
          .session(s)
          .lean<StockBalanceRecord[]>()
      ).map((b) => [String(b._id), b]),
    );
    const op = new StockOperation(s, actor, input.source);
    const picks: Pick[] = reservations.map((r, line) => ({
      balance: balances.get(String(r.balanceId)) as StockBalanceRecord,
      take: r.quantity,
      line,
    }));
    // Each entry records the balance after its own debit: walk back from the state after all of them.
    const onHand = new Map([...balances].map(([id, b]) => [id, b.onHand]));
    const entries = new Array<NewLedgerEntry>(picks.length);
    for (let i = picks.length - 1; i >= 0; i -= 1) {
      const p = picks[i] as Pick;
      const id = String(p.balance._id);
      const now = onHand.get(id) ?? 0;
      entries[i] = op.record('transfer_out', { ...p.balance, onHand: now }, -p.take);
      onHand.set(id, now + p.take);
    }
    await creditAll(
      op,
      'transfer_in',
      picks.map(
        (p): CreditLine => ({
          identity: transitIdentity(transitId, p.balance),
          item: { baseUnit: p.balance.unit },
          quantity: p.take,
        }),
      ),
    );
    return finish(op, 'dispatch', { reservations: reservations.length }, picks);
  });
}

export interface ArrivalInput {
  transitId: string | Types.ObjectId;
  /** The organisation that dispatched the goods and owns them in transit. */
  transitOwnerId: string | Types.ObjectId;
  source: SourceDocument;
  toWarehouseId: string | Types.ObjectId;
  lines: readonly ArrivalLineInput[];
}

/**
 * Puts goods in transit on the receiving warehouse's shelves: transfer_out of the transit balances, transfer_in at
 * the destination in the condition counted (damaged goods land damaged). Partial receipts each take only what they
 * count, so a second receipt never undoes the first.
 */
export function receiveFromTransit(
  input: ArrivalInput,
  actor: Actor,
  session?: ClientSession,
): Promise<TransitMovement> {
  return inTransaction(session, async (s) => {
    const transitId = asId(input.transitId);
    const to = asId(input.toWarehouseId);
    const owner = asId(input.transitOwnerId);
    const picks = planPicks(await transitBalances(transitId, owner, s), input.lines, () => true, transitId);
    const op = new StockOperation(s, actor, input.source);
    await debitAll(op, 'transfer_out', picks, owner);
    await creditAll(
      op,
      'transfer_in',
      picks.map((p): CreditLine => {
        const line = input.lines[p.line] as ArrivalLineInput;
        return {
          identity: {
            warehouseId: to,
            locationCode: line.locationCode ?? null,
            itemId: p.balance.itemId,
            lot:
              line.receivedLot !== undefined && line.receivedLot !== null ? line.receivedLot : (p.balance.lot ?? null),
            expiryDate: line.expiryDate ?? p.balance.expiryDate ?? null,
            condition: line.condition ?? p.balance.condition,
          },
          item: { baseUnit: p.balance.unit },
          quantity: p.take,
        };
      }),
    );
    return finish(op, 'receive_transit', { toWarehouseId: String(to), lines: input.lines.length }, picks);
  });
}

export interface LeaveTransitInput {
  transitId: string | Types.ObjectId;
  transitOwnerId: string | Types.ObjectId;
  source: SourceDocument;
  lines: readonly TransitLineInput[];
  /** `issue`: delivered to a consignee outside the system; `adjustment`: lost on the way. */
  type: 'issue' | 'adjustment';
  reason: 'delivered' | 'lost';
}

/** Takes goods out of transit without putting them on a shelf: delivered to an outside consignee, or lost. */
export function leaveTransit(
  input: LeaveTransitInput,
  actor: Actor,
  session?: ClientSession,
): Promise<TransitMovement> {
  return inTransaction(session, async (s) => {
    const transitId = asId(input.transitId);
    const owner = asId(input.transitOwnerId);
    const picks = planPicks(await transitBalances(transitId, owner, s), input.lines, () => true, transitId);
    const op = new StockOperation(s, actor, input.source, input.reason);
    await debitAll(op, input.type, picks, owner);
    return finish(
      op,
      input.reason === 'lost' ? 'transit_lost' : 'transit_delivered',
      { lines: input.lines.length },
      picks,
    );
  });
}
