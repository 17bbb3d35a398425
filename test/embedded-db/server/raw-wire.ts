/**
 * A bare OP_MSG client for tests that must control exactly what is sent: the driver rewrites `lsid` and `txnNumber`
 * on every command, so a test that replays a retryable write by hand cannot go through it. It also lets a test
 * split a message into arbitrary TCP chunks.
 */
import net from 'node:net';
import { deserialize, serialize } from 'bson';

let requestId = 1;

/** Replies are read loosely on purpose: the tests assert their shape. */
// biome-ignore lint/suspicious/noExplicitAny: a raw reply has no static shape
type Reply = Record<string, any>;

export function encodeOpMsg(body: Record<string, unknown>, flags = 0): Buffer {
  const doc = Buffer.from(serialize(body));
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + doc.length, 0);
  header.writeInt32LE(requestId++, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(flags, 16);
  header.writeUInt8(0, 20); // section kind 0
  return Buffer.concat([header, doc]);
}

export class RawConnection {
  private received = Buffer.alloc(0);
  private waiters: ((reply: Reply) => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      while (this.received.length >= 4 && this.received.length >= this.received.readInt32LE(0)) {
        const length = this.received.readInt32LE(0);
        const message = this.received.subarray(0, length);
        this.received = this.received.subarray(length);
        // OP_MSG reply: 16-byte header, 4-byte flags, 1-byte section kind, then the document.
        this.waiters.shift()?.(deserialize(message.subarray(21), { promoteLongs: false }));
      }
    });
  }

  static connect(uri: string): Promise<RawConnection> {
    const { hostname, port } = new URL(uri.replace('mongodb://', 'http://'));
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes raw bytes (possibly a fragment of a message). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  nextReply(): Promise<Reply> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  command(body: Record<string, unknown>): Promise<Reply> {
    const reply = this.nextReply();
    this.write(encodeOpMsg(body));
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}
