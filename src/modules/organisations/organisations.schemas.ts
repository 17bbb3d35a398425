import Joi from 'joi';
import { isValidBin } from '../../core/kz-identifiers';
import type { PageRequest } from '../../core/pagination';
import { idParams, nameSortKeys, objectId, paginationKeys } from '../../http/joi-rules';
import { email, password } from '../users';
import { ORGANISATION_TYPES } from './organisations.model';
import type {
  CreateOrganisationInput,
  MembershipInput,
  OrganisationQuery,
  UpdateOrganisationInput,
} from './organisations.service';

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
    ...nameSortKeys,
  }),
};

export const addMemberSchemas = {
  params: idParams,
  body: Joi.object<MembershipInput>({
    organisationId: objectId().required(),
    from: Joi.date().iso(),
    until: Joi.date()
      .iso()
      .allow(null)
      // biome-ignore lint/suspicious/noThenProperty: Joi's conditional rule is spelled `then`.
      .when('from', { is: Joi.exist(), then: Joi.date().greater(Joi.ref('from')) }),
  }),
};

export const endMembershipSchemas = {
  params: Joi.object<{ id: string; membershipId: string }>({
    id: objectId().required(),
    membershipId: objectId().required(),
  }),
  body: Joi.object<{ until?: Date }>({ until: Joi.date().iso() }),
};

export const listMembersSchemas = { params: idParams, query: Joi.object<PageRequest>(paginationKeys) };

export const firstAdminSchemas = {
  params: idParams,
  body: Joi.object<{ email: string; name: string; password: string }>({
    email: email().required(),
    name: Joi.string().trim().min(1).max(200).required(),
    password: password().required(),
  }),
};
