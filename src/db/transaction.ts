/**
 * Multi-document transactions and the database health probe. Every use case that changes more than one document
 * (a stock movement and its ledger entry, a shipment and its audit record) runs inside withTransaction.
 */
import type { ClientSession } from 'mongoose';
import mongoose from 'mongoose';
import { config } from '../config';
import { ContextSlot } from '../core/async-context';
import { type DatabaseBackend, databaseBackend } from './connection';

/**
 * What one attempt of a transaction holds in this process until it ends: keys of in-process queues
 * (stock's queuedOnStock), released when the attempt commits or aborts, not when the function that took them returns.
 */
export interface TransactionHold {
  readonly keys: Set<string>;
  /** Runs `release` once the attempt has ended (committed, or aborted before a retry or a failure). */
  onEnd(release: () => void): void;
  /**
   * The batch named `name` of writes this attempt makes just before it commits, in one go: the first call registers
   * `flush`, every call answers the same array to push onto. (A request's audit entries, written by several services
   * of one transaction, become one insert.)
   */
  beforeCommit<T>(name: string, flush: (items: T[]) => Promise<void>): T[];
}

interface Ambient {
  session: ClientSession;
  hold: TransactionHold & { end(): void; flush(): Promise<void> };
}

/** The transaction the current code runs in (through any number of awaits), set by withTransaction. */
const ambient = new ContextSlot<Ambient>('transaction');

function ambientTransaction(): Ambient | undefined {
  const current = ambient.get();
  return current?.session.inTransaction() ? current : undefined;
}

function newHold(): Ambient['hold'] {
  const releases: (() => void)[] = [];
  const batches = new Map<string, { items: unknown[]; flush: (items: unknown[]) => Promise<void> }>();
  return {
    keys: new Set(),
    onEnd: (release) => releases.push(release),
    end() {
      for (const release of releases.splice(0)) release();
    },
    beforeCommit<T>(name: string, flush: (items: T[]) => Promise<void>): T[] {
      let batch = batches.get(name);
      if (!batch) {
        batch = { items: [], flush: flush as (items: unknown[]) => Promise<void> };
        batches.set(name, batch);
      }
      return batch.items as T[];
    },
    async flush() {
      for (const batch of batches.values()) {
        if (batch.items.length) await batch.flush(batch.items.splice(0));
      }
    },
  };
}

/** What the transaction the caller is in holds until it ends; undefined outside a transaction. */
export function transactionHold(): TransactionHold | undefined {
  return ambientTransaction()?.hold;
}

/** The hold of the transaction the caller is in when `session` is that transaction's session; otherwise undefined. */
export function transactionHoldOf(session: ClientSession | null | undefined): TransactionHold | undefined {
  const current = ambientTransaction();
  return session && current?.session === session ? current.hold : undefined;
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
  const current = ambientTransaction();
  if (current) return fn(current.session);
  let hold: Ambient['hold'] | undefined;
  try {
    return await mongoose.connection.transaction((session) => {
      // A new attempt: the driver has aborted the previous one, whose holds end now.
      hold?.end();
      const attempt = newHold();
      hold = attempt;
      return ambient.run({ session, hold: attempt }, async () => {
        const result = await fn(session);
        await attempt.flush();
        return result;
      });
    });
  } finally {
    hold?.end();
  }
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
