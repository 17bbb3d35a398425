/**
 * What the README lists as not supported is refused with an error, never answered wrongly. These are the embedded
 * server's own answers (mongod supports these features), so the file starts its own embedded server.
 */
import { type Db, MongoClient } from 'mongodb';
import { type EmbeddedServer, startEmbeddedServer } from '../../../src/embedded-db';

let server: EmbeddedServer;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startEmbeddedServer({ port: 0 });
  client = new MongoClient(server.uri);
  await client.connect();
  db = client.db('unsupported');
});
afterAll(async () => {
  await client.close();
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<{ code?: number; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: { code?: number; message: string }) => e,
  );
  if (!error) throw new Error('expected the command to be refused');
  return error;
}

test.each([
  ['a time-series collection', { timeseries: { timeField: 'at' } }],
  ['a clustered collection', { clusteredIndex: { key: { _id: 1 }, unique: true } }],
  ['change-stream pre- and post-images', { changeStreamPreAndPostImages: { enabled: true } }],
  ['a capped collection', { capped: true, size: 4096 }],
  ['a view', { viewOn: 'other', pipeline: [] }],
  ['a validator', { validator: { qty: { $gte: 0 } } }],
])(
  'when create asks for %s, then it is refused with CommandNotSupported (115) and nothing is created',
  async (_what, options) => {
    const error = await failure(db.command({ create: 'refused', ...options }));
    expect(error.code).toBe(115);
    expect(await db.listCollections({ name: 'refused' }).toArray()).toEqual([]);
  },
);

test.each(['$currentOp', '$listLocalSessions', '$listSessions'])(
  'when a database-level aggregate starts with %s, then it is refused as an unknown stage (40324)',
  async (stage) => {
    const error = await failure(db.command({ aggregate: 1, pipeline: [{ [stage]: {} }], cursor: {} }));
    expect(error).toMatchObject({ code: 40324, message: `${stage} is not supported by the embedded database` });
  },
);

test.each([
  [
    '$setWindowFields',
    { sortBy: { at: 1 }, output: { n: { $sum: 1, window: { documents: ['unbounded', 'current'] } } } },
  ],
  ['$densify', { field: 'at', range: { step: 1, bounds: 'full' } }],
  ['$fill', { output: { qty: { value: 0 } } }],
  ['$graphLookup', { from: 'x', startWith: '$a', connectFromField: 'a', connectToField: 'b', as: 'c' }],
  ['$out', 'copy'],
  ['$redact', '$$KEEP'],
])(
  'when a pipeline uses %s, then it is refused as an unknown stage (40324) before anything runs',
  async (stage, spec) => {
    await db.collection('items').insertOne({ at: 1, qty: 1 });
    const error = await failure(
      db
        .collection('items')
        .aggregate([{ [stage]: spec }])
        .toArray(),
    );
    expect(error).toMatchObject({ code: 40324, message: `${stage} is not supported by the embedded database` });
    expect(await db.listCollections({ name: 'copy' }).toArray()).toEqual([]);
  },
);
