/**
 * Before-images for snapshot reads. A commit that changes a document while other transactions are active records
 * the version it replaced; a transaction that began earlier reads that version instead of the new one. Images are
 * dropped as soon as no active transaction began before the commit that made them, so with no long transactions
 * open the log stays empty and costs nothing.
 */
import type { Doc } from '../types';
import type { Collection } from './collection';

interface Entry {
  seq: number;
  coll: Collection;
  idKey: string;
}

export class HistoryLog {
  /** Every recorded image in commit order; `head` is the oldest still kept (a queue without O(n) shifts). */
  private queue: Entry[] = [];
  private head = 0;

  get size(): number {
    return this.queue.length - this.head;
  }

  record(coll: Collection, idKey: string, seq: number, before: Doc | null): void {
    let images = coll.history.get(idKey);
    if (!images) {
      images = [];
      coll.history.set(idKey, images);
    }
    images.push({ seq, before });
    this.queue.push({ seq, coll, idKey });
  }

  /** Drops images no snapshot at `oldestActiveStart` or later needs (those of commits numbered <= it). */
  prune(oldestActiveStart: number): void {
    const q = this.queue;
    while (this.head < q.length && q[this.head].seq <= oldestActiveStart) {
      const e = q[this.head++];
      const images = e.coll.history.get(e.idKey);
      if (images) {
        // Per-document lists are in commit order too, so the queue's oldest entry is the list's first.
        images.shift();
        if (images.length === 0) e.coll.history.delete(e.idKey);
      }
    }
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.prune(Number.POSITIVE_INFINITY);
  }
}
