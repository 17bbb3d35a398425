/**
 * The stock service: the one writer of stock balances and the ledger. Every operation takes plain input, the acting
 * identity and optionally the caller's session; without a session it runs its own transaction. Each operation writes
 * its ledger entries, changes the balances and records one audit entry, all in that transaction.
 *
 * Quantities come in as decimal + unit (any unit that converts for the item, see catalog/units.ts) and are stored as
 * integers of the item's sub-unit.
 */
import type { ClientSession } from 'mongoose';
import { Types } from 'mongoose';
import { AppError, validationError } from '../../core/errors';
import type { Actor } from '../access';
import { owned } from '../access';
import { recordAudit } from '../audit';
import { type ItemRecord, requireItems, toSubUnits } from '../catalog';
import {
  checkedWarehouse,
  loadWarehouses,
  requireLocation,
  requireWarehouse,
  type WarehouseRecord,
} from '../warehouses';
import { type StockOperationDto, toLedgerEntryDto } from './stock.dto';
import {
  type CreditLine,
  credit,
  creditAll,
  creditBalance,
  debit,
  inTransaction,
  type NewLedgerEntry,
  type PickPolicy,
  type PickSelector,
  pick,
  StockOperation,
  takeFefoFirst,
} from './stock.ledger';
import {
  type AdjustmentReason,
  type Condition,
  LedgerEntry,
  type LedgerEntryRecord,
  type SourceDocument,
  StockBalance,
  type StockBalanceRecord,
  type StockIdentity,
} from './stock.model';

export type { LedgerEntryDto, StockOperationDto } from './stock.dto';
export { queuedOnStock } from './stock.ledger';
export type { Condition, SourceDocument } from './stock.model';
export { ledgerActorOf } from './stock.model';

type Quantity = string | number;

export function operationDto(op: StockOperation, entries: NewLedgerEntry[]): StockOperationDto {
  return { operationId: String(op.id), source: op.source, at: op.at, entries: entries.map(toLedgerEntryDto) };
}

/** A stock operation is its own source document: `{ type, id: operationId, number }`. */
function ownSource(type: string, number: string | null = null): (operationId: Types.ObjectId) => SourceDocument {
  return (operationId) => ({ type, id: String(operationId), number });
}

