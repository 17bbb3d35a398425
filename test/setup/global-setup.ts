/**
 * Starts ONE database server for the whole test run and exports its URI (see test/support/env.ts):
 *   1. TEST_MONGODB_URI, when set: any server you point the tests at (a real replica set);
 *   2. mongodb-memory-server's single-node replica set, only when a mongod binary is already on this machine
 *      (MONGOMS_SYSTEM_BINARY or its download cache): never waits on a download, which fails offline;
 *   3. otherwise the embedded database, in memory, inside this process.
 * The line it prints says which one the run used.
 *
 * The servers this setup starts run with test commands enabled (mongod's `--setParameter enableTestCommands=1`), so
 * that tests can inject faults with `configureFailPoint` / `failCommand`. The fail point is server-wide and workers
 * run in parallel: a test scopes it to its own client with `data.appName` (see test/support/fail-command.ts).
 */
import type { TestBackend } from '../support/env';
import {
  exportPersonalDataKeys,
  exportTestServer,
  exportTestServerFailure,
  externalTestUri,
  mongodSystemBinary,
} from '../support/env';

export interface RunningTestServer {
  description: string;
  stop(): Promise<void>;
}

declare global {
  // Shared with global-teardown.ts, which Jest runs in this same process.
  var __ASAR_TEST_SERVER__: RunningTestServer | undefined;
}

async function locateMongod(): Promise<string | undefined> {
  try {
    const { DryMongoBinary } = await import('mongodb-memory-server-core');
    const options = DryMongoBinary.getEnsuredOptions({ systemBinary: mongodSystemBinary() });
    return await DryMongoBinary.locateBinary(options);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    process.stdout.write(`\n[asar tests] no usable mongod (${reason})\n`);
    return undefined;
  }
}

async function startMemoryReplSet(binary: string): Promise<{ uri: string; server: RunningTestServer }> {
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const replSet = await MongoMemoryReplSet.create({
    binary: { systemBinary: binary },
    replSet: { count: 1, storageEngine: 'wiredTiger', args: ['--setParameter', 'enableTestCommands=1'] },
  });
  await replSet.waitUntilRunning();
  return {
    uri: replSet.getUri(),
    server: {
      description: `mongodb-memory-server replica set (${binary})`,
      stop: () => replSet.stop().then(() => undefined),
    },
  };
}

async function startEmbedded(): Promise<{ uri: string; server: RunningTestServer }> {
  const { startEmbeddedServer } = await import('../../src/embedded-db/server');
  const embedded = await startEmbeddedServer({ port: 0, host: '127.0.0.1', enableTestCommands: true });
  return { uri: embedded.uri, server: { description: 'embedded database (in memory)', stop: () => embedded.close() } };
}

export default async function globalSetup(): Promise<void> {
  exportPersonalDataKeys();
  let backend: TestBackend;
  let uri: string;
  let server: RunningTestServer;

  const external = externalTestUri();
  const mongod = external ? undefined : await locateMongod();
  if (external) {
    backend = 'mongodb';
    uri = external;
    server = { description: 'TEST_MONGODB_URI', stop: async () => {} };
  } else if (mongod) {
    backend = 'mongodb';
    ({ uri, server } = await startMemoryReplSet(mongod));
  } else {
    backend = 'embedded';
    try {
      ({ uri, server } = await startEmbedded());
    } catch (error) {
      // Tests that need no database still run; those that do fail with this reason (see testDatabaseUri()).
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      exportTestServerFailure(`the embedded database did not start: ${reason}`);
      process.stdout.write(`\n[asar tests] NO DATABASE: the embedded database did not start: ${reason}\n`);
      return;
    }
  }

  globalThis.__ASAR_TEST_SERVER__ = server;
  exportTestServer(uri, backend);
  process.stdout.write(`\n[asar tests] database: ${server.description} at ${uri.replace(/\/\/[^@/]*@/, '//***@')}\n`);
}
