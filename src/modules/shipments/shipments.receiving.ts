/**
 * Receiving a shipment: a receipt is opened, the storekeeper records counts per line (good, damaged, short, with
 * reason, lot, expiry and bin; excess for goods nobody sent), and posting it signs it: the goods move from transit
 * onto the receiving warehouse's shelves (damaged ones in their condition, never available), shortfalls are written
 * off, excess is received, and the receipt gets its goods received note number.
 *
 * - Partial receipts add up: each receipt counts only what is still expected, so a second one never undoes the first.
 * - Blind count: the receipt answers without the expected figures until it is posted.
 * - The final receipt records whatever is still missing as short; the shipment is then received, or received with
 *   discrepancies when anything was damaged, short or in excess.
 * - A shipment consigned to another organisation is received by that organisation's staff, into its warehouse, and
 *   becomes its stock. Receipts belong to the organisation that counted them.
 */
import type { ClientSession } from 'mongoose';
import { Types } from 'mongoose';
import { AppError, notFound, validationError } from '../../core/errors';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { organisationOf, owned } from '../access';
import { recordAudit } from '../audit';
import { type ItemRecord, requireItems, subUnitOf, toSubUnits } from '../catalog';
import { reserveDocumentNumber } from '../numbering';
import { leaveTransit, ledgerActorOf, receive, receiveFromTransit } from '../stock';
import { requireLocation, requireWarehouse } from '../warehouses';
import { settleAfterReceipt } from './shipments.flow';
import {
  HandlingUnit,
  type HandlingUnitRecord,
  type ReceiptLineRecord,
  Shipment,
  ShipmentReceipt,
  type ShipmentReceiptRecord,
  type ShipmentRecord,
} from './shipments.model';
import { loadShipment, unitsOf } from './shipments.service';
import { shipmentSource } from './shipments.stock';

export interface ReceiptOpenInput {
  blind?: boolean;
  warehouseId?: string;
  deliveredBy?: string;
  notes?: string;
}

type Count = string | number;

export interface ReceiptCountsInput {
  lines?: {
    lineId: string;
    good?: Count;
    damaged?: Count;
    short?: Count;
    unit?: string;
    reason?: string;
    lot?: string | null;
    expiryDate?: Date | null;
    locationCode?: string | null;
  }[];
  excess?: {
    itemId: string;
    quantity: Count;
    unit?: string;
    condition: 'new' | 'good' | 'used' | 'damaged';
    reason?: string;
    lot?: string | null;
    expiryDate?: Date | null;
    locationCode?: string | null;
  }[];
}

export interface ReceiptPostInput {
  final?: boolean;
}

export interface ReceiptLineDto {
  id: string;
  handlingUnitId: string | null;
  itemId: string;
  unit: string;
  /** Absent while a blind count is open. */
  expected?: number;
  good: number;
  damaged: number;
  short?: number;
  excess?: number;
  counted: boolean;
  reason: string | null;
  lot: string | null;
  expiryDate: Date | null;
  locationCode: string | null;
}

export interface ReceiptDto {
  id: string;
  shipmentId: string;
  organisationId: string;
  number: string | null;
  status: 'open' | 'posted';
  blind: boolean;
  final: boolean;
  warehouseId: string | null;
  deliveredBy: string | null;
  notes: string | null;
  receivedBy: { kind: string; id: string; name: string };
  postedAt: Date | null;
  lines: ReceiptLineDto[];
  shipmentStatus?: string;
}

export function toReceiptDto(r: ShipmentReceiptRecord): ReceiptDto {
  const hide = r.blind && r.status === 'open';
  return {
    id: String(r._id),
    shipmentId: String(r.shipmentId),
    organisationId: String(r.organisationId),
    number: r.number ?? null,
    status: r.status,
    blind: r.blind,
    final: r.final,
    warehouseId: r.warehouseId ? String(r.warehouseId) : null,
    deliveredBy: r.deliveredBy ?? null,
    notes: r.notes ?? null,
    receivedBy: r.receivedBy,
    postedAt: r.postedAt ?? null,
    lines: r.lines.map((l) => ({
      id: String(l._id),
      handlingUnitId: l.handlingUnitId ? String(l.handlingUnitId) : null,
      itemId: String(l.itemId),
      unit: l.unit,
      ...(hide ? {} : { expected: l.expected }),
      good: l.good,
      damaged: l.damaged,
      ...(hide ? {} : { short: l.short, excess: l.excess }),
      counted: l.counted,
      reason: l.reason ?? null,
      lot: l.lot ?? null,
      expiryDate: l.expiryDate ?? null,
      locationCode: l.locationCode ?? null,
    })),
  };
}