export async function audit(op: StockOperation, action: string, summary: Record<string, unknown>): Promise<void> {
  await recordAudit(
    {
      actor: op.actor,
      action: `stock.${action}`,
      targetType: 'stock_operation',
      targetId: op.id,
      summary: { source: op.source, entries: op.entries.length, ...summary },
    },
    op.session,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Targets: the warehouse, item and balances an operation reads, checked and named by request field

export interface Target {
  warehouse: WarehouseRecord;
  item: ItemRecord;
  selector: PickSelector;
}

export interface BalanceSelectorInput {
  balanceId?: string;
  warehouseId?: string;
  itemId?: string;
  locationCode?: string | null;
  lot?: string | null;
  expiryDate?: Date | null;
  condition?: Condition;
}

/** Resolves a selector (a balance id, or warehouse + item with optional identity parts) to checked records. */
export async function resolveTarget(
  actor: Actor,
  input: BalanceSelectorInput,
  session: ClientSession,
  fields: { warehouseId: string; locationCode: string } = { warehouseId: 'warehouseId', locationCode: 'locationCode' },
  warehouses?: ReadonlyMap<string, WarehouseRecord>,
): Promise<Target> {
  let warehouseId = input.warehouseId;
  let itemId = input.itemId;
  if (input.balanceId) {
    const balance = await owned(StockBalance, actor)
      .findById(input.balanceId)
      .session(session)
      .lean<StockBalanceRecord>();
    if (!balance)
      throw validationError([
        { field: 'balanceId', message: '"balanceId" is not a known stock balance', type: 'any.unknownReference' },
      ]);
    if (warehouseId && warehouseId !== String(balance.warehouseId)) {
      throw validationError([
        {
          field: fields.warehouseId,
          message: `"${fields.warehouseId}" does not match the balance`,
          type: 'any.mismatch',
        },
      ]);
    }
    if (itemId && itemId !== String(balance.itemId)) {
      throw validationError([
        { field: 'itemId', message: '"itemId" does not match the balance', type: 'any.mismatch' },
      ]);
    }
    warehouseId = String(balance.warehouseId);
    itemId = String(balance.itemId);
  }
  if (!warehouseId || !itemId) {
    throw validationError([
      { field: 'balanceId', message: '"balanceId" or "warehouseId" and "itemId" are required', type: 'any.required' },
    ]);
  }
  const warehouse = warehouses?.has(warehouseId)
    ? checkedWarehouse(warehouses.get(warehouseId), fields.warehouseId)
    : await requireWarehouse(actor, warehouseId, fields.warehouseId, session);
  const items = await requireItems([{ itemId, field: 'itemId' }], session);
  const item = items.get(itemId) as ItemRecord;
  const selector: PickSelector = {
    organisationId: warehouse.organisationId,
    warehouseId: warehouse._id,
    itemId: item._id,
  };
  if (input.balanceId) selector.balanceId = new Types.ObjectId(input.balanceId);
  if (input.locationCode !== undefined) {
    selector.locationCode =
      input.locationCode === null ? null : checkedLocation(warehouse, input.locationCode, fields.locationCode);
  }
  if (input.lot !== undefined) selector.lot = input.lot;
  if (input.expiryDate !== undefined) selector.expiryDate = input.expiryDate;
  if (input.condition !== undefined) selector.condition = input.condition;
  return { warehouse, item, selector };
}

/** A location that must exist in the warehouse (it may have been deactivated since: stock can still leave it). */
function checkedLocation(warehouse: WarehouseRecord, code: string, field: string): string {
  if (!warehouse.locations.some((l) => l.code === code)) requireLocation(warehouse, code, field);
  return code;
}

export function quantityOf(item: ItemRecord, quantity: Quantity, unit: string | undefined, field = 'quantity'): number {
  return toSubUnits(item, quantity, unit, field);
}

/** The balance identity that receives stock picked from `from`, with the changed parts. */
function destination(from: StockBalanceRecord, change: Partial<StockIdentity>): StockIdentity {
  return {
    warehouseId: change.warehouseId ?? from.warehouseId,
    locationCode: change.locationCode !== undefined ? change.locationCode : from.locationCode,
    itemId: change.itemId ?? from.itemId,
    lot: change.lot !== undefined ? change.lot : from.lot,
    expiryDate: change.expiryDate !== undefined ? change.expiryDate : from.expiryDate,
    condition: change.condition ?? from.condition,
  };
}

async function takePicks(
  op: StockOperation,
  target: Target,
  quantity: number,
  policy: PickPolicy,
  type: NewLedgerEntry['type'],
): Promise<{ balance: StockBalanceRecord; take: number }[]> {
  const folded = await takeFefoFirst(op, type, target.selector, quantity, policy);
  if (folded) return folded;
  const context = { item: target.item, warehouse: target.warehouse };
  const picks = await pick(op.session, target.selector, quantity, policy, context);
  for (const { balance, take } of picks) await debit(op, type, balance._id, take, context);
  return picks;
}

// ---------------------------------------------------------------------------------------------------------------
// Receipt

export interface ReceiveLineInput {
  itemId: string;
  quantity: Quantity;
  unit?: string;
  locationCode?: string | null;
  lot?: string | null;
  expiryDate?: Date | null;
  condition: Condition;
}

export interface ReceiveInput {
  warehouseId: string;
  lines: ReceiveLineInput[];
  source: SourceDocument;
  note?: string | null;
  /** Request field names for errors, e.g. 'lines' for a donation's lines. */
  linesField?: string;
}

/**
 * The warehouse and items a caller has just read and checked with requireWarehouse and requireItems, for this
 * operation (in its transaction, or right before it): passing them spares reading them again. Under snapshot
 * isolation a read made inside the transaction is no fresher at commit time than one made just before it.
 */
export interface LoadedReferences {
  warehouse: WarehouseRecord;
  items: ReadonlyMap<string, ItemRecord>;
}

/**
 * Puts received goods on hand: one receipt entry per line. Lot and expiry are required where the item tracks them.
 * `loaded`: the warehouse and items the caller has checked for this receipt, see LoadedReferences.
 */
export async function receive(
  input: ReceiveInput,
  actor: Actor,
  session?: ClientSession,
  loaded?: LoadedReferences,
): Promise<StockOperationDto> {
  const { op, entries } = await postReceipt(input, actor, session, loaded);
  return operationDto(op, entries);
}

/**
 * `receive` for a document that records its own receipt (a donation): the same entries, balances and audit, answering
 * only the operation's id, which is all such a caller keeps, rather than the entries' DTOs.
 */
export async function receiveForDocument(
  input: ReceiveInput,
  actor: Actor,
  session: ClientSession,
  loaded?: LoadedReferences,
): Promise<Types.ObjectId> {
  return (await postReceipt(input, actor, session, loaded)).op.id;
}

function postReceipt(
  input: ReceiveInput,
  actor: Actor,
  session: ClientSession | undefined,
  loaded: LoadedReferences | undefined,
): Promise<{ op: StockOperation; entries: NewLedgerEntry[] }> {
  const field = input.linesField ?? 'lines';
  return inTransaction(session, async (s) => {
    const reuse =
      loaded !== undefined &&
      String(loaded.warehouse._id) === input.warehouseId &&
      input.lines.every((line) => loaded.items.has(line.itemId));
    const warehouse = reuse ? loaded.warehouse : await requireWarehouse(actor, input.warehouseId, 'warehouseId', s);
    const items = reuse
      ? loaded.items
      : await requireItems(
          input.lines.map((line, i) => ({ itemId: line.itemId, field: `${field}[${i}].itemId` })),
          s,
        );
    const op = new StockOperation(s, actor, input.source, null, input.note ?? null);
    const credits = input.lines.map((line, i): CreditLine => {
      const item = items.get(line.itemId) as ItemRecord;
      const prefix = `${field}[${i}]`;
      checkTracking(item, line, prefix);
      const quantity = quantityOf(item, line.quantity, line.unit, `${prefix}.quantity`);
      const identity: StockIdentity = {
        warehouseId: warehouse._id,
        locationCode: requireLocation(warehouse, line.locationCode, `${prefix}.locationCode`),
        itemId: item._id,
        lot: line.lot ?? null,
        expiryDate: line.expiryDate ?? null,
        condition: line.condition,
      };
      return { identity, item, quantity };
    });
    await creditAll(op, 'receipt', credits);
    const entries = await op.flush();
    await audit(op, 'receive', { warehouseId: String(warehouse._id), lines: input.lines.length });
    return { op, entries };
  });
}

/** Lot and expiry date are required for items that track them. */
export function checkTracking(
  item: ItemRecord,
  line: { lot?: string | null; expiryDate?: Date | null },
  linePrefix: string,
): void {
  const prefix = linePrefix ? `${linePrefix}.` : '';
  if (item.expiryTracked && !line.expiryDate) {
    throw validationError([
      {
        field: `${prefix}expiryDate`,
        message: `"${prefix}expiryDate" is required for ${item.sku} (expiry-tracked)`,
        type: 'any.required',
      },
    ]);
  }
  if (item.lotTracked && !line.lot) {
    throw validationError([
      {
        field: `${prefix}lot`,
        message: `"${prefix}lot" is required for ${item.sku} (lot-tracked)`,
        type: 'any.required',
      },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Moves and transfers

/** A move names its source bin `fromLocationCode` (the selector's `locationCode` has no place beside it). */
export interface MoveInput extends Omit<BalanceSelectorInput, 'locationCode'> {
  fromLocationCode?: string | null;
  toLocationCode: string | null;
  quantity: Quantity;
  unit?: string;
  note?: string | null;
}

/** Moves stock between bins of one warehouse, keeping lot, expiry and condition. */
export async function move(input: MoveInput, actor: Actor, session?: ClientSession): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const target = await resolveTarget(actor, { ...input, locationCode: input.fromLocationCode }, s, {
      warehouseId: 'warehouseId',
      locationCode: 'fromLocationCode',
    });
    const to = requireLocation(target.warehouse, input.toLocationCode, 'toLocationCode');
    const quantity = quantityOf(target.item, input.quantity, input.unit);
    const op = new StockOperation(s, actor, ownSource('move'), null, input.note ?? null);
    const picks = await pick(s, target.selector, quantity, 'sound', target);
    if (picks.some((p) => p.balance.locationCode === to)) {
      throw validationError([
        {
          field: 'toLocationCode',
          message: '"toLocationCode" must differ from the source location',
          type: 'any.invalid',
        },
      ]);
    }
    for (const { balance, take } of picks) {
      await debit(op, 'move', balance._id, take, target);
      await credit(op, 'move', destination(balance, { locationCode: to }), target.item, take);
    }
    const entries = await op.flush();
    await audit(op, 'move', {
      itemId: String(target.item._id),
      warehouseId: String(target.warehouse._id),
      quantity,
      to,
    });
    return operationDto(op, entries);
  });
}

/** A transfer names each side once: `fromWarehouseId`/`fromLocationCode` → `toWarehouseId`/`toLocationCode`. */
export interface TransferInput extends Omit<BalanceSelectorInput, 'locationCode' | 'warehouseId'> {
  fromWarehouseId?: string;
  toWarehouseId: string;
  fromLocationCode?: string | null;
  toLocationCode?: string | null;
  quantity: Quantity;
  unit?: string;
  reference?: string | null;
  note?: string | null;
}

/** Transfers stock to another warehouse immediately: transfer_out at the source, transfer_in at the destination. */
export async function transfer(
  input: TransferInput,
  actor: Actor,
  session?: ClientSession,
): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const fromWarehouseId = input.fromWarehouseId;
    // Both warehouses in one read (the source one only when named: a balanceId names it through the balance).
    const warehouses = await loadWarehouses(
      actor,
      fromWarehouseId ? [fromWarehouseId, input.toWarehouseId] : [input.toWarehouseId],
      s,
    );
    const target = await resolveTarget(
      actor,
      {
        ...input,
        warehouseId: fromWarehouseId,
        locationCode: input.fromLocationCode,
      },
      s,
      { warehouseId: 'fromWarehouseId', locationCode: 'fromLocationCode' },
      warehouses,
    );
    const toWarehouse = checkedWarehouse(warehouses.get(input.toWarehouseId), 'toWarehouseId');
    if (toWarehouse._id.equals(target.warehouse._id)) {
      throw validationError([
        {
          field: 'toWarehouseId',
          message: '"toWarehouseId" must differ from the source warehouse (use a move)',
          type: 'any.invalid',
        },
      ]);
    }
    const to = requireLocation(toWarehouse, input.toLocationCode, 'toLocationCode');
    const quantity = quantityOf(target.item, input.quantity, input.unit);
    const op = new StockOperation(s, actor, ownSource('transfer', input.reference ?? null), null, input.note ?? null);
    const picks = await takePicks(op, target, quantity, 'sound', 'transfer_out');
    for (const { balance, take } of picks) {
      await credit(
        op,
        'transfer_in',
        destination(balance, { warehouseId: toWarehouse._id, locationCode: to }),
        target.item,
        take,
      );
    }
    const entries = await op.flush();
    await audit(op, 'transfer', {
      itemId: String(target.item._id),
      fromWarehouseId: String(target.warehouse._id),
      toWarehouseId: String(toWarehouse._id),
      quantity,
    });
    return operationDto(op, entries);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Adjustments and disposals

export interface AdjustInput extends BalanceSelectorInput {
  /** Signed: found > 0; lost, damaged, expired < 0; count_correction either way. */
  quantity: Quantity;
  unit?: string;
  reason: AdjustmentReason;
  note?: string | null;
}

const ADJUSTMENT_SIGN: Record<AdjustmentReason, 1 | -1 | 0> = {
  found: 1,
  lost: -1,
  damaged: -1,
  expired: -1,
  count_correction: 0,
};

/**
 * Corrects on-hand with a reason code. `damaged` does not write goods off: it reclassifies them into a damaged
 * balance (same bin, lot and expiry), from which they can be disposed of but never issued.
 */
export async function adjust(input: AdjustInput, actor: Actor, session?: ClientSession): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const target = await resolveTarget(actor, input, s);
    const signed = toSubUnits(target.item, input.quantity, input.unit, 'quantity', { allowNegative: true });
    const sign = ADJUSTMENT_SIGN[input.reason];
    if (sign !== 0 && Math.sign(signed) !== sign) {
      throw validationError([
        {
          field: 'quantity',
          message: `"quantity" must be ${sign > 0 ? 'positive' : 'negative'} for reason ${input.reason}`,
          type: sign > 0 ? 'number.positive' : 'number.negative',
        },
      ]);
    }
    const op = new StockOperation(s, actor, ownSource('adjustment'), input.reason, input.note ?? null);
    const quantity = Math.abs(signed);
    if (signed > 0 && target.selector.balanceId) {
      // Found more of a named balance: it keeps its bin, lot, expiry and condition.
      await creditBalance(op, 'adjustment', target.selector.balanceId, quantity);
    } else if (signed > 0) {
      checkTracking(target.item, input, '');
      await credit(op, 'adjustment', identityOfSelector(target, input.condition ?? 'good'), target.item, quantity);
    } else if (input.reason === 'damaged') {
      const picks = await pick(s, target.selector, quantity, 'issuable', target);
      for (const { balance, take } of picks) {
        await debit(op, 'adjustment', balance._id, take, target);
        await credit(op, 'adjustment', destination(balance, { condition: 'damaged' }), target.item, take);
      }
    } else {
      await takePicks(op, target, quantity, input.reason === 'expired' ? 'expired' : 'any', 'adjustment');
    }
    const entries = await op.flush();
    await audit(op, 'adjust', {
      itemId: String(target.item._id),
      warehouseId: String(target.warehouse._id),
      quantity: signed,
      reason: input.reason,
    });
    return operationDto(op, entries);
  });
}

