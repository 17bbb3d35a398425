/**
 * The embedded MongoDB-compatible server: a TCP listener speaking the wire protocol in front of the store.
 *
 * Each connection handles its messages one after another (drivers never pipeline on a connection, and order matters
 * for `moreToCome` writes); different connections run concurrently. The server presents itself as the primary of a
 * single-node replica set whose member address is the address actually bound, so that drivers use sessions,
 * retryable writes and transactions exactly as in production.
 */
import net from 'node:net';
import { ObjectId } from 'bson';
import type { ConnectionInfo, Log, ServerState } from './commands/context';
import { runCommand } from './commands/dispatch';
import { CLOSE_CONNECTION } from './commands/fail-command';
import { errorReply } from './commands/reply';
import { CursorRegistry } from './cursors';
import { mongoError } from './errors';
import { FailPoints } from './fail-points';
import { SessionRegistry } from './sessions';
import { ClusterClock } from './snapshots';
import { openStore } from './storage';
import type { Store } from './storage/store-types';
import { FramingError, MessageFramer } from './wire/framing';
import {
  type CommandRequest,
  decodeOpMsg,
  decodeOpQuery,
  encodeOpMsg,
  encodeOpReply,
  OP_MSG,
  OP_QUERY,
  readHeader,
} from './wire/protocol';

export interface EmbeddedServer {
  /** `mongodb://<host>:<port>/?replicaSet=<name>`, ready for the driver and Mongoose. */
  uri: string;
  host: string;
  port: number;
  store: Store;
  close(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** 0 picks any free port. Default 27017. */
  port?: number;
  /** Address to bind; default 127.0.0.1 (never all interfaces unless asked). */
  host?: string;
  /** Data directory; undefined keeps data in memory. */
  dbPath?: string;
  /** Replica set name advertised by hello; default 'asar'. */
  replSetName?: string;
  /**
   * Accept test-only commands (configureFailPoint), as mongod's `--setParameter enableTestCommands=1`. Only tests and
   * `npm run db -- --setParameter enableTestCommands=1` set it; the application never does.
   */
  enableTestCommands?: boolean;
  log?: Log;
}

const DEFAULT_TRANSACTION_LIFETIME_SECONDS = 60;
const REAPER_INTERVAL_MS = 1000;

/** The address clients should use: a wildcard bind is advertised as loopback (remote clients use directConnection). */
function advertisedHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const log: Log = options.log ?? (() => {});
  const bindHost = options.host ?? '127.0.0.1';
  const replSetName = options.replSetName ?? 'asar';
  const store = await openStore({ dbPath: options.dbPath, log });

  const parameters = { transactionLifetimeLimitSeconds: DEFAULT_TRANSACTION_LIFETIME_SECONDS };
  const sessions = new SessionRegistry(store, {
    transactionLifetimeLimitSeconds: () => parameters.transactionLifetimeLimitSeconds,
    log,
  });
  const startedAt = new Date();
  const state: ServerState = {
    store,
    cursors: new CursorRegistry(),
    sessions,
    parameters,
    address: '',
    replSetName,
    electionId: new ObjectId('7fffffff0000000000000001'),
    startedAt,
    log,
    clock: new ClusterClock(store, startedAt),
    failPoints: options.enableTestCommands ? new FailPoints() : undefined,
    connections: { current: 0, totalCreated: 0 },
    opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
  };

  const sockets = new Set<net.Socket>();
  let nextConnectionId = 1;
  let requestIds = 1;

  const server = net.createServer((socket) => {
    const connection: ConnectionInfo = {
      id: nextConnectionId++,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
    };
    sockets.add(socket);
    state.connections.current++;
    state.connections.totalCreated++;
    socket.setNoDelay(true);
    const framer = new MessageFramer();
    // Messages of one connection are handled strictly in order.
    let queue: Promise<void> = Promise.resolve();

    const handle = async (message: Buffer): Promise<void> => {
      const header = readHeader(message);
      let request: CommandRequest;
      try {
        if (header.opCode === OP_MSG) request = decodeOpMsg(message, header);
        else if (header.opCode === OP_QUERY) request = decodeOpQuery(message, header);
        else {
          // Legacy opcodes (removed in MongoDB 6) and OP_COMPRESSED (never negotiated): mongod closes the connection.
          log('closing connection after an unsupported opcode', { opCode: header.opCode, connectionId: connection.id });
          socket.destroy();
          return;
        }
      } catch (err) {
        const reply = errorReply(mongoError('FailedToParse', (err as Error).message));
        const encodeError = header.opCode === OP_QUERY ? encodeOpReply : encodeOpMsg;
        socket.write(encodeError(reply, requestIds++, header.requestId, state.clock.replyElements()));
        return;
      }
      const reply = await runCommand(state, connection, request.db, request.body, header.length);
      if (reply === CLOSE_CONNECTION) {
        socket.destroy();
        return;
      }
      if (request.moreToCome || socket.destroyed) return;
      const encode = request.legacy ? encodeOpReply : encodeOpMsg;
      let bytes: Buffer;
      try {
        bytes = encode(reply, requestIds++, header.requestId, state.clock.replyElements());
      } catch (err) {
        bytes = encode(
          errorReply(mongoError('InternalError', `cannot encode reply: ${(err as Error).message}`)),
          requestIds++,
          header.requestId,
          state.clock.replyElements(),
        );
      }
      socket.write(bytes);
    };

    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        if (err instanceof FramingError) log('closing connection: bad message framing', { error: err.message });
        socket.destroy();
        return;
      }
      for (const message of messages) {
        queue = queue.then(() =>
          handle(message).catch((err: unknown) => {
            log('connection failed', { error: (err as Error)?.stack ?? String(err), connectionId: connection.id });
            socket.destroy();
          }),
        );
      }
    });
    socket.on('error', () => {
      // A client vanishing is normal (ECONNRESET); 'close' follows and does the cleanup.
    });
    socket.on('close', () => {
      sockets.delete(socket);
      state.connections.current--;
      // A transaction outlives its connection, as in mongod: the driver retries a commit whose connection dropped on
      // another one. It ends by commit, abort, endSessions or transactionLifetimeLimitSeconds.
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 27017, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err) => {
    await store.close();
    throw err;
  });

  const port = (server.address() as net.AddressInfo).port;
  const host = advertisedHost(bindHost);
  state.address = hostPort(host, port);
  const reaper = setInterval(() => {
    sessions.reap();
    state.cursors.reapIdle();
    state.clock.reap();
  }, REAPER_INTERVAL_MS);
  reaper.unref();
  log('embedded database listening', { address: state.address, replicaSet: replSetName, storage: store.location });

  let closing: Promise<void> | undefined;
  return {
    uri: `mongodb://${state.address}/?replicaSet=${encodeURIComponent(replSetName)}`,
    host,
    port,
    store,
    close() {
      closing ??= (async () => {
        clearInterval(reaper);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await stopped;
        sessions.killAll();
        state.cursors.killAll();
        state.clock.close();
        await store.close();
        log('embedded database stopped', { address: state.address });
      })();
      return closing;
    },
  };
}
