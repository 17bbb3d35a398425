/**
 * One index over a collection's committed documents: a B+ tree ordered by the key tuple (BSON order, per-field
 * direction) and then by the document's `_id` key, so equal keys of different documents are distinct entries.
 * The tree only ever holds committed data; transactions' pending writes live in their own overlays.
 */
import BTree from 'sorted-btree';
import { bulkLoad } from 'sorted-btree/extended/bulkLoad';
import { compileFilter } from '../query/matcher';
import { compareValues } from '../query/values';
import type { Doc } from '../types';
import { duplicateKeyError, extractKeys, type KeyField, keyFieldsOf } from './index-keys';
import type { IndexSpec } from './store-types';

/** Bound markers that sort before / after every real value, whatever the field's direction. */
export const LOW: unique symbol = Symbol('low');
export const HIGH: unique symbol = Symbol('high');
type Bound = typeof LOW | typeof HIGH;

/** B+ tree branching factor (sorted-btree's default is 32; wider nodes suit large in-memory indexes). */
const NODE_SIZE = 64;

export interface IndexKeys {
  tuples: unknown[][];
  multikey: boolean;
}

export interface IndexEntry {
  /** The key tuple (may contain LOW/HIGH only in scan bounds). */
  v: unknown[];
  /** keyOf(_id) of the document, or a bound marker. */
  k: string | Bound;
}

interface ObjectIdWords {
  _bsontype: 'ObjectId';
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

function isObjectIdWords(v: unknown): v is ObjectIdWords {
  return (
    v !== null &&
    typeof v === 'object' &&
    (v as { _bsontype?: unknown })._bsontype === 'ObjectId' &&
    typeof (v as ObjectIdWords).i3 === 'number'
  );
}

/**
 * bson 7 keeps an ObjectId as four 24-bit words, and its `id` getter allocates a buffer on every call; ordering by
 * the words (same order as the bytes) keeps ObjectId-keyed indexes free of that allocation. Falls back to
 * compareValues for anything else.
 */
function compareObjectIds(a: ObjectIdWords, b: ObjectIdWords): number {
  if (a.i0 !== b.i0) return a.i0 < b.i0 ? -1 : 1;
  if (a.i1 !== b.i1) return a.i1 < b.i1 ? -1 : 1;
  if (a.i2 !== b.i2) return a.i2 < b.i2 ? -1 : 1;
  if (a.i3 !== b.i3) return a.i3 < b.i3 ? -1 : 1;
  return 0;
}

const SURROGATE = /[\ud800-\udfff]/;

/**
 * Two strings: JavaScript's native (UTF-16 unit) order equals MongoDB's code-point order unless a surrogate pair is
 * involved, so the native comparison is used when neither string has one (much cheaper than a per-char loop).
 */
function compareStringsFast(a: string, b: string): number {
  if (SURROGATE.test(a) || SURROGATE.test(b)) return compareValues(a, b);
  return a < b ? -1 : 1;
}

function compareComponent(a: unknown, b: unknown, dir: number): number {
  if (a === b) return 0;
  if (a === LOW) return -1;
  if (b === LOW) return 1;
  if (a === HIGH) return 1;
  if (b === HIGH) return -1;
  let c: number;
  if (typeof a === 'string' && typeof b === 'string') c = compareStringsFast(a, b);
  else if (isObjectIdWords(a) && isObjectIdWords(b)) c = compareObjectIds(a, b);
  else c = compareValues(a, b);
  return dir < 0 ? -c : c;
}

function makeComparator(dirs: number[]) {
  return (a: IndexEntry, b: IndexEntry): number => {
    for (let i = 0; i < dirs.length; i++) {
      const c = compareComponent(a.v[i], b.v[i], dirs[i]);
      if (c !== 0) return c;
    }
    if (a.k === b.k) return 0;
    if (a.k === LOW || b.k === HIGH) return -1;
    if (a.k === HIGH || b.k === LOW) return 1;
    return a.k < b.k ? -1 : 1;
  };
}

export class BtreeIndex {
  readonly name: string;
  readonly spec: IndexSpec;
  readonly fields: KeyField[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly isId: boolean;
  /** Documents outside the partial filter are not indexed. */
  readonly partial?: (doc: Doc) => boolean;
  /** Set once any indexed document expanded an array; never cleared (mongod behaves the same until a rebuild). */
  multikey = false;
  private btree?: BTree<IndexEntry, Doc>;
  /**
   * The `_id_` tree is built only when a query first needs `_id` order or ranges: point lookups go through the
   * collection's map, and skipping it makes inserts and startup cheaper. `source` supplies the documents then.
   */
  private readonly source?: () => Iterable<[string, Doc]>;

  constructor(spec: IndexSpec, lazySource?: () => Iterable<[string, Doc]>) {
    this.spec = spec;
    this.name = spec.name;
    this.fields = keyFieldsOf(spec.key);
    this.unique = spec.unique === true || spec.name === '_id_';
    this.sparse = spec.sparse === true;
    this.isId = spec.name === '_id_';
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression);
    this.compare = makeComparator(this.fields.map((f) => f.direction));
    this.source = lazySource;
    if (!lazySource) this.btree = this.newTree();
  }

