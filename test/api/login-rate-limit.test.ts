/**
 * Login limits (modules/auth/login-throttle.ts) through HTTP, with the limits from config (ASAR_LOGIN_RATE_LIMIT).
 * The app trusts X-Forwarded-For here so that a test can speak from several addresses. Time passing is simulated by
 * moving the counters' dates back in the database (`elapse`), the only state the limits keep.
 */
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { config } from '../../src/config';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import {
  ACCOUNT_FACTOR,
  ADDRESS_ACCOUNTS_FACTOR,
  FIRST_WAIT_MS,
  LoginCounter,
  SLOW_AFTER,
  waitAfter,
} from '../../src/modules/auth/login-throttle';
import { setupTestApp } from '../support/app';
import { given, TEST_PASSWORD } from '../support/given-identity';

const { max } = config.auth.loginRateLimit;
const appConfig = { ...config, trustProxy: true };
const t = setupTestApp({ config: appConfig });

const ATTACKER = '203.0.113.66';
const OFFICE = '198.51.100.10';

function login(email: string, password: string, address: string, api = t.api) {
  return api.post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ email, password });
}

/** Moves every counter's clock back by `ms`: as if that much time had passed. */
async function elapse(ms: number): Promise<void> {
  const counters = await LoginCounter.find().lean();
  for (const c of counters) {
    const back = (d?: Date | null) => (d ? new Date(d.getTime() - ms) : d);
    await LoginCounter.updateOne(
      { _id: c._id },
      {
        $set: {
          windowStart: back(c.windowStart),
          nextAttemptAt: back(c.nextAttemptAt),
          knownUntil: back(c.knownUntil),
        },
      },
    );
  }
}

/** Fails `count` times on one pair, waiting out each slow-down as a patient attacker would. */
async function failPatiently(email: string, address: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const res = await login(email, `wrong password ${i}`, address);
    expect(res.status).toBe(401);
    await elapse(waitAfter(i + 1));
  }
}

describe('per account and address', () => {
  test('when a pair has failed a few times, then the next attempt must wait, with Retry-After, and then is checked', async () => {
    await given.user({ email: 'saule@example.kz', session: false });
    for (let i = 0; i < SLOW_AFTER; i += 1) {
      expect((await login('saule@example.kz', `wrong ${i}`, ATTACKER)).status).toBe(401);
    }
    const early = await login('saule@example.kz', TEST_PASSWORD, ATTACKER);
    expect(early.status).toBe(429);
    expect(early.body.error.code).toBe('RATE_LIMITED');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(early.headers['retry-after'])).toBeLessThanOrEqual(FIRST_WAIT_MS / 1000);
    await elapse(FIRST_WAIT_MS);
    expect((await login('saule@example.kz', TEST_PASSWORD, ATTACKER)).status).toBe(200);
  });

  test('when an attacker has failed max times from its address, then it is refused even with the right password while the real user logs in from hers', async () => {
    await given.user({ email: 'coordinator@example.kz', session: false });
    await failPatiently('coordinator@example.kz', ATTACKER, max);

    const attacker = await login('coordinator@example.kz', TEST_PASSWORD, ATTACKER);
    expect(attacker.status).toBe(429);
    expect(attacker.body.error.details.retryAfterSeconds).toBeGreaterThan(60);
    const realUser = await login('coordinator@example.kz', TEST_PASSWORD, OFFICE);
    expect(realUser.status).toBe(200);

    await elapse(config.auth.loginRateLimit.windowMs);
    expect((await login('coordinator@example.kz', TEST_PASSWORD, ATTACKER)).status).toBe(200);
  }, 60_000);

  test('when attempts on one pair arrive at once, then exactly the free ones are checked and the rest answer 429', async () => {
    await given.user({ email: 'aliya@example.kz', session: false });
    const statuses = await Promise.all(
      Array.from({ length: SLOW_AFTER + 5 }, (_, i) =>
        login('aliya@example.kz', `wrong password ${i}`, ATTACKER).then((res) => res.status),
      ),
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(SLOW_AFTER);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
    expect(await AuditEntry.countDocuments({ action: 'auth.login_failed' })).toBe(SLOW_AFTER);
  });

  test('when a login succeeds, then the failures of its pair are forgotten', async () => {
    await given.user({ email: 'dana@example.kz', session: false });
    for (let i = 0; i < SLOW_AFTER - 1; i += 1) await login('dana@example.kz', `wrong ${i}`, OFFICE);
    expect((await login('dana@example.kz', TEST_PASSWORD, OFFICE)).status).toBe(200);
    for (let i = 0; i < SLOW_AFTER; i += 1) {
      expect((await login('dana@example.kz', `wrong again ${i}`, OFFICE)).status).toBe(401);
    }
  });
});

