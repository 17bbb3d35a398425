/**
 * Physical counts. Starting a count snapshots the expected quantities of a warehouse (or one bin); counted lines are
 * recorded while it is open, each compared with the books at the moment it is recorded (stock may move while a
 * count is open); posting writes the differences (counted − expected) as count_correction adjustments in one
 * transaction. Lines never counted are left alone. Open counts never overlap (a whole-warehouse count overlaps
 * every bin), or one difference could be posted twice. open → posted | cancelled.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { AppError, notFound, validationError } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import { type Change, defineLifecycle } from '../../core/transitions';
import type { Actor } from '../access';
import { owned, ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { type ItemRecord, requireItems, subUnitOf, toSubUnits } from '../catalog';
import { nextDocumentNumber } from '../numbering';
import { requireLocation, requireWarehouse } from '../warehouses';
import { credit, debit, identityFilter, inTransaction, StockOperation } from './stock.ledger';
import {
  type Condition,
  freeOf,
  ledgerActorOf,
  StockBalance,
  type StockBalanceRecord,
  type StockIdentity,
} from './stock.model';
import { cutReservations } from './stock.reservations';
import { type CountLine, type CountStatus, StockCount, type StockCountRecord } from './stock-count.model';

/** The life of a count: lines are recorded while it is open; posting or cancelling closes it. */
const countLife = defineLifecycle({
  name: 'Stock count',
  targetType: 'stock_count',
  model: StockCount,
  audit: recordAudit,
  label: (c: StockCountRecord) => c.number,
  transitions: {
    record: { from: ['open'], to: 'open' },
    post: { from: ['open'], to: 'posted' },
    cancel: { from: ['open'], to: 'cancelled' },
  },
});

export interface StartCountInput {
  warehouseId: string;
  locationCode?: string | null;
}

export interface CountedLineInput {
  balanceId?: string;
  itemId?: string;
  locationCode?: string | null;
  lot?: string | null;
  expiryDate?: Date | null;
  condition?: Condition;
  quantity: string | number;
  unit?: string;
}

export interface CountQuery extends PageRequest {
  warehouseId?: string;
  status?: CountStatus;
}