/** A positive adjustment creates or increases the balance the selector names exactly (absent parts = none). */
function identityOfSelector(target: Target, condition: Condition): StockIdentity {
  const { selector } = target;
  return {
    warehouseId: target.warehouse._id,
    itemId: target.item._id,
    locationCode: selector.locationCode ?? null,
    lot: selector.lot ?? null,
    expiryDate: selector.expiryDate ?? null,
    condition: selector.condition ?? condition,
  };
}

export interface DisposeInput extends BalanceSelectorInput {
  quantity: Quantity;
  unit?: string;
  reason: 'damaged' | 'expired';
  note?: string | null;
}

/** Disposes of damaged or expired stock, as the reason says (never sound stock). */
export async function dispose(input: DisposeInput, actor: Actor, session?: ClientSession): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const target = await resolveTarget(actor, input, s);
    const quantity = quantityOf(target.item, input.quantity, input.unit);
    const op = new StockOperation(s, actor, ownSource('disposal'), input.reason, input.note ?? null);
    await takePicks(op, target, quantity, input.reason, 'disposal');
    const entries = await op.flush();
    await audit(op, 'dispose', {
      itemId: String(target.item._id),
      warehouseId: String(target.warehouse._id),
      quantity,
      reason: input.reason,
    });
    return operationDto(op, entries);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Issues

