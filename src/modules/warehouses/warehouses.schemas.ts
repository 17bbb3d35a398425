import Joi from 'joi';
import { arrayOf, idParams, nameSortKeys, objectId, paginationKeys } from '../../http/joi-rules';
import { REGIONS } from './regions';
import type { WarehouseInput, WarehouseQuery, WarehouseUpdate } from './warehouses.service';

export const locationCode = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .uppercase()
    .max(32)
    .pattern(/^[A-Z0-9][A-Z0-9._-]*$/);

const location = Joi.object({
  code: locationCode().required(),
  name: Joi.string().trim().max(100).allow(''),
  active: Joi.boolean(),
});

const fields = {
  name: Joi.string().trim().min(1).max(200),
  region: Joi.string().valid(...REGIONS),
  city: Joi.string().trim().min(1).max(100),
  address: Joi.string().trim().max(300).allow(''),
  active: Joi.boolean(),
};

export const createWarehouseSchemas = {
  body: Joi.object<WarehouseInput>({
    ...fields,
    code: Joi.string()
      .trim()
      .uppercase()
      .max(32)
      .pattern(/^[A-Z0-9][A-Z0-9._-]*$/)
      .required(),
    name: fields.name.required(),
    region: fields.region.required(),
    city: fields.city.required(),
    locations: arrayOf(location, 500).unique('code'),
  }),
};

export const updateWarehouseSchemas = { params: idParams, body: Joi.object<WarehouseUpdate>(fields).min(1) };

export const warehouseIdSchemas = { params: idParams };

export const addLocationSchemas = { params: idParams, body: location };

export const updateLocationSchemas = {
  params: Joi.object<{ id: string; code: string }>({ id: objectId().required(), code: locationCode().required() }),
  body: Joi.object<{ name?: string; active?: boolean }>({
    name: Joi.string().trim().max(100).allow(''),
    active: Joi.boolean(),
  }).min(1),
};

export const listWarehousesSchemas = {
  query: Joi.object<WarehouseQuery>({
    ...paginationKeys,
    ...nameSortKeys,
    sort: Joi.string().valid('code', 'name').default('code'),
    region: Joi.string().valid(...REGIONS),
    active: Joi.boolean(),
    code: Joi.string().trim().uppercase().max(32),
    q: Joi.string().trim().max(100),
  }),
};
