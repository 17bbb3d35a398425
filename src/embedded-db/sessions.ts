/**
 * Logical sessions (`lsid`): multi-document transactions and retryable writes.
 *
 * Transactions follow MongoDB's replica-set protocol: every statement carries `lsid`, `txnNumber` and
 * `autocommit: false`, the first one also `startTransaction: true`; `commitTransaction` / `abortTransaction` end it.
 * The storage `Txn` behind a transaction lives here between commands, whichever connection sends them.
 *
 * Retryable writes carry `txnNumber` without `autocommit`. The reply of the newest txnNumber of each session is kept,
 * so a driver that retries after a network error gets the original answer instead of applying the write twice.
 */
import { Binary, Long } from 'bson';
import { MongoCommandError, mongoError, TRANSIENT_TRANSACTION_ERROR } from './errors';
import type { Store, Txn } from './storage/store-types';
import type { Doc } from './types';

type TxnState = 'none' | 'inProgress' | 'committing' | 'committed' | 'aborted';

interface Session {
  key: string;
  /** Highest txnNumber seen on the session (transactions and retryable writes share the sequence). */
  txnNumber: bigint;
  state: TxnState;
  txn?: Txn;
  commitPromise?: Promise<void>;
  /** When the current transaction started, for transactionLifetimeLimitSeconds. */
  startedAt: number;
  /** Reply (or in-flight reply) of the retryable write numbered `txnNumber`. */
  retryable?: { txnNumber: bigint; reply: Promise<Doc> };
  lastUse: number;
}

/** mongod's TransactionCommitted (not in errors.ts because nothing else answers it). */
const TRANSACTION_COMMITTED = 256;

export function sessionKeyOf(lsid: unknown): string | undefined {
  if (!lsid || typeof lsid !== 'object') return undefined;
  const id = (lsid as Doc).id;
  if (id instanceof Binary) return Buffer.from(id.buffer).toString('hex');
  return undefined;
}

export function txnNumberOf(value: unknown): bigint | undefined {
  // Drivers count transactions from 1: below 2^32 the number is its low word (Long.toBigInt costs more, per command).
  if (value instanceof Long) return value.high === 0 ? BigInt(value.low >>> 0) : value.toBigInt();
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'object' && typeof (value as { valueOf(): unknown }).valueOf() === 'number') {
    return BigInt(Math.trunc((value as { valueOf(): number }).valueOf()));
  }
  throw mongoError('TypeMismatch', 'txnNumber must be a 64-bit integer');
}

function noSuchTransaction(message: string): MongoCommandError {
  return mongoError('NoSuchTransaction', message, { labels: [TRANSIENT_TRANSACTION_ERROR] });
}

