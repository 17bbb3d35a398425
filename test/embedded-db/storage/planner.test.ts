import { DB, findAll, insertAll, memoryStore } from './helpers';

async function stockStore() {
  const store = await memoryStore();
  await store.createIndexes(DB, 'stock', [
    { name: 'sku_1', key: { sku: 1 } },
    { name: 'w_1_qty_-1', key: { w: 1, qty: -1 } },
    { name: 'tags_1', key: { tags: 1 } },
    { name: 'lot.code_1', key: { 'lot.code': 1 }, sparse: true },
  ]);
  const docs = [];
  for (let i = 0; i < 200; i++) {
    docs.push({
      _id: i,
      sku: `S${i % 20}`,
      w: `W${i % 4}`,
      qty: i,
      tags: [`t${i % 5}`, `u${i % 7}`],
      ...(i % 10 === 0 ? { lot: { code: `L${i}` } } : {}),
    });
  }
  await insertAll(store, 'stock', docs);
  return store;
}

describe('storage: query planning', () => {
  test('when the filter has an equality on an indexed field, then an IXSCAN examines only matching documents', async () => {
    const store = await stockStore();
    const { docs, plan } = findAll(store, 'stock', { sku: 'S3' });
    expect(docs).toHaveLength(10);
    expect(plan).toEqual({ stage: 'IXSCAN', indexName: 'sku_1', keysExamined: 10, docsExamined: 10 });
  });

  test('when the filter is on _id, then the document is fetched directly', async () => {
    const store = await stockStore();
    expect(findAll(store, 'stock', { _id: 42 }).plan).toEqual({
      stage: 'IDHACK',
      indexName: '_id_',
      keysExamined: 1,
      docsExamined: 1,
    });
    const many = findAll(store, 'stock', { _id: { $in: [1, 2, 999] }, sku: 'S1' });
    expect(many.docs.map((d) => d._id)).toEqual([1]);
    expect(many.plan).toMatchObject({ stage: 'IDHACK', docsExamined: 2 });
  });

  test('when a compound index has an equality prefix and a range, then both bound the scan', async () => {
    const store = await stockStore();
    const { docs, plan } = findAll(store, 'stock', { w: 'W1', qty: { $gte: 150 } });
    expect(docs.map((d) => d.qty).sort((a, b) => Number(a) - Number(b))).toEqual([
      153, 157, 161, 165, 169, 173, 177, 181, 185, 189, 193, 197,
    ]);
    expect(plan).toMatchObject({ stage: 'IXSCAN', indexName: 'w_1_qty_-1', docsExamined: 12, keysExamined: 12 });
    const lt = findAll(store, 'stock', { w: 'W1', qty: { $lt: 9 } });
    expect(lt.docs.map((d) => d._id).sort()).toEqual([1, 5]);
    expect(lt.plan.docsExamined).toBe(2);
  });

  test('when the indexed field is an array, then each element is a key and the document comes back once', async () => {
    const store = await stockStore();
    const { docs, plan } = findAll(store, 'stock', { tags: { $in: ['t1', 'u1'] } });
    const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 5 === 1 || i % 7 === 1);
    expect(docs.map((d) => d._id).sort((a, b) => Number(a) - Number(b))).toEqual(expected);
    expect(plan).toMatchObject({ stage: 'IXSCAN', indexName: 'tags_1', docsExamined: expected.length });
    // An equality with a whole array finds documents whose array equals it.
    expect(findAll(store, 'stock', { tags: ['t2', 'u2'] }).docs.map((d) => d._id)).toEqual(
      [2, 37, 72, 107, 142, 177].filter((i) => i % 5 === 2 && i % 7 === 2),
    );
  });

  test('when a sparse index cannot hold every match, then the planner does not use it', async () => {
    const store = await stockStore();
    expect(findAll(store, 'stock', { 'lot.code': 'L40' }).plan).toMatchObject({
      stage: 'IXSCAN',
      indexName: 'lot.code_1',
      docsExamined: 1,
    });
    const nulls = findAll(store, 'stock', { 'lot.code': null });
    expect(nulls.plan.stage).toBe('COLLSCAN');
    expect(nulls.docs).toHaveLength(180);
  });

  test('when a partial index is used, then only queries implying its filter may use it', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'lots', [
      { name: 'code_active', key: { code: 1 }, partialFilterExpression: { active: true } },
    ]);
    await insertAll(store, 'lots', [
      { _id: 1, code: 'A', active: true },
      { _id: 2, code: 'A', active: false },
    ]);
    const both = findAll(store, 'lots', { code: 'A' });
    expect(both.plan.stage).toBe('COLLSCAN');
    expect(both.docs).toHaveLength(2);
    const active = findAll(store, 'lots', { code: 'A', active: true });
    expect(active.plan).toMatchObject({ stage: 'IXSCAN', indexName: 'code_active' });
    expect(active.docs.map((d) => d._id)).toEqual([1]);
  });

  test('when no index applies, then a collection scan reports every document examined', async () => {
    const store = await stockStore();
    const { docs, plan } = findAll(store, 'stock', { qty: { $mod: [50, 0] } });
    expect(docs).toHaveLength(4);
    expect(plan).toEqual({ stage: 'COLLSCAN', keysExamined: 0, docsExamined: 200 });
  });

  test('when values of mixed types are indexed, then a range scan still answers by BSON order', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'mixed', [{ name: 'v_1', key: { v: 1 } }]);
    await insertAll(store, 'mixed', [
      { _id: 1, v: 5 },
      { _id: 2, v: 'x' },
      { _id: 3, v: null },
      { _id: 4, v: 12.5 },
      { _id: 5 },
      { _id: 6, v: [1, 20] },
    ]);
    expect(
      findAll(store, 'mixed', { v: { $gt: 4 } })
        .docs.map((d) => d._id)
        .sort(),
    ).toEqual([1, 4, 6]);
    expect(
      findAll(store, 'mixed', { v: null })
        .docs.map((d) => d._id)
        .sort(),
    ).toEqual([3, 5]);
  });

  test('when an index is used with a limit and no sort, then the scan stops early', async () => {
    const store = await stockStore();
    const txn = store.begin();
    const { docs, plan } = txn.find(DB, 'stock', { w: 'W2' }, { limit: 3 });
    txn.abort();
    expect(docs).toHaveLength(3);
    expect(plan.keysExamined).toBe(3);
  });
});
