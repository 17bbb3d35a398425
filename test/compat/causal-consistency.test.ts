/**
 * Cluster time, causally consistent sessions and snapshot reads outside transactions, as the manual's "Causal
 * Consistency and Read and Write Concerns" and "Read Concern snapshot" pages describe them for a replica set.
 */
import { Timestamp } from 'mongodb';
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

test('when any command is answered, then the reply carries operationTime and $clusterTime', async () => {
  const reply = await ctx.db.command({ ping: 1 });
  expect(reply.operationTime).toBeInstanceOf(Timestamp);
  expect(reply.$clusterTime?.clusterTime).toBeInstanceOf(Timestamp);
});

test('when a causally consistent session writes, then its operationTime advances and its next read sees the write', async () => {
  const items = ctx.db.collection('items');
  const session = ctx.client.startSession({ causalConsistency: true });
  try {
    await items.insertOne({ _id: 1 } as never, { session });
    const afterFirst = session.operationTime as Timestamp;
    expect(afterFirst).toBeInstanceOf(Timestamp);
    await items.insertOne({ _id: 2 } as never, { session });
    expect((session.operationTime as Timestamp).greaterThan(afterFirst)).toBe(true);
    // The driver sends readConcern.afterClusterTime = the session's operationTime.
    expect(await items.countDocuments({}, { session })).toBe(2);
  } finally {
    await session.endSession();
  }
});

test("when a snapshot session reads twice, then the second read sees the first read's snapshot, not newer writes", async () => {
  const items = ctx.db.collection('items');
  await items.insertOne({ _id: 'before' } as never);
  const session = ctx.client.startSession({ snapshot: true });
  try {
    expect(await items.find({}, { session }).toArray()).toEqual([{ _id: 'before' }]);
    await items.insertOne({ _id: 'after' } as never);
    expect(await items.find({}, { session }).toArray()).toEqual([{ _id: 'before' }]);
    expect(await items.distinct('_id', {}, { session })).toEqual(['before']);
  } finally {
    await session.endSession();
  }
  expect(await items.countDocuments()).toBe(2);
});