export interface SessionOptions {
  /** Read on every check so that setParameter takes effect at once. */
  transactionLifetimeLimitSeconds(): number;
  log?: (msg: string, extra?: object) => void;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly store: Store,
    private readonly options: SessionOptions,
  ) {}

  private session(key: string): Session {
    let session = this.sessions.get(key);
    if (!session) {
      session = { key, txnNumber: -1n, state: 'none', startedAt: 0, lastUse: Date.now() };
      this.sessions.set(key, session);
    }
    session.lastUse = Date.now();
    return session;
  }

  /**
   * The storage transaction for a statement sent with `autocommit: false`; starts one on `startTransaction`.
   * Throws NoSuchTransaction (with TransientTransactionError) when the transaction is unknown, aborted or reaped.
   */
  transactionFor(key: string, txnNumber: bigint, startTransaction: boolean, snapshotSeq?: () => number): Txn {
    const session = this.session(key);
    if (startTransaction) {
      if (txnNumber < session.txnNumber) {
        throw mongoError(
          'TransactionTooOld',
          `Cannot start transaction ${txnNumber} on session ${key} because a newer transaction ${session.txnNumber} has already started`,
        );
      }
      if (txnNumber === session.txnNumber && session.state !== 'none') {
        throw mongoError(
          'ConflictingOperationInProgress',
          `Cannot start transaction ${txnNumber} on session ${key} because it has already been used`,
        );
      }
      this.abortActive(session);
      session.txnNumber = txnNumber;
      session.retryable = undefined;
      try {
        // At the commit `snapshotSeq` names (readConcern atClusterTime) when given; SnapshotTooOld when that
        // history is gone.
        session.txn = this.store.begin({ multiDocument: true, atSeq: snapshotSeq?.() });
      } catch (err) {
        // As in mongod, the transaction whose first statement failed exists, aborted.
        session.txn = undefined;
        session.state = 'aborted';
        throw err;
      }
      session.state = 'inProgress';
      session.startedAt = Date.now();
      return session.txn;
    }
    if (txnNumber !== session.txnNumber) {
      throw noSuchTransaction(
        `Given transaction number ${txnNumber} does not match any in-progress transactions. The active transaction number is ${session.txnNumber}`,
      );
    }
    if (session.state === 'committed') {
      throw new MongoCommandError(TRANSACTION_COMMITTED, `Transaction ${txnNumber} has been committed.`);
    }
    if (session.state !== 'inProgress' || !session.txn) {
      throw noSuchTransaction(`Transaction with txnNumber ${txnNumber} has been aborted.`);
    }
    return session.txn;
  }

  async commit(key: string, txnNumber: bigint): Promise<void> {
    const session = this.session(key);
    if (txnNumber < session.txnNumber) {
      throw mongoError('TransactionTooOld', `txnNumber ${txnNumber} is less than last txnNumber ${session.txnNumber}`);
    }
    if (txnNumber > session.txnNumber) {
      throw noSuchTransaction(`Transaction with txnNumber ${txnNumber} has not been started`);
    }
    switch (session.state) {
      case 'committed':
        return; // the driver retries commits: a repeat is answered as committed
      case 'committing':
        return session.commitPromise;
      case 'inProgress': {
        const txn = session.txn as Txn;
        session.state = 'committing';
        session.commitPromise = txn.commit().then(
          () => {
            session.state = 'committed';
            session.txn = undefined;
          },
          (err: unknown) => {
            txn.abort();
            session.state = 'aborted';
            session.txn = undefined;
            throw err;
          },
        );
        return session.commitPromise;
      }
      default:
        throw noSuchTransaction(`Transaction with txnNumber ${txnNumber} has been aborted.`);
    }
  }

  abort(key: string, txnNumber: bigint): void {
    const session = this.session(key);
    if (txnNumber !== session.txnNumber || session.state === 'none' || session.state === 'aborted') {
      throw noSuchTransaction(`Transaction with txnNumber ${txnNumber} is not in progress`);
    }
    if (session.state === 'committed' || session.state === 'committing') {
      throw new MongoCommandError(TRANSACTION_COMMITTED, `Transaction ${txnNumber} has been committed.`);
    }
    this.abortActive(session);
  }

  /** A statement of the transaction failed: mongod aborts the whole transaction. */
  abortAfterError(key: string, txnNumber: bigint): void {
    const session = this.sessions.get(key);
    if (session && session.txnNumber === txnNumber && session.state === 'inProgress') this.abortActive(session);
  }

  /**
   * Runs a retryable write once per (lsid, txnNumber): a repeat gets the first reply. Failed attempts
   * (top-level errors) are forgotten so that the driver's retry can run again, as mongod only records executed writes.
   */
  retryableWrite(key: string, txnNumber: bigint, run: () => Promise<Doc>): Promise<Doc> {
    const session = this.session(key);
    if (txnNumber < session.txnNumber) {
      throw mongoError(
        'TransactionTooOld',
        `Retryable write with txnNumber ${txnNumber} is prohibited on session ${key} because a newer retryable write with txnNumber ${session.txnNumber} has already started on this session.`,
      );
    }
    if (txnNumber === session.txnNumber) {
      if (session.retryable?.txnNumber === txnNumber) return session.retryable.reply;
      if (session.state !== 'none') {
        throw mongoError(
          'ConflictingOperationInProgress',
          `txnNumber ${txnNumber} on session ${key} is used by a transaction`,
        );
      }
    }
    this.abortActive(session);
    session.txnNumber = txnNumber;
    session.state = 'none';
    const reply = run();
    const entry = { txnNumber, reply };
    session.retryable = entry;
    reply.then(
      (doc) => {
        if (doc.ok !== 1 && session.retryable === entry) session.retryable = undefined;
      },
      () => {
        if (session.retryable === entry) session.retryable = undefined;
      },
    );
    return reply;
  }

  private abortActive(session: Session): void {
    if (session.state === 'inProgress' && session.txn) {
      session.txn.abort();
      session.state = 'aborted';
      session.txn = undefined;
    }
  }

  endSessions(keys: string[]): void {
    for (const key of keys) {
      const session = this.sessions.get(key);
      if (!session) continue;
      this.abortActive(session);
      this.sessions.delete(key);
    }
  }

  killAll(): void {
    for (const session of this.sessions.values()) this.abortActive(session);
    this.sessions.clear();
  }

  /** Aborts transactions older than transactionLifetimeLimitSeconds and forgets sessions idle for 30 minutes. */
  reap(now = Date.now()): void {
    const limitMs = this.options.transactionLifetimeLimitSeconds() * 1000;
    for (const session of this.sessions.values()) {
      if (session.state === 'inProgress' && now - session.startedAt > limitMs) {
        this.options.log?.('aborting transaction older than transactionLifetimeLimitSeconds', {
          txnNumber: session.txnNumber.toString(),
        });
        this.abortActive(session);
      }
      if (session.state !== 'inProgress' && session.state !== 'committing' && now - session.lastUse > 30 * 60_000) {
        this.sessions.delete(session.key);
      }
    }
  }

  get activeTransactions(): number {
    let n = 0;
    for (const session of this.sessions.values()) if (session.state === 'inProgress') n++;
    return n;
  }

  get size(): number {
    return this.sessions.size;
  }
}
