/**
 * findAndModify: one document, chosen by query and sort, updated or removed atomically; the reply carries the
 * document before or after (`new`). Errors, duplicate keys included, are top-level (`ok: 0`), not writeErrors.
 */
import { mongoError } from '../errors';
import { compileProjection } from '../query/projection';
import type { Doc } from '../types';
import { collationArg, collectionArg, optionalArray, optionalBool, optionalDoc } from './args';
import type { CommandContext } from './context';
import { commandVariables } from './let';
import { runQuery } from './query';
import { runWrite } from './statements';
import { updatedVersion, upsertDocument, validateUpdateSpec } from './write-statements';

export async function findAndModify(ctx: CommandContext): Promise<Doc> {
  const coll = collectionArg(ctx);
  const collation = collationArg(ctx, coll);
  const query = optionalDoc(ctx, 'query') ?? {};
  const sort = optionalDoc(ctx, 'sort');
  const remove = optionalBool(ctx, 'remove') ?? false;
  const returnNew = optionalBool(ctx, 'new') ?? false;
  const upsert = optionalBool(ctx, 'upsert') ?? false;
  const fields = optionalDoc(ctx, 'fields');
  const arrayFilters = optionalArray(ctx, 'arrayFilters') as Doc[] | undefined;
  const hasUpdate = ctx.body.update !== undefined && ctx.body.update !== null;
  if (remove && hasUpdate) throw mongoError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && !hasUpdate) throw mongoError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && returnNew) {
    throw mongoError(
      'FailedToParse',
      "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
    );
  }
  if (remove && upsert) throw mongoError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const u = hasUpdate ? validateUpdateSpec(ctx.body.update, false) : undefined;
  const now = new Date();
  const variables = commandVariables(ctx, now);
  const project = compileProjection(fields, { query, variables, now, collation: collation?.compare });
  if (remove) ctx.server.opcounters.delete++;
  else ctx.server.opcounters.update++;

  const outcome = await runWrite(ctx, (txn) => {
    const [doc] = runQuery(txn, ctx.db, coll, { filter: query, sort, limit: 1, variables, collation }).docs;
    if (!doc) {
      if (!upsert || !u) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
      const inserted = upsertDocument(query, u, { arrayFilters, now, collation: collation?.compare });
      txn.insert(ctx.db, coll, inserted);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted._id },
        value: returnNew ? inserted : null,
      };
    }
    if (remove) {
      txn.remove(ctx.db, coll, doc);
      return { lastErrorObject: { n: 1 }, value: doc };
    }
    const updated = updatedVersion(doc, u as Doc | Doc[], query, { arrayFilters, now, collation: collation?.compare });
    if (updated) txn.replace(ctx.db, coll, doc, updated);
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: returnNew ? (updated ?? doc) : doc };
  });
  const value = outcome.value && fields ? project(outcome.value) : outcome.value;
  if (remove && outcome.lastErrorObject.n === 0) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
  return { lastErrorObject: outcome.lastErrorObject, value, ok: 1 };
}
