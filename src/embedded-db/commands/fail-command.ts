/**
 * configureFailPoint (a test command) and how a triggered failCommand changes one command's run: see fail-points.ts.
 */
import { mongoError } from '../errors';
import type { FailCommandAction } from '../fail-points';
import type { Doc } from '../types';
import type { CommandContext } from './context';
import { nameOfCode } from './reply';

/** Returned instead of a reply when the connection must be closed without answering. */
export const CLOSE_CONNECTION = Symbol('close connection');

/** Codes the drivers' retryable-writes specification retries (mongod labels them RetryableWriteError). */
const RETRYABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);
const WRITE_CONFLICT = 112;
const LOCK_TIMEOUT = 24;
const NO_SUCH_TRANSACTION = 251;

export function configureFailPoint(ctx: CommandContext): Doc {
  const failPoints = ctx.server.failPoints;
  if (!failPoints) throw mongoError('CommandNotFound', "no such command: 'configureFailPoint'");
  if (ctx.db !== 'admin') {
    throw mongoError('Unauthorized', 'configureFailPoint may only be run against the admin database.');
  }
  const count = failPoints.configure(ctx.body.configureFailPoint, ctx.body.mode, ctx.body.data);
  return { count, ok: 1 };
}

interface CommandKind {
  /** A retryable write (txnNumber without autocommit) or a commit/abort: RetryableWriteError applies. */
  retryable: boolean;
  inTransaction: boolean;
  commitOrAbort: boolean;
}

/** The labels mongod would attach to an error with this code (when the fail point gives none). */
function serverLabels(code: number, kind: CommandKind): string[] {
  const labels: string[] = [];
  if (kind.retryable && RETRYABLE_CODES.has(code)) labels.push('RetryableWriteError');
  if (kind.inTransaction && !kind.commitOrAbort) {
    if (code === WRITE_CONFLICT || code === LOCK_TIMEOUT || code === NO_SUCH_TRANSACTION || RETRYABLE_CODES.has(code)) {
      labels.push('TransientTransactionError');
    }
  }
  return labels;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs one command under a triggered failCommand. `run` executes the command normally; `abortTransaction` is called
 * when a statement of a transaction is failed (a failed statement ends its transaction, as any error does).
 */
export async function runUnderFailCommand(
  action: FailCommandAction,
  kind: CommandKind,
  run: () => Promise<Doc>,
  abortTransaction: () => void,
): Promise<Doc | typeof CLOSE_CONNECTION> {
  if (action.blockTimeMS) await sleep(action.blockTimeMS);
  if (action.closeConnection) {
    if (kind.inTransaction && !kind.commitOrAbort) abortTransaction();
    return CLOSE_CONNECTION;
  }
  if (action.errorCode !== undefined) {
    if (kind.inTransaction && !kind.commitOrAbort) abortTransaction();
    const reply: Doc = {
      ok: 0,
      errmsg: "Failing command via 'failCommand' failpoint",
      code: action.errorCode,
      codeName: nameOfCode(action.errorCode),
      ...action.errorExtraInfo,
    };
    const labels = action.errorLabels ?? serverLabels(action.errorCode, kind);
    if (labels.length > 0) reply.errorLabels = labels;
    return reply;
  }
  const reply = await run();
  if (action.writeConcernError && reply.ok === 1) {
    const { errorLabels: nested, ...writeConcernError } = action.writeConcernError;
    reply.writeConcernError = writeConcernError;
    const code = typeof writeConcernError.code === 'number' ? writeConcernError.code : 0;
    const labels =
      action.errorLabels ??
      (Array.isArray(nested) ? (nested as string[]) : serverLabels(code, { ...kind, inTransaction: false }));
    if (labels.length > 0) reply.errorLabels = labels;
  }
  return reply;
}
