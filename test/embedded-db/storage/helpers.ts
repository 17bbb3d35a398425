/** Small factories for storage tests: a memory store, a temp data directory, and one-line committed writes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../../src/embedded-db/storage';
import type { Store, Txn } from '../../../src/embedded-db/storage/store-types';
import type { Doc } from '../../../src/embedded-db/types';

export const DB = 'storage_test';

export function memoryStore(): Promise<Store> {
  return openStore({});
}

const tempDirs: string[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asar-storage-'));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export async function insertAll(store: Store, coll: string, docs: Doc[]): Promise<void> {
  const txn = store.begin();
  for (const d of docs) txn.insert(DB, coll, d);
  await txn.commit();
}

/** Runs `work` in its own committed single-statement transaction (aborting it when `work` throws). */
export async function inTxn<T>(store: Store, work: (txn: Txn) => T): Promise<T> {
  const txn = store.begin();
  try {
    const result = work(txn);
    await txn.commit();
    return result;
  } catch (err) {
    txn.abort();
    throw err;
  }
}

export function findAll(store: Store, coll: string, filter: Doc = {}) {
  const txn = store.begin();
  try {
    return txn.find(DB, coll, filter);
  } finally {
    txn.abort();
  }
}

export function ids(docs: Doc[]): unknown[] {
  return docs.map((d) => d._id).sort();
}

/** Expects `fn` to throw a MongoCommandError with this code; returns it for further checks. */
export function expectCode(fn: () => unknown, code: number): Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    expect((err as { code?: number }).code).toBe(code);
    return err as Record<string, unknown>;
  }
  throw new Error(`expected an error with code ${code}`);
}

export async function expectCodeAsync(promise: Promise<unknown>, code: number): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    expect((err as { code?: number }).code).toBe(code);
    return err as Record<string, unknown>;
  }
  throw new Error(`expected an error with code ${code}`);
}
