/**
 * Idempotency-Key: exactly once, across retries and crashes, for every route that declares `idempotent: true`.
 *
 * Field offices retry on flaky connections and power cuts. A retry carrying the same key and the same request answers
 * the first answer again (`Idempotent-Replayed: true`) and changes nothing; the same key with another request answers
 * 409 IDEMPOTENCY_KEY_REUSED. Keys are scoped to the caller (user or API key) and kept for 24 hours.
 *
 * How exactly-once survives a crash:
 * 1. The key is claimed first, outside any transaction: an `in_progress` record with a random claim token and a lock
 *    (config.idempotencyLockSeconds). A concurrent retry sees it, waits briefly for the answer, and otherwise answers
 *    409 CONFLICT "still being processed" with Retry-After: never a second execution.
 * 2. The route runs inside ONE transaction: the services' own withTransaction calls join it (db/transaction.ts).
 *    Before that transaction commits, the record becomes `done` with the answer, in the same transaction, guarded
 *    by the claim token. (An operation a service runs outside its own transaction stays outside this one too.)
 * So after any crash a retry finds either the committed operation together with its answer, or neither: then the
 * claim's lock expires and the retry runs it, once. A claim whose lock expired while its attempt was in fact still
 * running cannot commit twice either: the other attempt took a new token, and the guarded `done` write of the first
 * finds no record and aborts its transaction.
 *
 * A refusal (4xx: nothing was written) is remembered after the transaction aborted, so its retry answers the same; a
 * 5xx or a CONFLICT with a concurrent change releases the key, so that the retry runs again.
 * Document numbers reserved outside the transaction (numbering.service) stay outside it: a run that aborts leaves
 * a gap in the sequence, as it does without a key.
 */
import cluster from 'node:cluster';
import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import mongoose, { Schema } from 'mongoose';
import { config } from '../config';
import { AppError } from '../core/errors';
import { driverCollection } from '../db/driver';
import { withTransaction } from '../db/transaction';
import type { Actor } from '../modules/access';
import { errorBodyOf, statusOf, toAppError } from './error-handler';

const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;
const RETENTION_SECONDS = 24 * 60 * 60;
/** How long a retry waits for a concurrent first attempt's answer before answering "still being processed". */
const WAIT_FOR_ANSWER_MS = 2_000;
const POLL_MS = 100;
/** What a retry is told to wait when the first attempt is still running (its process may be alive and finish). */
const RETRY_AFTER_SECONDS = 2;

/** An answer as sent: its status and, unless 204, its JSON text (stored as text so a replay is byte for byte). */
export interface Answer {
  status: number;
  json?: string;
}

interface IdempotencyRecord {
  _id: string;
  fingerprint: string;
  state: 'in_progress' | 'done';
  /** Which attempt holds the claim: only that attempt may complete or release it. */
  token: string;
  lockedUntil: Date;
  response?: Answer;
  createdAt: Date;
}

const idempotencySchema = new Schema<IdempotencyRecord>(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, enum: ['in_progress', 'done'], required: true },
    token: { type: String, required: true },
    lockedUntil: { type: Date, required: true },
    response: { status: Number, json: String },
    createdAt: { type: Date, required: true, expires: RETENTION_SECONDS },
  },
  { collection: 'idempotency_keys', versionKey: false },
);

export const IdempotencyKey =
  (mongoose.models.IdempotencyKey as mongoose.Model<IdempotencyRecord> | undefined) ??
  mongoose.model<IdempotencyRecord>('IdempotencyKey', idempotencySchema);

/**
 * The records on the driver (db/driver.ts): every idempotent request claims and completes one, built here with their
 * stored types, so Mongoose's query building and casting would only cost time. The model above declares the
 * collection and its indexes (the TTL on createdAt).
 */
const records = () => driverCollection<IdempotencyRecord>(IdempotencyKey);

