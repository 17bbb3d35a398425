/**
 * The public verification page's limit per address (config.verifyRateLimit) is counted in the database, so that it
 * holds across every API process on one database: two apps here stand for two workers of `npm start`.
 */
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { config } from '../../src/config';
import { RateLimitHit } from '../../src/http/rate-limit-store';
import { setupTestApp } from '../support/app';

const appConfig = { ...config, trustProxy: true };
const t = setupTestApp({ config: appConfig });
const { max } = config.verifyRateLimit;

const verify = (api: ReturnType<typeof supertest>, address: string) =>
  api.get('/verify/NOT-A-REAL-CODE').set('X-Forwarded-For', address);

test('when one address spreads its verification requests over two API processes, then the limit counts them together', async () => {
  const other = supertest(buildApp({ config: appConfig }));
  const apis = [t.api, other];
  for (let i = 0; i < max; i++) expect((await verify(apis[i % 2], '203.0.113.7')).status).toBe(404);

  const refused = await verify(apis[max % 2], '203.0.113.7');
  expect(refused.status).toBe(429);
  expect(refused.body.error.code).toBe('RATE_LIMITED');
  expect((await verify(apis[(max + 1) % 2], '203.0.113.7')).status).toBe(429);
  // Another address has its own count.
  expect((await verify(other, '198.51.100.20')).status).toBe(404);
  expect(await RateLimitHit.countDocuments()).toBe(2);
});

test('when the window has ended, then the address may verify again', async () => {
  for (let i = 0; i <= max; i++) await verify(t.api, '203.0.113.8');
  expect((await verify(t.api, '203.0.113.8')).status).toBe(429);

  await RateLimitHit.updateMany({}, { $set: { resetAt: new Date(Date.now() - 1000) } });

  expect((await verify(t.api, '203.0.113.8')).status).toBe(404);
  expect((await RateLimitHit.findOne().lean())?.hits).toBe(1);
});
