/**
 * Stock reservations: stock set aside for a source document (a shipment being packed, an allocation to a household)
 * before it leaves. Owns the `stock_reservations` collection and the balances' `reserved` counter.
 *
 * - A reservation holds part of one balance (warehouse, bin, item, lot, expiry, condition). Reserving without naming
 *   a lot picks FEFO among issuable stock (never damaged or expired), possibly across several balances: one record per
 *   balance, all with the same source.
 * - Reserving is a guarded write like a debit (`onHand − reserved ≥ q`, then `$inc reserved`), releasing and issuing
 *   are guarded on the reservation and on the balance, so under any concurrency 0 ≤ reserved ≤ onHand. Every other
 *   debit takes only what is free (stock.ledger.ts, debit), so nothing leaves from under a reservation.
 * - Issuing against a reservation consumes it in the same transaction that writes the issue's ledger entry.
 * - A physical count that finds less than is reserved is the truth: posting it cuts the balance's reservations
 *   (newest first) down to what was counted, and each cut reservation records how much (`cutQuantity`), so that
 *   its source document sees it can no longer be served in full (cutReservations).
 * - An expired reservation (`expiresAt` passed) holds its stock until it is released: the next reservation of that
 *   warehouse and item releases it first, and releaseExpiredReservations() does it for all (for a scheduled job).
 *
 * The balance's `reserved` always equals the sum of its open reservations' `quantity`; findInvariantViolations
 * checks it. Every function takes the caller's session (shipments and distributions call them inside their own
 * transactions); without one it runs its own transaction.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { AppError, validationError } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import type { Actor } from '../access';
import { organisationOf, owned } from '../access';
import { recordAudit } from '../audit';
import { type ItemRecord, requireItems } from '../catalog';
import {
  insufficientStock,
  inTransaction,
  pick,
  queuedOnStock,
  type ShortageContext,
  StockOperation,
} from './stock.ledger';
import {
  type Condition,
  freeAtLeast,
  isExpired,
  ledgerActorOf,
  type ReservationRecord,
  type ReservationSource,
  type ReservationStatus,
  type SourceDocument,
  StockBalance,
  type StockBalanceRecord,
  StockReservation,
} from './stock.model';
import {
  type BalanceSelectorInput,
  operationDto,
  quantityOf,
  resolveTarget,
  type StockOperationDto,
} from './stock.service';

export type { ReservationSource } from './stock.model';

type Quantity = string | number;

export interface ReservationDto {
  id: string;
  balanceId: string;
  warehouseId: string;
  itemId: string;
  locationCode: string | null;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
  source: ReservationSource;
  status: ReservationStatus;
  /** Sub-units still held (0 once closed). */
  quantity: number;
  unit: string;
  reservedQuantity: number;
  issuedQuantity: number;
  releasedQuantity: number;
  cutQuantity: number;
  expiresAt: Date | null;
  note: string | null;
  reservedBy: { kind: string; id: string; name: string };
  reservedAt: Date;
  closedAt: Date | null;
  updatedAt: Date;
}

export function toReservationDto(r: ReservationRecord): ReservationDto {
  return {
    id: String(r._id),
    balanceId: String(r.balanceId),
    warehouseId: String(r.warehouseId),
    itemId: String(r.itemId),
    locationCode: r.locationCode ?? null,
    lot: r.lot ?? null,
    expiryDate: r.expiryDate ?? null,
    condition: r.condition,
    source: { type: r.source.type, id: r.source.id, line: r.source.line ?? null },
    status: r.status,
    quantity: r.quantity,
    unit: r.unit,
    reservedQuantity: r.reservedQuantity,
    issuedQuantity: r.issuedQuantity,
    releasedQuantity: r.releasedQuantity,
    cutQuantity: r.cutQuantity,
    expiresAt: r.expiresAt ?? null,
    note: r.note ?? null,
    reservedBy: { kind: r.reservedBy.kind, id: r.reservedBy.id, name: r.reservedBy.name },
    reservedAt: r.reservedAt,
    closedAt: r.closedAt ?? null,
    updatedAt: r.updatedAt,
  };
}

/** The answer of reserve, release and cut: the reservations changed, and the total they changed by. */
export interface ReservationChange {
  source: ReservationSource;
  /** Sub-units reserved, released or cut by this call. */
  quantity: number;
  unit: string | null;
  reservations: ReservationDto[];
}

function sourceOf(source: { type: string; id: string; line?: string | null }): ReservationSource {
  return { type: source.type, id: source.id, line: source.line ?? null };
}

