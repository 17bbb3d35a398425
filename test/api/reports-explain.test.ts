/**
 * Every report's reads use an index led by `organisationId`: each report route of the registry (an organisation's
 * and a hub's), with every grouping its schema allows, is called over organisations holding one record of every
 * kind; every aggregation and find it sends to an owned collection is captured as the driver sent it and explained.
 * The winning plan must scan an index whose first key is `organisationId`, or, for the few records a report names
 * by id (the warehouses and donors it prints; a shipment's ledger entries, by the shipment's id), an index whose
 * first key those ids bound and which holds `organisationId` too; nothing may scan the whole collection. Only the standard explain shape is read, so the
 * test holds against a real mongod as against the embedded database; a report added later is explained too.
 */
import type { Document } from 'mongodb';
import mongoose from 'mongoose';
import { registryOf } from '../../src/app';
import { fullPath } from '../../src/http/mount';
import { foldReportRollups } from '../../src/modules/reports';
import { SAFETY_LAG_MS } from '../../src/modules/reports/report-rollups';
import { setupTestApp } from '../support/app';
import { stagesOf } from '../support/explain-plans';
import { givenOrganisationRecords, givenSharedCatalog } from '../support/given-organisation-records';

const t = setupTestApp();

interface Read {
  route: string;
  collection: string;
  filter: Document;
  pipeline?: Document[];
}

const namesOrganisation = (filter: unknown): boolean =>
  typeof filter === 'object' && filter !== null && 'organisationId' in (filter as Document);

/** The groupings a report route's schema allows (its `groupBy` valid values), and whether it takes a period. */
function queryOf(route: { schemas?: { query?: { describe(): Document } } }): { groupings: string[]; period: boolean } {
  const keys = route.schemas?.query?.describe().keys as Record<string, { allow?: string[] }> | undefined;
  return { groupings: keys?.groupBy?.allow ?? [], period: Boolean(keys?.from) };
}

test('when every report is asked with every grouping, for an organisation and for a hub, then each of its reads uses an index led by organisationId', async () => {
  const catalog = await givenSharedCatalog();
  const member = await givenOrganisationRecords({ marker: 'member', catalog });
  const hub = await givenOrganisationRecords({ marker: 'hub', catalog, type: 'hub', members: [member.organisationId] });
  const reports = registryOf(t.app)
    .all()
    .filter((route) => route.method === 'get' && route.path.includes('/reports/'));
  expect(reports.map((r) => r.path).filter((p) => p.endsWith('/households'))).toHaveLength(2);
  // Folded into the roll-ups, so that reports read them and the records after their watermark.
  await foldReportRollups({ now: new Date(Date.now() + SAFETY_LAG_MS) });

  const reads: Read[] = [];
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
    if (!current) return;
    const [first] = (params ?? []) as [Document | Document[] | undefined];
    if (method === 'aggregate' && Array.isArray(first)) {
      const match = (first[0] as Document | undefined)?.$match;
      if (namesOrganisation(match))
        reads.push({ route: current, collection: collectionName, filter: match, pipeline: [first[0] as Document] });
    } else if (method === 'find' && namesOrganisation(first)) {
      reads.push({ route: current, collection: collectionName, filter: first as Document });
    }
  };
  mongoose.connection.on('operation-start', capture);
  try {
    for (const route of reports) {
      const path = fullPath(route).replace(':id', hub.organisationId);
      const callers = path.includes('/organisations/') ? hub.callers : member.callers;
      const { groupings, period } = queryOf(route as never);
      for (const groupBy of groupings) {
        current = `${path}?groupBy=${groupBy}`;
        // A period that starts within a month: the outflow reports read both their roll-ups and the ledger.
        const res = await t.api.get(`${current}${period ? '&from=2026-01-15T00:00:00Z' : ''}`).set(callers.admin);
        expect([current, res.status]).toEqual([current, 200]);
      }
    }
  } finally {
    current = '';
    mongoose.connection.off('operation-start', capture);
  }
  const collections = new Set(reads.map((r) => r.collection));
  for (const read of [
    'stock_balances',
    'donations',
    'outflow_rollups',
    'inflow_rollups',
    'inflow_yearly_rollups',
    'ledger_entries',
    'hand_overs',
    'shipments',
  ])
    expect(collections).toContain(read);

  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const unindexed: string[] = [];
  for (const read of reads) {
    const collection = db.collection(read.collection);
    const plan = read.pipeline
      ? await collection.aggregate(read.pipeline).explain('queryPlanner')
      : await collection.find(read.filter).explain('queryPlanner');
    const stages = stagesOf(plan);
    const scans = stages.filter((s) => s.stage === 'IXSCAN' || s.stage === 'EXPRESS_IXSCAN');
    const ledByOrganisation = scans.some((s) => s.keyPattern && Object.keys(s.keyPattern)[0] === 'organisationId');
    const byId =
      '_id' in read.filter &&
      (stages.some((s) => s.stage === 'IDHACK') || scans.some((s) => s.keyPattern && '_id' in s.keyPattern));
    // Records named by the ids of a few documents: the index's first key is bounded by those ids.
    const byNamedIds = scans.some((s) => {
      const keys = Object.keys(s.keyPattern ?? {});
      return (
        keys.includes('organisationId') && keys.slice(0, 2).some((k) => (read.filter[k] as Document | undefined)?.$in)
      );
    });
    if (!(ledByOrganisation || byId || byNamedIds) || stages.some((s) => s.stage === 'COLLSCAN')) {
      unindexed.push(
        `${read.route}: ${read.collection}(${JSON.stringify(read.filter)}) → ${stages.map((s) => s.stage + (s.indexName ? ` ${s.indexName}` : '')).join(' < ')}`,
      );
    }
  }
  expect(unindexed).toEqual([]);
}, 180_000);
