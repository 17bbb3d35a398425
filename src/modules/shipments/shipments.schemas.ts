/**
 * Joi request schemas of the shipments API. Shapes only: references (warehouses, items, organisations), states and
 * quantities that must convert are checked by the service, which names the field in its errors as Joi does.
 */
import Joi from 'joi';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { quantityValue, unitCode } from '../catalog';
import { countryCode } from '../donors';
import { CONDITIONS, lot } from '../stock';
import { locationCode } from '../warehouses';
import { isValidContainerNumber, normaliseContainerNumber } from './iso6346';
import {
  CONTAINER_TYPES,
  CUSTOMS_EVENTS,
  HANDLING_UNIT_KINDS,
  SHIPMENT_KINDS,
  SHIPMENT_STATUSES,
  TRANSPORT_MODES,
} from './shipments.model';
import type {
  CreateShipmentInput,
  CustomsEventInput,
  HandlingUnitInput,
  LostInput,
  MoveUnitInput,
  ReceiptCountsInput,
  ReceiptOpenInput,
  ReceiptPostInput,
  ShipmentQuery,
  ShipmentUpdate,
  TransportUnitInput,
} from './shipments.service';

const text = (max = 200) => Joi.string().trim().min(1).max(max);
const decimalAmount = () =>
  Joi.alternatives()
    .try(
      Joi.string()
        .trim()
        .max(24)
        .pattern(/^(\d+\.?\d*|\.\d+)$/),
      Joi.number().min(0),
    )
    .messages({ 'alternatives.match': '{{#label}} must be a decimal number, 0 or more' });
const money = () =>
  Joi.object({
    amount: decimalAmount().required(),
    currency: Joi.string()
      .trim()
      .uppercase()
      .pattern(/^[A-Z]{3}$/)
      .required(),
  });

/** An organisation of this deployment, or an outside party described in full. */
const party = Joi.object({
  organisationId: objectId(),
  name: text(),
  country: countryCode(),
  address: text(500),
  contact: text(200),
}).or('organisationId', 'name');

/** A warehouse, or an outside place. */
const place = Joi.object({
  warehouseId: objectId(),
  name: text(),
  country: countryCode(),
  address: text(500),
}).or('warehouseId', 'name');

export const containerNumber = () =>
  Joi.string()
    .trim()
    .max(20)
    .custom((value: string, helpers) => {
      const number = normaliseContainerNumber(value);
      return isValidContainerNumber(number) ? number : helpers.error('container.number');
    })
    .messages({
      'container.number': '{{#label}} must be an ISO 6346 container number with a valid check digit (e.g. CSQU3054383)',
    });

const transportUnit = Joi.object<TransportUnitInput>({
  code: Joi.string()
    .trim()
    .uppercase()
    .max(16)
    .pattern(/^[A-Z0-9][A-Z0-9-]*$/),
  kind: Joi.string().valid('vehicle', 'container').required(),
  vehicle: Joi.object({
    truckPlate: text(20),
    trailerPlate: text(20),
    driverName: text(120),
    driverPhone: Joi.string()
      .trim()
      .max(32)
      .pattern(/^\+?[0-9 ()-]{5,}$/),
    carrier: text(200),
  }),
  container: Joi.object({
    number: containerNumber().required(),
    type: Joi.string()
      .valid(...CONTAINER_TYPES)
      .required(),
    seals: arrayOf(text(32), 10).default([]),
  })
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .when('kind', { is: 'container', then: Joi.required(), otherwise: Joi.forbidden() }),
});

const references = Joi.object({
  billOfLading: text(64),
  airWaybill: text(64),
  cmr: text(64),
  customsDeclaration: text(64),
  aidPermit: text(64),
});

const shipmentFields = {
  shipper: party,
  consignee: party,
  origin: place,
  destination: place,
  donorIds: arrayOf(objectId(), 50).unique(),
  mode: Joi.string().valid(...TRANSPORT_MODES),
  plannedDispatchAt: Joi.date().iso(),
  plannedArrivalAt: Joi.date().iso(),
  references,
  declaredValue: money(),
  notes: Joi.string().trim().max(2000).allow(''),
};

export const createShipmentSchemas = {
  body: Joi.object<CreateShipmentInput>({
    kind: Joi.string()
      .valid(...SHIPMENT_KINDS)
      .required(),
    ...shipmentFields,
    consignee: party.required(),
    origin: place.required(),
    destination: place.required(),
    transportUnits: arrayOf(transportUnit, 200),
  }),
};

export const updateShipmentSchemas = {
  params: idParams,
  body: Joi.object<ShipmentUpdate>(shipmentFields).min(1),
};

export const shipmentIdSchemas = { params: idParams };

export const listShipmentsSchemas = {
  query: Joi.object<ShipmentQuery>({
    ...paginationKeys,
    status: Joi.string().valid(...SHIPMENT_STATUSES),
    kind: Joi.string().valid(...SHIPMENT_KINDS),
    /** incoming: shipments consigned to the actor's organisation; outgoing: its own. Both when absent. */
    direction: Joi.string().valid('incoming', 'outgoing'),
    warehouseId: objectId(),
  }),
};

