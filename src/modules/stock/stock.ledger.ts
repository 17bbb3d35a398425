/**
 * The kernel every stock operation is built from: credit and debit a balance, writing one immutable ledger entry per
 * change, and pick balances (FEFO) for a quantity. Only this module's services call it.
 *
 * A credit upserts the balance with `$inc`, and is refused (the transaction aborts) when the balance would pass
 * MAX_QUANTITY; a debit is a guarded update on what is free (`onHand − reserved ≥ q`), so that on-hand never goes
 * below zero nor below what is reserved, whatever runs concurrently. Both return the balance after the change,
 * which the entry records as `balanceAfter`.
 */
import { type ClientSession, Types } from 'mongoose';
import { AppError } from '../../core/errors';
import { transactionHold, withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { type DirectCollection, owned } from '../access';
import type { ItemRecord } from '../catalog';
import { formatRatio, MAX_QUANTITY, subUnitOf, subUnitsPerBaseUnit } from '../catalog';
import type { WarehouseRecord } from '../warehouses';
import {
  type Condition,
  freeAtLeast,
  freeOf,
  isExpired,
  LedgerEntry,
  type LedgerEntryRecord,
  type LedgerType,
  ledgerActorOf,
  NO_EXPIRY,
  type SourceDocument,
  StockBalance,
  type StockBalanceRecord,
  type StockIdentity,
  startOfToday,
} from './stock.model';

export type NewLedgerEntry = Omit<LedgerEntryRecord, 'reversedBy'> & { reversedBy: null };

/**
 * One stock operation: the entries it writes share an operation id, a source document, an actor and a time. It works
 * inside the actor's organisation: every balance it reads or writes is filtered by it (modules/access/ownership.ts).
 */
export class StockOperation {
  readonly id = new Types.ObjectId();
  readonly organisationId: Types.ObjectId;
  readonly at = new Date();
  readonly entries: NewLedgerEntry[] = [];
  readonly source: SourceDocument;
  /** The organisation's balances and ledger on the driver (scope.ts's direct path): no Mongoose work per command. */
  readonly balances: DirectCollection<StockBalanceRecord>;
  private readonly ledger: DirectCollection<LedgerEntryRecord>;

  /** `source` may be built from the operation id (a move is its own source document). */
  constructor(
    readonly session: ClientSession,
    readonly actor: Actor,
    source: SourceDocument | ((operationId: Types.ObjectId) => SourceDocument),
    readonly reason: string | null = null,
    readonly note: string | null = null,
  ) {
    this.source = typeof source === 'function' ? source(this.id) : source;
    this.balances = owned(StockBalance, actor).direct();
    this.ledger = owned(LedgerEntry, actor).direct();
    this.organisationId = this.balances.organisationId;
  }

  record(
    type: LedgerType,
    balance: StockBalanceRecord,
    quantity: number,
    extra: { reverses?: Types.ObjectId; reason?: string | null; source?: SourceDocument } = {},
  ): NewLedgerEntry {
    const entry: NewLedgerEntry = {
      _id: new Types.ObjectId(),
      organisationId: balance.organisationId,
      type,
      quantity,
      unit: balance.unit,
      balanceId: balance._id,
      balanceAfter: balance.onHand,
      warehouseId: balance.warehouseId,
      locationCode: balance.locationCode,
      itemId: balance.itemId,
      lot: balance.lot,
      expiryDate: balance.expiryDate,
      condition: balance.condition,
      operationId: this.id,
      source: extra.source ?? this.source,
      reason: extra.reason === undefined ? this.reason : extra.reason,
      note: this.note,
      actor: ledgerActorOf(this.actor),
      at: this.at,
      reverses: extra.reverses ?? null,
      reversedBy: null,
    };
    this.entries.push(entry);
    return entry;
  }

  /**
   * Writes the entries collected so far (one insert per operation), on the driver: `record` builds every field with
   * its stored type, so hydrating and validating a Mongoose document per entry would only cost time. Immutability
   * does not depend on it: the model's hooks refuse updates and replacements, and the direct path refuses them too.
   */
  async flush(): Promise<NewLedgerEntry[]> {
    if (this.entries.length) await this.ledger.insertMany(this.entries, { session: this.session });
    return this.entries;
  }
}

/**
 * Runs `fn` in the caller's transaction when given a session, otherwise in a new one. A duplicate key on the balance
 * identity (two transactions creating the same balance at once) is retried when the transaction is ours.
 */
export async function inTransaction<T>(
  session: ClientSession | undefined,
  fn: (session: ClientSession) => Promise<T>,
): Promise<T> {
  if (session) return fn(session);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTransaction(fn);
    } catch (error) {
      const duplicate =
        (error as { code?: unknown }).code === 11000 && /stock_balances/.test(String((error as Error).message));
      if (!duplicate || attempt >= 5) throw error;
    }
  }
}

