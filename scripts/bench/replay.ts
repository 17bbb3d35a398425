/**
 * Replaying the driver's messages into a database without a driver or a socket, so that the database's own CPU per
 * operation is all that is measured (scripts/bench-db-ab.ts --replay, scripts/bench-db-replay.ts).
 *
 * The messages are those the official driver (through Mongoose) sends to a replica-set primary for the benchmark's
 * four operations: one kind-0 section holding the command, a session id, the gossiped `$clusterTime` and `$db`. The
 * driver gossips only a cluster time it was given: to a server whose replies carry none (66a1968's, before issue 15
 * gave every reply one) it sends none, so neither does the replay (ReplaySession.clusterTime, set at setup). A
 * write (`Model.create`'s insert, the conditional `$inc` update) is retryable, so it carries a txnNumber as int64; a
 * point read (`findOne(...).lean()`) is a `find` with `limit: 1` and `singleBatch`; a transaction's first statement
 * adds `startTransaction`, every one `autocommit: false`, and the commit goes to `admin`. They are handed to the server's
 * own connection handler, the listener it gives `net.createServer` (every commit since the first does), through
 * in-process sockets: 16 connections at a time, each one's messages in order, as 16 clients send them.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { type Document, deserialize, Long, ObjectId, serialize, UUID } from 'bson';

const OP_MSG = 2013;

/**
 * One client session, as the driver keeps it per concurrent worker: its id, its last transaction number, and the
 * `$clusterTime` it gossips (the server's, when its replies carry one).
 */
export interface ReplaySession {
  lsid: { id: UUID };
  txnNumber: number;
  clusterTime?: Document;
}

export const newSession = (): ReplaySession => ({ lsid: { id: new UUID() }, txnNumber: 0 });

/** The `$clusterTime` field of a command, as the driver adds it before `$db`: only when it has one to gossip. */
const gossip = (session: ReplaySession): { $clusterTime?: Document } =>
  session.clusterTime === undefined ? {} : { $clusterTime: session.clusterTime };

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
export function incMessages(session: ReplaySession, { balanceId }: ReplayTarget): Buffer[] {
  session.txnNumber++;
  return [
    opMsg({
      update: 'balances',
      updates: [conditionalInc(balanceId, 3)],
      ordered: true,
      lsid: session.lsid,
      txnNumber: Long.fromNumber(session.txnNumber),
      ...gossip(session),
      $db: 'test',
    }),
  ];
}

/** What an operation's messages are built from: its session, the balance it updates and a number of its own. */
export interface ReplayTarget {
  balanceId: ObjectId;
  /** Unique across the process's runs: the inserted item's `sku`, and which seeded item a read looks up. */
  sequence: number;
}

/** Items seeded by setup (`SEED-0` ...), among which point reads look up one each. */
const SEEDED_ITEMS = 1000;

/** A retryable `Item.create({ sku, name, category, qty })`: an insert into a collection with a unique index. */
export function insertMessages(session: ReplaySession, { sequence }: ReplayTarget): Buffer[] {
  session.txnNumber++;
  return [
    opMsg({
      insert: 'items',
      documents: [
        { sku: `NEW-${sequence}`, name: 'Food basket', category: 'food', qty: 1, _id: new ObjectId(), __v: 0 },
      ],
      ordered: true,
      lsid: session.lsid,
      txnNumber: Long.fromNumber(session.txnNumber),
      ...gossip(session),
      $db: 'test',
    }),
  ];
}

/** `Item.findOne({ sku }).lean()`: a point read on the unique index. */
export function readMessages(session: ReplaySession, { sequence }: ReplayTarget): Buffer[] {
  return [
    opMsg({
      find: 'items',
      filter: { sku: `SEED-${(sequence * 7919) % SEEDED_ITEMS}` },
      limit: 1,
      singleBatch: true,
      batchSize: 1,
      lsid: session.lsid,
      ...gossip(session),
      $db: 'test',
    }),
  ];
}

