/**
 * Connecting Mongoose to this worker's test database, and emptying it between tests. Collections are emptied,
 * not dropped, so the indexes Mongoose built (unique constraints included) stay in force for every test.
 */
import mongoose from 'mongoose';
import { connectMongoose, disconnectMongoose } from '../../src/db/connection';
import { testBackend, testDatabaseName, testDatabaseUri } from './env';

/**
 * Connects the default Mongoose connection to `asar_test_<worker>`, empties it (by default) and builds the indexes
 * of every model compiled so far.
 */
export async function connectTestDatabase(
  options: { fresh?: boolean; driverOptions?: mongoose.ConnectOptions } = {},
): Promise<typeof mongoose> {
  await connectMongoose(testDatabaseUri(), {
    backend: testBackend(),
    dbName: testDatabaseName(),
    serverSelectionTimeoutMS: 10_000,
    driverOptions: options.driverOptions,
  });
  // Mongoose starts creating collections and indexes as soon as it connects: let that finish before dropping,
  // or the drop could race it, then build the indexes again on the empty database.
  await settleModelInit();
  if (options.fresh ?? true) {
    await mongoose.connection.dropDatabase();
    await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
  }
  return mongoose;
}

/** Waits for Mongoose's automatic creation of collections and indexes of every compiled model. */
async function settleModelInit(): Promise<void> {
  await Promise.allSettled(Object.values(mongoose.models).map((model) => model.init()));
}

/**
 * Makes sure every model compiled so far has its indexes, including models first imported after connecting
 * (Mongoose builds theirs in the background; this waits for it and surfaces a failure).
 */
export async function ensureIndexes(): Promise<void> {
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
}

/** Deletes every document of every collection of the worker's database; indexes stay. */
export async function clearDatabase(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(
    collections.filter(({ name }) => !name.startsWith('system.')).map(({ name }) => db.collection(name).deleteMany({})),
  );
}

export async function disconnectTestDatabase(): Promise<void> {
  await disconnectMongoose();
}

/**
 * For test files that use Mongoose without HTTP: connect before the file, empty the database before each test,
 * disconnect after the file.
 */
export function useTestDatabase(): void {
  beforeAll(async () => {
    await connectTestDatabase();
  });
  beforeEach(async () => {
    await ensureIndexes();
    await clearDatabase();
  });
  afterAll(async () => {
    await disconnectTestDatabase();
  });
}
