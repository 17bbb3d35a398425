/**
 * Runs an aggregation pipeline over documents already read from storage. Each stage is compiled once (so a
 * malformed stage fails before any work) and then applied to the whole document list; the engine is in memory,
 * which suits the embedded database's size. Stages that need other collections ($lookup, $unionWith) read them
 * through `PipelineContext.collection`, which gives the running transaction's view.
 */
import { Int32, Long } from 'bson';
import { MongoCommandError, mongoError } from '../errors';
import { KeyMap, mapKeyOf, valueTupleCompare } from '../query/key-map';
import { compileFilter } from '../query/matcher';
import { compileSort } from '../query/sort';
import { compareValues, type StringCompare, setField } from '../query/values';
import type { Doc } from '../types';
import { type Accumulator, type AccumulatorSpec, parseAccumulator } from './accumulators';
import { compareExpr, isPlainObject, typeName } from './expr-support';
import { checkVariableName, type ExprContext, evaluate } from './expressions';
import { compileAddFields, compileProject, compileUnset } from './field-specs';
import { isNumeric, toDouble } from './numeric';

export interface PipelineContext {
  db: string;
  now: Date;
  /**
   * Documents of another collection in the same database matching `filter` (default: all, in natural order), as the
   * running transaction sees them (for $lookup/$unionWith).
   */
  collection(name: string, filter?: Doc): Doc[];
  variables?: Record<string, unknown>;
  /** The aggregate's collation (undefined: simple): $match and $sort compare strings by it. */
  collation?: StringCompare;
}

/**
 * The stages that honour a collation here: their filters, sort keys, group keys, accumulators, expressions (the
 * set operators included), $lookup's equality and the sub-pipelines of $lookup, $unionWith and $facet compare strings
 * by it. Any other stage would compare by code point: under a collation it is refused rather than answered
 * differently from mongod.
 */
const COLLATION_STAGES = new Set([
  '$match',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$unset',
  '$sample',
  '$group',
  '$sortByCount',
  '$bucket',
  '$project',
  '$addFields',
  '$set',
  '$replaceRoot',
  '$replaceWith',
  '$unwind',
  '$facet',
  '$lookup',
  '$unionWith',
]);

type Stage = (docs: Doc[]) => Doc[];

/** Stages mongod has that this engine refuses by name rather than ignoring. */
const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$geoNear',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$changeStream',
  '$changeStreamSplitLargeEvent',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions',
  '$planCacheStats',
  '$graphLookup',
  '$bucketAuto',
  '$setWindowFields',
  '$densify',
  '$fill',
  '$redact',
  '$documents',
  '$listSearchIndexes',
  '$shardedDataDistribution',
  '$querySettings',
  '$listSampledQueries',
  '$listClusterCatalog',
]);

function stageError(code: number, message: string): MongoCommandError {
  return new MongoCommandError(code, message);
}

export function runPipeline(input: Doc[], pipeline: Doc[], ctx: PipelineContext): Doc[] {
  if (!Array.isArray(pipeline)) throw stageError(14, "'pipeline' option must be specified as an array");
  const stages = pipeline.map((stage) => compileStage(stage, ctx));
  return stages.reduce((docs, stage) => stage(docs), input);
}

/** The pipeline's variables, shared by every document's context (operators that bind more copy them). */
const NO_VARIABLES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

function exprContext(doc: Doc, ctx: PipelineContext): ExprContext {
  return { root: doc, variables: ctx.variables ?? NO_VARIABLES, now: ctx.now, collation: ctx.collation };
}

