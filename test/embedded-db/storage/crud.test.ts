import { Int32, Long, ObjectId } from 'bson';
import { DB, expectCode, findAll, ids, insertAll, inTxn, memoryStore } from './helpers';

describe('storage: documents through transactions', () => {
  test('when documents are inserted and committed, then a new transaction finds them by _id and by filter', async () => {
    const store = await memoryStore();
    const oid = new ObjectId();
    await insertAll(store, 'items', [
      { _id: oid, sku: 'RICE-25', qty: new Int32(10) },
      { _id: 2, sku: 'OIL-5', qty: new Long(3) },
    ]);

    expect(findAll(store, 'items', { _id: new ObjectId(oid.toHexString()) }).docs).toEqual([
      { _id: oid, sku: 'RICE-25', qty: new Int32(10) },
    ]);
    expect(findAll(store, 'items', { sku: 'OIL-5' }).docs.map((d) => d._id)).toEqual([2]);
    expect(store.countCommitted(DB, 'items')).toBe(2);
    expect(store.listCollections(DB).map((c) => c.name)).toEqual(['items']);
  });

  test('when a document is replaced and another removed, then readers see the new state', async () => {
    const store = await memoryStore();
    await insertAll(store, 'items', [
      { _id: 1, qty: 5 },
      { _id: 2, qty: 7 },
    ]);
    await inTxn(store, (txn) => {
      const [one] = txn.find(DB, 'items', { _id: 1 }).docs;
      txn.replace(DB, 'items', one, { _id: 1, qty: 0 });
      const [two] = txn.find(DB, 'items', { _id: 2 }).docs;
      txn.remove(DB, 'items', two);
    });
    expect(findAll(store, 'items').docs).toEqual([{ _id: 1, qty: 0 }]);
  });

  test('when _id values are equal numbers of different types, then they are the same document', async () => {
    const store = await memoryStore();
    await insertAll(store, 'items', [{ _id: new Int32(7) }]);
    const err = expectCode(() => store.begin().insert(DB, 'items', { _id: 7.0 }), 11000);
    expect(err.message).toMatch(/index: _id_ dup key: \{ _id: 7 \}/);
    expect(findAll(store, 'items', { _id: new Long(7) }).docs).toHaveLength(1);
  });

  test('when a replacement changes _id, then it is refused with ImmutableField', async () => {
    const store = await memoryStore();
    await insertAll(store, 'items', [{ _id: 1 }]);
    const txn = store.begin();
    expectCode(() => txn.replace(DB, 'items', { _id: 1 }, { _id: 2 }), 66);
    txn.abort();
  });

  test('when collections and databases are created and dropped, then the catalog follows', async () => {
    const store = await memoryStore();
    await store.createCollection(DB, 'a', { capped: false });
    await expect(store.createCollection(DB, 'a', {})).rejects.toMatchObject({ code: 48 });
    await insertAll(store, 'b', [{ _id: 1 }]);
    expect(store.listDatabases().find((d) => d.name === DB)).toMatchObject({ empty: false });
    expect(await store.dropCollection(DB, 'b')).toBe(true);
    expect(await store.dropCollection(DB, 'b')).toBe(false);
    expect(store.listCollections(DB).map((c) => c.name)).toEqual(['a']);
    await store.dropDatabase(DB);
    expect(store.listDatabases()).toEqual([]);
  });

  test('when an insert into a new collection is aborted, then the collection does not linger', async () => {
    const store = await memoryStore();
    const txn = store.begin();
    txn.insert(DB, 'ghost', { _id: 1 });
    txn.abort();
    expect(store.listCollections(DB)).toEqual([]);
    expect(ids(findAll(store, 'ghost').docs)).toEqual([]);
  });
});