export const incomingSchemas = {
  query: Joi.object({ warehouseId: objectId() }),
};

export const addTransportUnitSchemas = { params: idParams, body: transportUnit.required() };

const line = Joi.object({
  itemId: objectId().required(),
  quantity: quantityValue().required(),
  unit: unitCode(),
  lot: lot().allow(null),
  expiryDate: Joi.date().iso().allow(null),
  condition: Joi.string()
    .valid(...CONDITIONS)
    .default('new'),
});

const dimensions = Joi.object({
  lengthCm: decimalAmount().required(),
  widthCm: decimalAmount().required(),
  heightCm: decimalAmount().required(),
});

const handlingUnit = Joi.object<HandlingUnitInput>({
  kind: Joi.string()
    .valid(...HANDLING_UNIT_KINDS)
    .required(),
  /** Adds this many identical units at once (50 boxes of the same kit). */
  count: Joi.number().integer().min(1).max(1000).default(1),
  parentId: objectId(),
  transportUnitId: objectId(),
  lines: arrayOf(line, 200).default([]),
  tareKg: decimalAmount(),
  grossKg: decimalAmount(),
  dimensions,
  volumeM3: decimalAmount(),
});

export const addHandlingUnitsSchemas = {
  params: idParams,
  body: Joi.object({ units: arrayOf(handlingUnit, 1000).min(1).required() }),
};

export const handlingUnitParams = Joi.object({ id: objectId().required(), unitId: objectId().required() });

export const moveHandlingUnitSchemas = {
  params: handlingUnitParams,
  body: Joi.object<MoveUnitInput>({
    parentId: objectId().allow(null),
    transportUnitId: objectId().allow(null),
  }).or('parentId', 'transportUnitId'),
};

export const removeHandlingUnitSchemas = { params: handlingUnitParams };

export const customsEventSchemas = {
  params: idParams,
  body: Joi.object<CustomsEventInput>({
    type: Joi.string()
      .valid(...CUSTOMS_EVENTS)
      .required(),
    at: Joi.date().iso().required(),
    reference: text(64),
    note: Joi.string().trim().max(1000),
  }),
};

export const lostSchemas = {
  params: idParams,
  body: Joi.object<LostInput>({
    /** Some units; every unit still in transit when absent. */
    handlingUnitIds: arrayOf(objectId(), 5000).min(1).unique(),
    reason: text(500).required(),
  }),
};

export const reverseSchemas = {
  params: idParams,
  body: Joi.object({ reason: text(500).required() }),
};

export const openReceiptSchemas = {
  params: idParams,
  body: Joi.object<ReceiptOpenInput>({
    blind: Joi.boolean().default(false),
    warehouseId: objectId(),
    deliveredBy: text(200),
    notes: Joi.string().trim().max(2000),
  }),
};

export const receiptParams = Joi.object({ id: objectId().required(), receiptId: objectId().required() });

/** A count on a receipt: zero or more, as a decimal string or a number (what the OpenAPI document says too). */
const count = (): Joi.AlternativesSchema =>
  Joi.alternatives()
    .try(
      Joi.string()
        .trim()
        .max(40)
        .pattern(/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/),
      Joi.number().min(0),
    )
    .messages({ 'alternatives.match': '{{#label}} must be a decimal number, zero or more' });

export const receiptCountsSchemas = {
  params: receiptParams,
  body: Joi.object<ReceiptCountsInput>({
    lines: arrayOf(
      Joi.object({
        lineId: objectId().required(),
        good: count(),
        damaged: count(),
        short: count(),
        unit: unitCode(),
        reason: text(500),
        lot: lot().allow(null),
        expiryDate: Joi.date().iso().allow(null),
        locationCode: locationCode().allow(null),
      }),
      5000,
    ).default([]),
    /** Goods that arrived without being sent. */
    excess: arrayOf(
      Joi.object({
        itemId: objectId().required(),
        quantity: quantityValue().required(),
        unit: unitCode(),
        condition: Joi.string()
          .valid(...CONDITIONS)
          .default('good'),
        reason: text(500),
        lot: lot().allow(null),
        expiryDate: Joi.date().iso().allow(null),
        locationCode: locationCode().allow(null),
      }),
      500,
    ).default([]),
  }).or('lines', 'excess'),
};

export const receiptIdSchemas = { params: receiptParams };

export const postReceiptSchemas = {
  params: receiptParams,
  body: Joi.object<ReceiptPostInput>({
    /** The last receipt: whatever is still missing is recorded short. */
    final: Joi.boolean().default(false),
  }).default({}),
};

const lang = Joi.string().valid('kk', 'ru', 'en').default('ru');

export const documentSchemas = { params: idParams, query: Joi.object({ lang }) };

export const transportDocumentSchemas = {
  params: Joi.object({ id: objectId().required(), transportUnitId: objectId().required() }),
  query: Joi.object({ lang }),
};

export const receiptDocumentSchemas = { params: receiptParams, query: Joi.object({ lang }) };
