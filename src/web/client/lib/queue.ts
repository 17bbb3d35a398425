/**
 * Work made without a connection: receipts, counts and distribution check-ins are kept on the device (IndexedDB)
 * with the Idempotency-Key they were given when the user pressed the button, and sent when the connection returns.
 * Sending again with the same key is what makes it exactly once: if a request reached the server but its answer was
 * lost, the server answers the retry with the first response instead of doing the work twice.
 *
 * An entry leaves the queue when the server answers 2xx. A 4xx (the server refused it: a validation error, stock
 * that is no longer there) keeps it, marked failed with the answer, for the user to see and discard; retrying would
 * only be refused again. A network failure or a 5xx stops the round and leaves everything for the next one.
 * One round at a time per device (Web Locks across tabs where the browser has them, a flag within the tab).
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { ApiError, api, type RequestOptions } from './api';

export type QueuedKind = 'donation' | 'count' | 'receipt' | 'distribution';

export interface QueuedRequest {
  /** The Idempotency-Key, also the entry's id. */
  key: string;
  kind: QueuedKind;
  method: 'POST' | 'PATCH';
  path: string;
  body: unknown;
  /** Whose work it is: only the user who made it sends it. */
  userId: string;
  /** A line for the screen ("DN for 3 lines at AST-01"). */
  summary: string;
  createdAt: string;
  attempts: number;
  failure: { code: string; message: string; status: number } | null;
}

interface QueueDb extends DBSchema {
  requests: { key: string; value: QueuedRequest; indexes: { createdAt: string } };
}

let dbPromise: Promise<IDBPDatabase<QueueDb>> | undefined;
function db(): Promise<IDBPDatabase<QueueDb>> {
  dbPromise ??= openDB<QueueDb>('asar-offline', 1, {
    upgrade(database) {
      database.createObjectStore('requests', { keyPath: 'key' }).createIndex('createdAt', 'createdAt');
    },
  });
  return dbPromise;
}

type Listener = () => void;
const listeners = new Set<Listener>();
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function changed(): void {
  for (const listener of listeners) listener();
}

export async function listQueued(): Promise<QueuedRequest[]> {
  return (await db()).getAllFromIndex('requests', 'createdAt');
}

export async function enqueue(
  entry: Omit<QueuedRequest, 'createdAt' | 'attempts' | 'failure'> & { createdAt?: string },
): Promise<QueuedRequest> {
  const record: QueuedRequest = { createdAt: new Date().toISOString(), ...entry, attempts: 0, failure: null };
  await (await db()).put('requests', record);
  changed();
  return record;
}

export async function discard(key: string): Promise<void> {
  await (await db()).delete('requests', key);
  changed();
}

export type Sender = (path: string, options: RequestOptions) => Promise<unknown>;

export interface FlushResult {
  sent: { entry: QueuedRequest; response: unknown }[];
  failed: QueuedRequest[];
  /** True when the round stopped because the server could not be reached. */
  interrupted: boolean;
}

let flushing: Promise<FlushResult> | null = null;

/** Sends the user's queued requests in the order they were made. */
export function flushQueue(userId: string, sender: Sender = api): Promise<FlushResult> {
  if (flushing) return flushing;
  const round = () => flushRound(userId, sender);
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  flushing = (locks ? locks.request('asar-offline-queue', round) : round()).finally(() => {
    flushing = null;
  });
  return flushing;
}

async function flushRound(userId: string, sender: Sender): Promise<FlushResult> {
  const result: FlushResult = { sent: [], failed: [], interrupted: false };
  const store = await db();
  for (const entry of await listQueued()) {
    if (entry.userId !== userId || entry.failure) continue;
    try {
      const response = await sender(entry.path, {
        method: entry.method,
        body: entry.body,
        idempotencyKey: entry.key,
      });
      await store.delete('requests', entry.key);
      result.sent.push({ entry, response });
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError('NETWORK', String((error as Error)?.message ?? error), 0);
      const refused = apiError.status >= 400 && apiError.status < 500 && apiError.status !== 408;
      // A key still being processed (409 CONFLICT on the same key) is a retry-later, not a refusal.
      const inFlight =
        apiError.status === 409 && apiError.code === 'CONFLICT' && /Idempotency-Key/.test(apiError.message);
      const updated: QueuedRequest = {
        ...entry,
        attempts: entry.attempts + 1,
        failure:
          refused && !inFlight && apiError.status !== 401
            ? { code: apiError.code, message: apiError.message, status: apiError.status }
            : null,
      };
      await store.put('requests', updated);
      if (updated.failure) {
        result.failed.push(updated);
        continue;
      }
      result.interrupted = true;
      break;
    }
  }
  changed();
  return result;
}

/** Forgets the connection to IndexedDB (tests open a fresh database). */
export function resetQueueConnection(): void {
  dbPromise = undefined;
}
