/**
 * Input a hostile or unlucky client sends: each answers a 4xx in the one error shape, never a 5xx, and the error
 * answer stays small whatever the size of the request.
 */
import { request as httpRequest } from 'node:http';
import { registryOf } from '../../src/app';
import { MAX_DETAILS } from '../../src/core/errors';
import { User } from '../../src/modules/users/users.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';

const t = setupTestApp();

/** Sends raw bytes with the given headers (supertest would encode or compress for us). */
function rawPost(
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const { port } = new URL(t.api.get('/').url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectErrorShape(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String), details: expect.anything() } });
}

describe('malformed transport', () => {
  test('when a body is marked Content-Encoding gzip but is not gzip, then login answers 400 in the error shape', async () => {
    const res = await rawPost('/api/v1/auth/login', Buffer.from('{"email":"a@b.kz","password":"x"}'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'VALIDATION');
    expect((res.body as { error: { message: string } }).error.message).toMatch(/Content-Encoding/);
  });

  test('when a path parameter has malformed percent-encoding, then it answers 400 naming the parameter', async () => {
    const { token } = await given.user({ role: 'admin' });
    const res = await t.api.get('/api/v1/items/%E0%A4%A').set(bearer(token));
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'VALIDATION');
    expect(res.body.error.message).toMatch(/percent-encoding/);
  });
});

describe('huge arrays', () => {
  test('when roles is an array of 100,000 numbers, then it answers a small 400 and creates no user', async () => {
    const { token } = await given.user({ role: 'admin' });
    const roles = Array.from({ length: 100_000 }, (_, i) => i);
    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(token))
      .send({ email: 'x@test.asar', name: 'X', roles, password: 'long enough password' });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'VALIDATION');
    expect(res.body.error.details.find((d: { field: string }) => d.field === 'roles')).toBeDefined();
    expect(JSON.stringify(res.body).length).toBeLessThan(10_000);
    expect(await User.countDocuments({ email: 'x@test.asar' })).toBe(0);
  });

  test('when a body has many bad fields, then the details list the first problems and the message counts them all', async () => {
    const { token } = await given.user({ role: 'admin' });
    const lines = Array.from({ length: 300 }, () => ({ itemId: 'nope', quantity: -1 }));
    const res = await t.api.post('/api/v1/donations').set(bearer(token)).send({ donorId: 'x', lines });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveLength(MAX_DETAILS);
    expect(res.body.error.details[0]).toMatchObject({ field: 'donorId', in: 'body' });
    expect(res.body.error.message).toMatch(/the first 20 of \d{3} are listed in details/);
    expect(JSON.stringify(res.body).length).toBeLessThan(10_000);
  });

  test('when an array is longer than its schema allows, then it is refused as a whole, not item by item', async () => {
    const { token } = await given.user({ role: 'admin' });
    const roles = Array.from({ length: 4_000 }, (_, i) => i);
    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(token))
      .send({ email: 'y@test.asar', name: 'Y', roles, password: 'long enough password' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'roles', type: 'array.max' })]);
  });

  test('when a 200 KB body carries a 100,000-element array, then the error answer is smaller than the body', async () => {
    const { token } = await given.user({ role: 'admin' });
    const body = JSON.stringify({ name: 'x', roles: Array.from({ length: 100_000 }, () => 1) });
    const res = await t.api.post('/api/v1/users').set(bearer(token)).set('content-type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body).length).toBeLessThan(body.length / 10);
  });
});

describe('keys and characters that have no business in a body', () => {
  test.each(['__proto__', 'constructor', 'prototype'])(
    'when a body has a key named %s, then it answers 400 naming the key',
    async (key) => {
      const { token } = await given.user({ role: 'admin' });
      const body = `{"email":"p@test.asar","name":"P","roles":["viewer"],"password":"long enough password","${key}":{"admin":true}}`;
      const res = await t.api
        .post('/api/v1/users')
        .set(bearer(token))
        .set('content-type', 'application/json')
        .send(body);
      expect(res.status).toBe(400);
      expectErrorShape(res.body, 'VALIDATION');
      expect(res.body.error.message).toContain(key);
      expect(await User.countDocuments({ email: 'p@test.asar' })).toBe(0);
    },
  );

  test('when such a key is nested deep in a body, then it is refused too', async () => {
    const { token } = await given.user({ role: 'admin' });
    const body = '{"type":"individual","name":"Donor","contact":{"person":"A","__proto__":{"x":1}}}';
    const res = await t.api
      .post('/api/v1/donors')
      .set(bearer(token))
      .set('content-type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'contact.__proto__' })]),
    );
  });

  test.each([
    ['a NUL', 'Aisulu\u0000Nurlanovna'],
    ['a right-to-left override', 'Aisulu \u202Egnp.exe'],
    ['an escape', 'Aisulu \u001b[31m'],
  ])('when a name holds %s, then it answers 400 saying control characters are not allowed', async (_what, name) => {
    const { token } = await given.user({ role: 'admin' });
    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(token))
      .send({ email: 'c@test.asar', name, roles: ['viewer'], password: 'long enough password' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ field: 'name', type: 'string.controlCharacters' }),
    ]);
    expect(res.body.error.message).toMatch(/control characters/);
  });

  test('when free text has line breaks and tabs, then they are kept (notes are typed on several lines)', async () => {
    const { token } = await given.user({ role: 'admin' });
    const res = await t.api
      .post('/api/v1/donors')
      .set(bearer(token))
      .send({ name: 'Donor', type: 'individual', contact: { address: 'Abay 10\nOffice 4\tside gate' } });
    expect(res.status).toBe(201);
  });
});

describe('the schemas of the route table', () => {
  /** Every array schema nested anywhere in a described Joi schema, with its path. */
  function arraysOf(
    description: Record<string, unknown>,
    path: string,
  ): { path: string; description: Record<string, unknown> }[] {
    const found: { path: string; description: Record<string, unknown> }[] = [];
    if (description.type === 'array') found.push({ path, description });
    const keys = (description.keys ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, child] of Object.entries(keys)) found.push(...arraysOf(child, `${path}.${key}`));
    for (const child of [
      ...((description.items ?? []) as Record<string, unknown>[]),
      ...((description.matches ?? []) as { schema?: Record<string, unknown> }[]).map((m) => m.schema ?? {}),
    ]) {
      found.push(...arraysOf(child, `${path}[]`));
    }
    return found;
  }

  test('when any route declares an array, then it is bounded by arrayOf() (its length is checked before its items)', () => {
    const unbounded: string[] = [];
    for (const route of registryOf(t.app).all()) {
      for (const [part, schema] of Object.entries(route.schemas ?? {})) {
        if (!schema) continue;
        for (const { path, description } of arraysOf(schema.describe() as Record<string, unknown>, part)) {
          const bounded = (description.flags as { bounded?: boolean } | undefined)?.bounded === true;
          if (!bounded) unbounded.push(`${route.method.toUpperCase()} ${route.path} ${path}`);
        }
      }
    }
    expect(unbounded).toEqual([]);
  });
});
