/**
 * Joi rules shared by every module's schemas: ids and the pagination keys of list endpoints (the page shape itself
 * is src/core/pagination.ts).
 */
import Joi from 'joi';
import { NAME_LANGS } from '../core/collation';
import type { PageRequest } from '../core/pagination';

/** A MongoDB ObjectId as 24 hexadecimal characters. */
export const objectId = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .lowercase()
    .pattern(/^[0-9a-f]{24}$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a valid id (24 hexadecimal characters)' });

/**
 * Joi whose arrays refuse a too-long array before validating its items: Joi's `max()` is checked only after every
 * item, so a 100,000-element array would cost 100,000 item validations (and errors) before being refused.
 */
const BoundedJoi: Joi.Root = Joi.extend((joi) => ({
  type: 'array',
  base: joi.array(),
  validate(value: unknown, { schema, error }) {
    const max = schema.$_getRule('max')?.args?.limit;
    if (Array.isArray(value) && typeof max === 'number' && value.length > max) {
      return { value, errors: [error('array.max', { limit: max })] };
    }
    return undefined;
  },
}));

/**
 * The one way schemas declare an array: every array has a maximum length (checked first, see BoundedJoi), so no
 * request can make the API validate, or answer errors for, an unbounded number of elements.
 */
export function arrayOf(items: Joi.Schema, max: number): Joi.ArraySchema {
  const schema = BoundedJoi.array().items(items).max(max);
  // Visible in describe(): the test over the route table checks that every array of every schema is one of these.
  schema.$_setFlag('bounded', true, { clone: false });
  return schema;
}

/** `/:id` path parameters. */
export const idParams = Joi.object<{ id: string }>({ id: objectId().required() });

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** Keys of the pagination query; spread them into a module's own query schema next to its filters. */
export const paginationKeys = {
  limit: Joi.number().integer().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  offset: Joi.number().integer().min(0).default(0),
};

/** A query schema accepting only `limit` and `offset`. */
export const pagination = Joi.object<PageRequest>(paginationKeys);

/**
 * The `lang` key of a list sorted by names: the language whose collation orders them (src/core/collation.ts). When
 * it is absent the route takes the request's language (request-lang.ts).
 */
export const nameSortKeys = { lang: Joi.string().valid(...NAME_LANGS) };
