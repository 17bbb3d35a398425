/**
 * Shipments and what they carry. Owns four collections:
 * - `shipments`: the consignment (kind, parties, places, dates, references, transport units, customs events, state);
 * - `handling_units`: pallets, boxes, bales and bundles of a shipment, possibly nested, each with its lines;
 * - `shipment_receipts`: counts of what arrived (good, damaged, short, excess per line), posted to stock;
 * - `shipment_documents`: the number and date each printed document got the first time an organisation printed it,
 *   so that a reprint is identical (its verification code is the verification module's, keyed by this record).
 *
 * Every record belongs to an organisation (`organisationId`, required and indexed; compound indexes lead with it) and
 * carries the ownedByOrganisation plugin. A shipment consigned to another organisation names it in
 * `consigneeOrganisationId`, copied onto its handling units: the declared `addressedTo` field through which that
 * organisation reads them (owned(...).addressed(...)). Receipts belong to the organisation that counted them and are
 * addressed to the shipper (`shipperOrganisationId`), which reads what was received of what it sent.
 *
 * Quantities are integers of the item's sub-unit (grams, millilitres, pieces), as in stock; weights are grams,
 * volumes cm³, dimensions millimetres and money minor units: every total is an exact integer sum.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import {
  HANDLING_UNIT_KINDS,
  type HandlingUnitKind,
  SHIPMENT_KINDS,
  type ShipmentKind,
  TRANSPORT_MODES,
  type TransportMode,
} from '../../documents/shipment-labels';
import { ownedByOrganisation } from '../access';
import { CONDITIONS, type Condition, type LedgerActor, ledgerActorSchema } from '../stock';

export type { HandlingUnitKind, ShipmentKind, TransportMode };
export { HANDLING_UNIT_KINDS, SHIPMENT_KINDS, TRANSPORT_MODES };

/**
 * expected: an inbound shipment pledged or on its way (incoming, never available);
 * draft → packed (stock reserved, units sealed) → dispatched (stock in transit) → arrived → received |
 * received_with_discrepancies → closed; cancelled only before dispatch; lost after dispatch.
 */
