/**
 * The isolation walk: every route of the app's own registry, called by every role (and an API key) of organisation
 * B with path parameters, filters and body fields naming organisation A's records. Each answer must be 403 or 404
 * (a list filtered on A's record may answer an empty 200), quote none of A's records, and leave every record of A
 * as it was. Requests that name no record of A (B's own lists and creations) must not quote A either.
 *
 * Nothing here lists routes. What a request names is derived from the route: a path parameter `:id` after
 * `/warehouses` names A's warehouse (the collection the segment spells), a field `fromWarehouseId` names it too, and
 * a route whose request needs a value this file does not know how to fill fails the walk, naming the route and the
 * parameter, rather than being skipped. A route with several such fields is also called with one of A's records
 * among B's own (B's warehouse to A's warehouse), so that a service checking only the first cannot pass.
 */

import { EJSON } from 'bson';
import type Joi from 'joi';
import mongoose from 'mongoose';
import { registryOf } from '../../src/app';
import { fullPath } from '../../src/http/mount';
import type { RouteDefinition } from '../../src/http/route-registry';
import { type Permission, permissionsOf } from '../../src/modules/access/permissions';
import { setupTestApp } from '../support/app';
import { givenHouseholds } from '../support/given-households';
import { given, validBin } from '../support/given-identity';
import {
  givenOrganisationRecords,
  givenSharedCatalog,
  type OrganisationRecords,
  type SharedCatalog,
} from '../support/given-organisation-records';

const t = setupTestApp();

const A = 'zqalphaorg';
const B = 'zqbetaorg';

// -------------------------------------------------------------------------------------------------------------------
// What a request names

/** Collections the deployment shares (the catalog): naming their records is not naming A's. */
const SHARED = new Set(['items']);

/** Path segments and field stems whose collection is not spelt by the name itself. */
const COLLECTION_ALIASES: Record<string, string> = {
  ledger: 'ledger_entries',
  members: 'hub_memberships',
  units: 'handling_units',
  parent: 'handling_units',
  membership: 'hub_memberships',
  actor: 'users',
  kit_item: 'items',
  target: 'warehouses',
  balance: 'stock_balances',
  institution: 'households',
};

/** Path parameters that are not record ids, by `<segment>/:<name>`. */
const VALUE_PARAMS: Record<string, (o: OrganisationRecords) => string> = {
  'locations/:code': (o) => o.warehouse.locationCode,
  'jobs/:name': () => 'stock-reconciliation',
};

/**
 * Fields through which a record is addressed to another organisation on purpose (a delivery's consignee): naming A
 * there is allowed, so the walk checks only that nothing of A is quoted or changed.
 */
const ADDRESSING_FIELDS = new Set(['consignee.organisationId', 'servingOrganisationId']);

/** Fields whose value is a reference of the organisation's that is not a record id. */
const REFERENCE_FIELDS: Record<string, (o: OrganisationRecords) => unknown> = {
  operationId: (o) => o.ledgerOperationId,
  lineId: (o) => o.receiptLineId,
  transportUnitId: (o) => o.transportUnitId,
  roundId: (o) => o.roundId,
  sourceId: (o) => o.reservationSource.id,
  source: (o) => o.reservationSource,
};

interface World {
  a: OrganisationRecords;
  b: OrganisationRecords;
  catalog: SharedCatalog;
  collections: string[];
  /** One record id per collection and organisation, for collections the fixture did not name. */
  anyRecord: (organisationId: string, collection: string) => Promise<string | null>;
}

const snake = (name: string) =>
  name
    .replace(/-/g, '_')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
const plurals = (stem: string) => [stem, `${stem}s`, `${stem}es`, stem.replace(/y$/, 'ies')];

/** The collection a path segment or an id field's stem spells, or null. */
function collectionOf(stem: string, collections: readonly string[], previous?: string): string | null {
  const name = snake(stem);
  if (COLLECTION_ALIASES[name]) return COLLECTION_ALIASES[name];
  const candidates = plurals(name);
  if (previous) candidates.unshift(...plurals(name).map((p) => `${snake(previous)}_${p}`));
  for (const candidate of candidates) if (collections.includes(candidate)) return candidate;
  const suffixed = collections.filter((c) => candidates.some((p) => c.endsWith(`_${p}`)));
  return suffixed.length === 1 ? (suffixed[0] as string) : null;
}

