import { Writable } from 'node:stream';
import Joi from 'joi';
import mongoose, { Schema } from 'mongoose';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { config } from '../../src/config';
import { AppError } from '../../src/core/errors';
import { pageOf } from '../../src/core/pagination';
import { objectId, pagination } from '../../src/http/joi-rules';
import { type RouteDefinition, route } from '../../src/http/route-registry';
import { createLogger } from '../../src/logger';
import { setupTestApp } from '../support/app';

/** Routes that exercise the foundation: validation, errors of every kind, a unique index. */
const probeSchema = new Schema({ code: { type: String, required: true, unique: true } }, { timestamps: true });
const Probe = mongoose.models.FoundationProbe ?? mongoose.model('FoundationProbe', probeSchema);

const probeRoutes: RouteDefinition[] = [
  route('POST /probe/orders/:id', {
    summary: 'Validates a body with lines',
    access: 'public',
    schemas: {
      params: Joi.object({ id: objectId().required() }),
      query: pagination,
      body: Joi.object({
        reference: Joi.string().required(),
        lines: Joi.array()
          .items(Joi.object({ sku: Joi.string().required(), quantity: Joi.number().integer().greater(0).required() }))
          .min(1)
          .required(),
      }),
    },
    run: ({ params, query, body }) => ({ input: { params, query, body } }),
  }),
  route('GET /probe/list', {
    summary: 'A page of nothing',
    access: 'public',
    schemas: { query: pagination },
    run: ({ query }) => pageOf([], 0, query),
  }),
  route('GET /probe/stock-short', {
    summary: 'Throws a domain error',
    access: 'public',
    run: () => {
      throw new AppError('INSUFFICIENT_STOCK', 'Not enough rice at Almaty central warehouse', {
        requested: 6,
        available: 5,
      });
    },
  }),
  route('GET /probe/bug', {
    summary: 'Throws an unexpected error',
    access: 'public',
    run: async () => {
      throw new Error('connection string mongodb://admin:hunter2@db is wrong');
    },
  }),
  route('POST /probe/codes', {
    summary: 'Creates a probe with a unique code',
    access: 'public',
    schemas: { body: Joi.object({ code: Joi.string().required() }) },
    success: 201,
    run: ({ body }) => Probe.create(body),
  }),
  route('GET /probe/address', {
    summary: "The caller's address as the app sees it",
    access: 'public',
    run: ({ req }) => ({ ip: req.ip }),
  }),
  route('GET /probe/protected', {
    summary: 'Needs a permission',
    access: 'stock:read',
    run: () => ({ ok: true }),
  }),
];

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

function expectErrorShape(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String), details: expect.anything() } });
}

