/** The `update` command: one statement per entry of `updates`, each in its own implicit transaction. */

import { mongoError } from '../errors';
import type { StringCompare } from '../query/values';
import type { Doc } from '../types';
import {
  collationArg,
  collectionArg,
  fieldSet,
  isPlainObject,
  optionalArray,
  optionalBool,
  refuseOptions,
  rejectUnknownFields,
  requiredArray,
} from './args';
import type { CommandContext } from './context';
import { commandVariables } from './let';
import { failsWholeTransactionCommand, writeErrorEntry } from './reply';
import { runWrite } from './statements';
import { runUpdateStatement, validateUpdateSpec } from './write-statements';

interface ParsedStatement {
  q: Doc;
  u: Doc | Doc[];
  upsert: boolean;
  multi: boolean;
  arrayFilters?: Doc[];
  collation?: StringCompare;
}

/**
 * The fields of the update command and of one statement in MongoDB 7.0 (write_ops.idl). `sort` in a statement is
 * MongoDB 8.0's: the 7.0 this server advertises fails the whole command on it, as on any unknown field.
 */
const UPDATE_FIELDS = fieldSet(['update', 'updates', 'ordered', 'bypassDocumentValidation', 'let', 'stmtIds'], {
  generic: true,
});
const STATEMENT_FIELDS = fieldSet(['q', 'u', 'c', 'upsert', 'multi', 'arrayFilters', 'hint', 'collation'], {
  generic: false,
});

function parseStatement(ctx: CommandContext, coll: string, raw: unknown): ParsedStatement {
  if (!isPlainObject(raw)) throw mongoError('TypeMismatch', 'each update statement must be an object');
  refuseOptions(ctx, ['c'], raw);
  const q = raw.q ?? {};
  if (!isPlainObject(q))
    throw mongoError('TypeMismatch', "BSON field 'update.updates.q' is the wrong type, expected type 'object'");
  const multi = optionalBool(ctx, 'multi', raw) ?? false;
  const arrayFilters = optionalArray(ctx, 'arrayFilters', raw) as Doc[] | undefined;
  return {
    q,
    u: validateUpdateSpec(raw.u, multi),
    upsert: optionalBool(ctx, 'upsert', raw) ?? false,
    multi,
    arrayFilters,
    collation: collationArg(ctx, coll, raw)?.compare,
  };
}

export async function update(ctx: CommandContext): Promise<Doc> {
  rejectUnknownFields(ctx.body, UPDATE_FIELDS, 'update');
  const coll = collectionArg(ctx);
  const statements = requiredArray(ctx, 'updates');
  for (const statement of statements) {
    if (isPlainObject(statement)) rejectUnknownFields(statement, STATEMENT_FIELDS, 'update.updates');
  }
  const ordered = optionalBool(ctx, 'ordered') ?? true;
  const now = new Date();
  const variables = commandVariables(ctx, now);
  ctx.server.opcounters.update += statements.length;

  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors: Doc[] = [];
  for (let index = 0; index < statements.length; index++) {
    try {
      const stmt = parseStatement(ctx, coll, statements[index]);
      const outcome = await runWrite(ctx, (txn) =>
        runUpdateStatement(txn, ctx.db, coll, stmt, {
          arrayFilters: stmt.arrayFilters,
          now,
          variables,
          collation: stmt.collation,
        }),
      );
      n += outcome.n;
      nModified += outcome.nModified;
      if (outcome.upsertedId !== undefined) upserted.push({ index, _id: outcome.upsertedId });
    } catch (err) {
      if (ctx.txn && failsWholeTransactionCommand(err)) throw err;
      writeErrors.push(writeErrorEntry(index, err));
      if (ordered || ctx.txn) break; // in a transaction the first error ends it (dispatch aborts it)
    }
  }
  const reply: Doc = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
}
