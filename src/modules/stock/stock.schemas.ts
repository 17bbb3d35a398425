import Joi from 'joi';
import type { PageRequest } from '../../core/pagination';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { ITEM_CATEGORIES, quantityValue, signedQuantityValue, unitCode } from '../catalog';
import { locationCode, REGIONS } from '../warehouses';
import { ADJUSTMENT_REASONS, CONDITIONS, LEDGER_TYPES, RESERVATION_STATUSES } from './stock.model';
import type { BalanceQuery, ExpiringQuery, LedgerQuery, StockScope } from './stock.queries';
import type { FromReservationsInput, IssueReservedInput, ReservationQuery, ReserveInput } from './stock.reservations';
import type {
  AdjustInput,
  DisposeInput,
  IssueInput,
  KitInput,
  MoveInput,
  ReverseInput,
  TransferInput,
} from './stock.service';
import { COUNT_STATUSES } from './stock-count.model';
import type { CountedLineInput, CountQuery, StartCountInput } from './stock-count.service';

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

/**
 * Moves and transfers name each side once: `fromLocationCode` → `toLocationCode` (and, for a transfer,
 * `fromWarehouseId` → `toWarehouseId`); the selector's `locationCode` and `warehouseId` are not accepted beside them.
 */
const { locationCode: _locationCode, ...movedStock } = selector;
const { warehouseId: _warehouseId, ...transferredStock } = movedStock;

export const moveSchemas = {
  body: Joi.object<MoveInput>({
    ...movedStock,
    fromLocationCode: optionalLocation(),
    toLocationCode: optionalLocation().required(),
    ...amount,
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', ['warehouseId', 'fromLocationCode']),
};

export const transferSchemas = {
  body: Joi.object<TransferInput>({
    ...transferredStock,
    fromWarehouseId: objectId(),
    fromLocationCode: optionalLocation(),
    toWarehouseId: objectId().required(),
    toLocationCode: optionalLocation(),
    ...amount,
    reference: Joi.string().trim().max(64).allow(null),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', 'fromWarehouseId'),
};

export const adjustmentSchemas = {
  body: Joi.object<AdjustInput>({
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
  body: Joi.object<DisposeInput>({
    ...selector,
    ...amount,
    reason: Joi.string().valid('damaged', 'expired').required(),
    note: note(),
  })
    .or('balanceId', 'itemId')
    .with('itemId', 'warehouseId'),
};

export const issueSchemas = {
  body: Joi.object<IssueInput>({
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
  body: Joi.object<KitInput>({
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
  body: Joi.object<ReverseInput>({ reason: Joi.string().trim().max(200).allow(null), note: note() }),
};

export const startCountSchemas = {
  body: Joi.object<StartCountInput>({ warehouseId: objectId().required(), locationCode: optionalLocation() }),
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
  body: Joi.object<{ lines: CountedLineInput[] }>({
    lines: arrayOf(
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
      1000,
    )
      .min(1)
      .required(),
  }),
};

export const countIdSchemas = { params: idParams };

export const listCountsSchemas = {
  query: Joi.object<CountQuery>({
    ...paginationKeys,
    warehouseId: objectId(),
    status: Joi.string().valid(...COUNT_STATUSES),
  }),
};

const scope = {
  warehouseId: objectId(),
  itemId: objectId(),
  category: Joi.string().valid(...ITEM_CATEGORIES),
  region: Joi.string().valid(...REGIONS),
};

export const balancesSchemas = {
  query: Joi.object<BalanceQuery>({
    ...paginationKeys,
    ...scope,
    locationCode: locationCode(),
    condition: condition(),
    lot: lot(),
    includeZero: Joi.boolean().default(false),
  }),
};

export const availabilitySchemas = { query: Joi.object<StockScope & PageRequest>({ ...paginationKeys, ...scope }) };

export const expiringSchemas = {
  query: Joi.object<ExpiringQuery>({
    ...paginationKeys,
    ...scope,
    days: Joi.number().integer().min(0).max(3650).default(30),
    includeExpired: Joi.boolean().default(false),
  }),
};

export const ledgerSchemas = {
  query: Joi.object<LedgerQuery>({
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
  body: Joi.object<ReserveInput>({
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

export const releaseSchemas = { body: Joi.object<FromReservationsInput>(fromReservations).with('unit', 'quantity') };

export const issueReservedSchemas = {
  body: Joi.object<IssueReservedInput>({
    ...fromReservations,
    number: Joi.string().trim().max(64).allow(null),
    reason: Joi.string().trim().max(64).allow(null),
  }).with('unit', 'quantity'),
};

export const listReservationsSchemas = {
  query: Joi.object<ReservationQuery>({
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
