/**
 * Chooses and opens the database: a real MongoDB (replica set) when MONGODB_URI is set, otherwise the embedded
 * MongoDB-compatible server started in this process on 127.0.0.1, on a worker thread of its own so that the API and
 * the database each get a core. Either way the rest of the code talks to it
 * through the same Mongoose connection, so nothing above this module knows which backend is in use.
 */
import mongoose from 'mongoose';
import type { Config } from '../config';
import { logger } from '../logger';

export type DatabaseBackend = 'embedded' | 'mongodb';

export interface DatabaseHandle {
  backend: DatabaseBackend;
  uri: string;
  close(): Promise<void>;
}

/** Database name used when the URI names none (the embedded server's URI never does). */
export const DEFAULT_DATABASE_NAME = 'asar';
const EMBEDDED_REPLICA_SET = 'asar';

let backendInUse: DatabaseBackend | null = null;

/** The backend the Mongoose connection was opened on, or null before connectMongoose. Used by /health. */
export function databaseBackend(): DatabaseBackend | null {
  return backendInUse;
}

/** True when the connection string names a database (`mongodb://host/asar?...`). */
export function uriNamesDatabase(uri: string): boolean {
  const afterHosts = uri.replace(/^mongodb(\+srv)?:\/\/[^/?]*/, '');
  return /^\/[^?/]+/.test(afterHosts);
}

/**
 * Opens the default Mongoose connection. `dbName` wins over the URI's database; without either, DEFAULT_DATABASE_NAME.
 * Shared by connectDatabase and the test harness so both connect the same way.
 */
export async function connectMongoose(
  uri: string,
  options: {
    backend: DatabaseBackend;
    dbName?: string;
    serverSelectionTimeoutMS?: number;
    /** Further driver options (tests: an appName that fail points target, command monitoring). */
    driverOptions?: mongoose.ConnectOptions;
  },
): Promise<typeof mongoose> {
  const dbName = options.dbName ?? (uriNamesDatabase(uri) ? undefined : DEFAULT_DATABASE_NAME);
  await mongoose.connect(uri, {
    ...options.driverOptions,
    dbName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
  });
  backendInUse = options.backend;
  return mongoose;
}

export async function disconnectMongoose(): Promise<void> {
  await mongoose.disconnect();
  backendInUse = null;
}

export async function connectDatabase(
  config: Pick<Config, 'mongodbUri' | 'dataDir' | 'embeddedDbPort' | 'embeddedDbUri'>,
): Promise<DatabaseHandle> {
  if (config.mongodbUri) {
    await connectMongoose(config.mongodbUri, { backend: 'mongodb' });
    return { backend: 'mongodb', uri: redactUri(config.mongodbUri), close: disconnectMongoose };
  }
  if (config.embeddedDbUri) {
    // A worker of `npm start`: the embedded database runs in the primary process, which owns and closes it.
    await connectMongoose(config.embeddedDbUri, { backend: 'embedded' });
    return { backend: 'embedded', uri: config.embeddedDbUri, close: disconnectMongoose };
  }
  const server = await startEmbeddedDatabase(config);
  try {
    await connectMongoose(server.uri, { backend: 'embedded' });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    backend: 'embedded',
    uri: server.uri,
    async close() {
      await disconnectMongoose();
      await server.close();
    },
  };
}

/**
 * Starts the embedded database on a worker thread of this process, on the configured data directory, without
 * connecting to it: `npm start` runs it so in its primary process for the API workers (main.ts).
 */
export async function startEmbeddedDatabase(
  config: Pick<Config, 'dataDir' | 'embeddedDbPort'>,
): Promise<{ uri: string; close(): Promise<void> }> {
  const embeddedLog = logger.child({ component: 'embedded-db' });
  // Loaded lazily: a deployment on a real MongoDB never loads the embedded server's code.
  const { startEmbeddedServerThread } = await import('../embedded-db/thread');
  return startEmbeddedServerThread({
    port: config.embeddedDbPort,
    host: '127.0.0.1',
    dbPath: config.dataDir,
    replSetName: EMBEDDED_REPLICA_SET,
    log: (message, extra) => embeddedLog.info(extra ?? {}, message),
  });
}

/** The URI without its password, fit for a log line. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
