/**
 * Runs the embedded database alone, so mongosh, Compass or any driver can connect:
 *   npm run db -- --port 27017 --dbpath ./data --bind_ip 127.0.0.1 [--replSet asar] [--setParameter enableTestCommands=1]
 * Flags follow mongod's names. Without --dbpath the data lives in memory and is lost on exit. enableTestCommands
 * turns on test-only commands (configureFailPoint for fault injection): never for a server holding real data.
 */
import { startEmbeddedServer } from '../src/embedded-db';

interface Flags {
  port: number;
  dbPath?: string;
  host: string;
  replSetName: string;
  enableTestCommands: boolean;
}

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run db -- [--port 27017] [--dbpath ./data] [--bind_ip 127.0.0.1] [--replSet asar]` +
      ' [--setParameter enableTestCommands=1]\n',
  );
  process.exit(2);
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { port: 27017, host: '127.0.0.1', replSetName: 'asar', enableTestCommands: false };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split('=', 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) usage(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be an integer between 0 and 65535');
        flags.port = port;
        break;
      }
      case '--dbpath':
        flags.dbPath = value();
        break;
      case '--bind_ip':
        flags.host = value().split(',')[0].trim();
        break;
      case '--bind_ip_all':
        flags.host = '0.0.0.0';
        break;
      case '--replSet':
        flags.replSetName = value();
        break;
      case '--setParameter': {
        // mongod's form: --setParameter name=value (the value itself holds the '=').
        const setting = inline !== undefined ? argv[i].slice(name.length + 1) : value();
        const match = /^enableTestCommands=(0|1|true|false)$/.exec(setting);
        if (!match) usage(`unsupported --setParameter ${setting} (only enableTestCommands=0|1)`);
        flags.enableTestCommands = match[1] === '1' || match[1] === 'true';
        break;
      }
      case '--help':
      case '-h':
        usage('Runs the Asar embedded MongoDB-compatible database.');
        break;
      default:
        usage(`unknown option ${argv[i]}`);
    }
  }
  return flags;
}

function log(msg: string, extra?: object): void {
  process.stdout.write(`${new Date().toISOString()} ${msg}${extra ? ` ${JSON.stringify(extra)}` : ''}\n`);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (!flags.dbPath) log('no --dbpath given: data is kept in memory and lost when the process stops');
  const server = await startEmbeddedServer({
    port: flags.port,
    host: flags.host,
    dbPath: flags.dbPath,
    replSetName: flags.replSetName,
    enableTestCommands: flags.enableTestCommands,
    log,
  });
  if (flags.enableTestCommands) log('test commands enabled (configureFailPoint): for testing only');
  log(`listening on ${server.host}:${server.port}; connect with ${server.uri}`);
  if (flags.dbPath) log(`data directory: ${server.store.location}`);
  if (flags.host === '0.0.0.0' || flags.host === '::') {
    log(
      'bound to all interfaces: the replica set advertises loopback, so remote clients should add directConnection=true',
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, stopping`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log('error while stopping', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded database failed to start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
