/**
 * A storage transaction: snapshot isolation with first-writer-wins conflicts.
 *
 * - Reads see the committed state as of `startSeq` (current documents not changed since, plus before-images of the
 *   ones that were) overlaid with the transaction's own pending writes.
 * - Writing a document takes its write lock. A document locked by another active transaction, or changed by a commit
 *   after this transaction began, is a write conflict (112 WriteConflict): the later writer loses, as in mongod.
 * - Unique keys are checked against committed data, the transaction's own writes, and keys other active
 *   transactions have claimed (a key claimed by another transaction is a conflict, not a duplicate, because that
 *   transaction may still abort).
 * - commit() validates again (an index may have been built meanwhile), applies every write to memory atomically
 *   (JavaScript runs it without interruption), then persists them in one durable write and resolves.
 */
import { type MongoCommandError, mongoError, TRANSIENT_TRANSACTION_ERROR } from '../errors';
import { holdsStrings } from '../query/collation';
import type { KeyMap } from '../query/key-map';
import { compileFilter } from '../query/matcher';
import { keyOf } from '../query/values';
import type { Doc } from '../types';
import type { BtreeIndex, IndexKeys } from './btree-index';
import type { Collection, LockOwner } from './collection';
import { planRead } from './planner';
import type { FindOptions, ReadPlan, Txn } from './store-types';

/** What a transaction needs from the store that created it. */
export interface TxnHost {
  collection(db: string, name: string): Collection | undefined;
  /** The collection, created in memory (not yet persisted) when missing. */
  collectionForWrite(db: string, name: string, creator: LockOwner): { coll: Collection; created: boolean };
  /** True when another transaction is active, so commits must keep before-images for its snapshot. */
  othersActive(txn: Transaction): boolean;
  nextCommitSeq(): number;
  recordHistory(coll: Collection, idKey: string, seq: number, before: Doc | null): void;
  txnEnded(txn: Transaction): void;
  /** Removes a collection an aborted transaction created implicitly, if nothing else uses it. */
  discardImplicit(coll: Collection): void;
  /** Throws when the store is closed or failed. */
  assertUsable(): void;
  /** Makes a commit durable; undefined for memory stores. */
  persist?(writes: CommittedWrite[], newCollections: Collection[]): Promise<void>;
}

export interface CommittedWrite {
  coll: Collection;
  idKey: string;
  after: Doc | null;
}

interface PendingWrite {
  after: Doc | null;
  /** Index keys of `after`, computed when written; reused at commit when the index is still the same object. */
  keys: Map<BtreeIndex, IndexKeys | null>;
  /** Unique keys claimed for `after`: [index, its key map's key for the tuple]. */
  claims: [BtreeIndex, unknown][];
}

interface WriteSet {
  coll: Collection;
  created: boolean;
  writes: Map<string, PendingWrite>;
}

const WRITE_CONFLICT_MESSAGE =
  'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.';

const RETRY_AFTER = Symbol('retryAfter');

/**
 * The `_id` index is checked like a secondary unique index only in a collection with a default collation, for an
 * `_id` holding strings: there two different `_id` values can be one key. Elsewhere the document locks and the
 * documents map keep `_id` unique.
 */
function collatedId(ix: BtreeIndex, doc: Doc): boolean {
  return ix.collation !== undefined && holdsStrings(doc._id);
}

/** For a WriteConflict thrown by the store: resolves when retrying can succeed (the conflicting transaction ended). */
export function writeConflictRetryAfter(err: unknown): Promise<void> | undefined {
  if (err && typeof err === 'object' && RETRY_AFTER in err)
    return (err as { [RETRY_AFTER]: Promise<void> })[RETRY_AFTER];
  return undefined;
}

export class Transaction implements Txn, LockOwner {
  readonly id: number;
  readonly multiDocument: boolean;
  /** Commit sequence number of the snapshot this transaction reads. */
  readonly startSeq: number;
  readonly startedAt = Date.now();
  state: 'active' | 'committed' | 'aborted' = 'active';

  private readonly host: TxnHost;
  private readonly writeSets = new Map<string, WriteSet>();
  private readonly locked: [Collection, string][] = [];
  private finishedPromise?: Promise<void>;
  private resolveFinished?: () => void;

  constructor(host: TxnHost, id: number, multiDocument: boolean, startSeq: number) {
    this.host = host;
    this.id = id;
    this.multiDocument = multiDocument;
    this.startSeq = startSeq;
  }