export interface IssueInput extends BalanceSelectorInput {
  warehouseId?: string;
  itemId?: string;
  quantity: Quantity;
  unit?: string;
  /** The document the goods leave for (a shipment, a distribution); a direct issue when absent. */
  source?: SourceDocument;
  reference?: string | null;
  reason?: string | null;
  note?: string | null;
}

/**
 * Issues stock: from the named lot/balance, or FEFO (earliest expiry first) when none is named. Damaged and expired
 * stock is never issued.
 */
export async function issue(input: IssueInput, actor: Actor, session?: ClientSession): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const target = await resolveTarget(actor, input, s);
    const quantity = quantityOf(target.item, input.quantity, input.unit);
    const source = input.source ?? ownSource('issue', input.reference ?? null);
    const op = new StockOperation(s, actor, source, input.reason ?? null, input.note ?? null);
    await takePicks(op, target, quantity, 'issuable', 'issue');
    const entries = await op.flush();
    await audit(op, 'issue', { itemId: String(target.item._id), warehouseId: String(target.warehouse._id), quantity });
    return operationDto(op, entries);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Kits

export interface KitInput {
  warehouseId: string;
  kitItemId: string;
  quantity: Quantity;
  unit?: string;
  /** Where components are taken from (any bin when absent) and, for disassembly, where kits are taken from. */
  locationCode?: string | null;
  /** Where the product goes (defaults to locationCode, or no bin). */
  toLocationCode?: string | null;
  lot?: string | null;
  note?: string | null;
}