describe('per address, across accounts', () => {
  const sprayLimit = ADDRESS_ACCOUNTS_FACTOR * max;

  test('when one address has failed on many accounts, then it may only try accounts that logged in from it before', async () => {
    await given.user({ email: 'regular@example.kz', session: false });
    await given.user({ email: 'newcomer@example.kz', session: false });
    // The office's regular user logged in from here yesterday.
    expect((await login('regular@example.kz', TEST_PASSWORD, OFFICE)).status).toBe(200);

    for (let i = 0; i < sprayLimit; i += 1) {
      // A different account each time: no pair limit ever trips.
      expect((await login(`guess${i}@example.kz`, 'spray password', OFFICE)).status).toBe(401);
    }
    const sprayed = await login('fresh@example.kz', 'spray password', OFFICE);
    expect(sprayed.status).toBe(429);
    expect(sprayed.body.error.message).toMatch(/different accounts from this address/);
    expect((await login('newcomer@example.kz', TEST_PASSWORD, OFFICE)).status).toBe(429);

    expect((await login('regular@example.kz', TEST_PASSWORD, OFFICE)).status).toBe(200);
    expect((await login('newcomer@example.kz', TEST_PASSWORD, '192.0.2.7')).status).toBe(200);
  }, 60_000);

  test('when many people of one office mistype their own password, then nobody is blocked', async () => {
    const staff = await Promise.all(
      Array.from({ length: sprayLimit + 2 }, (_, i) => given.user({ email: `staff${i}@example.kz`, session: false })),
    );
    for (const { user } of staff) {
      expect((await login(user.email, 'typo password', OFFICE)).status).toBe(401);
      expect((await login(user.email, TEST_PASSWORD, OFFICE)).status).toBe(200);
    }
  }, 60_000);
});

describe('per account, across addresses', () => {
  test('when one account fails from a great many addresses, then only addresses it used before may try it', async () => {
    await given.user({ email: 'target@example.kz', session: false });
    expect((await login('target@example.kz', TEST_PASSWORD, OFFICE)).status).toBe(200);
    const botnet = ACCOUNT_FACTOR * max;
    for (let i = 0; i < botnet; i += 1) {
      const res = await login('target@example.kz', `guess ${i}`, `10.0.${Math.floor(i / 250)}.${i % 250}`);
      expect([i, res.status, res.body.error?.message]).toEqual([i, 401, expect.any(String)]);
    }
    const fromBot = await login('target@example.kz', TEST_PASSWORD, '10.9.9.9');
    expect(fromBot.status).toBe(429);
    expect(fromBot.body.error.message).toMatch(/only from an address it used before/);
    expect((await login('target@example.kz', TEST_PASSWORD, OFFICE)).status).toBe(200);
  }, 120_000);
});

describe('several API processes', () => {
  test('when failures are counted by one process, then another process behind the same balancer refuses too', async () => {
    await given.user({ email: 'shared@example.kz', session: false });
    const other = supertest(buildApp({ config: appConfig }));
    for (let i = 0; i < SLOW_AFTER; i += 1) {
      expect((await login('shared@example.kz', `wrong ${i}`, ATTACKER)).status).toBe(401);
    }
    expect((await login('shared@example.kz', TEST_PASSWORD, ATTACKER, other)).status).toBe(429);
    expect(await LoginCounter.countDocuments()).toBeGreaterThan(0);
  });

  test('when counters are stored, then they hold digests, never the email or the address', async () => {
    await login('privacy@example.kz', 'wrong password', ATTACKER);
    const stored = JSON.stringify(await LoginCounter.find().lean());
    expect(stored).not.toContain('privacy@example.kz');
    expect(stored).not.toContain(ATTACKER);
  });
});
