import { Double, Int32, Long, ObjectId } from 'bson';
import { keyOf } from '../../../src/embedded-db/query/values';
import { openStore } from '../../../src/embedded-db/storage';
import { BtreeIndex } from '../../../src/embedded-db/storage/btree-index';
import type { IndexSpec } from '../../../src/embedded-db/storage/store-types';
import type { Doc } from '../../../src/embedded-db/types';
import { DB, findAll, insertAll, removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

/** Entries of an index in tree order, as comparable strings. */
function entriesOf(ix: BtreeIndex): string[] {
  return [...ix.tree.keys()].map((e) => `${keyOf(e.v)} ${String(e.k)}`);
}

/** The same index built one insertion at a time (the reference the bulk build must equal). */
function insertedOneByOne(spec: IndexSpec, docs: Map<string, Doc>): BtreeIndex {
  const ix = new BtreeIndex(spec);
  for (const [k, doc] of docs) ix.add(doc, k);
  return ix;
}

function docsMap(values: unknown[], shuffle: boolean): Map<string, Doc> {
  const docs = values.map((v, i) => ({ _id: new Int32(i), v }));
  if (shuffle) docs.reverse();
  return new Map(docs.map((d) => [keyOf(d._id), d as Doc]));
}

const oid = new ObjectId('64b000000000000000000001');
const groupable = [
  'b',
  'a',
  'b',
  '\ud83d\ude00',
  '\uffff',
  'a',
  new Int32(2),
  new Double(2),
  2,
  -0,
  0,
  new Int32(-5),
  null,
  undefined,
  true,
  false,
  true,
  oid,
  new ObjectId('64b000000000000000000001'),
  new ObjectId('64a000000000000000000009'),
  ['b', 'z'],
  [],
];

describe('storage: bulk index build', () => {
  test.each([
    ['groupable values, documents in key order', groupable, false, 1],
    ['groupable values, documents out of key order', groupable, true, 1],
    ['groupable values, descending', groupable, true, -1],
    [
      'values without a grouping key (Long, NaN, dates, documents)',
      [...groupable, Long.fromNumber(2), Number.NaN, new Date(5), { a: 1 }],
      true,
      1,
    ],
  ])(
    'when an index is built in bulk over %s, then it equals one built entry by entry',
    (_name, values, shuffle, dir) => {
      const spec: IndexSpec = { name: 'v_1', key: { v: dir } };
      const docs = docsMap(values, shuffle);
      const bulk = new BtreeIndex(spec);
      expect(bulk.rebuild(docs)).toEqual({});
      expect(entriesOf(bulk)).toEqual(entriesOf(insertedOneByOne(spec, docs)));
      expect(bulk.multikey).toBe(true);
    },
  );

  test('when a compound or dotted index is built in bulk, then it equals one built entry by entry', () => {
    const docs = new Map<string, Doc>();
    for (let i = 0; i < 200; i++) {
      const d = { _id: i, a: { b: `k${i % 7}` }, c: new Int32(i % 3) };
      docs.set(keyOf(d._id), d);
    }
    for (const spec of [
      { name: 'a.b_1', key: { 'a.b': 1 } },
      { name: 'a.b_1_c_-1', key: { 'a.b': 1, c: -1 } },
    ]) {
      const bulk = new BtreeIndex(spec);
      bulk.rebuild(docs);
      expect(entriesOf(bulk)).toEqual(entriesOf(insertedOneByOne(spec, docs)));
    }
  });

  test('when a unique index is built in bulk over equal values, then the duplicate is reported and nothing built', () => {
    const spec: IndexSpec = { name: 'v_1', key: { v: 1 }, unique: true };
    const ix = new BtreeIndex(spec);
    expect(ix.rebuild(docsMap(['a', 'b', 'c'], false))).toEqual({});
    expect(ix.rebuild(docsMap(['c', 'b', 'x', 'b'], false))).toEqual({ duplicate: ['b'] });
    expect(ix.rebuild(docsMap([new Int32(1), new Double(1)], false))).toEqual({ duplicate: [new Double(1)] });
    expect(ix.tree.size).toBe(3);
  });

  test('when a store with ObjectId, string and numeric _ids is reopened, then indexes and _id order are right', async () => {
    const dir = tempDir();
    const first = await openStore({ dbPath: dir });
    await first.createIndexes(DB, 'c', [{ name: 'sku_1', key: { sku: 1 } }]);
    const docs: Doc[] = [];
    for (let i = 0; i < 300; i++) {
      const _id = i % 3 === 0 ? new ObjectId() : i % 3 === 1 ? `id-${i}` : new Int32(i);
      docs.push({ _id, n: new Int32(i), sku: `SKU-${i % 10}` });
    }
    await insertAll(first, 'c', docs);
    await first.close();

    const second = await openStore({ dbPath: dir });
    const bySku = findAll(second, 'c', { sku: 'SKU-3' });
    expect(bySku.plan).toMatchObject({ stage: 'IXSCAN', indexName: 'sku_1' });
    expect(bySku.docs.map((d) => (d.n as Int32).value).sort((a, b) => a - b)).toEqual(
      docs.filter((d) => d.sku === 'SKU-3').map((d) => (d.n as Int32).value),
    );
    const all = findAll(second, 'c');
    expect(all.docs).toHaveLength(300);
    const range = findAll(second, 'c', { _id: { $gte: new Int32(100) } });
    expect(range.plan).toMatchObject({ stage: 'IXSCAN', indexName: '_id_' });
    expect(range.docs.map((d) => (d._id as Int32).value)).toEqual(
      docs.filter((d) => d._id instanceof Int32 && d._id.value >= 100).map((d) => (d._id as Int32).value),
    );
    const strings = findAll(second, 'c', { _id: { $gte: 'id-', $lt: 'id-2' } });
    expect(strings.plan).toMatchObject({ stage: 'IXSCAN', indexName: '_id_' });
    expect(strings.docs.map((d) => d._id)).toEqual(
      docs
        .map((d) => d._id)
        .filter((id): id is string => typeof id === 'string' && id < 'id-2')
        .sort(),
    );
    await second.close();
  });
});
