/**
 * hello / isMaster: the handshake. The server presents itself as the primary of a single-node replica set so that
 * drivers behave as in production (sessions, retryable writes, transactions). `topologyVersion` is never sent: it
 * would switch the driver's monitor to streaming hello, which this server does not implement.
 */
import type { Doc } from '../types';
import { MAX_MESSAGE_SIZE_BYTES } from '../wire/framing';
import type { CommandContext } from './context';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_WRITE_BATCH_SIZE = 100_000;
/** MongoDB 7.0: accepted by driver 6 (8-27) and driver 7 (9-29). */
export const MAX_WIRE_VERSION = 21;

export function hello(ctx: CommandContext): Doc {
  const { server } = ctx;
  const application = (ctx.body.client as Doc | undefined)?.application as Doc | undefined;
  if (typeof application?.name === 'string') ctx.connection.appName = application.name;
  const legacy = ctx.name !== 'hello';
  const reply: Doc = {};
  // Legacy isMaster answers `ismaster`; hello answers `isWritablePrimary` (as mongod does).
  if (legacy) reply.ismaster = true;
  else reply.isWritablePrimary = true;
  Object.assign(reply, {
    hosts: [server.address],
    setName: server.replSetName,
    setVersion: 1,
    secondary: false,
    primary: server.address,
    me: server.address,
    electionId: server.electionId,
    lastWrite: { lastWriteDate: new Date(), majorityWriteDate: new Date() },
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connection.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
  if (ctx.body.helloOk === true) reply.helloOk = true;
  // saslSupportedMechs is left out on purpose: authentication is not supported.
  return reply;
}

/** Used by serverStatus's uptime fields. */
export function uptimeSeconds(ctx: CommandContext): number {
  return Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000);
}
