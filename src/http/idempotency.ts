/**
 * Idempotency-Key support for POSTs that create or move something.
 *
 * Field offices retry on flaky connections. A retry carrying the same key and the same body answers the first
 * response again and changes nothing; the same key with another body answers 409 IDEMPOTENCY_KEY_REUSED; a retry
 * that arrives while the first attempt is still running answers 409 CONFLICT (the client retries later).
 *
 * Keys are scoped to the caller (user or API key) and kept for 24 hours. A response is remembered only when the
 * request finished with a status below 500 and was not a CONFLICT with a concurrent change: after those the key is
 * released so the retry runs again (a failed request wrote nothing).
 * Known limit: if the process dies between the business transaction's commit and the moment the response is
 * stored, the key stays "in progress" until its lock expires (2 minutes) and a later retry would run again.
 */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import mongoose, { Schema } from 'mongoose';
import { AppError } from '../core/errors';
import type { Actor } from '../modules/access/permissions';

const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;
const RETENTION_SECONDS = 24 * 60 * 60;
const IN_PROGRESS_LOCK_MS = 2 * 60 * 1000;

interface IdempotencyRecord {
  _id: string;
  fingerprint: string;
  state: 'in_progress' | 'done';
  lockedUntil: Date;
  response?: { status: number; body: unknown };
  createdAt: Date;
}

const idempotencySchema = new Schema<IdempotencyRecord>(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, enum: ['in_progress', 'done'], required: true },
    lockedUntil: { type: Date, required: true },
    response: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true, expires: RETENTION_SECONDS },
  },
  { collection: 'idempotency_keys', versionKey: false },
);

export const IdempotencyKey =
  (mongoose.models.IdempotencyKey as mongoose.Model<IdempotencyRecord> | undefined) ??
  mongoose.model<IdempotencyRecord>('IdempotencyKey', idempotencySchema);

function fingerprintOf(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n`)
    .update(canonicalJson(req.body ?? null))
    .digest('hex');
}

/** JSON with object keys sorted, so that the same body sent with keys in another order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** Claims the key, or returns the record that already holds it. */
async function claim(id: string, fingerprint: string): Promise<IdempotencyRecord | null> {
  const now = new Date();
  // Every POST claims a key: the record is complete and typed here, so it is inserted without building and
  // validating a Mongoose document.
  const record: IdempotencyRecord = {
    _id: id,
    fingerprint,
    state: 'in_progress',
    lockedUntil: new Date(now.getTime() + IN_PROGRESS_LOCK_MS),
    createdAt: now,
  };
  try {
    await IdempotencyKey.insertMany([record], { lean: true });
    return null;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  // Taken: a finished request, one still running, or one whose process died (lock expired: take it over).
  const takenOver = await IdempotencyKey.findOneAndUpdate(
    { _id: id, fingerprint, state: 'in_progress', lockedUntil: { $lt: now } },
    { $set: { lockedUntil: new Date(now.getTime() + IN_PROGRESS_LOCK_MS) } },
    { returnDocument: 'after' },
  ).lean();
  if (takenOver) return null;
  const existing = await IdempotencyKey.findById(id).lean();
  if (!existing) return claim(id, fingerprint); // expired and removed between the two reads
  return existing;
}

export function idempotency() {
  return async function idempotencyMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    const key = req.get('Idempotency-Key');
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new AppError('VALIDATION', 'Idempotency-Key must be 8 to 128 characters of letters, digits, - _ : .', [
        { field: 'Idempotency-Key', message: 'invalid format', type: 'header.pattern' },
      ]);
    }
    const actor = res.locals.actor as Actor | undefined;
    const id = `${actor?.kind ?? 'anonymous'}:${actor?.id ?? '-'}:${key}`;
    const fingerprint = fingerprintOf(req);

    const existing = await claim(id, fingerprint);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request', {
          idempotencyKey: key,
        });
      }
      if (existing.state === 'in_progress' || !existing.response) {
        throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still being processed; retry later', {
          idempotencyKey: key,
        });
      }
      res.set('Idempotent-Replayed', 'true');
      res.status(existing.response.status).json(existing.response.body);
      return;
    }

    const sendJson = res.json.bind(res);
    res.json = (body: unknown) => {
      remember(id, res.statusCode, body).then(
        () => sendJson(body),
        (error: unknown) => next(error),
      );
      return res;
    };
    next();
  };
}

/** A CONFLICT says "this collided with a concurrent change; retry": replaying it would make the retry useless. */
function isTransientConflict(status: number, body: unknown): boolean {
  return status === 409 && (body as { error?: { code?: unknown } } | null)?.error?.code === 'CONFLICT';
}

async function remember(id: string, status: number, body: unknown): Promise<void> {
  if (status >= 500 || isTransientConflict(status, body)) {
    await IdempotencyKey.deleteOne({ _id: id });
    return;
  }
  await IdempotencyKey.updateOne({ _id: id }, { $set: { state: 'done', response: { status, body } } });
}
