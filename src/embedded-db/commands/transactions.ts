/** commitTransaction, abortTransaction and the session commands (endSessions, killAllSessions, ...). */
import { UUID } from 'bson';
import { mongoError } from '../errors';
import { sessionKeyOf, txnNumberOf } from '../sessions';
import type { Doc } from '../types';
import type { CommandContext } from './context';

function transactionOf(ctx: CommandContext): { key: string; txnNumber: bigint } {
  const key = ctx.sessionKey;
  const txnNumber = txnNumberOf(ctx.body.txnNumber);
  if (!key || txnNumber === undefined) {
    throw mongoError(
      'InvalidOptions',
      `'${ctx.name}' must be run within a transaction (lsid and txnNumber are required)`,
    );
  }
  return { key, txnNumber };
}

export async function commitTransaction(ctx: CommandContext): Promise<Doc> {
  const { key, txnNumber } = transactionOf(ctx);
  await ctx.server.sessions.commit(key, txnNumber);
  return { ok: 1 };
}

export function abortTransaction(ctx: CommandContext): Doc {
  const { key, txnNumber } = transactionOf(ctx);
  ctx.server.sessions.abort(key, txnNumber);
  return { ok: 1 };
}

function sessionKeys(ctx: CommandContext): string[] {
  const list = ctx.body[ctx.name];
  if (!Array.isArray(list)) throw mongoError('TypeMismatch', `'${ctx.name}' expects an array of session ids`);
  return list.map(sessionKeyOf).filter((k): k is string => k !== undefined);
}

export function endSessions(ctx: CommandContext): Doc {
  const keys = sessionKeys(ctx);
  ctx.server.sessions.endSessions(keys);
  for (const key of keys) ctx.server.cursors.killForSession(key);
  return { ok: 1 };
}

/** killAllSessions: [] means every session; user-pattern filters are ignored (there are no users). */
export function killAllSessions(ctx: CommandContext): Doc {
  ctx.server.sessions.killAll();
  ctx.server.cursors.killAll();
  return { ok: 1 };
}

export function refreshSessions(): Doc {
  return { ok: 1 };
}

export function startSession(): Doc {
  return { id: { id: new UUID() }, timeoutMinutes: 30, ok: 1 };
}
