/**
 * Entry point of the worker thread that hosts the embedded database (see thread.ts). It starts the server with the
 * options it was given, reports the address, forwards log lines to the parent, and closes on request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type EmbeddedServerOptions, startEmbeddedServer } from './server';
import { type ThreadMessage, threadCpuNs } from './thread';

const port = parentPort;
if (!port) throw new Error('thread-worker.ts must run in a worker thread');

const send = (message: ThreadMessage) => port.postMessage(message);
const options = workerData as Omit<EmbeddedServerOptions, 'log'>;

startEmbeddedServer({ ...options, log: (msg, extra) => send({ type: 'log', msg, extra }) }).then(
  (server) => {
    send({ type: 'ready', uri: server.uri, host: server.host, port: server.port, location: server.store.location });
    port.on('message', (message: unknown) => {
      if (message === 'cpu') send({ type: 'cpu', ns: threadCpuNs() });
      if (message !== 'close') return;
      server.close().then(
        () => send({ type: 'closed' }),
        (error: unknown) => send({ type: 'failed', error: String((error as Error)?.stack ?? error) }),
      );
    });
  },
  (error: unknown) => send({ type: 'failed', error: (error as Error)?.message ?? String(error) }),
);
