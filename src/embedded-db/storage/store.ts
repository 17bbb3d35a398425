/**
 * The storage engine behind the embedded database: the catalog of databases and collections, index management,
 * the transaction registry (commit sequence, snapshot before-images) and, with a data directory, durability in LMDB
 * guarded by a lock file. All data lives in memory; the disk copy is loaded at startup and written at each commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { calculateObjectSize, UUID } from 'bson';
import { mongoError } from '../errors';
import { type Collation, parseCollation } from '../query/collation';
import { keyOf } from '../query/values';
import type { Doc } from '../types';
import { BtreeIndex } from './btree-index';
import { Collection, type LockOwner } from './collection';
import { HistoryLog } from './history';
import { isAscDescValue } from './index-keys';
import { LockFile } from './lock-file';
import { type CatalogEntry, type DocWrite, encodeDoc, Persistence } from './persistence';
import type { CollectionInfo, CreateIndexesResult, IndexSpec, Store, Txn } from './store-types';
import { type CommittedWrite, Transaction, type TxnHost, writeConflictRetryAfter } from './transaction';

export type StoreLog = (msg: string, extra?: object) => void;

export interface OpenStoreOptions {
  /** Data directory; undefined keeps everything in memory. */
  dbPath?: string;
  log?: StoreLog;
}

/** Active transactions older than this are reported (they pin before-images in memory). */
const LONG_TXN_WARNING_MS = 5 * 60_000;

/** Index options that change an index's meaning: the same key with different values is a conflict (85). */
const MEANINGFUL_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation'] as const;

export async function openStore(options: OpenStoreOptions = {}): Promise<Store & StoreExtras> {
  const log = options.log ?? (() => {});
  if (options.dbPath === undefined) return new StoreImpl('memory', log);
  const dir = path.resolve(options.dbPath);
  fs.mkdirSync(dir, { recursive: true });
  const lock = LockFile.acquire(dir, log);
  let persistence: Persistence | undefined;
  try {
    const started = Date.now();
    persistence = Persistence.open(dir, log);
    const store = new StoreImpl(dir, log, persistence, lock);
    const { documents, skipped } = await persistence.load(store.loader());
    log('embedded-db: data directory loaded', {
      dbPath: dir,
      collections: store.collectionCount(),
      documents,
      skippedRecords: skipped,
      ms: Date.now() - started,
    });
    return store;
  } catch (err) {
    await persistence?.close().catch(() => {});
    lock.release();
    throw err;
  }
}

/** Members beyond the Store contract (also declared optional in store-types.ts). */
export interface StoreExtras {
  waitForWriteConflict(err: unknown, timeoutMs: number): Promise<void>;
  waitForWriteLock(db: string, coll: string, id: unknown): Promise<void>;
  onTxnFinished(): Promise<void>;
}

class StoreImpl implements Store, StoreExtras, TxnHost {
  readonly location: string;
  private readonly log: StoreLog;
  private readonly persistence?: Persistence;
  private readonly lock?: LockFile;
  /** db name -> collection name -> collection. */
  private readonly catalog = new Map<string, Map<string, Collection>>();
  /** Active transactions in begin order (see oldestActive for the oldest snapshot). */
  private readonly active = new Map<number, Transaction>();
  /** Ids of active transactions begun at an earlier snapshot than the latest commit of their time (atSeq). */
  private readonly backdated = new Set<number>();
  private readonly historyLog = new HistoryLog();
  private commitSeq = 0;
  private nextTxnId = 1;
  private closed = false;
  /** Set when a durable write failed: memory is then ahead of disk, so further writes are refused. */
  private failure?: Error;
  private txnWaiters: (() => void)[] = [];
  private warnedLongTxn = 0;

