/** find, getMore and killCursors. */
import { Long } from 'bson';
import { type ServerCursor, takeBatch } from '../cursors';
import { MongoCommandError, mongoError } from '../errors';
import { compileProjection } from '../query/projection';
import type { Doc } from '../types';
import {
  collationArg,
  collectionArg,
  fieldSet,
  optionalArray,
  optionalBool,
  optionalDoc,
  optionalInt,
  refuseOptions,
  rejectUnknownFields,
} from './args';
import type { CommandContext } from './context';
import { firstBatchReply } from './cursor-reply';
import { hintOrder } from './hints';
import { commandVariables } from './let';
import { type QuerySpec, runQuery } from './query';
import { runRead } from './statements';

export interface FindRequest extends QuerySpec {
  coll: string;
  projection?: Doc;
  batchSize?: number;
  singleBatch: boolean;
}

/** find's own fields in MongoDB 7.0 (find_command.idl); any other answers 40415. */
const FIND_FIELDS = fieldSet(
  [
    'find',
    'filter',
    'projection',
    'sort',
    'hint',
    'skip',
    'limit',
    'batchSize',
    'singleBatch',
    'max',
    'min',
    'returnKey',
    'showRecordId',
    'tailable',
    'oplogReplay',
    'noCursorTimeout',
    'awaitData',
    'allowPartialResults',
    'collation',
    'allowDiskUse',
    'let',
    'readOnce',
    'term',
  ],
  { generic: true },
);

export function parseFind(ctx: CommandContext): FindRequest {
  rejectUnknownFields(ctx.body, FIND_FIELDS, 'find');
  refuseOptions(ctx, ['min', 'max', 'returnKey', 'showRecordId', 'tailable', 'awaitData']);
  if (ctx.body.$where !== undefined) throw mongoError('BadValue', '$where is not supported');
  const coll = collectionArg(ctx);
  let limit = optionalInt(ctx, 'limit');
  let singleBatch = optionalBool(ctx, 'singleBatch') ?? false;
  if (limit !== undefined && limit < 0) {
    // The legacy negative limit means "this many, in one batch".
    limit = -limit;
    singleBatch = true;
  }
  const skip = optionalInt(ctx, 'skip');
  if (skip !== undefined && skip < 0) throw mongoError('BadValue', 'skip value must be non-negative');
  const batchSize = optionalInt(ctx, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) throw mongoError('BadValue', 'batchSize value must be non-negative');
  return {
    coll,
    filter: optionalDoc(ctx, 'filter') ?? {},
    collation: collationArg(ctx, coll),
    sort: optionalDoc(ctx, 'sort'),
    projection: optionalDoc(ctx, 'projection'),
    skip,
    limit,
    batchSize,
    singleBatch,
  };
}

export function find(ctx: CommandContext): Doc {
  const request = parseFind(ctx);
  request.hintOrder = hintOrder(ctx, request.coll, ctx.body.hint);
  request.variables = commandVariables(ctx);
  ctx.server.opcounters.query++;
  // Compiled (and so checked) before the read; a find without a projection, the usual one, has nothing to compile.
  const projection = request.projection;
  const project =
    projection && Object.keys(projection).length > 0
      ? compileProjection(projection, {
          query: request.filter,
          variables: request.variables,
          collation: request.collation?.compare,
        })
      : undefined;
  const { docs } = runRead(ctx, (txn) => runQuery(txn, ctx.db, request.coll, request));
  const projected = project ? docs.map(project) : docs;
  return firstBatchReply(ctx, `${ctx.db}.${request.coll}`, projected, {
    batchSize: request.batchSize,
    singleBatch: request.singleBatch,
  });
}

function cursorId(value: unknown): Long {
  if (value instanceof Long) return value;
  if (typeof value === 'number' || (value && typeof value === 'object' && typeof value.valueOf() === 'number')) {
    return Long.fromNumber(Number(value.valueOf()));
  }
  throw mongoError('TypeMismatch', "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
}

/**
 * As mongod's getMore: a cursor is iterated in the session and transaction that opened it, and nowhere else. This keeps
 * a cursor opened in a transaction from handing out that transaction's writes after it aborted (or outside it).
 */
function checkCursorOwner(ctx: CommandContext, cursor: ServerCursor): void {
  const id = cursor.id.toString();
  if (cursor.sessionKey !== undefined && ctx.sessionKey === undefined) {
    throw new MongoCommandError(
      50737,
      `Cannot run getMore on cursor ${id}, which was created in a session, without an lsid`,
    );
  }
  if (cursor.sessionKey !== undefined && ctx.sessionKey !== cursor.sessionKey) {
    throw new MongoCommandError(50738, `Cannot run getMore on cursor ${id}, which was created in a different session`);
  }
  if (ctx.txnNumber !== undefined && cursor.txnNumber === undefined) {
    throw new MongoCommandError(
      50739,
      `Cannot run getMore on cursor ${id}, which was not created in a transaction, in transaction ${ctx.txnNumber}`,
    );
  }
  if (ctx.txnNumber === undefined && cursor.txnNumber !== undefined) {
    throw new MongoCommandError(
      50740,
      `Cannot run getMore on cursor ${id}, which was created in transaction ${cursor.txnNumber}, without a txnNumber`,
    );
  }
  if (ctx.txnNumber !== undefined && cursor.txnNumber !== undefined && ctx.txnNumber !== cursor.txnNumber) {
    throw new MongoCommandError(
      50741,
      `Cannot run getMore on cursor ${id}, which was created in transaction ${cursor.txnNumber}, in transaction ${ctx.txnNumber}`,
    );
  }
}

export function getMore(ctx: CommandContext): Doc {
  const id = cursorId(ctx.body.getMore);
  const coll = ctx.body.collection;
  if (typeof coll !== 'string')
    throw mongoError('TypeMismatch', "BSON field 'getMore.collection' is missing or not a string");
  const ns = `${ctx.db}.${coll}`;
  const cursor = ctx.server.cursors.get(id);
  if (!cursor) throw mongoError('CursorNotFound', `cursor id ${id.toString()} not found`);
  if (cursor.ns !== ns && !(cursor.ns.startsWith(`${ctx.db}.$cmd`) && coll.startsWith('$cmd'))) {
    throw mongoError(
      'BadValue',
      `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
    );
  }
  checkCursorOwner(ctx, cursor);
  ctx.server.opcounters.getmore++;
  const batchSize = optionalInt(ctx, 'batchSize');
  const batch = takeBatch(cursor.docs, cursor.position, batchSize && batchSize > 0 ? batchSize : undefined);
  cursor.position += batch.length;
  let replyId = cursor.id;
  if (cursor.position >= cursor.docs.length) {
    ctx.server.cursors.kill(id);
    replyId = Long.ZERO;
  }
  return { cursor: { nextBatch: batch, id: replyId, ns: cursor.ns }, ok: 1 };
}

export function killCursors(ctx: CommandContext): Doc {
  collectionArg(ctx);
  const ids = optionalArray(ctx, 'cursors') ?? [];
  const cursorsKilled: Long[] = [];
  const cursorsNotFound: Long[] = [];
  for (const raw of ids) {
    const id = cursorId(raw);
    if (ctx.server.cursors.kill(id)) cursorsKilled.push(id);
    else cursorsNotFound.push(id);
  }
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}
