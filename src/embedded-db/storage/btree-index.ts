/**
 * One index over a collection's committed documents: a B+ tree ordered by the key tuple (BSON order, per-field
 * direction) and then by the document's `_id` key, so equal keys of different documents are distinct entries.
 * The tree only ever holds committed data; transactions' pending writes live in their own overlays.
 */
import BTree from 'sorted-btree';
import { bulkLoad } from 'sorted-btree/extended/bulkLoad';
import { type Collation, parseCollation } from '../query/collation';
import { KeyMap } from '../query/key-map';
import { compileFilter } from '../query/matcher';
import { compareValues, keyOf, type StringCompare } from '../query/values';
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

/** One key component in index order; `strings` is the index's collation (undefined: simple, code points). */
function compareComponent(a: unknown, b: unknown, dir: number, strings?: StringCompare): number {
  if (a === b) return 0;
  if (a === LOW) return -1;
  if (b === LOW) return 1;
  if (a === HIGH) return 1;
  if (b === HIGH) return -1;
  let c: number;
  if (typeof a === 'string' && typeof b === 'string') c = strings ? strings(a, b) : compareStringsFast(a, b);
  else if (isObjectIdWords(a) && isObjectIdWords(b)) c = compareObjectIds(a, b);
  else c = compareValues(a, b, strings);
  return dir < 0 ? -c : c;
}