/**
 * A value of the request: A's, B's, or shared (the same for both); `missing` names no record at all, for the twin
 * request whose answer A's must equal. A `reference` is a caller-chosen key (a reservation's source), not a record.
 */
interface Slot {
  where: string;
  a: unknown;
  b: unknown;
  missing: unknown;
  shared: boolean;
  reference?: boolean;
}

const missingId = () => new mongoose.Types.ObjectId().toHexString();

function recordSlot(where: string, a: unknown, b: unknown, shared = false): Slot {
  return { where, a, b, missing: missingId(), shared };
}

class Unfillable extends Error {}

async function recordIn(world: World, collection: string, o: OrganisationRecords): Promise<string> {
  if (collection === 'items') return world.catalog.item.id;
  const id = o.ids[collection] ?? (await world.anyRecord(o.organisationId, collection));
  if (!id) throw new Unfillable(`organisation ${o.marker} has no record in ${collection}: add one to the fixture`);
  return id;
}

/** The slot of an id-like field (`warehouseId`, `fromWarehouseId`, `kitItemId`, `sourceId`), or null. */
async function fieldSlot(world: World, key: string, where: string): Promise<Slot | null> {
  const reference = REFERENCE_FIELDS[key];
  if (reference) {
    const a = reference(world.a);
    const missing =
      typeof a === 'object'
        ? { ...a, id: `missing-${missingId()}` }
        : /^[0-9a-f]{24}$/.test(String(a))
          ? missingId()
          : `missing-${missingId()}`;
    return { where, a, b: reference(world.b), missing, shared: false, reference: true };
  }
  if (!/Id$/.test(key)) return null;
  if (key === 'kitItemId') return recordSlot(where, world.catalog.kit.id, world.catalog.kit.id, true);
  if (ADDRESSING_FIELDS.has(where.replace(/^(body|query)\./, ''))) {
    return { ...recordSlot(where, world.a.organisationId, world.b.organisationId), reference: true };
  }
  const stem = key.replace(/Id$/, '').replace(/^(from|to)([A-Z])/, (_, _side, first: string) => first.toLowerCase());
  const collection = collectionOf(stem, world.collections);
  if (!collection) throw new Unfillable(`${where}: no collection is named "${stem}"`);
  return recordSlot(
    where,
    await recordIn(world, collection, world.a),
    await recordIn(world, collection, world.b),
    SHARED.has(collection),
  );
}

// -------------------------------------------------------------------------------------------------------------------
// Example values from the schemas

interface Description {
  type: string;
  flags?: { presence?: string; only?: boolean; default?: unknown };
  allow?: unknown[];
  keys?: Record<string, Description>;
  items?: Description[];
  matches?: { schema?: Description; then?: Description }[];
  rules?: { name: string; args?: Record<string, unknown> }[];
  dependencies?: { rel: string; key?: string | null; peers: string[] }[];
}

let serial = 0;
const ruleArg = (d: Description, rule: string, arg: string) =>
  d.rules?.find((r) => r.name === rule)?.args?.[arg] as number | undefined;

/** Values by field name, for strings whose format a description does not give away. */
const NAMED_VALUES: Record<string, () => unknown> = {
  email: () => `walk${++serial}@b.test`,
  password: () => 'walk password long enough',
  url: () => 'https://hook.example.org/walk',
  bin: () => validBin(),
  code: () => `walk${++serial}`,
  country: () => 'KZ',
  phone: () => '+7 700 000 00 00',
  locationCode: () => 'A-01',
  fromLocationCode: () => 'A-01',
  toLocationCode: () => 'B-01',
  quantity: () => '1',
  minimum: () => '1',
  lang: () => 'en',
  iin: () => givenHouseholds.iin(),
};

type Side = 'a' | 'b' | 'missing';

/** How much of an object the example fills: what it needs, or every key (when a `when` rule wants more). */
type Fill = 'needed' | 'all';

/**
 * An example of the described value. Id fields become slots (filled later with A's, B's or no record); objects get
 * their required keys, their id fields, and what their `with`/`or`/`min` rules need.
 */