function compileStage(stage: unknown, ctx: PipelineContext): Stage {
  if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
    throw stageError(40323, 'A pipeline stage specification object must contain exactly one field.');
  }
  const name = Object.keys(stage)[0];
  const spec = stage[name];
  if (ctx.collation && !COLLATION_STAGES.has(name))
    throw mongoError('CommandNotSupported', `the embedded database does not support ${name} with a collation`);
  switch (name) {
    case '$match':
      return matchStage(spec, ctx);
    case '$project':
      return perDocument(compileProject(spec), ctx);
    case '$addFields':
    case '$set':
      return perDocument(compileAddFields(spec, name), ctx);
    case '$unset':
      return perDocument(compileUnset(spec), ctx);
    case '$group':
      return groupStage(spec, ctx);
    case '$sort':
      return sortStage(spec, ctx);
    case '$skip':
      return skipStage(spec);
    case '$limit':
      return limitStage(spec);
    case '$unwind':
      return unwindStage(spec);
    case '$lookup':
      return lookupStage(spec, ctx);
    case '$facet':
      return facetStage(spec, ctx);
    case '$count':
      return countStage(spec);
    case '$sortByCount':
      return sortByCountStage(spec, ctx);
    case '$replaceRoot':
      return replaceRootStage(spec, ctx, '$replaceRoot');
    case '$replaceWith':
      return replaceRootStage({ newRoot: spec }, ctx, '$replaceWith');
    case '$unionWith':
      return unionWithStage(spec, ctx);
    case '$bucket':
      return bucketStage(spec, ctx);
    case '$sample':
      return sampleStage(spec);
    default:
      if (UNSUPPORTED_STAGES.has(name)) {
        throw stageError(40324, `${name} is not supported by the embedded database`);
      }
      throw stageError(40324, `Unrecognized pipeline stage name: '${name}'`);
  }
}

function perDocument(transform: (doc: Doc, ectx: ExprContext) => Doc, ctx: PipelineContext): Stage {
  return (docs) => docs.map((doc) => transform(doc, exprContext(doc, ctx)));
}

function matchStage(spec: unknown, ctx: PipelineContext): Stage {
  if (!isPlainObject(spec)) throw stageError(15959, 'the match filter must be an expression in an object');
  const predicate = compileFilter(spec, { variables: ctx.variables ?? {}, now: ctx.now, collation: ctx.collation });
  return (docs) => docs.filter((doc) => predicate(doc));
}

// ---------------------------------------------------------------------------------------------------------
// $group, $count, $sortByCount, $bucket
// ---------------------------------------------------------------------------------------------------------

/** An _id given as an object literal groups by each field, with missing fields reported as null (as mongod). */
function groupKey(idExpr: unknown, ectx: ExprContext): unknown {
  if (isPlainObject(idExpr) && Object.keys(idExpr).length > 0 && !Object.keys(idExpr)[0].startsWith('$')) {
    const out: Doc = {};
    for (const [k, e] of Object.entries(idExpr)) {
      const v = evaluate(e, ectx);
      setField(out, k, v === undefined ? null : v);
    }
    return out;
  }
  const id = evaluate(idExpr, ectx);
  return id === undefined ? null : id;
}

function feedAccumulators(specs: AccumulatorSpec[], accs: Accumulator[], ectx: ExprContext): void {
  for (let i = 0; i < specs.length; i++) {
    accs[i].add(specs[i].operator === '$count' ? undefined : evaluate(specs[i].argument, ectx));
  }
}

function groupResult(id: unknown, specs: AccumulatorSpec[], accs: Accumulator[]): Doc {
  const out: Doc = { _id: id };
  for (let i = 0; i < specs.length; i++) out[specs[i].field] = accs[i].result();
  return out;
}

function groupStage(spec: unknown, ctx: PipelineContext): Stage {
  if (!isPlainObject(spec)) throw stageError(15947, "a group's fields must be specified in an object");
  if (!('_id' in spec)) throw stageError(15955, 'a group specification must include an _id');
  const accumulators = Object.entries(spec)
    .filter(([field]) => field !== '_id')
    .map(([field, acc]) => parseAccumulator(field, acc));
  const strings = ctx.collation;
  return (docs) => {
    // Equal keys are one group: hashed (keyOf makes Int32(1), Long(1) and Double(1) one, as BSON equality does), or
    // under a collation compared by it, the first key met standing for the group.
    const groups = new KeyMap<{ id: unknown; accs: Accumulator[] }>(
      strings ? (a, b) => compareValues(a[0], b[0], strings) : undefined,
    );
    const order: { id: unknown; accs: Accumulator[] }[] = [];
    for (const doc of docs) {
      const ectx = exprContext(doc, ctx);
      const id = groupKey(spec._id, ectx);
      const key = mapKeyOf([id], strings !== undefined);
      let group = groups.get(key);
      if (!group) {
        group = { id, accs: accumulators.map((a) => a.create(strings)) };
        groups.set(key, group);
        order.push(group);
      }
      feedAccumulators(accumulators, group.accs, ectx);
    }
    return order.map((group) => groupResult(group.id, accumulators, group.accs));
  };
}

