/**
 * Crash safety of the embedded database's durable storage (issue 3): a database process is killed with SIGKILL
 * at random moments while clients write; after each restart every acknowledged write must be there, no half of a
 * transaction may be visible, and the unique index must still hold.
 *
 * This test drives `scripts/db.ts` as a child process, the way an operator runs the database alone, so it tests the
 * real start-up path (lock file, recovery) and not an in-process shortcut. It always uses the embedded database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, MongoServerError } from 'mongodb';
import { freePort } from '../../support/free-port';

const ROOT = path.resolve(__dirname, '../../..');
const ROUNDS = 4;

jest.setTimeout(120_000);

function startDatabase(port: number, dbPath: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/db.ts', '--port', String(port), '--dbpath', dbPath],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

async function connectWhenReady(port: number, child: ChildProcess): Promise<MongoClient> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`database exited early with code ${child.exitCode}`);
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
      serverSelectionTimeoutMS: 500,
      retryWrites: false,
    });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

interface Acknowledged {
  singles: Set<number>;
  transactions: Set<number>;
}

/** Writes until the connection breaks, remembering what the server acknowledged. */
async function writeUntilKilled(client: MongoClient, round: number, acknowledged: Acknowledged): Promise<void> {
  const db = client.db('crash');
  const writers = Array.from({ length: 6 }, async (_, writer) => {
    for (let i = 0; ; i++) {
      const id = round * 1_000_000 + writer * 100_000 + i;
      try {
        if (i % 3 === 0) {
          // A two-document transaction: an order and its line must appear together or not at all.
          const session = client.startSession();
          try {
            await session.withTransaction(async () => {
              await db.collection('orders').insertOne({ _id: id, code: `O-${id}`, lines: 1 } as never, { session });
              await db.collection('order_lines').insertOne({ _id: id, orderId: id, qty: 5 } as never, { session });
            });
          } finally {
            await session.endSession().catch(() => undefined);
          }
          acknowledged.transactions.add(id);
        } else {
          await db.collection('items').insertOne({ _id: id, code: `I-${id}`, payload: 'x'.repeat(200) } as never);
          acknowledged.singles.add(id);
        }
      } catch {
        return; // the server is gone: anything not acknowledged may or may not be there
      }
    }
  });
  await Promise.all(writers);
}

describe('embedded database crash safety', () => {
  let dbPath: string;

  beforeAll(() => {
    dbPath = mkdtempSync(path.join(tmpdir(), 'asar-crash-'));
  });

  afterAll(() => {
    rmSync(dbPath, { recursive: true, force: true });
  });

  test('when the process is killed with SIGKILL during writes, then every acknowledged write survives the restart', async () => {
    const acknowledged: Acknowledged = { singles: new Set(), transactions: new Set() };

    for (let round = 1; round <= ROUNDS; round++) {
      const port = await freePort();
      const child = startDatabase(port, dbPath);
      const client = await connectWhenReady(port, child);
      if (round === 1) {
        await client.db('crash').collection('items').createIndex({ code: 1 }, { unique: true });
        await client.db('crash').collection('orders').createIndex({ code: 1 }, { unique: true });
      }
      const load = writeUntilKilled(client, round, acknowledged);
      // A different kill point each round: early, mid-load, later.
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 250) * round));
      await killHard(child);
      await load;
      await client.close(true).catch(() => undefined);
    }

    const port = await freePort();
    const child = startDatabase(port, dbPath);
    const client = await connectWhenReady(port, child);
    try {
      const db = client.db('crash');
      const items = new Set(
        (
          await db
            .collection('items')
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((d) => d._id as unknown as number),
      );
      const orders = new Set(
        (
          await db
            .collection('orders')
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((d) => d._id as unknown as number),
      );
      const lines = new Set(
        (
          await db
            .collection('order_lines')
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((d) => d._id as unknown as number),
      );

      expect(acknowledged.singles.size).toBeGreaterThan(0);
      expect(acknowledged.transactions.size).toBeGreaterThan(0);
      expect([...acknowledged.singles].filter((id) => !items.has(id))).toEqual([]);
      expect([...acknowledged.transactions].filter((id) => !orders.has(id))).toEqual([]);
      // Atomicity: no order without its line and no line without its order.
      expect([...orders].filter((id) => !lines.has(id))).toEqual([]);
      expect([...lines].filter((id) => !orders.has(id))).toEqual([]);

      // Counts agree with what a scan sees, and the unique indexes survived and still hold.
      expect(await db.collection('items').countDocuments()).toBe(items.size);
      const indexNames = (await db.collection('items').indexes()).map((index) => index.name);
      expect(indexNames).toContain('code_1');
      const [someId] = [...acknowledged.singles];
      const duplicate = db.collection('items').insertOne({ _id: -1, code: `I-${someId}` } as never);
      await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
      await expect(duplicate).rejects.toMatchObject({ code: 11000 });
      const byCode = await db
        .collection('items')
        .find({ code: `I-${someId}` })
        .explain('executionStats');
      expect(byCode.executionStats.totalDocsExamined).toBe(1);
    } finally {
      await client.close().catch(() => undefined);
      await killHard(child);
    }
  });

  test('when a second process opens a data directory in use, then it refuses with a clear message', async () => {
    const port = await freePort();
    const first = startDatabase(port, dbPath);
    const client = await connectWhenReady(port, first);
    try {
      const second = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/db.ts', '--port', String(await freePort()), '--dbpath', dbPath],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      second.stdout?.on('data', (chunk) => (output += chunk));
      second.stderr?.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(output).toMatch(/in use|locked/i);
    } finally {
      await client.close().catch(() => undefined);
      await killHard(first);
    }
  });
});