async function example(
  world: World,
  d: Description,
  key: string,
  where: string,
  slots: Slot[],
  fill: Fill = 'needed',
): Promise<unknown> {
  const slot = await fieldSlot(world, key, where);
  if (slot) {
    slots.push(slot);
    return slot;
  }
  if (d.flags?.only && d.allow?.length) return d.allow.find((v) => v !== null && v !== '') ?? d.allow[0];
  const named = NAMED_VALUES[key];
  switch (d.type) {
    case 'object': {
      const keys = d.keys ?? {};
      const chosen = new Set(
        Object.entries(keys)
          .filter(
            ([k, sub]) =>
              fill === 'all' || sub.flags?.presence === 'required' || /Id$/.test(k) || k in REFERENCE_FIELDS,
          )
          .map(([k]) => k),
      );
      for (const dependency of d.dependencies ?? []) {
        if (dependency.rel === 'or' && !dependency.peers.some((p) => chosen.has(p)) && dependency.peers[0])
          chosen.add(dependency.peers[0]);
        if (dependency.rel === 'with' && dependency.key && chosen.has(dependency.key))
          for (const peer of dependency.peers) chosen.add(peer);
      }
      const min = ruleArg(d, 'min', 'limit') ?? 0;
      for (const k of Object.keys(keys)) if (chosen.size < min) chosen.add(k);
      const value: Record<string, unknown> = {};
      for (const k of Object.keys(keys)) {
        if (chosen.has(k)) value[k] = await example(world, keys[k] as Description, k, `${where}.${k}`, slots, fill);
      }
      return value;
    }
    case 'array': {
      const item = d.items?.[0];
      if (!item) return [];
      const length = Math.max(1, ruleArg(d, 'min', 'limit') ?? 1);
      const values = [];
      // The items of `householdIds` are each a `householdId`.
      const itemKey = key.replace(/Ids$/, 'Id');
      for (let i = 0; i < length; i += 1)
        values.push(await example(world, item, itemKey, `${where}[${i}]`, slots, fill));
      return values;
    }
    case 'alternatives': {
      const first = d.matches?.[0];
      const schema = first?.schema ?? first?.then;
      return schema ? example(world, schema, key, where, slots, fill) : 'x';
    }
    case 'number':
      return named ? named() : Math.max(1, ruleArg(d, 'min', 'limit') ?? 1);
    case 'boolean':
      return false;
    case 'date':
      return '2026-06-01T00:00:00.000Z';
    case 'string': {
      if (named) return named();
      if (d.rules?.some((r) => r.name === 'email')) return `walk${++serial}@b.test`;
      if (d.rules?.some((r) => r.name === 'uri')) return 'https://hook.example.org/walk';
      const min = ruleArg(d, 'min', 'limit') ?? 1;
      return `walk${key.toLowerCase().replace(/[^a-z]/g, '')}`.padEnd(min, 'x');
    }
    default:
      return named ? named() : 'walk';
  }
}

const isSlot = (value: unknown): value is Slot =>
  typeof value === 'object' && value !== null && 'shared' in value && 'where' in value && 'missing' in value;

function resolve(value: unknown, side: (slot: Slot) => Side): unknown {
  if (isSlot(value)) return value[side(value)];
  if (Array.isArray(value)) return value.map((v) => resolve(v, side));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, side)]));
  return value;
}

/** A valid example of the schema (with its slots), or Unfillable naming why none could be made. */
async function validExample(world: World, schema: Joi.Schema, where: string, slots: Slot[]): Promise<unknown> {
  const d = schema.describe() as Description;
  let failure = '';
  for (const fill of ['needed', 'all'] as const) {
    const found: Slot[] = [];
    const value = await example(world, d, '', where, found, fill);
    const { error } = schema.validate(resolve(value, () => 'b'));
    if (!error) {
      slots.push(...found);
      return value;
    }
    failure = `${JSON.stringify(resolve(value, () => 'b'))} is not valid: ${error.message}`;
  }
  throw new Unfillable(`${where} ${failure}`);
}

// -------------------------------------------------------------------------------------------------------------------
// Requests of a route

interface Request {
  url: string;
  query: Record<string, unknown>;
  body: unknown;
}

interface Probe {
  /** The request naming A's records (or, when the route names none, B's own request). */
  request: Request;
  /** The same request with no record where A's were: A's answer must be worded as this one. */
  twin: Request | null;
  /** A's values the request names and the twin's in their place (the answer may echo them). */
  substitutions: [string, string][];
  /** The request names a record of A (not only a caller-chosen reference). */
  namesRecordOfA: boolean;
  /** The record the path starts from is A's. */
  inPath: boolean;
  /** A GET naming A only in filters (an empty 200 is then a fine answer). */
  onlyFilters: boolean;
}

