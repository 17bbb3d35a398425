import Joi from 'joi';
import { arrayOf, idParams, nameSortKeys, objectId, paginationKeys } from '../../http/joi-rules';
import { ITEM_CATEGORIES } from './catalog.model';
import type { ItemInput, ItemQuery, ItemUpdate } from './catalog.service';
import { BASE_UNITS } from './units';

/**
 * A quantity as a decimal string ("0.1") or a JSON number. Strings are tried first so that "0.1" keeps its digits;
 * the exact conversion (and the check that the value is positive and whole in sub-units) happens in units.ts.
 */
export const quantityValue = (): Joi.AlternativesSchema =>
  Joi.alternatives()
    .try(
      Joi.string()
        .trim()
        .max(40)
        .pattern(/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/),
      Joi.number().greater(0),
    )
    .messages({ 'alternatives.match': '{{#label}} must be a positive decimal number' });

/** A quantity that may be negative (adjustments). */
export const signedQuantityValue = (): Joi.AlternativesSchema =>
  Joi.alternatives()
    .try(
      Joi.string()
        .trim()
        .max(40)
        .pattern(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/),
      Joi.number(),
    )
    .messages({ 'alternatives.match': '{{#label}} must be a decimal number' });

/** A unit code as the catalog defines it (a pack's `box`): Latin letters, so that one spelling names one unit. */
const definedUnitCode = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .lowercase()
    .max(32)
    .pattern(/^[a-z][a-z0-9_-]*$/);

/** A unit code (`kg`, `box`), or one of its Russian or Kazakh spellings (`кг`, `шт.`), which units.ts maps to it. */
export const unitCode = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .lowercase()
    .max(32)
    .pattern(/^[a-z\u0400-\u04ff][a-z0-9_\u0400-\u04ff-]*\.?$/);

const name = Joi.object({
  kk: Joi.string().trim().min(1).max(200),
  ru: Joi.string().trim().min(1).max(200),
  en: Joi.string().trim().min(1).max(200),
}).or('kk', 'ru', 'en');

const pack = Joi.object({
  unit: definedUnitCode().required(),
  quantity: quantityValue().required(),
  of: definedUnitCode().required(),
});

const component = Joi.object({
  itemId: objectId().required(),
  quantity: quantityValue().required(),
  unit: unitCode(),
});

const decimal = () =>
  Joi.alternatives().try(
    Joi.string()
      .trim()
      .max(40)
      .pattern(/^(\d+\.?\d*|\.\d+)$/),
    Joi.number().min(0),
  );

const itemFields = {
  name,
  category: Joi.string().valid(...ITEM_CATEGORIES),
  packs: arrayOf(pack, 10),
  weightKgPerUnit: decimal().allow(null),
  volumeM3PerUnit: decimal().allow(null),
  lotTracked: Joi.boolean(),
  expiryTracked: Joi.boolean(),
  // Written with or without dots and spaces ("6301.40.100 0"); stored as digits only.
  hsCode: Joi.string()
    .trim()
    .replace(/[.\s]/g, '')
    .pattern(/^\d{6}(\d{2}){0,2}$/)
    .allow(null)
    .messages({ 'string.pattern.base': '{{#label}} must be an HS code of 6, 8 or 10 digits' }),
  originCountry: Joi.string()
    .trim()
    .uppercase()
    .pattern(/^[A-Z]{2}$/)
    .allow(null)
    .messages({ 'string.pattern.base': '{{#label}} must be an ISO 3166 two-letter country code' }),
  unitValue: Joi.object({
    amount: decimal().required(),
    currency: Joi.string()
      .trim()
      .uppercase()
      .pattern(/^[A-Z]{3}$/)
      .required(),
  }).allow(null),
  components: arrayOf(component, 50),
  active: Joi.boolean(),
};

export const createItemSchemas = {
  body: Joi.object<ItemInput>({
    ...itemFields,
    sku: Joi.string()
      .trim()
      .uppercase()
      .max(64)
      .pattern(/^[A-Z0-9][A-Z0-9._-]*$/)
      .required(),
    name: name.required(),
    category: itemFields.category.required(),
    baseUnit: Joi.string()
      .trim()
      .lowercase()
      .valid(...BASE_UNITS)
      .required(),
  }),
};

/** The base unit and SKU never change: stored quantities are integers of the base unit's sub-unit. */
export const updateItemSchemas = {
  params: idParams,
  body: Joi.object<ItemUpdate>(itemFields).min(1),
};

export const itemIdSchemas = { params: idParams };

export const listItemsSchemas = {
  query: Joi.object<ItemQuery>({
    ...paginationKeys,
    ...nameSortKeys,
    sort: Joi.string().valid('sku', 'name').default('sku'),
    category: Joi.string().valid(...ITEM_CATEGORIES),
    active: Joi.boolean(),
    sku: Joi.string().trim().uppercase().max(64),
    q: Joi.string().trim().max(100),
    kit: Joi.boolean(),
  }),
};
