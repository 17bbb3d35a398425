/**
 * A database process for the CPU measures of `npm run bench:db`: starts the embedded database of the source tree
 * given by `--root` (this checkout by default, or another commit's worktree for an A/B comparison) and answers the
 * parent's `cpu` message with the CPU time this process has used, so the parent can divide it by the operations it
 * sent. CPU time is what load does not move (much): wall-clock rates on a shared machine do.
 *
 * It also answers `replay` (scripts/bench-db-replay.ts): the messages the driver would send for a number of
 * operations are built first, then handed to the server's own connection handler through in-process sockets (16 at a
 * time, each one's messages in order), and the thread's CPU time per operation is all the database's: no driver, no
 * kernel socket work. The handler is the listener the server gives `net.createServer`, which every commit since the
 * first one does, so any commit can be replayed.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import net from 'node:net';
import path from 'node:path';
import { ObjectId } from 'bson';
import {
  checkReplies,
  newSession,
  REPLAY_BUILDERS,
  type ReplayKind,
  type ReplaySession,
  replyOf,
} from './bench/replay-messages';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Nanoseconds the calling thread (the event loop: all of the database's JavaScript) has run on a CPU. */
function threadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

/** The server's connection handler, taken from `net.createServer` as the server is started. */
let accept: ((socket: net.Socket) => void) | undefined;
const createServer = net.createServer;
net.createServer = ((...args: unknown[]) => {
  accept = args.find((arg) => typeof arg === 'function') as typeof accept;
  return (createServer as (...a: unknown[]) => net.Server)(...args);
}) as typeof net.createServer;

/** A connection without a kernel socket: what is written to it answers the message sent last. */
class ReplaySocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 0;
  destroyed = false;
  private answer?: (bytes: Buffer) => void;
  setNoDelay(): this {
    return this;
  }
  write(bytes: Buffer): boolean {
    const answer = this.answer;
    this.answer = undefined;
    answer?.(bytes);
    return true;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
  send(message: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.answer = resolve;
      this.emit('data', message);
    });
  }
}

const REPLAY_CONNECTIONS = 16;
const replayPeers: { socket: ReplaySocket; session: ReplaySession }[] = [];

/** Replays `ops` operations of `kind` on the balances given; answers the thread's CPU nanoseconds they took. */
async function replay(kind: ReplayKind, ops: number, balanceIds: string[]): Promise<number> {
  if (!accept) throw new Error('the server did not create a listener');
  while (replayPeers.length < REPLAY_CONNECTIONS) {
    const socket = new ReplaySocket();
    accept(socket as unknown as net.Socket);
    replayPeers.push({ socket, session: newSession() });
  }
  const balances = balanceIds.map((id) => new ObjectId(id));
  const work = replayPeers.map(() => [] as Buffer[][]);
  for (let i = 0; i < ops; i++) {
    const peer = i % REPLAY_CONNECTIONS;
    const balance = balances[(peer * 6 + Math.floor(i / REPLAY_CONNECTIONS)) % balances.length];
    work[peer].push(REPLAY_BUILDERS[kind](replayPeers[peer].session, balance));
  }
  const replies = replayPeers.map(() => [] as Buffer[]);
  const start = threadCpuNs();
  await Promise.all(
    replayPeers.map(async ({ socket }, peer) => {
      for (const messages of work[peer]) for (const message of messages) replies[peer].push(await socket.send(message));
    }),
  );
  const spent = threadCpuNs() - start;
  for (const peerReplies of replies) checkReplies(kind, peerReplies.map(replyOf));
  return spent;
}

async function main(): Promise<void> {
  const root = path.resolve(flag('--root') ?? path.join(__dirname, '..'));
  const { startEmbeddedServer } = (await import(
    path.join(root, 'src/embedded-db/index.ts')
  )) as typeof import('../src/embedded-db');
  const server = await startEmbeddedServer({ port: 0, dbPath: flag('--dbpath') });
  const send = (message: object) => process.send?.(message);
  const session = new inspector.Session();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  process.on('message', async (message: unknown) => {
    if (message === 'profile') {
      session.connect();
      await post('Profiler.enable');
      // 50 µs rather than the default 1 ms: an operation takes some tens of µs, and the profile should see its parts.
      await post('Profiler.setSamplingInterval', { interval: 50 });
      await post('Profiler.start');
      send({ type: 'profiling' });
    } else if (typeof message === 'object' && message !== null && 'profileTo' in message) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(String(message.profileTo), JSON.stringify(profile));
      session.disconnect();
      send({ type: 'profiled' });
    } else if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', threadNs: threadCpuNs(), processUs: user + system });
    } else if (typeof message === 'object' && message !== null && 'replay' in message) {
      const { replay: kind, ops, balanceIds } = message as { replay: ReplayKind; ops: number; balanceIds: string[] };
      send({ type: 'replayed', threadNs: await replay(kind, ops, balanceIds) });
    } else if (message === 'close') {
      server.close().then(() => process.exit(0));
    }
  });
  send({ type: 'ready', uri: server.uri });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
