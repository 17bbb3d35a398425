/**
 * The compatibility suite talks to whatever server the test run uses (the embedded database, a mongod started by
 * mongodb-memory-server, or TEST_MONGODB_URI), through the official driver. It asserts what the MongoDB manual
 * documents, so it must pass unchanged against a real mongod.
 */
import { type Db, MongoClient } from 'mongodb';
import { testDatabaseName, testDatabaseUri } from '../support/env';

export interface CompatContext {
  client: MongoClient;
  db: Db;
}

/** Connects once per file; every test starts with an empty database. */
export function useCompatDatabase(options: { promoteValues?: boolean } = {}): CompatContext {
  const context = {} as CompatContext;
  beforeAll(async () => {
    context.client = new MongoClient(testDatabaseUri(), { promoteValues: options.promoteValues });
    await context.client.connect();
    context.db = context.client.db(testDatabaseName());
  });
  beforeEach(async () => {
    await context.db.dropDatabase();
  });
  afterAll(async () => {
    await context.client?.close();
  });
  return context;
}
