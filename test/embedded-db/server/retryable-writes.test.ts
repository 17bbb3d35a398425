/**
 * Retryable writes: the driver sends `txnNumber` without `autocommit`; a repeat of the same (lsid, txnNumber) must
 * answer the first reply and not apply the write again. The command is replayed by hand over a raw connection,
 * because the driver rewrites lsid and txnNumber on every command it sends.
 */
import { Long, UUID } from 'mongodb';
import { useServer } from './harness';
import { RawConnection } from './raw-wire';

const h = useServer();
let raw: RawConnection;

beforeAll(async () => {
  raw = await RawConnection.connect(h.uri);
});
afterAll(() => raw.close());

const lsid = () => ({ id: new UUID().toBinary() });
const send = (command: Record<string, unknown>) => raw.command({ ...command, $db: h.db().databaseName });

test('when the same retryable insert is sent twice, then it is applied once and both replies agree', async () => {
  const coll = h.db().collection('retry_insert');
  const command = {
    insert: coll.collectionName,
    documents: [{ _id: 'once', v: 1 }],
    lsid: lsid(),
    txnNumber: Long.fromNumber(7),
  };
  const first = await send(command);
  const second = await send(command);
  expect(first).toMatchObject({ ok: 1, n: 1 });
  expect(second).toMatchObject({ ok: 1, n: 1 });
  expect(second.writeErrors).toBeUndefined();
  expect(await coll.countDocuments({ _id: 'once' as never })).toBe(1);
});

test('when the same retryable $inc is sent twice, then it is applied once; a newer txnNumber applies again', async () => {
  const coll = h.db().collection('retry_inc');
  await coll.insertOne({ _id: 'c' as never, n: 0 });
  const command = {
    update: coll.collectionName,
    updates: [{ q: { _id: 'c' }, u: { $inc: { n: 1 } } }],
    lsid: lsid(),
    txnNumber: Long.fromNumber(1),
  };
  expect(await send(command)).toMatchObject({ ok: 1, n: 1, nModified: 1 });
  expect(await send(command)).toMatchObject({ ok: 1, n: 1, nModified: 1 });
  expect(await coll.findOne({ _id: 'c' as never })).toEqual({ _id: 'c', n: 1 });
  await send({ ...command, txnNumber: Long.fromNumber(2) });
  expect(await coll.findOne({ _id: 'c' as never })).toEqual({ _id: 'c', n: 2 });
});

test('when the same retryable findAndModify is sent twice, then the second reply returns the first result', async () => {
  const coll = h.db().collection('retry_fam');
  await coll.insertOne({ _id: 'q' as never, qty: 10 });
  const command = {
    findAndModify: coll.collectionName,
    query: { _id: 'q' },
    update: { $inc: { qty: -3 } },
    new: true,
    lsid: lsid(),
    txnNumber: Long.fromNumber(3),
  };
  const first = await send(command);
  const second = await send(command);
  expect(first.value).toEqual({ _id: 'q', qty: 7 });
  expect(second.value).toEqual({ _id: 'q', qty: 7 });
  expect(await coll.findOne({ _id: 'q' as never })).toEqual({ _id: 'q', qty: 7 });
});

test('when an older txnNumber arrives after a newer one, then it is refused as TransactionTooOld', async () => {
  const session = lsid();
  const coll = h.db().collection('retry_old');
  await send({ insert: coll.collectionName, documents: [{ a: 1 }], lsid: session, txnNumber: Long.fromNumber(5) });
  const reply = await send({
    insert: coll.collectionName,
    documents: [{ a: 2 }],
    lsid: session,
    txnNumber: Long.fromNumber(4),
  });
  expect(reply).toMatchObject({ ok: 0, code: 225 });
  expect(await coll.countDocuments()).toBe(1);
});

test('when the driver sends retryable writes itself, then ordinary writes work with retryWrites on', async () => {
  const client = await h.newClient({ retryWrites: true });
  const coll = client.db(h.db().databaseName).collection('retry_driver');
  await coll.insertOne({ _id: 1 as never });
  await coll.updateOne({ _id: 1 as never }, { $set: { a: 1 } });
  await coll.findOneAndUpdate({ _id: 1 as never }, { $inc: { b: 1 } });
  await coll.deleteOne({ _id: 1 as never });
  expect(await coll.countDocuments()).toBe(0);
});
