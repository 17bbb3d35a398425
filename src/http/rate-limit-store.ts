/**
 * A store for express-rate-limit in the database, so that a limit holds across every API process on one database
 * (the workers of `npm start`, several instances behind a load balancer): a limiter's default memory store would
 * give each process its own count, and n processes n times the limit.
 *
 * Fixed windows, one record per limiter and client key (`rate_limits`, _id = prefix + key): an increment adds a hit
 * to a live window in one guarded update, or starts a new window when the last one has ended. Two processes that
 * start the same window at once cannot both win: the start is an upsert guarded on the ended window, so the loser
 * hits the duplicate `_id` and adds its hit to the winner's window instead.
 */
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import mongoose, { Schema } from 'mongoose';

interface RateLimitRecord {
  _id: string;
  hits: number;
  resetAt: Date;
}

const rateLimitSchema = new Schema<RateLimitRecord>(
  {
    _id: { type: String, required: true },
    hits: { type: Number, required: true },
    // Kept a day past its window at most: a TTL index where the database enforces one.
    resetAt: { type: Date, required: true, expires: 24 * 60 * 60 },
  },
  { collection: 'rate_limits', versionKey: false },
);

export const RateLimitHit =
  (mongoose.models.RateLimitHit as mongoose.Model<RateLimitRecord> | undefined) ??
  mongoose.model<RateLimitRecord>('RateLimitHit', rateLimitSchema);

const isDuplicateKey = (error: unknown) => (error as { code?: unknown } | null)?.code === 11000;

export class DatabaseRateLimitStore implements Store {
  private windowMs = 60_000;
  /** Counts are shared with other processes: express-rate-limit must not assume they are this process's alone. */
  readonly localKeys = false;

  /** `prefix` names the limiter, so that two limiters never share a count. */
  constructor(readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const record = await RateLimitHit.findOne({ _id: this.prefix + key, resetAt: { $gt: new Date() } }, null, {
      session: null,
    }).lean<RateLimitRecord>();
    return record ? { totalHits: record.hits, resetTime: record.resetAt } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const _id = this.prefix + key;
    for (;;) {
      const now = new Date();
      const live = await RateLimitHit.findOneAndUpdate(
        { _id, resetAt: { $gt: now } },
        { $inc: { hits: 1 } },
        { returnDocument: 'after', session: null },
      ).lean<RateLimitRecord>();
      if (live) return { totalHits: live.hits, resetTime: live.resetAt };
      try {
        const started = await RateLimitHit.findOneAndUpdate(
          { _id, resetAt: { $lte: now } },
          { $set: { hits: 1, resetAt: new Date(now.getTime() + this.windowMs) } },
          { upsert: true, returnDocument: 'after', session: null },
        ).lean<RateLimitRecord>();
        if (started) return { totalHits: started.hits, resetTime: started.resetAt };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // another process started this window first: count in it
      }
    }
  }

  async decrement(key: string): Promise<void> {
    await RateLimitHit.updateOne(
      { _id: this.prefix + key, resetAt: { $gt: new Date() }, hits: { $gt: 0 } },
      { $inc: { hits: -1 } },
    );
  }

  async resetKey(key: string): Promise<void> {
    await RateLimitHit.deleteOne({ _id: this.prefix + key });
  }
}