function countStage(spec: unknown): Stage {
  if (typeof spec !== 'string') throw stageError(40156, 'the count field must be a non-empty string');
  if (spec === '') throw stageError(40157, 'the count field must be a non-empty string');
  if (spec.startsWith('$')) throw stageError(40158, 'the count field cannot be a $-prefixed path');
  if (spec.includes('.')) throw stageError(40160, "the count field cannot contain '.'");
  return (docs) => (docs.length === 0 ? [] : [{ [spec]: new Int32(docs.length) }]);
}

function sortByCountStage(spec: unknown, ctx: PipelineContext): Stage {
  const isFieldPath = typeof spec === 'string' && spec.startsWith('$');
  const isOperator = isPlainObject(spec) && Object.keys(spec).length === 1 && Object.keys(spec)[0].startsWith('$');
  if (!isFieldPath && !isOperator) {
    throw stageError(40148, 'the sortByCount field must be defined as a $-prefixed path or an expression');
  }
  const group = groupStage({ _id: spec, count: { $sum: new Int32(1) } }, ctx);
  // Descending count; the stable sort keeps first-seen order among equal counts.
  return (docs) => group(docs).sort((a, b) => compareExpr(b.count, a.count));
}

function bucketStage(spec: unknown, ctx: PipelineContext): Stage {
  if (!isPlainObject(spec)) throw stageError(40201, 'Argument to $bucket stage must be an object');
  for (const key of Object.keys(spec)) {
    if (!['groupBy', 'boundaries', 'default', 'output'].includes(key))
      throw stageError(40197, `Unrecognized option to $bucket: ${key}.`);
  }
  const { groupBy, boundaries, output } = spec;
  if (!Array.isArray(boundaries) || boundaries.length < 2) {
    throw stageError(40192, "The $bucket 'boundaries' field must be an array with at least two values");
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (
      typeName(boundaries[i]) !== typeName(boundaries[i - 1]) &&
      !(isNumeric(boundaries[i]) && isNumeric(boundaries[i - 1]))
    ) {
      throw stageError(40193, "All values in the 'boundaries' option to $bucket must have the same type");
    }
    if (compareExpr(boundaries[i - 1], boundaries[i], ctx.collation) >= 0) {
      throw stageError(40194, "The 'boundaries' option to $bucket must be sorted in ascending order");
    }
  }
  const hasDefault = 'default' in spec;
  if (
    hasDefault &&
    compareExpr(spec.default, boundaries[0], ctx.collation) >= 0 &&
    compareExpr(spec.default, boundaries[boundaries.length - 1], ctx.collation) < 0 &&
    typeName(spec.default) === typeName(boundaries[0])
  ) {
    throw stageError(
      40199,
      "The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.",
    );
  }
  const accumulators = Object.entries(output === undefined ? { count: { $sum: new Int32(1) } } : (output as Doc)).map(
    ([f, a]) => parseAccumulator(f, a),
  );
  return (docs) => {
    const buckets = new Map<number, { id: unknown; accs: Accumulator[] }>();
    for (const doc of docs) {
      const ectx = exprContext(doc, ctx);
      const value = evaluate(groupBy, ectx);
      let index = -1;
      for (let i = 0; i < boundaries.length - 1; i++) {
        if (
          compareExpr(value, boundaries[i], ctx.collation) >= 0 &&
          compareExpr(value, boundaries[i + 1], ctx.collation) < 0
        )
          index = i;
      }
      if (index === -1 && !hasDefault) {
        throw stageError(40066, `$switch could not find a matching branch for an input, and no default was specified.`);
      }
      const id = index === -1 ? spec.default : boundaries[index];
      const slot = index === -1 ? boundaries.length : index;
      let bucket = buckets.get(slot);
      if (!bucket) {
        bucket = { id, accs: accumulators.map((a) => a.create(ctx.collation)) };
        buckets.set(slot, bucket);
      }
      feedAccumulators(accumulators, bucket.accs, ectx);
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, bucket]) => groupResult(bucket.id, accumulators, bucket.accs));
  };
}

