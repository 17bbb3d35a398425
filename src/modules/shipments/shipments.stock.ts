/**
 * What shipments ask of the stock module, in one place: reserve at packing, release at unpacking or cancelling,
 * move the reserved goods into transit at dispatch, take them out of transit on receipt or loss, and reverse a
 * dispatch. Every call runs in the shipment step's transaction, so the state and the stock change together.
 *
 * Reservations are made per item and lot of the shipment (its lines summed), not per line: a 3,000-line shipment of
 * a few dozen items holds a few dozen reservations, and packing it stays a short transaction.
 */
import type { ClientSession } from 'mongoose';
import type { Actor } from '../access';
import { dispatchReserved, leaveTransit, release, reserve, reverseOperation, type SourceDocument } from '../stock';
import type { HandlingUnitRecord, ShipmentRecord } from './shipments.model';

export function shipmentSource(shipment: ShipmentRecord): SourceDocument {
  return { type: 'shipment', id: String(shipment._id), number: shipment.number };
}

export interface ItemLot {
  itemId: string;
  lot: string | null;
  quantity: number;
  unit: string;
}

/** The shipment's goods summed per item and lot (null: any lot, earliest expiry first). */
export function goodsOf(units: readonly HandlingUnitRecord[]): ItemLot[] {
  const sums = new Map<string, ItemLot>();
  for (const unit of units) {
    for (const line of unit.lines) {
      const key = `${String(line.itemId)}|${line.lot ?? ''}`;
      const sum = sums.get(key) ?? { itemId: String(line.itemId), lot: line.lot ?? null, quantity: 0, unit: line.unit };
      sum.quantity += line.quantity;
      sums.set(key, sum);
    }
  }
  return [...sums.values()];
}

/**
 * Reserves the shipment's goods at its origin, one reservation source line per item and lot (FEFO across balances
 * when no lot is named). INSUFFICIENT_STOCK when not enough is free: nothing is reserved then.
 */
export async function reserveForShipment(
  shipment: ShipmentRecord,
  units: readonly HandlingUnitRecord[],
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  for (const goods of goodsOf(units)) {
    await reserve(
      {
        warehouseId: String(shipment.origin.warehouseId),
        itemId: goods.itemId,
        ...(goods.lot ? { lot: goods.lot } : {}),
        quantity: goods.quantity,
        unit: goods.unit,
        source: { type: 'shipment', id: String(shipment._id), line: `${goods.itemId}:${goods.lot ?? '*'}` },
      },
      actor,
      session,
    );
  }
}

export async function releaseForShipment(
  shipment: ShipmentRecord,
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  await release({ source: { type: 'shipment', id: String(shipment._id) } }, actor, session);
}

/** Exactly the reserved goods leave the origin into the shipment's transit balances, in one operation. */
export function dispatchShipmentStock(
  shipment: ShipmentRecord,
  units: readonly HandlingUnitRecord[],
  actor: Actor,
  session: ClientSession,
) {
  return dispatchReserved(
    {
      transitId: shipment._id,
      source: { ...shipmentSource(shipment), id: String(shipment._id) },
      expected: goodsOf(units),
    },
    actor,
    session,
  );
}

/** Writes off what lost units carried: it leaves transit as an adjustment with reason lost. */
export async function writeOffUnits(
  shipment: ShipmentRecord,
  units: readonly HandlingUnitRecord[],
  _reason: string,
  actor: Actor,
  session: ClientSession,
) {
  const lines = goodsOf(units);
  if (lines.length === 0) return null;
  if (shipment.kind === 'inbound') return null;
  return leaveTransit(
    {
      transitId: shipment._id,
      transitOwnerId: shipment.organisationId,
      source: shipmentSource(shipment),
      lines,
      type: 'adjustment',
      reason: 'lost',
    },
    actor,
    session,
  );
}

export async function reverseDispatchStock(
  shipment: ShipmentRecord,
  reason: string,
  actor: Actor,
  session: ClientSession,
) {
  if (!shipment.dispatchOperationId) return null;
  return reverseOperation(shipment.dispatchOperationId, { reason }, actor, session);
}
