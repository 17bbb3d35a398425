/**
 * The wire messages the official driver sends for the benchmark's conditional `$inc` update and two-document
 * transaction, built directly (scripts/bench-db-replay.ts replays them into a database without a socket or a driver,
 * so the database's own CPU per operation is all that is measured). The shapes are those the driver (6.x, through
 * Mongoose) sends to a replica-set primary: one kind-0 section holding the statements, a session id, a txnNumber as
 * int64, the gossiped `$clusterTime` and `$db`; a transaction's first statement adds `startTransaction`, every one
 * `autocommit: false`, and the commit goes to `admin`.
 */
import { Binary, type Document, deserialize, Long, ObjectId, serialize, Timestamp, UUID } from 'bson';

const OP_MSG = 2013;

/** One client session, as the driver keeps it per concurrent worker: its id and its last transaction number. */
export interface ReplaySession {
  lsid: { id: UUID };
  txnNumber: number;
}

export const newSession = (): ReplaySession => ({ lsid: { id: new UUID() }, txnNumber: 0 });

const clusterTime = () => ({
  clusterTime: new Timestamp({ t: Math.floor(Date.now() / 1000) - 1, i: 1 }),
  signature: { hash: new Binary(Buffer.alloc(20), 0), keyId: Long.fromInt(0) },
});

let requestId = 1;

export function opMsg(body: Document): Buffer {
  const doc = serialize(body);
  const message = Buffer.allocUnsafe(21 + doc.length);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(requestId++, 4);
  message.writeInt32LE(0, 8);
  message.writeInt32LE(OP_MSG, 12);
  message.writeUInt32LE(0, 16);
  message[20] = 0;
  message.set(doc, 21);
  return message;
}

/** The reply document of an OP_MSG reply (one kind-0 section). */
export function replyOf(message: Buffer): Document {
  return deserialize(message.subarray(21));
}

const conditionalInc = (balanceId: ObjectId, by: number) => ({
  q: { _id: balanceId, onHand: { $gte: by } },
  u: { $inc: { onHand: -by } },
});

/** A retryable `updateOne({ _id, onHand: { $gte: 3 } }, { $inc: { onHand: -3 } })`. */
export function incMessages(session: ReplaySession, balanceId: ObjectId): Buffer[] {
  session.txnNumber++;
  return [
    opMsg({
      update: 'balances',
      updates: [conditionalInc(balanceId, 3)],
      ordered: true,
      lsid: session.lsid,
      txnNumber: Long.fromNumber(session.txnNumber),
      $clusterTime: clusterTime(),
      $db: 'test',
    }),
  ];
}

/** The guarded decrement and a ledger insert in one transaction, then its commit. */
export function transactionMessages(session: ReplaySession, balanceId: ObjectId): Buffer[] {
  session.txnNumber++;
  const txn = { lsid: session.lsid, txnNumber: Long.fromNumber(session.txnNumber), autocommit: false };
  return [
    opMsg({
      update: 'balances',
      updates: [conditionalInc(balanceId, 1)],
      ordered: true,
      ...txn,
      startTransaction: true,
      $clusterTime: clusterTime(),
      $db: 'test',
    }),
    opMsg({
      insert: 'ledgerentries',
      documents: [{ sku: 'SKU-1', quantity: -1, at: new Date(), _id: new ObjectId(), __v: 0 }],
      ordered: true,
      ...txn,
      $clusterTime: clusterTime(),
      $db: 'test',
    }),
    opMsg({ commitTransaction: 1, ...txn, $clusterTime: clusterTime(), $db: 'admin' }),
  ];
}

export type ReplayKind = 'inc' | 'transaction';

export const REPLAY_BUILDERS: Record<ReplayKind, (session: ReplaySession, balanceId: ObjectId) => Buffer[]> = {
  inc: incMessages,
  transaction: transactionMessages,
};

/**
 * What one connection's replies must say, in order, so that a measured run that failed is not taken for a fast one:
 * every statement matched or inserted one document, every commit succeeded.
 */
export function checkReplies(kind: ReplayKind, replies: Document[]): void {
  for (const [i, reply] of replies.entries()) {
    const isStatement = kind === 'inc' || i % 3 !== 2;
    if (reply.ok !== 1 || reply.writeErrors || (isStatement && reply.n !== 1)) {
      throw new Error(`replayed ${kind} failed: ${JSON.stringify(reply)}`);
    }
  }
}