function fingerprintOf(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n`)
    .update(canonicalJson(req.body ?? null))
    .digest('hex');
}

/**
 * JSON with object keys sorted, so that the same body sent with keys in another order is the same request. Built into
 * one string as it goes (a third less CPU than joining the mapped parts of every array and object).
 */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += `${i ? ',' : ''}${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`;
  }
  return `${out}}`;
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

const lockFrom = (now: number) => new Date(now + config.idempotencyLockSeconds * 1000);

type Claim = { token: string } | { existing: IdempotencyRecord };

/** Claims the key for this attempt, or returns the record that already holds it. */
async function claim(id: string, fingerprint: string): Promise<Claim> {
  const now = Date.now();
  const token = randomUUID();
  const record: IdempotencyRecord = {
    _id: id,
    fingerprint,
    state: 'in_progress',
    token,
    lockedUntil: lockFrom(now),
    createdAt: new Date(now),
  };
  try {
    // Complete and typed here: inserted without building and validating a Mongoose document. Outside any
    // transaction (no session), so that a concurrent retry sees the claim at once.
    await records().insertOne(record);
    return { token };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  // Taken: a finished request, one still running, or one whose process died (lock expired: take it over).
  const takenOver = await records().findOneAndUpdate(
    { _id: id, fingerprint, state: 'in_progress', lockedUntil: { $lt: new Date(now) } },
    { $set: { token, lockedUntil: lockFrom(now) } },
    { returnDocument: 'after', includeResultMetadata: false },
  );
  if (takenOver) return { token };
  const existing = await records().findOne({ _id: id });
  if (!existing) return claim(id, fingerprint); // expired and removed between the two reads
  return { existing };
}

/** The record once its first attempt has answered, waiting up to WAIT_FOR_ANSWER_MS; null when still running. */
async function answered(id: string): Promise<IdempotencyRecord | null> {
  const deadline = Date.now() + WAIT_FOR_ANSWER_MS;
  for (;;) {
    const record = await records().findOne({ _id: id });
    if (!record) return null;
    if (record.state === 'done' && record.response) return record;
    if (Date.now() >= deadline || record.lockedUntil.getTime() <= Date.now()) return null;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The answer as stored: a 204's has no `json` field at all (the driver would store an undefined one as null). */
function storedAnswer(answer: Answer): Answer {
  return answer.json === undefined ? { status: answer.status } : { status: answer.status, json: answer.json };
}

function send(res: Response, answer: Answer): void {
  res.status(answer.status);
  if (answer.json === undefined) {
    res.end();
    return;
  }
  res.type('application/json').send(answer.json);
}

/** The key of this request, validated, or undefined when it carries none. */
function keyOf(req: Request): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key !== undefined && !KEY_PATTERN.test(key)) {
    throw new AppError('VALIDATION', 'Idempotency-Key must be 8 to 128 characters of letters, digits, - _ : .', [
      { field: 'Idempotency-Key', message: 'invalid format', type: 'header.pattern' },
    ]);
  }
  return key;
}

/**
 * Answers an idempotent route: runs `execute` (the route, returning its answer) at most once per key, in one
 * transaction with the key's record when a key is given, and sends the answer.
 */
export async function answerIdempotently(req: Request, res: Response, execute: () => Promise<Answer>): Promise<void> {
  const key = keyOf(req);
  if (key === undefined) {
    send(res, await execute());
    return;
  }
  const actor = res.locals.actor as Actor | null | undefined;
  const id = `${actor?.kind ?? 'anonymous'}:${actor?.id ?? '-'}:${key}`;
  const fingerprint = fingerprintOf(req);

  const claimed = await claim(id, fingerprint);
  if ('existing' in claimed) {
    if (claimed.existing.fingerprint !== fingerprint) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request', {
        idempotencyKey: key,
      });
    }
    const done = await answered(id);
    if (!done?.response) {
      throw new AppError(
        'CONFLICT',
        `A request with this Idempotency-Key is still being processed; retry after ${RETRY_AFTER_SECONDS} s`,
        { idempotencyKey: key, retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    res.set('Idempotent-Replayed', 'true');
    send(res, done.response);
    return;
  }

  const { token } = claimed;
  let answer: Answer;
  try {
    answer = await withTransaction(async (session) => {
      const result = await execute();
      const { matchedCount } = await records().updateOne(
        { _id: id, token, state: 'in_progress' },
        { $set: { state: 'done', response: storedAnswer(result), lockedUntil: new Date() } },
        { session },
      );
      if (matchedCount === 0) {
        throw new AppError(
          'CONFLICT',
          'This request ran longer than its Idempotency-Key lock and a retry took the key over; retry to get its answer',
          { idempotencyKey: key, retryAfterSeconds: RETRY_AFTER_SECONDS },
        );
      }
      injectFault(req, 'kill-before-commit');
      return result;
    });
  } catch (error) {
    await settleFailure(id, token, error);
    throw error;
  }
  injectFault(req, 'kill-after-commit');
  send(res, answer);
}

/** After a failed attempt: remember a refusal (4xx), release the key otherwise. Only while this attempt holds it. */
async function settleFailure(id: string, token: string, error: unknown): Promise<void> {
  const appError = toAppError(error);
  const status = appError ? statusOf(appError) : 500;
  const transientConflict = appError?.code === 'CONFLICT';
  if (!appError || status >= 500 || transientConflict) {
    await records().deleteOne({ _id: id, token, state: 'in_progress' });
    return;
  }
  const response: Answer = { status, json: JSON.stringify(errorBodyOf(appError)) };
  await records().updateOne(
    { _id: id, token, state: 'in_progress' },
    { $set: { state: 'done', response, lockedUntil: new Date() } },
  );
}

export type FaultPoint = 'kill-before-commit' | 'kill-after-commit';

/**
 * The crash tests' fault points: with ASAR_TEST_FAULTS (which config refuses in production), a request carrying
 * `X-Asar-Test-Fault: <point>` kills this process there, as a power cut would.
 */
function injectFault(req: Request, point: FaultPoint): void {
  if (!config.testFaults || req.get('X-Asar-Test-Fault') !== point) return;
  // A power cut takes every process: under npm start's cluster, the primary (and its database) too.
  if (cluster.isWorker) process.kill(process.ppid, 'SIGKILL');
  process.kill(process.pid, 'SIGKILL');
}
