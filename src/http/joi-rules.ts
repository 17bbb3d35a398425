/**
 * Joi rules shared by every module's schemas, and the one pagination shape (and text filter) of list endpoints.
 */
import Joi from 'joi';
import type { Model, QueryFilter, SortOrder } from 'mongoose';

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
export const idParams = Joi.object({ id: objectId().required() });

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** Keys of the pagination query; spread them into a module's own query schema next to its filters. */
export const paginationKeys = {
  limit: Joi.number().integer().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  offset: Joi.number().integer().min(0).default(0),
};

/** A query schema accepting only `limit` and `offset`. */
export const pagination = Joi.object(paginationKeys);

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  data: T[];
  page: { limit: number; offset: number; total: number };
}

/** The body of every list endpoint. */
export function pageOf<T>(items: T[], total: number, { limit, offset }: PageRequest): Page<T> {
  return { data: items, page: { limit, offset, total } };
}

/**
 * The condition of a list's `q` filter: a case-insensitive "contains", with the text matched literally (a `.` or `(`
 * typed in a search box is not a pattern).
 */
export function containsText(text: string): { $regex: string; $options: 'i' } {
  return { $regex: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
}

/**
 * Runs a paged, counted, lean query: the common case of a list endpoint's service. Give a stable sort
 * (ending with `_id`) so that pages do not overlap.
 */
export async function paginate<T>(
  model: Model<T>,
  filter: QueryFilter<T>,
  page: PageRequest,
  sort: Record<string, SortOrder> = { _id: 1 },
): Promise<Page<T>> {
  const [items, total] = await Promise.all([
    model.find(filter).sort(sort).skip(page.offset).limit(page.limit).lean<T[]>(),
    model.countDocuments(filter),
  ]);
  return pageOf(items, total, page);
}
