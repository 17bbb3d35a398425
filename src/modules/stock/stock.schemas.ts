import Joi from 'joi';
import { idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { ITEM_CATEGORIES } from '../catalog/catalog.model';
import { quantityValue, signedQuantityValue, unitCode } from '../catalog/catalog.schemas';
import { REGIONS } from '../warehouses/regions';
import { locationCode } from '../warehouses/warehouses.schemas';
import { ADJUSTMENT_REASONS, CONDITIONS, LEDGER_TYPES, RESERVATION_STATUSES } from './stock.model';
import { COUNT_STATUSES } from './stock-count.model';

export const lot = (): Joi.StringSchema => Joi.string().trim().min(1).max(64);
const optionalLocation = () => locationCode().allow(null);
const expiryDate = () => Joi.date().iso().allow(null);
const condition = () => Joi.string().valid(...CONDITIONS);
const note = () => Joi.string().trim().max(1000).allow('', null);

/** A balance named by id, or by warehouse + item and optional identity parts. */
const selector = {
  balanceId: objectId(),
  warehouseId: objectId(),
  itemId: objectId(),
  locationCode: optionalLocation(),
  lot: lot().allow(null),
  expiryDate: expiryDate(),
  condition: condition(),
};

/** Issuable stock named by balance, or by warehouse + item and optional bin, lot, expiry (the condition is sound). */
const { condition: _condition, ...namedStock } = selector;

const amount = { quantity: quantityValue().required(), unit: unitCode() };

export const moveSchemas = {
  body: Joi.object({
    ...selector,
    fromLocationCode: optionalLocation(),
    toLocationCode: optionalLocation().required(),
    ...amount,
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', ['warehouseId', 'fromLocationCode']),
};

export const transferSchemas = {
  body: Joi.object({
    ...selector,
    fromWarehouseId: objectId(),
    fromLocationCode: optionalLocation(),
    toWarehouseId: objectId().required(),
    toLocationCode: optionalLocation(),
    ...amount,
    reference: Joi.string().trim().max(64).allow(null),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .oxor('warehouseId', 'fromWarehouseId'),
};

export const adjustmentSchemas = {
  body: Joi.object({
    ...selector,
    quantity: signedQuantityValue().required(),
    unit: unitCode(),
    reason: Joi.string()
      .valid(...ADJUSTMENT_REASONS)
      .required(),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', 'warehouseId'),
};

export const disposalSchemas = {
  body: Joi.object({
    ...selector,
    ...amount,
    reason: Joi.string().valid('damaged', 'expired').required(),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', 'warehouseId'),
};

export const issueSchemas = {
  body: Joi.object({
    ...namedStock,
    ...amount,
    reference: Joi.string().trim().max(64).allow(null),
    reason: Joi.string().trim().max(64).allow(null),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', 'warehouseId'),
};

export const kitSchemas = {
  body: Joi.object({
    warehouseId: objectId().required(),
    kitItemId: objectId().required(),
    ...amount,
    locationCode: optionalLocation(),
    toLocationCode: optionalLocation(),
    lot: lot().allow(null),
    note: note(),
  }),
};

export const reverseSchemas = {
  params: idParams,
  body: Joi.object({ reason: Joi.string().trim().max(200).allow(null), note: note() }),
};

export const startCountSchemas = {
  body: Joi.object({ warehouseId: objectId().required(), locationCode: optionalLocation() }),
};

const countedQuantity = () =>
  Joi.alternatives()
    .try(
      Joi.string()
        .trim()
        .max(40)
        .pattern(/^\+?(\d+\.?\d*|\.\d+)$/),
      Joi.number().min(0),
    )
    .messages({ 'alternatives.match': '{{#label}} must be a decimal number, 0 or more' });

export const countLinesSchemas = {
  params: idParams,
  body: Joi.object({
    lines: Joi.array()
      .items(
        Joi.object({
          balanceId: objectId(),
          itemId: objectId(),
          locationCode: optionalLocation(),
          lot: lot().allow(null),
          expiryDate: expiryDate(),
          condition: condition(),
          quantity: countedQuantity().required(),
          unit: unitCode(),
        }).or('balanceId', 'itemId'),
      )
      .min(1)
      .max(1000)
      .required(),
  }),
};

export const countIdSchemas = { params: idParams };

export const listCountsSchemas = {
  query: Joi.object({ ...paginationKeys, warehouseId: objectId(), status: Joi.string().valid(...COUNT_STATUSES) }),
};

const scope = {
  warehouseId: objectId(),
  itemId: objectId(),
  category: Joi.string().valid(...ITEM_CATEGORIES),
  region: Joi.string().valid(...REGIONS),
};

export const balancesSchemas = {
  query: Joi.object({
    ...paginationKeys,
    ...scope,
    locationCode: locationCode(),
    condition: condition(),
    lot: lot(),
    includeZero: Joi.boolean().default(false),
  }),
};

export const availabilitySchemas = { query: Joi.object({ ...paginationKeys, ...scope }) };

export const expiringSchemas = {
  query: Joi.object({
    ...paginationKeys,
    ...scope,
    days: Joi.number().integer().min(0).max(3650).default(30),
    includeExpired: Joi.boolean().default(false),
  }),
};

export const ledgerSchemas = {
  query: Joi.object({
    ...paginationKeys,
    warehouseId: objectId(),
    itemId: objectId(),
    balanceId: objectId(),
    operationId: objectId(),
    type: Joi.string().valid(...LEDGER_TYPES),
    sourceType: Joi.string()
      .trim()
      .max(32)
      .pattern(/^[a-z_]+$/),
    sourceId: Joi.string().trim().max(64),
    locationCode: locationCode(),
    lot: lot(),
    from: Joi.date().iso(),
    to: Joi.date().iso(),
  }),
};

// ---------------------------------------------------------------------------------------------------------------
// Reservations

const sourceType = () =>
  Joi.string()
    .trim()
    .max(32)
    .pattern(/^[a-z_]+$/)
    .messages({ 'string.pattern.base': '{{#label}} must be lower-case letters and underscores' });
const sourceRef = () => Joi.string().trim().min(1).max(64);

const reservationSource = () =>
  Joi.object({ type: sourceType().required(), id: sourceRef().required(), line: sourceRef().allow(null) });

export const reserveSchemas = {
  body: Joi.object({
    ...namedStock,
    ...amount,
    source: reservationSource().required(),
    expiresAt: Joi.date().iso().allow(null),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', 'warehouseId'),
};

/** Release or issue what a source holds: all of it, or `quantity` (of `itemId` when it holds several items). */
const fromReservations = {
  source: reservationSource().required(),
  itemId: objectId(),
  quantity: quantityValue(),
  unit: unitCode(),
  note: note(),
};

export const releaseSchemas = { body: Joi.object(fromReservations).with('unit', 'quantity') };

export const issueReservedSchemas = {
  body: Joi.object({
    ...fromReservations,
    number: Joi.string().trim().max(64).allow(null),
    reason: Joi.string().trim().max(64).allow(null),
  }).with('unit', 'quantity'),
};

export const listReservationsSchemas = {
  query: Joi.object({
    ...paginationKeys,
    sourceType: sourceType(),
    sourceId: sourceRef(),
    line: sourceRef(),
    warehouseId: objectId(),
    itemId: objectId(),
    balanceId: objectId(),
    status: Joi.string().valid(...RESERVATION_STATUSES),
  }).with('sourceId', 'sourceType'),
};
