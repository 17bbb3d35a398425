/** The wire protocol itself: messages split across TCP chunks, several in one chunk, moreToCome, int64 cursor ids. */
import { Long, Timestamp } from 'mongodb';
import { useServer } from './harness';
import { encodeOpMsg, RawConnection } from './raw-wire';

const h = useServer();

test('when a message arrives one byte at a time, then it is answered once complete', async () => {
  const raw = await RawConnection.connect(h.uri);
  try {
    const bytes = encodeOpMsg({ ping: 1, $db: 'admin' });
    const reply = raw.nextReply();
    for (let i = 0; i < bytes.length; i++) {
      raw.write(bytes.subarray(i, i + 1));
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await reply).toMatchObject({ ok: 1 });
  } finally {
    raw.close();
  }
});

test('when several messages arrive in one chunk, then each is answered in order', async () => {
  const raw = await RawConnection.connect(h.uri);
  try {
    const replies = [raw.nextReply(), raw.nextReply(), raw.nextReply()];
    raw.write(
      Buffer.concat([
        encodeOpMsg({ ping: 1, $db: 'admin' }),
        encodeOpMsg({ nope: 1, $db: 'admin' }),
        encodeOpMsg({ hello: 1, $db: 'admin' }),
      ]),
    );
    const [a, b, c] = await Promise.all(replies);
    expect(a.ok).toBe(1);
    expect(b).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound' });
    expect(c.isWritablePrimary).toBe(true);
  } finally {
    raw.close();
  }
});

test('when moreToCome is set, then the server does not reply but applies the write', async () => {
  const raw = await RawConnection.connect(h.uri);
  const db = h.db().databaseName;
  try {
    const MORE_TO_COME = 2;
    raw.write(
      encodeOpMsg({ insert: 'wire_w0', documents: [{ _id: 1 }], writeConcern: { w: 0 }, $db: db }, MORE_TO_COME),
    );
    // The next reply on this connection belongs to the count, proving nothing answered the insert.
    const reply = await raw.command({ count: 'wire_w0', query: {}, $db: db });
    expect(reply.n).toBe(1);
  } finally {
    raw.close();
  }
});

test('when a cursor is returned, then its id is a BSON int64 even when zero', async () => {
  const raw = await RawConnection.connect(h.uri);
  try {
    const reply = await raw.command({ find: 'wire_none', filter: {}, $db: h.db().databaseName });
    expect(reply.cursor.id).toBeInstanceOf(Long);
    expect(reply.cursor.id.isZero()).toBe(true);
  } finally {
    raw.close();
  }
});

test('when insert documents come as a kind-1 document sequence, then they are inserted', async () => {
  const raw = await RawConnection.connect(h.uri);
  const db = h.db().databaseName;
  try {
    const { serialize } = await import('bson');
    const body = Buffer.from(serialize({ insert: 'wire_seq', $db: db }));
    const docs = [{ _id: 1 }, { _id: 2 }].map((d) => Buffer.from(serialize(d)));
    const id = Buffer.from('documents\0');
    const seqSize = 4 + id.length + docs.reduce((s, d) => s + d.length, 0);
    const seqHeader = Buffer.alloc(5);
    seqHeader.writeUInt8(1, 0);
    seqHeader.writeInt32LE(seqSize, 1);
    const payload = Buffer.concat([Buffer.from([0]), body, seqHeader, id, ...docs]);
    const header = Buffer.alloc(20);
    header.writeInt32LE(20 + payload.length, 0);
    header.writeInt32LE(999, 4);
    header.writeInt32LE(2013, 12);
    const reply = raw.nextReply();
    raw.write(Buffer.concat([header, payload]));
    expect(await reply).toMatchObject({ ok: 1, n: 2 });
  } finally {
    raw.close();
  }
});

test('when commands are answered, then every reply carries operationTime and $clusterTime, which a write advances', async () => {
  const raw = await RawConnection.connect(h.uri);
  const db = h.db().databaseName;
  try {
    const before = await raw.command({ ping: 1, $db: 'admin' });
    const write = await raw.command({ insert: 'wire_times', documents: [{ _id: 1 }], $db: db });
    const missing = await raw.command({ nope: 1, $db: 'admin' });
    for (const reply of [before, write, missing]) {
      expect(reply.operationTime).toBeInstanceOf(Timestamp);
      expect(reply.$clusterTime.clusterTime.greaterThanOrEqual(reply.operationTime)).toBe(true);
      expect(reply.$clusterTime.signature.keyId).toBeInstanceOf(Long);
      expect(reply.$clusterTime.signature.hash.length()).toBe(20);
    }
    expect(write).toMatchObject({ ok: 1, n: 1 });
    expect(missing).toMatchObject({ ok: 0, code: 59 });
    expect(write.operationTime.greaterThan(before.operationTime)).toBe(true);
    expect(missing.$clusterTime.clusterTime.greaterThanOrEqual(write.operationTime)).toBe(true);
  } finally {
    raw.close();
  }
});
