/**
 * Hostile input against every route of the route table, as an admin (so that requests get past authorisation into
 * validation and the services): malformed path parameters, query strings of wrong shapes, bodies of wrong types,
 * sizes, encodings and characters. No answer may be a 5xx. The routes come from the app's own registry, so a route
 * added later is fuzzed without anyone editing this file. The generator is seeded: a failure names the seed and the
 * request, and reruns the same way.
 */
import { gzipSync } from 'node:zlib';
import { registryOf } from '../../src/app';
import { fullPath } from '../../src/http/mount';
import type { RouteDefinition } from '../../src/http/route-registry';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';

const t = setupTestApp();

/** mulberry32: a small seeded generator, so a failing run can be repeated exactly. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261201;
const random = generator(SEED);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

const PATH_VALUES = [
  '%E0%A4%A',
  '%',
  '%00',
  '%C0%AE%C0%AE',
  '..%2F..%2Fetc',
  'x'.repeat(5000),
  '000000000000000000000000',
  'ffffffffffffffffffffffff',
  '64b0000000000000000000aa%20',
  '%24where',
  '%7B%22%24gt%22%3A%22%22%7D',
  '-1',
  '1e400',
  'NaN',
  '%E2%80%AE',
];

const QUERY_STRINGS = [
  'limit=-1',
  'limit=1e400',
  'limit=NaN',
  'limit=1&limit=2',
  'offset=99999999999999999999',
  'q=%00',
  `q=${'a'.repeat(10_000)}`,
  'q[$regex]=.*',
  'warehouseId[$ne]=x',
  '__proto__[admin]=1',
  'constructor[prototype][x]=1',
  'from=31.12.2027',
  'from=9999-99-99',
  'lang=%E0%A4%A',
  'days=-5',
  'format=%FF',
];

/** Scalars of every awkward kind, and the values built from them. */
const SCALARS: readonly unknown[] = [
  null,
  true,
  0,
  -0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.1 + 0.2,
  '',
  ' ',
  '2,5',
  '1e400',
  'NaN',
  'Infinity',
  '\u0000',
  '\u202Eevil',
  '\uD800',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'x'.repeat(100_000),
  '64b0000000000000000000aa',
  '31.12.2027',
  '2027-02-30',
  '$where',
  { $gt: '' },
  { $where: 'sleep(1000)' },
  [],
  {},
];

function hostileValue(depth = 0): unknown {
  const roll = random();
  if (depth > 2 || roll < 0.6) return pick(SCALARS);
  if (roll < 0.8) return Array.from({ length: Math.floor(random() * 4) }, () => hostileValue(depth + 1));
  return hostileObject(depth + 1);
}

const FIELD_NAMES = [
  'name',
  'code',
  'email',
  'password',
  'roles',
  'organisationId',
  'warehouseId',
  'toWarehouseId',
  'fromWarehouseId',
  'itemId',
  'donorId',
  'quantity',
  'unit',
  'lines',
  'lot',
  'expiryDate',
  'receivedAt',
  'locationCode',
  'reason',
  'notes',
  'type',
  'region',
  'city',
  'packs',
  'components',
  'contact',
  'active',
  'receive',
];

function hostileObject(depth = 0): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const fields = Math.floor(random() * 6) + 1;
  for (let i = 0; i < fields; i += 1) body[pick(FIELD_NAMES)] = hostileValue(depth);
  return body;
}

interface RawBody {
  contentType: string;
  body: string | Buffer;
  encoding?: string;
}

/** Bodies the JSON parser itself must cope with. */
const RAW_BODIES: readonly RawBody[] = [
  { contentType: 'application/json', body: '{' },
  { contentType: 'application/json', body: '"just a string"' },
  { contentType: 'application/json', body: '[1,2,3]' },
  { contentType: 'application/json', body: 'null' },
  { contentType: 'application/json', body: '{"a":1}', encoding: 'gzip' },
  { contentType: 'application/json', body: gzipSync('{"a":'), encoding: 'gzip' },
  { contentType: 'application/json', body: '{"a":1}', encoding: 'br' },
  { contentType: 'application/json', body: '{"a":1}', encoding: 'x-unknown' },
  { contentType: 'application/json; charset=koi8-r', body: '{"a":1}' },
  { contentType: 'application/json', body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
  { contentType: 'application/json', body: `{"lines":${'['.repeat(5000)}${']'.repeat(5000)}}` },
  { contentType: 'application/json', body: `{"roles":[${Array.from({ length: 100_000 }, () => '{}').join(',')}]}` },
  { contentType: 'application/json', body: '{"__proto__":{"admin":true}}' },
  { contentType: 'text/plain', body: 'hello' },
];

interface Probe {
  route: RouteDefinition;
  url: string;
  what: string;
  json?: unknown;
  raw?: RawBody;
}

function urlOf(route: RouteDefinition, param: () => string, query = ''): string {
  const path = fullPath(route).replace(/:[A-Za-z_]+/g, param);
  return query ? `${path}?${query}` : path;
}

function probesOf(route: RouteDefinition): Probe[] {
  const probes: Probe[] = [];
  const validId = () => '64b0000000000000000000aa';
  const hasParams = /:[A-Za-z_]/.test(route.path);
  if (hasParams) {
    for (const value of PATH_VALUES)
      probes.push({ route, url: urlOf(route, () => value), what: `path ${value.slice(0, 30)}` });
  }
  for (const query of QUERY_STRINGS)
    probes.push({ route, url: urlOf(route, validId, query), what: `query ${query.slice(0, 40)}` });
  if (route.method !== 'get' && route.method !== 'delete') {
    for (let i = 0; i < 12; i += 1) {
      const json = random() < 0.15 ? hostileValue() : hostileObject();
      probes.push({ route, url: urlOf(route, validId), what: `body ${JSON.stringify(json).slice(0, 80)}`, json });
    }
    for (const raw of RAW_BODIES) {
      probes.push({ route, url: urlOf(route, validId), what: `raw ${raw.contentType} ${raw.encoding ?? ''}`, raw });
    }
  }
  return probes;
}

describe('fuzzing the route table', () => {
  test('when every route gets hostile paths, queries and bodies, then no answer is a 5xx', async () => {
    const { token } = await given.user({ role: 'admin' });
    // Logout ends the session the fuzzing runs with: it goes last.
    const routes = [...registryOf(t.app).all()].sort(
      (a, b) => Number(a.path === '/auth/logout') - Number(b.path === '/auth/logout'),
    );
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      for (const probe of probesOf(route)) {
        let request = t.api[route.method](probe.url).set(bearer(token));
        if (probe.raw) {
          request = request.set('Content-Type', probe.raw.contentType);
          if (probe.raw.encoding) request = request.set('Content-Encoding', probe.raw.encoding);
          request = request.send(probe.raw.body);
        } else if (probe.json !== undefined) {
          request = request.set('Content-Type', 'application/json').send(JSON.stringify(probe.json));
        }
        const res = await request;
        sent += 1;
        const shaped = res.status < 400 || typeof res.body?.error?.code === 'string';
        if (res.status >= 500 || !shaped) {
          failures.push(
            `${route.method.toUpperCase()} ${route.path} ${probe.what} → ${res.status} ${res.text.slice(0, 120)}`,
          );
        }
      }
    }
    expect({ seed: SEED, failures }).toEqual({ seed: SEED, failures: [] });
    expect(sent).toBeGreaterThan(500);
  }, 300_000);
});
