/**
 * The command table and the path every command takes: find the handler, attach the session's transaction (or run a
 * retryable write once), run it, and turn errors into MongoDB error replies.
 */
import { Timestamp } from 'bson';
import { mongoError } from '../errors';
import { sessionKeyOf, txnNumberOf } from '../sessions';
import type { Doc } from '../types';
import { aggregate } from './aggregate';
import { collStats, create, drop, listCollections } from './collections';
import { checkConcerns, unmetWriteConcern } from './concerns';
import type { CommandContext, CommandSpec, ConnectionInfo, ServerState } from './context';
import { count, distinct } from './count-distinct';
import { dbStats, dropDatabase, listDatabases } from './databases';
import { remove } from './delete';
import { explain } from './explain';
import { type CLOSE_CONNECTION, configureFailPoint, runUnderFailCommand } from './fail-command';
import { find, getMore, killCursors } from './find';
import { findAndModify } from './find-and-modify';
import { hello } from './hello';
import { checkHints } from './hints';
import { createIndexes, dropIndexes, listIndexes } from './indexes';
import { insert } from './insert';
import { errorReply, isUnexpected } from './reply';
import {
  buildInfo,
  connectionStatus,
  getParameter,
  hostInfo,
  ping,
  refuseAuthentication,
  refuseGetLog,
  serverStatus,
  setParameter,
  whatsmyuri,
} from './server-info';
import {
  abortTransaction,
  commitTransaction,
  endSessions,
  killAllSessions,
  refreshSessions,
  startSession,
} from './transactions';
import { update } from './update';

/** Commands that manage the transaction itself rather than running inside it. */
const TRANSACTION_CONTROL = new Set(['commitTransaction', 'abortTransaction']);

const COMMANDS: Record<string, CommandSpec> = {
  hello: { handler: hello },
  isMaster: { handler: hello },
  ismaster: { handler: hello },
  ping: { handler: ping },
  buildInfo: { handler: buildInfo },
  buildinfo: { handler: buildInfo },
  serverStatus: { handler: serverStatus },
  hostInfo: { handler: hostInfo },
  getParameter: { handler: getParameter },
  setParameter: { handler: setParameter },
  connectionStatus: { handler: connectionStatus },
  whatsmyuri: { handler: whatsmyuri },
  getLog: { handler: refuseGetLog },
  saslStart: { handler: refuseAuthentication },
  saslContinue: { handler: refuseAuthentication },
  authenticate: { handler: refuseAuthentication },
  getnonce: { handler: refuseAuthentication },
  logout: { handler: refuseAuthentication },
  createUser: { handler: refuseAuthentication },

  listDatabases: { handler: listDatabases },
  dropDatabase: { handler: dropDatabase },
  dbStats: { handler: dbStats },
  endSessions: { handler: endSessions },
  killSessions: { handler: endSessions },
  killAllSessions: { handler: killAllSessions },
  refreshSessions: { handler: refreshSessions },
  startSession: { handler: startSession },
  commitTransaction: { handler: commitTransaction },
  abortTransaction: { handler: abortTransaction },

  // mongod 4.4+ runs create inside a transaction and rolls it back on abort; the store creates collections outside any
  // transaction, so an aborted transaction would leave the collection behind. Refused instead (as mongod 4.2 did).
  create: { handler: create },
  drop: { handler: drop },
  listCollections: { handler: listCollections },
  collStats: { handler: collStats },

  insert: { handler: insert, inTransaction: true, retryableWrite: true },
  update: { handler: update, inTransaction: true, retryableWrite: true },
  delete: { handler: remove, inTransaction: true, retryableWrite: true },
  findAndModify: { handler: findAndModify, inTransaction: true, retryableWrite: true },
  findandmodify: { handler: findAndModify, inTransaction: true, retryableWrite: true },
  find: { handler: find, inTransaction: true },
  getMore: { handler: getMore, inTransaction: true },
  killCursors: { handler: killCursors, inTransaction: true },
  count: { handler: count },
  distinct: { handler: distinct, inTransaction: true },
  aggregate: { handler: aggregate, inTransaction: true },
  explain: { handler: explain },

  createIndexes: { handler: createIndexes },
  listIndexes: { handler: listIndexes },
  dropIndexes: { handler: dropIndexes },
  deleteIndexes: { handler: dropIndexes },

  configureFailPoint: { handler: configureFailPoint, testOnly: true },
};

export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

function logUnexpected(ctx: CommandContext, err: unknown): void {
  if (isUnexpected(err)) {
    ctx.server.log('command failed unexpectedly', { command: ctx.name, error: (err as Error)?.stack ?? String(err) });
  }
}

async function execute(ctx: CommandContext, spec: CommandSpec): Promise<Doc> {
  try {
    return await spec.handler(ctx);
  } catch (err) {
    logUnexpected(ctx, err);
    return errorReply(err, { inTransaction: TRANSACTION_CONTROL.has(ctx.name) });
  }
}

/**
 * Runs one command and answers its reply, or CLOSE_CONNECTION when a fail point asks to drop the connection.
 */
