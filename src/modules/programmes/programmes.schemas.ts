import Joi from 'joi';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { quantityValue, unitCode } from '../catalog';
import { vulnerabilityCode } from '../households';
import { REGIONS } from '../warehouses';
import {
  DEDUP_OUTCOMES,
  ENROLMENT_STATUSES,
  ENTITLEMENT_BASES,
  OVERLAP_KINDS,
  ROUND_STATUSES,
} from './programmes.model';

const category = () =>
  Joi.string()
    .trim()
    .lowercase()
    .pattern(/^[a-z][a-z0-9_]{1,39}$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a lower-case code such as food or bedding' });

const band = Joi.object({
  minSize: Joi.number().integer().min(1).max(100).required(),
  maxSize: Joi.number().integer().min(Joi.ref('minSize')).max(100).allow(null),
  quantity: quantityValue().required(),
});

const entitlement = Joi.object({
  itemId: objectId().required(),
  category: category().required(),
  basis: Joi.string()
    .valid(...ENTITLEMENT_BASES)
    .required(),
  // Per household or per member; one when not given ("one food basket per household"). Bands carry their own.
  // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
  quantity: quantityValue().when('basis', { is: 'size_band', then: Joi.forbidden() }),
  unit: unitCode(),
  bands: arrayOf(band, 20)
    .min(1)
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .when('basis', { is: 'size_band', then: Joi.required(), otherwise: Joi.forbidden() }),
});

export const round = Joi.object({
  name: Joi.string().trim().min(1).max(200).required(),
  startsOn: Joi.date().iso().required(),
  endsOn: Joi.date().iso().required(),
  status: Joi.string().valid(...ROUND_STATUSES),
  entitlements: arrayOf(entitlement, 50).min(1).required(),
});

const overlapRule = Joi.object({
  kind: Joi.string()
    .valid(...OVERLAP_KINDS)
    .required(),
  categories: arrayOf(category(), 20).min(1).required(),
  max: Joi.number().integer().min(1).max(100).allow(null),
  periodDays: Joi.number().integer().min(1).max(3660).allow(null),
});

export const createProgrammeSchemas = {
  body: Joi.object({
    name: Joi.string().trim().min(3).max(200).required(),
    description: Joi.string().trim().max(2000).allow(null, ''),
    participatingOrganisationIds: arrayOf(objectId(), 200).unique(),
    eligibility: Joi.object({
      vulnerabilities: arrayOf(vulnerabilityCode(), 20).unique(),
      regions: arrayOf(Joi.string().valid(...REGIONS), 20).unique(),
    }),
    discloseEnrollingOrganisation: Joi.boolean(),
    overlapRules: arrayOf(overlapRule, 20),
    rounds: arrayOf(round, 50),
  }),
};

export const programmeIdSchemas = { params: idParams };
export const listProgrammesSchemas = { query: Joi.object(paginationKeys) };
export const addRoundSchemas = { params: idParams, body: round };

const roundParams = Joi.object({ id: objectId().required(), roundId: objectId().required() });

export const roundIdSchemas = { params: roundParams };

export const enrolSchemas = { params: roundParams, body: Joi.object({ householdId: objectId().required() }) };

export const bulkEnrolSchemas = {
  params: roundParams,
  body: Joi.object({ householdIds: arrayOf(objectId(), 10_000).min(1).required() }),
};

export const overrideSchemas = {
  params: roundParams,
  body: Joi.object({ householdId: objectId().required(), reason: Joi.string().trim().min(10).max(1000).required() }),
};

export const listEnrolmentsSchemas = {
  params: roundParams,
  query: Joi.object({
    ...paginationKeys,
    status: Joi.string().valid(...ENROLMENT_STATUSES),
    outcome: Joi.string().valid(...DEDUP_OUTCOMES),
  }),
};

export const enrolmentIdSchemas = { params: idParams };
