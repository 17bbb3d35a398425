import { DB, expectCode, expectCodeAsync, findAll, insertAll, inTxn, memoryStore } from './helpers';

describe('storage: unique indexes', () => {
  test('when a unique single-field index exists, then a duplicate insert fails with 11000, keyPattern and keyValue', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'users', [{ name: 'email_1', key: { email: 1 }, unique: true }]);
    await insertAll(store, 'users', [{ _id: 1, email: 'a@x.kz' }]);
    const txn = store.begin();
    const err = expectCode(() => txn.insert(DB, 'users', { _id: 2, email: 'a@x.kz' }), 11000);
    txn.abort();
    expect(err.message).toBe(
      `E11000 duplicate key error collection: ${DB}.users index: email_1 dup key: { email: "a@x.kz" }`,
    );
    expect(err.extra).toEqual({ keyPattern: { email: 1 }, keyValue: { email: 'a@x.kz' } });
  });

  test("when a replacement would take another document's unique key, then it fails and the old state stays", async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'users', [{ name: 'email_1', key: { email: 1 }, unique: true }]);
    await insertAll(store, 'users', [
      { _id: 1, email: 'a' },
      { _id: 2, email: 'b' },
    ]);
    await expect(
      inTxn(store, (txn) => txn.replace(DB, 'users', { _id: 2 }, { _id: 2, email: 'a' })),
    ).rejects.toMatchObject({ code: 11000 });
    // Re-saving a document with its own key is fine.
    await inTxn(store, (txn) => txn.replace(DB, 'users', { _id: 1 }, { _id: 1, email: 'a', name: 'A' }));
    expect(findAll(store, 'users', { email: 'b' }).docs).toEqual([{ _id: 2, email: 'b' }]);
  });

  test('when the unique index is compound, then only the full key combination must be unique', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'balances', [{ name: 'w_1_i_1', key: { w: 1, i: 1 }, unique: true }]);
    await insertAll(store, 'balances', [
      { _id: 1, w: 'A', i: 'rice' },
      { _id: 2, w: 'A', i: 'oil' },
      { _id: 3, w: 'B', i: 'rice' },
    ]);
    const err = await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'balances', { _id: 4, w: 'B', i: 'rice' })),
      11000,
    );
    expect(err.extra).toEqual({ keyPattern: { w: 1, i: 1 }, keyValue: { w: 'B', i: 'rice' } });
  });

  test('when the unique index is on a dotted path, then nested values are compared', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'people', [{ name: 'doc.number_1', key: { 'doc.number': 1 }, unique: true }]);
    await insertAll(store, 'people', [{ _id: 1, doc: { number: 'N1' } }]);
    const err = await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'people', { _id: 2, doc: { number: 'N1', kind: 'id' } })),
      11000,
    );
    expect(err.extra).toEqual({ keyPattern: { 'doc.number': 1 }, keyValue: { 'doc.number': 'N1' } });
  });

  test('when fields are missing, then a unique index treats them as null but a sparse one skips them', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'plain', [{ name: 'code_1', key: { code: 1 }, unique: true }]);
    await store.createIndexes(DB, 'sparse', [{ name: 'code_1', key: { code: 1 }, unique: true, sparse: true }]);
    await insertAll(store, 'plain', [{ _id: 1 }]);
    await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'plain', { _id: 2 })),
      11000,
    );
    await insertAll(store, 'sparse', [{ _id: 1 }, { _id: 2 }, { _id: 3, code: 'x' }]);
    await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'sparse', { _id: 4, code: 'x' })),
      11000,
    );
  });

  test('when the unique index is partial, then only documents matching its filter are constrained', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'lots', [
      { name: 'code_active', key: { code: 1 }, unique: true, partialFilterExpression: { active: true } },
    ]);
    await insertAll(store, 'lots', [
      { _id: 1, code: 'L1', active: true },
      { _id: 2, code: 'L1', active: false },
    ]);
    await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'lots', { _id: 3, code: 'L1', active: true })),
      11000,
    );
  });

  test('when a unique index is built over duplicates, then it fails with 11000 and creates nothing', async () => {
    const store = await memoryStore();
    await insertAll(store, 'items', [
      { _id: 1, sku: 'A' },
      { _id: 2, sku: 'A' },
    ]);
    await expectCodeAsync(
      store.createIndexes(DB, 'items', [
        { name: 'other_1', key: { other: 1 } },
        { name: 'sku_1', key: { sku: 1 }, unique: true },
      ]),
      11000,
    );
    expect(store.listIndexes(DB, 'items').map((i) => i.name)).toEqual(['_id_']);
  });

  test('when one document holds the same key twice in an array, then it is not its own duplicate', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'tags', [{ name: 'tags_1', key: { tags: 1 }, unique: true }]);
    await insertAll(store, 'tags', [{ _id: 1, tags: ['a', 'a', 'b'] }]);
    await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'tags', { _id: 2, tags: ['c', 'b'] })),
      11000,
    );
  });
});

