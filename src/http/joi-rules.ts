/**
 * Joi rules shared by every module's schemas: ids and the pagination keys of list endpoints (the page shape itself
 * is src/core/pagination.ts).
 */
import Joi from 'joi';

/** A MongoDB ObjectId as 24 hexadecimal characters. */
export const objectId = (): Joi.StringSchema =>
  Joi.string()
    .trim()
    .lowercase()
    .pattern(/^[0-9a-f]{24}$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a valid id (24 hexadecimal characters)' });

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
