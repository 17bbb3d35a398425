/**
 * Cuts a TCP byte stream into whole MongoDB wire messages.
 *
 * TCP delivers arbitrary chunks: one `data` event may hold half a header, or three messages. Chunks are kept in a
 * list and joined only once a whole message is available, so a 48 MB insert arriving in 64 KB pieces is copied once
 * instead of once per chunk.
 */

/** Largest message the server accepts; the hello reply advertises the same value as maxMessageSizeBytes. */
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

const HEADER_SIZE = 16;

export class FramingError extends Error {}

export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds a chunk and returns every message it completes (each a Buffer holding exactly one message). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Buffer[] = [];
    for (;;) {
      const length = this.peekLength();
      if (length === undefined || this.buffered < length) break;
      messages.push(this.take(length));
    }
    return messages;
  }

  /** Length of the next message, once its 4-byte length prefix has arrived. */
  private peekLength(): number | undefined {
    if (this.buffered < 4) return undefined;
    if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
    const length = this.chunks[0].readInt32LE(0);
    if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE_BYTES) {
      throw new FramingError(`invalid message length ${length}`);
    }
    return length;
  }

  private take(length: number): Buffer {
    let message: Buffer;
    const first = this.chunks[0];
    if (first.length >= length) {
      // Common case: the whole message sits in the first chunk; slice without copying.
      message = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
    } else {
      const joined = Buffer.concat(this.chunks);
      message = joined.subarray(0, length);
      this.chunks = joined.length > length ? [joined.subarray(length)] : [];
    }
    this.buffered -= length;
    return message;
  }
}
