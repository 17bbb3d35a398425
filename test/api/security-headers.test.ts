import express from 'express';
import helmet from 'helmet';
import supertest from 'supertest';
import { securityHeaders } from '../../src/http/security-headers';
import { setupTestApp } from '../support/app';

const t = setupTestApp();

/** The options app.ts gives: the same as securityHeaders() receives there. */
const OPTIONS = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };

/** The headers helmet itself sets on an answer, with those options, run per request as helmet runs. */
async function helmetsOwnHeaders(): Promise<Record<string, string>> {
  const app = express();
  app.use(helmet(OPTIONS));
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  const res = await supertest(app).get('/');
  return res.headers as Record<string, string>;
}

const SECURITY_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

describe('security headers', () => {
  test('when the API answers, a success or an error, then it carries exactly the headers helmet sets, and no X-Powered-By', async () => {
    const expected = await helmetsOwnHeaders();
    for (const header of SECURITY_HEADERS) expect(expected[header]).toBeDefined();
    for (const res of [await t.api.get('/health'), await t.api.get('/api/v1/no-such-route')]) {
      for (const header of SECURITY_HEADERS) expect([header, res.headers[header]]).toEqual([header, expected[header]]);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('when a directive depends on the request (a nonce function), then securityHeaders refuses it', () => {
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-x'"] } } }),
    ).toThrow(/scriptSrc directive depends on the request/);
  });
});
