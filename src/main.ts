/**
 * Starts Asar: configuration → database → HTTP server → scheduler. Stops gracefully on SIGTERM/SIGINT: stop accepting
 * connections, let in-flight requests finish, close the database, exit 0.
 *
 * Every core serves: with config.workers > 1 (ASAR_WORKERS, one per core by default) this process is the primary of a
 * node:cluster. It runs the embedded database (on its worker thread; none with MONGODB_URI) and forks that many API
 * processes, which share the one port (the primary hands connections out in turn) and the one database, exactly as
 * several API instances behind a load balancer share a replica set in production. Nothing an API process keeps in
 * memory is a limit or a lock: login limits, rate limits, idempotency keys and job leases are all in the database.
 * A worker that dies is replaced; a stop signal reaches the primary, which stops the workers, then the database.
 *
 * Modules are imported inside main() so that a configuration error is reported as one clear line instead of the
 * stack trace of a failed import; a data directory or a port already in use is one line too (start-problems.ts).
 * `npm start` execs node directly (package.json), so SIGTERM sent to its process id reaches this process.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { dataDirInUseMessage, isDataDirLocked, portProblemMessage } from './start-problems';

const SHUTDOWN_GRACE_MS = 10_000;

type Config = typeof import('./config').config;

async function main(): Promise<void> {
  const config = await loadConfig();
  if (cluster.isPrimary && config.workers > 1) await runPrimary(config);
  else await runApi(config);
}

async function loadConfig(): Promise<Config> {
  let config: Config;
  try {
    ({ config } = await import('./config'));
  } catch (error) {
    if (error instanceof Error && error.name === 'ConfigError') {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  return config;
}

/** The primary of `npm start` with several API processes: the database, the workers, and their stop. */
async function runPrimary(config: Config): Promise<void> {
  const { logger } = await import('./logger');
  const { startEmbeddedDatabase } = await import('./db/connection');
  if (config.auth.tokenSecretIsEphemeral) {
    logger.warn('ASAR_TOKEN_SECRET is not set: using a random secret, sessions end when the process stops');
  }
  let database: { uri: string; close(): Promise<void> } | null = null;
  if (!config.mongodbUri) {
    try {
      database = await startEmbeddedDatabase(config);
    } catch (error) {
      if (isDataDirLocked(error)) {
        console.error(dataDirInUseMessage(error as Error, config.dataDir, 'npm start'));
        process.exit(1);
      }
      throw error;
    }
    logger.info({ uri: database.uri }, 'Embedded database serving the API workers');
  }
  // One secret for all workers (a token issued by one is checked by another), and the primary's database.
  const env = {
    ASAR_TOKEN_SECRET: config.auth.tokenSecret,
    ...(database ? { ASAR_EMBEDDED_DB_URI: database.uri } : {}),
  };

  let stopping = false;
  let ready = 0;
  const closeDatabase = async () => {
    await database?.close();
  };
  const fail = async (message: string, code: number | null) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    await closeDatabase();
    logger.error({ code }, message);
    logger.flush();
    process.exit(1);
  };
  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.once('listening', () => {
      ready += 1;
      if (ready === config.workers)
        logger.info({ workers: config.workers, port: config.port }, `Asar serving on ${config.workers} processes`);
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // A worker that never served failed to start (its port taken, say: it printed why); one that served is replaced.
    if (ready < config.workers) {
      void fail('An API process failed to start', code);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'An API process exited: starting another');
    ready -= 1;
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: stopping the API processes, then the database');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exited = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    for (const worker of workers) worker.process.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, SHUTDOWN_GRACE_MS + 5_000);
    force.unref();
    await Promise.all(exited);
    await exitAfter(logger, closeDatabase);
  };
  onStopSignals(stop);
}

/**
 * Calls `stop` on SIGTERM and SIGINT, and keeps listening while it runs: Ctrl-C in a terminal sends SIGINT to the
 * whole process group and npm passes it on once more, and a second signal with no listener left would kill the
 * process mid-stop with Node's default action (the embedded database not closed, its lock file left behind).
 * `stop` ignores the repeats.
 */
function onStopSignals(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Runs the last steps of a stop, then exits: 0 when they succeeded. */
async function exitAfter(logger: typeof import('./logger').logger, steps: () => Promise<void>): Promise<never> {
  try {
    await steps();
    logger.info('Stopped');
    logger.flush();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'Error while shutting down');
    logger.flush();
    process.exit(1);
  }
}

/** One API process: the whole of Asar when config.workers is 1, else a worker of the primary above. */
async function runApi(config: Config): Promise<void> {
  const { logger } = await import('./logger');
  const { connectDatabase } = await import('./db/connection');
  const { buildApp } = await import('./app');

  if (cluster.isWorker) {
    // The primary is gone (killed): nothing would stop this worker or serve its database.
    process.once('disconnect', () => process.exit(1));
  } else if (config.auth.tokenSecretIsEphemeral) {
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

  // A worker's log lines say which API process wrote them.
  const app = buildApp(cluster.isWorker ? { logger: logger.child({ worker: cluster.worker?.id }) } : {});
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
    await exitAfter(logger, async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler().stop();
      await database.close();
    });
  };
  onStopSignals(stop);
}

main().catch((error: unknown) => {
  console.error('Asar failed to start:', error);
  process.exit(1);
});
