/**
 * Access control over the whole route table: every route but the public ones refuses a request without
 * credentials, every role is refused (403) every route whose permission it lacks, and a coordinator cannot see
 * another organisation's records (404). The routes come from the app's own registry, so a route added later is
 * checked without anyone editing this file.
 */
import { registryOf } from '../../src/app';
import { fullPath } from '../../src/http/mount';
import type { RouteDefinition } from '../../src/http/route-registry';
import { ROLE_PERMISSIONS, ROLES, type Role } from '../../src/modules/access/permissions';
import { setupTestApp } from '../support/app';
import { apiKeyHeader, bearer, given } from '../support/given-identity';

const t = setupTestApp();

/**
 * The only routes anyone may call without credentials: login, the OpenAPI document describing the API, and the
 * verification page that documents' QR codes open (it shows only what the document's holder may see).
 */
const PUBLIC_ROUTES = new Set([
  'POST /api/v1/auth/login',
  'GET /api/v1/openapi.json',
  'GET /verify/:code',
  'GET /api/v1/verification/:code',
]);
const isHealth = (path: string) => path === '/health' || path.startsWith('/health/');

const SOME_ID = '64b0000000000000000000aa';

function routes(): readonly RouteDefinition[] {
  return registryOf(t.app).all();
}

function urlOf(route: RouteDefinition): string {
  return fullPath(route).replace(/:[A-Za-z_]+/g, SOME_ID);
}

function call(route: RouteDefinition, headers: Record<string, string> = {}) {
  return t.api[route.method](urlOf(route)).set(headers).send({});
}

const label = (route: RouteDefinition) => `${route.method.toUpperCase()} ${fullPath(route)}`;

describe('the route table', () => {
  test('when a route is public, then it is /health, login, the OpenAPI document or the verification page', () => {
    const publicRoutes = routes()
      .filter((route) => route.access === 'public')
      .map(label);
    expect(publicRoutes.filter((name) => !PUBLIC_ROUTES.has(name) && !isHealth(name.split(' ')[1] ?? ''))).toEqual([]);
    expect(publicRoutes).toContain('POST /api/v1/auth/login');
  });

  test('when any other route is called without credentials, then it answers 401', async () => {
    const guarded = routes().filter((route) => route.access !== 'public');
    expect(guarded.length).toBeGreaterThan(10);
    const open: string[] = [];
    for (const route of guarded) {
      const res = await call(route);
      if (res.status !== 401 || res.body.error?.code !== 'UNAUTHENTICATED')
        open.push(`${label(route)} → ${res.status}`);
    }
    expect(open).toEqual([]);
  }, 60_000);

  test('when any other route is called with a forged token, then it answers 401', async () => {
    const open: string[] = [];
    for (const route of routes().filter((r) => r.access !== 'public')) {
      const res = await call(route, bearer('x'.repeat(43)));
      if (res.status !== 401) open.push(`${label(route)} → ${res.status}`);
    }
    expect(open).toEqual([]);
  }, 60_000);
});

describe('the role matrix', () => {
  test.each(ROLES.map((role) => [role]))(
    'when a %s calls a route needing a permission its role lacks, then it answers 403',
    async (role: Role) => {
      const { token } = await given.user({ role });
      const held = new Set<string>(ROLE_PERMISSIONS[role]);
      const forbidden = routes().filter(
        (route) => route.access !== 'public' && route.access !== 'authenticated' && !held.has(route.access),
      );
      const wrong: string[] = [];
      for (const route of forbidden) {
        const res = await call(route, bearer(token));
        if (res.status !== 403 || res.body.error?.code !== 'FORBIDDEN') wrong.push(`${label(route)} → ${res.status}`);
      }
      expect(wrong).toEqual([]);
      if (role !== 'admin') expect(forbidden.length).toBeGreaterThan(0);
    },
    60_000,
  );

  test.each(ROLES.map((role) => [role]))(
    'when a %s calls a route its role allows, then it is neither 401 nor 403',
    async (role: Role) => {
      const { token } = await given.user({ role });
      const allowed = routes().filter(
        (route) =>
          route.method === 'get' &&
          !route.path.includes(':') &&
          (route.access === 'authenticated' ||
            (route.access !== 'public' && ROLE_PERMISSIONS[role].includes(route.access))),
      );
      expect(allowed.length).toBeGreaterThan(0);
      const refused: string[] = [];
      for (const route of allowed) {
        const res = await call(route, bearer(token));
        if (res.status === 401 || res.status === 403) refused.push(`${label(route)} → ${res.status}`);
      }
      expect(refused).toEqual([]);
    },
    60_000,
  );

  test.each([
    ['admin', 'get', '/api/v1/users', 200],
    ['admin', 'get', '/api/v1/audit', 200],
    ['warehouse', 'get', '/api/v1/organisations', 200],
    ['warehouse', 'get', '/api/v1/users', 403],
    ['logistics', 'post', '/api/v1/organisations', 403],
    ['coordinator', 'get', '/api/v1/audit', 403],
    ['viewer', 'get', '/api/v1/auth/me', 200],
    ['viewer', 'post', '/api/v1/api-keys', 403],
  ] as const)('when a %s calls %s %s, then it answers %d', async (role, method, path, status) => {
    const { token } = await given.user({ role });
    const res = await t.api[method](path).set(bearer(token)).send({});
    expect(res.status).toBe(status);
  });

  test('when an API key calls a route its roles lack, then it answers 403 like a user would', async () => {
    const { key } = await given.apiKey({ roles: ['viewer'] });
    expect((await t.api.get('/api/v1/users').set(apiKeyHeader(key))).status).toBe(403);
    expect((await t.api.get('/api/v1/organisations').set(apiKeyHeader(key))).status).toBe(200);
  });
});

describe('organisation scoping', () => {
  test("when a coordinator of A asks for B's organisation, then it answers 404 as if B did not exist", async () => {
    const orgA = await given.organisation({ name: 'Qamqor A' });
    const orgB = await given.organisation({ name: 'Meirim B' });
    const { token } = await given.user({ role: 'coordinator', organisationId: orgA.id });

    const own = await t.api.get(`/api/v1/organisations/${orgA.id}`).set(bearer(token));
    const other = await t.api.get(`/api/v1/organisations/${orgB.id}`).set(bearer(token));
    const missing = await t.api.get(`/api/v1/organisations/${SOME_ID}`).set(bearer(token));

    expect(own.status).toBe(200);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect(other.body.error.message).toBe(`Organisation ${orgB.id} not found`);
    expect(missing.status).toBe(404);

    const list = await t.api.get('/api/v1/organisations').set(bearer(token));
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([orgA.id]);
    expect(list.body.page.total).toBe(1);
  });

  test("when an organisation's logistics staff list organisations, then they see their own only", async () => {
    await given.organisation();
    const { token, user } = await given.user({ role: 'logistics' });
    const list = await t.api.get('/api/v1/organisations').set(bearer(token));
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([user.organisationId]);
  });

  test("when the deployment's operator lists organisations, then it sees them all", async () => {
    await given.organisation();
    await given.organisation();
    const { token } = await given.user({ role: 'operator' });
    const list = await t.api.get('/api/v1/organisations').set(bearer(token));
    expect(list.body.page.total).toBe(2);
  });
});