/** The organisation that receives: the consignee organisation, or the shipper itself (transfers, inbound). */
function receiverOf(shipment: ShipmentRecord): Types.ObjectId {
  return shipment.consigneeOrganisationId ?? shipment.organisationId;
}

function assertReceiver(shipment: ShipmentRecord, actor: Actor): Types.ObjectId {
  const organisationId = organisationOf(actor);
  if (!receiverOf(shipment).equals(organisationId)) {
    throw new AppError('FORBIDDEN', `Shipment ${shipment.number} is received by its consignee's staff`, {
      shipment: shipment.number,
    });
  }
  return organisationId;
}

/** The receipts of a shipment the actor sees: its own (it receives) or those addressed to it (it shipped). */
function receiptsOf(shipment: ShipmentRecord, actor: Actor, filter: Record<string, unknown> = {}) {
  return owned(ShipmentReceipt, actor)
    .addressed('shipperOrganisationId')
    .find({ ...filter, shipmentId: shipment._id });
}

/**
 * The writes receiving makes on the shipper's records (the shipment's version, its units' state), scoped by the
 * addressed filter: only a shipment the actor's organisation owns or receives. This module's receiving use case is
 * the one path by which a consignee changes them (scope.ts).
 */
function receivedScope<T>(model: Parameters<typeof owned<T>>[0], actor: Actor, filter: Record<string, unknown>) {
  return owned(model, actor)
    .addressed('consigneeOrganisationId')
    .filter(filter as never) as Record<string, unknown>;
}

/** Per handling-unit line, what posted receipts have accounted for (good + damaged + short). */
async function accountedFor(
  shipment: ShipmentRecord,
  actor: Actor,
  session?: ClientSession,
): Promise<Map<string, number>> {
  const posted = await receiptsOf(shipment, actor, { status: 'posted' })
    .session(session ?? null)
    .lean<ShipmentReceiptRecord[]>();
  const accounted = new Map<string, number>();
  for (const receipt of posted) {
    for (const line of receipt.lines) {
      if (!line.lineId) continue;
      const key = String(line.lineId);
      accounted.set(key, (accounted.get(key) ?? 0) + Math.min(line.expected, line.good + line.damaged + line.short));
    }
  }
  return accounted;
}

function outstanding(units: readonly HandlingUnitRecord[], accounted: ReadonlyMap<string, number>) {
  return units
    .filter((u) => u.status !== 'lost')
    .flatMap((u) =>
      u.lines.map((line) => ({ unit: u, line, expected: line.quantity - (accounted.get(String(line._id)) ?? 0) })),
    )
    .filter((o) => o.expected > 0);
}

