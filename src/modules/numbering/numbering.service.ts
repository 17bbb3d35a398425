/**
 * Document numbers (DN-2026-000123): one counter document per prefix and year, incremented atomically inside the
 * caller's transaction, so a number is used exactly when the document that carries it commits.
 */
import mongoose, { type ClientSession, Schema } from 'mongoose';

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

/** The next number for `prefix` this year, e.g. nextDocumentNumber('DN', session) → 'DN-2026-000123'. */
export async function nextDocumentNumber(prefix: string, session: ClientSession, at = new Date()): Promise<string> {
  const year = at.getUTCFullYear();
  const counter = await Counter.findOneAndUpdate(
    { _id: `${prefix}-${year}` },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: 'after', session },
  ).lean<CounterRecord>();
  if (!counter) throw new Error(`counter ${prefix}-${year} was not created`);
  return `${prefix}-${year}-${String(counter.seq).padStart(6, '0')}`;
}
