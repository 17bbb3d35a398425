/**
 * Shipments: planning (parties, places, references, transport units), packing (handling units and their lines),
 * customs events and the reads: the shipper's organisation sees its shipments, the consignee organisation sees a
 * shipment addressed to it from dispatch on, and nobody else sees anything. States and stock live in
 * shipments.flow.ts, receiving in shipments.receiving.ts, documents in shipments.documents.ts.
 */
import { randomBytes } from 'node:crypto';
import { type ClientSession, Types } from 'mongoose';
import { AppError, notFound, validationError } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { organisationOf, owned } from '../access';
import { recordAudit } from '../audit';
import {
  canonicalUnit,
  decimalToScaledInteger,
  formatDecimal,
  formatRatio,
  type ItemRecord,
  itemsByIds,
  parseDecimal,
  requireItems,
  subUnitOf,
  toSubUnits,
} from '../catalog';
import { requireDonor } from '../donors';
import { reserveDocumentNumber } from '../numbering';
import { organisationParty } from '../organisations';
import { checkTracking, ledgerActorOf } from '../stock';
import { loadWarehouses, type WarehouseRecord } from '../warehouses';
import { type ItemsById, shipmentTotals, unitTotals } from './shipment-totals';
import {
  type ContainerType,
  type CustomsEventType,
  HandlingUnit,
  type HandlingUnitKind,
  type HandlingUnitLine,
  type HandlingUnitRecord,
  type MoneyRecord,
  type PartyRecord,
  type PlaceRecord,
  Shipment,
  type ShipmentKind,
  type ShipmentRecord,
  type ShipmentStatus,
  type TransportMode,
  type TransportUnitRecord,
} from './shipments.model';

// ---------------------------------------------------------------------------------------------------------------
// Input

export interface PartyInput {
  organisationId?: string;
  name?: string;
  country?: string;
  address?: string;
  contact?: string;
}

export interface PlaceInput {
  warehouseId?: string;
  name?: string;
  country?: string;
  address?: string;
}

export interface TransportUnitInput {
  code?: string;
  kind: 'vehicle' | 'container';
  vehicle?: { truckPlate?: string; trailerPlate?: string; driverName?: string; driverPhone?: string; carrier?: string };
  container?: { number: string; type: ContainerType; seals?: string[] };
}

export interface MoneyInput {
  amount: string | number;
  currency: string;
}

export interface ShipmentUpdate {
  shipper?: PartyInput;
  consignee?: PartyInput;
  origin?: PlaceInput;
  destination?: PlaceInput;
  donorIds?: string[];
  mode?: TransportMode;
  plannedDispatchAt?: Date;
  plannedArrivalAt?: Date;
  references?: Partial<Record<keyof ShipmentRecord['references'], string>>;
  declaredValue?: MoneyInput;
  notes?: string;
}

export interface CreateShipmentInput extends ShipmentUpdate {
  kind: ShipmentKind;
  consignee: PartyInput;
  origin: PlaceInput;
  destination: PlaceInput;
  transportUnits?: TransportUnitInput[];
}

export interface ShipmentQuery extends PageRequest {
  status?: ShipmentStatus;
  kind?: ShipmentKind;
  direction?: 'incoming' | 'outgoing';
  warehouseId?: string;
}

export interface LineInput {
  itemId: string;
  quantity: string | number;
  unit?: string;
  lot?: string | null;
  expiryDate?: Date | null;
  condition: HandlingUnitLine['condition'];
}

export interface HandlingUnitInput {
  kind: HandlingUnitKind;
  count: number;
  parentId?: string;
  transportUnitId?: string;
  lines: LineInput[];
  tareKg?: string | number;
  grossKg?: string | number;
  dimensions?: { lengthCm: string | number; widthCm: string | number; heightCm: string | number };
  volumeM3?: string | number;
}

export interface MoveUnitInput {
  parentId?: string | null;
  transportUnitId?: string | null;
}

export interface CustomsEventInput {
  type: CustomsEventType;
  at: Date;
  reference?: string;
  note?: string;
}

export interface LostInput {
  handlingUnitIds?: string[];
  reason: string;
}

export type { ReceiptCountsInput, ReceiptOpenInput, ReceiptPostInput } from './shipments.receiving';

// ---------------------------------------------------------------------------------------------------------------
// Answers

export interface HandlingUnitLineDto {
  id: string;
  itemId: string;
  quantity: string;
  unit: string;
  baseQuantity: number;
  subUnit: string;
  lot: string | null;
  expiryDate: Date | null;
  condition: HandlingUnitLine['condition'];
}

export interface HandlingUnitDto {
  id: string;
  shipmentId: string;
  kind: HandlingUnitKind;
  code: string;
  /** n / N within its kind in the shipment. */
  number: number;
  of: number;
  parentId: string | null;
  transportUnitId: string | null;
  status: HandlingUnitRecord['status'];
  lines: HandlingUnitLineDto[];
  netKg: string;
  grossKg: string;
  volumeM3: string;
  dimensionsCm: { length: string; width: string; height: string } | null;
}

export interface TransportUnitDto {
  id: string;
  code: string;
  kind: 'vehicle' | 'container';
  vehicle: TransportUnitRecord['vehicle'];
  container: TransportUnitRecord['container'];
}

