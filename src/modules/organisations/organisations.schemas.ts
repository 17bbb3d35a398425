import Joi from 'joi';
import { isValidBin } from '../../core/kz-identifiers';
import { idParams, paginationKeys } from '../../http/joi-rules';
import { ORGANISATION_TYPES } from './organisations.model';
import type { CreateOrganisationInput, OrganisationQuery, UpdateOrganisationInput } from './organisations.service';

export const bin = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .pattern(/^\d{12}$/)
    .custom((value: string, helpers) => (isValidBin(value) ? value : helpers.error('bin.checkDigit')))
    .messages({
      'string.pattern.base': '{{#label}} must be 12 digits',
      'bin.checkDigit': '{{#label}} is not a valid BIN: its check digit does not match',
    });

const contact = Joi.object({
  person: Joi.string().trim().max(200).allow(''),
  phone: Joi.string()
    .trim()
    .pattern(/^\+?[0-9 ()-]{7,20}$/)
    .allow('')
    .messages({ 'string.pattern.base': '{{#label}} must be a phone number such as +7 701 234 56 78' }),
  email: Joi.string()
    .trim()
    .lowercase()
    .email({ tlds: { allow: false } })
    .max(254)
    .allow(''),
  address: Joi.string().trim().max(500).allow(''),
});

const name = Joi.string().trim().min(2).max(200);
const type = Joi.string().valid(...ORGANISATION_TYPES);

export const createOrganisationSchemas = {
  body: Joi.object<CreateOrganisationInput>({
    name: name.required(),
    type: type.required(),
    bin: bin(),
    contact: contact.default({}),
    active: Joi.boolean().default(true),
  }),
};

export const updateOrganisationSchemas = {
  params: idParams,
  body: Joi.object<UpdateOrganisationInput>({
    name,
    type,
    bin: bin().allow(null),
    contact,
    active: Joi.boolean(),
  }).min(1),
};

export const getOrganisationSchemas = { params: idParams };

export const listOrganisationsSchemas = {
  query: Joi.object<OrganisationQuery>({
    type,
    active: Joi.boolean(),
    q: Joi.string().trim().max(100),
    ...paginationKeys,
  }),
};