/** The id of the first element of `segment`'s array (`transport-units` → `transportUnits`) in a record. */
async function embeddedIn(collection: string, id: string, segment: string, where: string): Promise<string> {
  const field = segment.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const doc = await mongoose.connection.db
    ?.collection(collection)
    .findOne({ _id: new mongoose.Types.ObjectId(id) }, { projection: { [field]: 1 } });
  const first = (doc?.[field] as { _id?: unknown }[] | undefined)?.[0]?._id;
  if (!first)
    throw new Unfillable(`${where}: the record in ${collection} has no ${field} to name: add one to the fixture`);
  return String(first);
}

async function probesOf(world: World, route: RouteDefinition): Promise<Probe[]> {
  const pathSlots: Slot[] = [];
  let parent: { collection: string; slot: Slot } | null = null;
  const segments = route.path.split('/').filter(Boolean);
  const pathParts: (string | Slot)[] = [];
  const params = (route.schemas?.params?.describe() as Description | undefined)?.keys ?? {};
  for (const [index, segment] of segments.entries()) {
    if (!segment.startsWith(':')) {
      pathParts.push(segment);
      continue;
    }
    const name = segment.slice(1);
    const before = segments[index - 1] ?? '';
    const where = `path ${before}/${segment}`;
    const valueParam = VALUE_PARAMS[`${before}/${segment}`];
    const description = params[name];
    let slot: Slot;
    if (valueParam) {
      // A value, not a record: what it names is decided by the record ids beside it.
      slot = { ...recordSlot(where, valueParam(world.a), valueParam(world.b)), missing: 'MISSING-1', reference: true };
    } else if (description?.flags?.only && description.allow?.length) {
      pathParts.push(String(description.allow[0]));
      continue;
    } else if (description?.rules?.some((r) => r.name === 'pattern') && /(^|_)id$|Id$/i.test(name)) {
      const collection = collectionOf(before, world.collections, segments[index - 2]);
      if (collection) {
        slot = recordSlot(
          where,
          await recordIn(world, collection, world.a),
          await recordIn(world, collection, world.b),
          SHARED.has(collection),
        );
        parent = { collection, slot };
      } else if (parent) {
        // A part of the record named before it (a shipment's transport units): the first of that array.
        slot = recordSlot(
          where,
          await embeddedIn(parent.collection, String(parent.slot.a), before, where),
          await embeddedIn(parent.collection, String(parent.slot.b), before, where),
        );
      } else throw new Unfillable(`${where}: no collection is named "${before}"`);
    } else {
      throw new Unfillable(`${where}: the walk does not know what this parameter names`);
    }
    pathSlots.push(slot);
    pathParts.push(slot);
  }

  const querySlots: Slot[] = [];
  const query = route.schemas?.query ? await validExample(world, route.schemas.query, 'query', querySlots) : {};
  const bodySlots: Slot[] = [];
  const body = route.schemas?.body ? await validExample(world, route.schemas.body, 'body', bodySlots) : undefined;

  const named = [...pathSlots, ...querySlots, ...bodySlots].filter((slot) => !slot.shared);
  const choices: (Slot | null)[] = named.length > 1 ? [null, ...named] : [null];
  const requestOf = (side: (slot: Slot) => Side): Request => ({
    url: fullPath({ path: `/${pathParts.map((p) => (typeof p === 'string' ? p : String(p[side(p)]))).join('/')}` }),
    query: resolve(query, side) as Record<string, unknown>,
    body: resolve(body, side),
  });

  return choices.map((chosen) => {
    // null: every slot A's; a slot: that one A's and the others B's.
    const ofA = named.filter((slot) => (chosen ? slot === chosen : true));
    const sideOf = (missing: boolean) => (slot: Slot) =>
      !ofA.includes(slot) ? 'b' : missing ? 'missing' : ('a' as Side);
    const substitutions = ofA.map((slot) => [JSON.stringify(slot.a), JSON.stringify(slot.missing)] as [string, string]);
    return {
      request: requestOf(named.length ? sideOf(false) : () => 'b'),
      twin: named.length ? requestOf(sideOf(true)) : null,
      substitutions,
      namesRecordOfA: ofA.some((slot) => !slot.reference),
      // The record the path starts from is A's (a sub-record of B's own may be refused for B's own reasons first).
      inPath: ofA.some((slot) => slot === pathSlots[0] && !slot.reference),
      onlyFilters: route.method === 'get' && ofA.every((slot) => querySlots.includes(slot)),
    };
  });
}

