/**
 * Errors the embedded database answers with. Codes and names are MongoDB's own
 * (src/mongo/base/error_codes.yml), so drivers and Mongoose react to them exactly as against mongod.
 */

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  NotSingleValueField: 54,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  IndexAlreadyExists: 68,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  OperationFailed: 96,
  WriteConflict: 112,
  CommandNotSupported: 115,
  ConflictingOperationInProgress: 117,
  InvalidPipelineOperator: 168,
  CannotIndexParallelArrays: 171,
  SnapshotTooOld: 239,
  NoSuchTransaction: 251,
  TransactionTooOld: 225,
  OperationNotSupportedInTransaction: 263,
  Location15952: 15952,
  UnknownError: 8,
  DuplicateKey: 11000,
  Location40324: 40324,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

const namesByCode = new Map<number, string>(Object.entries(ErrorCodes).map(([name, code]) => [code, name]));

export function codeName(code: number): string {
  return namesByCode.get(code) ?? `Location${code}`;
}

/**
 * An error that becomes a `{ ok: 0, code, codeName, errmsg, ...extra }` reply (or a writeErrors entry).
 * `extra` carries fields such as keyPattern/keyValue for duplicate keys.
 */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly errorLabels: string[];
  readonly extra: Record<string, unknown>;

  constructor(code: number, message: string, options: { labels?: string[]; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = code;
    this.codeName = codeName(code);
    this.errorLabels = options.labels ?? [];
    this.extra = options.extra ?? {};
  }
}

export function mongoError(
  name: ErrorCodeName,
  message: string,
  options?: { labels?: string[]; extra?: Record<string, unknown> },
): MongoCommandError {
  return new MongoCommandError(ErrorCodes[name], message, options);
}

export const TRANSIENT_TRANSACTION_ERROR = 'TransientTransactionError';
