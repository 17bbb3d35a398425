/**
 * A database process for the CPU measures of `npm run bench:db`: starts the embedded database of the source tree
 * given by `--root` (this checkout by default, or another commit's worktree for an A/B comparison) and answers the
 * parent's `cpu` message with the CPU time this process has used, so the parent can divide it by the operations it
 * sent. CPU time is what load does not move (much): wall-clock rates on a shared machine do.
 *
 * It also answers `replay` (scripts/bench-db-replay.ts): the messages the driver would send for a number of
 * operations are built first, then handed to the server's own connection handler through in-process sockets (16 at a
 * time, each one's messages in order), and the thread's CPU time per operation is all the database's: no driver, no
 * kernel socket work (see scripts/bench/replay.ts). With `--replay insert|read|inc|transaction --ops N` it runs alone: the setup, a
 * warm-up, N operations, then it exits (scripts/bench-db-instructions.ts counts its instructions).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { captureConnectionHandlers, Replayer, type ReplayKind } from './bench/replay';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Nanoseconds the calling thread (the event loop: all of the database's JavaScript) has run on a CPU. */
function threadCpuNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

async function main(): Promise<void> {
  const root = path.resolve(flag('--root') ?? path.join(__dirname, '..'));
  const { startEmbeddedServer } = (await import(
    path.join(root, 'src/embedded-db/index.ts')
  )) as typeof import('../src/embedded-db');
  const handlers = captureConnectionHandlers();
  const server = await startEmbeddedServer({ port: 0, dbPath: flag('--dbpath') });
  const replayer = new Replayer(handlers[0], threadCpuNs);
  let replaySetUp = false;
  const standalone = flag('--replay') as ReplayKind | undefined;
  if (standalone) {
    // Alone (scripts/bench-db-instructions.ts counts this process's instructions): the same warm-up, then --ops.
    await replayer.setup();
    for (let i = 0; i < 10; i++) await replayer.run(standalone, 200);
    await replayer.run(standalone, Number(flag('--ops') ?? '1000'));
    process.exit(0);
  }
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
      const { replay: kind, ops } = message as { replay: ReplayKind; ops: number };
      if (!replaySetUp) {
        await replayer.setup();
        replaySetUp = true;
      }
      send({ type: 'replayed', threadNs: await replayer.run(kind, ops) });
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