  finished(): Promise<void> {
    if (this.state !== 'active') return Promise.resolve();
    if (!this.finishedPromise) {
      this.finishedPromise = new Promise<void>((resolve) => {
        this.resolveFinished = resolve;
      });
    }
    return this.finishedPromise;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reads
  // ---------------------------------------------------------------------------------------------------------------

  find(db: string, collName: string, filter: Doc, options: FindOptions = {}): { docs: Doc[]; plan: ReadPlan } {
    this.assertActive();
    const coll = this.host.collection(db, collName);
    const ws = this.writeSets.get(`${db}.${collName}`);
    const overlay = ws && ws.coll === coll ? ws.writes : undefined;
    const docs: Doc[] = [];
    if (!coll) {
      // As mongod, the filter is parsed before the collection is looked at: a bad filter fails even when there is
      // nothing to read (and an upsert does not insert).
      compileFilter(filter, { variables: options.variables, collation: options.collation });
      return { docs, plan: { stage: 'COLLSCAN', keysExamined: 0, docsExamined: 0 } };
    }

    const scan = planRead(coll, filter, options.collation);
    const predicate =
      scan.kind === 'IDHACK' && scan.exact
        ? undefined
        : compileFilter(filter, { variables: options.variables, collation: options.collation });
    let keysExamined = 0;
    let docsExamined = 0;
    const consider = (doc: Doc) => {
      docsExamined++;
      if (!predicate || predicate(doc)) docs.push(doc);
    };

    if (scan.kind === 'IDHACK') {
      const seen = new Set<string>();
      for (const id of scan.ids) {
        const k = keyOf(id);
        if (seen.has(k)) continue;
        seen.add(k);
        const w = overlay?.get(k);
        const doc = w ? w.after : coll.versionAt(k, this.startSeq);
        if (doc) {
          keysExamined++;
          consider(doc);
        }
      }
      return { docs, plan: { stage: 'IDHACK', indexName: '_id_', keysExamined, docsExamined } };
    }

    // Without a requested order any `limit` matches will do, so a scan may stop early.
    const limit = options.sort === undefined && options.limit !== undefined && options.limit > 0 ? options.limit : 0;
    const checkHistory = coll.history.size > 0;
    const committed = (k: string, doc: Doc) => {
      if (overlay?.has(k)) return; // this transaction's version comes from the overlay
      if (checkHistory && coll.changedSince(k, this.startSeq)) return; // the snapshot's version comes from history
      consider(doc);
    };

    if (scan.kind === 'COLLSCAN') {
      for (const [k, doc] of coll.docs) {
        committed(k, doc);
        if (limit && docs.length >= limit) break;
      }
    } else {
      const dedupe = scan.index.multikey || scan.ranges.length > 1 ? new Set<string>() : undefined;
      for (const [low, high] of scan.ranges) {
        const stopped = scan.index.tree.editRange(low, high, true, (e, doc) => {
          keysExamined++;
          const k = e.k as string;
          if (dedupe) {
            if (dedupe.has(k)) return;
            dedupe.add(k);
          }
          committed(k, doc);
          if (limit && docs.length >= limit) return { break: true };
          return undefined;
        });
        if (stopped === true) break;
      }
    }
    if (checkHistory) {
      for (const [k, images] of coll.history) {
        if (images[images.length - 1].seq <= this.startSeq || overlay?.has(k)) continue;
        const before = coll.versionAt(k, this.startSeq);
        if (before) consider(before);
      }
    }
    if (overlay) for (const w of overlay.values()) if (w.after) consider(w.after);

    const plan: ReadPlan =
      scan.kind === 'COLLSCAN'
        ? { stage: 'COLLSCAN', keysExamined: 0, docsExamined }
        : { stage: 'IXSCAN', indexName: scan.index.name, keysExamined, docsExamined };
    return { docs, plan };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writes
  // ---------------------------------------------------------------------------------------------------------------

  insert(db: string, collName: string, doc: Doc): void {
    const { ws, k, pending, visible } = this.target(db, collName, doc._id);
    if (visible) throw (ws.coll.indexes.get('_id_') as BtreeIndex).duplicateKeyError(ws.coll.ns, [doc._id]);
    this.write(ws, k, pending, doc);
  }

  replace(db: string, collName: string, before: Doc, after: Doc): void {
    this.assertActive();
    if (keyOf(after._id) !== keyOf(before._id)) {
      throw mongoError(
        'ImmutableField',
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    const { ws, k, pending, visible } = this.target(db, collName, before._id);
    if (!visible) throw this.conflict(); // the caller read a version this transaction no longer sees
    this.write(ws, k, pending, after);
  }

  remove(db: string, collName: string, doc: Doc): void {
    const { ws, k, pending, visible } = this.target(db, collName, doc._id);
    if (!visible) return; // already gone in this snapshot: nothing to remove
    this.write(ws, k, pending, null);
  }

  /**
   * What every write starts with: the collection's write set, the document's key, its write lock (or a
   * WriteConflict), this transaction's pending write of it, and the version this transaction sees.
   */
  private target(db: string, collName: string, id: unknown) {
    this.assertActive();
    const ws = this.writeSetFor(db, collName);
    const k = keyOf(id);
    this.lock(ws.coll, k);
    const pending = ws.writes.get(k);
    const visible = pending ? pending.after : ws.coll.versionAt(k, this.startSeq);
    return { ws, k, pending, visible };
  }

  private writeSetFor(db: string, collName: string): WriteSet {
    const ns = `${db}.${collName}`;
    let ws = this.writeSets.get(ns);
    const current = this.host.collection(db, collName);
    if (ws && ws.coll !== current) throw this.conflict(); // dropped (and maybe recreated) under this transaction
    if (!ws) {
      // A collection another transaction created and has not committed does not exist yet: writing into it conflicts
      // (a single statement waits for that transaction, as for a locked document).
      if (current?.creator !== undefined && current.creator !== this) throw this.conflict(current.creator);
      const { coll, created } = this.host.collectionForWrite(db, collName, this);
      ws = { coll, created, writes: new Map() };
      this.writeSets.set(ns, ws);
    }
    return ws;
  }

  /** First writer wins: the document must not be locked by another transaction nor changed since our snapshot. */
  private lock(coll: Collection, k: string): void {
    const holder = coll.locks.get(k);
    if (holder === this) return;
    if (holder) throw this.conflict(holder);
    if (coll.changedSince(k, this.startSeq)) throw this.conflict();
    coll.locks.set(k, this);
    this.locked.push([coll, k]);
  }

  /** Checks index constraints for `after`, then records it; nothing changes when a check throws. */
  private write(ws: WriteSet, k: string, pending: PendingWrite | undefined, after: Doc | null): void {
    const coll = ws.coll;
    const keys = new Map<BtreeIndex, IndexKeys | null>();
    const claims: [BtreeIndex, unknown][] = [];
    if (after) {
      for (const ix of coll.indexes.values()) {
        if (ix.isId && !collatedId(ix, after)) continue;
        const ixKeys = ix.keysOf(after); // throws CannotIndexParallelArrays
        if (!ix.isId) keys.set(ix, ixKeys);
        if (!ix.unique || !ixKeys) continue;
        const claimed = coll.pendingKeys.get(ix);
        for (const tuple of ixKeys.tuples) {
          const ks = ix.mapKey(tuple);
          const claim = claimed?.get(ks);
          if (claim && claim.idKey !== k) {
            if (claim.owner === this) throw ix.duplicateKeyError(coll.ns, tuple);
            throw this.conflict(claim.owner);
          }
          ix.forEqual(tuple, (j) => {
            if (j === k || ws.writes.has(j)) return; // our own pending version of j is covered by the claims
            const holder = coll.locks.get(j);
            if (holder && holder !== this) throw this.conflict(holder);
            if (coll.changedSince(j, this.startSeq)) throw this.conflict();
            throw ix.duplicateKeyError(coll.ns, tuple);
          });
          claims.push([ix, ks]);
        }
      }
    }
    if (pending) {
      this.releaseClaims(coll, k, pending.claims);
      pending.after = after;
      pending.keys = keys;
      pending.claims = claims;
    } else {
      ws.writes.set(k, { after, keys, claims });
    }
    for (const [ix, ks] of claims) {
      let claimed = coll.pendingKeys.get(ix);
      if (!claimed) {
        claimed = ix.keyMap();
        coll.pendingKeys.set(ix, claimed);
      }
      claimed.set(ks, { owner: this, idKey: k });
    }
  }

  private releaseClaims(coll: Collection, k: string, claims: [BtreeIndex, unknown][]): void {
    for (const [ix, ks] of claims) {
      const claimed = coll.pendingKeys.get(ix);
      const claim = claimed?.get(ks);
      if (claimed && claim && claim.owner === this && claim.idKey === k) {
        claimed.delete(ks);
        if (claimed.size === 0) coll.pendingKeys.delete(ix);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // End
  // ---------------------------------------------------------------------------------------------------------------

  async commit(): Promise<void> {
    if (this.state === 'committed') return;
    if (this.state === 'aborted') {
      throw mongoError('NoSuchTransaction', `Transaction ${this.id} has been aborted.`, {
        labels: [TRANSIENT_TRANSACTION_ERROR],
      });
    }
    if (this.writeSets.size === 0) {
      this.end('committed');
      return;
    }
    try {
      this.host.assertUsable();
      this.validate();
    } catch (err) {
      this.abort();
      throw err;
    }

    // Apply: synchronous, so no other statement observes a half-applied commit.
    const seq = this.host.nextCommitSeq();
    const keepImages = this.host.othersActive(this);
    const written: CommittedWrite[] = [];
    const newCollections: Collection[] = [];
    for (const ws of this.writeSets.values()) {
      const coll = ws.coll;
      if (ws.created) coll.creator = undefined; // now it exists for everyone
      if (ws.writes.size === 0) continue;
      if (!coll.persisted) newCollections.push(coll);
      for (const [k, w] of ws.writes) {
        if (keepImages) this.host.recordHistory(coll, k, seq, coll.docs.get(k) ?? null);
        coll.applyCommitted(k, w.after, w.keys);
        written.push({ coll, idKey: k, after: w.after });
      }
    }
    this.end('committed');
    if (this.host.persist && written.length > 0) await this.host.persist(written, newCollections);
  }

  /**
   * Last checks before applying: the collections still exist, and every unique index (including ones built after
   * the write, which no claim covers) holds against committed data and this transaction's other writes.
   */
  private validate(): void {
    for (const ws of this.writeSets.values()) {
      const coll = ws.coll;
      if (this.host.collection(coll.db, coll.name) !== coll) throw this.conflict();
      const ownKeys = new Map<BtreeIndex, KeyMap<string>>();
      for (const [k, w] of ws.writes) {
        if (!w.after) continue;
        for (const ix of coll.indexes.values()) {
          if (ix.isId && !collatedId(ix, w.after)) continue;
          let ixKeys = w.keys.get(ix);
          if (ixKeys === undefined) {
            ixKeys = ix.keysOf(w.after);
            if (!ix.isId) w.keys.set(ix, ixKeys);
          }
          if (!ix.unique || !ixKeys) continue;
          let own = ownKeys.get(ix);
          if (!own) {
            own = ix.keyMap();
            ownKeys.set(ix, own);
          }
          for (const tuple of ixKeys.tuples) {
            const ks = ix.mapKey(tuple);
            const other = own.get(ks);
            if (other !== undefined && other !== k) throw ix.duplicateKeyError(coll.ns, tuple);
            own.set(ks, k);
            ix.forEqual(tuple, (j) => {
              if (j !== k && !ws.writes.has(j)) throw ix.duplicateKeyError(coll.ns, tuple);
            });
          }
        }
      }
    }
  }

  abort(): void {
    if (this.state !== 'active') return;
    for (const ws of this.writeSets.values()) {
      for (const [k, w] of ws.writes) this.releaseClaims(ws.coll, k, w.claims);
    }
    this.end('aborted');
    for (const ws of this.writeSets.values()) if (ws.created) this.host.discardImplicit(ws.coll);
    this.writeSets.clear();
  }

  private end(state: 'committed' | 'aborted'): void {
    this.state = state;
    for (const [coll, k] of this.locked) if (coll.locks.get(k) === this) coll.locks.delete(k);
    this.locked.length = 0;
    if (state === 'committed') {
      for (const ws of this.writeSets.values())
        for (const [k, w] of ws.writes) this.releaseClaims(ws.coll, k, w.claims);
    }
    this.host.txnEnded(this);
    this.resolveFinished?.();
  }

  private assertActive(): void {
    if (this.state !== 'active') {
      throw mongoError('NoSuchTransaction', `Transaction ${this.id} has been ${this.state}.`, {
        labels: [TRANSIENT_TRANSACTION_ERROR],
      });
    }
  }

  /** A WriteConflict; `holder` is the transaction to wait for before retrying, when there is one. */
  private conflict(holder?: LockOwner): MongoCommandError {
    const err = mongoError('WriteConflict', WRITE_CONFLICT_MESSAGE, {
      labels: this.multiDocument ? [TRANSIENT_TRANSACTION_ERROR] : [],
    });
    Object.defineProperty(err, RETRY_AFTER, {
      value: holder ? holder.finished() : Promise.resolve(),
      enumerable: false,
    });
    return err;
  }
}
