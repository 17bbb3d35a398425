import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Decimal128, Int32, Long, ObjectId } from 'bson';
import { open } from 'lmdb';
import { openStore } from '../../../src/embedded-db/storage';
import { LOCK_FILE } from '../../../src/embedded-db/storage/lock-file';
import { DATA_FILE } from '../../../src/embedded-db/storage/persistence';
import { DB, expectCodeAsync, findAll, insertAll, inTxn, tempDir } from './helpers';

describe('storage: durability on a data directory', () => {
  test('when the store is closed and reopened, then documents, types, collections and indexes are back', async () => {
    const dir = tempDir();
    const oid = new ObjectId();
    const first = await openStore({ dbPath: dir });
    await first.createCollection(DB, 'empty', { validator: { a: new Int32(1) } });
    await first.createIndexes(DB, 'bal', [{ name: 'sku_1', key: { sku: 1 }, unique: true }]);
    await insertAll(first, 'bal', [
      { _id: oid, sku: 'RICE', onHand: Long.fromNumber(5), price: Decimal128.fromString('1.10') },
      { _id: 'x', sku: 'OIL' },
      { _id: 'gone', sku: 'SALT' },
    ]);
    await inTxn(first, (t) => {
      t.replace(DB, 'bal', { _id: 'x' }, { _id: 'x', sku: 'OIL', onHand: new Int32(2) });
      t.remove(DB, 'bal', { _id: 'gone' });
    });
    await first.createIndexes(DB, 'dropme', [{ name: 'a_1', key: { a: 1 } }]);
    await insertAll(first, 'dropme', [{ _id: 1, a: 1 }]);
    await first.dropCollection(DB, 'dropme');
    await first.close();

    const second = await openStore({ dbPath: dir });
    expect(
      second
        .listCollections(DB)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['bal', 'empty']);
    expect(second.listCollections(DB).find((c) => c.name === 'empty')?.options).toEqual({
      validator: { a: new Int32(1) },
    });
    expect(second.listIndexes(DB, 'bal').map((i) => i.name)).toEqual(['_id_', 'sku_1']);
    const docs = findAll(second, 'bal').docs;
    expect(docs).toEqual(
      expect.arrayContaining([
        { _id: oid, sku: 'RICE', onHand: Long.fromNumber(5), price: Decimal128.fromString('1.10') },
        { _id: 'x', sku: 'OIL', onHand: new Int32(2) },
      ]),
    );
    expect(docs).toHaveLength(2);
    expect(docs[0].onHand).toBeInstanceOf(Long);
    expect(findAll(second, 'bal', { sku: 'RICE' }).plan).toMatchObject({ stage: 'IXSCAN', indexName: 'sku_1' });
    await expectCodeAsync(
      inTxn(second, (t) => t.insert(DB, 'bal', { _id: 9, sku: 'OIL' })),
      11000,
    );
    expect(findAll(second, 'dropme').docs).toEqual([]);
    await second.close();
  });

  test('when a data directory is open, then a second open is refused with a clear message, and close releases it', async () => {
    const dir = tempDir();
    const store = await openStore({ dbPath: dir });
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    await expect(openStore({ dbPath: dir })).rejects.toThrow(/already open in this process/);
    await store.close();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await openStore({ dbPath: dir });
    await again.close();
  });

  test('when another live process holds the lock, then opening is refused; when it died, the lock is taken over', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid }));
      await expect(openStore({ dbPath: dir })).rejects.toThrow(
        new RegExp(`in use by another database process \\(pid ${child.pid}`),
      );
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const logs: string[] = [];
    const store = await openStore({ dbPath: dir, log: (msg) => logs.push(msg) });
    expect(logs.some((m) => m.includes('stale lock'))).toBe(true);
    await store.close();
  });

  test('when a stored record is corrupt, then startup skips it with a log line and serves the rest', async () => {
    const dir = tempDir();
    const store = await openStore({ dbPath: dir });
    await insertAll(store, 'bal', [
      { _id: 1, a: 1 },
      { _id: 2, a: 2 },
    ]);
    await store.close();

    const raw = open<Buffer, (string | number)[]>({ path: path.join(dir, DATA_FILE), encoding: 'binary' });
    const keys = [...raw.getKeys({ start: ['d'], end: ['d', '\uffff'] })];
    expect(keys).toHaveLength(2);
    await raw.put(keys[0], Buffer.from([0x05, 0, 0, 0, 0xff, 0x13]));
    await raw.close();

    const logs: { msg: string; extra?: object }[] = [];
    const reopened = await openStore({ dbPath: dir, log: (msg, extra) => logs.push({ msg, extra }) });
    expect(findAll(reopened, 'bal').docs).toHaveLength(1);
    expect(logs.map((l) => l.msg)).toContain('embedded-db: skipping an undecodable document record');
    await reopened.close();
    // Set aside, not deleted, and not reported again.
    const logs2: string[] = [];
    const third = await openStore({ dbPath: dir, log: (msg) => logs2.push(msg) });
    expect(logs2.filter((m) => m.includes('undecodable'))).toEqual([]);
    await third.close();
  });

  test('when garbage is appended to the data file (a torn tail), then the last committed state opens intact', async () => {
    const dir = tempDir();
    const store = await openStore({ dbPath: dir });
    await insertAll(
      store,
      'bal',
      Array.from({ length: 100 }, (_, i) => ({ _id: i, v: 'x'.repeat(50) })),
    );
    await store.close();
    fs.appendFileSync(path.join(dir, DATA_FILE), Buffer.alloc(8192, 0xab));
    const reopened = await openStore({ dbPath: dir });
    expect(reopened.countCommitted(DB, 'bal')).toBe(100);
    await inTxn(reopened, (t) => t.insert(DB, 'bal', { _id: 100 }));
    await reopened.close();
  });
});
