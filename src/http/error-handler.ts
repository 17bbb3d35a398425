/**
 * The one place where errors become HTTP answers. Services throw AppError with a domain code; this handler maps
 * codes to statuses (the table in error-status.ts), translates the errors of libraries (Joi, the MongoDB driver,
 * Mongoose, body-parser) into the same shape, and answers everything it does not know with a generic 500 that is
 * logged with its stack and leaks nothing. Every error body is `{ "error": { "code", "message", "details" } }`.
 */
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import Joi from 'joi';
import type { Logger } from 'pino';
import { AppError, type ErrorCode, validationError } from '../core/errors';
import { logger } from '../logger';
import { HTTP_STATUS_BY_CODE } from './error-status';
import { joiFieldErrors } from './validate';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: unknown };
}

/** Unknown routes: a 404 in the same shape as every other error. */
export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('NOT_FOUND', `No route ${req.method} ${req.path}`, { method: req.method, path: req.path }));
}

export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    // Too late for a clean answer: let Express close the connection.
    return next(error);
  }
  // The app's logger (http/request-log.ts); every line carries the request's id.
  const log: Logger = (res.locals.logger as Logger | undefined) ?? logger;
  const reqId = res.locals.requestId as string | undefined;
  const appError = toAppError(error);
  if (appError) {
    const status = statusOf(appError);
    if (status >= 500) log.error({ err: error, reqId }, appError.message);
    // RFC 9110 Retry-After for answers that say how long to wait (rate limits, a retry still in progress).
    const retryAfter = (appError.details as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && (status === 429 || status === 409 || status === 503)) {
      res.set('Retry-After', String(Math.ceil(retryAfter)));
    }
    res.status(status).json(errorBodyOf(appError));
    return;
  }
  log.error({ err: error, reqId }, 'Unhandled error while serving a request');
  res
    .status(500)
    .json(errorBodyOf(new AppError('INTERNAL', 'Internal server error', reqId ? { requestId: reqId } : {})));
};

export function statusOf(error: AppError): number {
  return HTTP_STATUS_BY_CODE[error.code];
}

export function errorBodyOf(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details ?? {} } };
}

/** Translates the errors we know into AppError; undefined for anything else (a bug: answered 500). */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (Joi.isError(error)) return validationError(joiFieldErrors(error));
  if (typeof error !== 'object' || error === null) return undefined;

  // The router could not decode a path parameter (`/items/%E0%A4%A`).
  if (error instanceof URIError) {
    const raw = /'(.*)'$/.exec(error.message)?.[1] ?? '';
    return validationError([
      {
        field: 'path',
        in: 'params',
        message: `A path parameter is not valid percent-encoding (${JSON.stringify(raw.slice(0, 64))}): encode it with encodeURIComponent`,
        type: 'params.encoding',
      },
    ]);
  }

  const e = error as Record<string, unknown>;
  if (e.code === 11000 || e.code === 11001) return duplicateKeyError(e);

  // zlib (gzip, deflate, brotli), through body-parser: the body does not decompress as its Content-Encoding says.
  if (typeof e.errno === 'number' && typeof e.code === 'string' && e.status === 400) {
    return validationError([
      {
        field: 'Content-Encoding',
        message:
          'The request body does not decompress as its Content-Encoding header says: send it uncompressed, or compressed as declared',
        type: 'body.encoding',
      },
    ]);
  }

  // body-parser (http-errors): `type` says what went wrong; `expose` marks messages safe for the client.
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', 'The request body is not valid JSON', {});
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large', { limit: e.limit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'entity.verify.failed':
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('VALIDATION', String(e.message), {});
  }

  // Mongoose: a document failing its schema, or a value that cannot be cast (e.g. a malformed id in a query).
  if (e.name === 'ValidationError' && typeof e.errors === 'object' && e.errors !== null) {
    const fields = Object.entries(e.errors as Record<string, { message?: string; kind?: string }>).map(
      ([field, fieldError]) => ({
        field,
        message: String(fieldError.message),
        type: `model.${fieldError.kind ?? 'invalid'}`,
      }),
    );
    return validationError(fields);
  }
  if (e.name === 'CastError' && typeof e.path === 'string') {
    return validationError([{ field: e.path, message: `"${e.path}" is not a valid ${String(e.kind)}`, type: 'cast' }]);
  }
  return undefined;
}

/** A unique index refused a write: CONFLICT naming the field(s), from keyValue or, failing that, the errmsg. */
function duplicateKeyError(e: Record<string, unknown>): AppError {
  let keyValue = plainObject(e.keyValue) ?? plainObject(e.keyPattern);
  if (!keyValue && typeof e.errmsg === 'string') {
    const match = /dup key: \{ ?"?([\w.$]+)"?:/.exec(e.errmsg);
    if (match) keyValue = { [match[1]]: undefined };
  }
  const fields = Object.keys(keyValue ?? {});
  const values = e.keyValue ? jsonSafe(keyValue) : undefined;
  const what = fields.length ? fields.join(', ') : 'key';
  return new AppError('CONFLICT', `A record with this ${what} already exists`, {
    fields,
    ...(values ? { keyValue: values } : {}),
  });
}

function plainObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && Object.keys(value).length
    ? (value as Record<string, unknown>)
    : undefined;
}

/** ObjectIds, Longs and Decimals as strings, so the details serialise predictably. */
function jsonSafe(values: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!values) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      v === null || ['string', 'number', 'boolean'].includes(typeof v) || v instanceof Date ? v : String(v),
    ]),
  );
}