async function kitTarget(
  actor: Actor,
  input: KitInput,
  s: ClientSession,
): Promise<{ warehouse: WarehouseRecord; kit: ItemRecord; components: Map<string, ItemRecord> }> {
  const warehouse = await requireWarehouse(actor, input.warehouseId, 'warehouseId', s);
  const kit = (await requireItems([{ itemId: input.kitItemId, field: 'kitItemId' }], s)).get(
    input.kitItemId,
  ) as ItemRecord;
  if (kit.components.length === 0) {
    throw validationError([
      { field: 'kitItemId', message: `"kitItemId" ${kit.sku} is not a kit (it has no components)`, type: 'kit.none' },
    ]);
  }
  const components = await requireItems(
    kit.components.map((c, i) => ({ itemId: String(c.itemId), field: `components[${i}].itemId` })),
    s,
  );
  if (input.locationCode) requireLocation(warehouse, input.locationCode, 'locationCode');
  if (input.toLocationCode) requireLocation(warehouse, input.toLocationCode, 'toLocationCode');
  return { warehouse, kit, components };
}

function needed(perKit: number, kits: number, field: string): number {
  const total = perKit * kits;
  if (!Number.isSafeInteger(total))
    throw validationError([{ field, message: `"${field}" is too large`, type: 'number.unsafe' }]);
  return total;
}