/** Key tuples in index order (the `_id` key left out): 0 when the index holds them equal. */
function makeTupleComparator(dirs: number[], strings?: StringCompare) {
  return (a: unknown[], b: unknown[]): number => {
    for (let i = 0; i < dirs.length; i++) {
      const c = compareComponent(a[i], b[i], dirs[i], strings);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * Entries in index order: key tuples, then `_id` key. The tuple loop is this function's own rather than a call of
 * makeTupleComparator's: every step of a tree search runs it, and the extra call showed in the CPU per insert.
 */
function makeComparator(dirs: number[], strings?: StringCompare) {
  return (a: IndexEntry, b: IndexEntry): number => {
    for (let i = 0; i < dirs.length; i++) {
      const c = compareComponent(a.v[i], b.v[i], dirs[i], strings);
      if (c !== 0) return c;
    }
    if (a.k === b.k) return 0;
    if (a.k === LOW || b.k === HIGH) return -1;
    if (a.k === HIGH || b.k === LOW) return 1;
    return a.k < b.k ? -1 : 1;
  };
}

interface Ordered {
  /** Index entries in tree order. */
  entries: IndexEntry[];
  /** order[j]: the collected slot of entries[j] (to find its document). */
  order: number[];
  duplicate?: unknown[];
}

const NO_GROUP: unique symbol = Symbol('no group');
const NULL_GROUP: unique symbol = Symbol('null');

/**
 * A hash key equal for two non-string values exactly when they are equal in the index order, or NO_GROUP when there
 * is no cheap exact one (Long, Decimal128, NaN, dates, documents...). ObjectIds get their hex string (kept in a map of
 * their own so they never meet strings); numbers their double value; null and missing one shared key.
 */
function groupKey(v: unknown): unknown {
  if (v === null || v === undefined) return NULL_GROUP;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return Number.isNaN(v) ? NO_GROUP : v;
    case 'object': {
      const tag = (v as { _bsontype?: unknown })._bsontype;
      if (tag === 'Int32' || tag === 'Double') {
        const x = (v as { value: unknown }).value;
        return typeof x === 'number' && !Number.isNaN(x) ? x : NO_GROUP;
      }
      if (isObjectIdWords(v)) return (v as unknown as { toHexString(): string }).toHexString();
      return NO_GROUP;
    }
    default:
      return NO_GROUP;
  }
}

export class BtreeIndex {
  readonly name: string;
  readonly spec: IndexSpec;
  readonly fields: KeyField[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly isId: boolean;
  /**
   * The index's collation (undefined: simple). Its strings are ordered, and a unique index's keys held equal, by
   * it; a query may take string bounds from the index only when it runs with the same collation.
   */
  readonly collation?: Collation;
  /** Key tuples in this index's order, without the `_id` tie-break: 0 when the index holds them equal. */
  readonly compareTuples: (a: unknown[], b: unknown[]) => number;
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
    this.collation = parseCollation(spec.collation);
    const strings = this.collation?.compare;
    if (spec.partialFilterExpression)
      this.partial = compileFilter(spec.partialFilterExpression, { collation: strings });
    const dirs = this.fields.map((f) => f.direction);
    this.compareTuples = makeTupleComparator(dirs, strings);
    this.compare = makeComparator(dirs, strings);
    this.source = lazySource;
    if (!lazySource) this.btree = this.newTree();
  }

  private readonly compare: (a: IndexEntry, b: IndexEntry) => number;

  private newTree(): BTree<IndexEntry, Doc> {
    return new BTree<IndexEntry, Doc>(undefined, this.compare, NODE_SIZE);
  }

  /**
   * Replaces the tree by one built from `docs` in bulk (order the entries, then load the leaves in order): several
   * times faster than inserting one by one, which matters at startup and when indexing a large collection. For a
   * unique index returns the first duplicate key found (the tree is then left unchanged); keysOf may throw (parallel
   * arrays).
   *
   * Ordering: a single-field index usually has far fewer distinct values than entries, so entries are grouped by
   * value (a hash map), only the distinct values are sorted with the index order, and the entries are placed by a
   * stable counting sort; the documents arrive in `_id`-key order at startup, so each group is then already ordered
   * by `_id` key (checked; sorted when not). Anything the grouping cannot represent exactly falls back to one
   * comparison sort of all entries.
   */
  rebuild(docs: Iterable<[string, Doc]>): { duplicate?: unknown[] } {
    // One slot per index entry: the key tuple (or, single-field fast path, the bare value), `_id` key and document.
    const values: unknown[] = [];
    const tuples: (unknown[] | undefined)[] = [];
    const ids: string[] = [];
    const owners: Doc[] = [];
    let multikey = false;
    const single = this.fields.length === 1;
    const direct = single && this.fields[0].parts.length === 1 && !this.partial ? this.fields[0].path : undefined;
    const visit = (doc: Doc, k: string): void => {
      if (direct !== undefined) {
        const v = doc[direct];
        if (v !== undefined && !Array.isArray(v)) {
          values.push(v);
          tuples.push(undefined);
          ids.push(k);
          owners.push(doc);
          return;
        }
      }
      const keys = this.keysOf(doc);
      if (!keys) return;
      if (keys.multikey) multikey = true;
      for (const t of keys.tuples) {
        values.push(t[0]);
        tuples.push(t);
        ids.push(k);
        owners.push(doc);
      }
    };
    if (docs instanceof Map) (docs as Map<string, Doc>).forEach(visit);
    else for (const [k, doc] of docs) visit(doc, k);

    // `_id` values are all distinct: grouping would only add a hash map of as many entries.
    // Grouping is by identical values: under a collation, distinct strings may be one key (then it sorts).
    const ordered =
      (single && !this.isId && !this.collation && this.groupOrder(values, tuples, ids)) ||
      this.sortOrder(values, tuples, ids);
    if (ordered.duplicate) return { duplicate: ordered.duplicate };
    this.btree = bulkLoad(
      ordered.entries,
      ordered.order.map((i) => owners[i]),
      NODE_SIZE,
      this.compare,
    );
    this.multikey = multikey;
    return {};
  }

  /** Entry order by one comparison sort of every entry (the general case). */
  private sortOrder(values: unknown[], tuples: (unknown[] | undefined)[], ids: string[]): Ordered {
    const n = ids.length;
    const all: IndexEntry[] = new Array(n);
    for (let i = 0; i < n; i++) all[i] = { v: tuples[i] ?? [values[i]], k: ids[i] };
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((x, y) => this.compare(all[x], all[y]));
    const entries = order.map((i) => all[i]);
    if (this.unique) {
      for (let i = 1; i < n; i++) {
        const a = entries[i - 1];
        const b = entries[i];
        if (a.k !== b.k && this.compareTuples(a.v, b.v) === 0) {
          return { entries, order, duplicate: b.v };
        }
      }
    }
    return { entries, order };
  }

  /**
   * Entry order for a single-field index by grouping equal values (see rebuild), or undefined when a value has no
   * exact grouping key (then the caller sorts). Values are grouped only when equal in the index order: identical
   * strings and booleans, numbers of any type holding the same double (not NaN), null with missing, ObjectIds by
   * their bytes; distinct groups are additionally checked to compare unequal.
   */
  private groupOrder(values: unknown[], tuples: (unknown[] | undefined)[], ids: string[]): Ordered | undefined {
    const n = ids.length;
    const gid = new Int32Array(n);
    const reps: unknown[] = [];
    const strings = new Map<string, number>();
    const objectIds = new Map<string, number>();
    const others = new Map<unknown, number>();
    let idsAscending = true;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      let map: Map<unknown, number>;
      let key: unknown;
      if (typeof v === 'string') {
        map = strings as Map<unknown, number>;
        key = v;
      } else {
        key = groupKey(v);
        if (key === NO_GROUP) return undefined;
        map = (isObjectIdWords(v) ? objectIds : others) as Map<unknown, number>;
      }
      let g = map.get(key);
      if (g === undefined) {
        g = reps.length;
        map.set(key, g);
        reps.push(v);
      }
      gid[i] = g;
      if (idsAscending && i > 0 && !(ids[i - 1] < ids[i]) && ids[i - 1] !== ids[i]) idsAscending = false;
    }
    const dir = this.fields[0].direction;
    const groups = reps.length;
    const byValue = Array.from({ length: groups }, (_, g) => g);
    byValue.sort((x, y) => compareComponent(reps[x], reps[y], dir));
    for (let r = 1; r < groups; r++) {
      if (compareComponent(reps[byValue[r - 1]], reps[byValue[r]], dir) === 0) return undefined;
    }
    // Counting sort: group sizes, then each group's first position in value order; stable within a group.
    const start = new Int32Array(groups + 1);
    for (let i = 0; i < n; i++) start[gid[i] + 1]++;
    const rank = new Int32Array(groups);
    for (let r = 0; r < groups; r++) rank[byValue[r]] = r;
    const offset = new Int32Array(groups + 1);
    for (let r = 0; r < groups; r++) offset[r + 1] = offset[r] + start[byValue[r] + 1];
    const order: number[] = new Array(n);
    const next = offset.slice(0, groups);
    for (let i = 0; i < n; i++) order[next[rank[gid[i]]]++] = i;
    if (!idsAscending) {
      for (let r = 0; r < groups; r++) {
        if (offset[r + 1] - offset[r] < 2) continue;
        const segment = order
          .slice(offset[r], offset[r + 1])
          .sort((x, y) => (ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0));
        for (let j = 0; j < segment.length; j++) order[offset[r] + j] = segment[j];
      }
    }
    // Entries of a group of identical primitive values share one key tuple.
    const shared: (unknown[] | undefined)[] = reps.map((v) =>
      typeof v === 'string' || typeof v === 'boolean' ? [v] : undefined,
    );
    const entries: IndexEntry[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const i = order[j];
      entries[j] = { v: shared[gid[i]] ?? tuples[i] ?? [values[i]], k: ids[i] };
    }
    if (this.unique) {
      for (let r = 0; r < groups; r++) {
        if (offset[r + 1] - offset[r] > 1) {
          for (let j = offset[r] + 1; j < offset[r + 1]; j++) {
            if (entries[j].k !== entries[j - 1].k) return { entries, order, duplicate: entries[j].v };
          }
        }
      }
    }
    return { entries, order };
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

  /** An empty map keyed by this index's keys, with its notion of equal keys (its collation). */
  keyMap<V>(): KeyMap<V> {
    return new KeyMap<V>(this.collation ? this.compareTuples : undefined);
  }

  /** The key for `tuple` in this index's key maps. */
  mapKey(tuple: unknown[]): unknown {
    return this.collation ? tuple : keyOf(tuple); // as mapKeyOf, without a call more on every unique write
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