/** The guarded decrement and a ledger insert in one transaction, then its commit. */
export function transactionMessages(session: ReplaySession, { balanceId }: ReplayTarget): Buffer[] {
  session.txnNumber++;
  const txn = { lsid: session.lsid, txnNumber: Long.fromNumber(session.txnNumber), autocommit: false };
  return [
    opMsg({
      update: 'balances',
      updates: [conditionalInc(balanceId, 1)],
      ordered: true,
      ...txn,
      startTransaction: true,
      ...gossip(session),
      $db: 'test',
    }),
    opMsg({
      insert: 'ledgerentries',
      documents: [{ sku: 'SKU-1', quantity: -1, at: new Date(), _id: new ObjectId(), __v: 0 }],
      ordered: true,
      ...txn,
      ...gossip(session),
      $db: 'test',
    }),
    opMsg({ commitTransaction: 1, ...txn, ...gossip(session), $db: 'admin' }),
  ];
}

export type ReplayKind = 'insert' | 'read' | 'inc' | 'transaction';

export const REPLAY_KINDS: readonly ReplayKind[] = ['insert', 'read', 'inc', 'transaction'];

/** Each kind's operation, as the benchmarks' tables name it. */
export const REPLAY_NAMES: Record<ReplayKind, string> = {
  insert: 'insert',
  read: 'indexed point read',
  inc: 'conditional $inc update',
  transaction: 'two-document transaction',
};

export const REPLAY_BUILDERS: Record<ReplayKind, (session: ReplaySession, target: ReplayTarget) => Buffer[]> = {
  insert: insertMessages,
  read: readMessages,
  inc: incMessages,
  transaction: transactionMessages,
};

/**
 * What one connection's replies must say, in order, so that a measured run that failed is not taken for a fast one:
 * every statement matched or inserted one document, every commit succeeded.
 */
export function checkReplies(kind: ReplayKind, replies: Document[]): void {
  for (const [i, reply] of replies.entries()) {
    const found = kind === 'read' ? reply.cursor?.firstBatch?.length === 1 : true;
    const isStatement = kind !== 'read' && (kind !== 'transaction' || i % 3 !== 2);
    if (reply.ok !== 1 || reply.writeErrors || !found || (isStatement && reply.n !== 1)) {
      throw new Error(`replayed ${kind} failed: ${JSON.stringify(reply)}`);
    }
  }
}

type ConnectionHandler = (socket: net.Socket) => void;

/**
 * From now on, the connection handler of every server created is pushed on the list answered (in creation order);
 * the servers still listen as before.
 */
export function captureConnectionHandlers(): ConnectionHandler[] {
  const handlers: ConnectionHandler[] = [];
  const createServer = net.createServer;
  net.createServer = ((...args: unknown[]) => {
    const handler = args.find((arg) => typeof arg === 'function');
    if (handler) handlers.push(handler as ConnectionHandler);
    return (createServer as (...a: unknown[]) => net.Server)(...args);
  }) as typeof net.createServer;
  return handlers;
}

/** A connection without a kernel socket: what the server writes to it answers the message sent last. */
class ReplaySocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 0;
  destroyed = false;
  private answer?: (bytes: Buffer) => void;
  setNoDelay(): this {
    return this;
  }
  write(bytes: Buffer): boolean {
    const answer = this.answer;
    this.answer = undefined;
    answer?.(bytes);
    return true;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
  send(message: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.answer = resolve;
      this.emit('data', message);
    });
  }
}

const REPLAY_CONNECTIONS = 16;

/**
 * The documents the replayed operations touch: 100 balances (as Mongoose inserts them, with `__v`), the items'
 * collection with its unique index on `sku` and the items reads look up, and the ledger's collection, created
 * beforehand as `Model.init()` does, so that no transaction creates it.
 */
