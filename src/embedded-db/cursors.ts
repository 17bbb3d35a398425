/**
 * Server-side cursors: what `find`, `aggregate`, `listIndexes` and friends have not yet returned.
 *
 * Results are computed in full when the cursor opens (a snapshot, exactly what the command's transaction saw), and
 * `getMore` hands them out in batches. Cursor ids are int64 (`Long`) on the wire, as drivers require; they are random
 * so that a stale id from an earlier server run is not mistaken for a live cursor.
 */
import { calculateObjectSize, Long } from 'bson';
import type { Doc } from './types';

/** mongod's default first batch size for find and aggregate. */
export const DEFAULT_FIRST_BATCH_SIZE = 101;
/** A batch stops growing past this many bytes (mongod caps a reply at 16 MiB; leave room for the envelope). */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/** Idle cursors are reaped after mongod's default cursorTimeoutMillis (10 minutes). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export interface ServerCursor {
  id: Long;
  ns: string;
  docs: Doc[];
  position: number;
  lastUsed: number;
  /** lsid key of the session that opened it; killAllSessions and endSessions close it. */
  sessionKey?: string;
  /** txnNumber of the transaction that opened it: only getMores of that same transaction may read it. */
  txnNumber?: bigint;
}

/** Takes the next batch from `docs[start..]`: at most `batchSize` documents (no count limit when undefined), by size. */
export function takeBatch(docs: Doc[], start: number, batchSize: number | undefined): Doc[] {
  const batch: Doc[] = [];
  let bytes = 0;
  for (let i = start; i < docs.length; i++) {
    if (batchSize !== undefined && batch.length >= batchSize) break;
    const size = calculateObjectSize(docs[i]);
    // Always return at least one document, however big, so that a cursor makes progress.
    if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    bytes += size;
    batch.push(docs[i]);
  }
  return batch;
}

export class CursorRegistry {
  private readonly cursors = new Map<string, ServerCursor>();

  /** Registers the rest of a result set and returns its id (never zero). */
  open(ns: string, docs: Doc[], position: number, sessionKey?: string, txnNumber?: bigint): Long {
    let id: Long;
    do {
      id = Long.fromBits((Math.random() * 0x1_0000_0000) >>> 0, (Math.random() * 0x8000_0000) >>> 0);
    } while (id.isZero() || this.cursors.has(id.toString()));
    this.cursors.set(id.toString(), { id, ns, docs, position, lastUsed: Date.now(), sessionKey, txnNumber });
    return id;
  }

  get(id: Long): ServerCursor | undefined {
    const cursor = this.cursors.get(id.toString());
    if (cursor) cursor.lastUsed = Date.now();
    return cursor;
  }

  kill(id: Long): boolean {
    return this.cursors.delete(id.toString());
  }

  killForSession(sessionKey: string): void {
    for (const [key, cursor] of this.cursors) if (cursor.sessionKey === sessionKey) this.cursors.delete(key);
  }

  killAll(): void {
    this.cursors.clear();
  }

  get size(): number {
    return this.cursors.size;
  }

  reapIdle(now = Date.now()): void {
    for (const [key, cursor] of this.cursors) if (now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(key);
  }
}
