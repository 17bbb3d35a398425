/** The `{ cursor: { firstBatch, id, ns } }` reply shared by every command that returns a cursor. */
import { Long } from 'bson';
import { DEFAULT_FIRST_BATCH_SIZE, takeBatch } from '../cursors';
import type { Doc } from '../types';
import { optionalDoc, optionalInt } from './args';
import type { CommandContext } from './context';

export interface CursorOptions {
  /** Documents in the first batch; mongod's default is 101. */
  batchSize?: number;
  /** Close the cursor after the first batch (find's singleBatch, or a negative limit). */
  singleBatch?: boolean;
}

/** batchSize from `cursor: { batchSize }` (aggregate, listCollections, listIndexes). */
export function cursorOptionBatchSize(ctx: CommandContext): number | undefined {
  const cursor = optionalDoc(ctx, 'cursor');
  if (!cursor) return undefined;
  const batchSize = optionalInt(ctx, 'batchSize', cursor);
  if (batchSize !== undefined && batchSize < 0) throw new RangeError('batchSize must be non-negative');
  return batchSize;
}

export function firstBatchReply(ctx: CommandContext, ns: string, docs: Doc[], options: CursorOptions = {}): Doc {
  const batch = takeBatch(docs, 0, options.batchSize ?? DEFAULT_FIRST_BATCH_SIZE);
  let id = Long.ZERO;
  if (!options.singleBatch && batch.length < docs.length) {
    id = ctx.server.cursors.open(ns, docs, batch.length, ctx.sessionKey, ctx.txnNumber);
  }
  return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
}