describe('without a database', () => {
  const api = supertest(buildApp({ routes: probeRoutes }));

  test('when the database is not connected, then /health answers 503 saying so', async () => {
    const res = await api.get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'unavailable',
      database: { status: 'down', backend: expect.stringMatching(/^(embedded|mongodb)$/) },
      version: config.version,
    });
  });

  test('when a route does not exist, then 404 NOT_FOUND in the error shape', async () => {
    const res = await api.get('/api/v1/nowhere');
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'NOT_FOUND');
    expect(res.body.error.message).toContain('GET /api/v1/nowhere');
  });

  test('when the body is not valid JSON, then 400 MALFORMED_JSON', async () => {
    const res = await api
      .post('/api/v1/probe/orders/65f1a2b3c4d5e6f708192a3b')
      .set('Content-Type', 'application/json')
      .send('{"reference": "WB-1", "lines": [');
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'MALFORMED_JSON');
    expect(JSON.stringify(res.body)).not.toMatch(/Unexpected|SyntaxError|at JSON/);
  });

  test('when the body exceeds the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await api
      .post('/api/v1/probe/orders/65f1a2b3c4d5e6f708192a3b')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ reference: 'x'.repeat(1024 * 1024 + 10), lines: [] }));
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
  });

  test('when the input is invalid, then 400 VALIDATION naming every bad field', async () => {
    const res = await api.post('/api/v1/probe/orders/not-an-id?limit=500').send({
      lines: [
        { sku: 'RICE-25KG', quantity: 2 },
        { sku: 'FLOUR', quantity: 0 },
      ],
      extra: true,
    });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'VALIDATION');
    const fields = res.body.error.details.map((d: { in: string; field: string }) => `${d.in}:${d.field}`);
    expect(fields).toEqual(
      expect.arrayContaining(['params:id', 'query:limit', 'body:reference', 'body:lines[1].quantity', 'body:extra']),
    );
    expect(res.body.error.message).toContain('"lines[1].quantity" must be greater than 0');
  });

  test('when the input is valid, then the handler gets it converted, with pagination defaults', async () => {
    const res = await api
      .post('/api/v1/probe/orders/65F1A2B3C4D5E6F708192A3B?offset=10')
      .send({ reference: 'WB-1', lines: [{ sku: 'RICE-25KG', quantity: '3' }] });
    expect(res.status).toBe(200);
    expect(res.body.input).toEqual({
      params: { id: '65f1a2b3c4d5e6f708192a3b' },
      query: { limit: 50, offset: 10 },
      body: { reference: 'WB-1', lines: [{ sku: 'RICE-25KG', quantity: 3 }] },
    });
  });

  test('when a list is asked for, then it answers the page shape', async () => {
    const res = await api.get('/api/v1/probe/list?limit=20');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], page: { limit: 20, offset: 0, total: 0 } });
  });

  test('when a service throws a domain error, then its code maps to its status with details', async () => {
    const res = await api.get('/api/v1/probe/stock-short');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: {
        code: 'INSUFFICIENT_STOCK',
        message: 'Not enough rice at Almaty central warehouse',
        details: { requested: 6, available: 5 },
      },
    });
  });

  test('when a protected route is called without credentials, then 401 UNAUTHENTICATED', async () => {
    const res = await api.get('/api/v1/probe/protected');
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'UNAUTHENTICATED');
  });

  test('when a handler fails unexpectedly, then 500 leaks nothing and the stack is logged with the request id', async () => {
    const { logger, lines } = capturedLogger();
    const res = await supertest(buildApp({ routes: probeRoutes, logger })).get('/api/v1/probe/bug');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'Internal server error',
        details: { requestId: res.headers['x-request-id'] },
      },
    });
    expect(res.text).not.toMatch(/hunter2|at |\.ts/);
    const logged = lines.find((line) => (line.err as { stack?: string } | undefined)?.stack?.includes('hunter2'));
    expect(logged).toMatchObject({ level: 50, reqId: res.headers['x-request-id'] });
  });

  test('when a request has no X-Request-Id, then one is generated and returned', async () => {
    const res = await api.get('/api/v1/nowhere');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when a request carries X-Request-Id, then it is echoed and logged on the request line', async () => {
    const { logger, lines } = capturedLogger();
    const res = await supertest(buildApp({ routes: probeRoutes, logger }))
      .get('/api/v1/probe/list')
      .set('X-Request-Id', 'field-office-42')
      .set('Authorization', 'Bearer very-secret-token');
    expect(res.headers['x-request-id']).toBe('field-office-42');
    const requestLine = lines.find((line) => line.reqId === 'field-office-42' && line.req);
    expect(requestLine).toBeDefined();
    expect(JSON.stringify(lines)).not.toContain('very-secret-token');
  });

  test('when a request is logged, then its line holds method and path, without query string, headers or address', async () => {
    const { logger, lines } = capturedLogger();
    const res = await supertest(buildApp({ routes: probeRoutes, logger }))
      .get('/api/v1/nowhere?q=saule.k@meirim.kz')
      .set('X-API-Key', 'asar_secret-key');
    const requestLine = lines.find((line) => line.reqId === res.headers['x-request-id'] && line.req);
    expect(requestLine?.req).toEqual({ id: res.headers['x-request-id'], method: 'GET', path: '/api/v1/nowhere' });
    expect(JSON.stringify(lines)).not.toMatch(/saule|asar_secret-key|127\.0\.0\.1/);
  });

  test("when a request is logged, then its line carries the app logger's own fields and bindings, at info", async () => {
    const { logger, lines } = capturedLogger();
    const res = await supertest(buildApp({ routes: probeRoutes, logger: logger.child({ worker: 2 }) })).get(
      '/api/v1/probe/list',
    );
    const requestLine = lines.find((line) => line.reqId === res.headers['x-request-id'] && line.req);
    expect(requestLine).toMatchObject({ level: 30, service: 'asar', worker: 2, msg: 'request completed' });
    expect(requestLine?.time).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    // The level decided by the app's logger as it is when the request ends, not as it was when the app was built.
    const app = buildApp({ routes: probeRoutes, logger });
    logger.level = 'warn';
    const quiet = await supertest(app).get('/api/v1/probe/list');
    expect(lines.some((line) => line.reqId === quiet.headers['x-request-id'])).toBe(false);
    logger.level = 'info';
    const again = await supertest(app).get('/api/v1/probe/list');
    expect(lines.find((line) => line.reqId === again.headers['x-request-id'] && line.req)).toMatchObject({ level: 30 });
  });

  test('when X-Request-Id is not a sane token, then it is replaced', async () => {
    const res = await api.get('/api/v1/nowhere').set('X-Request-Id', 'evil\tid with spaces');
    expect(res.headers['x-request-id']).not.toContain('evil');
  });

  test('when any answer is sent, then helmet security headers are present', async () => {
    const res = await api.get('/api/v1/nowhere');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  test('when TRUST_PROXY is off, then X-Forwarded-For is ignored: a caller cannot choose its address', async () => {
    const res = await api.get('/api/v1/probe/address').set('X-Forwarded-For', '203.0.113.7');
    expect(res.body.ip).not.toBe('203.0.113.7');
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
  });

  test("when TRUST_PROXY names the proxy, then the address it forwards is the caller's", async () => {
    const proxied = supertest(buildApp({ routes: probeRoutes, config: { ...config, trustProxy: ['loopback'] } }));
    const res = await proxied.get('/api/v1/probe/address').set('X-Forwarded-For', '198.51.100.1, 203.0.113.7');
    expect(res.body.ip).toBe('203.0.113.7');
  });

  test('when CORS is not configured, then no CORS headers are sent', async () => {
    const res = await api.get('/api/v1/probe/list').set('Origin', 'https://elsewhere.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('when CORS lists an origin, then that origin is allowed and preflight answers 204', async () => {
    const corsApi = supertest(
      buildApp({ routes: probeRoutes, config: { ...config, corsOrigins: ['https://aid.example.kz'] } }),
    );
    const allowed = await corsApi.get('/api/v1/probe/list').set('Origin', 'https://aid.example.kz');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://aid.example.kz');
    const other = await corsApi.get('/api/v1/probe/list').set('Origin', 'https://elsewhere.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await corsApi
      .options('/api/v1/probe/codes')
      .set('Origin', 'https://aid.example.kz')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Idempotency-Key');
  });
});

describe('with the test database', () => {
  const t = setupTestApp({ routes: probeRoutes });

  test('when the database is up, then /health answers 200 with the backend in use', async () => {
    const res = await t.api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: { status: 'up', backend: expect.stringMatching(/^(embedded|mongodb)$/) },
      version: config.version,
    });
  });

  test('when a unique field is duplicated, then 409 CONFLICT names the field', async () => {
    expect((await t.api.post('/api/v1/probe/codes').send({ code: 'KIT-FOOD-01' })).status).toBe(201);
    const res = await t.api.post('/api/v1/probe/codes').send({ code: 'KIT-FOOD-01' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: {
        code: 'CONFLICT',
        message: 'A record with this code already exists',
        details: { fields: ['code'], keyValue: { code: 'KIT-FOOD-01' } },
      },
    });
    expect(await Probe.countDocuments()).toBe(1);
  });
});