/** Assembles kits: consumes components FEFO (never damaged or expired) and produces kits expiring with their earliest component. */
export async function assembleKits(input: KitInput, actor: Actor, session?: ClientSession): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const { warehouse, kit, components } = await kitTarget(actor, input, s);
    const kits = quantityOf(kit, input.quantity, input.unit);
    const op = new StockOperation(s, actor, ownSource('kit_assembly'), null, input.note ?? null);
    let expiry: Date | null = null;
    let allNew = true;
    for (const component of kit.components) {
      const item = components.get(String(component.itemId)) as ItemRecord;
      const selector: PickSelector = {
        organisationId: warehouse.organisationId,
        warehouseId: warehouse._id,
        itemId: item._id,
      };
      if (input.locationCode) selector.locationCode = input.locationCode;
      const picks = await takePicks(
        op,
        { warehouse, item, selector },
        needed(component.quantity, kits, 'quantity'),
        'issuable',
        'kit_assembly',
      );
      for (const { balance } of picks) {
        if (balance.expiryDate && (!expiry || balance.expiryDate < expiry)) expiry = balance.expiryDate;
        if (balance.condition !== 'new') allNew = false;
      }
    }
    const to = input.toLocationCode !== undefined ? input.toLocationCode : (input.locationCode ?? null);
    await credit(
      op,
      'kit_assembly',
      {
        warehouseId: warehouse._id,
        locationCode: to,
        itemId: kit._id,
        lot: input.lot ?? null,
        expiryDate: expiry,
        condition: allNew ? 'new' : 'good',
      },
      kit,
      kits,
    );
    const entries = await op.flush();
    await audit(op, 'kit_assemble', { kitItemId: String(kit._id), warehouseId: String(warehouse._id), kits });
    return operationDto(op, entries);
  });
}

/** Takes kits apart: consumes kits and puts their components back on hand (with the kit's condition and expiry). */
export async function disassembleKits(
  input: KitInput,
  actor: Actor,
  session?: ClientSession,
): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const { warehouse, kit, components } = await kitTarget(actor, input, s);
    const kits = quantityOf(kit, input.quantity, input.unit);
    const op = new StockOperation(s, actor, ownSource('kit_disassembly'), null, input.note ?? null);
    const selector: PickSelector = {
      organisationId: warehouse.organisationId,
      warehouseId: warehouse._id,
      itemId: kit._id,
    };
    if (input.locationCode) selector.locationCode = input.locationCode;
    if (input.lot) selector.lot = input.lot;
    const picks = await takePicks(op, { warehouse, item: kit, selector }, kits, 'sound', 'kit_disassembly');
    for (const { balance, take } of picks) {
      const to = input.toLocationCode !== undefined ? input.toLocationCode : balance.locationCode;
      for (const component of kit.components) {
        const item = components.get(String(component.itemId)) as ItemRecord;
        const identity: StockIdentity = {
          warehouseId: warehouse._id,
          locationCode: to,
          itemId: item._id,
          lot: null,
          expiryDate: item.expiryTracked ? balance.expiryDate : null,
          condition: balance.condition,
        };
        await credit(op, 'kit_disassembly', identity, item, needed(component.quantity, take, 'quantity'));
      }
    }
    const entries = await op.flush();
    await audit(op, 'kit_disassemble', { kitItemId: String(kit._id), warehouseId: String(warehouse._id), kits });
    return operationDto(op, entries);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reversal

