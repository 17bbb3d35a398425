/**
 * Cluster time and snapshot reads outside transactions.
 *
 * The cluster time is the store's commit sequence, as a BSON Timestamp `{ t: <server start, seconds>, i: <seq> }`:
 * every reply carries it as `operationTime` and `$clusterTime` (as a replica-set member does), so the driver's
 * causally consistent sessions work; since this single member reads its latest commits, an `afterClusterTime` it has
 * reached is always met (one ahead of it is refused, see commands/concerns.ts).
 *
 * `readConcern: { level: 'snapshot' }` outside a transaction (find, aggregate, distinct) reads one snapshot and
 * answers its `atClusterTime`; the snapshot is kept for SNAPSHOT_WINDOW_MS after its last use so that later reads of
 * the session, sent with that `atClusterTime`, read the same data. A time no kept snapshot covers answers
 * SnapshotTooOld (239), as mongod does once its snapshot history window has passed.
 */
import { Binary, Long, serialize, Timestamp } from 'bson';
import { mongoError } from './errors';
import type { Store, Txn } from './storage/store-types';

/** mongod keeps 300 s of snapshot history by default; kept shorter here, since an open snapshot retains old versions. */
export const SNAPSHOT_WINDOW_MS = 60_000;
const SIGNATURE = Object.freeze({ hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO });

/**
 * Where the two timestamps sit in the reply fields' BSON elements (see replyElements): each element is a type byte,
 * its name as a cstring, then the value; a Timestamp is 8 bytes (increment, then seconds, little-endian), and
 * `$clusterTime`'s value is a document (int32 length, then its elements).
 */
const cstring = (name: string) => Buffer.byteLength(name) + 1;
const OPERATION_TIME_AT = 1 + cstring('operationTime');
const CLUSTER_TIME_AT = OPERATION_TIME_AT + 8 + 1 + cstring('$clusterTime') + 4 + 1 + cstring('clusterTime');

export class ClusterClock {
  private readonly epoch: number;
  private readonly snapshots = new Map<number, { txn: Txn; lastUse: number }>();
  /** replyElements' bytes, and the commit sequence they hold. */
  private readonly elements: Buffer;
  private elementsSeq = 0;

  constructor(
    private readonly store: Store,
    startedAt: Date,
  ) {
    this.epoch = Math.floor(startedAt.getTime() / 1000);
    const zero = this.timestampOf(0);
    const fields = serialize({ operationTime: zero, $clusterTime: { clusterTime: zero, signature: SIGNATURE } });
    this.elements = Buffer.from(fields.subarray(4, fields.length - 1));
  }

  timestampOf(seq: number): Timestamp {
    return new Timestamp({ t: this.epoch, i: seq });
  }

  /** This member's cluster time: its latest commit. */
  now(): Timestamp {
    return this.timestampOf(this.store.lastCommitSeq());
  }

  /**
   * `operationTime` and `$clusterTime` (this member's cluster time, with the zero signature a replica set without
   * keys sends) as BSON elements, for the wire encoder to append to every reply's document. Building and serialising
   * those nested BSON values for each reply cost as much as serialising the rest of a small reply (bench:db's CPU per
   * operation, issue 15); here only the time changes, patched into the same bytes. The buffer is reused: copy it
   * before the next call.
   */
  replyElements(): Buffer {
    const seq = this.store.lastCommitSeq();
    if (seq !== this.elementsSeq) {
      this.elements.writeUInt32LE(seq, OPERATION_TIME_AT);
      this.elements.writeUInt32LE(seq, CLUSTER_TIME_AT);
      this.elementsSeq = seq;
    }
    return this.elements;
  }

  /** The snapshot to read for `atClusterTime` (or a new one at the latest commit), and its cluster time. */
  snapshot(atClusterTime: unknown): { txn: Txn; clusterTime: Timestamp } {
    const now = Date.now();
    if (atClusterTime === undefined) {
      const seq = this.store.lastCommitSeq();
      let entry = this.snapshots.get(seq);
      if (!entry) {
        entry = { txn: this.store.begin({ multiDocument: false }), lastUse: now };
        this.snapshots.set(seq, entry);
      }
      entry.lastUse = now;
      return { txn: entry.txn, clusterTime: this.timestampOf(seq) };
    }
    if (!(atClusterTime instanceof Timestamp)) {
      throw mongoError(
        'TypeMismatch',
        "BSON field 'readConcern.atClusterTime' is the wrong type, expected type 'timestamp'",
      );
    }
    const seq = this.seqOf(atClusterTime);
    const entry = this.snapshots.get(seq);
    if (entry) {
      entry.lastUse = now;
      return { txn: entry.txn, clusterTime: atClusterTime };
    }
    if (seq === this.store.lastCommitSeq()) return this.snapshot(undefined);
    throw mongoError(
      'SnapshotTooOld',
      `Read timestamp ${atClusterTime.toString()} is older than the oldest available timestamp.`,
    );
  }

  /**
   * The commit sequence a cluster time names: InvalidOptions when it is ahead of this member, SnapshotTooOld when it
   * is older than this server's start (its history began then).
   */
  seqOf(time: Timestamp): number {
    const latest = this.store.lastCommitSeq();
    if (time.high > this.epoch || (time.high === this.epoch && time.low > latest)) {
      throw mongoError(
        'InvalidOptions',
        'readConcern atClusterTime value must not be greater than the current clusterTime',
      );
    }
    if (time.high < this.epoch) {
      throw mongoError('SnapshotTooOld', `Read timestamp ${time.toString()} is older than this server.`);
    }
    return time.low;
  }

  /** Releases snapshots unused for SNAPSHOT_WINDOW_MS (called by the server's reaper). */
  reap(now = Date.now()): void {
    for (const [seq, entry] of this.snapshots) {
      if (now - entry.lastUse > SNAPSHOT_WINDOW_MS) {
        entry.txn.abort();
        this.snapshots.delete(seq);
      }
    }
  }

  close(): void {
    for (const entry of this.snapshots.values()) entry.txn.abort();
    this.snapshots.clear();
  }
}
