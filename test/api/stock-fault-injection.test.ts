/**
 * The application's retries under injected faults (the failCommand fail point, see test/support/fail-command.ts),
 * through real requests: a retryable write is retried by the driver and applied once, a transient transaction error
 * makes withTransaction run the request's transaction again, and a connection dropped inside a stock operation or at
 * its commit leaves the stock invariants intact and the Idempotency-Key replay exact.
 *
 * The app's connection carries its own appName, so a fail point touches only its commands, never another test
 * file's; against a real mongod (one fail point for the whole server) run this file alone.
 */
import { MongoClient } from 'mongodb';
import mongoose, { type ConnectOptions } from 'mongoose';
import { IdempotencyKey } from '../../src/http/idempotency';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { findInvariantViolations } from '../../src/modules/stock/stock.queries';
import { setupTestApp } from '../support/app';
import { testDatabaseUri } from '../support/env';
import { type FailCommandOptions, failCommand, failPointClientOptions } from '../support/fail-command';
import { bearer, given } from '../support/given-identity';
import { givenInventory } from '../support/given-inventory';

const appName = `asar-faults-${process.env.JEST_WORKER_ID ?? '1'}`;
// Mongoose bundles its own copy of the driver: the options are the same, the types are not.
const t = setupTestApp({}, { ...failPointClientOptions(appName), monitorCommands: true } as ConnectOptions);

/** A command of the app's connection that failed, as the driver saw it (each attempt, retries included). */
interface FailedCommand {
  commandName: string;
  failure: Error & { code?: number };
}
let failed: FailedCommand[] = [];
const recordFailure = (event: FailedCommand) => failed.push(event);
/** Configures the fail point; not under the app's appName, so its own commands are never failed. */
let admin: MongoClient;

beforeAll(async () => {
  mongoose.connection.getClient().on('commandFailed', recordFailure);
  admin = new MongoClient(testDatabaseUri());
  await admin.connect();
});
afterAll(async () => {
  mongoose.connection.getClient().off('commandFailed', recordFailure);
  await admin.close();
});
afterEach(async () => {
  await injected?.off();
  injected = undefined;
});

let injected: Awaited<ReturnType<typeof failCommand>> | undefined;

/** Arms the fail point for the app's connection (which the test's own reads share: arm it last). */
async function inject(options: Omit<FailCommandOptions, 'appName'>): Promise<void> {
  failed = [];
  injected = await failCommand(admin, { ...options, appName });
}

async function issueSetup() {
  const headers = bearer((await given.user({ role: 'warehouse' })).token);
  const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
  const issue = (key?: string) => {
    const request = t.api.post('/api/v1/stock/issues').set(headers);
    if (key) request.set('Idempotency-Key', key);
    return request.send({ warehouseId: warehouse.id, itemId: item.id, quantity: 3 });
  };
  const state = async () => {
    const balances = await StockBalance.find({ itemId: item.id }).lean();
    const issues = await LedgerEntry.countDocuments({ itemId: item.id, type: 'issue' });
    return { onHand: balances.reduce((sum, b) => sum + b.onHand, 0), issues };
  };
  return { issue, state };
}

function failures(commandName: string): FailedCommand[] {
  return failed.filter((event) => event.commandName === commandName);
}

test('when the Idempotency-Key claim fails once with a retryable write error, then the driver retries it and the issue is applied once', async () => {
  const { issue, state } = await issueSetup();
  await inject({ failCommands: ['insert'], errorCode: 6, errorLabels: ['RetryableWriteError'], times: 1 });
  const res = await issue('fault-retryable-claim');
  expect(res.status).toBe(201);
  expect(failures('insert').map((event) => event.failure.code)).toEqual([6]);
  expect(await state()).toEqual({ onHand: 7, issues: 1 });
  expect(await IdempotencyKey.countDocuments({ state: 'done' })).toBe(1);
  expect(await findInvariantViolations()).toEqual([]);
});

test('when a write inside the issue transaction fails with a TransientTransactionError, then withTransaction runs it again and it is applied once', async () => {
  const { issue, state } = await issueSetup();
  // The guarded balance decrement (findOneAndUpdate): the heart of the stock operation.
  await inject({
    failCommands: ['findAndModify'],
    errorCode: 112,
    errorLabels: ['TransientTransactionError'],
    times: 1,
  });
  const res = await issue();
  expect(res.status).toBe(201);
  const [conflict] = failures('findAndModify');
  expect(conflict?.failure.code).toBe(112);
  expect(await state()).toEqual({ onHand: 7, issues: 1 });
  expect(await findInvariantViolations()).toEqual([]);
});

test('when the connection drops inside an idempotent issue, then the retried transaction applies it once and the replay answers the same', async () => {
  const { issue, state } = await issueSetup();
  await inject({ failCommands: ['findAndModify'], closeConnection: true, times: 1 });
  const first = await issue('fault-dropped-balance');
  expect(first.status).toBe(201);
  expect(failures('findAndModify')).toHaveLength(1);
  const replay = await issue('fault-dropped-balance');
  expect(replay.status).toBe(201);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.body).toEqual(first.body);
  expect(await state()).toEqual({ onHand: 7, issues: 1 });
  expect(await findInvariantViolations()).toEqual([]);
});

test('when the connection drops at the commit of an idempotent issue, then the commit is retried, applied once, and the replay answers the same', async () => {
  const { issue, state } = await issueSetup();
  await inject({ failCommands: ['commitTransaction'], closeConnection: true, times: 1 });
  const first = await issue('fault-dropped-commit');
  expect(first.status).toBe(201);
  expect(failures('commitTransaction')).toHaveLength(1);
  const replay = await issue('fault-dropped-commit');
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.body).toEqual(first.body);
  expect(await state()).toEqual({ onHand: 7, issues: 1 });
  expect(await findInvariantViolations()).toEqual([]);
});
