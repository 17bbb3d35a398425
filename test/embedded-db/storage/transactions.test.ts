import { DB, expectCode, findAll, ids, insertAll, inTxn, memoryStore } from './helpers';

describe('storage: transaction isolation', () => {
  test('when a transaction writes, then it reads its own writes and others do not see them until commit', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 'A', onHand: 10 }]);
    const txn = store.begin({ multiDocument: true });
    txn.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 4 });
    txn.insert(DB, 'bal', { _id: 'B', onHand: 6 });

    expect(txn.find(DB, 'bal', {}).docs).toEqual([
      { _id: 'A', onHand: 4 },
      { _id: 'B', onHand: 6 },
    ]);
    expect(txn.find(DB, 'bal', { onHand: { $gt: 5 } }).docs).toEqual([{ _id: 'B', onHand: 6 }]);
    expect(findAll(store, 'bal').docs).toEqual([{ _id: 'A', onHand: 10 }]);

    await txn.commit();
    expect(findAll(store, 'bal').docs).toEqual([
      { _id: 'A', onHand: 4 },
      { _id: 'B', onHand: 6 },
    ]);
  });

  test('when another transaction commits after a snapshot began, then the snapshot keeps seeing the old versions', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'bal', [{ name: 'w_1', key: { w: 1 } }]);
    await insertAll(store, 'bal', [
      { _id: 1, w: 'X', q: 1 },
      { _id: 2, w: 'X', q: 2 },
    ]);
    const reader = store.begin({ multiDocument: true });
    expect(reader.find(DB, 'bal', { w: 'X' }).docs).toHaveLength(2);

    await inTxn(store, (t) => {
      t.replace(DB, 'bal', { _id: 1 }, { _id: 1, w: 'Y', q: 10 });
      t.remove(DB, 'bal', { _id: 2 });
      t.insert(DB, 'bal', { _id: 3, w: 'X', q: 3 });
    });

    expect(reader.find(DB, 'bal', { w: 'X' }).docs).toEqual([
      { _id: 1, w: 'X', q: 1 },
      { _id: 2, w: 'X', q: 2 },
    ]);
    expect(reader.find(DB, 'bal', { _id: 1 }).docs).toEqual([{ _id: 1, w: 'X', q: 1 }]);
    expect(reader.find(DB, 'bal', { _id: 3 }).docs).toEqual([]);
    reader.abort();
    expect(ids(findAll(store, 'bal', { w: 'X' }).docs)).toEqual([3]);
  });

  test('when two transactions write the same document, then the second writer gets a transient WriteConflict', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 'A', onHand: 10 }]);
    const first = store.begin({ multiDocument: true });
    const second = store.begin({ multiDocument: true });
    first.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 9 });
    const err = expectCode(() => second.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 8 }), 112);
    expect(err.errorLabels).toEqual(['TransientTransactionError']);
    second.abort();
    await first.commit();
    expect(findAll(store, 'bal').docs).toEqual([{ _id: 'A', onHand: 9 }]);
  });

  test('when a document changed after a transaction began, then writing it conflicts even though nobody holds it', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 'A', onHand: 10 }]);
    const late = store.begin({ multiDocument: true });
    await inTxn(store, (t) => t.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 1 }));
    expectCode(() => late.remove(DB, 'bal', { _id: 'A' }), 112);
    late.abort();
  });

  test('when two transactions insert the same unique key, then the second conflicts; after an abort it may proceed', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'users', [{ name: 'email_1', key: { email: 1 }, unique: true }]);
    const first = store.begin({ multiDocument: true });
    const second = store.begin({ multiDocument: true });
    first.insert(DB, 'users', { _id: 1, email: 'a' });
    expectCode(() => second.insert(DB, 'users', { _id: 2, email: 'a' }), 112);
    second.abort();
    first.abort();
    await inTxn(store, (t) => t.insert(DB, 'users', { _id: 2, email: 'a' }));
    expect(ids(findAll(store, 'users').docs)).toEqual([2]);
  });

  test('when a transaction inserts a unique key twice itself, then it gets DuplicateKey', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'users', [{ name: 'email_1', key: { email: 1 }, unique: true }]);
    const txn = store.begin({ multiDocument: true });
    txn.insert(DB, 'users', { _id: 1, email: 'a' });
    expectCode(() => txn.insert(DB, 'users', { _id: 2, email: 'a' }), 11000);
    // Freeing the key inside the transaction lets another document take it.
    txn.replace(DB, 'users', { _id: 1 }, { _id: 1, email: 'b' });
    txn.insert(DB, 'users', { _id: 2, email: 'a' });
    await txn.commit();
    expect(findAll(store, 'users', { email: 'a' }).docs).toEqual([{ _id: 2, email: 'a' }]);
  });

  test('when a transaction is aborted, then none of its writes remain and it cannot be used again', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 'A', onHand: 10 }]);
    const txn = store.begin({ multiDocument: true });
    txn.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 0 });
    txn.insert(DB, 'bal', { _id: 'B' });
    txn.abort();
    txn.abort();
    expect(txn.state).toBe('aborted');
    expect(findAll(store, 'bal').docs).toEqual([{ _id: 'A', onHand: 10 }]);
    await expect(txn.commit()).rejects.toMatchObject({ code: 251 });
    // Its lock is gone: another writer succeeds.
    await inTxn(store, (t) => t.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 3 }));
  });

  test('when a single statement conflicts with an open transaction, then waitForWriteConflict resolves at its end', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 'A', onHand: 10 }]);
    const long = store.begin({ multiDocument: true });
    long.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 5 });
    const single = store.begin();
    let conflict: unknown;
    try {
      single.replace(DB, 'bal', { _id: 'A' }, { _id: 'A', onHand: 7 });
    } catch (err) {
      conflict = err;
    }
    single.abort();
    expect(conflict).toMatchObject({ code: 112, errorLabels: [] });
    let released = false;
    const waiting = store.waitForWriteConflict?.(conflict, 5000).then(() => {
      released = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    await long.commit();
    await waiting;
    expect(released).toBe(true);
    // The retry sees the committed value.
    await inTxn(store, (t) => {
      const [a] = t.find(DB, 'bal', { _id: 'A' }).docs;
      t.replace(DB, 'bal', a, { ...a, onHand: Number(a.onHand) + 1 });
    });
    expect(findAll(store, 'bal').docs).toEqual([{ _id: 'A', onHand: 6 }]);
  });

  test('when an index is created while a transaction holds a duplicate, then its commit fails with DuplicateKey', async () => {
    const store = await memoryStore();
    await insertAll(store, 'users', [{ _id: 1, email: 'a' }]);
    const txn = store.begin({ multiDocument: true });
    txn.insert(DB, 'users', { _id: 2, email: 'a' });
    await store.createIndexes(DB, 'users', [{ name: 'email_1', key: { email: 1 }, unique: true }]);
    await expect(txn.commit()).rejects.toMatchObject({ code: 11000 });
    expect(ids(findAll(store, 'users').docs)).toEqual([1]);
  });

  test('when a snapshot outlives many commits, then it keeps its version and a new snapshot sees the latest', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 1, n: 0 }]);
    const reader = store.begin({ multiDocument: true });
    for (let i = 1; i <= 50; i++) await inTxn(store, (t) => t.replace(DB, 'bal', { _id: 1 }, { _id: 1, n: i }));
    expect(reader.find(DB, 'bal', {}).docs).toEqual([{ _id: 1, n: 0 }]);
    reader.abort();
    const fresh = store.begin();
    expect(fresh.find(DB, 'bal', {}).docs).toEqual([{ _id: 1, n: 50 }]);
    fresh.abort();
  });
});

