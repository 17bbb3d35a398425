/**
 * One collection in memory: its committed documents (by keyOf(_id), in insertion order, which is the natural order
 * a collection scan returns), its indexes, and the concurrency bookkeeping transactions need: per-document write
 * locks, unique keys that uncommitted transactions have claimed, and before-images of recently changed documents
 * for snapshot reads.
 */
import { UUID } from 'bson';
import type { KeyMap } from '../query/key-map';
import type { Doc } from '../types';
import { BtreeIndex } from './btree-index';
import type { IndexSpec } from './store-types';

/** The part of a transaction the collection needs to know about (avoids a cycle with transaction.ts). */
export interface LockOwner {
  readonly id: number;
  /** Resolves when the transaction commits or aborts. */
  finished(): Promise<void>;
}

/** A document version that was replaced or removed by the commit numbered `seq`. */
export interface BeforeImage {
  seq: number;
  /** The committed version before that commit; null when the commit inserted the document. */
  before: Doc | null;
}

export const ID_INDEX_SPEC: IndexSpec = { name: '_id_', key: { _id: 1 } };

export class Collection {
  readonly db: string;
  readonly name: string;
  readonly uuid: UUID;
  readonly options: Doc;
  /** False until the catalog entry is on disk (collections created implicitly by a not yet committed insert). */
  persisted: boolean;
  /**
   * The transaction whose write created this collection implicitly, until it commits: listCollections leaves the
   * collection out meanwhile, since it does not exist for anyone else before the commit.
   */
  creator?: LockOwner;

  readonly docs = new Map<string, Doc>();
  /** `_id_` first, then in creation order (listIndexes order). */
  readonly indexes = new Map<string, BtreeIndex>();
  /** Document write locks held by active transactions (first writer wins). */
  readonly locks = new Map<string, LockOwner>();
  /**
   * Per unique index (not `_id_`, unless it has a collation): index key -> the active transaction and document
   * claiming it.
   */
  readonly pendingKeys = new Map<BtreeIndex, KeyMap<{ owner: LockOwner; idKey: string }>>();
  /** Before-images of documents changed since the oldest active transaction began, oldest first per document. */
  readonly history = new Map<string, BeforeImage[]>();

  constructor(db: string, name: string, options: Doc, uuid: UUID = new UUID(), persisted = false) {
    this.db = db;
    this.name = name;
    this.options = options;
    this.uuid = uuid;
    this.persisted = persisted;
    // The `_id` index has the collection's default collation, as in mongod.
    const idSpec: IndexSpec = options.collation
      ? { ...ID_INDEX_SPEC, collation: options.collation as Doc }
      : ID_INDEX_SPEC;
    this.indexes.set('_id_', new BtreeIndex(idSpec, () => this.docs.entries()));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** Unique indexes other than `_id_` (whose uniqueness the document locks and the docs map enforce). */
  *secondaryUnique(): Iterable<BtreeIndex> {
    for (const ix of this.indexes.values()) if (ix.unique && !ix.isId) yield ix;
  }

  /** True when the document was changed by a commit after `seq` (so a snapshot at `seq` must not use its current version). */
  changedSince(idKey: string, seq: number): boolean {
    const h = this.history.get(idKey);
    return h !== undefined && h[h.length - 1].seq > seq;
  }

  /** The committed version a snapshot taken at `seq` sees. */
  versionAt(idKey: string, seq: number): Doc | undefined {
    const h = this.history.get(idKey);
    if (h !== undefined && h[h.length - 1].seq > seq) {
      for (const img of h) if (img.seq > seq) return img.before ?? undefined;
    }
    return this.docs.get(idKey);
  }

  /** Loads or applies a committed version; indexes follow. `keys` are precomputed index keys, when available. */
  applyCommitted(idKey: string, after: Doc | null, keys?: Map<BtreeIndex, ReturnType<BtreeIndex['keysOf']>>): void {
    const current = this.docs.get(idKey);
    if (current) for (const ix of this.indexes.values()) ix.remove(current, idKey);
    if (after) {
      for (const ix of this.indexes.values()) {
        const k = keys?.get(ix);
        if (k === undefined) ix.add(after, idKey);
        else ix.add(after, idKey, k);
      }
      this.docs.set(idKey, after);
    } else {
      this.docs.delete(idKey);
    }
  }

  /**
   * Startup: documents are loaded without index maintenance, then every index is built in bulk once (indexes are
   * not re-validated: they held when the data was written).
   */
  loadDocument(idKey: string, doc: Doc): void {
    this.docs.set(idKey, doc);
  }

  buildIndexesAfterLoad(): void {
    for (const ix of this.indexes.values()) if (!ix.isId) ix.rebuild(this.docs);
  }

  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((ix) => ix.spec);
  }
}
