/**
 * Administrative commands about the server itself: ping, buildInfo, serverStatus, getParameter/setParameter,
 * connectionStatus, whatsmyuri, and refusals for what the embedded database does not do (authentication, logs).
 */
import os from 'node:os';
import { Long } from 'bson';
import { MongoCommandError, mongoError } from '../errors';
import type { Doc } from '../types';
import { numberValue } from './args';
import type { CommandContext } from './context';
import { MAX_BSON_OBJECT_SIZE, uptimeSeconds } from './hello';

export const SERVER_VERSION = '7.0.0';

export function ping(): Doc {
  return { ok: 1 };
}

export function buildInfo(): Doc {
  return {
    version: SERVER_VERSION,
    gitVersion: 'asar-embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['asar'],
    javascriptEngine: 'none',
    modules: [],
    ok: 1,
  };
}

export function serverStatus(ctx: CommandContext): Doc {
  const { server } = ctx;
  const memory = process.memoryUsage();
  return {
    host: server.address,
    version: SERVER_VERSION,
    process: 'asar-embedded-db',
    pid: Long.fromNumber(process.pid),
    uptime: uptimeSeconds(ctx),
    uptimeMillis: Long.fromNumber(Date.now() - server.startedAt.getTime()),
    localTime: new Date(),
    connections: {
      current: server.connections.current,
      available: 1000,
      totalCreated: server.connections.totalCreated,
    },
    opcounters: { ...server.opcounters },
    mem: { bits: 64, resident: Math.round(memory.rss / 1048576), virtual: Math.round(memory.heapTotal / 1048576) },
    metrics: { cursor: { open: { total: server.cursors.size } } },
    transactions: { currentActive: server.sessions.activeTransactions },
    logicalSessionRecordCache: { activeSessionsCount: server.sessions.size },
    storageEngine: { name: 'asar', location: server.store.location, supportsCommittedReads: true },
    repl: { setName: server.replSetName, isWritablePrimary: true, hosts: [server.address], primary: server.address },
    ok: 1,
  };
}

/** Parameters that exist only so that tools asking for them get mongod's usual answer. */
function readOnlyParameters(): Doc {
  return { featureCompatibilityVersion: { version: '7.0' } };
}

const COMMAND_FIELDS = new Set([
  'getParameter',
  'setParameter',
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'comment',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

export function getParameter(ctx: CommandContext): Doc {
  const all: Doc = { ...ctx.server.parameters, ...readOnlyParameters() };
  const selector = ctx.body.getParameter;
  const wantsAll = selector === '*' || (selector && typeof selector === 'object' && (selector as Doc).allParameters);
  if (wantsAll) return { ...all, ok: 1 };
  const reply: Doc = {};
  for (const name of Object.keys(ctx.body)) {
    if (COMMAND_FIELDS.has(name)) continue;
    if (!(name in all)) throw mongoError('InvalidOptions', `no option found to get: ${name}`);
    reply[name] = all[name];
  }
  if (Object.keys(reply).length === 0) throw mongoError('InvalidOptions', 'no option found to get');
  return { ...reply, ok: 1 };
}

export function setParameter(ctx: CommandContext): Doc {
  const reply: Doc = {};
  const parameters = ctx.server.parameters;
  for (const [name, value] of Object.entries(ctx.body)) {
    if (COMMAND_FIELDS.has(name)) continue;
    if (name === 'transactionLifetimeLimitSeconds') {
      const seconds = numberValue(value);
      if (seconds === undefined || seconds < 1) {
        throw mongoError('BadValue', 'transactionLifetimeLimitSeconds must be a number greater than or equal to 1');
      }
      reply.was = parameters.transactionLifetimeLimitSeconds;
      parameters.transactionLifetimeLimitSeconds = Math.trunc(seconds);
      continue;
    }
    throw mongoError(
      'InvalidOptions',
      `attempted to set unrecognized parameter [${name}], use help:true to see options`,
    );
  }
  return { ...reply, ok: 1 };
}

export function connectionStatus(): Doc {
  return { authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 };
}

export function whatsmyuri(ctx: CommandContext): Doc {
  return { you: ctx.connection.remote, ok: 1 };
}

/** Authentication is not implemented: say so instead of pretending to succeed. */
export function refuseAuthentication(ctx: CommandContext): Doc {
  throw new MongoCommandError(
    18,
    `authentication is not supported by the embedded database ('${ctx.name}'); connect without credentials`,
  );
}

export function refuseGetLog(): Doc {
  throw mongoError('CommandNotSupported', 'getLog is not supported by the embedded database; see its own log output');
}

export function hostInfo(): Doc {
  return {
    system: { currentTime: new Date(), hostname: os.hostname(), numCores: os.cpus().length },
    os: { type: process.platform },
    ok: 1,
  };
}
