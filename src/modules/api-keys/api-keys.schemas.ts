import Joi from 'joi';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { ROLES } from '../access';
import type { ApiKeyQuery, CreateApiKeyInput } from './api-keys.service';

export const createApiKeySchemas = {
  body: Joi.object<CreateApiKeyInput>({
    label: Joi.string().trim().min(1).max(200).required(),
    roles: arrayOf(Joi.string().valid(...ROLES), ROLES.length)
      .min(1)
      .unique()
      .required(),
    organisationId: objectId().allow(null).default(null),
  }),
};

export const apiKeyIdSchemas = { params: idParams };

export const listApiKeysSchemas = {
  query: Joi.object<ApiKeyQuery>({
    revoked: Joi.boolean(),
    ...paginationKeys,
  }),
};
