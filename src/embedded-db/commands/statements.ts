/**
 * Running one statement (one insert, one update, one delete, one read) against the store.
 *
 * Outside a client transaction every statement gets its own implicit storage transaction, and its reply waits for
 * commit(): an acknowledged write is a durable write. The statement's work is synchronous — no `await` between reading
 * a document and writing its new version — so a conditional update such as `{ qty: { $gte: 5 } }` with
 * `{ $inc: { qty: -5 } }` cannot interleave with another client's statement (JavaScript runs one at a time).
 *
 * When the document is held by a client's multi-document transaction the store answers WriteConflict; mongod makes a
 * single statement wait for the lock instead of failing, so the statement is retried with a short backoff until the
 * transaction ends or maxTimeMS (60 s by default) runs out.
 */
import { ErrorCodes, mongoError } from '../errors';
import type { Txn } from '../storage/store-types';
import { numberValue } from './args';
import type { CommandContext } from './context';

const DEFAULT_WAIT_MS = 60_000;

function isWriteConflict(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { code?: unknown }).code === ErrorCodes.WriteConflict;
}

function deadlineOf(ctx: CommandContext): number {
  const maxTimeMS = numberValue(ctx.body.maxTimeMS);
  return Date.now() + (maxTimeMS && maxTimeMS > 0 ? maxTimeMS : DEFAULT_WAIT_MS);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Storage may offer a way to wait until a transaction releases its documents; use it when present. */
interface WaitableStore {
  waitForWriteConflict?(err: unknown, timeoutMs: number): Promise<void>;
}

export async function runWrite<T>(ctx: CommandContext, work: (txn: Txn) => T): Promise<T> {
  if (ctx.txn) return work(ctx.txn);
  const deadline = deadlineOf(ctx);
  let delay = 1;
  for (;;) {
    const txn = ctx.server.store.begin({ multiDocument: false });
    try {
      const result = work(txn);
      await txn.commit();
      return result;
    } catch (err) {
      txn.abort();
      if (!isWriteConflict(err)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw mongoError(
          'MaxTimeMSExpired',
          'operation exceeded time limit while waiting for a transaction to release a document',
        );
      }
      const store = ctx.server.store as unknown as WaitableStore;
      if (typeof store.waitForWriteConflict === 'function') {
        await store.waitForWriteConflict(err, Math.min(left, 1000));
      } else {
        await sleep(Math.min(delay, left));
        delay = Math.min(delay * 2, 20);
      }
    }
  }
}

/** A read: the client's transaction, or a throwaway implicit one (reads have nothing to commit). */
export function runRead<T>(ctx: CommandContext, work: (txn: Txn) => T): T {
  if (ctx.txn) return work(ctx.txn);
  const txn = ctx.server.store.begin({ multiDocument: false });
  try {
    return work(txn);
  } finally {
    txn.abort();
  }
}
