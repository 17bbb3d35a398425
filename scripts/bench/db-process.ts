/**
 * The embedded database alone in a process of its own, as production runs a database apart from the API: forked by
 * `npm run bench:stock` for its out-of-process topology. It sends `{ uri }` once serving, answers `{ cpu }` (its own
 * CPU time, microseconds) to `'cpu'`, and closes on `'stop'`.
 */
import { startEmbeddedServer } from '../../src/embedded-db';

async function main(): Promise<void> {
  const server = await startEmbeddedServer({ port: 0, host: '127.0.0.1', replSetName: 'asar' });
  process.on('message', (message: 'cpu' | 'stop') => {
    if (message === 'cpu') {
      const used = process.cpuUsage();
      process.send?.({ cpu: used.user + used.system });
      return;
    }
    server.close().then(() => process.exit(0));
  });
  process.send?.({ uri: server.uri });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
