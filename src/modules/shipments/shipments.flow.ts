/**
 * The life of a shipment, declared as one table (see core/transitions.ts), and the stock each step moves:
 *
 *   expected ──arrive──▶ arrived                          (inbound: the pipeline; nothing is in stock yet)
 *   draft ──pack──▶ packed ──dispatch──▶ dispatched ──arrive──▶ arrived ──(receipts)──▶ received
 *     ▲               │                      │                     │                    received_with_discrepancies
 *     └────unpack─────┘                      ├──lose──▶ lost ◀─────┘                          │
 *                                            └──reverse──▶ cancelled                          └──close──▶ closed
 *   expected | draft | packed ──cancel──▶ cancelled
 *
 * pack reserves the goods at the origin and seals the units; dispatch moves exactly the reserved goods into transit
 * in one ledger operation; unpack and cancel release the reservations; lose writes off what is still in transit
 * (all units, or some: the shipment is lost only when every unit is); reverse puts a dispatch back (the goods never
 * left, or came back) while nothing has been received. Every step is a guarded write with its audit entry, in the
 * transaction of its stock operation.
 */
import type { ClientSession } from 'mongoose';
import { Types } from 'mongoose';
import { AppError, notFound, validationError } from '../../core/errors';
import { type Change, defineLifecycle } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { owned, ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { queuedOnStock } from '../stock';
import {
  HandlingUnit,
  type HandlingUnitRecord,
  Shipment,
  type ShipmentRecord,
  type ShipmentStatus,
} from './shipments.model';
import { type ShipmentDto, shipmentDto, unitsOf } from './shipments.service';
import * as stock from './shipments.stock';

export const shipmentLife = defineLifecycle({
  name: 'Shipment',
  targetType: 'shipment',
  model: Shipment,
  audit: recordAudit,
  label: (s: ShipmentRecord) => s.number,
  transitions: {
    pack: { from: ['draft'], to: 'packed' },
    unpack: { from: ['packed'], to: 'draft' },
    dispatch: { from: ['packed'], to: 'dispatched' },
    arrive: { from: ['expected', 'dispatched'], to: 'arrived' },
    receive: { from: ['arrived'], to: 'received' },
    receiveWithDiscrepancies: { from: ['arrived'], to: 'received_with_discrepancies' },
    close: { from: ['received', 'received_with_discrepancies'], to: 'closed' },
    cancel: { from: ['expected', 'draft', 'packed'], to: 'cancelled' },
    lose: { from: ['dispatched', 'arrived'], to: 'lost' },
    reverse: { from: ['dispatched'], to: 'cancelled' },
  },
});

export type ShipmentAction = keyof typeof shipmentLife.transitions;

/** Only the shipper's organisation plans, packs, dispatches, cancels, closes and writes off. */
const shipperScope = (actor: Actor) => ownerFilter(actor);

/**
 * The shipper's organisation or the consignee's: arrival is noted, and the receipt settles the shipment, by whoever
 * receives the goods. The same filter as every addressed read of a shipment (scope.ts).
 */
export const partyScope = (actor: Actor): Record<string, unknown> =>
  owned(Shipment, actor).addressed('consigneeOrganisationId').filter();

function empty(units: readonly HandlingUnitRecord[], shipment: ShipmentRecord): void {
  if (!units.some((u) => u.lines.length > 0)) {
    throw new AppError(
      'UNPROCESSABLE',
      `Shipment ${shipment.number} has no goods: add handling units with lines first`,
      {
        field: 'handlingUnits',
      },
    );
  }
}

/** Runs a step in a transaction and answers the shipment as it is after it. */
async function run(
  action: ShipmentAction,
  id: string,
  actor: Actor,
  scope: Record<string, unknown>,
  change?: (before: ShipmentRecord, session: ClientSession) => Change | Promise<Change>,
  session?: ClientSession,
): Promise<ShipmentRecord> {
  const step = (s: ClientSession) =>
    shipmentLife.step(action, {
      id,
      actor,
      session: s,
      scope,
      change: change ? (before) => change(before, s) : undefined,
    });
  return session ? step(session) : withTransaction(step);
}

/**
 * The stock a step will write, so that concurrent packs of the same goods queue in this process instead of
 * colliding in the database and retrying (see queuedOnStock; correctness still rests on the guarded writes).
 */
async function stockPairs(id: string, actor: Actor) {
  const shipment = await owned(Shipment, actor).findById(id).lean<ShipmentRecord>();
  if (!shipment?.origin.warehouseId) return [];
  const units = await unitsOf(shipment, actor);
  const warehouseId = shipment.origin.warehouseId;
  return [...new Set(units.flatMap((u) => u.lines.map((l) => String(l.itemId))))].map((itemId) => ({
    warehouseId,
    itemId,
  }));
}

export async function packShipment(id: string, actor: Actor): Promise<ShipmentDto> {
  const pairs = await stockPairs(id, actor);
  const shipment = await queuedOnStock(pairs, () =>
    run('pack', id, actor, shipperScope(actor), async (before, session) => {
      const units = await unitsOf(before, actor, session);
      empty(units, before);
      await stock.reserveForShipment(before, units, actor, session);
      await owned(HandlingUnit, actor).updateMany(
        { shipmentId: before._id },
        { $set: { status: 'sealed' } },
        { session },
      );
      return { set: { packedAt: new Date() }, summary: { units: units.length } };
    }),
  );
  return shipmentDto(shipment, actor);
}

export async function unpackShipment(id: string, actor: Actor): Promise<ShipmentDto> {
  const shipment = await run('unpack', id, actor, shipperScope(actor), async (before, session) => {
    await stock.releaseForShipment(before, actor, session);
    await owned(HandlingUnit, actor).updateMany({ shipmentId: before._id }, { $set: { status: 'open' } }, { session });
    return { set: { packedAt: null } };
  });
  return shipmentDto(shipment, actor);
}

/** The whole shipment leaves the origin into transit in one stock operation, whatever its size. */
export async function dispatchShipment(id: string, actor: Actor): Promise<ShipmentDto> {
  const pairs = await stockPairs(id, actor);
  const shipment = await queuedOnStock(pairs, () =>
    run('dispatch', id, actor, shipperScope(actor), async (before, session) => {
      const movement = await stock.dispatchShipmentStock(before, await unitsOf(before, actor, session), actor, session);
      await owned(HandlingUnit, actor).updateMany(
        { shipmentId: before._id },
        { $set: { status: 'in_transit' } },
        { session },
      );
      return {
        set: { dispatchedAt: movement.at, dispatchOperationId: new Types.ObjectId(movement.operationId) },
        summary: { operationId: movement.operationId, entries: movement.entries },
      };
    }),
  );
  return shipmentDto(shipment, actor);
}

export async function arriveShipment(id: string, actor: Actor): Promise<ShipmentDto> {
  const shipment = await run('arrive', id, actor, partyScope(actor), () => ({ set: { arrivedAt: new Date() } }));
  return shipmentDto(shipment, actor);
}

export async function cancelShipment(id: string, actor: Actor): Promise<ShipmentDto> {
  const shipment = await run('cancel', id, actor, shipperScope(actor), async (before, session) => {
    if (before.status === 'packed') await stock.releaseForShipment(before, actor, session);
    await owned(HandlingUnit, actor).updateMany({ shipmentId: before._id }, { $set: { status: 'open' } }, { session });
    return { set: { cancelledAt: new Date() } };
  });
  return shipmentDto(shipment, actor);
}

export async function closeShipment(id: string, actor: Actor): Promise<ShipmentDto> {
  const shipment = await run('close', id, actor, shipperScope(actor), () => ({ set: { closedAt: new Date() } }));
  return shipmentDto(shipment, actor);
}

/**
 * Writes off units lost on the way: their goods leave transit (ledger: adjustment, reason lost). When every unit of
 * the shipment is lost, the shipment is; otherwise it stays in its state with those units marked lost.
 */
export async function markLost(id: string, input: { handlingUnitIds?: string[]; reason: string }, actor: Actor) {
  const shipment = await withTransaction(async (session) => {
    const current = await owned(Shipment, actor).findById(id).session(session).lean<ShipmentRecord>();
    if (!current) throw notFound('Shipment', id);
    shipmentLife.assertAllowed(current, 'lose');
    const units = await unitsOf(current, actor, session);
    const open = units.filter((u) => u.status === 'in_transit');
    const chosen = input.handlingUnitIds
      ? input.handlingUnitIds.map((unitId, i) => {
          const unit = units.find((u) => String(u._id) === unitId);
          if (unit?.status !== 'in_transit') {
            throw validationError([
              {
                field: `handlingUnitIds[${i}]`,
                message: `"handlingUnitIds[${i}]" is not a unit of this shipment still in transit`,
                type: 'any.invalid',
              },
            ]);
          }
          return unit as HandlingUnitRecord;
        })
      : open;
    await stock.writeOffUnits(current, chosen, input.reason, actor, session);
    await owned(HandlingUnit, actor).updateMany(
      { _id: { $in: chosen.map((u) => u._id) } },
      { $set: { status: 'lost' } },
      { session },
    );
    const everyUnitLost = open.length === chosen.length && !units.some((u) => u.status === 'received');
    if (everyUnitLost) {
      return shipmentLife.step('lose', {
        id: current._id,
        actor,
        session,
        scope: ownerFilter(actor),
        change: () => ({ summary: { units: chosen.length, reason: input.reason } }),
      });
    }
    await recordAudit(
      {
        actor,
        action: 'shipment.units.lost',
        targetType: 'shipment',
        targetId: current._id,
        summary: { units: chosen.map((u) => u.code), reason: input.reason },
      },
      session,
    );
    return current;
  });
  return shipmentDto(shipment, actor);
}

/** Puts a dispatch back: the goods return to the origin's shelves and the shipment is cancelled. */
export async function reverseDispatch(id: string, input: { reason: string }, actor: Actor): Promise<ShipmentDto> {
  const shipment = await run('reverse', id, actor, shipperScope(actor), async (before, session) => {
    const units = await unitsOf(before, actor, session);
    if (units.some((u) => u.status !== 'in_transit')) {
      throw new AppError(
        'INVALID_STATE',
        `Shipment ${before.number} has units already received or lost: reverse those receipts instead`,
        {
          status: before.status,
        },
      );
    }
    await stock.reverseDispatchStock(before, input.reason, actor, session);
    await owned(HandlingUnit, actor).updateMany({ shipmentId: before._id }, { $set: { status: 'open' } }, { session });
    return { set: { cancelledAt: new Date() }, summary: { reason: input.reason, reversed: 'dispatch' } };
  });
  return shipmentDto(shipment, actor);
}

/** The next state once a receipt has been posted: received when everything is accounted for. */
export async function settleAfterReceipt(
  shipment: ShipmentRecord,
  outcome: { complete: boolean; discrepancies: boolean },
  actor: Actor,
  session: ClientSession,
): Promise<ShipmentStatus> {
  if (!outcome.complete) return shipment.status;
  const action: ShipmentAction = outcome.discrepancies ? 'receiveWithDiscrepancies' : 'receive';
  const after = await shipmentLife.step(action, {
    id: shipment._id,
    actor,
    session,
    scope: partyScope(actor),
    change: () => ({ set: { receivedAt: new Date() } }),
  });
  return after.status;
}