export interface ShipmentDto {
  id: string;
  number: string;
  kind: ShipmentKind;
  status: ShipmentStatus;
  organisationId: string;
  consigneeOrganisationId: string | null;
  shipper: PartyDto;
  consignee: PartyDto;
  origin: PlaceDto;
  destination: PlaceDto;
  donorIds: string[];
  mode: TransportMode | null;
  plannedDispatchAt: Date | null;
  plannedArrivalAt: Date | null;
  packedAt: Date | null;
  dispatchedAt: Date | null;
  arrivedAt: Date | null;
  receivedAt: Date | null;
  closedAt: Date | null;
  cancelledAt: Date | null;
  references: ShipmentRecord['references'];
  declaredValue: { amount: string; currency: string } | null;
  notes: string | null;
  transportUnits: TransportUnitDto[];
  customsEvents: { id: string; type: CustomsEventType; at: Date; reference: string | null; note: string | null }[];
  verificationRef: string;
  totals: { packages: number; units: number; lines: number; netKg: string; grossKg: string; volumeM3: string };
  createdAt: Date;
  updatedAt: Date;
}

export type PartyDto = Omit<PartyRecord, 'organisationId'> & { organisationId: string | null };
export type PlaceDto = Omit<PlaceRecord, 'warehouseId'> & { warehouseId: string | null };

export const kgOf = (grams: bigint | number): string => formatRatio(grams, 1000);
export const m3Of = (cm3: bigint | number): string => formatRatio(cm3, 1_000_000);
const minorToDecimal = (minor: number): string => formatRatio(minor, 100);

function partyDto(p: PartyRecord): PartyDto {
  return { ...p, organisationId: p.organisationId ? String(p.organisationId) : null };
}

function placeDto(p: PlaceRecord): PlaceDto {
  return { ...p, warehouseId: p.warehouseId ? String(p.warehouseId) : null };
}