  constructor(location: string, log: StoreLog, persistence?: Persistence, lock?: LockFile) {
    this.location = location;
    this.log = log;
    this.persistence = persistence;
    this.lock = lock;
    if (persistence) this.persist = this.persistWrites.bind(this);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Transactions (TxnHost)
  // ---------------------------------------------------------------------------------------------------------------

  begin(options: { multiDocument?: boolean; atSeq?: number } = {}): Txn {
    this.assertUsable();
    const startSeq = options.atSeq ?? this.commitSeq;
    if (startSeq > this.commitSeq) throw new Error(`no commit ${startSeq} yet (latest: ${this.commitSeq})`);
    if (startSeq < this.commitSeq && !this.holdsHistorySince(startSeq)) {
      throw mongoError(
        'SnapshotTooOld',
        `Read timestamp at commit ${startSeq} is older than the oldest available timestamp: no open snapshot holds the versions changed since.`,
      );
    }
    const txn = new Transaction(this, this.nextTxnId++, options.multiDocument === true, startSeq);
    this.active.set(txn.id, txn);
    if (startSeq < this.commitSeq) this.backdated.add(txn.id);
    return txn;
  }

  /**
   * Whether every version a snapshot at `seq` reads is still at hand: commits keep before-images only while some
   * transaction is open (see history.ts), so a transaction that began at `seq` or earlier and is still active
   * guarantees them.
   */
  private holdsHistorySince(seq: number): boolean {
    for (const txn of this.active.values()) if (txn.startSeq <= seq) return true;
    return false;
  }

  /**
   * The active transaction with the oldest snapshot: the first one begun, unless one began at an earlier snapshot
   * than the latest commit (atSeq), which is rare enough to look for it among all.
   */
  private oldestActive(): Transaction | undefined {
    if (this.backdated.size === 0) return this.active.values().next().value as Transaction | undefined;
    let oldest: Transaction | undefined;
    for (const txn of this.active.values()) if (!oldest || txn.startSeq < oldest.startSeq) oldest = txn;
    return oldest;
  }

  lastCommitSeq(): number {
    return this.commitSeq;
  }

  collection(db: string, name: string): Collection | undefined {
    return this.catalog.get(db)?.get(name);
  }

  collectionForWrite(db: string, name: string, creator: LockOwner): { coll: Collection; created: boolean } {
    const existing = this.collection(db, name);
    if (existing) return { coll: existing, created: false };
    validateNamespace(db, name);
    const coll = new Collection(db, name, {});
    coll.creator = creator;
    return { coll: this.addCollection(coll), created: true };
  }

  othersActive(txn: Transaction): boolean {
    return this.active.size > 1 || (this.active.size === 1 && !this.active.has(txn.id));
  }

  nextCommitSeq(): number {
    return ++this.commitSeq;
  }

  recordHistory(coll: Collection, idKey: string, seq: number, before: Doc | null): void {
    this.historyLog.record(coll, idKey, seq, before);
  }

  txnEnded(txn: Transaction): void {
    if (!this.active.delete(txn.id)) return;
    this.backdated.delete(txn.id);
    const oldest = this.oldestActive();
    if (!oldest) this.historyLog.clear();
    else {
      this.historyLog.prune(oldest.startSeq);
      if (
        this.historyLog.size > 0 &&
        Date.now() - oldest.startedAt > LONG_TXN_WARNING_MS &&
        oldest.id !== this.warnedLongTxn
      ) {
        this.warnedLongTxn = oldest.id;
        this.log('embedded-db: a transaction has been open for a long time and keeps old document versions in memory', {
          txnId: oldest.id,
          multiDocument: oldest.multiDocument,
          ageMs: Date.now() - oldest.startedAt,
        });
      }
    }
    if (txn.multiDocument || this.txnWaiters.length) {
      const waiters = this.txnWaiters;
      this.txnWaiters = [];
      for (const w of waiters) w();
    }
  }

  discardImplicit(coll: Collection): void {
    if (coll.persisted || coll.docs.size > 0 || coll.indexes.size > 1 || coll.locks.size > 0) return;
    if (this.collection(coll.db, coll.name) !== coll) return;
    this.removeFromCatalog(coll);
  }

  assertUsable(): void {
    if (this.closed) throw mongoError('InternalError', 'the embedded database is closed');
    if (this.failure) {
      throw mongoError(
        'InternalError',
        `the embedded database stopped accepting writes after a storage failure: ${this.failure.message}`,
      );
    }
  }

  persist?: (writes: CommittedWrite[], newCollections: Collection[]) => Promise<void>;

  private async persistWrites(writes: CommittedWrite[], newCollections: Collection[]): Promise<void> {
    const persistence = this.persistence as Persistence;
    const docs: DocWrite[] = writes.map((w) => ({
      uuid: w.coll.uuid.toHexString(false),
      idKey: w.idKey,
      bson: w.after ? encodeDoc(w.after) : null,
    }));
    for (const c of newCollections) c.persisted = true;
    try {
      await persistence.commit(docs, newCollections.map(catalogEntryOf));
    } catch (err) {
      this.fail(err);
      throw mongoError('InternalError', `could not make the write durable: ${String(err)}`);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.log('embedded-db: storage write failed; refusing further writes until restart', { error: String(err) });
  }

  async waitForWriteConflict(err: unknown, timeoutMs: number): Promise<void> {
    const wait = writeConflictRetryAfter(err) ?? this.onTxnFinished();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([wait, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))))]);
    clearTimeout(timer);
  }

  async waitForWriteLock(db: string, coll: string, id: unknown): Promise<void> {
    const holder = this.collection(db, coll)?.locks.get(keyOf(id));
    if (holder) await holder.finished();
  }

  onTxnFinished(): Promise<void> {
    return new Promise<void>((resolve) => this.txnWaiters.push(resolve));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Catalog
  // ---------------------------------------------------------------------------------------------------------------

  collectionCount(): number {
    let n = 0;
    for (const colls of this.catalog.values()) n += colls.size;
    return n;
  }

  private addCollection(coll: Collection): Collection {
    let colls = this.catalog.get(coll.db);
    if (!colls) {
      colls = new Map();
      this.catalog.set(coll.db, colls);
    }
    colls.set(coll.name, coll);
    return coll;
  }

  private removeFromCatalog(coll: Collection): void {
    const colls = this.catalog.get(coll.db);
    if (!colls) return;
    colls.delete(coll.name);
    if (colls.size === 0) this.catalog.delete(coll.db);
  }

  private requireCollection(db: string, name: string): Collection {
    const coll = this.collection(db, name);
    if (!coll) throw mongoError('NamespaceNotFound', `ns does not exist: ${db}.${name}`);
    return coll;
  }

  listDatabases(): { name: string; sizeOnDisk: number; empty: boolean }[] {
    return [...this.catalog.entries()].map(([name, colls]) => {
      let size = 0;
      let docs = 0;
      for (const c of colls.values()) {
        size += estimateSize(c);
        docs += c.docs.size;
      }
      return { name, sizeOnDisk: size, empty: docs === 0 };
    });
  }

  async dropDatabase(db: string): Promise<void> {
    this.assertUsable();
    const colls = [...(this.catalog.get(db)?.values() ?? [])];
    for (const c of colls) this.removeFromCatalog(c);
    await this.persistDrop(colls);
  }

  listCollections(db: string): CollectionInfo[] {
    return [...(this.catalog.get(db)?.values() ?? [])]
      .filter((c) => c.creator === undefined)
      .map((c) => ({ name: c.name, options: c.options, uuid: c.uuid }));
  }

  collectionCollation(db: string, name: string): Collation | undefined {
    const spec = this.collection(db, name)?.options.collation;
    return spec === undefined ? undefined : parseCollation(spec);
  }

  async createCollection(db: string, name: string, options: Doc): Promise<void> {
    this.assertUsable();
    if (this.collection(db, name)) throw mongoError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    validateNamespace(db, name);
    const coll = this.addCollection(new Collection(db, name, options));
    await this.persistCatalog(coll);
  }

  async dropCollection(db: string, name: string): Promise<boolean> {
    this.assertUsable();
    const coll = this.collection(db, name);
    if (!coll) return false;
    this.removeFromCatalog(coll);
    await this.persistDrop([coll]);
    return true;
  }

  countCommitted(db: string, name: string): number {
    return this.collection(db, name)?.docs.size ?? 0;
  }

  private async persistCatalog(coll: Collection): Promise<void> {
    if (!this.persistence) return;
    coll.persisted = true;
    try {
      await this.persistence.putCatalog(catalogEntryOf(coll));
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  private async persistDrop(colls: Collection[]): Promise<void> {
    if (!this.persistence) return;
    const persisted = colls.filter((c) => c.persisted);
    try {
      await this.persistence.dropCollections(
        persisted.map((c) => ({ db: c.db, name: c.name, uuid: c.uuid.toHexString(false) })),
      );
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Indexes
  // ---------------------------------------------------------------------------------------------------------------

  async createIndexes(db: string, name: string, specs: IndexSpec[]): Promise<CreateIndexesResult> {
    this.assertUsable();
    let coll = this.collection(db, name);
    const createdCollectionAutomatically = !coll;
    if (!coll) {
      validateNamespace(db, name);
      coll = new Collection(db, name, {});
    }
    const numIndexesBefore = coll.indexes.size;
    const toBuild: IndexSpec[] = [];
    for (const raw of specs) {
      const spec = normaliseSpec(raw);
      const sameName = coll.indexes.get(spec.name) ?? toBuild.find((s) => s.name === spec.name);
      const sameNameSpec = sameName instanceof BtreeIndex ? sameName.spec : sameName;
      if (sameNameSpec) {
        if (keyOf(sameNameSpec.key) !== keyOf(spec.key) || !sameKeyOrder(sameNameSpec.key, spec.key)) {
          throw mongoError(
            'IndexKeySpecsConflict',
            `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${describe(spec)}, existing index: ${describe(sameNameSpec)}`,
          );
        }
        if (!sameOptions(sameNameSpec, spec)) {
          throw mongoError(
            'IndexOptionsConflict',
            `An equivalent index already exists with the same name but different options. Requested index: ${describe(spec)}, existing index: ${describe(sameNameSpec)}`,
          );
        }
        continue; // identical: nothing to do
      }
      const sameKey = [...coll.indexes.values()]
        .map((ix) => ix.spec)
        .concat(toBuild)
        .find((s) => sameKeyOrder(s.key, spec.key) && keyOf(s.key) === keyOf(spec.key));
      if (sameKey) {
        if (sameKey.name === '_id_') continue; // {_id: 1} under another name: the _id index already is it
        if (sameOptions(sameKey, spec)) {
          throw mongoError(
            'IndexOptionsConflict',
            `Index already exists with a different name: ${sameKey.name}. Requested index: ${describe(spec)}, existing index: ${describe(sameKey)}`,
          );
        }
        // mongod allows one key pattern several times only with different partial filters or collations.
        if (
          keyOf(sameKey.partialFilterExpression ?? null) === keyOf(spec.partialFilterExpression ?? null) &&
          keyOf(sameKey.collation ?? null) === keyOf(spec.collation ?? null)
        ) {
          throw mongoError(
            'IndexOptionsConflict',
            `An equivalent index already exists with a different name and options. Requested index: ${describe(spec)}, existing index: ${describe(sameKey)}`,
          );
        }
      }
      toBuild.push(spec);
    }
    if (toBuild.length === 0) {
      return {
        numIndexesBefore,
        numIndexesAfter: numIndexesBefore,
        createdCollectionAutomatically,
        note: 'all indexes already exist',
      };
    }
    // Build every index completely before publishing any: a duplicate in one of them creates nothing.
    const built = toBuild.map((spec) => buildIndex(coll as Collection, spec));
    if (createdCollectionAutomatically) this.addCollection(coll);
    for (const ix of built) coll.indexes.set(ix.name, ix);
    await this.persistCatalog(coll);
    return { numIndexesBefore, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically };
  }

  listIndexes(db: string, name: string): IndexSpec[] {
    return this.requireCollection(db, name).indexSpecs();
  }

  async dropIndexes(db: string, name: string, names: string | string[] | Doc): Promise<{ nIndexesWas: number }> {
    this.assertUsable();
    const coll = this.requireCollection(db, name);
    const nIndexesWas = coll.indexes.size;
    let victims: string[];
    if (names === '*') {
      victims = [...coll.indexes.keys()].filter((n) => n !== '_id_');
    } else if (typeof names === 'string' || Array.isArray(names)) {
      victims = typeof names === 'string' ? [names] : names.map(String);
      for (const n of victims) {
        if (n === '_id_') throw mongoError('InvalidOptions', 'cannot drop _id index');
        if (!coll.indexes.has(n)) throw mongoError('IndexNotFound', `index not found with name [${n}]`);
      }
    } else {
      const match = [...coll.indexes.values()].find(
        (ix) => sameKeyOrder(ix.spec.key, names) && keyOf(ix.spec.key) === keyOf(names),
      );
      if (!match) throw mongoError('IndexNotFound', `can't find index with key: ${JSON.stringify(names)}`);
      if (match.isId) throw mongoError('InvalidOptions', 'cannot drop _id index');
      victims = [match.name];
    }
    for (const n of victims) {
      const ix = coll.indexes.get(n);
      coll.indexes.delete(n);
      if (ix) coll.pendingKeys.delete(ix);
    }
    if (victims.length) await this.persistCatalog(coll);
    return { nIndexesWas };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Startup and shutdown
  // ---------------------------------------------------------------------------------------------------------------

  loader() {
    const byUuid = new Map<string, Collection>();
    return {
      collection: (entry: CatalogEntry) => {
        const coll = new Collection(entry.db, entry.name, entry.options, new UUID(entry.uuid), true);
        for (const spec of entry.indexes) {
          if (spec.name === '_id_') continue;
          // Built empty; documents are added as they load, without uniqueness checks (they held when written).
          coll.indexes.set(spec.name, new BtreeIndex(spec));
        }
        byUuid.set(entry.uuid, coll);
        this.addCollection(coll);
      },
      doc: (uuid: string, doc: Doc, storedKey: unknown): string | undefined => {
        const coll = byUuid.get(uuid);
        if (!coll) return undefined;
        // The stored key is normally keyOf(_id) already: reuse that string (one fewer string per document kept).
        const k = typeof storedKey === 'string' && isIdKeyOf(storedKey, doc._id) ? storedKey : keyOf(doc._id);
        coll.loadDocument(k, doc);
        return k;
      },
      done: () => {
        for (const coll of byUuid.values()) coll.buildIndexesAfterLoad();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const txn of [...this.active.values()]) txn.abort();
    try {
      await this.persistence?.close();
    } finally {
      this.lock?.release();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** Hex digit values of '0'-'9' and 'a'-'f' (keyOf writes ObjectIds in lower case), -1 otherwise. */
const HEX_NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * True when `key === keyOf(id)`. For an ObjectId (bson 7 keeps it as four 24-bit words) the hex digits are compared
 * with the words without building the string, since this runs for every document at startup.
 */
function isIdKeyOf(key: string, id: unknown): boolean {
  const w = id as { _bsontype?: unknown; i0?: unknown; i1?: unknown; i2?: unknown; i3?: unknown } | null;
  if (w !== null && typeof w === 'object' && w._bsontype === 'ObjectId' && typeof w.i0 === 'number') {
    if (key.length !== 25 || key.charCodeAt(0) !== 111 /* o */) return false;
    return (
      hexWord(key, 1) === w.i0 && hexWord(key, 7) === w.i1 && hexWord(key, 13) === w.i2 && hexWord(key, 19) === w.i3
    );
  }
  return keyOf(id) === key;
}

/** The 24-bit number written by the six hex digits at `from`, or -1 when one is not a lower-case hex digit. */
function hexWord(s: string, from: number): number {
  let x = 0;
  for (let j = from; j < from + 6; j++) {
    const c = s.charCodeAt(j);
    const nibble = c < 128 ? HEX_NIBBLE[c] : -1;
    if (nibble < 0) return -1;
    x = (x << 4) | nibble;
  }
  return x;
}

function catalogEntryOf(c: Collection): CatalogEntry {
  return { db: c.db, name: c.name, uuid: c.uuid.toHexString(false), options: c.options, indexes: c.indexSpecs() };
}

function validateNamespace(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db)) throw mongoError('InvalidNamespace', `Invalid database name: '${db}'`);
  if (!name || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw mongoError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
}

/** Approximate size of a collection's data: exact for small ones, extrapolated from a sample for large ones. */
function estimateSize(c: Collection): number {
  const n = c.docs.size;
  if (n === 0) return 0;
  let bytes = 0;
  let sampled = 0;
  for (const doc of c.docs.values()) {
    bytes += calculateObjectSize(doc);
    if (++sampled >= 1000) break;
  }
  return Math.round((bytes / sampled) * n);
}

function normaliseSpec(raw: IndexSpec): IndexSpec {
  const key = raw.key;
  if (!key || typeof key !== 'object' || Object.keys(key).length === 0) {
    throw mongoError('CannotCreateIndex', 'Index keys cannot be empty.');
  }
  for (const [field, v] of Object.entries(key)) {
    if (!isAscDescValue(v)) {
      throw mongoError(
        'CannotCreateIndex',
        `Index type ${JSON.stringify(typeof v === 'string' ? v : String(v))} on field '${field}' is not supported by the embedded database (only 1 and -1 indexes)`,
      );
    }
  }
  const name =
    typeof raw.name === 'string' && raw.name
      ? raw.name
      : Object.entries(key)
          .map(([f, v]) => `${f}_${Number(String(v))}`)
          .join('_');
  return { ...raw, name, key };
}

function sameKeyOrder(a: Doc, b: Doc): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  for (const opt of MEANINGFUL_OPTIONS) {
    const x = opt === 'unique' || opt === 'sparse' ? a[opt] === true : a[opt];
    const y = opt === 'unique' || opt === 'sparse' ? b[opt] === true : b[opt];
    if (keyOf(x ?? null) !== keyOf(y ?? null)) return false;
  }
  return true;
}

function describe(spec: IndexSpec): string {
  const parts = Object.entries(spec).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `{ ${parts.join(', ')} }`;
}

/** Builds an index over the committed documents; throws 11000 (unique) or 171 (parallel arrays) without side effects. */
function buildIndex(coll: Collection, spec: IndexSpec): BtreeIndex {
  const ix = new BtreeIndex(spec);
  const { duplicate } = ix.rebuild(coll.docs);
  if (duplicate) throw ix.duplicateKeyError(coll.ns, duplicate);
  return ix;
}
