/**
 * Runs the embedded database on a worker thread of this process.
 *
 * The API (Express, Mongoose, the driver) and the database then use both cores of a small machine instead of
 * sharing one event loop, while `npm start` still needs nothing but Node.js. Clients reach the server over
 * loopback exactly as they would a separate mongod, so nothing else changes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Log } from './commands/context';
import type { EmbeddedServerOptions } from './server';

export type ThreadMessage =
  | { type: 'ready'; uri: string; host: string; port: number; location: string }
  | { type: 'log'; msg: string; extra?: object }
  | { type: 'failed'; error: string }
  | { type: 'closed' }
  | { type: 'cpu'; ns: number | undefined };

export interface EmbeddedServerThread {
  uri: string;
  host: string;
  port: number;
  /** 'memory' or the data directory. */
  location: string;
  /** CPU time the database thread has used so far, in nanoseconds (see threadCpuNs; undefined off Linux). */
  cpuTime(): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * CPU time of the calling thread in nanoseconds, from Linux's per-thread scheduler statistics; undefined where they
 * are not available. Node 20 has no per-thread CPU clock, and process.cpuUsage() counts every thread of the
 * process: the benchmarks use this to tell the database thread's cost from the API thread's, a measure that a busy
 * machine moves far less than wall-clock rates.
 */
export function threadCpuNs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * The worker's bootstrap code: the compiled entry next to this file, or, when running from TypeScript sources
 * (`npm start` runs under tsx), the source entry with tsx's loader registered first, since a worker thread does
 * not inherit the loader of its parent.
 */
function workerBootstrap(): string {
  const compiled = path.join(__dirname, 'thread-worker.js');
  if (existsSync(compiled)) return `require(${JSON.stringify(compiled)});`;
  return `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'thread-worker.ts'))});`;
}

/**
 * The database thread's young generation, in MB (V8 gives each of its two semi-spaces a third of it). The database
 * holds every collection in its own heap (5.5 GB at bench:reports' million entries), and a scavenge there takes
 * 20-45 ms whatever little it collects: at V8's default (16 MB semi-spaces) an aggregation over a few thousand
 * documents spent about half the thread's time scavenging. 64 MB semi-spaces scavenge a quarter as often. `npm run db`,
 * where the database has its process's main thread, gives node the same (`--max-semi-space-size=64`, package.json).
 */
const YOUNG_GENERATION_MB = 192;

export function startEmbeddedServerThread(options: EmbeddedServerOptions = {}): Promise<EmbeddedServerThread> {
  const { log = () => {}, ...workerOptions } = options;
  const worker = new Worker(workerBootstrap(), {
    eval: true,
    workerData: workerOptions,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  let onClosed: (() => void) | undefined;
  let onCloseFailed: ((error: Error) => void) | undefined;
  const cpuWaiters: ((ns: number | undefined) => void)[] = [];

  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`embedded database thread exited with code ${code}`)));
    worker.on('message', (message: ThreadMessage) => {
      switch (message.type) {
        case 'log':
          (log as Log)(message.msg, message.extra);
          break;
        case 'failed':
          if (onCloseFailed) onCloseFailed(new Error(message.error));
          else reject(new Error(message.error));
          break;
        case 'closed':
          onClosed?.();
          break;
        case 'cpu':
          cpuWaiters.shift()?.(message.ns);
          break;
        case 'ready':
          worker.removeAllListeners('exit');
          worker.once('exit', (code) => {
            if (!onClosed) (log as Log)('embedded database thread stopped unexpectedly', { exitCode: code });
          });
          resolve({
            uri: message.uri,
            host: message.host,
            port: message.port,
            location: message.location,
            cpuTime: () =>
              new Promise((done) => {
                cpuWaiters.push(done);
                worker.postMessage('cpu');
              }),
            close: () =>
              new Promise<void>((done, fail) => {
                onClosed = () => worker.terminate().then(() => done(), fail);
                onCloseFailed = fail;
                worker.postMessage('close');
              }),
          });
          break;
      }
    });
  });
}