// -------------------------------------------------------------------------------------------------------------------
// What A has

/** Collections where B's own bookkeeping may quote A's ids it was refused: its stored requests and counters. */
const BOOKKEEPING = new Set(['idempotency_keys', 'login_throttle', 'job_runs', 'job_leases', 'counters']);

function mentions(value: unknown, ids: ReadonlySet<string>): boolean {
  if (value instanceof mongoose.Types.ObjectId) return ids.has(String(value));
  if (typeof value === 'string') return ids.has(value);
  if (Array.isArray(value)) return value.some((v) => mentions(v, ids));
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value))
    return Object.values(value).some((v) => mentions(v, ids));
  return false;
}

/** Every record of A, and every record elsewhere that names one of A's: canonical JSON by collection. */
async function snapshotOf(
  organisationId: string,
  ids: ReadonlySet<string>,
  intruder: string,
): Promise<Map<string, string>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const snapshot = new Map<string, string>();
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith('system.')) continue;
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    const ofA = docs.filter(
      (doc) =>
        String(doc.organisationId) === organisationId ||
        String(doc._id) === organisationId ||
        // B's own records may name A on purpose (a delivery consigned to it); B writing into A is caught above.
        (!BOOKKEEPING.has(name) &&
          name !== 'audit_entries' &&
          String(doc.organisationId) !== intruder &&
          mentions(doc, ids)),
    );
    snapshot.set(name, ofA.map((doc) => EJSON.stringify(doc, { relaxed: false })).join('\n'));
  }
  return snapshot;
}

async function idsOfOrganisation(organisationId: string): Promise<Set<string>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const ids = new Set([organisationId]);
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    for (const doc of await db
      .collection(name)
      .find({ organisationId: new mongoose.Types.ObjectId(organisationId) }, { projection: { _id: 1 } })
      .toArray())
      ids.add(String(doc._id));
  }
  return ids;
}

function changedCollections(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => (before.get(name) ?? '') !== (after.get(name) ?? ''));
}

// -------------------------------------------------------------------------------------------------------------------

async function givenWorld(): Promise<World> {
  const catalog = await givenSharedCatalog();
  const c = await given.organisation({ name: 'Third organisation' });
  const b = await givenOrganisationRecords({ marker: B, catalog, type: 'hub', members: [c.id] });
  // A is a hub and B one of its members: membership gives B nothing of A's.
  const a = await givenOrganisationRecords({ marker: A, catalog, type: 'hub', members: [b.organisationId] });
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const anyRecord = async (organisationId: string, collection: string) => {
    const owner = new mongoose.Types.ObjectId(organisationId);
    const doc =
      collection === 'hub_memberships'
        ? await db.collection(collection).findOne({ hubId: owner })
        : await db.collection(collection).findOne({ organisationId: owner });
    return doc ? String(doc._id) : null;
  };
  return { a, b, catalog, collections, anyRecord };
}

const label = (route: RouteDefinition) => `${route.method.toUpperCase()} ${route.path}`;
const CALLERS = ['admin', 'warehouse', 'logistics', 'coordinator', 'viewer', 'apiKey'] as const;

interface Answer {
  status: number;
  text: string;
  body: { error?: { code?: string; message?: string }; data?: unknown[] };
}

async function send(route: RouteDefinition, request: Request, headers: Record<string, string>): Promise<Answer> {
  const call = t.api[route.method](request.url)
    .set(headers)
    .query(request.query as Record<string, string>);
  const res = await (request.body === undefined ? call : call.send(request.body as object));
  const text = res.text ?? (Buffer.isBuffer(res.body) ? res.body.toString('latin1') : '');
  return { status: res.status, text, body: res.body ?? {} };
}