export async function openReceipt(id: string, input: ReceiptOpenInput, actor: Actor): Promise<ReceiptDto> {
  return withTransaction(async (session) => {
    const { shipment } = await loadShipment(id, actor, session);
    const organisationId = assertReceiver(shipment, actor);
    if (shipment.status !== 'arrived') {
      throw new AppError(
        'INVALID_STATE',
        `Shipment ${shipment.number} is ${shipment.status}: it is received once it has arrived`,
        {
          status: shipment.status,
          allowed: ['arrived'],
        },
      );
    }
    const warehouseId =
      input.warehouseId ?? (shipment.destination.warehouseId ? String(shipment.destination.warehouseId) : null);
    // A delivery lands in the consignee's warehouse, which it names here (one of its own: requireWarehouse is scoped).
    if (!warehouseId && shipment.kind === 'delivery')
      throw validationError([
        {
          field: 'warehouseId',
          message: '"warehouseId" is required: the warehouse of yours the delivery goes into',
          type: 'any.required',
        },
      ]);
    if (warehouseId) await requireWarehouse(actor, warehouseId, 'warehouseId', session);
    const receipts = owned(ShipmentReceipt, actor);
    if (await receipts.exists({ shipmentId: shipment._id, status: 'open' }).session(session)) {
      throw new AppError('CONFLICT', `Shipment ${shipment.number} already has an open receipt: post it first`, {});
    }
    const units = await unitsOf(shipment, actor, session);
    const lines: ReceiptLineRecord[] = outstanding(units, await accountedFor(shipment, actor, session)).map(
      ({ unit, line, expected }) => ({
        _id: new Types.ObjectId(),
        handlingUnitId: unit._id,
        lineId: line._id,
        itemId: line.itemId,
        unit: line.unit,
        expected,
        good: 0,
        damaged: 0,
        short: 0,
        excess: 0,
        counted: false,
        reason: null,
        lot: line.lot ?? null,
        expiryDate: line.expiryDate ?? null,
        locationCode: null,
      }),
    );
    const [created] = await receipts.create(
      [
        {
          shipmentId: shipment._id,
          shipperOrganisationId: shipment.organisationId,
          number: null,
          status: 'open',
          blind: input.blind ?? false,
          final: false,
          warehouseId: warehouseId ? new Types.ObjectId(warehouseId) : null,
          lines,
          deliveredBy: input.deliveredBy ?? null,
          notes: input.notes ?? null,
          receivedBy: ledgerActorOf(actor),
          postedAt: null,
          operationIds: [],
        },
      ],
      { session },
    );
    // Two receipts opened at once both write the shipment: one conflicts and retries, then sees the other's.
    await Shipment.updateOne(
      receivedScope(Shipment, actor, { _id: shipment._id }),
      { $set: { updatedAt: new Date() } },
      { session },
    );
    const record = (created as { toObject(): ShipmentReceiptRecord }).toObject();
    await recordAudit(
      {
        actor,
        action: 'shipment.receipt.open',
        targetType: 'shipment_receipt',
        targetId: record._id,
        organisationId,
        summary: { shipment: shipment.number, blind: record.blind, lines: lines.length },
      },
      session,
    );
    return toReceiptDto(record);
  });
}

async function loadReceipt(shipmentId: string, receiptId: string, actor: Actor, session?: ClientSession) {
  const receipt = await owned(ShipmentReceipt, actor)
    .findOne({ _id: receiptId, shipmentId })
    .session(session ?? null)
    .lean<ShipmentReceiptRecord>();
  if (!receipt) throw notFound('Receipt', receiptId);
  return receipt;
}

/** A receipt of a shipment the actor sees (loadShipment), by the receiver or the shipper: NOT_FOUND otherwise. */
export async function receiptOf(
  shipment: ShipmentRecord,
  receiptId: string,
  actor: Actor,
): Promise<ShipmentReceiptRecord> {
  const receipt = await receiptsOf(shipment, actor, { _id: receiptId }).findOne().lean<ShipmentReceiptRecord>();
  if (!receipt) throw notFound('Receipt', receiptId);
  return receipt;
}

export async function getReceipt(shipmentId: string, receiptId: string, actor: Actor): Promise<ReceiptDto> {
  const { shipment } = await loadShipment(shipmentId, actor);
  return toReceiptDto(await receiptOf(shipment, receiptId, actor));
}

export async function listReceipts(shipmentId: string, actor: Actor): Promise<{ data: ReceiptDto[] }> {
  const { shipment } = await loadShipment(shipmentId, actor);
  // The shipper sees the receipts of what it sent; the receiver its own (they are the same set).
  const receipts = await receiptsOf(shipment, actor).sort({ createdAt: 1 }).lean<ShipmentReceiptRecord[]>();
  return { data: receipts.map(toReceiptDto) };
}

function countOf(item: ItemRecord, value: Count | undefined, unit: string | undefined, field: string): number {
  if (value === undefined) return 0;
  return toSubUnits(item, value, unit, field, { allowZero: true, unitField: field.replace(/\.\w+$/, '.unit') });
}

