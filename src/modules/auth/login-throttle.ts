/**
 * Failed-login counter per account: after `max` failures within `windowMs`, further attempts on that account are
 * refused until the window ends, whatever the address they come from (a password-spraying botnet rotates addresses;
 * the per-address limit in auth.routes.ts catches the other pattern). Unknown emails are counted like known ones,
 * so the limit reveals nothing about which accounts exist. A successful login clears the count.
 *
 * Login counts an attempt with `admit` before checking its password, not after: a password check takes tens of
 * milliseconds, and attempts that only counted once checked would all pass the limit if sent at the same time.
 *
 * In memory, per process: enough for one API process. Several processes behind a balancer would each allow `max`.
 */
import type { RateLimit } from '../../config';

interface Window {
  failures: number;
  resetAt: number;
}

/** Past this many tracked accounts, expired windows are swept, then the oldest dropped. */
const MAX_TRACKED = 50_000;

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the account may try again, or 0 when it may try now. */
  retryAfterSeconds(account: string): number {
    const window = this.current(account);
    if (!window || window.failures < this.limit.max) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  /**
   * Lets an attempt through and counts it as a failure until `recordSuccess` says otherwise (answers 0), or refuses
   * it without counting (answers the seconds to wait). Check and count happen together, with no await between.
   */
  admit(account: string): number {
    const retryAfter = this.retryAfterSeconds(account);
    if (retryAfter === 0) this.recordFailure(account);
    return retryAfter;
  }

  recordFailure(account: string): void {
    const window = this.current(account);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) this.evict();
    this.windows.set(account, { failures: 1, resetAt: this.now() + this.limit.windowMs });
  }

  recordSuccess(account: string): void {
    this.windows.delete(account);
  }

  private current(account: string): Window | undefined {
    const window = this.windows.get(account);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(account);
      return undefined;
    }
    return window;
  }

  private evict(): void {
    const now = this.now();
    for (const [account, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(account);
    }
    // Map iteration follows insertion order: the first keys are the oldest windows.
    for (const account of this.windows.keys()) {
      if (this.windows.size < MAX_TRACKED) break;
      this.windows.delete(account);
    }
  }
}
