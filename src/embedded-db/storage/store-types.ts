/**
 * The contract between the command layer (commands/, which speaks MongoDB commands) and the storage engine
 * (storage/, which owns documents, indexes, transactions and durability). The command layer never touches
 * collections directly: every read and write goes through a `Txn`, so multi-document transactions, implicit
 * single-statement transactions and retryable writes all share one path.
 */
import type { Collation } from '../query/collation';
import type { StringCompare } from '../query/values';
import type { Doc } from '../types';

export interface IndexSpec {
  /** Index name, e.g. `sku_1` or `warehouseId_1_itemId_1`. */
  name: string;
  /** Ordered key pattern; values 1 / -1 (other index types are refused with CannotCreateIndex). */
  key: Doc;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  /** The full collation specification (see collation.ts); absent for the simple collation. */
  collation?: Doc;
  /** Other options the client sent (background etc. are accepted and echoed). */
  [option: string]: unknown;
}

export interface CollectionInfo {
  name: string;
  options: Doc;
  /** Creation-time uuid, reported by listCollections as `info.uuid`. */
  uuid: unknown;
}

export interface CreateIndexesResult {
  numIndexesBefore: number;
  numIndexesAfter: number;
  createdCollectionAutomatically: boolean;
  /** 'all indexes already exist' when nothing was created. */
  note?: string;
}

/** How a read was answered; used by `explain` and to prove that indexes are used. */
export interface ReadPlan {
  /** 'COLLSCAN', or 'IXSCAN' with the index used. */
  stage: 'COLLSCAN' | 'IXSCAN' | 'IDHACK';
  indexName?: string;
  keysExamined: number;
  docsExamined: number;
}

export interface FindOptions {
  /** When set, the engine may use the sort to pick an index and return documents already in this order. */
  sort?: Doc;
  /** Upper bound on documents the caller needs (after skip); lets an index scan stop early. */
  limit?: number;
  /** The command's `let` variables, for `$$name` in the filter's `$expr`. */
  variables?: Record<string, unknown>;
  /**
   * The operation's collation (undefined: simple). Strings in the filter compare by it; string bounds come only
   * from indexes of the same collation.
   */
  collation?: StringCompare;
}

export interface Txn {
  readonly id: number;
  /** Commit sequence number of the snapshot it reads (the cluster time of its reads). */
  readonly startSeq: number;
  /** True for a client's multi-document transaction; false for the implicit one wrapping a single statement. */
  readonly multiDocument: boolean;
  /**
   * Documents of db.coll matching `filter` (MongoDB query language), as this transaction sees them:
   * committed data of its snapshot plus its own writes. Uses an index when the filter allows it.
   * Returned documents must be treated as immutable by the caller (copy before changing).
   */
  find(db: string, coll: string, filter: Doc, options?: FindOptions): { docs: Doc[]; plan: ReadPlan };
  /**
   * Inserts a document (it already has its `_id`). Creates the collection when missing.
   * Throws MongoCommandError 11000 (DuplicateKey) with keyPattern/keyValue, or 112 (WriteConflict).
   */
  insert(db: string, coll: string, doc: Doc): void;
  /** Replaces the stored document having `before._id` by `after` (same `_id`). Same errors as insert. */
  replace(db: string, coll: string, before: Doc, after: Doc): void;
  /** Removes the stored document having `doc._id`. May throw WriteConflict. */
  remove(db: string, coll: string, doc: Doc): void;
  /** Makes every write durable and visible atomically; resolves when durable (fsynced on disk stores). */
  commit(): Promise<void>;
  /** Discards every write of the transaction. Idempotent. */
  abort(): void;
  readonly state: 'active' | 'committed' | 'aborted';
}

export interface Store {
  /** 'memory' or the data directory. */
  readonly location: string;
  /**
   * Starts a transaction reading the latest commit, or the snapshot at commit `atSeq` (readConcern atClusterTime)
   * while the versions changed since are still held; else throws SnapshotTooOld (239).
   */
  begin(options?: { multiDocument?: boolean; atSeq?: number }): Txn;
  /** Sequence number of the latest commit: the server's cluster time. */
  lastCommitSeq(): number;

  listDatabases(): { name: string; sizeOnDisk: number; empty: boolean }[];
  dropDatabase(db: string): Promise<void>;
  listCollections(db: string): CollectionInfo[];
  /** Throws 48 NamespaceExists when it exists. */
  createCollection(db: string, coll: string, options: Doc): Promise<void>;
  /** The collection's default collation (its `create` option); undefined: simple, or no such collection. */
  collectionCollation(db: string, coll: string): Collation | undefined;
  /** Returns false when there was no such collection. */
  dropCollection(db: string, coll: string): Promise<boolean>;
  /** Number of documents committed in db.coll (for `count` without a filter and collStats). */
  countCommitted(db: string, coll: string): number;

  /**
   * Builds indexes over existing data. A unique index over data with duplicates fails with 11000 and creates
   * nothing; a name reused with another key answers 86, the same key with other options 85.
   */
  createIndexes(db: string, coll: string, specs: IndexSpec[]): Promise<CreateIndexesResult>;
  /** Includes the `_id_` index first. Throws 26 when the collection does not exist. */
  listIndexes(db: string, coll: string): IndexSpec[];
  /** `names` is '*' (all but _id_), an index name, a key pattern, or a list of names. Throws 27 when missing. */
  dropIndexes(db: string, coll: string, names: string | string[] | Doc): Promise<{ nIndexesWas: number }>;

  /** Flushes and releases files and the lock. */
  close(): Promise<void>;

  /**
   * After a WriteConflict from this store: resolves when retrying can succeed (the transaction holding the document
   * or unique key ended), or after `timeoutMs`. Lets a single statement wait for a multi-document transaction as
   * mongod does, instead of failing.
   */
  waitForWriteConflict?(err: unknown, timeoutMs: number): Promise<void>;
  /** Resolves when no active transaction holds the write lock of db.coll's document with this `_id`. */
  waitForWriteLock?(db: string, coll: string, id: unknown): Promise<void>;
  /** Resolves when the next transaction commits or aborts. */
  onTxnFinished?(): Promise<void>;
}
