/**
 * Login limits that keep password guessing out without letting a stranger lock a coordinator out.
 *
 * Failed attempts are counted in the database, so that every API process behind a balancer sees the same counts:
 * - per account and address pair: the first SLOW_AFTER failures are free (typos), then each attempt must wait
 *   twice as long as the one before (5 s, 10 s, 20 s, ... at most a minute); after `max` failures in the window the pair is refused
 *   until the window ends. Only that pair: the same person on another device or network still logs in.
 * - per address, the number of DIFFERENT accounts that failed from it (password spraying). Beyond
 *   ADDRESS_ACCOUNTS_FACTOR × max accounts, the address may only try accounts that have logged in from it before: an
 *   office behind one address is not blocked by one person's mistakes, nor by a sprayer in the same office.
 * - per account across addresses (a botnet guessing one password from thousands of addresses): beyond
 *   ACCOUNT_FACTOR × max failures in the window, only addresses the account has logged in from before may try.
 * An address becomes known for an account with a successful login from it, for KNOWN_FOR_DAYS.
 *
 * Login counts an attempt with `admit` BEFORE checking its password (a check takes tens of milliseconds; attempts
 * counted afterwards would all pass the limit if sent at once); a success then clears the pair's count. Admission
 * is a compare-and-set on the counter document, so concurrent attempts, in one process or several, are counted
 * exactly. Unknown emails are counted like known ones, so the limits reveal nothing about which accounts exist.
 * Emails and addresses are stored as SHA-256 digests: the counters need equality, not the values.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { RateLimit } from '../../config';

/** Failures of a pair before attempts are slowed down. */
export const SLOW_AFTER = 3;
/**
 * The first wait once slowed down, doubling with each failure. It runs from the moment an attempt is admitted, so it
 * must be well above the time a password check takes on a loaded machine, or the wait would be over before the
 * answer is.
 */
export const FIRST_WAIT_MS = 5_000;
/** The longest wait between two attempts, so that `max` failures fit in the window and the pair's limit is reached. */
export const LONGEST_WAIT_MS = 60_000;

/** How long a pair waits after its `failures`-th failure. */
export function waitAfter(failures: number): number {
  return failures >= SLOW_AFTER ? Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - SLOW_AFTER)) : 0;
}
/** Distinct accounts failing from one address, as a multiple of `max`, before the address is confined. */
export const ADDRESS_ACCOUNTS_FACTOR = 2;
/** Failures of one account from all addresses, as a multiple of `max`, before unknown addresses are refused. */
export const ACCOUNT_FACTOR = 10;
const KNOWN_FOR_DAYS = 60;
const CAS_ATTEMPTS = 20;

interface CounterRecord {
  _id: string;
  failures: number;
  windowStart: Date;
  /** Pair: earliest time the next attempt is admitted (the slow-down). */
  nextAttemptAt?: Date;
  /** Pair: until when the address is known for the account (a successful login from it). */
  knownUntil?: Date | null;
  /** Address: digests of the accounts that failed from it in the window. */
  accounts?: string[];
  /** When the record may be deleted (a TTL index where the database enforces one). */
  expiresAt: Date;
}

const counterSchema = new Schema<CounterRecord>(
  {
    _id: { type: String, required: true },
    failures: { type: Number, required: true },
    windowStart: { type: Date, required: true },
    nextAttemptAt: { type: Date },
    knownUntil: { type: Date, default: null },
    accounts: { type: [String], default: undefined },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'login_throttle', versionKey: false },
);
counterSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const LoginCounter =
  (mongoose.models.LoginCounter as mongoose.Model<CounterRecord> | undefined) ??
  mongoose.model<CounterRecord>('LoginCounter', counterSchema);

export type Refusal = { reason: 'pair' | 'address' | 'account'; retryAfterSeconds: number };

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

function keysOf(account: string, address: string) {
  const accountDigest = digest(`account\0${account}`);
  const addressDigest = digest(`address\0${address}`);
  return {
    accountDigest,
    pair: `pair:${digest(`${accountDigest}\0${addressDigest}`)}`,
    account: `account:${accountDigest}`,
    address: `address:${addressDigest}`,
  };
}

const secondsUntil = (at: number, now: number): number => Math.max(1, Math.ceil((at - now) / 1000));

export class LoginThrottle {
  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Admits an attempt and counts it as a failure until `recordSuccess` says otherwise (answers null), or refuses it
   * without counting (answers why and how long to wait).
   */
  async admit(account: string, address: string): Promise<Refusal | null> {
    const keys = keysOf(account, address);
    const now = this.now();
    const [pair, byAccount, byAddress] = await Promise.all(
      [keys.pair, keys.account, keys.address].map((id) => LoginCounter.findById(id).lean<CounterRecord>()),
    );
    const known = (pair?.knownUntil?.getTime() ?? 0) > now;
    if (!known) {
      const addressAccounts = this.live(byAddress, now) ? (byAddress?.accounts ?? []) : [];
      if (
        addressAccounts.length >= ADDRESS_ACCOUNTS_FACTOR * this.limit.max &&
        !addressAccounts.includes(keys.accountDigest)
      ) {
        return { reason: 'address', retryAfterSeconds: this.windowLeft(byAddress, now) };
      }
      if (this.live(byAccount, now) && (byAccount?.failures ?? 0) >= ACCOUNT_FACTOR * this.limit.max) {
        return { reason: 'account', retryAfterSeconds: this.windowLeft(byAccount, now) };
      }
    }
    const refused = await this.countOnPair(keys.pair, now);
    if (refused) return refused;
    await Promise.all([
      upsert(keys.account, this.windowed(now, { failures: { $add: ['$failures', 1] } }, { failures: 1 })),
      upsert(
        keys.address,
        this.windowed(
          now,
          { accounts: { $setUnion: [{ $ifNull: ['$accounts', []] }, [keys.accountDigest]] } },
          { accounts: [keys.accountDigest] },
        ),
      ),
    ]);
    return null;
  }

