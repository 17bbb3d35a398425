/**
 * Fault injection with the failCommand fail point (a test command: the test servers run with enableTestCommands).
 * Each test scopes the fail point to its own client through `appName`, as the drivers' own test suites do.
 */
import { MongoClient, MongoServerError } from 'mongodb';
import { testDatabaseName, testDatabaseUri } from '../support/env';
import { failCommand, failPointClientOptions } from '../support/fail-command';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();
let appName: string;
let target: MongoClient;

beforeEach(async () => {
  appName = `compat-fail-${process.env.JEST_WORKER_ID ?? '1'}-${Math.random().toString(36).slice(2, 8)}`;
  target = new MongoClient(testDatabaseUri(), failPointClientOptions(appName));
  await target.connect();
});
afterEach(async () => {
  await ctx.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off', data: { appName } });
  await target.close();
});

const items = () => target.db(testDatabaseName()).collection('items');

test('when a retryable insert fails once with a retryable error, then the driver retries and it is applied once', async () => {
  await failCommand(ctx.client, { appName, failCommands: ['insert'], errorCode: 91, times: 1 });
  await items().insertOne({ _id: 'once' } as never);
  expect(await ctx.db.collection('items').countDocuments({ _id: 'once' as never })).toBe(1);
});

test('when the connection is closed during a retryable update, then the retry applies the update once', async () => {
  await ctx.db.collection('items').insertOne({ _id: 'c', n: 0 } as never);
  await failCommand(ctx.client, { appName, failCommands: ['update'], closeConnection: true, times: 1 });
  await items().updateOne({ _id: 'c' as never }, { $inc: { n: 1 } });
  expect(await ctx.db.collection('items').findOne({ _id: 'c' as never })).toEqual({ _id: 'c', n: 1 });
});

test('when a command fails with a non-retryable code and labels, then the error carries both and nothing is written', async () => {
  await failCommand(ctx.client, {
    appName,
    failCommands: ['insert'],
    errorCode: 2,
    errorLabels: ['Custom'],
    times: 1,
  });
  const error = await items()
    .insertOne({ _id: 'x' } as never)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MongoServerError);
  expect((error as MongoServerError).code).toBe(2);
  expect((error as MongoServerError).hasErrorLabel('Custom')).toBe(true);
  expect(await ctx.db.collection('items').countDocuments()).toBe(0);
});

test('when a transient error fails a statement of a transaction, then withTransaction retries it and commits once', async () => {
  await ctx.db.createCollection('items');
  await failCommand(ctx.client, { appName, failCommands: ['insert'], errorCode: 112, times: 1 });
  const session = target.startSession();
  let attempts = 0;
  try {
    await session.withTransaction(async () => {
      attempts++;
      await items().insertOne({ attempt: attempts }, { session });
    });
  } finally {
    await session.endSession();
  }
  expect(attempts).toBe(2);
  expect(
    await ctx.db
      .collection('items')
      .find({}, { projection: { _id: 0 } })
      .toArray(),
  ).toEqual([{ attempt: 2 }]);
});

test('when times is 2 and skip is not set, then exactly the next two matching commands fail', async () => {
  await failCommand(ctx.client, { appName, failCommands: ['find'], errorCode: 2, times: 2 });
  const codes: (number | string)[] = [];
  for (let i = 0; i < 3; i++) {
    codes.push(
      await items()
        .findOne({})
        .then(() => 'ok')
        .catch((e: MongoServerError) => e.code as number),
    );
  }
  expect(codes).toEqual([2, 2, 'ok']);
});

test('when skip is 1, then the first matching command succeeds and the later ones fail', async () => {
  await failCommand(ctx.client, { appName, failCommands: ['find'], errorCode: 2, skip: 1 });
  await expect(items().findOne({})).resolves.toBeNull();
  await expect(items().findOne({})).rejects.toMatchObject({ code: 2 });
});

test('when the fail point names another appName, then this client is not affected', async () => {
  await ctx.client.db('admin').command({
    configureFailPoint: 'failCommand',
    mode: { times: 1 },
    data: { failCommands: ['find'], errorCode: 2, appName: `${appName}-other` },
  });
  try {
    await expect(items().findOne({})).resolves.toBeNull();
  } finally {
    await ctx.client
      .db('admin')
      .command({ configureFailPoint: 'failCommand', mode: 'off', data: { appName: `${appName}-other` } });
  }
});

test('when blockConnection is set, then the command answers only after blockTimeMS', async () => {
  await failCommand(ctx.client, { appName, failCommands: ['ping'], blockTimeMS: 300, times: 1 });
  const started = Date.now();
  await expect(target.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
});

test('when writeConcernError is set, then the write is applied and the driver reports the write concern error', async () => {
  await failCommand(ctx.client, {
    appName,
    failCommands: ['insert'],
    writeConcernError: { code: 100, errmsg: 'injected' },
    times: 1,
  });
  const error = await items()
    .insertOne({ _id: 'w' } as never)
    .catch((e: unknown) => e);
  expect((error as MongoServerError).code).toBe(100);
  expect(await ctx.db.collection('items').countDocuments({ _id: 'w' as never })).toBe(1);
});

test('when configureFailPoint is run on a database other than admin, then it is refused', async () => {
  await expect(ctx.db.command({ configureFailPoint: 'failCommand', mode: 'off' })).rejects.toMatchObject({ code: 13 });
});
