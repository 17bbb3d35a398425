/** Decoding OP_MSG requests: the command document as sent, without the `$clusterTime` the driver gossips. */
import {
  Binary,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  serialize,
  Timestamp,
  UUID,
} from 'bson';
import { decodeOpMsg, readHeader } from '../../../src/embedded-db/wire/protocol';

function opMsg(document: Buffer): Buffer {
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + document.length, 0);
  header.writeInt32LE(2013, 12);
  return Buffer.concat([header, document]);
}

const decode = (message: Buffer) => decodeOpMsg(message, readHeader(message));

const clusterTime = {
  clusterTime: new Timestamp({ t: 1_700_000_000, i: 3 }),
  signature: { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO },
};

test('when a command carries $clusterTime among fields of every type, then the body holds the others, types intact, and not it', () => {
  const fields = {
    find: 'items',
    double: new Double(1.5),
    string: 'Қарағанды',
    filter: { sku: 'A-1', qty: { $gte: new Int32(3) } },
    array: [1, 'two', { three: 3 }],
    binary: new Binary(Buffer.from([1, 2, 3]), 4),
    id: new ObjectId('65f000000000000000000001'),
    flag: true,
    at: new Date('2026-01-02T03:04:05Z'),
    nothing: null,
    code: new Code('function () {}'),
    int: new Int32(7),
    ts: new Timestamp({ t: 5, i: 6 }),
    long: Long.fromNumber(8),
    decimal: Decimal128.fromString('9.25'),
    min: new MinKey(),
    max: new MaxKey(),
    lsid: { id: new UUID() },
  };
  const { body } = decode(opMsg(Buffer.from(serialize({ ...fields, $clusterTime: clusterTime, $db: 'asar' }))));
  expect(Object.keys(body)).toEqual([...Object.keys(fields), '$db']);
  expect(body.double).toBeInstanceOf(Double);
  expect(body.int).toBeInstanceOf(Int32);
  expect(body.long).toBeInstanceOf(Long);
  expect(body.string).toBe('Қарағанды');
  expect(body.filter).toEqual({ sku: 'A-1', qty: { $gte: new Int32(3) } });
  expect(body.decimal).toEqual(Decimal128.fromString('9.25'));
  expect(body.$db).toBe('asar');
});

test('when $clusterTime comes first or last, then the other fields are decoded all the same', () => {
  const first = decode(opMsg(Buffer.from(serialize({ $clusterTime: clusterTime, ping: 1, $db: 'admin' }))));
  expect(first.body).toEqual({ ping: new Int32(1), $db: 'admin' });
  const last = decode(opMsg(Buffer.from(serialize({ ping: 1, $db: 'admin', $clusterTime: clusterTime }))));
  expect(last.body).toEqual({ ping: new Int32(1), $db: 'admin' });
});

test('when fields of the types the walk leaves to the decoder (a regex) come first, then the command decodes as sent', () => {
  const { body } = decode(
    opMsg(
      Buffer.from(
        serialize({ find: 'items', pattern: new BSONRegExp('^ри', 'i'), $clusterTime: clusterTime, $db: 'asar' }),
      ),
    ),
  );
  expect(body.find).toBe('items');
  expect(body.pattern).toEqual(new BSONRegExp('^ри', 'i'));
  expect(body.$db).toBe('asar');
});

test('when $clusterTime is not a document, then it is decoded as sent', () => {
  const { body } = decode(opMsg(Buffer.from(serialize({ ping: 1, $clusterTime: 'soon', $db: 'admin' }))));
  expect(body.$clusterTime).toBe('soon');
});

test('when $clusterTime declares a length past the end of the command, then the command is refused as malformed', () => {
  const bytes = Buffer.from(serialize({ ping: 1, $clusterTime: clusterTime, $db: 'admin' }));
  const valueAt = bytes.indexOf(Buffer.from('$clusterTime\0')) + '$clusterTime\0'.length;
  bytes.writeInt32LE(bytes.length, valueAt);
  expect(() => decode(opMsg(bytes))).toThrow();
});

test('when the bytes after $clusterTime are malformed, then the command is refused as malformed', () => {
  const bytes = Buffer.from(serialize({ ping: 1, $clusterTime: clusterTime, name: 'abc', $db: 'admin' }));
  // The string `name` claims more bytes than it has.
  const nameAt = bytes.indexOf(Buffer.from('name\0')) + 'name\0'.length;
  bytes.writeInt32LE(1000, nameAt);
  expect(() => decode(opMsg(bytes))).toThrow();
});