// ---------------------------------------------------------------------------------------------------------
// $sort, $skip, $limit, $sample
// ---------------------------------------------------------------------------------------------------------

function sortStage(spec: unknown, ctx: PipelineContext): Stage {
  if (!isPlainObject(spec)) throw stageError(15973, 'the $sort key specification must be an object');
  if (Object.keys(spec).length === 0) throw stageError(15976, '$sort stage must have at least one sort key');
  const compare = compileSort(spec, ctx.collation);
  // Array.prototype.sort is stable: ties keep their input order.
  return compare ? (docs) => [...docs].sort(compare) : (docs) => docs;
}

function nonNegativeInteger(stage: string, spec: unknown, code: number): number {
  if (!isNumeric(spec))
    throw stageError(code, `invalid argument to ${stage} stage: Expected a number in: ${stage}: ${String(spec)}`);
  const n = toDouble(spec);
  if (!Number.isInteger(n))
    throw stageError(code, `invalid argument to ${stage} stage: Expected an integer: ${stage}: ${n}`);
  if (n < 0)
    throw stageError(code, `invalid argument to ${stage} stage: Expected a non-negative number in: ${stage}: ${n}`);
  return n;
}

function skipStage(spec: unknown): Stage {
  const n = nonNegativeInteger('$skip', spec, 15956);
  return (docs) => docs.slice(n);
}

function limitStage(spec: unknown): Stage {
  const n = nonNegativeInteger('$limit', spec, 15958);
  if (n === 0) throw stageError(15958, 'the limit must be positive');
  return (docs) => docs.slice(0, n);
}

function sampleStage(spec: unknown): Stage {
  if (!isPlainObject(spec) || !('size' in spec)) throw stageError(28749, '$sample stage must specify a size');
  const size = nonNegativeInteger('$sample', spec.size, 28747);
  return (docs) => {
    // Partial Fisher-Yates: a uniform sample without replacement, in random order.
    const pool = [...docs];
    const n = Math.min(size, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(Math.random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, n);
  };
}

// ---------------------------------------------------------------------------------------------------------
// $unwind
// ---------------------------------------------------------------------------------------------------------

/** Plain dotted read without array traversal ($unwind's path does not traverse arrays). */
function readPath(doc: Doc, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const part of parts) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A copy of doc with `parts` set to value (or removed when value is undefined), copying only the touched path. */
function writePath(doc: Doc, parts: string[], value: unknown): Doc {
  const out: Doc = { ...doc };
  const [head, ...rest] = parts;
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else setField(out, head, value);
    return out;
  }
  const child = out[head];
  setField(out, head, writePath(isPlainObject(child) ? child : {}, rest, value));
  return out;
}

function fieldPathArg(stage: string, path: unknown, code: number): string[] {
  if (typeof path !== 'string' || !path.startsWith('$') || path.startsWith('$$')) {
    throw stageError(code, `path option to ${stage} stage should be prefixed with a '$': ${String(path)}`);
  }
  return path.slice(1).split('.');
}

