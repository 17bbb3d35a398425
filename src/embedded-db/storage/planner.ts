/**
 * Query planning: turns a filter into the cheapest way of finding candidate documents among a collection's
 * committed data — a direct `_id` lookup, a scan of key ranges of one index, or a full collection scan. Candidates
 * are always re-checked against the full predicate, so a plan only has to produce a superset of the matches.
 */
import { holdsStrings } from '../query/collation';
import { indexableConditions } from '../query/matcher';
import { isPlainObject, keyOf, type StringCompare } from '../query/values';
import type { Doc } from '../types';
import { type BtreeIndex, HIGH, type IndexEntry, LOW } from './btree-index';
import type { Collection } from './collection';

type Conditions = ReturnType<typeof indexableConditions>;
type Condition = Conditions extends Map<string, infer C> ? C : never;

export type ScanPlan =
  | {
      kind: 'IDHACK';
      ids: unknown[] /** The filter is exactly `{_id: v}`: a hit needs no predicate. */;
      exact: boolean;
    }
  | { kind: 'IXSCAN'; index: BtreeIndex; ranges: [IndexEntry, IndexEntry][] }
  | { kind: 'COLLSCAN' };

/** Beyond this many equality combinations a compound prefix is cut short (a range scan with a re-check is cheaper). */
const MAX_POINTS = 1000;

function isRegex(v: unknown): boolean {
  return (
    v instanceof RegExp ||
    (v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'BSONRegExp')
  );
}

function isNullish(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  const tag = v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
  return tag === 'MinKey' || tag === 'MaxKey';
}

/**
 * Index points an equality value must be looked up at. `{a: [1, 2]}` matches a document whose `a` is exactly [1, 2]
 * (indexed by its elements, so found under its first element) or contains [1, 2] as an element (indexed as is).
 */
function eqPoints(values: unknown[]): unknown[] | undefined {
  const out: unknown[] = [];
  for (const v of values) {
    if (isRegex(v)) return undefined; // a regex in $in matches strings: not an equality
    out.push(v);
    if (Array.isArray(v)) out.push(v.length ? v[0] : undefined);
  }
  return out;
}

/** True when no document missing every key field can match (so a sparse index holds all candidates). */
function excludesMissing(c: Condition | undefined): boolean {
  if (!c) return false;
  if (c.eq) return c.eq.every((v) => !isNullish(v) && !(Array.isArray(v) && v.length === 0));
  return (c.gt !== undefined && !isNullish(c.gt.value)) || (c.lt !== undefined && !isNullish(c.lt.value));
}

/**
 * Whether the query implies the partial filter, conservatively: every top-level condition of the partial filter
 * appears verbatim in the query, or is `{$exists: true}` on a field the query constrains to a non-null value.
 */
function impliesPartial(filter: Doc, partial: Doc, conds: Conditions): boolean {
  for (const [field, cond] of Object.entries(partial)) {
    if (field === '$and' && Array.isArray(cond)) {
      if (!cond.every((part) => isPlainObject(part) && impliesPartial(filter, part, conds))) return false;
      continue;
    }
    if (field in filter && sameValue(filter[field], cond)) continue;
    const andParts = Array.isArray(filter.$and) ? (filter.$and as unknown[]) : [];
    if (andParts.some((p) => isPlainObject(p) && field in p && sameValue(p[field], cond))) continue;
    if (
      isPlainObject(cond) &&
      Object.keys(cond).length === 1 &&
      cond.$exists === true &&
      excludesMissing(conds.get(field))
    ) {
      continue;
    }
    return false;
  }
  return true;
}

/** Deep equality including bson types, through the canonical hashing used everywhere else. */
function sameValue(a: unknown, b: unknown): boolean {
  return keyOf(a) === keyOf(b);
}

interface Candidate {
  index: BtreeIndex;
  /** Equality values per leading field. */
  points: unknown[][];
  range?: Condition;
  score: number[];
}

/** Whether a condition's values hold strings, which only an index of the query's own collation orders alike. */
function comparesStrings(c: Condition): boolean {
  return (c.eq?.some(holdsStrings) ?? false) || holdsStrings(c.gt?.value) || holdsStrings(c.lt?.value);
}

