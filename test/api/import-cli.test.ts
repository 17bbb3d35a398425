/**
 * The command-line import and export (`npm run import`, `npm run export`), run as an operator runs them: a process of
 * their own on the database (MONGODB_URI), with a file on disk.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { type Connection, Types } from 'mongoose';
import { ROOT } from '../support/api-process';
import { testDatabaseName, testDatabaseUri } from '../support/env';

jest.setTimeout(180_000);

const dbName = `${testDatabaseName()}_cli`;
let db: Connection;
let dir: string;

function uriOfDatabase(): string {
  const url = new URL(testDatabaseUri());
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function run(script: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ASAR_TOKEN_SECRET: 'cli-test-secret-that-is-long-enough-0123456789',
      MONGODB_URI: uriOfDatabase(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

beforeAll(async () => {
  db = await mongoose.createConnection(testDatabaseUri(), { dbName }).asPromise();
  await db.dropDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'asar-cli-'));
});

afterAll(async () => {
  await db.dropDatabase();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('when the command line imports a file with a bad row, then the dry run names it, all-or-nothing writes nothing and valid-only writes the rest', async () => {
  const file = path.join(dir, 'catalog.csv');
  writeFileSync(file, '\uFEFFSKU;Name EN;Category;Base unit\r\nCLI-1;Rice;food;kg\r\nCLI-2;Tea;spaceships;kg\r\n');
  const strict = await run('scripts/import.ts', ['items', file]);
  expect(strict.output).toContain('2 rows, 1 valid, 1 bad (separator ";")');
  expect(strict.output).toMatch(/row 3, column category: "category" must be one of/);
  expect(strict.code).toBe(1);
  expect(await db.collection('items').countDocuments()).toBe(0);

  const lenient = await run('scripts/import.ts', ['items', file, '--mode', 'valid_only']);
  expect(lenient.code).toBe(0);
  expect(lenient.output).toMatch(/: done, 1 rows written/);
  expect((await db.collection('items').find().toArray()).map((i) => i.sku)).toEqual(['CLI-1']);
});

test('when the command line exports the ledger of an organisation, then the file holds its entries as CSV', async () => {
  const organisationId = new Types.ObjectId();
  const at = new Date('2026-03-01T10:00:00Z');
  await db.collection('ledger_entries').insertOne({
    organisationId,
    warehouseId: new Types.ObjectId(),
    locationCode: null,
    itemId: new Types.ObjectId(),
    lot: null,
    expiryDate: null,
    condition: 'new',
    type: 'receipt',
    quantity: 12,
    unit: 'piece',
    balanceId: new Types.ObjectId(),
    balanceAfter: 12,
    operationId: new Types.ObjectId(),
    source: { type: 'donation', id: null, number: 'DN-2026-000001' },
    reason: null,
    note: null,
    actor: { kind: 'user', id: 'u1', name: 'Aigerim' },
    at,
    reverses: null,
    reversedBy: null,
  });
  const file = path.join(dir, 'ledger.csv');
  const exported = await run('scripts/export.ts', ['ledger', file, '--org', String(organisationId)]);
  expect(exported.code).toBe(0);
  expect(exported.output).toContain(`1 rows written to ${file}`);
  const lines = readFileSync(file, 'utf8').trimEnd().split(/\r?\n/);
  expect(lines[0]?.startsWith('\uFEFFat,type,warehouse')).toBe(true);
  expect(lines[1]).toContain(`${at.toISOString()},receipt`);
  expect(lines[1]).toContain('DN-2026-000001');
});
