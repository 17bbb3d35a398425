import Joi from 'joi';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { ROLES } from '../access';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords';
import type { CreateUserInput, UpdateUserInput, UserQuery } from './users.service';

export const password = (): Joi.StringSchema =>
  // Never trimmed or case-folded: a password is exactly what was typed.
  Joi.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);

export const email = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .email({ tlds: { allow: false } })
    .max(254);

const roles = arrayOf(Joi.string().valid(...ROLES), ROLES.length)
  .min(1)
  .unique();
const name = Joi.string().trim().min(1).max(200);

export const createUserSchemas = {
  body: Joi.object<CreateUserInput>({
    email: email().required(),
    name: name.required(),
    organisationId: objectId().allow(null).default(null),
    roles: roles.required(),
    password: password().required(),
  }),
};

export const updateUserSchemas = {
  params: idParams,
  body: Joi.object<UpdateUserInput>({
    name,
    organisationId: objectId().allow(null),
    roles,
    password: password(),
  }).min(1),
};

export const userIdSchemas = { params: idParams };

export const listUsersSchemas = {
  query: Joi.object<UserQuery>({
    organisationId: objectId(),
    role: Joi.string().valid(...ROLES),
    active: Joi.boolean(),
    q: Joi.string().trim().max(100),
    ...paginationKeys,
  }),
};