/** Per key, the promise that settles when the last transaction queued on it has finished. */
const queues = new Map<string, Promise<void>>();

/**
 * Runs `fn` (which runs a transaction writing stock of these warehouse+item pairs) once every earlier such `fn` of
 * THIS process sharing a pair has finished; keys are taken in sorted order, so two callers cannot wait on each other.
 *
 * Why: the database, like mongod, answers a transaction that writes a balance held by another transaction with a
 * write conflict, and the whole transaction is retried. Concurrent receipts of the same goods into the same warehouse
 * (a busy intake day) then spend most of their work on retries. Queueing them here costs nothing the database would
 * not have made them wait anyway. It is only an optimisation: correctness still rests on the database (guarded
 * updates, write conflicts), and other processes are not queued.
 *
 * Called inside a transaction (an idempotent route runs in one), the keys are held until that transaction has
 * committed or aborted, not only until `fn` returns: released earlier, the next caller would write the balances
 * while this transaction still holds them, and conflict. A transaction that already holds goods does not queue
 * again (a second stock operation in it runs at once, left to the database's conflicts): only a transaction holding
 * nothing ever waits, so no two can wait on each other (one holding A and wanting B, the other the reverse), and a
 * transaction never waits on itself.
 */
export async function queuedOnStock<T>(
  pairs: readonly { warehouseId: Types.ObjectId | string; itemId: Types.ObjectId | string }[],
  fn: () => Promise<T>,
): Promise<T> {
  const hold = transactionHold();
  if (hold && hold.keys.size > 0) return fn();
  const keys = [...new Set(pairs.map((p) => `${String(p.warehouseId)}:${String(p.itemId)}`))].sort();
  const releases: (() => void)[] = [];
  const releaseAll = () => {
    for (const release of releases.splice(0)) release();
  };
  try {
    for (const key of keys) {
      const previous = queues.get(key);
      let release = (): void => {};
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous ? previous.then(() => done) : done;
      queues.set(key, tail);
      hold?.keys.add(key);
      releases.push(() => {
        release();
        if (queues.get(key) === tail) queues.delete(key);
      });
      if (previous) await previous;
    }
    return await fn();
  } finally {
    if (hold) hold.onEnd(releaseAll);
    else releaseAll();
  }
}

export function identityFilter(identity: StockIdentity): Record<string, unknown> {
  return {
    warehouseId: identity.warehouseId,
    itemId: identity.itemId,
    locationCode: identity.locationCode,
    lot: identity.lot,
    expiryDate: identity.expiryDate,
    condition: identity.condition,
  };
}

function pickOrderOf(identity: StockIdentity): Date {
  return identity.expiryDate ?? NO_EXPIRY;
}

/** Adds `quantity` (> 0) to the balance with this identity, creating it at zero first if needed. */
export async function credit(
  op: StockOperation,
  type: LedgerType,
  identity: StockIdentity,
  item: Pick<ItemRecord, 'baseUnit'>,
  quantity: number,
  extra: { reverses?: Types.ObjectId; reason?: string | null } = {},
): Promise<NewLedgerEntry> {
  assertPositive(quantity);
  const balance = await op.balances.findOneAndUpdate(
    identityFilter(identity),
    {
      $inc: { onHand: quantity, version: 1 },
      $set: { unit: subUnitOf(item.baseUnit) },
      $setOnInsert: { pickOrder: pickOrderOf(identity) },
    },
    { upsert: true, returnDocument: 'after', session: op.session },
  );
  if (!balance) throw new Error('stock balance upsert returned nothing');
  assertWithinLimit(balance, quantity);
  return op.record(type, balance, quantity, extra);
}