function candidateFor(
  index: BtreeIndex,
  filter: Doc,
  conds: Conditions,
  collation: StringCompare | undefined,
): Candidate | undefined {
  const points: unknown[][] = [];
  let combos = 1;
  let range: Condition | undefined;
  const sameCollation = index.collation?.compare === collation;
  for (const f of index.fields) {
    let c = conds.get(f.path);
    // Bounds holding strings come from an index of another collation only as a full scan of that field.
    if (c && !sameCollation && comparesStrings(c)) c = undefined;
    const pts = c?.eq ? eqPoints(c.eq) : undefined;
    if (pts && combos * pts.length <= MAX_POINTS) {
      points.push(pts);
      combos *= pts.length;
      continue;
    }
    if (c && (c.gt || c.lt)) range = c;
    break;
  }
  if (points.length === 0 && !range) return undefined;
  if (index.sparse && !index.fields.some((f) => excludesMissing(conds.get(f.path)))) return undefined;
  if (index.spec.partialFilterExpression && !impliesPartial(filter, index.spec.partialFilterExpression, conds)) {
    return undefined;
  }
  const exactUnique = index.unique && points.length === index.fields.length ? 1 : 0;
  return {
    index,
    points,
    range,
    score: [
      index.isId && exactUnique ? 1 : 0,
      exactUnique,
      points.length,
      range ? 1 : 0,
      index.unique ? 1 : 0,
      -index.fields.length,
    ],
  };
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/** Key ranges for a candidate: one per combination of equality values, bounded on the next field by its range. */
function rangesOf(c: Candidate): [IndexEntry, IndexEntry][] {
  let prefixes: unknown[][] = [[]];
  for (const pts of c.points) {
    const next: unknown[][] = [];
    for (const p of prefixes) for (const v of pts) next.push([...p, v]);
    prefixes = next;
  }
  const ix = c.index;
  const rangeField = ix.fields[c.points.length];
  const out: [IndexEntry, IndexEntry][] = [];
  for (const prefix of prefixes) {
    if (!c.range || !rangeField) {
      out.push([ix.boundKey(prefix, LOW), ix.boundKey(prefix, HIGH)]);
      continue;
    }
    let { gt, lt } = c.range;
    // On a multikey field one element may satisfy $gt and another $lt: the bounds cannot be intersected.
    if (ix.multikey && gt && lt) lt = undefined;
    // In tree order a descending field runs from the upper bound down to the lower one.
    const [first, last] = rangeField.direction === 1 ? [gt, lt] : [lt, gt];
    const low = first ? ix.boundKey([...prefix, first.value], first.inclusive ? LOW : HIGH) : ix.boundKey(prefix, LOW);
    const high = last ? ix.boundKey([...prefix, last.value], last.inclusive ? HIGH : LOW) : ix.boundKey(prefix, HIGH);
    out.push([low, high]);
  }
  return out;
}

/** A filter that is exactly `{_id: <value>}`: answered by a lookup with no predicate to compile. */
export function simpleIdFilter(filter: Doc): { id: unknown } | undefined {
  let id: unknown;
  let n = 0;
  for (const k in filter) {
    if (k !== '_id') return undefined;
    id = filter[k];
    n++;
  }
  if (n !== 1 || id === undefined || isRegex(id) || Array.isArray(id)) return undefined;
  if (isPlainObject(id) && Object.keys(id).some((k) => k.startsWith('$'))) return undefined;
  return { id };
}

/**
 * A filter that is exactly `{_id: {$in: [v, ...]}}` of plain values (no regex, array, operator object, or string under
 * a collation): the documents stored under those ids are its matches, with no predicate to run (a `$lookup` on `_id`
 * reads its foreign documents so, a thousand ids at a time).
 */
function simpleIdInFilter(filter: Doc, collation: StringCompare | undefined): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id' || !isPlainObject(filter._id)) return false;
  const condition = filter._id as Doc;
  const ops = Object.keys(condition);
  if (ops.length !== 1 || ops[0] !== '$in' || !Array.isArray(condition.$in)) return false;
  return (condition.$in as unknown[]).every(
    (v) =>
      !isRegex(v) &&
      !Array.isArray(v) &&
      !(isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'))) &&
      !(collation && holdsStrings(v)),
  );
}

/**
 * `collation` is the query's (undefined: simple). A direct `_id` lookup finds the identical value only, so under a
 * collation it serves only `_id` values without strings; otherwise the `_id` index is planned like any other.
 */
export function planRead(coll: Collection, filter: Doc, collation?: StringCompare): ScanPlan {
  const simple = simpleIdFilter(filter);
  if (simple && !(collation && holdsStrings(simple.id))) return { kind: 'IDHACK', ids: [simple.id], exact: true };
  const conds = indexableConditions(filter);
  if (conds.size === 0) return { kind: 'COLLSCAN' };
  const idCond = conds.get('_id');
  if (
    idCond?.eq &&
    idCond.eq.length <= MAX_POINTS &&
    idCond.eq.every((v) => !isRegex(v) && !Array.isArray(v) && !(collation && holdsStrings(v)))
  ) {
    return { kind: 'IDHACK', ids: idCond.eq, exact: simpleIdInFilter(filter, collation) };
  }
  let best: Candidate | undefined;
  for (const ix of coll.indexes.values()) {
    const c = candidateFor(ix, filter, conds, collation);
    if (c && (!best || better(c.score, best.score))) best = c;
  }
  if (!best) return { kind: 'COLLSCAN' };
  return { kind: 'IXSCAN', index: best.index, ranges: rangesOf(best) };
}