export const SHIPMENT_STATUSES = [
  'expected',
  'draft',
  'packed',
  'dispatched',
  'arrived',
  'received',
  'received_with_discrepancies',
  'closed',
  'cancelled',
  'lost',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const CONTAINER_TYPES = ['20ft', '40ft', '40ft_hc'] as const;
export type ContainerType = (typeof CONTAINER_TYPES)[number];

export const CUSTOMS_EVENTS = ['entry', 'hold', 'release'] as const;
export type CustomsEventType = (typeof CUSTOMS_EVENTS)[number];

export interface PartyRecord {
  /** Set when the party is an organisation of this deployment. */
  organisationId: Types.ObjectId | null;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  address: string | null;
  contact: string | null;
}

export interface PlaceRecord {
  /** Set when the place is a warehouse; an external place has a name and address instead. */
  warehouseId: Types.ObjectId | null;
  /** The warehouse's code when the shipment was planned (documents print it without reading the warehouse). */
  code: string | null;
  name: string | null;
  country: string | null;
  address: string | null;
}

export interface VehicleRecord {
  truckPlate: string | null;
  trailerPlate: string | null;
  driverName: string | null;
  driverPhone: string | null;
  carrier: string | null;
}

export interface ContainerRecord {
  /** ISO 6346, check digit verified. */
  number: string;
  type: ContainerType;
  seals: string[];
}

export interface TransportUnitRecord {
  _id: Types.ObjectId;
  /** Short name on documents: TRK-01, CNT-1. */
  code: string;
  kind: 'vehicle' | 'container';
  vehicle: VehicleRecord | null;
  container: ContainerRecord | null;
}

export interface CustomsEventRecord {
  _id: Types.ObjectId;
  type: CustomsEventType;
  at: Date;
  reference: string | null;
  note: string | null;
  recordedBy: LedgerActor;
}

export interface ShipmentReferences {
  billOfLading: string | null;
  airWaybill: string | null;
  cmr: string | null;
  customsDeclaration: string | null;
  aidPermit: string | null;
}

export interface MoneyRecord {
  amountMinor: number;
  currency: string;
}

export interface ShipmentRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  consigneeOrganisationId: Types.ObjectId | null;
  number: string;
  kind: ShipmentKind;
  status: ShipmentStatus;
  shipper: PartyRecord;
  consignee: PartyRecord;
  origin: PlaceRecord;
  destination: PlaceRecord;
  donorIds: Types.ObjectId[];
  /** The donors as named when the shipment was planned: the consignee prints them without reading the shipper's. */
  donors: { name: string | null; country: string | null }[];
  mode: TransportMode | null;
  plannedDispatchAt: Date | null;
  plannedArrivalAt: Date | null;
  packedAt: Date | null;
  dispatchedAt: Date | null;
  arrivedAt: Date | null;
  receivedAt: Date | null;
  closedAt: Date | null;
  cancelledAt: Date | null;
  references: ShipmentReferences;
  declaredValue: MoneyRecord | null;
  notes: string | null;
  transportUnits: TransportUnitRecord[];
  customsEvents: CustomsEventRecord[];
  /** Random token printed under every document's QR code. */
  verificationRef: string;
  /** The stock operation that moved the goods into transit. */
  dispatchOperationId: Types.ObjectId | null;
  createdBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

export interface HandlingUnitLine {
  _id: Types.ObjectId;
  itemId: Types.ObjectId;
  /** Integer sub-units (`unit`). */
  quantity: number;
  unit: string;
  /** As entered: "10" "bag". */
  enteredQuantity: string;
  enteredUnit: string;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
}

export const HANDLING_UNIT_STATUSES = ['open', 'sealed', 'in_transit', 'received', 'lost'] as const;
export type HandlingUnitStatus = (typeof HANDLING_UNIT_STATUSES)[number];

export interface HandlingUnitRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  shipmentId: Types.ObjectId;
  /** The shipment's consignee organisation, copied so that it reads the units it receives (see Shipment). */
  consigneeOrganisationId: Types.ObjectId | null;
  /** The unit it sits in (a box on a pallet). */
  parentId: Types.ObjectId | null;
  transportUnitId: Types.ObjectId | null;
  kind: HandlingUnitKind;
  /** Creation order within the shipment; n of "n / N" is the rank of the unit in its kind by this order. */
  sequence: number;
  /** Printed on the unit: P-0001, B-0012. */
  code: string;
  lines: HandlingUnitLine[];
  /** Packaging weight in grams (pallet, carton); gross = lines' net + tare unless given. */
  tareGrams: number | null;
  /** Declared gross weight in grams, when weighed. */
  grossGrams: number | null;
  dimensionsMm: { length: number; width: number; height: number } | null;
  /** Declared volume in cm³; from the dimensions when absent. */
  volumeCm3: number | null;
  status: HandlingUnitStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReceiptLineRecord {
  _id: Types.ObjectId;
  /** The handling-unit line counted; null for goods that arrived without being sent (excess). */
  handlingUnitId: Types.ObjectId | null;
  lineId: Types.ObjectId | null;
  itemId: Types.ObjectId;
  unit: string;
  /** What was still expected of the line when the receipt opened (sub-units). */
  expected: number;
  good: number;
  damaged: number;
  short: number;
  excess: number;
  counted: boolean;
  reason: string | null;
  lot: string | null;
  expiryDate: Date | null;
  locationCode: string | null;
}

export interface ShipmentReceiptRecord {
  _id: Types.ObjectId;
  /** The receiving organisation: its staff count, and the goods become its stock. */
  organisationId: Types.ObjectId;
  shipmentId: Types.ObjectId;
  /** The shipment's owner: it reads the receipts of what it sent (addressed to it), never writes them. */
  shipperOrganisationId: Types.ObjectId;
  /** GRN number, given when the receipt is posted. */
  number: string | null;
  status: 'open' | 'posted';
  /** The counter does not see the expected figures. */
  blind: boolean;
  /** The last receipt: whatever is still missing becomes short. */
  final: boolean;
  /** Where the goods go; null for a delivery confirmed at a place outside (the goods leave the system). */
  warehouseId: Types.ObjectId | null;
  lines: ReceiptLineRecord[];
  deliveredBy: string | null;
  notes: string | null;
  receivedBy: LedgerActor;
  postedAt: Date | null;
  operationIds: Types.ObjectId[];
  createdAt: Date;
  updatedAt: Date;
}

export const DOCUMENT_TYPES = [
  'manifest',
  'unit_manifest',
  'waybill',
  'packing_list',
  'gift_certificate',
  'goods_received_note',
  'labels',
] as const;
export type ShipmentDocumentType = (typeof DOCUMENT_TYPES)[number];

export interface ShipmentDocumentRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  shipmentId: Types.ObjectId;
  type: ShipmentDocumentType;
  /** The transport unit or receipt a document is about; null for the whole shipment. */
  scopeId: Types.ObjectId | null;
  number: string;
  issuedAt: Date;
}

