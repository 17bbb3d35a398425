/**
 * Each test file of this folder gets its own embedded server on a free port (or, with TEST_MONGODB_URI set, a real
 * mongod replica set, to check that the tests describe MongoDB's behaviour and not just ours) and a driver client.
 */
import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';
import { type EmbeddedServer, startEmbeddedServer } from '../../../src/embedded-db';
import { externalTestUri } from '../../support/env';

export interface Harness {
  uri: string;
  client: MongoClient;
  /** The embedded server, or undefined when the tests run against TEST_MONGODB_URI. */
  server?: EmbeddedServer;
  db(name?: string): Db;
  /** Another client, closed by the harness after the file. */
  newClient(options?: MongoClientOptions): Promise<MongoClient>;
  /** Runs before the harness closes its clients and server (Jest runs afterAll hooks in declaration order). */
  onClose(fn: () => Promise<unknown>): void;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in by beforeAll. */
export function useServer(clientOptions: MongoClientOptions = {}): Harness {
  const extra: MongoClient[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const dbName = `server_test_${process.env.JEST_WORKER_ID ?? '1'}_${Math.random().toString(36).slice(2, 8)}`;
  const harness = {
    db(name?: string) {
      return harness.client.db(name ?? dbName);
    },
    async newClient(options: MongoClientOptions = {}) {
      const client = new MongoClient(harness.uri, { serverSelectionTimeoutMS: 5000, ...options });
      await client.connect();
      extra.push(client);
      return client;
    },
    onClose(fn: () => Promise<unknown>) {
      closers.push(fn);
    },
  } as Harness;

  beforeAll(async () => {
    const external = externalTestUri();
    if (external) {
      harness.uri = external;
    } else {
      harness.server = await startEmbeddedServer({ port: 0 });
      harness.uri = harness.server.uri;
    }
    harness.client = new MongoClient(harness.uri, { serverSelectionTimeoutMS: 5000, ...clientOptions });
    await harness.client.connect();
  });

  afterAll(async () => {
    for (const close of closers) await close();
    await harness.client
      ?.db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await Promise.all(extra.map((c) => c.close()));
    await harness.client?.close();
    await harness.server?.close();
  });

  return harness;
}