/** Records counts on an open receipt (a line counted again replaces its count); excess adds lines. */
export async function recordCounts(
  shipmentId: string,
  receiptId: string,
  input: ReceiptCountsInput,
  actor: Actor,
): Promise<ReceiptDto> {
  return withTransaction(async (session) => {
    const receipt = await loadReceipt(shipmentId, receiptId, actor, session);
    if (receipt.status !== 'open')
      throw new AppError('INVALID_STATE', 'This receipt is posted: open a new receipt for what is still expected', {
        status: receipt.status,
      });
    const warehouse = receipt.warehouseId
      ? await requireWarehouse(actor, String(receipt.warehouseId), 'warehouseId', session)
      : null;
    const itemIds = [...receipt.lines.map((l) => String(l.itemId)), ...(input.excess ?? []).map((e) => e.itemId)];
    const items = await requireItems(
      itemIds.map((itemId, i) => ({
        itemId,
        field: i < receipt.lines.length ? 'lines' : `excess[${i - receipt.lines.length}].itemId`,
      })),
      session,
    );
    const lines = receipt.lines.map((l) => ({ ...l }));
    const bin = (code: string | null | undefined, field: string) =>
      warehouse && code ? requireLocation(warehouse, code, field) : null;
    const byId = new Map(lines.map((l) => [String(l._id), l]));
    (input.lines ?? []).forEach((count, i) => {
      const prefix = `lines[${i}]`;
      const line = byId.get(count.lineId);
      if (!line)
        throw validationError([
          {
            field: `${prefix}.lineId`,
            message: `"${prefix}.lineId" is not a line of this receipt`,
            type: 'any.invalid',
          },
        ]);
      const item = items.get(String(line.itemId)) as ItemRecord;
      // Counts are in the unit the receipt line shows (its sub-unit) unless another convertible unit is named.
      const unit = count.unit ?? line.unit;
      const good = countOf(item, count.good, unit, `${prefix}.good`);
      const damaged = countOf(item, count.damaged, unit, `${prefix}.damaged`);
      const short = countOf(item, count.short, unit, `${prefix}.short`);
      if (short > Math.max(0, line.expected - good - damaged)) {
        throw validationError([
          {
            field: `${prefix}.short`,
            message: `"${prefix}.short" is more than what is missing from the line`,
            type: 'number.max',
          },
        ]);
      }
      Object.assign(line, {
        good,
        damaged,
        short,
        excess: Math.max(0, good + damaged - line.expected),
        counted: true,
        reason: count.reason ?? line.reason,
        lot: count.lot !== undefined ? count.lot : line.lot,
        expiryDate: count.expiryDate !== undefined ? count.expiryDate : line.expiryDate,
        locationCode: bin(count.locationCode, `${prefix}.locationCode`),
      });
    });
    (input.excess ?? []).forEach((extra, i) => {
      const prefix = `excess[${i}]`;
      const item = items.get(extra.itemId) as ItemRecord;
      const quantity = toSubUnits(item, extra.quantity, extra.unit, `${prefix}.quantity`);
      lines.push({
        _id: new Types.ObjectId(),
        handlingUnitId: null,
        lineId: null,
        itemId: item._id,
        unit: subUnitOf(item.baseUnit),
        expected: 0,
        good: extra.condition === 'damaged' ? 0 : quantity,
        damaged: extra.condition === 'damaged' ? quantity : 0,
        short: 0,
        excess: quantity,
        counted: true,
        reason: extra.reason ?? null,
        lot: extra.lot ?? null,
        expiryDate: extra.expiryDate ?? null,
        locationCode: bin(extra.locationCode, `${prefix}.locationCode`),
      });
    });
    const after = await owned(ShipmentReceipt, actor)
      .findOneAndUpdate(
        { _id: receipt._id, status: 'open', updatedAt: receipt.updatedAt },
        { $set: { lines } },
        { session, returnDocument: 'after' },
      )
      .lean<ShipmentReceiptRecord>();
    if (!after) throw new AppError('CONFLICT', 'The receipt changed meanwhile; retry', {});
    await recordAudit(
      {
        actor,
        action: 'shipment.receipt.count',
        targetType: 'shipment_receipt',
        targetId: receipt._id,
        summary: { lines: input.lines?.length ?? 0, excess: input.excess?.length ?? 0 },
      },
      session,
    );
    return toReceiptDto(after);
  });
}

