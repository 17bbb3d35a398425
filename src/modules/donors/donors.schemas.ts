import Joi from 'joi';
import { idParams, nameSortKeys, paginationKeys } from '../../http/joi-rules';
import { DONOR_TYPES } from './donors.model';
import type { DonorInput, DonorQuery } from './donors.service';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO 3166-1 alpha-2: two letters that name a region Intl knows (it echoes unknown codes back). */
export const countryCode = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .uppercase()
    .length(2)
    .pattern(/^[A-Z]{2}$/)
    .custom((value: string, helpers) => {
      const name = regionNames.of(value);
      return name && name !== value ? value : helpers.error('country.unknown');
    })
    .messages({ 'country.unknown': '{{#label}} must be an ISO 3166-1 alpha-2 country code' });

const contact = Joi.object({
  person: Joi.string().trim().max(200).allow(''),
  phone: Joi.string()
    .trim()
    .max(30)
    .pattern(/^\+?[0-9 ()-]{5,30}$/)
    .allow(''),
  email: Joi.string()
    .trim()
    .email({ tlds: { allow: false } })
    .max(200)
    .allow(''),
  address: Joi.string().trim().max(300).allow(''),
});

const fields = {
  type: Joi.string().valid(...DONOR_TYPES),
  name: Joi.string().trim().min(1).max(200).allow(null),
  country: countryCode(),
  contact,
  anonymous: Joi.boolean(),
};

export const createDonorSchemas = {
  body: Joi.object<DonorInput>({
    ...fields,
    type: fields.type.required(),
    country: fields.country.default('KZ'),
    name: fields.name.when('anonymous', { is: true, otherwise: Joi.required().invalid(null) }),
  }),
};

export const updateDonorSchemas = { params: idParams, body: Joi.object<Partial<DonorInput>>(fields).min(1) };

export const donorIdSchemas = { params: idParams };

export const listDonorsSchemas = {
  query: Joi.object<DonorQuery>({
    ...paginationKeys,
    ...nameSortKeys,
    type: Joi.string().valid(...DONOR_TYPES),
    country: Joi.string().trim().uppercase().length(2),
    anonymous: Joi.boolean(),
    q: Joi.string().trim().max(100),
  }),
};