export function toShipmentDto(s: ShipmentRecord, units: readonly HandlingUnitRecord[], items: ItemsById): ShipmentDto {
  const totals = shipmentTotals(units, items);
  return {
    id: String(s._id),
    number: s.number,
    kind: s.kind,
    status: s.status,
    organisationId: String(s.organisationId),
    consigneeOrganisationId: s.consigneeOrganisationId ? String(s.consigneeOrganisationId) : null,
    shipper: partyDto(s.shipper),
    consignee: partyDto(s.consignee),
    origin: placeDto(s.origin),
    destination: placeDto(s.destination),
    donorIds: s.donorIds.map(String),
    mode: s.mode ?? null,
    plannedDispatchAt: s.plannedDispatchAt ?? null,
    plannedArrivalAt: s.plannedArrivalAt ?? null,
    packedAt: s.packedAt ?? null,
    dispatchedAt: s.dispatchedAt ?? null,
    arrivedAt: s.arrivedAt ?? null,
    receivedAt: s.receivedAt ?? null,
    closedAt: s.closedAt ?? null,
    cancelledAt: s.cancelledAt ?? null,
    references: s.references,
    declaredValue: s.declaredValue
      ? { amount: minorToDecimal(s.declaredValue.amountMinor), currency: s.declaredValue.currency }
      : null,
    notes: s.notes ?? null,
    transportUnits: s.transportUnits.map(transportUnitDto),
    customsEvents: s.customsEvents.map((e) => ({
      id: String(e._id),
      type: e.type,
      at: e.at,
      reference: e.reference ?? null,
      note: e.note ?? null,
    })),
    verificationRef: s.verificationRef,
    totals: {
      packages: totals.packages,
      units: totals.units,
      lines: totals.lines,
      netKg: kgOf(totals.netGrams),
      grossKg: kgOf(totals.grossGrams),
      volumeM3: m3Of(totals.volumeCm3),
    },
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function transportUnitDto(t: TransportUnitRecord): TransportUnitDto {
  return { id: String(t._id), code: t.code, kind: t.kind, vehicle: t.vehicle ?? null, container: t.container ?? null };
}

/** n / N of every unit: its rank within its kind, in creation order. */
export function unitNumbers(units: readonly HandlingUnitRecord[]): Map<string, { number: number; of: number }> {
  const byKind = new Map<string, HandlingUnitRecord[]>();
  for (const unit of [...units].sort((a, b) => a.sequence - b.sequence)) {
    byKind.set(unit.kind, [...(byKind.get(unit.kind) ?? []), unit]);
  }
  const numbers = new Map<string, { number: number; of: number }>();
  for (const group of byKind.values()) {
    group.forEach((unit, i) => {
      numbers.set(String(unit._id), { number: i + 1, of: group.length });
    });
  }
  return numbers;
}

export function toHandlingUnitDtos(units: readonly HandlingUnitRecord[], items: ItemsById): HandlingUnitDto[] {
  const numbers = unitNumbers(units);
  const totals = unitTotals(units, items);
  return [...units]
    .sort((a, b) => a.sequence - b.sequence)
    .map((u) => {
      const t = totals.get(String(u._id));
      const n = numbers.get(String(u._id)) ?? { number: 0, of: 0 };
      return {
        id: String(u._id),
        shipmentId: String(u.shipmentId),
        kind: u.kind,
        code: u.code,
        number: n.number,
        of: n.of,
        parentId: u.parentId ? String(u.parentId) : null,
        transportUnitId: u.transportUnitId ? String(u.transportUnitId) : null,
        status: u.status,
        lines: u.lines.map((l) => ({
          id: String(l._id),
          itemId: String(l.itemId),
          quantity: l.enteredQuantity,
          unit: l.enteredUnit,
          baseQuantity: l.quantity,
          subUnit: l.unit,
          lot: l.lot ?? null,
          expiryDate: l.expiryDate ?? null,
          condition: l.condition,
        })),
        netKg: kgOf(t?.netGrams ?? 0n),
        grossKg: kgOf(t?.grossGrams ?? 0n),
        volumeM3: m3Of(t?.volumeCm3 ?? 0n),
        dimensionsCm: u.dimensionsMm
          ? {
              length: formatRatio(u.dimensionsMm.length, 10),
              width: formatRatio(u.dimensionsMm.width, 10),
              height: formatRatio(u.dimensionsMm.height, 10),
            }
          : null,
      };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** A consignee sees a shipment addressed to it from dispatch on: before that it is the shipper's plan. */
export const VISIBLE_TO_CONSIGNEE: readonly ShipmentStatus[] = [
  'dispatched',
  'arrived',
  'received',
  'received_with_discrepancies',
  'closed',
  'lost',
];

export interface ShipmentAccess {
  shipment: ShipmentRecord;
  /** The actor's organisation is the shipper (owner); otherwise it is the consignee. */
  isShipper: boolean;
}

/**
 * The shipment as this actor may see it: its own organisation's, or one consigned to it that has been dispatched.
 * Anything else is "not found", exactly as a shipment that does not exist.
 */
export async function loadShipment(id: string, actor: Actor, session?: ClientSession): Promise<ShipmentAccess> {
  const found = await owned(Shipment, actor)
    .addressed('consigneeOrganisationId')
    .findById(id)
    .session(session ?? null)
    .lean<ShipmentRecord>();
  if (!found) throw notFound('Shipment', id);
  const isShipper = String(found.organisationId) === actor.organisationId;
  if (!isShipper && !VISIBLE_TO_CONSIGNEE.includes(found.status)) throw notFound('Shipment', id);
  return { shipment: found, isShipper };
}

/** The shipment for a change only its shipper may make. */
export async function loadOwnShipment(id: string, actor: Actor, session?: ClientSession): Promise<ShipmentRecord> {
  const found = await owned(Shipment, actor)
    .findById(id)
    .session(session ?? null)
    .lean<ShipmentRecord>();
  if (!found) throw notFound('Shipment', id);
  return found;
}

/**
 * The handling units of a shipment the actor may see (loadShipment): they belong to the shipper and are addressed to
 * the consignee organisation like their shipment, so both read them through the one scoped path.
 */
export function unitsOf(
  shipment: ShipmentRecord,
  actor: Actor,
  session?: ClientSession,
): Promise<HandlingUnitRecord[]> {
  return owned(HandlingUnit, actor)
    .addressed('consigneeOrganisationId')
    .find({ shipmentId: shipment._id })
    .sort({ sequence: 1 })
    .session(session ?? null)
    .lean<HandlingUnitRecord[]>();
}

export async function itemsOf(
  units: readonly HandlingUnitRecord[],
  session?: ClientSession,
): Promise<Map<string, ItemRecord>> {
  const ids = [...new Set(units.flatMap((u) => u.lines.map((l) => String(l.itemId))))];
  const items = await itemsByIds(ids, session);
  return new Map(items.map((i) => [String(i._id), i]));
}

export async function shipmentDto(
  shipment: ShipmentRecord,
  actor: Actor,
  session?: ClientSession,
): Promise<ShipmentDto> {
  const units = await unitsOf(shipment, actor, session);
  return toShipmentDto(shipment, units, await itemsOf(units, session));
}

export async function getShipment(
  id: string,
  actor: Actor,
): Promise<ShipmentDto & { handlingUnits: HandlingUnitDto[] }> {
  const { shipment } = await loadShipment(id, actor);
  const units = await unitsOf(shipment, actor);
  const items = await itemsOf(units);
  return { ...toShipmentDto(shipment, units, items), handlingUnits: toHandlingUnitDtos(units, items) };
}

export async function listShipments(query: ShipmentQuery, actor: Actor): Promise<Page<ShipmentDto>> {
  const organisationId = organisationOf(actor);
  const filter: Record<string, unknown> = {};
  if (query.status) filter.status = query.status;
  if (query.kind) filter.kind = query.kind;
  if (query.warehouseId) {
    const warehouseId = new Types.ObjectId(query.warehouseId);
    filter.$and = [{ $or: [{ 'origin.warehouseId': warehouseId }, { 'destination.warehouseId': warehouseId }] }];
  }
  const own = { organisationId };
  const addressed = { consigneeOrganisationId: organisationId, status: { $in: VISIBLE_TO_CONSIGNEE } };
  const scope =
    query.direction === 'outgoing' ? [own] : query.direction === 'incoming' ? [addressed] : [own, addressed];
  const collection = owned(Shipment, actor).addressed('consigneeOrganisationId');
  const page = await collection.paginate(
    // In $and: the addressed path puts its own $or (owner or consignee) at the top of the filter.
    {
      ...filter,
      $and: [
        ...((filter.$and as object[] | undefined) ?? []),
        { $or: scope.map((s) => (query.status && 'status' in s ? { ...s, status: query.status } : s)) },
      ],
    } as never,
    query,
    { createdAt: -1, _id: -1 },
  );
  const ids = page.data.map((s) => s._id);
  const units = await owned(HandlingUnit, actor)
    .addressed('consigneeOrganisationId')
    .find({ shipmentId: { $in: ids } })
    .lean<HandlingUnitRecord[]>();
  const items = await itemsOf(units);
  return {
    ...page,
    data: page.data.map((s) =>
      toShipmentDto(
        s,
        units.filter((u) => u.shipmentId.equals(s._id)),
        items,
      ),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Planning

function refused(field: string, message: string, type = 'any.invalid'): AppError {
  return validationError([{ field, message: `"${field}" ${message}`, type }]);
}

async function partyOf(
  input: PartyInput | undefined,
  field: string,
  fallback: Types.ObjectId | null,
  session?: ClientSession,
): Promise<PartyRecord> {
  const organisationId = input?.organisationId
    ? new Types.ObjectId(input.organisationId)
    : input?.name
      ? null
      : fallback;
  let name = input?.name ?? null;
  let address = input?.address ?? null;
  if (organisationId) {
    const org = await organisationParty(organisationId, session ?? null);
    if (!org) throw refused(`${field}.organisationId`, 'is not a known organisation', 'any.unknownReference');
    name ??= org.name;
    address ??= org.address;
  }
  if (!name) throw refused(`${field}.name`, 'is required', 'any.required');
  return { organisationId, name, country: input?.country ?? null, address, contact: input?.contact ?? null };
}

function placeOf(
  input: PlaceInput | undefined,
  warehouses: ReadonlyMap<string, WarehouseRecord>,
  field: string,
): PlaceRecord {
  if (input?.warehouseId) {
    const warehouse = warehouses.get(input.warehouseId);
    if (!warehouse) throw refused(`${field}.warehouseId`, 'is not a known warehouse', 'any.unknownReference');
    if (!warehouse.active) throw new AppError('INVALID_STATE', `Warehouse ${warehouse.code} is not active`, { field });
    return {
      warehouseId: warehouse._id,
      code: warehouse.code,
      name: input.name ?? warehouse.name,
      country: input.country ?? 'KZ',
      address: input.address ?? ([warehouse.city, warehouse.address].filter(Boolean).join(', ') || null),
    };
  }
  return {
    warehouseId: null,
    code: null,
    name: input?.name ?? null,
    country: input?.country ?? null,
    address: input?.address ?? null,
  };
}

function moneyOf(input: MoneyInput | undefined, field: string): MoneyRecord | null {
  if (!input) return null;
  return { amountMinor: decimalToScaledInteger(input.amount, 2, `${field}.amount`), currency: input.currency };
}

export function transportUnitOf(
  input: TransportUnitInput,
  existing: readonly TransportUnitRecord[],
): TransportUnitRecord {
  const prefix = input.kind === 'container' ? 'CNT' : 'TRK';
  const code =
    input.code ?? `${prefix}-${String(existing.filter((t) => t.kind === input.kind).length + 1).padStart(2, '0')}`;
  if (existing.some((t) => t.code === code))
    throw refused('code', `${code} is already used in this shipment`, 'any.duplicate');
  return {
    _id: new Types.ObjectId(),
    code,
    kind: input.kind,
    vehicle: input.vehicle
      ? {
          truckPlate: input.vehicle.truckPlate ?? null,
          trailerPlate: input.vehicle.trailerPlate ?? null,
          driverName: input.vehicle.driverName ?? null,
          driverPhone: input.vehicle.driverPhone ?? null,
          carrier: input.vehicle.carrier ?? null,
        }
      : null,
    container: input.container
      ? { number: input.container.number, type: input.container.type, seals: input.container.seals ?? [] }
      : null,
  };
}

/**
 * What each kind requires (warehouses are the actor's organisation's: loadWarehouses reads no other's):
 * - inbound: into one of its warehouses, from anywhere; starts as expected (the pipeline);
 * - outbound: from one of its warehouses to a place outside;
 * - transfer: between two of its warehouses;
 * - delivery: from one of its warehouses to another organisation, named as consignee. The destination is described as
 *   a place (the consignee's store and address): which of its warehouses takes the goods is the consignee's to say when
 *   it receives them, so the shipper never reads, nor needs, another organisation's warehouses.
 * Answers the consignee organisation the shipment is addressed to, if any.
 */
function checkKind(
  kind: ShipmentKind,
  organisationId: Types.ObjectId,
  origin: PlaceRecord,
  destination: PlaceRecord,
  consignee: PartyRecord,
): Types.ObjectId | null {
  const ownWarehouse = (place: PlaceRecord, field: string) => {
    if (!place.warehouseId) throw refused(`${field}.warehouseId`, `is required for a ${kind} shipment`, 'any.required');
  };
  const otherOrganisation =
    consignee.organisationId && !consignee.organisationId.equals(organisationId) ? consignee.organisationId : null;
  if (kind === 'inbound') {
    ownWarehouse(destination, 'destination');
    return null;
  }
  ownWarehouse(origin, 'origin');
  if (kind === 'outbound') {
    if (destination.warehouseId) throw refused('destination.warehouseId', 'must be a place outside (use a transfer)');
    return otherOrganisation;
  }
  if (kind === 'transfer') {
    ownWarehouse(destination, 'destination');
    if (origin.warehouseId?.equals(destination.warehouseId as Types.ObjectId))
      throw refused('destination.warehouseId', 'must differ from the origin');
    return null;
  }
  // delivery
  if (!otherOrganisation)
    throw refused('consignee.organisationId', 'must be another organisation for a delivery', 'any.required');
  if (destination.warehouseId)
    throw refused(
      'destination.warehouseId',
      'is chosen by the consignee when it receives a delivery: describe the place with name and address',
    );
  return otherOrganisation;
}

async function shipmentFieldsOf(
  input: ShipmentUpdate,
  actor: Actor,
  organisationId: Types.ObjectId,
  session?: ClientSession,
) {
  const warehouseIds = [input.origin?.warehouseId, input.destination?.warehouseId].filter((id): id is string => !!id);
  const warehouses = await loadWarehouses(actor, warehouseIds, session);
  const donors: ShipmentRecord['donors'] = [];
  for (const [i, donorId] of (input.donorIds ?? []).entries()) {
    const donor = await requireDonor(actor, donorId, `donorIds[${i}]`, session);
    donors.push({ name: donor.anonymous ? null : (donor.name ?? null), country: donor.country ?? null });
  }
  return {
    donors,
    warehouses,
    origin: input.origin ? placeOf(input.origin, warehouses, 'origin') : undefined,
    destination: input.destination ? placeOf(input.destination, warehouses, 'destination') : undefined,
    shipper: input.shipper ? await partyOf(input.shipper, 'shipper', organisationId, session) : undefined,
    consignee: input.consignee ? await partyOf(input.consignee, 'consignee', organisationId, session) : undefined,
  };
}

export async function createShipment(input: CreateShipmentInput, actor: Actor): Promise<ShipmentDto> {
  const organisationId = organisationOf(actor);
  const { origin, destination, shipper, consignee, donors } = await shipmentFieldsOf(
    {
      ...input,
      shipper: input.shipper ?? (input.kind === 'inbound' ? undefined : { organisationId: String(organisationId) }),
    },
    actor,
    organisationId,
  );
  if (input.kind === 'inbound' && !input.shipper)
    throw refused('shipper', 'is required for an inbound shipment', 'any.required');
  const consigneeOrganisationId = checkKind(
    input.kind,
    organisationId,
    origin as PlaceRecord,
    destination as PlaceRecord,
    consignee as PartyRecord,
  );
  const transportUnits: TransportUnitRecord[] = [];
  for (const unit of input.transportUnits ?? []) transportUnits.push(transportUnitOf(unit, transportUnits));
  const number = await reserveDocumentNumber('SH');
  const created = await withTransaction(async (session) => {
    const [doc] = await owned(Shipment, actor).create(
      [
        {
          consigneeOrganisationId,
          number,
          kind: input.kind,
          status: input.kind === 'inbound' ? 'expected' : 'draft',
          shipper,
          consignee,
          origin,
          destination,
          donorIds: (input.donorIds ?? []).map((id) => new Types.ObjectId(id)),
          donors,
          mode: input.mode ?? null,
          plannedDispatchAt: input.plannedDispatchAt ?? null,
          plannedArrivalAt: input.plannedArrivalAt ?? null,
          references: { ...emptyReferences(), ...input.references },
          declaredValue: moneyOf(input.declaredValue, 'declaredValue'),
          notes: input.notes || null,
          transportUnits,
          customsEvents: [],
          verificationRef: randomBytes(6).toString('hex').toUpperCase(),
          createdBy: ledgerActorOf(actor),
        },
      ],
      { session },
    );
    const record = (doc as { toObject(): ShipmentRecord }).toObject();
    await recordAudit(
      {
        actor,
        action: 'shipment.create',
        targetType: 'shipment',
        targetId: record._id,
        summary: { number, kind: input.kind },
      },
      session,
    );
    return record;
  });
  return toShipmentDto(created, [], new Map());
}

function emptyReferences(): ShipmentRecord['references'] {
  return { billOfLading: null, airWaybill: null, cmr: null, customsDeclaration: null, aidPermit: null };
}

/** States in which the plan (parties, places, units, lines) may still change. */
export const EDITABLE: readonly ShipmentStatus[] = ['expected', 'draft'];

export function assertStatus(shipment: ShipmentRecord, allowed: readonly ShipmentStatus[], doing: string): void {
  if (!allowed.includes(shipment.status)) {
    throw new AppError('INVALID_STATE', `Shipment ${shipment.number} is ${shipment.status}: cannot ${doing}`, {
      status: shipment.status,
      allowed,
    });
  }
}

export async function updateShipment(id: string, input: ShipmentUpdate, actor: Actor): Promise<ShipmentDto> {
  const organisationId = organisationOf(actor);
  const current = await loadOwnShipment(id, actor);
  assertStatus(current, EDITABLE, 'edit it');
  const fields = await shipmentFieldsOf(input, actor, organisationId);
  const next = {
    origin: fields.origin ?? current.origin,
    destination: fields.destination ?? current.destination,
    consignee: fields.consignee ?? current.consignee,
  };
  const consigneeOrganisationId = checkKind(
    current.kind,
    organisationId,
    next.origin,
    next.destination,
    next.consignee,
  );
  const set: Record<string, unknown> = { ...next, consigneeOrganisationId };
  if (fields.shipper) set.shipper = fields.shipper;
  if (input.donorIds) {
    set.donorIds = input.donorIds.map((d) => new Types.ObjectId(d));
    set.donors = fields.donors;
  }
  if (input.mode) set.mode = input.mode;
  if (input.plannedDispatchAt) set.plannedDispatchAt = input.plannedDispatchAt;
  if (input.plannedArrivalAt) set.plannedArrivalAt = input.plannedArrivalAt;
  if (input.references) set.references = { ...current.references, ...input.references };
  if (input.declaredValue) set.declaredValue = moneyOf(input.declaredValue, 'declaredValue');
  if (input.notes !== undefined) set.notes = input.notes || null;
  return withTransaction(async (session) => {
    const after = await owned(Shipment, actor)
      .findOneAndUpdate(
        { _id: current._id, status: current.status },
        { $set: set },
        { session, returnDocument: 'after' },
      )
      .lean<ShipmentRecord>();
    if (!after) throw new AppError('CONFLICT', `Shipment ${current.number} changed meanwhile; retry`, {});
    // The units are addressed to the consignee like their shipment.
    await owned(HandlingUnit, actor).updateMany(
      { shipmentId: current._id },
      { $set: { consigneeOrganisationId } },
      { session },
    );
    await recordAudit(
      {
        actor,
        action: 'shipment.update',
        targetType: 'shipment',
        targetId: after._id,
        summary: { fields: Object.keys(input) },
      },
      session,
    );
    return shipmentDto(after, actor, session);
  });
}

export async function addTransportUnit(id: string, input: TransportUnitInput, actor: Actor): Promise<ShipmentDto> {
  return withTransaction(async (session) => {
    const shipment = await loadOwnShipment(id, actor, session);
    assertStatus(shipment, ['expected', 'draft', 'packed'], 'add a transport unit');
    const unit = transportUnitOf(input, shipment.transportUnits);
    const after = await owned(Shipment, actor)
      .findOneAndUpdate(
        { _id: shipment._id, status: shipment.status },
        { $push: { transportUnits: unit } },
        { session, returnDocument: 'after' },
      )
      .lean<ShipmentRecord>();
    if (!after) throw new AppError('CONFLICT', `Shipment ${shipment.number} changed meanwhile; retry`, {});
    await recordAudit(
      {
        actor,
        action: 'shipment.transport_unit.add',
        targetType: 'shipment',
        targetId: shipment._id,
        summary: { code: unit.code, kind: unit.kind },
      },
      session,
    );
    return shipmentDto(after, actor, session);
  });
}

export async function recordCustomsEvent(id: string, input: CustomsEventInput, actor: Actor): Promise<ShipmentDto> {
  return withTransaction(async (session) => {
    const shipment = await loadOwnShipment(id, actor, session);
    assertStatus(shipment, ['expected', 'packed', 'dispatched', 'arrived'], 'record a customs event');
    const event = {
      _id: new Types.ObjectId(),
      type: input.type,
      at: input.at,
      reference: input.reference ?? null,
      note: input.note ?? null,
      recordedBy: ledgerActorOf(actor),
    };
    const after = await owned(Shipment, actor)
      .findOneAndUpdate(
        { _id: shipment._id },
        { $push: { customsEvents: event } },
        { session, returnDocument: 'after' },
      )
      .lean<ShipmentRecord>();
    await recordAudit(
      {
        actor,
        action: `shipment.customs.${input.type}`,
        targetType: 'shipment',
        targetId: shipment._id,
        summary: { at: input.at, reference: event.reference },
      },
      session,
    );
    return shipmentDto(after as ShipmentRecord, actor, session);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Handling units

const CODE_PREFIX: Record<HandlingUnitKind, string> = {
  pallet: 'P',
  box: 'B',
  bale: 'L',
  bundle: 'N',
  crate: 'C',
  bag: 'G',
  other: 'X',
};

function linesOf(
  lines: readonly LineInput[],
  items: ReadonlyMap<string, ItemRecord>,
  prefix: string,
): HandlingUnitLine[] {
  return lines.map((line, i) => {
    const field = `${prefix}.lines[${i}]`;
    const item = items.get(line.itemId) as ItemRecord;
    const unit = canonicalUnit(line.unit ?? item.baseUnit);
    checkTracking(item, line, field);
    return {
      _id: new Types.ObjectId(),
      itemId: item._id,
      quantity: toSubUnits(item, line.quantity, unit, `${field}.quantity`),
      unit: subUnitOf(item.baseUnit),
      enteredQuantity: formatDecimal(parseDecimal(line.quantity, `${field}.quantity`)),
      enteredUnit: unit,
      lot: line.lot ?? null,
      expiryDate: line.expiryDate ?? null,
      condition: line.condition ?? 'new',
    };
  });
}

function grams(value: string | number | undefined, field: string): number | null {
  return value === undefined ? null : decimalToScaledInteger(value, 3, field);
}

/**
 * Adds units (with `count`, many identical ones at once: 50 boxes of the same kit), each with its lines converted
 * exactly. A parent must be a unit of the same shipment; a transport unit one of its own.
 */
export async function addHandlingUnits(
  id: string,
  input: { units: HandlingUnitInput[] },
  actor: Actor,
): Promise<{ handlingUnits: HandlingUnitDto[] }> {
  const refs = input.units.flatMap((u, i) =>
    u.lines.map((l, j) => ({ itemId: l.itemId, field: `units[${i}].lines[${j}].itemId` })),
  );
  const items = await requireItems(refs);
  const total = input.units.reduce((sum, u) => sum + u.count, 0);
  if (total > 5000) throw refused('units', 'adds more than 5000 units at once', 'array.max');
  return withTransaction(async (session) => {
    const shipment = await loadOwnShipment(id, actor, session);
    assertStatus(shipment, EDITABLE, 'add handling units');
    const existing = await unitsOf(shipment, actor, session);
    const byId = new Map(existing.map((u) => [String(u._id), u]));
    let sequence = existing.reduce((max, u) => Math.max(max, u.sequence), 0);
    const docs: Omit<HandlingUnitRecord, 'organisationId' | 'createdAt' | 'updatedAt'>[] = [];
    input.units.forEach((unit, i) => {
      const prefix = `units[${i}]`;
      if (unit.parentId && !byId.has(unit.parentId))
        throw refused(`${prefix}.parentId`, 'is not a unit of this shipment', 'any.invalid');
      if (unit.transportUnitId && !shipment.transportUnits.some((t) => String(t._id) === unit.transportUnitId))
        throw refused(`${prefix}.transportUnitId`, 'is not a transport unit of this shipment', 'any.invalid');
      const lines = linesOf(unit.lines, items, prefix);
      const d = unit.dimensions;
      for (let copy = 0; copy < unit.count; copy += 1) {
        sequence += 1;
        docs.push({
          _id: new Types.ObjectId(),
          shipmentId: shipment._id,
          consigneeOrganisationId: shipment.consigneeOrganisationId ?? null,
          parentId: unit.parentId ? new Types.ObjectId(unit.parentId) : null,
          transportUnitId: unit.transportUnitId
            ? new Types.ObjectId(unit.transportUnitId)
            : unit.parentId
              ? (byId.get(unit.parentId)?.transportUnitId ?? null)
              : null,
          kind: unit.kind,
          sequence,
          code: `${CODE_PREFIX[unit.kind]}-${String(sequence).padStart(4, '0')}`,
          lines: lines.map((l) => ({ ...l, _id: new Types.ObjectId() })),
          tareGrams: grams(unit.tareKg, `${prefix}.tareKg`),
          grossGrams: grams(unit.grossKg, `${prefix}.grossKg`),
          dimensionsMm: d
            ? {
                length: decimalToScaledInteger(d.lengthCm, 1, `${prefix}.dimensions.lengthCm`),
                width: decimalToScaledInteger(d.widthCm, 1, `${prefix}.dimensions.widthCm`),
                height: decimalToScaledInteger(d.heightCm, 1, `${prefix}.dimensions.heightCm`),
              }
            : null,
          volumeCm3:
            unit.volumeM3 === undefined ? null : decimalToScaledInteger(unit.volumeM3, 6, `${prefix}.volumeM3`),
          status: 'open',
        });
      }
    });
    const now = new Date();
    await owned(HandlingUnit, actor).insertMany(
      docs.map((d) => ({ ...d, createdAt: now, updatedAt: now })),
      { session, lean: true },
    );
    // The shipment's version moves with its contents, so a concurrent pack or a second add conflicts and retries.
    await owned(Shipment, actor).updateOne({ _id: shipment._id }, { $set: { updatedAt: now } }, { session });
    await recordAudit(
      {
        actor,
        action: 'shipment.units.add',
        targetType: 'shipment',
        targetId: shipment._id,
        summary: { units: docs.length, lines: docs.reduce((s, d) => s + d.lines.length, 0) },
      },
      session,
    );
    const all = await unitsOf(shipment, actor, session);
    const added = new Set(docs.map((d) => String(d._id)));
    const itemsById = await itemsOf(all, session);
    return { handlingUnits: toHandlingUnitDtos(all, itemsById).filter((u) => added.has(u.id)) };
  });
}

/** Moves a unit onto another (a box to another pallet) or into another transport unit; nesting never loops. */
export async function moveHandlingUnit(
  id: string,
  unitId: string,
  input: MoveUnitInput,
  actor: Actor,
): Promise<HandlingUnitDto> {
  return withTransaction(async (session) => {
    const shipment = await loadOwnShipment(id, actor, session);
    const units = await unitsOf(shipment, actor, session);
    const byId = new Map(units.map((u) => [String(u._id), u]));
    const unit = byId.get(unitId);
    if (!unit) throw notFound('Handling unit', unitId);
    assertStatus(shipment, EDITABLE, 'move handling units');
    const set: Record<string, unknown> = {};
    if (input.parentId !== undefined) {
      if (input.parentId !== null) {
        const parent = byId.get(input.parentId);
        if (!parent) throw refused('parentId', 'is not a unit of this shipment', 'any.invalid');
        for (
          let p: HandlingUnitRecord | undefined = parent;
          p;
          p = p.parentId ? byId.get(String(p.parentId)) : undefined
        ) {
          if (String(p._id) === unitId) throw refused('parentId', 'would put the unit inside itself', 'any.invalid');
        }
        set.parentId = parent._id;
        if (input.transportUnitId === undefined) set.transportUnitId = parent.transportUnitId ?? null;
      } else set.parentId = null;
    }
    if (input.transportUnitId !== undefined) {
      if (
        input.transportUnitId !== null &&
        !shipment.transportUnits.some((t) => String(t._id) === input.transportUnitId)
      )
        throw refused('transportUnitId', 'is not a transport unit of this shipment', 'any.invalid');
      set.transportUnitId = input.transportUnitId ? new Types.ObjectId(input.transportUnitId) : null;
    }
    await owned(HandlingUnit, actor).updateOne({ _id: unit._id }, { $set: set }, { session });
    // Children travel with their parent.
    if (set.transportUnitId !== undefined) {
      const descendants = units.filter((u) => {
        for (
          let p = u.parentId ? byId.get(String(u.parentId)) : undefined;
          p;
          p = p.parentId ? byId.get(String(p.parentId)) : undefined
        ) {
          if (String(p._id) === unitId) return true;
        }
        return false;
      });
      if (descendants.length)
        await owned(HandlingUnit, actor).updateMany(
          { _id: { $in: descendants.map((d) => d._id) } },
          { $set: { transportUnitId: set.transportUnitId } },
          { session },
        );
    }
    await recordAudit(
      {
        actor,
        action: 'shipment.unit.move',
        targetType: 'handling_unit',
        targetId: unit._id,
        summary: { shipment: shipment.number, ...input },
      },
      session,
    );
    const all = await unitsOf(shipment, actor, session);
    return toHandlingUnitDtos(all, await itemsOf(all, session)).find((u) => u.id === unitId) as HandlingUnitDto;
  });
}

export async function removeHandlingUnit(id: string, unitId: string, actor: Actor): Promise<{ removed: string }> {
  return withTransaction(async (session) => {
    const shipment = await loadOwnShipment(id, actor, session);
    // The unit is looked up before the state is checked: another organisation's unit is not found, whatever state.
    const unit = await owned(HandlingUnit, actor)
      .findOne({ _id: unitId, shipmentId: shipment._id })
      .session(session)
      .lean<HandlingUnitRecord>();
    if (!unit) throw notFound('Handling unit', unitId);
    assertStatus(shipment, EDITABLE, 'remove handling units');
    if (await owned(HandlingUnit, actor).exists({ shipmentId: shipment._id, parentId: unit._id }).session(session))
      throw new AppError('INVALID_STATE', `Unit ${unit.code} holds other units: move or remove them first`, { unitId });
    // The scoped collection has no delete: the filter is still the one it builds.
    await HandlingUnit.deleteOne(owned(HandlingUnit, actor).filter({ _id: unit._id }), { session });
    await recordAudit(
      {
        actor,
        action: 'shipment.unit.remove',
        targetType: 'handling_unit',
        targetId: unit._id,
        summary: { code: unit.code },
      },
      session,
    );
    return { removed: unitId };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The pipeline

export interface IncomingLine {
  itemId: string;
  sku: string | null;
  /** Null for a delivery from another organisation until its receipt names the warehouse. */
  warehouseId: string | null;
  /** Sub-units expected on shipments not yet received. */
  quantity: number;
  unit: string;
  shipments: string[];
}

/**
 * What is on its way to the actor's warehouses: inbound shipments still expected and shipments dispatched to them.
 * Incoming goods are never available: they reach stock only when a receipt is posted.
 */
export async function incoming(query: { warehouseId?: string }, actor: Actor): Promise<{ data: IncomingLine[] }> {
  const organisationId = organisationOf(actor);
  const filter: Record<string, unknown> = { status: { $in: ['expected', 'dispatched', 'arrived'] } };
  if (query.warehouseId) filter['destination.warehouseId'] = new Types.ObjectId(query.warehouseId);
  const shipments = await owned(Shipment, actor)
    .addressed('consigneeOrganisationId')
    .find(filter)
    .lean<ShipmentRecord[]>();
  // Coming to the actor's organisation: its own inbound and transfers, and what other organisations dispatched to it
  // (a delivery's warehouse is the consignee's to choose on receipt: null until then).
  const mine = shipments.filter((s) =>
    s.consigneeOrganisationId
      ? s.consigneeOrganisationId.equals(organisationId) && s.status !== 'expected'
      : s.organisationId.equals(organisationId) && (s.kind === 'inbound' || s.kind === 'transfer'),
  );
  const units = await owned(HandlingUnit, actor)
    .addressed('consigneeOrganisationId')
    .find({ shipmentId: { $in: mine.map((s) => s._id) }, status: { $ne: 'lost' } })
    .lean<HandlingUnitRecord[]>();
  const byShipment = new Map(mine.map((s) => [String(s._id), s]));
  const lines = new Map<string, IncomingLine>();
  for (const unit of units) {
    const shipment = byShipment.get(String(unit.shipmentId)) as ShipmentRecord;
    const warehouseId = shipment.destination.warehouseId ? String(shipment.destination.warehouseId) : null;
    for (const line of unit.lines) {
      const key = `${warehouseId}:${String(line.itemId)}`;
      const entry = lines.get(key) ?? {
        itemId: String(line.itemId),
        sku: null,
        warehouseId,
        quantity: 0,
        unit: line.unit,
        shipments: [],
      };
      entry.quantity += line.quantity;
      if (!entry.shipments.includes(shipment.number)) entry.shipments.push(shipment.number);
      lines.set(key, entry);
    }
  }
  const items = await itemsByIds([...new Set([...lines.values()].map((l) => l.itemId))]);
  const sku = new Map(items.map((i) => [String(i._id), i.sku]));
  return { data: [...lines.values()].map((l) => ({ ...l, sku: sku.get(l.itemId) ?? null })) };
}