/**
 * Signs the receipt: one stock operation out of transit for what arrived (good and damaged, each in its condition),
 * one for what is short, one receipt for excess; then the GRN number and, when nothing is outstanding, the shipment's
 * final state.
 */
export async function postReceipt(
  shipmentId: string,
  receiptId: string,
  input: ReceiptPostInput,
  actor: Actor,
): Promise<ReceiptDto> {
  const number = await reserveDocumentNumber('GRN');
  return withTransaction(async (session) => {
    const receipt = await loadReceipt(shipmentId, receiptId, actor, session);
    if (receipt.status !== 'open')
      throw new AppError('INVALID_STATE', `Receipt ${receipt.number ?? receiptId} is already posted`, {
        status: receipt.status,
      });
    const { shipment } = await loadShipment(shipmentId, actor, session);
    assertReceiver(shipment, actor);
    if (shipment.status !== 'arrived')
      throw new AppError('INVALID_STATE', `Shipment ${shipment.number} is ${shipment.status}`, {
        status: shipment.status,
      });
    const lines = receipt.lines.map((l) => ({ ...l }));
    if (input.final) {
      for (const line of lines) {
        if (line.lineId) line.short = Math.max(line.short, line.expected - line.good - line.damaged);
      }
    }
    const counted = lines.filter((l) => l.good + l.damaged + l.short > 0);
    if (counted.length === 0)
      throw new AppError('UNPROCESSABLE', 'Nothing is counted on this receipt: record counts first', {
        field: 'lines',
      });
    const source = { ...shipmentSource(shipment), number: `${shipment.number}/${number}` };
    const operations: Types.ObjectId[] = [];
    const inTransit = shipment.kind !== 'inbound';
    // What came out of transit, per condition: never more than the line expected; the rest is excess.
    const arrivals = counted.flatMap((l) => {
      const fromTransitDamaged = Math.min(l.damaged, l.expected);
      const fromTransitGood = Math.min(l.good, l.expected - fromTransitDamaged);
      const base = { itemId: l.itemId, lot: l.lot, locationCode: l.locationCode, expiryDate: l.expiryDate };
      return [
        ...(fromTransitGood > 0 ? [{ ...base, quantity: fromTransitGood, condition: undefined }] : []),
        ...(fromTransitDamaged > 0 ? [{ ...base, quantity: fromTransitDamaged, condition: 'damaged' as const }] : []),
      ];
    });
    const excess = counted.flatMap((l) => {
      const fromTransit = Math.min(l.good + l.damaged, l.expected);
      const extra = l.good + l.damaged - fromTransit;
      if (extra <= 0) return [];
      const damagedExtra = Math.max(0, l.damaged - Math.min(l.damaged, l.expected));
      return [
        ...(extra - damagedExtra > 0 ? [{ line: l, quantity: extra - damagedExtra, condition: 'good' as const }] : []),
        ...(damagedExtra > 0 ? [{ line: l, quantity: damagedExtra, condition: 'damaged' as const }] : []),
      ];
    });
    if (arrivals.length) {
      if (!inTransit) {
        const op = await receive(
          {
            warehouseId: String(receipt.warehouseId),
            source,
            lines: arrivals.map((a) => ({
              itemId: String(a.itemId),
              quantity: a.quantity,
              unit: subUnitOfLine(lines, a.itemId),
              locationCode: a.locationCode,
              lot: a.lot,
              expiryDate: a.expiryDate,
              condition: a.condition ?? 'good',
            })),
          },
          actor,
          session,
        );
        operations.push(new Types.ObjectId(op.operationId));
      } else if (receipt.warehouseId) {
        const op = await receiveFromTransit(
          {
            transitId: shipment._id,
            transitOwnerId: shipment.organisationId,
            source,
            toWarehouseId: receipt.warehouseId,
            lines: arrivals.map((a) => ({
              itemId: a.itemId,
              quantity: a.quantity,
              condition: a.condition,
              locationCode: a.locationCode,
              receivedLot: a.lot,
              expiryDate: a.expiryDate,
            })),
          },
          actor,
          session,
        );
        operations.push(new Types.ObjectId(op.operationId));
      } else {
        // Delivered to a consignee outside the system: the goods leave stock as an issue.
        const op = await leaveTransit(
          {
            transitId: shipment._id,
            transitOwnerId: shipment.organisationId,
            source,
            type: 'issue',
            reason: 'delivered',
            lines: arrivals.map((a) => ({ itemId: a.itemId, quantity: a.quantity })),
          },
          actor,
          session,
        );
        operations.push(new Types.ObjectId(op.operationId));
      }
    }
    const shortLines = counted.filter((l) => l.short > 0);
    if (shortLines.length && inTransit) {
      const op = await leaveTransit(
        {
          transitId: shipment._id,
          transitOwnerId: shipment.organisationId,
          source,
          type: 'adjustment',
          reason: 'lost',
          lines: shortLines.map((l) => ({ itemId: l.itemId, quantity: l.short })),
        },
        actor,
        session,
      );
      operations.push(new Types.ObjectId(op.operationId));
    }
    if (excess.length && receipt.warehouseId) {
      const op = await receive(
        {
          warehouseId: String(receipt.warehouseId),
          source: { ...source, type: 'shipment_excess' },
          note: 'excess on receipt',
          lines: excess.map((e) => ({
            itemId: String(e.line.itemId),
            quantity: e.quantity,
            unit: e.line.unit,
            locationCode: e.line.locationCode,
            lot: e.line.lot,
            expiryDate: e.line.expiryDate,
            condition: e.condition,
          })),
        },
        actor,
        session,
      );
      operations.push(new Types.ObjectId(op.operationId));
    }
    const posted = await owned(ShipmentReceipt, actor)
      .findOneAndUpdate(
        { _id: receipt._id, status: 'open' },
        {
          $set: {
            lines,
            status: 'posted',
            number,
            final: input.final ?? false,
            postedAt: new Date(),
            operationIds: operations,
          },
        },
        { session, returnDocument: 'after' },
      )
      .lean<ShipmentReceiptRecord>();
    if (!posted) throw new AppError('CONFLICT', 'The receipt changed meanwhile; retry', {});
    // Units whose lines are all accounted for are received.
    const units = await unitsOf(shipment, actor, session);
    const accounted = await accountedFor(shipment, actor, session);
    const open = outstanding(units, accounted);
    const openUnits = new Set(open.map((o) => String(o.unit._id)));
    const done = units
      .filter((u) => u.status === 'in_transit' || u.status === 'sealed' || u.status === 'open')
      .filter((u) => !openUnits.has(String(u._id)));
    if (done.length) {
      await HandlingUnit.updateMany(
        receivedScope(HandlingUnit, actor, { shipmentId: shipment._id, _id: { $in: done.map((u) => u._id) } }),
        { $set: { status: 'received' } },
        { session },
      );
    }
    const all = await receiptsOf(shipment, actor, { status: 'posted' })
      .session(session)
      .lean<ShipmentReceiptRecord[]>();
    const discrepancies =
      units.some((u) => u.status === 'lost') ||
      all.some((r) => r.lines.some((l) => l.damaged > 0 || l.short > 0 || l.excess > 0));
    const status = await settleAfterReceipt(shipment, { complete: open.length === 0, discrepancies }, actor, session);
    await recordAudit(
      {
        actor,
        action: 'shipment.receipt.post',
        targetType: 'shipment_receipt',
        targetId: receipt._id,
        summary: { number, shipment: shipment.number, operations: operations.length, final: input.final ?? false },
      },
      session,
    );
    return { ...toReceiptDto(posted), shipmentStatus: status };
  });
}

function subUnitOfLine(lines: readonly ReceiptLineRecord[], itemId: Types.ObjectId): string {
  return lines.find((l) => l.itemId.equals(itemId))?.unit ?? 'piece';
}