describe('storage: a transaction begun at an earlier commit (readConcern atClusterTime)', () => {
  test('when an open snapshot holds the history, then it reads that commit, a change since conflicts, and the history outlives the holder', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'bal', [{ name: 'w_1', key: { w: 1 } }]);
    await insertAll(store, 'bal', [{ _id: 1, w: 'X', q: 1 }]);
    const at = store.lastCommitSeq();
    const holder = store.begin();
    await inTxn(store, (t) => t.replace(DB, 'bal', { _id: 1 }, { _id: 1, w: 'Y', q: 2 }));
    await inTxn(store, (t) => t.insert(DB, 'bal', { _id: 2, w: 'X', q: 3 }));

    const txn = store.begin({ multiDocument: true, atSeq: at });
    expect(txn.startSeq).toBe(at);
    holder.abort(); // the transaction itself now holds the versions it reads
    await inTxn(store, (t) => t.replace(DB, 'bal', { _id: 2 }, { _id: 2, w: 'Z', q: 4 }));
    expect(txn.find(DB, 'bal', {}).docs).toEqual([{ _id: 1, w: 'X', q: 1 }]);
    expect(txn.find(DB, 'bal', { w: 'X' }).docs).toEqual([{ _id: 1, w: 'X', q: 1 }]);
    expectCode(() => txn.replace(DB, 'bal', { _id: 1 }, { _id: 1, w: 'X', q: 5 }), 112);
    txn.abort();
    expect(findAll(store, 'bal').docs).toEqual([
      { _id: 1, w: 'Y', q: 2 },
      { _id: 2, w: 'Z', q: 4 },
    ]);
  });

  test('when nothing holds the versions changed since that commit, then beginning there answers SnapshotTooOld', async () => {
    const store = await memoryStore();
    await insertAll(store, 'bal', [{ _id: 1, q: 1 }]);
    const at = store.lastCommitSeq();
    await inTxn(store, (t) => t.replace(DB, 'bal', { _id: 1 }, { _id: 1, q: 2 }));
    expectCode(() => store.begin({ multiDocument: true, atSeq: at }), 239);
    const latest = store.begin({ multiDocument: true, atSeq: store.lastCommitSeq() });
    expect(latest.find(DB, 'bal', {}).docs).toEqual([{ _id: 1, q: 2 }]);
    latest.abort();
  });
});