function describeSource(source: ReservationSource): string {
  return `${source.type} ${source.id}${source.line ? ` line ${source.line}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Reserve

export interface ReserveInput extends BalanceSelectorInput {
  quantity: Quantity;
  unit?: string;
  source: { type: string; id: string; line?: string | null };
  expiresAt?: Date | null;
  note?: string | null;
}

/**
 * Reserves `quantity` for the source: from the named balance or lot, or FEFO across the issuable balances of the
 * warehouse and item. INSUFFICIENT_STOCK (requested, available, reserved) when not enough is free; nothing is
 * reserved then. Reserving again for the same source adds to what it holds.
 */
export async function reserve(input: ReserveInput, actor: Actor, session?: ClientSession): Promise<ReservationChange> {
  const run = () => inTransaction(session, (s) => reserveIn(input, actor, s));
  // Concurrent reservations of the same goods queue in this process instead of conflicting (see queuedOnStock).
  if (session || !input.warehouseId || !input.itemId) return run();
  return queuedOnStock([{ warehouseId: input.warehouseId, itemId: input.itemId }], run);
}

async function reserveIn(input: ReserveInput, actor: Actor, s: ClientSession): Promise<ReservationChange> {
  const target = await resolveTarget(actor, input, s);
  const quantity = quantityOf(target.item, input.quantity, input.unit);
  const now = new Date();
  if (input.expiresAt && input.expiresAt <= now) {
    throw validationError([{ field: 'expiresAt', message: '"expiresAt" must be in the future', type: 'date.greater' }]);
  }
  await releaseExpiredIn({ warehouseId: target.warehouse._id, itemId: target.item._id }, actor, s, now);
  const context = { item: target.item, warehouse: target.warehouse };
  const picks = await pick(s, target.selector, quantity, 'issuable', context);
  const source = sourceOf(input.source);
  const records: ReservationRecord[] = [];
  for (const { balance, take } of picks) {
    const held = await StockBalance.findOneAndUpdate(
      { _id: balance._id, organisationId: balance.organisationId, ...freeAtLeast(take) },
      { $inc: { reserved: take, version: 1 } },
      { session: s, returnDocument: 'after' },
    ).lean<StockBalanceRecord>();
    if (!held) throw insufficientStock(take, 0, { ...context, reserved: balance.reserved ?? 0 });
    records.push({
      _id: new Types.ObjectId(),
      organisationId: balance.organisationId,
      balanceId: balance._id,
      warehouseId: balance.warehouseId,
      locationCode: balance.locationCode ?? null,
      itemId: balance.itemId,
      lot: balance.lot ?? null,
      expiryDate: balance.expiryDate ?? null,
      condition: balance.condition,
      unit: balance.unit,
      source,
      status: 'open',
      quantity: take,
      reservedQuantity: take,
      issuedQuantity: 0,
      releasedQuantity: 0,
      cutQuantity: 0,
      expiresAt: input.expiresAt ?? null,
      note: input.note ?? null,
      reservedBy: ledgerActorOf(actor),
      reservedAt: now,
      closedAt: null,
      updatedAt: now,
    });
  }
  await StockReservation.insertMany(records, { session: s, lean: true });
  await recordAudit(
    {
      actor,
      action: 'stock.reserve',
      targetType: 'stock_reservation',
      targetId: records[0]?._id ?? null,
      summary: {
        source,
        itemId: String(target.item._id),
        warehouseId: String(target.warehouse._id),
        quantity,
        reservations: records.map((r) => String(r._id)),
      },
    },
    s,
  );
  return { source, quantity, unit: records[0]?.unit ?? null, reservations: records.map(toReservationDto) };
}

// ---------------------------------------------------------------------------------------------------------------
// Taking from reservations (release, issue, cut)

export interface FromReservationsInput {
  source: { type: string; id: string; line?: string | null };
  /** Only the reservations of this item (required with `quantity` when the source holds several items). */
  itemId?: string;
  /** All that the matching reservations hold when absent. */
  quantity?: Quantity;
  unit?: string;
  note?: string | null;
}

interface Taken {
  reservation: ReservationRecord;
  take: number;
}

/** The open reservations of a source (a line: only that line's; no line: every line's), with the item they hold. */
async function openReservations(
  input: FromReservationsInput,
  actor: Actor,
  s: ClientSession,
): Promise<{ reservations: ReservationRecord[]; item: ItemRecord | null }> {
  const filter: QueryFilter<ReservationRecord> = {
    organisationId: organisationOf(actor),
    'source.type': input.source.type,
    'source.id': input.source.id,
    status: 'open',
  };
  if (input.source.line != null) filter['source.line'] = input.source.line;
  if (input.itemId) filter.itemId = new Types.ObjectId(input.itemId);
  const reservations = await StockReservation.find(filter).session(s).lean<ReservationRecord[]>();
  const itemIds = [...new Set(reservations.map((r) => String(r.itemId)))];
  if (input.quantity !== undefined && itemIds.length > 1) {
    throw validationError([
      {
        field: 'itemId',
        message: `"itemId" is required with "quantity": ${describeSource(sourceOf(input.source))} holds ${itemIds.length} items`,
        type: 'any.required',
      },
    ]);
  }
  const itemId = input.itemId ?? itemIds[0];
  const item = itemId ? ((await requireItems([{ itemId, field: 'itemId' }], s)).get(itemId) as ItemRecord) : null;
  return { reservations, item };
}

/** Splits `quantity` (all when undefined) over reservations in the given order. */
function takeFrom(
  reservations: ReservationRecord[],
  quantity: number | undefined,
  shortage: (held: number) => AppError,
): Taken[] {
  const held = reservations.reduce((sum, r) => sum + r.quantity, 0);
  if (quantity !== undefined && quantity > held) throw shortage(held);
  let remaining = quantity ?? held;
  const taken: Taken[] = [];
  for (const reservation of reservations) {
    if (remaining === 0) break;
    const take = Math.min(reservation.quantity, remaining);
    taken.push({ reservation, take });
    remaining -= take;
  }
  return taken;
}

type Outcome = 'issuedQuantity' | 'releasedQuantity' | 'cutQuantity';

/** Takes `take` off one reservation (guarded on what it held when read), closing it when nothing is left. */
async function shrink(
  reservation: ReservationRecord,
  take: number,
  outcome: Outcome,
  s: ClientSession,
  now: Date,
): Promise<ReservationRecord> {
  const left = reservation.quantity - take;
  const after = await StockReservation.findOneAndUpdate(
    {
      _id: reservation._id,
      organisationId: reservation.organisationId,
      status: 'open',
      quantity: reservation.quantity,
    },
    {
      $set: { quantity: left, updatedAt: now, ...(left === 0 ? { status: 'closed', closedAt: now } : {}) },
      $inc: { [outcome]: take },
    },
    { session: s, returnDocument: 'after' },
  ).lean<ReservationRecord>();
  if (!after) {
    throw new AppError('CONFLICT', `Reservation ${String(reservation._id)} changed meanwhile; retry`, {
      id: String(reservation._id),
    });
  }
  return after;
}

/** Gives back reserved stock to what is free (the balance keeps its on-hand). */
async function unreserve(reservation: ReservationRecord, take: number, s: ClientSession): Promise<void> {
  const balanceId = reservation.balanceId;
  const balance = await StockBalance.findOneAndUpdate(
    { _id: balanceId, organisationId: reservation.organisationId, reserved: { $gte: take } },
    { $inc: { reserved: -take, version: 1 } },
    { session: s, returnDocument: 'after' },
  ).lean<StockBalanceRecord>();
  // Unreachable while the invariant holds (reserved = the sum of open reservations): never silently skip it.
  if (!balance) throw new Error(`stock balance ${String(balanceId)} holds less reserved than its reservations`);
}

/** Latest expiry first, newest first: a partial release keeps the stock that should leave first. */
function releaseOrder(a: ReservationRecord, b: ReservationRecord): number {
  return -issueOrder(a, b);
}

/** FEFO: earliest expiry first (none last), then oldest reservation. */
function issueOrder(a: ReservationRecord, b: ReservationRecord): number {
  const ea = a.expiryDate ? a.expiryDate.getTime() : Number.POSITIVE_INFINITY;
  const eb = b.expiryDate ? b.expiryDate.getTime() : Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  if (a.reservedAt.getTime() !== b.reservedAt.getTime()) return a.reservedAt.getTime() - b.reservedAt.getTime();
  return String(a._id).localeCompare(String(b._id));
}

/** The quantity asked, in sub-units of the reserved item; undefined for "all". */
function quantityIn(item: ItemRecord | null, input: FromReservationsInput): number | undefined {
  if (input.quantity === undefined) return undefined;
  // Nothing reserved (and no item named): nothing to convert with, and nothing to take.
  if (!item) throw reservedShortage(sourceOf(input.source), Number(input.quantity) || 0, 0, null);
  return quantityOf(item, input.quantity, input.unit);
}

function reservedShortage(source: ReservationSource, requested: number, held: number, unit: string | null): AppError {
  return new AppError(
    'INSUFFICIENT_STOCK',
    `${describeSource(source)} holds ${held} ${unit ?? ''} reserved; ${requested} asked`.replace('  ', ' '),
    { requested, available: held, reserved: held, unit, source },
  );
}

/** What to take from the source's open reservations, in `order`: INSUFFICIENT_STOCK when it holds less. */
async function takeFromSource(
  input: FromReservationsInput,
  order: (a: ReservationRecord, b: ReservationRecord) => number,
  actor: Actor,
  s: ClientSession,
): Promise<{ source: ReservationSource; unit: string | null; taken: Taken[] }> {
  const { reservations, item } = await openReservations(input, actor, s);
  const source = sourceOf(input.source);
  const quantity = quantityIn(item, input);
  const unit = reservations[0]?.unit ?? null;
  const taken = takeFrom([...reservations].sort(order), quantity, (held) =>
    reservedShortage(source, quantity ?? 0, held, unit),
  );
  return { source, unit, taken };
}

// ---------------------------------------------------------------------------------------------------------------
// Release

/**
 * Releases what a source holds: all of it (no quantity), or part (latest expiry first). Releasing a source that holds
 * nothing changes nothing and answers quantity 0 (a cancelled document may release twice).
 */
export async function release(
  input: FromReservationsInput,
  actor: Actor,
  session?: ClientSession,
): Promise<ReservationChange> {
  return inTransaction(session, async (s) => {
    const { source, unit, taken } = await takeFromSource(input, releaseOrder, actor, s);
    const changed = await releaseTaken(taken, 'releasedQuantity', s);
    const total = taken.reduce((sum, t) => sum + t.take, 0);
    if (total > 0) {
      await recordAudit(
        {
          actor,
          action: 'stock.release',
          targetType: 'stock_reservation',
          targetId: changed[0]._id,
          summary: { source, quantity: total, reservations: changed.map((r) => String(r._id)), note: input.note },
        },
        s,
      );
    }
    return { source, quantity: total, unit, reservations: changed.map(toReservationDto) };
  });
}

async function releaseTaken(taken: Taken[], outcome: Outcome, s: ClientSession): Promise<ReservationRecord[]> {
  const now = new Date();
  const changed: ReservationRecord[] = [];
  for (const { reservation, take } of taken) {
    changed.push(await shrink(reservation, take, outcome, s, now));
    await unreserve(reservation, take, s);
  }
  return changed;
}

/** Releases the reservations whose `expiresAt` has passed (of one warehouse and item, or all). Returns how many. */
export async function releaseExpiredReservations(
  actor: Actor,
  session?: ClientSession,
  scope: { warehouseId?: string; itemId?: string } = {},
): Promise<number> {
  return inTransaction(session, (s) =>
    releaseExpiredIn(
      {
        ...(scope.warehouseId ? { warehouseId: new Types.ObjectId(scope.warehouseId) } : {}),
        ...(scope.itemId ? { itemId: new Types.ObjectId(scope.itemId) } : {}),
      },
      actor,
      s,
      new Date(),
    ),
  );
}

async function releaseExpiredIn(
  scope: { warehouseId?: Types.ObjectId; itemId?: Types.ObjectId },
  actor: Actor,
  s: ClientSession,
  now: Date,
): Promise<number> {
  const expired = await StockReservation.find({
    ...scope,
    organisationId: organisationOf(actor),
    status: 'open',
    expiresAt: { $ne: null, $lte: now },
  })
    .session(s)
    .lean<ReservationRecord[]>();
  if (expired.length === 0) return 0;
  const changed = await releaseTaken(
    expired.map((reservation) => ({ reservation, take: reservation.quantity })),
    'releasedQuantity',
    s,
  );
  await recordAudit(
    {
      actor,
      action: 'stock.release_expired',
      targetType: 'stock_reservation',
      targetId: changed[0]._id,
      summary: { reservations: changed.map((r) => String(r._id)) },
    },
    s,
  );
  return changed.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Issue against reservations

export interface IssueReservedInput extends FromReservationsInput {
  /** The source document's number, recorded on the ledger entries' source. */
  number?: string | null;
  reason?: string | null;
}

/**
 * Issues reserved stock: the source's reservations (all, or `quantity` FEFO) are consumed and the issue entries
 * written in one transaction. The stock leaves from exactly the reserved balances. Reserved stock that has expired
 * or been found damaged since is not issued (UNPROCESSABLE: release it and reserve again).
 */
export async function issueReserved(
  input: IssueReservedInput,
  actor: Actor,
  session?: ClientSession,
): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const { source, taken } = await takeFromSource(input, issueOrder, actor, s);
    if (taken.length === 0) throw reservedShortage(source, 0, 0, null);
    const ledgerSource: SourceDocument = { type: source.type, id: source.id, number: input.number ?? null };
    const op = new StockOperation(s, actor, ledgerSource, input.reason ?? null, input.note ?? null);
    const now = new Date();
    for (const { reservation, take } of taken) {
      if (reservation.condition === 'damaged' || isExpired(reservation, now)) {
        throw new AppError(
          'UNPROCESSABLE',
          `Reserved stock of ${describeSource(source)} is ${reservation.condition === 'damaged' ? 'damaged' : 'expired'}; release it and reserve again`,
          { reservationId: String(reservation._id), balanceId: String(reservation.balanceId) },
        );
      }
      await shrink(reservation, take, 'issuedQuantity', s, now);
      const balance = await StockBalance.findOneAndUpdate(
        {
          _id: reservation.balanceId,
          organisationId: reservation.organisationId,
          reserved: { $gte: take },
          onHand: { $gte: take },
        },
        { $inc: { onHand: -take, reserved: -take, version: 1 } },
        { session: s, returnDocument: 'after' },
      ).lean<StockBalanceRecord>();
      if (!balance) throw new Error(`stock balance ${String(reservation.balanceId)} holds less than it reserved`);
      op.record('issue', balance, -take);
    }
    const entries = await op.flush();
    await recordAudit(
      {
        actor,
        action: 'stock.issue_reserved',
        targetType: 'stock_operation',
        targetId: op.id,
        summary: {
          source,
          entries: entries.length,
          quantity: taken.reduce((sum, t) => sum + t.take, 0),
          reservations: taken.map((t) => String(t.reservation._id)),
        },
      },
      s,
    );
    return operationDto(op, entries);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Counts

/**
 * Makes room for a count that found less than is reserved: cuts the balance's reservations, newest first, by
 * `quantity` (at most what they hold), recording it as `cutQuantity`. Called by count posting, in its transaction.
 */
export async function cutReservations(
  balance: StockBalanceRecord,
  quantity: number,
  actor: Actor,
  countRef: { id: string; number: string },
  s: ClientSession,
  context: ShortageContext = {},
): Promise<ReservationRecord[]> {
  const reservations = await StockReservation.find({
    organisationId: balance.organisationId,
    balanceId: balance._id,
    status: 'open',
  })
    .session(s)
    .lean<ReservationRecord[]>();
  const newestFirst = [...reservations].sort((a, b) => b.reservedAt.getTime() - a.reservedAt.getTime());
  const taken = takeFrom(newestFirst, quantity, (held) =>
    insufficientStock(quantity, held, { ...context, reserved: held }),
  );
  const changed = await releaseTaken(taken, 'cutQuantity', s);
  if (changed.length) {
    await recordAudit(
      {
        actor,
        action: 'stock.reservation_cut',
        targetType: 'stock_reservation',
        targetId: changed[0]._id,
        summary: {
          count: countRef,
          balanceId: String(balance._id),
          quantity,
          reservations: taken.map((t) => ({
            id: String(t.reservation._id),
            source: t.reservation.source,
            cut: t.take,
          })),
        },
      },
      s,
    );
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

export interface ReservationQuery extends PageRequest {
  sourceType?: string;
  sourceId?: string;
  line?: string;
  warehouseId?: string;
  itemId?: string;
  balanceId?: string;
  status?: ReservationStatus;
}

/** Reservations, newest first: of a source document (and line), a warehouse, an item or a balance. */
export async function listReservations(query: ReservationQuery, actor: Actor): Promise<Page<ReservationDto>> {
  const filter: QueryFilter<ReservationRecord> = {};
  if (query.sourceType) filter['source.type'] = query.sourceType;
  if (query.sourceId) filter['source.id'] = query.sourceId;
  if (query.line) filter['source.line'] = query.line;
  if (query.warehouseId) filter.warehouseId = new Types.ObjectId(query.warehouseId);
  if (query.itemId) filter.itemId = new Types.ObjectId(query.itemId);
  if (query.balanceId) filter.balanceId = new Types.ObjectId(query.balanceId);
  if (query.status) filter.status = query.status;
  const page = await owned(StockReservation, actor).paginate(filter, query, { reservedAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toReservationDto) };
}
