/**
 * Fault injection through the test server's `failCommand` fail point (the Jest globalSetup starts every server with
 * test commands enabled; a real mongod given as TEST_MONGODB_URI needs `--setParameter enableTestCommands=1`).
 *
 * Test files run in parallel on one server, so a fail point is always scoped to one application name: connect the
 * client under test with `failPointClientOptions(appName)` (MongoClient or mongoose.connect options) and pass the same
 * name here. Turn it off after the test (`off()`), or use `times` so it ends by itself. The embedded database
 * keeps one configuration per appName; a real mongod keeps only one, so against it such files must not overlap
 * (run them with --maxWorkers=1).
 */
import os from 'node:os';
import type { MongoClient, MongoClientOptions } from 'mongodb';

/**
 * Options for the client a fail point targets. Under Jest the driver cannot load its `os` adapter (it uses a dynamic
 * `import()`, which Jest's CommonJS sandbox refuses) and then sends an empty handshake metadata, so the server never
 * learns the appName: passing the adapter explicitly restores it. Works for MongoClient and mongoose.connect alike.
 */
export function failPointClientOptions(appName: string): MongoClientOptions {
  return { appName, runtimeAdapters: { os } };
}

export interface FailCommandOptions {
  /** Commands to fail, by name: 'insert', 'update', 'findAndModify', 'commitTransaction', ... */
  failCommands: string[];
  /** The client's appName: only its connections are affected. */
  appName: string;
  /** How many matching commands fail (then the fail point turns itself off); default: until `off()`. */
  times?: number;
  /** Let this many matching commands through first. */
  skip?: number;
  errorCode?: number;
  /** Replace the labels the server would add (RetryableWriteError, TransientTransactionError). */
  errorLabels?: string[];
  /** Close the connection instead of answering (the command does not run). */
  closeConnection?: boolean;
  /** Hold the command this long before it runs (or fails). */
  blockTimeMS?: number;
  /** Run the command, then answer with this write concern error. */
  writeConcernError?: { code: number; errmsg: string };
}

export interface FailPointHandle {
  off(): Promise<void>;
}

/** `admin` is any client of the test server; it should not use `options.appName` itself. */
export async function failCommand(admin: MongoClient, options: FailCommandOptions): Promise<FailPointHandle> {
  const { times, skip, blockTimeMS, ...data } = options;
  const mode = times !== undefined ? { times } : skip !== undefined ? { skip } : 'alwaysOn';
  await admin.db('admin').command({
    configureFailPoint: 'failCommand',
    mode,
    data: { ...data, ...(blockTimeMS !== undefined ? { blockConnection: true, blockTimeMS } : {}) },
  });
  return {
    off: async () => {
      // mongod ignores `data` when turning off; the embedded database turns off only this appName's fail point.
      await admin
        .db('admin')
        .command({ configureFailPoint: 'failCommand', mode: 'off', data: { appName: options.appName } });
    },
  };
}