/** Documents owned by the stock module, reversible through /stock/ledger/:id/reverse; others reverse through their owner. */
export const STOCK_SOURCE_TYPES = [
  'move',
  'transfer',
  'adjustment',
  'disposal',
  'kit_assembly',
  'kit_disassembly',
  'issue',
  'count',
];

export interface ReverseInput {
  reason?: string | null;
  note?: string | null;
}

/**
 * Reverses the operation a ledger entry belongs to (both halves of a move or transfer, every line of a receipt):
 * reversing entries put each balance back, guarded like any debit, so a reversal fails with INSUFFICIENT_STOCK when
 * the goods have already left. History is never edited; each original entry only gains a `reversedBy` link.
 */
export async function reverseEntry(
  entryId: string,
  input: ReverseInput,
  actor: Actor,
  session?: ClientSession,
  options: { sourceTypes?: readonly string[] } = { sourceTypes: STOCK_SOURCE_TYPES },
): Promise<StockOperationDto> {
  return inTransaction(session, async (s) => {
    const entry = await owned(LedgerEntry, actor).findById(entryId).session(s).lean<LedgerEntryRecord>();
    if (!entry) throw new AppError('NOT_FOUND', `Ledger entry ${entryId} not found`, { id: entryId });
    if (options.sourceTypes && !options.sourceTypes.includes(entry.source.type)) {
      throw new AppError(
        'INVALID_STATE',
        `Entries of a ${entry.source.type} are reversed through the ${entry.source.type} itself`,
        {
          source: entry.source,
        },
      );
    }
    return reverseOperationIn(entry.operationId, input, actor, s);
  });
}

/** Reverses every entry of an operation (used by owners of source documents, e.g. a donation's reversal). */
export async function reverseOperation(
  operationId: string | Types.ObjectId,
  input: ReverseInput,
  actor: Actor,
  session?: ClientSession,
): Promise<StockOperationDto> {
  return inTransaction(session, (s) => reverseOperationIn(new Types.ObjectId(String(operationId)), input, actor, s));
}

async function reverseOperationIn(
  operationId: Types.ObjectId,
  input: ReverseInput,
  actor: Actor,
  s: ClientSession,
): Promise<StockOperationDto> {
  const originals = await owned(LedgerEntry, actor)
    .find({ operationId })
    .session(s)
    .sort({ _id: 1 })
    .lean<LedgerEntryRecord[]>();
  if (originals.length === 0)
    throw new AppError('NOT_FOUND', `Stock operation ${String(operationId)} not found`, {
      operationId: String(operationId),
    });
  if (originals.some((e) => e.type === 'reversal')) {
    throw new AppError('INVALID_STATE', 'A reversal cannot be reversed; post a new operation instead', {
      operationId: String(operationId),
    });
  }
  if (originals.some((e) => e.reversedBy)) {
    throw new AppError('INVALID_STATE', 'This operation has already been reversed', {
      operationId: String(operationId),
    });
  }
  const first = originals[0];
  const op = new StockOperation(s, actor, first.source, input.reason ?? 'reversal', input.note ?? null);
  // Put stock back first, then take: within one operation a balance that is both credited and debited stays >= 0.
  const ordered = [...originals.filter((e) => e.quantity < 0), ...originals.filter((e) => e.quantity > 0)];
  for (const original of ordered) {
    const extra = { reverses: original._id, source: original.source };
    const entry =
      original.quantity < 0
        ? await creditBalance(op, 'reversal', original.balanceId, -original.quantity, extra)
        : await debit(op, 'reversal', original.balanceId, original.quantity, {}, extra);
    const linked = await owned(LedgerEntry, actor).updateOne(
      { _id: original._id, reversedBy: null },
      { $set: { reversedBy: entry._id } },
      { session: s },
    );
    if (linked.matchedCount === 0)
      throw new AppError('CONFLICT', 'This operation is being reversed concurrently', {
        operationId: String(operationId),
      });
  }
  const entries = await op.flush();
  await audit(op, 'reverse', { reversedOperationId: String(operationId), reason: op.reason });
  return operationDto(op, entries);
}
