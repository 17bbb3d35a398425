/**
 * Starts Asar: configuration → database → HTTP server → scheduler. Stops gracefully on SIGTERM/SIGINT: stop accepting
 * connections, let in-flight requests finish, close the database, exit 0.
 *
 * Modules are imported inside main() so that a configuration error is reported as one clear line instead of the
 * stack trace of a failed import; a data directory or a port already in use is one line too (start-problems.ts).
 * `npm start` execs node directly (package.json), so SIGTERM sent to its process id reaches this process.
 */
import type { Server } from 'node:http';
import { dataDirInUseMessage, isDataDirLocked, portProblemMessage } from './start-problems';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: typeof import('./config').config;
  try {
    ({ config } = await import('./config'));
  } catch (error) {
    if (error instanceof Error && error.name === 'ConfigError') {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { logger } = await import('./logger');
  const { connectDatabase } = await import('./db/connection');
  const { buildApp } = await import('./app');

  if (config.auth.tokenSecretIsEphemeral) {
    logger.warn('ASAR_TOKEN_SECRET is not set: using a random secret, sessions end when the process stops');
  }

  let database: Awaited<ReturnType<typeof connectDatabase>>;
  try {
    database = await connectDatabase(config);
  } catch (error) {
    if (isDataDirLocked(error)) {
      console.error(dataDirInUseMessage(error as Error, config.dataDir, 'npm start'));
      process.exit(1);
    }
    throw error;
  }
  logger.info({ backend: database.backend, uri: database.uri }, `Database connected (${database.backend})`);

  const app = buildApp();
  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      const listening = app.listen(config.port, config.host, (error?: Error) =>
        error ? reject(error) : resolve(listening),
      );
    });
  } catch (error) {
    // The port is taken, say: close the database cleanly (the embedded one holds its data directory) before exiting.
    await database.close();
    const problem = portProblemMessage(error, config.port, config.host);
    if (problem) {
      logger.flush();
      console.error(problem);
      process.exit(1);
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
  logger.info(
    { port, backend: database.backend, env: config.env },
    `Asar listening on http://${shownHost}:${port} (database: ${database.backend})`,
  );

  const { scheduler } = await import('./jobs');
  if (config.jobs.enabled) scheduler().start();

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: no new connections, finishing requests in flight');
    const forceClose = setTimeout(() => {
      logger.warn('Requests still running after the grace period: closing their connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    forceClose.unref();
    try {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler().stop();
      await database.close();
      logger.info('Stopped');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'Error while shutting down');
      logger.flush();
      process.exit(1);
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('Asar failed to start:', error);
  process.exit(1);
});