/**
 * Refuses a balance the change has put above MAX_QUANTITY. Every stock change runs in a transaction, so throwing
 * here aborts it and nothing is written. The check is exact: the stored sum of two safe integers is rounded at
 * most to a neighbouring double, and every sum above MAX_QUANTITY rounds to 2^53 or more.
 */
export function assertWithinLimit(balance: StockBalanceRecord, quantity: number): void {
  if (balance.onHand <= MAX_QUANTITY) return;
  const before = balance.onHand - quantity;
  throw new AppError(
    'UNPROCESSABLE',
    `Adding ${quantity} ${balance.unit} to a balance of ${before} ${balance.unit} would pass the largest exact balance, ${MAX_QUANTITY} ${balance.unit}`,
    {
      field: 'quantity',
      limit: MAX_QUANTITY,
      requested: quantity,
      onHand: before,
      unit: balance.unit,
      balanceId: String(balance._id),
    },
  );
}

export interface CreditLine {
  identity: StockIdentity;
  item: Pick<ItemRecord, 'baseUnit'>;
  quantity: number;
}

/**
 * True when the balance has this identity. The texts and the date are compared first: they tell most balances of a
 * receipt's read apart (other lots, other items' conditions) before the two ObjectId comparisons, which were most of
 * a five-line receipt's matching time when they came first (about 50 µs against 2).
 */
function sameIdentity(balance: StockIdentity, identity: StockIdentity): boolean {
  return (
    (balance.lot ?? null) === identity.lot &&
    balance.condition === identity.condition &&
    (balance.locationCode ?? null) === identity.locationCode &&
    (balance.expiryDate ? balance.expiryDate.getTime() : null) ===
      (identity.expiryDate ? identity.expiryDate.getTime() : null) &&
    balance.itemId.equals(identity.itemId) &&
    balance.warehouseId.equals(identity.warehouseId)
  );
}

/**
 * Credits several balances (a receipt's lines) in two round trips instead of one per line: one bulk of upserts, then
 * one read of the balances. Writes the same entries, in line order, as calling `credit` for each line.
 *
 * Why the read gives each entry's true `balanceAfter`: the upserts lock those balances for this transaction (a
 * concurrent writer gets a write conflict until it ends, and a balance changed since this transaction's snapshot
 * makes the upsert conflict), so what this transaction reads right after is its own result, not anyone else's.
 * When two lines credit the same balance, the earlier line's entry records the balance before the later line.
 */
export async function creditAll(op: StockOperation, type: LedgerType, lines: CreditLine[]): Promise<NewLedgerEntry[]> {
  if (lines.length <= 1) {
    return Promise.all(lines.map((line) => credit(op, type, line.identity, line.item, line.quantity)));
  }
  for (const line of lines) assertPositive(line.quantity);
  await op.balances.bulkUpdate(
    lines.map((line) => ({
      filter: identityFilter(line.identity),
      update: {
        $inc: { onHand: line.quantity, version: 1 },
        $set: { unit: subUnitOf(line.item.baseUnit) },
        $setOnInsert: { pickOrder: pickOrderOf(line.identity) },
      },
      upsert: true,
    })),
    { session: op.session, ordered: true },
  );
  // Served by the identity index (warehouseId, itemId, ...); the identities are then matched here.
  const distinct = (ids: Types.ObjectId[]) => [...new Map(ids.map((id) => [String(id), id])).values()];
  const balances = await op.balances.find(
    {
      warehouseId: { $in: distinct(lines.map((l) => l.identity.warehouseId)) },
      itemId: { $in: distinct(lines.map((l) => l.identity.itemId)) },
    },
    { session: op.session },
  );
  const found = lines.map((line) => {
    const balance = balances.find((b) => sameIdentity(b, line.identity));
    if (!balance) throw new Error('stock balance upsert returned nothing');
    return balance;
  });
  // Walk backwards: each entry records the balance as it stood after its own line.
  const after = new Map<string, number>();
  const onHandAfter = new Array<number>(lines.length);
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const id = String(found[i]._id);
    const onHand = after.get(id) ?? found[i].onHand;
    onHandAfter[i] = onHand;
    after.set(id, onHand - (lines[i] as CreditLine).quantity);
  }
  const balancesAfter = found.map((balance, i) => ({ ...balance, onHand: onHandAfter[i] as number }));
  for (const [i, line] of lines.entries()) assertWithinLimit(balancesAfter[i] as StockBalanceRecord, line.quantity);
  return lines.map((line, i) => op.record(type, balancesAfter[i] as StockBalanceRecord, line.quantity));
}

