/**
 * The only place tests read the environment. The Jest globalSetup chooses one database server for the run and
 * exports its URI; every worker then uses its own database on it, so test files in parallel never see each
 * other's data.
 */
import { randomBytes } from 'node:crypto';

export type TestBackend = 'embedded' | 'mongodb';

const URI_VARIABLE = 'ASAR_TEST_MONGODB_URI';
const BACKEND_VARIABLE = 'ASAR_TEST_BACKEND';
const FAILURE_VARIABLE = 'ASAR_TEST_DATABASE_FAILURE';

/** TEST_MONGODB_URI: run the tests against this server instead of starting one. */
export function externalTestUri(): string | undefined {
  return process.env.TEST_MONGODB_URI || undefined;
}

/** MONGOMS_SYSTEM_BINARY: a mongod binary mongodb-memory-server may start. */
export function mongodSystemBinary(): string | undefined {
  return process.env.MONGOMS_SYSTEM_BINARY || undefined;
}

/** Called by the globalSetup once the server is up; workers inherit the environment. */
export function exportTestServer(uri: string, backend: TestBackend): void {
  process.env[URI_VARIABLE] = uri;
  process.env[BACKEND_VARIABLE] = backend;
}

/**
 * One pair of personal-data keys for the whole run, unless the environment sets them: workers inherit them, and so
 * do the processes they start. The browser tests load the demo data with the real `npm run seed` in a child process;
 * the families it registers are sealed with these keys, which the worker's app must share to open them (without them
 * each process would draw keys of its own, and listing those families would fail).
 */
export function exportPersonalDataKeys(): void {
  process.env.ASAR_PERSONAL_DATA_KEY ||= randomBytes(32).toString('base64');
  process.env.ASAR_PERSONAL_DATA_HASH_SECRET ||= randomBytes(32).toString('base64');
}

/** Called by the globalSetup when no server could be started. */
export function exportTestServerFailure(reason: string): void {
  process.env[FAILURE_VARIABLE] = reason;
}

/** URI of the run's database server (without a database name). */
export function testDatabaseUri(): string {
  const uri = process.env[URI_VARIABLE];
  if (uri) return uri;
  const failure = process.env[FAILURE_VARIABLE];
  throw new Error(
    failure
      ? `No test database: ${failure}`
      : `${URI_VARIABLE} is not set: run the tests through Jest (its globalSetup starts the database)`,
  );
}

export function testBackend(): TestBackend {
  return process.env[BACKEND_VARIABLE] === 'mongodb' ? 'mongodb' : 'embedded';
}

/** This worker's database: `asar_test_<JEST_WORKER_ID>`. */
export function testDatabaseName(): string {
  return `asar_test_${process.env.JEST_WORKER_ID ?? '1'}`;
}
