/**
 * The one error type services throw, and its helpers. It carries a domain code, never an HTTP status: the HTTP layer
 * (src/http/error-status.ts) owns the single table that maps codes to statuses, so a job or a script that calls a
 * service sees the same errors a request does.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'MALFORMED_JSON'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'GONE'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INSUFFICIENT_STOCK'
  | 'DUPLICATE_AID'
  | 'INVALID_STATE'
  | 'UNPROCESSABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details: unknown = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string, id?: unknown): AppError =>
  new AppError(
    'NOT_FOUND',
    id === undefined ? `${what} not found` : `${what} ${String(id)} not found`,
    id === undefined ? {} : { id },
  );

export type InputLocation = 'params' | 'query' | 'body';

/** One invalid field of a request (or of a service's input), as VALIDATION errors list them in `details`. */
export interface FieldError {
  /** Path of the field, e.g. `lines[2].quantity`. */
  field: string;
  message: string;
  /** Joi's error type, e.g. `number.greater`, or a service's own (`any.unknownReference`, UNKNOWN_REFERENCE). */
  type: string;
  in?: InputLocation;
}

/**
 * An error answer lists at most this many problems (and says how many there were), so that a large bad request
 * cannot make a much larger answer: the first problems are what a client or a clerk needs to fix.
 */
export const MAX_DETAILS = 20;
const MAX_MESSAGES = 5;

/**
 * The type of a field naming a record the actor cannot see: one that does not exist or, worded identically, one of
 * another organisation (`"warehouseId" is not a known warehouse`).
 */
export const UNKNOWN_REFERENCE = 'any.unknownReference';

/**
 * VALIDATION naming the fields, or NOT_FOUND when every problem is a record that the input names and the actor cannot
 * see: issuing another organisation's blankets by their warehouse's id answers 404 as any missing record does, and the
 * details still name the field so that a form shows the problem there. The message joins the first fields' messages
 * and counts the rest. `total`: how many problems there were when `fields` is only the first of them.
 */
export function validationError(fields: FieldError[], total = fields.length): AppError {
  const listed = fields.slice(0, MAX_DETAILS);
  const count = Math.max(total, fields.length);
  let message = listed.length
    ? listed
        .slice(0, MAX_MESSAGES)
        .map((f) => f.message)
        .join('; ')
    : 'The request is not valid';
  if (count > MAX_MESSAGES) message += ` (and ${count - MAX_MESSAGES} more problems`;
  if (count > listed.length) message += `; the first ${listed.length} of ${count} are listed in details`;
  if (count > MAX_MESSAGES) message += ')';
  const onlyUnknownReferences = listed.length > 0 && listed.every((f) => f.type === UNKNOWN_REFERENCE);
  return new AppError(onlyUnknownReferences ? 'NOT_FOUND' : 'VALIDATION', message, listed);
}