  private readonly compare: (a: IndexEntry, b: IndexEntry) => number;

  private newTree(): BTree<IndexEntry, Doc> {
    return new BTree<IndexEntry, Doc>(undefined, this.compare, NODE_SIZE);
  }

  /**
   * Replaces the tree by one built from `docs` in bulk (sort, then load the leaves in order): several times faster
   * than inserting one by one, which matters at startup and when indexing a large collection. For a unique index
   * returns the first duplicate key found (the tree is then left unchanged); keysOf may throw (parallel arrays).
   */
  rebuild(docs: Iterable<[string, Doc]>): { duplicate?: unknown[] } {
    const entries: [IndexEntry, Doc][] = [];
    let multikey = false;
    for (const [k, doc] of docs) {
      const keys = this.keysOf(doc);
      if (!keys) continue;
      if (keys.multikey) multikey = true;
      for (const v of keys.tuples) entries.push([{ v, k }, doc]);
    }
    entries.sort((x, y) => this.compare(x[0], y[0]));
    if (this.unique) {
      for (let i = 1; i < entries.length; i++) {
        const a = entries[i - 1][0];
        const b = entries[i][0];
        if (a.k !== b.k && this.fields.every((f, j) => compareComponent(a.v[j], b.v[j], f.direction) === 0)) {
          return { duplicate: b.v };
        }
      }
    }
    this.btree = bulkLoad(
      entries.map((e) => e[0]),
      entries.map((e) => e[1]),
      NODE_SIZE,
      this.compare,
    );
    this.multikey = multikey;
    return {};
  }

  /** The B+ tree, built on first use for a lazy index. */
  get tree(): BTree<IndexEntry, Doc> {
    if (!this.btree) this.rebuild((this.source as () => Iterable<[string, Doc]>)());
    return this.btree as BTree<IndexEntry, Doc>;
  }

  /** Key tuples of `doc`, or null when the index does not cover it (sparse miss, outside the partial filter). */
  keysOf(doc: Doc): IndexKeys | null {
    if (this.isId) return { tuples: [[doc._id]], multikey: false };
    if (this.partial && !this.partial(doc)) return null;
    return extractKeys(doc, this.fields, this.sparse);
  }

  /** `keys` may be passed when a commit's validation already computed them. */
  add(doc: Doc, idKey: string, keys: IndexKeys | null = this.keysOf(doc)): void {
    if (!keys || (!this.btree && this.source)) return;
    if (keys.multikey) this.multikey = true;
    for (const v of keys.tuples) this.tree.set({ v, k: idKey }, doc);
  }

  remove(doc: Doc, idKey: string): void {
    if (!this.btree && this.source) return;
    const keys = this.keysOf(doc);
    if (!keys) return;
    for (const v of keys.tuples) this.tree.delete({ v, k: idKey });
  }

  /** Calls `onEntry` for every committed entry whose key tuple equals `tuple`. */
  forEqual(tuple: unknown[], onEntry: (idKey: string, doc: Doc) => void): void {
    this.tree.forRange({ v: tuple, k: LOW }, { v: tuple, k: HIGH }, true, (e, doc) => {
      onEntry(e.k as string, doc);
    });
  }

  duplicateKeyError(ns: string, tuple: unknown[]) {
    return duplicateKeyError(ns, this.name, this.spec.key, this.fields, tuple);
  }

  /** A tuple equal to `prefix` on its first fields and at `fill` (LOW or HIGH) on the rest. */
  boundKey(prefix: unknown[], fill: Bound): IndexEntry {
    const v = prefix.slice();
    while (v.length < this.fields.length) v.push(fill);
    return { v, k: fill };
  }
}
