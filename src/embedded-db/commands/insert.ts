/** The `insert` command: ordered and unordered batches, `_id` generation, writeErrors with keyPattern/keyValue. */
import { BSONRegExp, ObjectId } from 'bson';
import { mongoError } from '../errors';
import type { Doc } from '../types';
import { collectionArg, isPlainObject, optionalBool, requiredArray } from './args';
import type { CommandContext } from './context';
import { checkDocumentSize } from './document-size';
import { MAX_BSON_OBJECT_SIZE } from './hello';
import { failsWholeTransactionCommand, writeErrorEntry } from './reply';
import { runWrite } from './statements';

/** The DBRef fields, the only `$`-prefixed names mongod accepts inside `_id`. */
const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

function checkIdValue(id: unknown): void {
  if (Array.isArray(id)) throw mongoError('InvalidIdField', "The '_id' value cannot be of type array");
  if (id instanceof BSONRegExp) throw mongoError('InvalidIdField', "The '_id' value cannot be of type regex");
  if (isPlainObject(id)) {
    for (const key of Object.keys(id)) {
      if (key.startsWith('$') && !DBREF_FIELDS.has(key)) {
        throw mongoError(
          'DollarPrefixedFieldName',
          `_id fields may not contain '$'-prefixed fields: ${key} is not valid for storage.`,
        );
      }
    }
  }
}

/** An ObjectId `_id` element: type byte, `_id` and its zero, 12 bytes. */
const GENERATED_ID_BYTES = 1 + 4 + 12;

/** `_id` first (generating an ObjectId when missing), as mongod stores it. */
export function withId(doc: Doc): Doc {
  if (!('_id' in doc) || doc._id === undefined) {
    const { _id: _missing, ...rest } = doc;
    return { _id: new ObjectId(), ...rest };
  }
  const id = doc._id;
  checkIdValue(id);
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

export async function insert(ctx: CommandContext): Promise<Doc> {
  const coll = collectionArg(ctx);
  const raw = requiredArray(ctx, 'documents');
  const ordered = optionalBool(ctx, 'ordered') ?? true;
  ctx.server.opcounters.insert += raw.length;
  // A document decoded from a message below the limit is below it too, with the `_id` it may be given (its BSON size
  // is at most the message's, and an ObjectId `_id` element adds 17 bytes): measuring each one costs a walk of it.
  const small = ctx.requestSize !== undefined && ctx.requestSize + GENERATED_ID_BYTES <= MAX_BSON_OBJECT_SIZE;
  const docs: (Doc | Error)[] = raw.map((d) => {
    if (!isPlainObject(d)) return mongoError('TypeMismatch', 'each document to insert must be an object');
    try {
      return small ? withId(d) : checkDocumentSize(withId(d), 'insert');
    } catch (err) {
      return err as Error;
    }
  });

  // Inside a client transaction the first error ends the command and the transaction (dispatch aborts it).
  if (ctx.txn) {
    const txn = ctx.txn;
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i];
      try {
        if (doc instanceof Error) throw doc;
        txn.insert(ctx.db, coll, doc);
      } catch (err) {
        if (failsWholeTransactionCommand(err)) throw err;
        return { n: i, writeErrors: [writeErrorEntry(i, err)], ok: 1 };
      }
    }
    return { n: docs.length, ok: 1 };
  }

  // Fast path: a clean batch is committed once. Any error sends us to the statement-by-statement path, which gives
  // mongod's partial results (ordered stops at the first error, unordered goes on).
  if (docs.length > 1 && docs.every((d) => !(d instanceof Error))) {
    try {
      await runWrite(ctx, (txn) => {
        for (const doc of docs as Doc[]) txn.insert(ctx.db, coll, doc);
      });
      return { n: docs.length, ok: 1 };
    } catch {
      // fall through
    }
  }

  let n = 0;
  const writeErrors: Doc[] = [];
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i];
    try {
      if (doc instanceof Error) throw doc;
      await runWrite(ctx, (txn) => txn.insert(ctx.db, coll, doc));
      n++;
    } catch (err) {
      writeErrors.push(writeErrorEntry(i, err));
      if (ordered) break;
    }
  }
  const reply: Doc = { n, ok: 1 };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}