  /** The attempt admitted last was right: its pair starts again from zero and its address is known for a while. */
  async recordSuccess(account: string, address: string): Promise<void> {
    const keys = keysOf(account, address);
    const now = this.now();
    const knownUntil = new Date(now + KNOWN_FOR_DAYS * 86_400_000);
    await Promise.all([
      LoginCounter.updateOne(
        { _id: keys.pair },
        {
          $set: {
            failures: 0,
            windowStart: new Date(now),
            nextAttemptAt: new Date(now),
            knownUntil,
            expiresAt: knownUntil,
          },
        },
        { upsert: true },
      ),
      // The account's own typos from this address were no attack on the address.
      LoginCounter.updateOne({ _id: keys.address }, { $pull: { accounts: keys.accountDigest } }),
      // `admit` counted this attempt as a failure of the account in advance: it was not one.
      LoginCounter.updateOne({ _id: keys.account, failures: { $gt: 0 } }, { $inc: { failures: -1 } }),
    ]);
  }

  /** Counts one failure on the pair unless it must wait; compare-and-set, retried when another attempt won. */
  private async countOnPair(id: string, now: number): Promise<Refusal | null> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
      const current = await LoginCounter.findById(id).lean<CounterRecord>();
      const live = this.live(current, now);
      const failures = live ? (current?.failures ?? 0) : 0;
      if (live && current) {
        if (failures >= this.limit.max) return { reason: 'pair', retryAfterSeconds: this.windowLeft(current, now) };
        const next = current.nextAttemptAt?.getTime() ?? 0;
        if (next > now) return { reason: 'pair', retryAfterSeconds: secondsUntil(next, now) };
      }
      const counted = failures + 1;
      const delayMs = waitAfter(counted);
      const windowStart = live && current ? current.windowStart : new Date(now);
      const fields = {
        failures: counted,
        windowStart,
        nextAttemptAt: new Date(now + delayMs),
        expiresAt: this.expiryOf(windowStart, current?.knownUntil ?? null),
      };
      if (!current) {
        try {
          await LoginCounter.collection.insertOne({ _id: id, ...fields, knownUntil: null } as never);
          return null;
        } catch (error) {
          if (!isDuplicate(error)) throw error;
          continue;
        }
      }
      const { matchedCount } = await LoginCounter.updateOne(
        { _id: id, failures: current.failures, windowStart: current.windowStart },
        { $set: fields },
      );
      if (matchedCount === 1) return null;
    }
    // Dozens of simultaneous attempts on one pair: refusing one is the right answer anyway.
    return { reason: 'pair', retryAfterSeconds: 1 };
  }

  /** A pipeline stage that adds to the record's window, or starts a new window when the old one has ended. */
  private windowed(now: number, add: Record<string, unknown>, fresh: Record<string, unknown>) {
    const ended = {
      $or: [
        { $eq: [{ $type: '$windowStart' }, 'missing'] },
        { $lte: ['$windowStart', new Date(now - this.limit.windowMs)] },
      ],
    };
    const set: Record<string, unknown> = {
      windowStart: { $cond: [ended, new Date(now), '$windowStart'] },
      expiresAt: { $cond: [ended, new Date(now + this.limit.windowMs), '$expiresAt'] },
    };
    for (const [field, value] of Object.entries(add)) {
      set[field] = { $cond: [ended, { $literal: fresh[field] }, value] };
    }
    return { $set: set };
  }

  private live(record: CounterRecord | null | undefined, now: number): boolean {
    return !!record && record.windowStart.getTime() > now - this.limit.windowMs;
  }

  private windowLeft(record: CounterRecord | null | undefined, now: number): number {
    return secondsUntil((record?.windowStart.getTime() ?? now) + this.limit.windowMs, now);
  }

  private expiryOf(windowStart: Date, knownUntil: Date | null): Date {
    const windowEnd = windowStart.getTime() + this.limit.windowMs;
    return new Date(Math.max(windowEnd, knownUntil?.getTime() ?? 0));
  }
}

function isDuplicate(error: unknown): boolean {
  return (error as { code?: unknown }).code === 11000;
}

/** Applies a pipeline stage to a counter, creating it if needed; two creations at once: the loser updates. */
async function upsert(id: string, stage: Record<string, unknown>): Promise<void> {
  try {
    await LoginCounter.collection.updateOne({ _id: id as never }, [stage], { upsert: true });
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    await LoginCounter.collection.updateOne({ _id: id as never }, [stage], { upsert: true });
  }
}
