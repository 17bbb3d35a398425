/** The `delete` command: `limit: 1` removes the first match, `limit: 0` every match. */
import { mongoError } from '../errors';
import type { Doc } from '../types';
import { collationArg, collectionArg, isPlainObject, optionalInt, requiredArray } from './args';
import type { CommandContext } from './context';
import { commandVariables } from './let';
import { failsWholeTransactionCommand, writeErrorEntry } from './reply';
import { runWrite } from './statements';
import { runDeleteStatement } from './write-statements';

export async function remove(ctx: CommandContext): Promise<Doc> {
  const variables = commandVariables(ctx);
  const coll = collectionArg(ctx);
  const statements = requiredArray(ctx, 'deletes');
  const ordered = ctx.body.ordered !== false;
  ctx.server.opcounters.delete += statements.length;

  let n = 0;
  const writeErrors: Doc[] = [];
  for (let index = 0; index < statements.length; index++) {
    try {
      const raw = statements[index];
      if (!isPlainObject(raw)) throw mongoError('TypeMismatch', 'each delete statement must be an object');
      const q = raw.q ?? {};
      if (!isPlainObject(q))
        throw mongoError('TypeMismatch', "BSON field 'delete.deletes.q' is the wrong type, expected type 'object'");
      const limit = optionalInt(ctx, 'limit', raw) ?? 0;
      if (limit !== 0 && limit !== 1) {
        throw mongoError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${limit}`);
      }
      const collation = collationArg(ctx, coll, raw)?.compare;
      n += await runWrite(ctx, (txn) => runDeleteStatement(txn, ctx.db, coll, q, limit, variables, collation));
    } catch (err) {
      if (ctx.txn && failsWholeTransactionCommand(err)) throw err;
      writeErrors.push(writeErrorEntry(index, err));
      if (ordered || ctx.txn) break; // in a transaction the first error ends it (dispatch aborts it)
    }
  }
  const reply: Doc = { n };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
}