/** What of an answer must not tell A's record from a missing one: status, code, message, how many rows. */
function wording(answer: Answer, substitutions: readonly [string, string][], fromTwin: boolean): string {
  let message = answer.body.error?.message ?? '';
  for (const [ofA, missing] of substitutions) {
    if (!fromTwin) message = message.split(String(JSON.parse(ofA))).join(String(JSON.parse(missing)));
  }
  const rows = Array.isArray(answer.body.data) ? answer.body.data.length : null;
  return JSON.stringify({ status: answer.status, code: answer.body.error?.code, message, rows });
}

/**
 * Routes whose path names only shared records (the catalog) last: B may change the shared catalog, and an item it
 * deactivated would answer "not active" to every later route. Logout very last: it ends the caller's session.
 */
function walkOrder(routes: readonly RouteDefinition[]): RouteDefinition[] {
  const rank = (route: RouteDefinition) =>
    route.path === '/auth/logout' ? 2 : /^\/items(\/|$)/.test(route.path) && route.method !== 'get' ? 1 : 0;
  return [...routes].sort((x, y) => rank(x) - rank(y));
}

describe("organisation B's callers on organisation A's records", () => {
  test.each(CALLERS.map((caller) => [caller]))(
    "when B's %s calls every route naming A's records, then each answers as for a missing record, quotes nothing of A and changes nothing of A",
    async (caller) => {
      const world = await givenWorld();
      const headers = world.b.callers[caller];
      const idsOfA = await idsOfOrganisation(world.a.organisationId);
      let before = await snapshotOf(world.a.organisationId, idsOfA, world.b.organisationId);
      const problems: string[] = [];
      const routes = walkOrder(
        registryOf(t.app)
          .all()
          .filter((route) => route.access !== 'public'),
      );
      expect(routes.length).toBeGreaterThan(50);
      let requests = 0;

      const held = permissionsOf(caller === 'apiKey' ? ['admin'] : [caller]);
      for (const route of routes) {
        let probes: Probe[];
        try {
          probes = await probesOf(world, route);
        } catch (error) {
          if (!(error instanceof Unfillable)) throw error;
          problems.push(`${label(route)}: cannot be walked: ${error.message}`);
          continue;
        }
        if (route.access !== 'authenticated' && !held.has(route.access as Permission)) {
          // Refused before anything is read: one request suffices (the role matrix test covers these in full).
          requests += 1;
          const answer = await send(route, (probes[0] as Probe).request, headers);
          if (answer.status !== 403) problems.push(`${label(route)} → ${answer.status}: expected 403`);
          continue;
        }
        for (const probe of probes) {
          requests += 1;
          const answer = await send(route, probe.request, headers);
          const what = `${label(route)} ${JSON.stringify(probe.request)} → ${answer.status} ${JSON.stringify(answer.body.error ?? '').slice(0, 240)}`;
          if (answer.status >= 500 || answer.status === 401) problems.push(what);
          else if (probe.twin) {
            const twin = await send(route, probe.twin, headers);
            const refused = answer.status === 403 || answer.status === 404;
            if (probe.inPath && !refused) problems.push(`${what}: expected 403 or 404`);
            else if (probe.namesRecordOfA && answer.status < 300 && !(probe.onlyFilters && answer.status === 200))
              problems.push(`${what}: A's record was accepted`);
            else if (probe.namesRecordOfA && Array.isArray(answer.body.data) && answer.body.data.length > 0)
              problems.push(`${what}: a filter on A's record found ${answer.body.data.length} rows`);
            else if (
              probe.namesRecordOfA &&
              wording(answer, probe.substitutions, false) !== wording(twin, probe.substitutions, true)
            )
              problems.push(
                `${what}: answered otherwise than for a missing record (${twin.status} ${twin.text.slice(0, 200)})`,
              );
          }
          const echoed = new Set(probe.substitutions.map(([ofA]) => JSON.parse(ofA) as unknown));
          const quoted = [...idsOfA].filter((id) => answer.text.includes(id) && !echoed.has(id));
          if (answer.text.toLowerCase().includes(A) || quoted.length > 0)
            problems.push(`${what}: quotes A's records ${quoted.join(', ')}`);
        }
        const after = await snapshotOf(world.a.organisationId, idsOfA, world.b.organisationId);
        const changed = changedCollections(before, after);
        if (changed.length > 0) problems.push(`${label(route)} changed A's ${changed.join(', ')}`);
        before = after;
      }

      expect(problems).toEqual([]);
      expect(requests).toBeGreaterThanOrEqual(routes.length);
    },
    240_000,
  );
});
