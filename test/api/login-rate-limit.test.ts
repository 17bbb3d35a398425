/**
 * Login rate limits, per account and per address, with the limits from config (ASAR_LOGIN_RATE_LIMIT). Each
 * describe builds its own app, so each starts with fresh counters.
 */
import { config } from '../../src/config';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { setupTestApp } from '../support/app';
import { given, TEST_PASSWORD } from '../support/given-identity';

const { max } = config.auth.loginRateLimit;
const ADDRESS_LIMIT = max * 5;

describe('per account', () => {
  const t = setupTestApp();

  test('when an account has failed max times, then even the right password answers 429, and other accounts are free', async () => {
    await given.user({ email: 'saule@example.kz', session: false });
    await given.user({ email: 'other@example.kz', session: false });

    for (let i = 0; i < max; i += 1) {
      const res = await t.api
        .post('/api/v1/auth/login')
        .send({ email: 'saule@example.kz', password: `wrong password ${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await t.api.post('/api/v1/auth/login').send({ email: 'SAULE@example.kz', password: TEST_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(blocked.body.error.details.retryAfterSeconds).toBeGreaterThan(0);

    const other = await t.api.post('/api/v1/auth/login').send({ email: 'other@example.kz', password: TEST_PASSWORD });
    expect(other.status).toBe(200);
  });
});

describe('per account, attempts sent together', () => {
  const t = setupTestApp();

  test('when more than max attempts on one account arrive at once, then only max are checked and the rest answer 429', async () => {
    await given.user({ email: 'aliya@example.kz', session: false });

    const statuses = await Promise.all(
      Array.from({ length: max + 3 }, (_, i) =>
        t.api
          .post('/api/v1/auth/login')
          .send({ email: 'aliya@example.kz', password: `wrong password ${i}` })
          .then((res) => res.status),
      ),
    );

    expect(statuses.filter((status) => status === 401)).toHaveLength(max);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    expect(await AuditEntry.countDocuments({ action: 'auth.login_failed' })).toBe(max);
  });
});

describe('per address', () => {
  const t = setupTestApp();

  test('when one address has failed many times on many accounts, then it answers 429', async () => {
    for (let i = 0; i < ADDRESS_LIMIT; i += 1) {
      // A different unknown account each time: the per-account limit never trips.
      const res = await t.api
        .post('/api/v1/auth/login')
        .send({ email: `guess${i}@example.kz`, password: 'spray password' });
      expect(res.status).toBe(401);
    }
    const res = await t.api.post('/api/v1/auth/login').send({ email: 'fresh@example.kz', password: 'spray password' });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
  }, 60_000); // one argon2 verification per attempt
});