export function runCommand(
  server: ServerState,
  connection: ConnectionInfo,
  db: string,
  body: Doc,
  requestSize?: number,
): Promise<Doc | typeof CLOSE_CONNECTION> {
  const name = Object.keys(body)[0] ?? '';
  const found = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  const spec = found?.testOnly && !server.failPoints ? undefined : found;
  if (!spec) return Promise.resolve(errorReply(mongoError('CommandNotFound', `no such command: '${name}'`)));
  server.opcounters.command++;
  const ctx: CommandContext = {
    name,
    db,
    body,
    server,
    connection,
    sessionKey: sessionKeyOf(body.lsid),
    requestSize,
  };
  const failure = server.failPoints?.check(name, connection.appName);
  if (!failure) {
    // Only a write concern changes a reply after it is built (finish); without one the reply is dispatch's own.
    const replied = dispatch(ctx, spec);
    return body.writeConcern === undefined ? replied : replied.then((reply) => finish(ctx, reply));
  }
  const inTransaction = body.autocommit === false;
  const commitOrAbort = TRANSACTION_CONTROL.has(name);
  const kind = {
    inTransaction,
    commitOrAbort,
    retryable: commitOrAbort || (spec.retryableWrite === true && body.txnNumber !== undefined && !inTransaction),
  };
  const abort = () => {
    const txnNumber = ctx.sessionKey ? txnNumberOrUndefined(body.txnNumber) : undefined;
    if (ctx.sessionKey && txnNumber !== undefined) server.sessions.abortAfterError(ctx.sessionKey, txnNumber);
  };
  return runUnderFailCommand(failure, kind, () => dispatch(ctx, spec).then((r) => finish(ctx, r)), abort);
}

/**
 * What every reply gets: the write concern outcome. The cluster time (`operationTime`, `$clusterTime`, as a
 * replica-set member's replies carry) is appended by the server as it encodes the reply (ClusterClock.replyElements).
 */
function finish(ctx: CommandContext, reply: Doc): Doc {
  return withWriteConcern(ctx.name, ctx.body, reply);
}

/** A successful command whose write concern this one-member set cannot meet reports it (see concerns.ts). */
function withWriteConcern(name: string, body: Doc, reply: Doc): Doc {
  if (reply.ok !== 1 || body.writeConcern === undefined) return reply;
  if (body.autocommit === false && !TRANSACTION_CONTROL.has(name)) return reply; // refused before it ran
  const writeConcernError = unmetWriteConcern(body);
  return writeConcernError ? { ...reply, writeConcernError } : reply;
}

/** A read at a snapshot outside a transaction: it answers the snapshot's atClusterTime (see snapshots.ts). */
async function snapshotRead(ctx: CommandContext, spec: CommandSpec): Promise<Doc> {
  const { txn, clusterTime } = ctx.server.clock.snapshot((ctx.body.readConcern as Doc).atClusterTime);
  ctx.txn = txn;
  const reply = await execute(ctx, spec);
  if (reply.ok !== 1) return reply;
  const cursor = reply.cursor as Doc | undefined;
  if (cursor) return { ...reply, cursor: { ...cursor, atClusterTime: clusterTime } };
  return { ...reply, atClusterTime: clusterTime };
}

function txnNumberOrUndefined(value: unknown): bigint | undefined {
  try {
    return txnNumberOf(value);
  } catch {
    return undefined;
  }
}

async function dispatch(ctx: CommandContext, spec: CommandSpec): Promise<Doc> {
  const { name, body, server } = ctx;

  try {
    checkHints(ctx);
    const inTransaction = body.autocommit === false && !TRANSACTION_CONTROL.has(name);
    // Most commands carry no concern to check (the usual transaction statement neither): skip the call.
    const level =
      body.readConcern === undefined && (!inTransaction || body.writeConcern === undefined)
        ? undefined
        : checkConcerns(name, body, { inTransaction, first: body.startTransaction === true }, () => server.clock.now());
    if (level === 'snapshot' && !inTransaction && name !== 'getMore') return await snapshotRead(ctx, spec);
    const txnNumber = txnNumberOf(body.txnNumber);
    if (body.autocommit !== undefined && body.autocommit !== false) {
      throw mongoError('InvalidOptions', 'Specifying autocommit=true is not allowed.');
    }
    if (body.autocommit === false && !TRANSACTION_CONTROL.has(name)) {
      if (!ctx.sessionKey || txnNumber === undefined) {
        throw mongoError('InvalidOptions', 'a transaction needs lsid and txnNumber');
      }
      if (!spec.inTransaction) {
        throw mongoError('OperationNotSupportedInTransaction', `Cannot run '${name}' in a multi-document transaction.`);
      }
      const key = ctx.sessionKey;
      // A transaction may start at a past cluster time (snapshot read concern with atClusterTime, checked above).
      const atClusterTime = level === 'snapshot' ? (body.readConcern as Doc).atClusterTime : undefined;
      const snapshotSeq = atClusterTime instanceof Timestamp ? () => server.clock.seqOf(atClusterTime) : undefined;
      ctx.txn = server.sessions.transactionFor(key, txnNumber, body.startTransaction === true, snapshotSeq);
      ctx.txnNumber = txnNumber;
      try {
        const reply = await spec.handler(ctx);
        // A write error inside a transaction is reported in the reply, and the transaction is over.
        if (reply.writeErrors !== undefined) server.sessions.abortAfterError(key, txnNumber);
        return reply;
      } catch (err) {
        // As in mongod, a failed statement aborts its transaction; the client must start over.
        server.sessions.abortAfterError(key, txnNumber);
        logUnexpected(ctx, err);
        return errorReply(err, { inTransaction: true });
      }
    }
    if (txnNumber !== undefined && ctx.sessionKey && spec.retryableWrite && body.autocommit === undefined) {
      return await server.sessions.retryableWrite(ctx.sessionKey, txnNumber, () => execute(ctx, spec));
    }
  } catch (err) {
    return errorReply(err, { inTransaction: body.autocommit === false });
  }
  return execute(ctx, spec);
}
