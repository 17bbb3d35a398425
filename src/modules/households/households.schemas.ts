import Joi from 'joi';
import { isValidIin } from '../../core/kz-identifiers';
import { arrayOf, idParams, nameSortKeys, paginationKeys } from '../../http/joi-rules';
import { REGIONS } from '../warehouses';
import {
  AGE_BANDS,
  HOUSEHOLD_STATUSES,
  INSTITUTION_TYPES,
  LEGAL_BASES,
  RECIPIENT_KINDS,
  RELATIONS,
} from './households.model';
import { COUNT_DIMENSIONS, type HouseholdInput } from './households.service';

/** An IIN: 12 digits with a valid check digit and birth date (core/kz-identifiers). */
export const iin = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .pattern(/^\d{12}$/)
    .custom((value: string, helpers) => (isValidIin(value) ? value : helpers.error('iin.invalid')))
    .messages({
      'string.pattern.base': '{{#label}} must be 12 digits',
      'iin.invalid': '{{#label}} is not a valid IIN (check digit or birth date)',
    });

/** A Kazakh mobile number, +7 7XX XXX XX XX; spaces, dashes and brackets are accepted and removed. */
export const kzPhone = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .replace(/[\s()-]/g, '')
    .pattern(/^\+77\d{9}$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a Kazakh mobile number: +7 7XX XXX XX XX' });

const personName = () => Joi.string().trim().min(1).max(200);
const pastDate = () => Joi.date().iso().max('now');
/** A criterion's code, kept in lower case (`Single-Parent` is `single-parent`): letters, digits, `_` and `-`. */
export const vulnerabilityCode = () =>
  Joi.string()
    .trim()
    .lowercase()
    .pattern(/^[a-z][a-z0-9_-]{1,39}$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a code of letters, digits, _ and -' });

const head = Joi.object({
  name: personName().required(),
  birthDate: pastDate().required(),
  iin: iin().required(),
  phone: kzPhone().allow(null),
});

const member = Joi.object({
  name: personName().allow(null),
  relation: Joi.string()
    .valid(...RELATIONS)
    .allow(null),
  birthDate: pastDate().allow(null),
  ageBand: Joi.string()
    .valid(...AGE_BANDS)
    .allow(null),
  iin: iin().allow(null),
});

const institution = Joi.object({
  name: Joi.string().trim().min(1).max(200).required(),
  type: Joi.string()
    .valid(...INSTITUTION_TYPES)
    .required(),
  beneficiaries: Joi.number().integer().min(1).max(100_000).required(),
  contactName: personName().allow(null),
  phone: kzPhone().allow(null),
});

const address = Joi.object({
  region: Joi.string()
    .valid(...REGIONS)
    .required(),
  settlement: Joi.string().trim().min(1).max(120).required(),
  line: Joi.string().trim().max(300).allow(null, ''),
});

const legalBasis = Joi.object({
  basis: Joi.string()
    .valid(...LEGAL_BASES)
    .required(),
  purpose: Joi.string().trim().min(3).max(500).required(),
  recordedOn: Joi.date().iso(),
});

const fields = {
  head,
  institution,
  members: arrayOf(member, 30),
  address,
  vulnerabilities: arrayOf(vulnerabilityCode(), 20),
  notes: Joi.string().trim().max(2000).allow(null, ''),
  retainUntil: Joi.date().iso().min('now'),
  legalBasis,
};

const recipientFields = {
  address: address.required(),
  vulnerabilities: fields.vulnerabilities,
  notes: fields.notes,
  retainUntil: fields.retainUntil,
  legalBasis: legalBasis.required(),
};

/** A household: its head (required) and members. */
const householdBody = Joi.object({
  kind: Joi.string().valid('household').default('household'),
  head: head.required(),
  members: fields.members,
  ...recipientFields,
});

/** An institution (a maternity ward, a care home): one recipient for the people it cares for; no members. */
const institutionBody = Joi.object({
  kind: Joi.string().valid('institution').required(),
  institution: institution.required(),
  ...recipientFields,
});

export const registerHouseholdSchemas = {
  body: Joi.alternatives()
    // biome-ignore lint/suspicious/noThenProperty: Joi's conditional syntax, not a thenable.
    .conditional('.kind', { is: 'institution', then: institutionBody, otherwise: householdBody })
    .required() as Joi.Schema<HouseholdInput>,
};

export const updateHouseholdSchemas = {
  params: idParams,
  body: Joi.object({
    ...fields,
  }).min(1),
};

export const householdIdSchemas = { params: idParams };

export const eraseHouseholdSchemas = {
  params: idParams,
  body: Joi.object({ reason: Joi.string().trim().min(3).max(500).required() }),
};

export const listHouseholdsSchemas = {
  query: Joi.object({
    ...paginationKeys,
    ...nameSortKeys,
    sort: Joi.string().valid('newest', 'name').default('newest'),
    status: Joi.string().valid(...HOUSEHOLD_STATUSES),
    kind: Joi.string().valid(...RECIPIENT_KINDS),
    region: Joi.string().valid(...REGIONS),
    settlement: Joi.string().trim().max(120),
    vulnerability: vulnerabilityCode(),
    iin: iin(),
  }),
};

export const countHouseholdsSchemas = {
  query: Joi.object({
    by: Joi.string()
      .valid(...COUNT_DIMENSIONS)
      .default('region'),
  }),
};

export const addCriterionSchemas = {
  body: Joi.object({
    code: vulnerabilityCode().required(),
    label: Joi.object({
      kk: Joi.string().trim().max(200),
      ru: Joi.string().trim().max(200),
      en: Joi.string().trim().max(200),
    })
      .min(1)
      .required(),
  }),
};
