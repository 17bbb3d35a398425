/**
 * One side of scripts/bench-db-replay.ts in a worker thread of its own: the database of the source tree it is given,
 * set up for the replay, then one batch per request, answered with the CPU nanoseconds this thread spent on it.
 *
 * Each side has its own thread because sides that share one V8 isolate do not run alike: three worktrees of the same
 * commit replayed in one thread measured the first one loaded 8-16% cheaper than the other two, in every operation
 * (the shared modules, bson and sorted-btree, and the heap they fill, favour whoever ran them first). An isolate per
 * side shares nothing but the process and the machine, and the batches still alternate finely.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { threadCpuNs } from '../../src/embedded-db/thread';
import { captureConnectionHandlers, Replayer, type ReplayKind } from './replay';

/** What the main thread sends: a batch to replay, or the end. */
export type ReplayRequest = { kind: ReplayKind; ops: number } | 'close';

/** What this thread answers: it is set up, a batch's CPU nanoseconds, it has closed, or it failed. */
export type ReplayAnswer =
  | { type: 'ready' }
  | { type: 'replayed'; ns: number }
  | { type: 'closed' }
  | { type: 'failed'; error: string };

export interface ReplayThreadData {
  /** The source tree whose database this thread runs. */
  root: string;
  onDisk: boolean;
}

if (!parentPort) throw new Error('replay-thread.ts must run in a worker thread');
const port: MessagePort = parentPort;
const send = (answer: ReplayAnswer) => port.postMessage(answer);

async function main(): Promise<void> {
  const { root, onDisk } = workerData as ReplayThreadData;
  // require, not import(): the worker registered tsx's CommonJS loader only (see bench-db-replay.ts).
  const { startEmbeddedServer } = require(
    path.join(root, 'src/embedded-db/index.ts'),
  ) as typeof import('../../src/embedded-db');
  const dbPath = onDisk ? mkdtempSync(path.join(tmpdir(), 'asar-bench-replay-')) : undefined;
  const handlers = captureConnectionHandlers();
  const server = await startEmbeddedServer({ port: 0, dbPath });
  const replayer = new Replayer(handlers[0], () => threadCpuNs() ?? 0);
  await replayer.setup();
  port.on('message', async (request: ReplayRequest) => {
    try {
      if (request !== 'close') {
        send({ type: 'replayed', ns: await replayer.run(request.kind, request.ops) });
        return;
      }
      await server.close();
      if (dbPath) rmSync(dbPath, { recursive: true, force: true });
      send({ type: 'closed' });
    } catch (error) {
      send({ type: 'failed', error: String((error as Error)?.stack ?? error) });
    }
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => send({ type: 'failed', error: String((error as Error)?.stack ?? error) }));
