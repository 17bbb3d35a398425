import { parseCollation } from '../../../src/embedded-db/query/collation';
import { openStore } from '../../../src/embedded-db/storage';
import {
  DB,
  expectCode,
  expectCodeAsync,
  findAll,
  insertAll,
  inTxn,
  memoryStore,
  removeTempDirs,
  tempDir,
} from './helpers';

const caseInsensitive = parseCollation({ locale: 'en', strength: 2 })?.spec;

afterAll(removeTempDirs);

describe('storage: unique indexes with a collation', () => {
  test('when two transactions insert e-mails equal under the collation, then the second conflicts', async () => {
    const store = await memoryStore();
    await store.createIndexes(DB, 'users', [
      { name: 'email_1', key: { email: 1 }, unique: true, collation: caseInsensitive },
    ]);
    const first = store.begin({ multiDocument: true });
    const second = store.begin({ multiDocument: true });
    first.insert(DB, 'users', { _id: 1, email: 'aigul@example.kz' });
    expectCode(() => second.insert(DB, 'users', { _id: 2, email: 'AIGUL@example.kz' }), 112);
    second.abort();
    await first.commit();
    await expectCodeAsync(
      inTxn(store, (t) => t.insert(DB, 'users', { _id: 3, email: 'Aigul@Example.KZ' })),
      11000,
    );
  });

  test('when one transaction writes two keys equal under the collation, then its commit fails with 11000', async () => {
    const store = await memoryStore();
    const txn = store.begin({ multiDocument: true });
    txn.insert(DB, 'users', { _id: 1, email: 'a@x.kz' });
    txn.insert(DB, 'users', { _id: 2, email: 'A@X.KZ' });
    // The index is built after the writes, so only the commit's validation can see the clash.
    await store.createIndexes(DB, 'users', [
      { name: 'email_1', key: { email: 1 }, unique: true, collation: caseInsensitive },
    ]);
    await expectCodeAsync(txn.commit(), 11000);
    expect(findAll(store, 'users').docs).toEqual([]);
  });

  test('when the store reopens, then a collated index keeps its order and its uniqueness', async () => {
    const dir = tempDir();
    const first = await openStore({ dbPath: dir });
    await first.createIndexes(DB, 'users', [
      { name: 'email_1', key: { email: 1 }, unique: true, collation: caseInsensitive },
    ]);
    await insertAll(first, 'users', [
      { _id: 1, email: 'b@x.kz' },
      { _id: 2, email: 'A@x.kz' },
    ]);
    await first.close();
    const second = await openStore({ dbPath: dir });
    // Stored numbers come back as BSON Int32: the same collation once parsed.
    expect(parseCollation(second.listIndexes(DB, 'users')[1].collation)?.spec).toEqual(caseInsensitive);
    await expectCodeAsync(
      inTxn(second, (t) => t.insert(DB, 'users', { _id: 3, email: 'B@X.KZ' })),
      11000,
    );
    const txn = second.begin();
    const { docs, plan } = txn.find(
      DB,
      'users',
      { email: 'a@X.kz' },
      { collation: parseCollation(caseInsensitive)?.compare },
    );
    txn.abort();
    expect(docs.map((d) => d.email)).toEqual(['A@x.kz']);
    expect(plan).toMatchObject({ stage: 'IXSCAN', indexName: 'email_1' });
    await second.close();
  });
});
