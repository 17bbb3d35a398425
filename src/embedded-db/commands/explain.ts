/** explain for find, aggregate, count and distinct: runs the read and reports which plan answered it. */
import { mongoError } from '../errors';
import type { Doc } from '../types';
import { explainAggregate, parsePipeline } from './aggregate';
import { collectionArg, isPlainObject, optionalDoc } from './args';
import type { CommandContext } from './context';
import { parseFind } from './find';
import { explainSections, serverInfo } from './plan';
import { runQuery } from './query';
import { runRead } from './statements';

export function explain(ctx: CommandContext): Doc {
  const inner = ctx.body.explain;
  if (!isPlainObject(inner) || Object.keys(inner).length === 0) {
    throw mongoError('FailedToParse', 'explain command requires a nested object');
  }
  const verbosity = typeof ctx.body.verbosity === 'string' ? ctx.body.verbosity : 'allPlansExecution';
  const name = Object.keys(inner)[0];
  const innerCtx: CommandContext = { ...ctx, name, body: { ...inner, $db: ctx.db } };
  const started = Date.now();
  if (name === 'aggregate') {
    const coll = collectionArg(innerCtx);
    return explainAggregate(innerCtx, coll, parsePipeline(innerCtx), verbosity);
  }
  let coll: string;
  let filter: Doc;
  let run: ReturnType<typeof runQuery>;
  if (name === 'find') {
    const request = parseFind(innerCtx);
    coll = request.coll;
    filter = request.filter;
    run = runRead(innerCtx, (txn) => runQuery(txn, ctx.db, coll, request));
  } else if (name === 'count' || name === 'distinct') {
    coll = collectionArg(innerCtx);
    filter = optionalDoc(innerCtx, 'query') ?? {};
    run = runRead(innerCtx, (txn) => runQuery(txn, ctx.db, coll, { filter }));
  } else {
    throw mongoError('CommandNotSupported', `the embedded database cannot explain '${name}'`);
  }
  return {
    explainVersion: '1',
    ...explainSections({
      store: ctx.server.store,
      db: ctx.db,
      coll,
      filter,
      plan: run.plan,
      nReturned: run.docs.length,
      millis: Date.now() - started,
      verbosity,
    }),
    command: inner,
    serverInfo: serverInfo(),
    ok: 1,
  };
}
