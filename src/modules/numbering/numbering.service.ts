/**
 * Document numbers (DN-2026-000123): one counter document per prefix and year, incremented atomically.
 *
 * Two ways to take a number:
 * - `reserveDocumentNumber` increments OUTSIDE any transaction, before the caller's transaction starts. A hot
 *   counter (every donation takes one) then never becomes a write conflict between concurrent transactions. The
 *   price: a transaction that fails after reserving leaves a gap in the sequence. That is acceptable because a
 *   document number is an identifier, unique and increasing, not an accounting record: the ledger is the accounting
 *   record, and it has no gaps (an entry exists exactly when its transaction committed).
 * - `nextDocumentNumber` increments inside the caller's transaction, so the number is used exactly when the document
 *   commits, and two transactions taking a number of the same prefix conflict (one retries). Stock counts rely on
 *   that conflict to serialise concurrent starts; use it only where numbers are rare.
 */
import mongoose, { type ClientSession, Schema } from 'mongoose';
import { driverCollection } from '../../db/driver';

interface CounterRecord {
  _id: string;
  seq: number;
}

const counterSchema = new Schema<CounterRecord>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true, default: 0 } },
  { collection: 'counters', versionKey: false },
);

const Counter =
  (mongoose.models.Counter as mongoose.Model<CounterRecord> | undefined) ??
  mongoose.model<CounterRecord>('Counter', counterSchema);

/** Adds `by` to the counter of `prefix` this year in one atomic update; answers the numbers it took, in order. */
async function take(prefix: string, by: number, session: ClientSession | null, at: Date): Promise<string[]> {
  const year = at.getUTCFullYear();
  // On the driver (db/driver.ts): every donation takes a number, and this needs nothing of Mongoose's.
  const counter = await driverCollection<CounterRecord>(Counter).findOneAndUpdate(
    { _id: `${prefix}-${year}` },
    { $inc: { seq: by } },
    { upsert: true, returnDocument: 'after', session: session ?? undefined, includeResultMetadata: false },
  );
  if (!counter) throw new Error(`counter ${prefix}-${year} was not created`);
  const first = counter.seq - by + 1;
  return Array.from({ length: by }, (_, i) => `${prefix}-${year}-${String(first + i).padStart(6, '0')}`);
}

async function increment(prefix: string, session: ClientSession | null, at: Date): Promise<string> {
  return (await take(prefix, 1, session, at))[0] as string;
}

/** The next number for `prefix` this year, inside the caller's transaction (see the top comment). */
export function nextDocumentNumber(prefix: string, session: ClientSession, at = new Date()): Promise<string> {
  return increment(prefix, session, at);
}

/**
 * Reserves the next number for `prefix` this year with one atomic `$inc` outside any transaction: call it before
 * the transaction starts (so a retried transaction keeps its number). A failed transaction leaves a gap.
 */
export function reserveDocumentNumber(prefix: string, at = new Date()): Promise<string> {
  return increment(prefix, null, at);
}

/**
 * Reserves `count` consecutive numbers for `prefix` this year with one atomic `$inc` of `count`, outside any
 * transaction (as `reserveDocumentNumber`): a bulk registration of 500 households takes one round trip for its
 * numbers, not 500. The range is the caller's alone, whatever runs at the same time; unused numbers are a gap.
 */
export async function reserveDocumentNumbers(prefix: string, count: number, at = new Date()): Promise<string[]> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`cannot reserve ${count} numbers`);
  return count === 0 ? [] : take(prefix, count, null, at);
}
