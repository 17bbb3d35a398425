/**
 * Shipments as the API answers them (src/modules/shipments), and what the screens work out from them: the tree of
 * handling units (boxes on pallets, pallets in trucks), which steps the status allows, and a receipt's lines as
 * counted against what was sent. Quantities on the wire are integers of the item's sub-unit (grams, pieces) with
 * their `unit`, or decimal strings with theirs; weights are decimal strings of kg.
 */
export type ShipmentKind = 'inbound' | 'outbound' | 'transfer' | 'delivery';
export type ShipmentStatus =
  | 'expected'
  | 'draft'
  | 'packed'
  | 'dispatched'
  | 'arrived'
  | 'received'
  | 'received_with_discrepancies'
  | 'closed'
  | 'cancelled'
  | 'lost';
export type HandlingUnitKind = 'pallet' | 'box' | 'bale' | 'bundle';

export const SHIPMENT_KINDS: readonly ShipmentKind[] = ['outbound', 'transfer', 'delivery', 'inbound'];
export const HANDLING_UNIT_KINDS: readonly HandlingUnitKind[] = ['pallet', 'box', 'bale', 'bundle'];
export const TRANSPORT_MODES = ['road', 'rail', 'sea', 'air', 'multimodal'] as const;

export interface Party {
  organisationId: string | null;
  name: string;
  country: string | null;
  address?: string | null;
}

export interface Place {
  warehouseId: string | null;
  name: string;
  country?: string | null;
  address?: string | null;
}

export interface HandlingUnitLine {
  id: string;
  itemId: string;
  quantity: string;
  unit: string;
  lot: string | null;
  expiryDate: string | null;
  condition: string;
}

export interface HandlingUnit {
  id: string;
  kind: HandlingUnitKind;
  code: string;
  number: number;
  of: number;
  parentId: string | null;
  transportUnitId: string | null;
  status: string;
  lines: HandlingUnitLine[];
  netKg: string;
  grossKg: string;
}

export interface TransportUnit {
  id: string;
  code: string;
  kind: 'vehicle' | 'container';
  vehicle?: { truckPlate?: string; driverName?: string } | null;
  container?: { number: string; type: string } | null;
}

export interface Shipment {
  id: string;
  number: string;
  kind: ShipmentKind;
  status: ShipmentStatus;
  organisationId: string;
  consigneeOrganisationId: string | null;
  shipper: Party;
  consignee: Party;
  origin: Place;
  destination: Place;
  mode: string | null;
  plannedDispatchAt: string | null;
  plannedArrivalAt: string | null;
  dispatchedAt: string | null;
  notes: string | null;
  transportUnits: TransportUnit[];
  totals: { packages: number; units: number; lines: number; netKg: string; grossKg: string; volumeM3: string };
  createdAt: string;
  handlingUnits?: HandlingUnit[];
}

export interface ReceiptLine {
  id: string;
  handlingUnitId: string | null;
  itemId: string;
  unit: string;
  /** Absent while a blind receipt is open: the counter does not see what was sent. */
  expected?: number;
  good: number;
  damaged: number;
  short?: number;
  excess?: number;
  counted: boolean;
  reason: string | null;
}

export interface Receipt {
  id: string;
  shipmentId: string;
  number: string | null;
  status: 'open' | 'posted';
  blind: boolean;
  final: boolean;
  lines: ReceiptLine[];
}

/** A handling unit with what stands on it, for the packing screen. */
export interface UnitNode {
  unit: HandlingUnit;
  children: UnitNode[];
}

/** The units as a forest: a box under its pallet; units whose parent is not in the list stand at the top. */
export function unitTree(units: readonly HandlingUnit[]): UnitNode[] {
  const nodes = new Map(units.map((unit) => [unit.id, { unit, children: [] as UnitNode[] }]));
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.unit.parentId ? nodes.get(node.unit.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const order = (a: UnitNode, b: UnitNode) =>
    HANDLING_UNIT_KINDS.indexOf(a.unit.kind) - HANDLING_UNIT_KINDS.indexOf(b.unit.kind) ||
    a.unit.number - b.unit.number;
  const sort = (list: UnitNode[]) => {
    list.sort(order);
    for (const node of list) sort(node.children);
  };
  sort(roots);
  return roots;
}

/** Where a unit may be moved: onto any pallet but itself or one of the units standing on it. */
export function moveTargets(units: readonly HandlingUnit[], unitId: string): HandlingUnit[] {
  const below = new Set([unitId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const unit of units) {
      if (unit.parentId && below.has(unit.parentId) && !below.has(unit.id)) {
        below.add(unit.id);
        grew = true;
      }
    }
  }
  return units.filter((unit) => unit.kind === 'pallet' && !below.has(unit.id));
}

export type ShipmentStep = 'pack' | 'unpack' | 'dispatch' | 'arrive' | 'cancel' | 'close';

/** The steps a shipment's status allows, for its owner (the shipper) or the consignee. */
export function nextSteps(shipment: Pick<Shipment, 'status'>, role: 'shipper' | 'consignee'): ShipmentStep[] {
  const shipper: Partial<Record<ShipmentStatus, ShipmentStep[]>> = {
    draft: ['pack', 'cancel'],
    packed: ['dispatch', 'unpack', 'cancel'],
    dispatched: ['arrive'],
    received: ['close'],
    received_with_discrepancies: ['close'],
  };
  const consignee: Partial<Record<ShipmentStatus, ShipmentStep[]>> = { dispatched: ['arrive'] };
  return (role === 'shipper' ? shipper : consignee)[shipment.status] ?? [];
}

/** Whether goods can be counted in: after arrival, until it is received in full. */
export function canReceive(shipment: Pick<Shipment, 'status'>): boolean {
  return shipment.status === 'arrived' || shipment.status === 'dispatched';
}

/** A receipt line's short quantity as counted so far: what was sent less what was counted good or damaged. */
export function shortOf(line: ReceiptLine): number | null {
  if (line.expected === undefined) return null;
  return Math.max(line.expected - line.good - line.damaged, 0);
}
