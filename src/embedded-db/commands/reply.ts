/** Turning thrown errors into MongoDB replies: `{ ok: 0, errmsg, code, codeName, errorLabels }` or a writeErrors entry. */
import { codeName, ErrorCodes, MongoCommandError, TRANSIENT_TRANSACTION_ERROR } from '../errors';
import type { Doc } from '../types';

/** Codes that errors.ts does not list but the server answers. */
const EXTRA_CODE_NAMES: Record<number, string> = {
  6: 'HostUnreachable',
  7: 'HostNotFound',
  18: 'AuthenticationFailed',
  24: 'LockTimeout',
  89: 'NetworkTimeout',
  91: 'ShutdownInProgress',
  189: 'PrimarySteppedDown',
  262: 'ExceededTimeLimit',
  9001: 'SocketException',
  10107: 'NotWritablePrimary',
  11600: 'InterruptedAtShutdown',
  11602: 'InterruptedDueToReplStateChange',
  13435: 'NotPrimaryNoSecondaryOk',
  13436: 'NotPrimaryOrSecondary',
  10334: 'BSONObjectTooLarge',
  256: 'TransactionCommitted',
  5739101: 'Location5739101',
};

export function nameOfCode(code: number): string {
  return EXTRA_CODE_NAMES[code] ?? codeName(code);
}

/** Any thrown value as a MongoCommandError; unexpected errors become InternalError with their message. */
export function asCommandError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  // Errors from other modules may carry a MongoDB code without being our class (e.g. a copy of errors.ts).
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number') {
    const e = err as { code: number; message?: string; errorLabels?: string[]; extra?: Record<string, unknown> };
    return new MongoCommandError(e.code, e.message ?? String(err), { labels: e.errorLabels, extra: e.extra });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new MongoCommandError(ErrorCodes.InternalError, message);
}

export function isUnexpected(err: unknown): boolean {
  return (
    !(err instanceof MongoCommandError) &&
    !(err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number')
  );
}

/**
 * Errors a transaction may succeed after, when retried whole: mongod labels them TransientTransactionError (its
 * error_labels: write conflicts, a transaction that is gone, and snapshot errors such as SnapshotTooOld).
 */
const TRANSIENT_IN_TRANSACTION = new Set<number>([
  ErrorCodes.WriteConflict,
  ErrorCodes.NoSuchTransaction,
  ErrorCodes.SnapshotTooOld,
]);

export function errorReply(err: unknown, options: { inTransaction?: boolean } = {}): Doc {
  const e = asCommandError(err);
  const labels = new Set(e.errorLabels);
  if (options.inTransaction && TRANSIENT_IN_TRANSACTION.has(e.code)) {
    labels.add(TRANSIENT_TRANSACTION_ERROR);
  }
  const reply: Doc = { ok: 0, errmsg: e.message, code: e.code, codeName: nameOfCode(e.code), ...e.extra };
  if (labels.size > 0) reply.errorLabels = [...labels];
  return reply;
}

export function writeErrorEntry(index: number, err: unknown): Doc {
  const e = asCommandError(err);
  return { index, code: e.code, ...e.extra, errmsg: e.message };
}

/**
 * Inside a transaction, mongod (4.0+, SERVER-38583) reports a statement's error such as a duplicate key as a
 * writeErrors entry of an `ok: 1` reply, and aborts the transaction. Errors that say "retry the transaction"
 * (write conflicts, a transaction that no longer exists) fail the whole command instead, with their label.
 */
export function failsWholeTransactionCommand(err: unknown): boolean {
  const e = asCommandError(err);
  return (
    e.errorLabels.includes(TRANSIENT_TRANSACTION_ERROR) ||
    e.code === ErrorCodes.WriteConflict ||
    e.code === ErrorCodes.NoSuchTransaction
  );
}
