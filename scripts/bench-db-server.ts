/**
 * `npm run bench:db-server`: what the embedded database itself sustains, without the driver and Mongoose.
 *
 * `npm run bench:db` measures through Mongoose with client and server in one process; on a 2-core machine its
 * figures are bounded by the official driver's own CPU cost per command (CPU profiles show the database thread
 * idle most of the time). Here the database runs alone in a child process (`scripts/db.ts`, as `npm run db` runs it)
 * and 16 bare wire-protocol connections in this process send OP_MSG commands in closed loops: each connection waits
 * for its reply before sending the next command, as a driver connection does. Besides the rates it prints the CPU
 * time per operation of the database process's event-loop thread (Linux's per-thread scheduler statistics), the
 * figure a loaded machine moves least. `--quick` sends 5,000 commands of each kind instead of 20,000.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { deserialize, serialize } from 'bson';
import { formatRate, measure, printTable } from './bench/report';

const CONNECTIONS = 16;
const DB = 'bench';
const COUNT = process.argv.includes('--quick') ? 5_000 : 20_000;

/** CPU nanoseconds the main thread of process `pid` has run (undefined where /proc has no schedstat). */
function mainThreadCpuNs(pid: number | undefined): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** One wire connection that sends a command and resolves with the reply's body. */
class WireConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private pending: ((reply: Record<string, unknown>) => void) | undefined;
  private requestId = 1;

  constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
      while (this.buffered.length >= 4 && this.buffered.length >= this.buffered.readInt32LE(0)) {
        const length = this.buffered.readInt32LE(0);
        const body = deserialize(this.buffered.subarray(21, length));
        this.buffered = this.buffered.subarray(length);
        const resolve = this.pending;
        this.pending = undefined;
        resolve?.(body);
      }
    });
  }

  static open(port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new WireConnection(socket)));
      socket.once('error', reject);
    });
  }

  async command(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const doc = serialize({ ...body, $db: DB });
    const header = Buffer.alloc(21);
    header.writeInt32LE(21 + doc.length, 0);
    header.writeInt32LE(this.requestId++, 4);
    header.writeInt32LE(2013, 12);
    const reply = new Promise<Record<string, unknown>>((resolve) => {
      this.pending = resolve;
    });
    this.socket.write(Buffer.concat([header, doc]));
    const result = await reply;
    if (result.ok !== 1 || result.writeErrors) throw new Error(`command failed: ${JSON.stringify(result)}`);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function startDatabase(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/db.ts', '--port', String(port)], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`database exited with code ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve();
    });
  });
  child.stdout?.resume();
  return child;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const port = await freePort();
  const database = await startDatabase(port);
  const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => WireConnection.open(port)));
  const on = (worker: number) => connections[worker];
  try {
    await on(0).command({ create: 'items' });
    await on(0).command({ createIndexes: 'items', indexes: [{ key: { sku: 1 }, name: 'sku_1', unique: true }] });

    // The database's CPU around each phase, per command (µs).
    const phase = async (operation: (i: number, w: number) => Promise<unknown>) => {
      const before = mainThreadCpuNs(database.pid);
      const { perSecond } = await measure(COUNT, CONNECTIONS, operation);
      const after = mainThreadCpuNs(database.pid);
      const us =
        before === undefined || after === undefined ? 'n/a' : String(Math.round((after - before) / 1000 / COUNT));
      return { perSecond, us };
    };
    const inserts = await phase((i, w) =>
      on(w).command({ insert: 'items', documents: [{ sku: `SKU-${i}`, name: 'Blanket, wool', onHand: 1_000_000 }] }),
    );
    const reads = await phase((i, w) =>
      on(w).command({ find: 'items', filter: { sku: `SKU-${(i * 7919) % COUNT}` }, limit: 1, singleBatch: true }),
    );
    const updates = await phase((i, w) =>
      on(w).command({
        update: 'items',
        updates: [{ q: { sku: `SKU-${i % 100}`, onHand: { $gte: 3 } }, u: { $inc: { onHand: -3 } } }],
      }),
    );

    printTable(
      `Embedded database alone (separate process), ${CONNECTIONS} wire connections, no driver`,
      ['operation', 'per second', 'database CPU µs/op', 'target (issue 3, through Mongoose)'],
      [
        ['single-document inserts (unique index)', formatRate(inserts.perSecond), inserts.us, '≥ 5,000'],
        ['indexed point reads', formatRate(reads.perSecond), reads.us, '≥ 5,000'],
        ['conditional $inc updates', formatRate(updates.perSecond), updates.us, '≥ 2,000'],
      ],
    );
  } finally {
    for (const connection of connections) connection.close();
    database.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
