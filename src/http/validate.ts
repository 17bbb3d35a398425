/**
 * Request validation at the edge: each part of the request (params, query, body) is checked against the route's
 * Joi schema with every error reported at once, types converted and unknown keys rejected. The validated values
 * land in `res.locals.input`; Express 5's `req.query` is a getter and is never reassigned.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type Joi from 'joi';
import { type FieldError, type InputLocation, MAX_DETAILS, validationError } from '../core/errors';
import { clerkHint } from './clerk-mistakes';
import { inputProblems } from './input-limits';
import type { RouteSchemas, ValidatedInput } from './route-registry';

/** Problems of size or shape that stop validation of that part of the request (see input-limits.ts). */
const STRUCTURAL = new Set(['array.max', 'object.max', 'object.depth']);

const OPTIONS: Joi.ValidationOptions = { abortEarly: false, convert: true, allowUnknown: false, stripUnknown: false };

/** `['lines', 2, 'quantity']` → `lines[2].quantity`. */
export function fieldPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${key}` : key;
  }, '');
}

/** Joi's errors as field errors; with the raw input, a clerk's obvious mistake gets a message saying what to write. */
export function joiFieldErrors(error: Joi.ValidationError, location?: InputLocation, raw?: unknown): FieldError[] {
  return error.details.slice(0, MAX_DETAILS).map((detail) => ({
    field: fieldPath(detail.path) || (location ?? 'value'),
    message: (raw !== undefined && clerkHint(detail, raw)) || detail.message,
    type: detail.type,
    ...(location ? { in: location } : {}),
  }));
}

/**
 * The schema with the validation options compiled in once: Joi then merges its preferences once per schema, not on
 * every request (options given to `validate()` are merged with the defaults on every call).
 */
function compiled<S extends Joi.Schema>(schema: S | undefined): S | undefined {
  return schema?.prefs(OPTIONS) as S | undefined;
}

export function validate(given: RouteSchemas = {}): RequestHandler {
  const schemas = { params: compiled(given.params), query: compiled(given.query), body: compiled(given.body) };
  return function validateRequest(req: Request, res: Response, next: NextFunction): void {
    let errors: FieldError[] = [];
    let total = 0;
    const report = (found: FieldError[], count = found.length) => {
      errors = errors.concat(found.slice(0, MAX_DETAILS - errors.length));
      total += count;
    };
    const check = (location: InputLocation, schema: Joi.Schema | undefined, raw: unknown): unknown => {
      const problems = inputProblems(raw, location);
      report(problems);
      // Input beyond the structural limits is not handed to Joi: validating it would cost far more than refusing it.
      if (!schema || problems.some((p) => STRUCTURAL.has(p.type))) return raw;
      // A missing body against an object schema is an empty object, so required fields are named.
      const value = raw === undefined && schema.type === 'object' ? {} : raw;
      const result = schema.validate(value);
      if (result.error) report(joiFieldErrors(result.error, location, value), result.error.details.length);
      return result.value;
    };
    const input: ValidatedInput = {
      params: check('params', schemas.params, { ...req.params }),
      query: check('query', schemas.query, { ...(req.query as Record<string, unknown>) }),
      body: check('body', schemas.body, req.body),
    };
    if (total) throw validationError(errors, total);
    res.locals.input = input;
    next();
  };
}
