/**
 * Multi-document transactions and the database health probe. Every use case that changes more than one document
 * (a stock movement and its ledger entry, a shipment and its audit record) runs inside withTransaction.
 */
import type { ClientSession } from 'mongoose';
import mongoose from 'mongoose';
import { config } from '../config';
import { type DatabaseBackend, databaseBackend } from './connection';

// Inside a transaction's function, Mongoose gives the session to every operation that names none, and
// withTransaction below finds the transaction in progress. Operations that must stay outside say `session: null`.
mongoose.set('transactionAsyncLocalStorage', true);

/** The transaction the current code runs in (through any number of awaits), if any. */
function ambientSession(): ClientSession | undefined {
  const store = (
    mongoose as { transactionAsyncLocalStorage?: { getStore(): { session?: ClientSession } | undefined } }
  ).transactionAsyncLocalStorage?.getStore();
  return store?.session?.inTransaction() ? store.session : undefined;
}

/**
 * Runs `fn` in a transaction on the default connection and returns its result. The driver's withTransaction
 * semantics apply: the whole function is retried on TransientTransactionError and the commit on
 * UnknownTransactionCommitResult, so `fn` must be safe to run again (no side effects outside the session).
 * Mongoose resets the state of documents saved in an aborted attempt before retrying.
 *
 * Called inside another transaction (an idempotent request runs its whole route in one, see http/idempotency.ts),
 * it joins that transaction: everything commits, or is retried, together.
 */
export async function withTransaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const ambient = ambientSession();
  if (ambient) return fn(ambient);
  return mongoose.connection.transaction(fn);
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