export interface CountDto {
  id: string;
  number: string;
  warehouseId: string;
  locationCode: string | null;
  status: CountStatus;
  lines: (Omit<CountLine, 'balanceId' | 'itemId'> & {
    balanceId: string | null;
    itemId: string;
    difference: number | null;
  })[];
  startedBy: { kind: string; id: string; name: string };
  postedBy: { kind: string; id: string; name: string } | null;
  postedAt: Date | null;
  cancelledAt: Date | null;
  operationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toCountDto(c: StockCountRecord): CountDto {
  return {
    id: String(c._id),
    number: c.number,
    warehouseId: String(c.warehouseId),
    locationCode: c.locationCode ?? null,
    status: c.status,
    lines: c.lines.map((l) => ({
      balanceId: l.balanceId ? String(l.balanceId) : null,
      locationCode: l.locationCode ?? null,
      itemId: String(l.itemId),
      lot: l.lot ?? null,
      expiryDate: l.expiryDate ?? null,
      condition: l.condition,
      unit: l.unit,
      expected: l.expected,
      counted: l.counted ?? null,
      countedAt: l.countedAt ?? null,
      countedBy: l.countedBy ?? null,
      difference: l.counted == null ? null : l.counted - l.expected,
    })),
    startedBy: c.startedBy,
    postedBy: c.postedBy ?? null,
    postedAt: c.postedAt ?? null,
    cancelledAt: c.cancelledAt ?? null,
    operationId: c.operationId ? String(c.operationId) : null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export async function startCount(input: StartCountInput, actor: Actor, session?: ClientSession): Promise<CountDto> {
  const created = await inTransaction(session, async (s) => {
    const warehouse = await requireWarehouse(actor, input.warehouseId, 'warehouseId', s);
    const locationCode = requireLocation(warehouse, input.locationCode, 'locationCode');
    // Two concurrent starts both increment the CNT counter below, so one of them retries and sees the other here.
    const overlapping = await owned(StockCount, actor)
      .findOne({
        warehouseId: warehouse._id,
        status: 'open',
        ...(locationCode === null ? {} : { locationCode: { $in: [null, locationCode] } }),
      })
      .session(s)
      .lean<StockCountRecord>();
    if (overlapping) {
      throw new AppError(
        'CONFLICT',
        `Stock count ${overlapping.number} is already open for this warehouse or location`,
        {
          field: 'locationCode',
          countId: String(overlapping._id),
        },
      );
    }
    const filter: Record<string, unknown> = { warehouseId: warehouse._id, onHand: { $gt: 0 } };
    if (locationCode !== null) filter.locationCode = locationCode;
    const balances = await owned(StockBalance, actor)
      .find(filter)
      .session(s)
      .sort({ itemId: 1, locationCode: 1, _id: 1 })
      .lean<StockBalanceRecord[]>();
    const number = await nextDocumentNumber('CNT', s);
    const [count] = await owned(StockCount, actor).create(
      [
        {
          number,
          warehouseId: warehouse._id,
          locationCode,
          status: 'open',
          lines: balances.map((b) => ({
            balanceId: b._id,
            locationCode: b.locationCode,
            itemId: b.itemId,
            lot: b.lot,
            expiryDate: b.expiryDate,
            condition: b.condition,
            unit: b.unit,
            expected: b.onHand,
            counted: null,
          })),
          startedBy: ledgerActorOf(actor),
        },
      ],
      { session: s },
    );
    await recordAudit(
      {
        actor,
        action: 'stock.count_start',
        targetType: 'stock_count',
        targetId: count._id,
        summary: { number, lines: balances.length },
      },
      s,
    );
    return count.toObject() as StockCountRecord;
  });
  return toCountDto(created);
}

function sameIdentity(line: CountLine, identity: Omit<StockIdentity, 'warehouseId'>): boolean {
  return (
    line.itemId.equals(identity.itemId) &&
    (line.locationCode ?? null) === identity.locationCode &&
    (line.lot ?? null) === identity.lot &&
    (line.expiryDate?.getTime() ?? null) === (identity.expiryDate?.getTime() ?? null) &&
    line.condition === identity.condition
  );
}

/** Records counted quantities: a line names a snapshot balance, or an identity (found stock not in the snapshot). */
export async function recordCountLines(
  id: string,
  input: { lines: CountedLineInput[] },
  actor: Actor,
  session?: ClientSession,
): Promise<CountDto> {
  const updated = await inTransaction(session, (s) =>
    countLife.step('record', {
      id,
      actor,
      session: s,
      scope: ownerFilter(actor),
      auditAction: 'stock.count_record',
      change: (count) => recordLines(count, input, actor, s),
    }),
  );
  return toCountDto(updated);
}

/** The counted lines merged into the count's lines; the write is guarded by `updatedAt` (two recorders at once). */
async function recordLines(
  count: StockCountRecord,
  input: { lines: CountedLineInput[] },
  actor: Actor,
  s: ClientSession,
): Promise<Change> {
  const warehouse = await requireWarehouse(actor, String(count.warehouseId), 'warehouseId', s);
  const refs = input.lines.map((line, i) => {
    const snapshot = line.balanceId
      ? count.lines.find((l) => l.balanceId && String(l.balanceId) === line.balanceId)
      : undefined;
    if (line.balanceId && !snapshot) {
      throw validationError([
        {
          field: `lines[${i}].balanceId`,
          message: `"lines[${i}].balanceId" is not part of count ${count.number}`,
          type: 'any.invalid',
        },
      ]);
    }
    const itemId = snapshot ? String(snapshot.itemId) : line.itemId;
    if (!itemId)
      throw validationError([
        { field: `lines[${i}].itemId`, message: `"lines[${i}].itemId" is required`, type: 'any.required' },
      ]);
    return { itemId, field: `lines[${i}].itemId` };
  });
  const items = await requireItems(refs, s);
  const lines = count.lines.map((l) => ({ ...l }));
  const now = new Date();
  for (const [i, line] of input.lines.entries()) {
    const item = items.get(refs[i].itemId) as ItemRecord;
    const counted = toSubUnits(item, line.quantity, line.unit, `lines[${i}].quantity`, { allowZero: true });
    const identity = line.balanceId
      ? null
      : {
          itemId: item._id,
          locationCode: requireLocation(warehouse, line.locationCode ?? count.locationCode, `lines[${i}].locationCode`),
          lot: line.lot ?? null,
          expiryDate: line.expiryDate ?? null,
          condition: line.condition ?? 'good',
        };
    if (identity && count.locationCode !== null && identity.locationCode !== count.locationCode) {
      throw validationError([
        {
          field: `lines[${i}].locationCode`,
          message: `"lines[${i}].locationCode" is outside the counted location ${count.locationCode}`,
          type: 'any.invalid',
        },
      ]);
    }
    let line_ = lines.find((l) =>
      line.balanceId
        ? String(l.balanceId) === line.balanceId
        : sameIdentity(l, identity as Omit<StockIdentity, 'warehouseId'>),
    );
    if (!line_ && identity) {
      line_ = {
        balanceId: null,
        ...identity,
        unit: subUnitOf(item.baseUnit),
        expected: 0,
        counted: null,
        countedAt: null,
        countedBy: null,
      };
      lines.push(line_);
    }
    if (!line_) continue;
    // The count is taken as of now: compare it with what the books say now, not at the start of the count, so
    // stock that moved while the count was open is not corrected twice.
    const current = await owned(StockBalance, actor)
      .findOne(identityFilter({ ...line_, warehouseId: count.warehouseId }))
      .session(s)
      .lean<StockBalanceRecord>();
    Object.assign(line_, {
      balanceId: current?._id ?? null,
      expected: current?.onHand ?? 0,
      counted,
      countedAt: now,
      countedBy: actor.name,
    });
  }
  return { set: { lines }, guard: { updatedAt: count.updatedAt }, summary: { lines: input.lines.length } };
}

/** Posts a count: every counted line whose quantity differs from the snapshot becomes a count_correction adjustment. */
export async function postCount(id: string, actor: Actor, session?: ClientSession): Promise<CountDto> {
  const posted = await inTransaction(session, (s) =>
    countLife.step('post', {
      id,
      actor,
      session: s,
      scope: ownerFilter(actor),
      auditAction: 'stock.count_post',
      change: (count) => postLines(count, actor, s),
    }),
  );
  return toCountDto(posted);
}

/** Writes the count's differences as count_correction adjustments. */
async function postLines(count: StockCountRecord, actor: Actor, s: ClientSession): Promise<Change> {
  const items = await requireItems(
    count.lines.map((l, i) => ({ itemId: String(l.itemId), field: `lines[${i}].itemId` })),
    s,
  );
  const op = new StockOperation(
    s,
    actor,
    { type: 'count', id: String(count._id), number: count.number },
    'count_correction',
  );
  for (const line of count.lines) {
    if (line.counted == null || line.counted === line.expected) continue;
    const item = items.get(String(line.itemId)) as ItemRecord;
    const identity: StockIdentity = {
      warehouseId: count.warehouseId,
      locationCode: line.locationCode ?? null,
      itemId: line.itemId,
      lot: line.lot ?? null,
      expiryDate: line.expiryDate ?? null,
      condition: line.condition,
    };
    const difference = line.counted - line.expected;
    if (difference > 0) {
      await credit(op, 'adjustment', identity, item, difference);
    } else {
      const balance = await owned(StockBalance, actor)
        .findOne(identityFilter(identity))
        .session(s)
        .lean<StockBalanceRecord>();
      if (!balance)
        throw new AppError('INSUFFICIENT_STOCK', 'The counted balance no longer exists', {
          requested: -difference,
          available: 0,
          itemId: String(line.itemId),
          warehouseId: String(count.warehouseId),
        });
      // The count is the truth: what it did not find cannot stay reserved (see stock.reservations.ts).
      const short = -difference - freeOf(balance);
      if (short > 0) {
        await cutReservations(balance, short, actor, { id: String(count._id), number: count.number }, s, { item });
      }
      await debit(op, 'adjustment', balance._id, -difference, { item });
    }
  }
  await op.flush();
  return {
    set: { postedAt: new Date(), postedBy: ledgerActorOf(actor), operationId: op.entries.length ? op.id : null },
    summary: { number: count.number, adjustments: op.entries.length },
  };
}

export async function cancelCount(id: string, actor: Actor, session?: ClientSession): Promise<CountDto> {
  const cancelled = await inTransaction(session, (s) =>
    countLife.step('cancel', {
      id,
      actor,
      session: s,
      scope: ownerFilter(actor),
      auditAction: 'stock.count_cancel',
      change: (count) => ({ set: { cancelledAt: new Date() }, summary: { number: count.number } }),
    }),
  );
  return toCountDto(cancelled);
}

export async function getCount(id: string, actor: Actor): Promise<CountDto> {
  const count = await owned(StockCount, actor).findById(id).lean<StockCountRecord>();
  if (!count) throw notFound('Stock count', id);
  return toCountDto(count);
}

export async function listCounts(query: CountQuery, actor: Actor): Promise<Page<CountDto>> {
  const filter: QueryFilter<StockCountRecord> = {};
  if (query.warehouseId) filter.warehouseId = new Types.ObjectId(query.warehouseId);
  if (query.status) filter.status = query.status;
  const page = await owned(StockCount, actor).paginate(filter, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toCountDto) };
}
