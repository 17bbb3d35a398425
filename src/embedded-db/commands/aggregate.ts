/**
 * aggregate. A leading `$match` (and a `$sort`/`$limit` right behind it) is handed to the store so that indexes are
 * used; the remaining stages run in aggregation/pipeline. `$lookup`/`$unionWith` read other collections through the
 * same transaction, so a pipeline sees one consistent state.
 */
import { evaluate } from '../aggregation/expressions';
import { runPipeline } from '../aggregation/pipeline';
import { mongoError } from '../errors';
import { parseCollation } from '../query/collation';
import type { FindOptions, ReadPlan, Txn } from '../storage/store-types';
import type { Doc } from '../types';
import { collationArg, isPlainObject, numberValue, optionalBool, requiredArray } from './args';
import type { CommandContext } from './context';
import { cursorOptionBatchSize, firstBatchReply } from './cursor-reply';
import { commandVariables } from './let';
import { explainSections, serverInfo } from './plan';
import { runRead } from './statements';

/** Stages that write or need server features the embedded database lacks; refused before anything runs. */
const REFUSED_STAGES = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions',
  '$indexStats',
  '$collStats',
  '$planCacheStats',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$geoNear',
  '$graphLookup',
]);

function stageName(stage: Doc): string {
  return Object.keys(stage)[0] ?? '';
}

interface AggregateRun {
  docs: Doc[];
  plan: ReadPlan;
  filter: Doc;
  nInput: number;
  /** The leading $match went to the store (so explain shows it under $cursor, not among the stages). */
  pushedDown: boolean;
}

export function executePipeline(ctx: CommandContext, txn: Txn, coll: string, pipeline: Doc[]): AggregateRun {
  let filter: Doc = {};
  let rest = pipeline;
  let pushedDown = false;
  const options: FindOptions = {};
  const now = new Date();
  const variables = commandVariables(ctx, now);
  options.variables = variables;
  const collation = collationArg(ctx, coll)?.compare;
  options.collation = collation;
  if (rest.length > 0 && stageName(rest[0]) === '$match' && isPlainObject(rest[0].$match)) {
    filter = rest[0].$match;
    rest = rest.slice(1);
    pushedDown = true;
  }
  // Let the store pick an index for the sort and stop early; the $sort and $limit stages still run below,
  // so the result does not depend on whether the store used them.
  if (rest.length > 0 && stageName(rest[0]) === '$sort' && isPlainObject(rest[0].$sort)) {
    options.sort = rest[0].$sort;
    const next = rest[1];
    if (next && stageName(next) === '$limit') {
      const limit = numberValue(next.$limit);
      if (limit !== undefined && Number.isInteger(limit) && limit > 0) options.limit = limit;
    }
  }
  const { docs, plan } = txn.find(ctx.db, coll, filter, options);
  const output = runPipeline(docs, rest, {
    db: ctx.db,
    now,
    collection: (name: string, filter: Doc = {}) => txn.find(ctx.db, name, filter).docs,
    variables,
    collation,
  });
  return { docs: output, plan, filter, nInput: docs.length, pushedDown };
}

export function parsePipeline(ctx: CommandContext): Doc[] {
  const pipeline = requiredArray(ctx, 'pipeline');
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw mongoError('FailedToParse', 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = stageName(stage);
    if (REFUSED_STAGES.has(name)) {
      throw mongoError('Location40324', `${name} is not supported by the embedded database`);
    }
  }
  return pipeline as Doc[];
}

/**
 * `aggregate: 1` (a database-level aggregate) with `$documents` first: the documents come from that stage's
 * expression (evaluated with the command's `let`), not from a collection. The other database-level stages
 * ($currentOp, $listLocalSessions, ...) are refused by parsePipeline.
 */
function documentsAggregate(ctx: CommandContext, pipeline: Doc[]): Doc {
  const first = pipeline[0];
  if (first === undefined || stageName(first) !== '$documents') {
    throw mongoError(
      'InvalidNamespace',
      `{aggregate: 1} is not valid for '${first ? stageName(first) : 'an empty pipeline'}'; a collection is required.`,
    );
  }
  const now = new Date();
  const variables = commandVariables(ctx, now);
  const docs = evaluate(first.$documents, { root: {}, variables: variables ?? {}, now });
  if (!Array.isArray(docs) || !docs.every((d) => isPlainObject(d))) {
    throw mongoError('TypeMismatch', '$documents must evaluate to an array of documents');
  }
  const collation = parseCollation(ctx.body.collation)?.compare;
  const output = runRead(ctx, (txn) =>
    runPipeline(docs as Doc[], pipeline.slice(1), {
      db: ctx.db,
      now,
      collection: (name: string, filter: Doc = {}) => txn.find(ctx.db, name, filter).docs,
      variables,
      collation,
    }),
  );
  return firstBatchReply(ctx, `${ctx.db}.$cmd.aggregate`, output, { batchSize: cursorOptionBatchSize(ctx) });
}

export function aggregate(ctx: CommandContext): Doc {
  const target = ctx.body[ctx.name];
  if (typeof target !== 'string' && numberValue(target) !== 1) {
    throw mongoError(
      'TypeMismatch',
      "collection name has invalid type: the 'aggregate' field must be a collection name or 1",
    );
  }
  const pipeline = parsePipeline(ctx);
  const explain = optionalBool(ctx, 'explain') ?? false;
  if (!explain && ctx.body.cursor === undefined) {
    throw mongoError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  ctx.server.opcounters.command++;
  if (typeof target !== 'string') {
    if (explain) throw mongoError('CommandNotSupported', 'the embedded database does not explain {aggregate: 1}');
    return documentsAggregate(ctx, pipeline);
  }
  if (explain) return explainAggregate(ctx, target, pipeline, 'queryPlanner');
  const { docs } = runRead(ctx, (txn) => executePipeline(ctx, txn, target, pipeline));
  return firstBatchReply(ctx, `${ctx.db}.${target}`, docs, { batchSize: cursorOptionBatchSize(ctx) });
}

export function explainAggregate(ctx: CommandContext, coll: string, pipeline: Doc[], verbosity: string): Doc {
  const started = Date.now();
  const run = runRead(ctx, (txn) => executePipeline(ctx, txn, coll, pipeline));
  const sections = explainSections({
    store: ctx.server.store,
    db: ctx.db,
    coll,
    filter: run.filter,
    plan: run.plan,
    nReturned: run.nInput,
    millis: Date.now() - started,
    verbosity,
  });
  // mongod shows pushed-down work under a $cursor stage followed by the remaining stages; both forms are given.
  const rest = run.pushedDown ? pipeline.slice(1) : pipeline;
  return {
    explainVersion: '1',
    ...sections,
    stages: [{ $cursor: sections }, ...rest],
    serverInfo: serverInfo(),
    ok: 1,
  };
}
