import Joi from 'joi';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { quantityValue, unitCode } from '../catalog';
import { iin } from '../households';
import { REGIONS } from '../warehouses';
import { REQUEST_STATUSES } from './aid-requests.model';
import { BATCH_STATUSES, HAND_OVER_OUTCOMES } from './distributions.model';
import { MAX_ALLOCATIONS_PER_CALL, MAX_SIGNATURE_BYTES } from './distributions.service';

export const createBatchSchemas = {
  body: Joi.object({
    programmeId: objectId().required(),
    roundId: objectId().required(),
    warehouseId: objectId().required(),
    site: Joi.object({
      name: Joi.string().trim().min(1).max(200).required(),
      region: Joi.string()
        .valid(...REGIONS)
        .required(),
      settlement: Joi.string().trim().min(1).max(120).required(),
    }).required(),
    plannedOn: Joi.date().iso().required(),
    // Default: ALLOCATION_HOLD_DAYS after the planned day (distributions.service.ts).
    holdUntil: Joi.date()
      .iso()
      .min(Joi.ref('plannedOn'))
      .messages({ 'date.min': '{{#label}} must be on or after plannedOn' }),
  }),
};

export const batchIdSchemas = { params: idParams };

export const listBatchesSchemas = {
  query: Joi.object({
    ...paginationKeys,
    status: Joi.string().valid(...BATCH_STATUSES),
    plannedFrom: Joi.date().iso(),
    plannedTo: Joi.date()
      .iso()
      .when('plannedFrom', {
        is: Joi.exist(),
        // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
        then: Joi.date()
          .min(Joi.ref('plannedFrom'))
          .messages({ 'date.min': '{{#label}} must be on or after plannedFrom' }),
      }),
    site: Joi.string().trim().min(1).max(200),
    roundId: objectId(),
  }),
};

export const allocateSchemas = {
  params: idParams,
  body: Joi.object({
    householdIds: arrayOf(objectId(), MAX_ALLOCATIONS_PER_CALL).min(1).unique().required(),
  }),
};

export const cancelAllocationSchemas = {
  params: idParams,
  body: Joi.object({ reason: Joi.string().trim().min(3).max(500).required() }),
};

const receivedLines = arrayOf(
  Joi.object({ itemId: objectId().required(), quantity: Joi.number().integer().min(0).max(1_000_000).required() }),
  50,
);

const receivedBy = Joi.object({
  kind: Joi.string().valid('head', 'proxy').required(),
  iin: iin().required(),
  name: Joi.string().trim().min(1).max(200).allow(null),
}).required();

// Base64 of at most MAX_SIGNATURE_BYTES bytes is at most 4/3 as long.
const base64Png = Joi.string()
  .base64()
  .max(Math.ceil((MAX_SIGNATURE_BYTES * 4) / 3) + 4)
  .messages({ 'string.max': `{{#label}} must be a PNG of at most ${MAX_SIGNATURE_BYTES / 1024} KiB` });

const handOverFields = {
  outcome: Joi.string()
    .valid(...HAND_OVER_OUTCOMES)
    .required(),
  lines: receivedLines.when('outcome', {
    is: 'part',
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    then: receivedLines.min(1).required(),
    otherwise: Joi.forbidden(),
  }),
  reason: Joi.string().trim().min(3).max(500).allow(null),
  receivedBy,
};

export const handOverSchemas = {
  params: idParams,
  body: Joi.object({
    ...handOverFields,
    // Paper first: the walk of every route (and a reader) sees the usual proof before the others.
    proof: Joi.alternatives()
      .conditional('.kind', {
        is: 'paper',
        // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
        then: Joi.object({
          kind: Joi.string().valid('paper').required(),
          sheet: Joi.string().trim().min(1).max(40).required(),
        }),
        otherwise: Joi.alternatives().conditional('.kind', {
          is: 'image',
          // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
          then: Joi.object({ kind: Joi.string().valid('image').required(), png: base64Png.required() }),
          otherwise: Joi.object({ kind: Joi.string().valid('none').required() }),
        }),
      })
      .required(),
    handedOverAt: Joi.date().iso().max('now'),
  }),
};

export const paperSheetSchemas = {
  params: idParams,
  body: Joi.object({
    sheet: Joi.string().trim().min(1).max(40).required(),
    handedOverAt: Joi.date().iso().max('now'),
    rows: arrayOf(Joi.object({ allocationId: objectId().required(), ...handOverFields }), MAX_ALLOCATIONS_PER_CALL)
      .min(1)
      .unique('allocationId')
      .required(),
  }),
};

export const closeBatchSchemas = {
  params: idParams,
  body: Joi.object({ rest: Joi.string().valid('release', 'keep').required() }),
};

export const documentSchemas = {
  params: idParams,
  query: Joi.object({ lang: Joi.string().valid('kk', 'ru', 'en').default('kk') }),
};

export const submitRequestSchemas = {
  body: Joi.object({
    warehouseId: objectId().allow(null),
    programmeId: objectId().allow(null),
    institutionId: objectId().allow(null),
    purpose: Joi.string().trim().min(3).max(500).required(),
    neededBy: Joi.date().iso().required(),
    lines: arrayOf(
      Joi.object({ itemId: objectId().required(), quantity: quantityValue().required(), unit: unitCode() }),
      100,
    )
      .min(1)
      .unique('itemId')
      .required(),
  }),
};

export const requestIdSchemas = { params: idParams };

export const listRequestsSchemas = {
  query: Joi.object({ ...paginationKeys, status: Joi.string().valid(...REQUEST_STATUSES) }),
};

export const decideRequestSchemas = {
  params: idParams,
  body: Joi.object({
    warehouseId: objectId(),
    lines: arrayOf(
      Joi.object({ itemId: objectId().required(), approved: Joi.number().integer().min(0).max(1e12).required() }),
      100,
    )
      .min(1)
      .unique('itemId')
      .required(),
    note: Joi.string().trim().max(500).allow(null, ''),
  }),
};

export const linkAllocationSchemas = {
  params: idParams,
  body: Joi.object({ batchId: objectId().required() }),
};

export const recordShipmentSchemas = {
  params: idParams,
  body: Joi.object({
    shipmentId: objectId().required(),
    delivered: arrayOf(
      Joi.object({ itemId: objectId().required(), quantity: Joi.number().integer().min(0).max(1e12).required() }),
      100,
    )
      .min(1)
      .required(),
  }),
};
