/**
 * A map from tuples of values to values, with a collation's notion of equal keys: unique-key claims of uncommitted
 * transactions (one per unique index, in its order) and $group's groups are kept in one.
 *
 * Under the simple collation two keys are equal exactly when their canonical hashes (keyOf) are, so a hash map does.
 * Under another collation distinct strings can be one key ('a@x.kz' and 'A@X.KZ' at strength 2), and Intl.Collator
 * gives no sort key to hash, so the map is a B+ tree ordered by the index's own comparison.
 */
import BTree from 'sorted-btree';
import { compareValues, keyOf, type StringCompare } from './values';

export type TupleCompare = (a: unknown[], b: unknown[]) => number;

/** The key a KeyMap built with (or without) a comparison takes for `tuple`; computed once per tuple by the caller. */
export function mapKeyOf(tuple: unknown[], ordered: boolean): unknown {
  return ordered ? tuple : keyOf(tuple);
}

export class KeyMap<V> {
  private readonly hashed?: Map<string, V>;
  private readonly ordered?: BTree<unknown[], V>;

  /** `compare` is the tuple order under a collation; without it keys are hashed. */
  constructor(compare?: TupleCompare) {
    if (compare) this.ordered = new BTree<unknown[], V>(undefined, compare);
    else this.hashed = new Map();
  }

  get(key: unknown): V | undefined {
    return this.hashed ? this.hashed.get(key as string) : this.ordered?.get(key as unknown[]);
  }

  set(key: unknown, value: V): void {
    if (this.hashed) this.hashed.set(key as string, value);
    else this.ordered?.set(key as unknown[], value);
  }

  delete(key: unknown): void {
    if (this.hashed) this.hashed.delete(key as string);
    else this.ordered?.delete(key as unknown[]);
  }

  get size(): number {
    return this.hashed ? this.hashed.size : (this.ordered?.size ?? 0);
  }
}

/** The comparison of one-value tuples a KeyMap takes under a collation (undefined: the simple one, hashed). */
export function valueTupleCompare(strings: StringCompare | undefined): TupleCompare | undefined {
  return strings ? (a, b) => compareValues(a[0], b[0], strings) : undefined;
}

/**
 * A set of values by BSON equality (Int32(1) and Double(1) are one element) or, under a collation, by its equality
 * of strings ('Apple' and 'APPLE' at strength 2): the set operators and $lookup's matching use it.
 */
export class ValueSet {
  private readonly map: KeyMap<true>;

  constructor(
    private readonly strings?: StringCompare,
    values: Iterable<unknown> = [],
  ) {
    this.map = new KeyMap<true>(valueTupleCompare(strings));
    for (const v of values) this.add(v);
  }

  has(value: unknown): boolean {
    return this.map.get(mapKeyOf([value], this.strings !== undefined)) === true;
  }

  /** Adds `value`; false when an equal value is already in the set. */
  add(value: unknown): boolean {
    const key = mapKeyOf([value], this.strings !== undefined);
    if (this.map.get(key)) return false;
    this.map.set(key, true);
    return true;
  }
}