/** Adds `quantity` (> 0) to an existing balance by id (reversals put stock back where it was). */
export async function creditBalance(
  op: StockOperation,
  type: LedgerType,
  balanceId: Types.ObjectId,
  quantity: number,
  extra: { reverses?: Types.ObjectId; reason?: string | null; source?: SourceDocument } = {},
): Promise<NewLedgerEntry> {
  assertPositive(quantity);
  const balance = await StockBalance.findOneAndUpdate(
    { _id: balanceId, organisationId: op.organisationId },
    { $inc: { onHand: quantity, version: 1 } },
    { returnDocument: 'after', session: op.session },
  ).lean<StockBalanceRecord>();
  if (!balance)
    throw new AppError('NOT_FOUND', `Stock balance ${String(balanceId)} not found`, { balanceId: String(balanceId) });
  assertWithinLimit(balance, quantity);
  return op.record(type, balance, quantity, extra);
}

export interface ShortageContext {
  item?: Pick<ItemRecord, 'sku' | 'baseUnit'> | null;
  warehouse?: Pick<WarehouseRecord, 'code'> | null;
}

/**
 * Takes `quantity` (> 0) from what is free in a balance (never from under a reservation, never below zero): a
 * guarded update, INSUFFICIENT_STOCK when short. Issues against a reservation use issueReserved instead.
 */
export async function debit(
  op: StockOperation,
  type: LedgerType,
  balanceId: Types.ObjectId,
  quantity: number,
  context: ShortageContext = {},
  extra: { reverses?: Types.ObjectId; reason?: string | null; source?: SourceDocument } = {},
): Promise<NewLedgerEntry> {
  assertPositive(quantity);
  const balance = await op.balances.findOneAndUpdate(
    { _id: balanceId, ...freeAtLeast(quantity) },
    { $inc: { onHand: -quantity, version: 1 } },
    { returnDocument: 'after', session: op.session },
  );
  if (balance) return op.record(type, balance, -quantity, extra);
  const current = await StockBalance.findOne({ _id: balanceId, organisationId: op.organisationId })
    .session(op.session)
    .lean<StockBalanceRecord>();
  throw insufficientStock(quantity, current ? freeOf(current) : 0, {
    reserved: current?.reserved ?? 0,
    itemId: current?.itemId,
    warehouseId: current?.warehouseId,
    unit: current?.unit,
    ...context,
  });
}

export function insufficientStock(
  requested: number,
  available: number,
  context: ShortageContext & {
    itemId?: Types.ObjectId | string;
    warehouseId?: Types.ObjectId | string;
    unit?: string;
    /** Held by reservations, beside `available` (which excludes it). */
    reserved?: number;
  },
): AppError {
  const unit = context.unit ?? (context.item ? subUnitOf(context.item.baseUnit) : undefined);
  const what = context.item?.sku ?? (context.itemId ? `item ${String(context.itemId)}` : 'the item');
  const where =
    context.warehouse?.code ?? (context.warehouseId ? `warehouse ${String(context.warehouseId)}` : 'the warehouse');
  const show = (n: number): string =>
    context.item
      ? `${formatRatio(n, subUnitsPerBaseUnit(context.item.baseUnit))} ${context.item.baseUnit}`
      : `${n} ${unit ?? ''}`.trim();
  const reserved = context.reserved ? `, reserved ${show(context.reserved)}` : '';
  return new AppError(
    'INSUFFICIENT_STOCK',
    `Not enough ${what} at ${where}: requested ${show(requested)}, available ${show(available)}${reserved}`,
    {
      requested,
      available,
      reserved: context.reserved ?? 0,
      unit: unit ?? null,
      itemId: context.itemId === undefined ? null : String(context.itemId),
      warehouseId: context.warehouseId === undefined ? null : String(context.warehouseId),
    },
  );
}

