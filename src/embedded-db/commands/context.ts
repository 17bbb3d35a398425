/**
 * What a command handler gets: the request, the server's shared state and, inside a multi-document transaction,
 * the transaction every read and write must go through.
 */
import type { ObjectId } from 'bson';
import type { CursorRegistry } from '../cursors';
import type { FailPoints } from '../fail-points';
import type { SessionRegistry } from '../sessions';
import type { ClusterClock } from '../snapshots';
import type { Store, Txn } from '../storage/store-types';
import type { Doc } from '../types';

export type Log = (msg: string, extra?: object) => void;

/** Values getParameter/setParameter expose; only those the server actually honours. */
export interface Parameters {
  transactionLifetimeLimitSeconds: number;
}

export interface ServerState {
  store: Store;
  cursors: CursorRegistry;
  sessions: SessionRegistry;
  parameters: Parameters;
  /** `host:port` clients reach this server at; hello's hosts/primary/me. */
  address: string;
  replSetName: string;
  electionId: ObjectId;
  startedAt: Date;
  log: Log;
  /** Cluster time on replies and snapshot reads outside transactions. */
  clock: ClusterClock;
  /** Present only when the server runs with test commands enabled (configureFailPoint). */
  failPoints?: FailPoints;
  connections: { current: number; totalCreated: number };
  opcounters: Record<'insert' | 'query' | 'update' | 'delete' | 'getmore' | 'command', number>;
}

export interface ConnectionInfo {
  id: number;
  /** `ip:port` of the client, for whatsmyuri and logs. */
  remote: string;
  /** `client.application.name` of the handshake (the driver's appName option), for failCommand's `appName`. */
  appName?: string;
}

export interface CommandContext {
  /** Command name as the client spelled it (the first key of the body). */
  name: string;
  db: string;
  body: Doc;
  server: ServerState;
  connection: ConnectionInfo;
  /** Set inside a multi-document transaction (autocommit: false); undefined otherwise. */
  txn?: Txn;
  /** lsid key, when the command carried one (cursors opened in a session die with it). */
  sessionKey?: string;
  /** txnNumber of the multi-document transaction `txn` belongs to (cursors opened in it are bound to it). */
  txnNumber?: bigint;
  /** Bytes of the wire message that carried the command (an upper bound of any document decoded from it). */
  requestSize?: number;
}

export type CommandHandler = (ctx: CommandContext) => Promise<Doc> | Doc;

export interface CommandSpec {
  handler: CommandHandler;
  /** May run inside a multi-document transaction (mongod's list; others answer OperationNotSupportedInTransaction). */
  inTransaction?: boolean;
  /** A write that the driver may send as a retryable write (txnNumber without autocommit). */
  retryableWrite?: boolean;
  /** Exists only with test commands enabled; otherwise the command is unknown (CommandNotFound), as in mongod. */
  testOnly?: boolean;
}
