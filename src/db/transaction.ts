/**
 * Multi-document transactions and the database health probe. Every use case that changes more than one document
 * (a stock movement and its ledger entry, a shipment and its audit record) runs inside withTransaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientSession } from 'mongoose';
import mongoose from 'mongoose';
import { config } from '../config';
import { type DatabaseBackend, databaseBackend } from './connection';

/** The transaction the current code runs in (through any number of awaits), set by withTransaction. */
const ambient = new AsyncLocalStorage<ClientSession>();

function ambientSession(): ClientSession | undefined {
  const session = ambient.getStore();
  return session?.inTransaction() ? session : undefined;
}

/**
 * Runs `fn` outside any transaction the caller is in: for work that outlives the request, such as a background
 * import started by a route, which must not join (or be rolled back with) the request's transaction.
 */
export function detached<T>(fn: () => T): T {
  return ambient.exit(fn);
}

/**
 * Runs `fn` in a transaction on the default connection and returns its result. The driver's withTransaction
 * semantics apply: the whole function is retried on TransientTransactionError and the commit on
 * UnknownTransactionCommitResult, so `fn` must be safe to run again (no side effects outside the session).
 * Mongoose resets the state of documents saved in an aborted attempt before retrying.
 *
 * Called inside another transaction (an idempotent request runs its whole route in one, see http/idempotency.ts),
 * it joins that transaction: everything commits, or is retried, together. Only withTransaction joins: an operation
 * outside the function's session runs outside the transaction, as it always did (Mongoose's global transaction
 * AsyncLocalStorage would also pull in session-less reads, which then run in parallel in one transaction when a
 * service reads with Promise.all; neither mongod nor the embedded database supports that).
 */
export async function withTransaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const current = ambientSession();
  if (current) return fn(current);
  return mongoose.connection.transaction((session) => ambient.run(session, () => fn(session)));
}

export interface DatabaseStatus {
  status: 'up' | 'down';
  backend: DatabaseBackend;
}

const PING_TIMEOUT_MS = 2000;

/** Pings the database; never throws. */
export async function databaseStatus(): Promise<DatabaseStatus> {
  // Before the first connection, report the backend the configuration asks for.
  const backend = databaseBackend() ?? (config.mongodbUri ? 'mongodb' : 'embedded');
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) {
    return { status: 'down', backend };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS);
    });
    await Promise.race([db.admin().ping(), timeout]);
    return { status: 'up', backend };
  } catch {
    return { status: 'down', backend };
  } finally {
    clearTimeout(timer);
  }
}
