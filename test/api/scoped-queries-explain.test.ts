/**
 * Queries scoped by organisation use an index. Every list route of the registry (a GET without path parameters) is
 * called as an organisation's admin over an organisation holding one record of every kind; every read those calls
 * send to an organisation-owned collection is captured as the driver sent it (Mongoose's `operation-start`) and
 * explained through the driver. Its winning plan must scan an index whose key holds `organisationId` (or, for records
 * named by id, the `_id` index), and nothing may scan the whole collection. The assertion reads only the standard explain shape (`queryPlanner.winningPlan` stages),
 * so it holds against a real mongod (TEST_MONGODB_URI) as against the embedded database. A list route added later is
 * explained without editing this file.
 */
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { registryOf } from '../../src/app';
import { fullPath } from '../../src/http/mount';
import { setupTestApp } from '../support/app';
import { stagesOf } from '../support/explain-plans';
import { givenOrganisationRecords, givenSharedCatalog } from '../support/given-organisation-records';

const t = setupTestApp();

interface CapturedRead {
  route: string;
  collection: string;
  method: string;
  filter: Document;
  sort?: Document;
  pipeline?: Document[];
}

/** Does the filter name an organisation (as the scoped access path writes it: top level or inside $and)? */
function namesOrganisation(filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  const f = filter as Document;
  if ('organisationId' in f) return true;
  return Array.isArray(f.$and) && f.$and.some(namesOrganisation);
}

async function explain(read: CapturedRead): Promise<Document> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const collection = db.collection(read.collection);
  if (read.pipeline) return collection.aggregate(read.pipeline).explain('queryPlanner');
  const cursor = collection.find(read.filter);
  if (read.sort && Object.keys(read.sort).length > 0) cursor.sort(read.sort);
  return cursor.explain('queryPlanner');
}

/** What the capture keeps: reads of owned collections (filters naming an organisation). */
function readOf(route: string, collection: string, method: string, params: unknown[]): CapturedRead | null {
  const [first, second] = params as [Document | Document[] | undefined, Document | undefined];
  if (method === 'aggregate' && Array.isArray(first)) {
    const match = (first[0] as Document | undefined)?.$match;
    if (!namesOrganisation(match)) return null;
    // The first stage decides the index; later stages ($lookup, $group) do not read the collection's index.
    return { route, collection, method, filter: match as Document, pipeline: [first[0] as Document] };
  }
  if (!['find', 'findOne', 'countDocuments', 'distinct'].includes(method)) return null;
  const filter = (method === 'distinct' ? second : first) as Document | undefined;
  if (!namesOrganisation(filter)) return null;
  const options = (method === 'distinct' ? undefined : second) as Document | undefined;
  return { route, collection, method, filter: filter as Document, sort: options?.sort };
}

test('when every list route runs for an organisation, then each of its scoped reads uses an index on organisationId', async () => {
  const catalog = await givenSharedCatalog();
  const org = await givenOrganisationRecords({ marker: 'explained', catalog, type: 'hub' });
  const lists = registryOf(t.app)
    .all()
    .filter((route) => route.method === 'get' && !route.path.includes(':') && route.access !== 'public');
  expect(lists.length).toBeGreaterThan(10);

  const reads: CapturedRead[] = [];
  let current = '';
  const capture = ({
    collectionName,
    method,
    params,
  }: {
    collectionName: string;
    method: string;
    params: unknown[];
  }) => {
    const read = current ? readOf(current, collectionName, method, params ?? []) : null;
    if (read) reads.push(read);
  };
  mongoose.connection.on('operation-start', capture);
  try {
    for (const route of lists) {
      current = `GET ${route.path}`;
      const res = await t.api.get(fullPath(route)).set(org.callers.admin);
      // Routes the admin may not call (the operator's) read nothing of an organisation.
      expect([200, 403]).toContain(res.status);
    }
  } finally {
    current = '';
    mongoose.connection.off('operation-start', capture);
  }
  const collections = new Set(reads.map((read) => read.collection));
  for (const hot of ['warehouses', 'donors', 'donations', 'stock_balances', 'ledger_entries', 'audit_entries'])
    expect(collections).toContain(hot);

  const unindexed: string[] = [];
  for (const read of reads) {
    const stages = stagesOf(await explain(read));
    const scans = stages.filter((s) => s.stage === 'IXSCAN' || s.stage === 'EXPRESS_IXSCAN');
    const onOrganisation = scans.some((s) => s.keyPattern && 'organisationId' in s.keyPattern);
    // A read of records named by id (a page's warehouses) is a point read on the _id index.
    const byId =
      '_id' in read.filter &&
      (stages.some((s) => s.stage === 'IDHACK') || scans.some((s) => s.keyPattern && '_id' in s.keyPattern));
    if (!(onOrganisation || byId) || stages.some((s) => s.stage === 'COLLSCAN')) {
      unindexed.push(
        `${read.route}: ${read.collection}.${read.method}(${JSON.stringify(read.filter)}) → ${stages.map((s) => `${s.stage}${s.indexName ? ` ${s.indexName}` : ''}`).join(' < ')}`,
      );
    }
  }
  expect(unindexed).toEqual([]);
  expect(reads.length).toBeGreaterThan(lists.length);
}, 120_000);