describe('storage: index management', () => {
  test('when indexes are created, listed and dropped, then names, conflicts and errors follow mongod', async () => {
    const store = await memoryStore();
    const first = await store.createIndexes(DB, 'items', [{ name: 'sku_1', key: { sku: 1 } }]);
    expect(first).toEqual({ numIndexesBefore: 1, numIndexesAfter: 2, createdCollectionAutomatically: true });
    const again = await store.createIndexes(DB, 'items', [{ name: 'sku_1', key: { sku: 1 } }]);
    expect(again.note).toBe('all indexes already exist');
    await expectCodeAsync(store.createIndexes(DB, 'items', [{ name: 'sku_1', key: { sku: -1 } }]), 86);
    await expectCodeAsync(store.createIndexes(DB, 'items', [{ name: 'sku_1', key: { sku: 1 }, unique: true }]), 85);
    await expectCodeAsync(store.createIndexes(DB, 'items', [{ name: 'other', key: { sku: 1 } }]), 85);
    await expectCodeAsync(store.createIndexes(DB, 'items', [{ name: 't', key: { body: 'text' } }]), 67);
    await store.createIndexes(DB, 'items', [{ name: 'a_1_b_-1', key: { a: 1, b: -1 } }]);
    expect(store.listIndexes(DB, 'items').map((i) => i.name)).toEqual(['_id_', 'sku_1', 'a_1_b_-1']);
    await expectCodeAsync(store.dropIndexes(DB, 'items', 'nope'), 27);
    await expectCodeAsync(store.dropIndexes(DB, 'items', '_id_'), 72);
    expect(await store.dropIndexes(DB, 'items', { a: 1, b: -1 })).toEqual({ nIndexesWas: 3 });
    expect(await store.dropIndexes(DB, 'items', '*')).toEqual({ nIndexesWas: 2 });
    expect(store.listIndexes(DB, 'items').map((i) => i.name)).toEqual(['_id_']);
    expect(() => store.listIndexes(DB, 'missing')).toThrow(expect.objectContaining({ code: 26 }));
  });

  test('when a compound index would need two arrays, then the write fails with CannotIndexParallelArrays', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'grid', [{ name: 'a_1_b_1', key: { a: 1, b: 1 } }]);
    await insertAll(store, 'grid', [{ _id: 1, a: [1, 2], b: 1 }]);
    await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'grid', { _id: 2, a: [1], b: [2] })),
      171,
    );
    await expectCodeAsync(
      store.createIndexes(DB, 'grid2', [{ name: 'x', key: { x: 1 } }]).then(async () => {
        await insertAll(store, 'grid2', [{ _id: 1, a: [1], b: [2] }]);
        await store.createIndexes(DB, 'grid2', [{ name: 'a_1_b_1', key: { a: 1, b: 1 } }]);
      }),
      171,
    );
  });
});