function assertPositive(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity <= 0)
    throw new Error(`stock quantity must be a positive safe integer, got ${quantity}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Picking

/**
 * Which balances a pick may take from:
 * - `issuable`: never damaged, never expired (issues, kit components);
 * - `sound`: like issuable unless the selector names a balance or a condition (moves, transfers, write-offs);
 * - `damaged`, `expired`: only stock in that state (disposals and write-offs say truthfully what they removed);
 * - `any`: everything that matches.
 */
export type PickPolicy = 'issuable' | 'sound' | 'damaged' | 'expired' | 'any';

export interface PickSelector {
  /** The warehouse's organisation (the operation's). */
  organisationId: Types.ObjectId;
  warehouseId: Types.ObjectId;
  itemId: Types.ObjectId;
  balanceId?: Types.ObjectId;
  /** undefined: any; null: only stock without one. */
  locationCode?: string | null;
  lot?: string | null;
  expiryDate?: Date | null;
  condition?: Condition;
}

export interface StockPick {
  balance: StockBalanceRecord;
  take: number;
}

/** FEFO order: earliest expiry first (no expiry last), then oldest balance. */
export function fefoOrder(a: StockBalanceRecord, b: StockBalanceRecord): number {
  const ea = a.expiryDate ? a.expiryDate.getTime() : Number.POSITIVE_INFINITY;
  const eb = b.expiryDate ? b.expiryDate.getTime() : Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  const ca = a.createdAt ? new Date(a.createdAt).getTime() : 0;
  const cb = b.createdAt ? new Date(b.createdAt).getTime() : 0;
  if (ca !== cb) return ca - cb;
  return String(a._id).localeCompare(String(b._id));
}

function eligible(balance: StockBalanceRecord, selector: PickSelector, policy: PickPolicy, now: Date): boolean {
  const unusable = balance.condition === 'damaged' || isExpired(balance, now);
  switch (policy) {
    case 'issuable':
      return !unusable;
    case 'sound':
      return selector.balanceId !== undefined || selector.condition !== undefined || !unusable;
    case 'damaged':
      return balance.condition === 'damaged';
    case 'expired':
      return isExpired(balance, now);
    case 'any':
      return true;
  }
}

/**
 * Chooses balances for `quantity` in FEFO order, from what no reservation holds. Throws INSUFFICIENT_STOCK (requested, available) when the eligible
 * stock is short, and UNPROCESSABLE when a named balance is not eligible (damaged or expired stock for an issue).
 */
export async function pick(
  session: ClientSession,
  selector: PickSelector,
  quantity: number,
  policy: PickPolicy,
  context: ShortageContext,
): Promise<StockPick[]> {
  const filter: Record<string, unknown> = {
    organisationId: selector.organisationId,
    warehouseId: selector.warehouseId,
    itemId: selector.itemId,
    onHand: { $gt: 0 },
  };
  if (selector.balanceId !== undefined) filter._id = selector.balanceId;
  if (selector.locationCode !== undefined) filter.locationCode = selector.locationCode;
  if (selector.lot !== undefined) filter.lot = selector.lot;
  if (selector.expiryDate !== undefined) filter.expiryDate = selector.expiryDate;
  if (selector.condition !== undefined) filter.condition = selector.condition;
  const now = new Date();
  const candidates = await StockBalance.find(filter).session(session).lean<StockBalanceRecord[]>();
  const usable = candidates.filter((b) => eligible(b, selector, policy, now)).sort(fefoOrder);
  if (selector.balanceId !== undefined && candidates.length > 0 && usable.length === 0) {
    const reason = policy === 'damaged' || policy === 'expired' ? `is not ${policy}` : 'is damaged or expired';
    throw new AppError('UNPROCESSABLE', `Stock balance ${String(selector.balanceId)} ${reason}`, {
      field: 'balanceId',
      balanceId: String(selector.balanceId),
    });
  }
  const available = usable.reduce((sum, b) => sum + freeOf(b), 0);
  if (available < quantity) {
    throw insufficientStock(quantity, available, {
      ...context,
      reserved: usable.reduce((sum, b) => sum + (b.reserved ?? 0), 0),
      itemId: selector.itemId,
      warehouseId: selector.warehouseId,
    });
  }
  const picks: StockPick[] = [];
  let remaining = quantity;
  for (const balance of usable) {
    if (remaining === 0) break;
    const take = Math.min(freeOf(balance), remaining);
    if (take === 0) continue;
    picks.push({ balance, take });
    remaining -= take;
  }
  return picks;
}

/**
 * `pick` and `debit` in one round trip, when the first balance in FEFO order can give the whole quantity (the usual
 * case: one balance per item and warehouse, or the earliest lot holds enough): a guarded update of that balance,
 * found by the database's sort on `pickOrder`, that takes `quantity` only if what is free in it suffices. Answers
 * null, having changed nothing, when it does not apply or that balance falls short: then the caller picks as before
 * (`pick`, which also words INSUFFICIENT_STOCK), and takes from several balances.
 *
 * Exactly `pick`'s choice: the same eligible balances (not damaged, not expired, something free), in the same order
 * (pickOrder, then createdAt, then _id, as fefoOrder), the first one. A balance without `pickOrder` (created before
 * it existed) sorts first and is never taken here, so its presence always leads to `pick`.
 */
export async function takeFefoFirst(
  op: StockOperation,
  type: LedgerType,
  selector: PickSelector,
  quantity: number,
  policy: PickPolicy,
): Promise<StockPick[] | null> {
  const folds = policy === 'issuable' || policy === 'sound';
  if (!folds || selector.balanceId !== undefined || selector.condition !== undefined) return null;
  assertPositive(quantity);
  const free = { $subtract: ['$onHand', { $ifNull: ['$reserved', 0] }] };
  const filter: Record<string, unknown> = {
    organisationId: selector.organisationId,
    warehouseId: selector.warehouseId,
    itemId: selector.itemId,
    condition: { $ne: 'damaged' },
    $or: [{ expiryDate: null }, { expiryDate: { $gte: startOfToday() } }],
    $expr: { $gt: [free, 0] },
  };
  if (selector.locationCode !== undefined) filter.locationCode = selector.locationCode;
  if (selector.lot !== undefined) filter.lot = selector.lot;
  if (selector.expiryDate !== undefined) filter.expiryDate = selector.expiryDate;
  const enough = { $and: [{ $gte: [free, quantity] }, { $gt: ['$pickOrder', null] }] };
  const before = await op.balances.findOneAndUpdate(
    filter,
    [
      {
        $set: {
          onHand: { $cond: [enough, { $subtract: ['$onHand', quantity] }, '$onHand'] },
          version: { $cond: [enough, { $add: [{ $ifNull: ['$version', 0] }, 1] }, '$version'] },
          updatedAt: { $cond: [enough, op.at, '$updatedAt'] },
        },
      },
    ],
    {
      sort: { pickOrder: 1, createdAt: 1, _id: 1 },
      returnDocument: 'before',
      session: op.session,
      // updatedAt is set above, only when the quantity is taken.
      timestamps: false,
    },
  );
  if (!before?.pickOrder || freeOf(before) < quantity) return null;
  // This transaction now holds the balance: after the update it is exactly `before` less the quantity.
  const balance: StockBalanceRecord = {
    ...before,
    onHand: before.onHand - quantity,
    version: (before.version ?? 0) + 1,
    updatedAt: op.at,
  };
  op.record(type, balance, -quantity);
  return [{ balance, take: quantity }];
}