function unwindStage(spec: unknown): Stage {
  const options = typeof spec === 'string' ? { path: spec } : spec;
  if (!isPlainObject(options))
    throw stageError(
      15981,
      `expected either a string or an object as specification for $unwind stage, got ${typeName(spec)}`,
    );
  for (const key of Object.keys(options)) {
    if (!['path', 'includeArrayIndex', 'preserveNullAndEmptyArrays'].includes(key)) {
      throw stageError(28811, `unrecognized option to $unwind stage: ${key}`);
    }
  }
  if (!('path' in options)) throw stageError(28812, 'no path specified to $unwind stage');
  const parts = fieldPathArg('$unwind', options.path, 28818);
  const preserve = options.preserveNullAndEmptyArrays ?? false;
  if (typeof preserve !== 'boolean')
    throw stageError(28809, "expected a boolean for the 'preserveNullAndEmptyArrays' option to $unwind stage");
  const indexField = options.includeArrayIndex;
  if (indexField !== undefined && (typeof indexField !== 'string' || indexField === '' || indexField.startsWith('$'))) {
    throw stageError(28822, "includeArrayIndex option to $unwind stage should not be prefixed with a '$'");
  }
  const indexParts = typeof indexField === 'string' ? indexField.split('.') : undefined;
  const withIndex = (doc: Doc, index: number | null): Doc =>
    indexParts ? writePath(doc, indexParts, index === null ? null : Long.fromNumber(index)) : doc;

  return (docs) => {
    const out: Doc[] = [];
    for (const doc of docs) {
      const value = readPath(doc, parts);
      if (Array.isArray(value) && value.length > 0) {
        value.forEach((element, i) => {
          out.push(withIndex(writePath(doc, parts, element), i));
        });
      } else if (Array.isArray(value)) {
        // An empty array is kept only when asked, and then without the field.
        if (preserve) out.push(withIndex(writePath(doc, parts, undefined), null));
      } else if (value === null || value === undefined) {
        if (preserve) out.push(withIndex(doc, null));
      } else {
        // A non-array value is treated as a single-element array.
        out.push(withIndex(doc, null));
      }
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------------
// $lookup, $unionWith, $facet
// ---------------------------------------------------------------------------------------------------------

/**
 * The values a query-style path reaches, for $lookup equality: arrays are traversed (and an array leaf counts
 * both as itself and as its elements), a numeric component also indexes arrays, and a missing path reads as
 * null, just as the equality match `{foreignField: value}` sees it.
 */
function queryPathValues(value: unknown, parts: string[], i: number, out: unknown[], wholeArrays = true): void {
  if (i === parts.length) {
    if (!Array.isArray(value) || wholeArrays) out.push(value === undefined ? null : value);
    if (Array.isArray(value)) out.push(...value);
    return;
  }
  if (Array.isArray(value)) {
    const index = /^\d+$/.test(parts[i]) ? Number(parts[i]) : -1;
    if (index >= 0 && index < value.length) queryPathValues(value[index], parts, i + 1, out, wholeArrays);
    for (const element of value) {
      if (isPlainObject(element)) queryPathValues(element, parts, i, out, wholeArrays);
    }
    if (value.length === 0 || !value.some(isPlainObject)) out.push(null);
    return;
  }
  if (isPlainObject(value) && Object.hasOwn(value, parts[i])) {
    queryPathValues(value[parts[i]], parts, i + 1, out, wholeArrays);
    return;
  }
  out.push(null);
}

function pathValues(doc: Doc, path: string): unknown[] {
  const values: unknown[] = [];
  queryPathValues(doc, path.split('.'), 0, values);
  return values;
}

/** The local side of a $lookup: an array's elements are matched one by one; missing matches null. */
function localValues(doc: Doc, path: string): unknown[] {
  const values: unknown[] = [];
  queryPathValues(doc, path.split('.'), 0, values, false);
  return values;
}

interface LookupSpec {
  from: string;
  as: string[];
  localField?: string;
  foreignField?: string;
  let?: Doc;
  pipeline?: Doc[];
}

function parseLookup(spec: unknown): LookupSpec {
  if (!isPlainObject(spec)) throw stageError(40319, 'the $lookup specification must be an Object');
  for (const key of Object.keys(spec)) {
    if (!['from', 'as', 'localField', 'foreignField', 'let', 'pipeline'].includes(key)) {
      throw stageError(40321, `unknown argument to $lookup: ${key}`);
    }
  }
  if (isPlainObject(spec.from))
    throw stageError(40324, '$lookup from another database is not supported by the embedded database');
  if (typeof spec.from !== 'string') throw stageError(40321, "$lookup argument 'from' must be a string");
  if (typeof spec.as !== 'string' || spec.as === '' || spec.as.startsWith('$')) {
    throw stageError(40321, "$lookup argument 'as' must be a string that is a valid field path");
  }
  const hasLocal = 'localField' in spec;
  const hasForeign = 'foreignField' in spec;
  if (hasLocal !== hasForeign)
    throw stageError(9, "$lookup requires both or neither of 'localField' and 'foreignField' to be specified");
  if (hasLocal && (typeof spec.localField !== 'string' || typeof spec.foreignField !== 'string')) {
    throw stageError(40321, "$lookup arguments 'localField' and 'foreignField' must be strings");
  }
  if (!hasLocal && !('pipeline' in spec))
    throw stageError(9, "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
  if ('pipeline' in spec && !Array.isArray(spec.pipeline))
    throw stageError(40321, "$lookup argument 'pipeline' must be an array");
  if ('let' in spec && !isPlainObject(spec.let)) throw stageError(40321, "$lookup argument 'let' must be an object");
  if ('let' in spec) Object.keys(spec.let as Doc).forEach(checkVariableName);
  return {
    from: spec.from,
    as: spec.as.split('.'),
    localField: spec.localField as string | undefined,
    foreignField: spec.foreignField as string | undefined,
    let: spec.let as Doc | undefined,
    pipeline: spec.pipeline as Doc[] | undefined,
  };
}

function lookupStage(spec: unknown, ctx: PipelineContext): Stage {
  const lookup = parseLookup(spec);
  // Sub-pipelines are checked up front so a bad inner stage fails even when no document reaches the $lookup; without
  // `let` variables the compiled stages are the same for every document and are kept.
  const compiled = (lookup.pipeline ?? []).map((s) => compileStage(s, ctx));
  const shared = lookup.pipeline && Object.keys(lookup.let ?? {}).length === 0 ? compiled : undefined;
  return (docs) => {
    const ordered = ctx.collation !== undefined;
    // The foreign collection, read whole and indexed by the foreign field the first time a document needs it.
    let all: { foreign: Doc[]; index: KeyMap<number[]> | undefined } | undefined;
    const whole = () => {
      if (!all) {
        const foreign = ctx.collection(lookup.from);
        const index = lookup.foreignField ? indexByPath(foreign, lookup.foreignField, ctx.collation) : undefined;
        all = { foreign, index };
      }
      return all;
    };
    const byId = lookup.localField && lookup.foreignField === '_id' && !ordered ? foreignById(docs, lookup, ctx) : null;
    return docs.map((doc, n) => {
      let matches: Doc[];
      const direct = byId ? byId.matches(n) : undefined;
      if (direct) {
        matches = direct;
      } else {
        const { foreign, index } = whole();
        matches = foreign;
        if (index && lookup.localField) {
          const found = new Set<number>();
          for (const value of localValues(doc, lookup.localField)) {
            for (const i of index.get(mapKeyOf([value], ordered)) ?? []) found.add(i);
          }
          // Keep the foreign collection's order, as mongod's scan of it does.
          matches = [...found].sort((a, b) => a - b).map((i) => foreign[i]);
        }
      }
      if (shared) {
        matches = shared.reduce((out, stage) => stage(out), matches);
      } else if (lookup.pipeline) {
        const variables: Record<string, unknown> = {};
        const ectx = exprContext(doc, ctx);
        for (const [name, expr] of Object.entries(lookup.let ?? {})) variables[name] = evaluate(expr, ectx);
        matches = runPipeline(matches, lookup.pipeline, {
          ...ctx,
          variables: { ...(ctx.variables ?? {}), ...variables },
        });
      }
      return writePath(doc, lookup.as, matches);
    });
  };
}

/** `_id`s read from the foreign collection per command of the store (each read is one direct lookup per id). */
const IDS_PER_READ = 1000;

/**
 * A `$lookup` on the foreign `_id` (unique): the foreign documents whose `_id` a local value names, read by their ids
 * rather than the whole collection. `matches(n)` answers the `n`th document's matches when it has at most one (so no
 * order among them is in question), and undefined otherwise (the caller then reads the collection's natural order).
 * An `_id` is never an array, a regex or undefined: such local values match nothing and are not read.
 */
function foreignById(docs: Doc[], lookup: LookupSpec, ctx: PipelineContext) {
  const path = lookup.localField as string;
  const locals = docs.map((doc) => localValues(doc, path));
  const wanted = new Map<unknown, unknown>();
  for (const values of locals) {
    for (const value of values) {
      if (Array.isArray(value) || typeName(value) === 'regex') continue;
      wanted.set(mapKeyOf([value], false), value);
    }
  }
  const ids = [...wanted.values()];
  const found: Doc[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_READ) {
    found.push(...ctx.collection(lookup.from, { _id: { $in: ids.slice(i, i + IDS_PER_READ) } }));
  }
  const index = indexByPath(found, '_id', undefined);
  return {
    /** The matches of the `n`th document. */
    matches(n: number): Doc[] | undefined {
      const values = locals[n];
      const hits = new Set<number>();
      for (const value of values) for (const i of index.get(mapKeyOf([value], false)) ?? []) hits.add(i);
      if (hits.size > 1) return undefined;
      return [...hits].map((i) => found[i]);
    },
  };
}

/** The foreign documents by the values at `path`: equal by BSON value, or strings by the aggregate's collation. */
function indexByPath(docs: Doc[], path: string, strings: StringCompare | undefined): KeyMap<number[]> {
  const index = new KeyMap<number[]>(valueTupleCompare(strings));
  docs.forEach((doc, i) => {
    for (const value of pathValues(doc, path)) {
      const key = mapKeyOf([value], strings !== undefined);
      const list = index.get(key);
      if (!list) index.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  return index;
}

function unionWithStage(spec: unknown, ctx: PipelineContext): Stage {
  const options = typeof spec === 'string' ? { coll: spec } : spec;
  if (!isPlainObject(options) || typeof options.coll !== 'string') {
    throw stageError(
      40324,
      "$unionWith requires a 'coll' string (a collection-less $unionWith with $documents is not supported by the embedded database)",
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== 'coll' && key !== 'pipeline')
      throw stageError(40415, `BSON field '$unionWith.${key}' is an unknown field.`);
  }
  const pipeline = options.pipeline ?? [];
  if (!Array.isArray(pipeline)) throw stageError(14, "$unionWith 'pipeline' must be an array");
  for (const s of pipeline) compileStage(s, ctx);
  const coll = options.coll;
  return (docs) => [...docs, ...runPipeline(ctx.collection(coll), pipeline as Doc[], ctx)];
}

const FACET_FORBIDDEN = new Set([
  '$facet',
  '$out',
  '$merge',
  '$geoNear',
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$search',
]);

function facetStage(spec: unknown, ctx: PipelineContext): Stage {
  if (!isPlainObject(spec)) throw stageError(15947, 'the $facet specification must be an object');
  if (Object.keys(spec).length === 0) throw stageError(40169, 'the $facet specification must be a non-empty object');
  const facets = Object.entries(spec).map(([name, pipeline]) => {
    if (name === '' || name.startsWith('$') || name.includes('.'))
      throw stageError(40353, `$facet output field name is invalid: ${name}`);
    if (!Array.isArray(pipeline))
      throw stageError(40170, `arguments to $facet must be arrays, ${name} is type ${typeName(pipeline)}`);
    for (const stage of pipeline) {
      const stageName = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (stageName && FACET_FORBIDDEN.has(stageName))
        throw stageError(40600, `${stageName} is not allowed to be used within a $facet stage`);
    }
    for (const s of pipeline) compileStage(s, ctx);
    return { name, pipeline: pipeline as Doc[] };
  });
  return (docs) => {
    const out: Doc = {};
    for (const facet of facets) setField(out, facet.name, runPipeline(docs, facet.pipeline, ctx));
    return [out];
  };
}

// ---------------------------------------------------------------------------------------------------------
// $replaceRoot / $replaceWith
// ---------------------------------------------------------------------------------------------------------

function replaceRootStage(spec: unknown, ctx: PipelineContext, stage: string): Stage {
  if (!isPlainObject(spec) || !('newRoot' in spec))
    throw stageError(40231, `no newRoot specified for the ${stage} stage`);
  const newRoot = spec.newRoot;
  return (docs) =>
    docs.map((doc) => {
      const value = evaluate(newRoot, exprContext(doc, ctx));
      if (!isPlainObject(value)) {
        throw stageError(
          40228,
          `'newRoot' expression must evaluate to an object, but resulting value was: ${value === undefined ? 'MISSING' : String(value)}. Type of resulting value: '${typeName(value)}'.`,
        );
      }
      return value;
    });
}