function setupMessages(balanceIds: ObjectId[]): Buffer[] {
  return [
    opMsg({
      insert: 'balances',
      documents: balanceIds.map((_id, i) => ({ sku: `SKU-${i}`, onHand: 1_000_000_000, _id, __v: 0 })),
      ordered: true,
      $db: 'test',
    }),
    opMsg({
      createIndexes: 'items',
      indexes: [{ key: { sku: 1 }, name: 'sku_1', unique: true, background: true }],
      $db: 'test',
    }),
    opMsg({
      insert: 'items',
      documents: Array.from({ length: SEEDED_ITEMS }, (_, i) => ({
        sku: `SEED-${i}`,
        name: 'Food basket',
        category: 'food',
        qty: 1,
        _id: new ObjectId(),
        __v: 0,
      })),
      ordered: true,
      $db: 'test',
    }),
    opMsg({ create: 'ledgerentries', $db: 'test' }),
  ];
}

/** Sixteen connections to one server, each with the session its driver would keep. */
export class Replayer {
  private readonly peers: { socket: ReplaySocket; session: ReplaySession }[] = [];
  /** The balances the operations update, inserted by setup(). */
  readonly balanceIds = Array.from({ length: 100 }, () => new ObjectId());
  /** Operations built so far: each one's ReplayTarget.sequence. */
  private sequence = 0;

  constructor(
    private readonly handler: ConnectionHandler | undefined,
    private readonly cpuNs: () => number,
  ) {}

  /** Opens the connections and creates the balances and the ledger's collection. */
  async setup(): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new Error('the server created no connection handler');
    while (this.peers.length < REPLAY_CONNECTIONS) {
      const socket = new ReplaySocket();
      handler(socket as unknown as net.Socket);
      this.peers.push({ socket, session: newSession() });
    }
    let clusterTime: Document | undefined;
    for (const message of setupMessages(this.balanceIds)) {
      const reply = replyOf(await this.peers[0].socket.send(message));
      // The ledger's collection may exist already (bench-db-ab.ts creates it through Mongoose): NamespaceExists.
      if (reply.ok !== 1 && reply.code !== 48) throw new Error(`replay setup failed: ${JSON.stringify(reply)}`);
      clusterTime = reply.$clusterTime;
    }
    // What every client's driver gossips from now on: a cluster time the server gave (its value changes, its size
    // does not), or nothing when the server gives none.
    for (const { session } of this.peers) session.clusterTime = clusterTime;
  }

  /**
   * The thread's CPU clock read just after the thread has slept. Linux's scheduler statistics (threadCpuNs) add a
   * running thread's time only at a context switch or a scheduler tick (every 4 ms here), so a thread that has not
   * slept reads up to a tick stale, as much as a whole batch of operations costs; after a millisecond's sleep it
   * reads within a few µs.
   */
  private async settledCpuNs(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return this.cpuNs();
  }

  /** Replays `ops` operations of `kind`; answers the CPU nanoseconds (cpuNs) they took. */
  async run(kind: ReplayKind, ops: number): Promise<number> {
    const balances = this.balanceIds;
    // Each connection works on balances of its own (6 of them), as each of bench:db's clients does.
    const work = this.peers.map(() => [] as Buffer[][]);
    for (let i = 0; i < ops; i++) {
      const peer = i % REPLAY_CONNECTIONS;
      const balanceId = balances[(peer * 6 + (Math.floor(i / REPLAY_CONNECTIONS) % 6)) % balances.length];
      work[peer].push(REPLAY_BUILDERS[kind](this.peers[peer].session, { balanceId, sequence: this.sequence++ }));
    }
    const replies = this.peers.map(() => [] as Buffer[]);
    const start = await this.settledCpuNs();
    await Promise.all(
      this.peers.map(async ({ socket }, peer) => {
        for (const messages of work[peer])
          for (const message of messages) replies[peer].push(await socket.send(message));
      }),
    );
    const spent = (await this.settledCpuNs()) - start;
    for (const peerReplies of replies) checkReplies(kind, peerReplies.map(replyOf));
    return spent;
  }
}