const party = {
  organisationId: { type: Schema.Types.ObjectId, default: null },
  name: { type: String, required: true },
  country: { type: String, default: null },
  address: { type: String, default: null },
  contact: { type: String, default: null },
};

const place = {
  warehouseId: { type: Schema.Types.ObjectId, default: null },
  code: { type: String, default: null },
  name: { type: String, default: null },
  country: { type: String, default: null },
  address: { type: String, default: null },
};

const money = new Schema<MoneyRecord>(
  { amountMinor: { type: Number, required: true }, currency: { type: String, required: true } },
  { _id: false },
);

const transportUnitSchema = new Schema<TransportUnitRecord>({
  code: { type: String, required: true },
  kind: { type: String, enum: ['vehicle', 'container'], required: true },
  vehicle: {
    type: new Schema<VehicleRecord>(
      {
        truckPlate: { type: String, default: null },
        trailerPlate: { type: String, default: null },
        driverName: { type: String, default: null },
        driverPhone: { type: String, default: null },
        carrier: { type: String, default: null },
      },
      { _id: false },
    ),
    default: null,
  },
  container: {
    type: new Schema<ContainerRecord>(
      {
        number: { type: String, required: true },
        type: { type: String, enum: CONTAINER_TYPES, required: true },
        seals: { type: [String], default: [] },
      },
      { _id: false },
    ),
    default: null,
  },
});

const customsEventSchema = new Schema<CustomsEventRecord>({
  type: { type: String, enum: CUSTOMS_EVENTS, required: true },
  at: { type: Date, required: true },
  reference: { type: String, default: null },
  note: { type: String, default: null },
  recordedBy: { type: ledgerActorSchema, required: true },
});

const shipmentSchema = new Schema<ShipmentRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    consigneeOrganisationId: { type: Schema.Types.ObjectId, default: null },
    number: { type: String, required: true },
    kind: { type: String, enum: SHIPMENT_KINDS, required: true },
    status: { type: String, enum: SHIPMENT_STATUSES, required: true },
    shipper: party,
    consignee: party,
    origin: place,
    destination: place,
    donorIds: { type: [Schema.Types.ObjectId], default: [] },
    donors: {
      type: [
        new Schema({ name: { type: String, default: null }, country: { type: String, default: null } }, { _id: false }),
      ],
      default: [],
    },
    mode: { type: String, enum: [...TRANSPORT_MODES, null], default: null },
    plannedDispatchAt: { type: Date, default: null },
    plannedArrivalAt: { type: Date, default: null },
    packedAt: { type: Date, default: null },
    dispatchedAt: { type: Date, default: null },
    arrivedAt: { type: Date, default: null },
    receivedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    references: {
      billOfLading: { type: String, default: null },
      airWaybill: { type: String, default: null },
      cmr: { type: String, default: null },
      customsDeclaration: { type: String, default: null },
      aidPermit: { type: String, default: null },
    },
    declaredValue: { type: money, default: null },
    notes: { type: String, default: null },
    transportUnits: { type: [transportUnitSchema], default: [] },
    customsEvents: { type: [customsEventSchema], default: [] },
    verificationRef: { type: String, required: true },
    dispatchOperationId: { type: Schema.Types.ObjectId, default: null },
    createdBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'shipments', timestamps: true, versionKey: false },
);

// The consignee organisation reads a shipment addressed to it through owned(Shipment, actor).addressed(...).
shipmentSchema.plugin(ownedByOrganisation, { addressedTo: ['consigneeOrganisationId'] });
shipmentSchema.index({ organisationId: 1, number: 1 }, { unique: true });
shipmentSchema.index({ organisationId: 1, status: 1, createdAt: -1 });
// The consignee's view (shipments addressed to it) and the pipeline of a destination warehouse.
shipmentSchema.index({ consigneeOrganisationId: 1, status: 1 });
shipmentSchema.index({ organisationId: 1, 'destination.warehouseId': 1, status: 1 });

const lineSchema = new Schema<HandlingUnitLine>({
  itemId: { type: Schema.Types.ObjectId, required: true },
  quantity: { type: Number, required: true, min: 1 },
  unit: { type: String, required: true },
  enteredQuantity: { type: String, required: true },
  enteredUnit: { type: String, required: true },
  lot: { type: String, default: null },
  expiryDate: { type: Date, default: null },
  condition: { type: String, enum: CONDITIONS, required: true },
});

