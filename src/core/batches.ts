/**
 * Groups the items of an async iterable (a database cursor) into arrays of up to `size`, so that a stream of a
 * million documents is handled a batch at a time without holding more than one batch.
 */
export async function* batchesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
