/**
 * The read path shared by find, count, explain and findAndModify: ask the store for matching documents (it picks an
 * index from the filter and, where it can, from the sort), then sort, skip and limit exactly as MongoDB does.
 */
import type { Collation } from '../query/collation';
import { compileSort } from '../query/sort';
import type { ReadPlan, Txn } from '../storage/store-types';
import type { Doc } from '../types';
import { numberValue } from './args';

export interface QuerySpec {
  filter: Doc;
  sort?: Doc;
  skip?: number;
  /** 0 or undefined: no limit. */
  limit?: number;
  /**
   * The order a hint implies when no sort is given: the hinted index's key pattern (mongod returns documents as it
   * walks that index) or `{ $natural: -1 }` (the collection scanned backwards).
   */
  hintOrder?: Doc;
  /** The command's `let` variables (see let.ts). */
  variables?: Record<string, unknown>;
  /** The operation's collation; undefined is the simple collation. */
  collation?: Collation;
}

export interface QueryResult {
  docs: Doc[];
  plan: ReadPlan;
}

export function runQuery(txn: Txn, db: string, coll: string, spec: QuerySpec): QueryResult {
  const skip = spec.skip ?? 0;
  const limit = spec.limit && spec.limit > 0 ? spec.limit : undefined;
  let requested = spec.sort && Object.keys(spec.sort).length > 0 ? spec.sort : undefined;
  let natural = spec.hintOrder?.$natural;
  if (requested && Object.keys(requested).length === 1 && requested.$natural !== undefined) {
    // sort: { $natural: ±1 } is a scan order, as a $natural hint is.
    natural = requested.$natural;
    requested = undefined;
  }
  const backwards = natural !== undefined && numberValue(natural) === -1;
  const sort = requested ?? (natural === undefined ? spec.hintOrder : undefined);
  // Compile first so that an invalid sort fails before any work.
  const strings = spec.collation?.compare;
  const compare = compileSort(sort, strings);
  const { docs, plan } = txn.find(db, coll, spec.filter, {
    sort: backwards ? { $natural: -1 } : sort,
    limit: limit === undefined ? undefined : skip + limit,
    variables: spec.variables,
    collation: strings,
  });
  // The store may already return index order; Array.prototype.sort is stable, so re-sorting is cheap and safe.
  let result = compare ? [...docs].sort(compare) : backwards ? [...docs].reverse() : docs;
  if (skip > 0 || (limit !== undefined && result.length > limit)) {
    result = result.slice(skip, limit === undefined ? undefined : skip + limit);
  }
  return { docs: result, plan };
}