const handlingUnitSchema = new Schema<HandlingUnitRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    shipmentId: { type: Schema.Types.ObjectId, required: true },
    consigneeOrganisationId: { type: Schema.Types.ObjectId, default: null },
    parentId: { type: Schema.Types.ObjectId, default: null },
    transportUnitId: { type: Schema.Types.ObjectId, default: null },
    kind: { type: String, enum: HANDLING_UNIT_KINDS, required: true },
    sequence: { type: Number, required: true },
    code: { type: String, required: true },
    lines: { type: [lineSchema], default: [] },
    tareGrams: { type: Number, default: null },
    grossGrams: { type: Number, default: null },
    dimensionsMm: {
      type: new Schema(
        {
          length: { type: Number, required: true },
          width: { type: Number, required: true },
          height: { type: Number, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    volumeCm3: { type: Number, default: null },
    status: { type: String, enum: HANDLING_UNIT_STATUSES, required: true },
  },
  { collection: 'handling_units', timestamps: true, versionKey: false },
);

handlingUnitSchema.plugin(ownedByOrganisation, { addressedTo: ['consigneeOrganisationId'] });
handlingUnitSchema.index({ organisationId: 1, shipmentId: 1, sequence: 1 }, { unique: true });
handlingUnitSchema.index({ organisationId: 1, shipmentId: 1, parentId: 1 });
handlingUnitSchema.index({ consigneeOrganisationId: 1, shipmentId: 1 });

const receiptLineSchema = new Schema<ReceiptLineRecord>({
  handlingUnitId: { type: Schema.Types.ObjectId, default: null },
  lineId: { type: Schema.Types.ObjectId, default: null },
  itemId: { type: Schema.Types.ObjectId, required: true },
  unit: { type: String, required: true },
  expected: { type: Number, required: true, min: 0 },
  good: { type: Number, required: true, min: 0 },
  damaged: { type: Number, required: true, min: 0 },
  short: { type: Number, required: true, min: 0 },
  excess: { type: Number, required: true, min: 0 },
  counted: { type: Boolean, required: true },
  reason: { type: String, default: null },
  lot: { type: String, default: null },
  expiryDate: { type: Date, default: null },
  locationCode: { type: String, default: null },
});

const receiptSchema = new Schema<ShipmentReceiptRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    shipmentId: { type: Schema.Types.ObjectId, required: true },
    shipperOrganisationId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, default: null },
    status: { type: String, enum: ['open', 'posted'], required: true },
    blind: { type: Boolean, required: true },
    final: { type: Boolean, required: true, default: false },
    warehouseId: { type: Schema.Types.ObjectId, default: null },
    lines: { type: [receiptLineSchema], default: [] },
    deliveredBy: { type: String, default: null },
    notes: { type: String, default: null },
    receivedBy: { type: ledgerActorSchema, required: true },
    postedAt: { type: Date, default: null },
    operationIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  { collection: 'shipment_receipts', timestamps: true, versionKey: false },
);

receiptSchema.plugin(ownedByOrganisation, { addressedTo: ['shipperOrganisationId'] });
receiptSchema.index({ organisationId: 1, shipmentId: 1, createdAt: 1 });
receiptSchema.index({ shipperOrganisationId: 1, shipmentId: 1 });

const documentSchema = new Schema<ShipmentDocumentRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    shipmentId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: DOCUMENT_TYPES, required: true },
    scopeId: { type: Schema.Types.ObjectId, default: null },
    number: { type: String, required: true },
    issuedAt: { type: Date, required: true },
  },
  { collection: 'shipment_documents', versionKey: false },
);

documentSchema.plugin(ownedByOrganisation);
// One number per document: printing again finds it; two first prints at once collide here and one retries.
documentSchema.index({ organisationId: 1, shipmentId: 1, type: 1, scopeId: 1 }, { unique: true });

export const Shipment =
  (mongoose.models.Shipment as mongoose.Model<ShipmentRecord> | undefined) ??
  mongoose.model<ShipmentRecord>('Shipment', shipmentSchema);

export const HandlingUnit =
  (mongoose.models.HandlingUnit as mongoose.Model<HandlingUnitRecord> | undefined) ??
  mongoose.model<HandlingUnitRecord>('HandlingUnit', handlingUnitSchema);

export const ShipmentReceipt =
  (mongoose.models.ShipmentReceipt as mongoose.Model<ShipmentReceiptRecord> | undefined) ??
  mongoose.model<ShipmentReceiptRecord>('ShipmentReceipt', receiptSchema);

export const ShipmentDocument =
  (mongoose.models.ShipmentDocument as mongoose.Model<ShipmentDocumentRecord> | undefined) ??
  mongoose.model<ShipmentDocumentRecord>('ShipmentDocument', documentSchema);
