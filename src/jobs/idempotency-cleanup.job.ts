/**
 * Removes Idempotency-Key records past their retention. MongoDB's TTL monitor would do it from the index on
 * `createdAt`; the embedded database stores TTL indexes without enforcing them, so this job does the same work on
 * both (harmless on MongoDB). The retention is read from that TTL index, so it follows whatever the idempotency
 * module declares. Keys still locked by a request in progress are left alone.
 */
import { IdempotencyKey } from '../http/idempotency';
import type { Job } from './job';

export function retentionSeconds(): number {
  for (const [keys, options] of IdempotencyKey.schema.indexes()) {
    if (keys.createdAt && typeof options?.expireAfterSeconds === 'number') return options.expireAfterSeconds;
  }
  const expires = IdempotencyKey.schema.path('createdAt')?.options?.expires;
  if (typeof expires === 'number') return expires;
  throw new Error('The Idempotency-Key model declares no TTL on createdAt');
}

export const idempotencyCleanupJob: Job = {
  name: 'idempotency-cleanup',
  description: 'Remove Idempotency-Key records older than their retention',
  schedule: '17 * * * *',
  async run() {
    const now = Date.now();
    const cutoff = new Date(now - retentionSeconds() * 1000);
    const removed = await IdempotencyKey.deleteMany({
      createdAt: { $lt: cutoff },
      lockedUntil: { $lt: new Date(now) },
    });
    return { removed: removed.deletedCount, cutoff: cutoff.toISOString() };
  },
};
