/**
 * Read and write concerns, checked as mongod checks them on a one-member replica set.
 *
 * Write concern: `w` of 0, 1 or 'majority' is met by the single member; a larger number cannot be (100
 * UnsatisfiableWriteConcern) and any other string names a tag set this replica set does not define (79
 * UnknownReplWriteConcern). mongod applies the write and reports the unmet concern as `writeConcernError` on an
 * `ok: 1` reply, so the application learns that it lacks the durability it asked for; so does this server.
 *
 * Read concern: only mongod's levels are accepted; inside a transaction only the first statement may carry one and
 * no statement may carry a write concern; outside a transaction writes and the list commands take no read concern
 * at `snapshot` level. Its times are Timestamps that are not null and not ahead of this member's cluster time;
 * `atClusterTime` goes only with `snapshot` and never with `afterClusterTime`; the server's own diagnostic commands
 * take no read concern at all (all 72 InvalidOptions, as mongod's readConcern parsing answers).
 */
import { Timestamp } from 'bson';
import { mongoError } from '../errors';
import type { Doc } from '../types';
import { isPlainObject, numberValue } from './args';

const READ_CONCERN_LEVELS = new Set(['local', 'majority', 'linearizable', 'available', 'snapshot']);

/** Commands that read at a snapshot outside a transaction (MongoDB 5.0+). */
const SNAPSHOT_READS = new Set(['find', 'aggregate', 'distinct', 'getMore']);

/** Commands that take no read concern (mongod: "Command ping does not support { readConcern: ... }"). */
const NO_READ_CONCERN = new Set([
  'ping',
  'hello',
  'isMaster',
  'ismaster',
  'buildInfo',
  'buildinfo',
  'serverStatus',
  'hostInfo',
  'getParameter',
  'setParameter',
  'connectionStatus',
  'whatsmyuri',
]);

/** The writeConcernError a one-member set answers for this command's writeConcern, if it cannot be met. */
export function unmetWriteConcern(body: Doc): Doc | undefined {
  const concern = body.writeConcern;
  if (!isPlainObject(concern) || concern.w === undefined) return undefined;
  const w = concern.w;
  if (typeof w === 'string') {
    if (w === 'majority') return undefined;
    return {
      code: 79,
      codeName: 'UnknownReplWriteConcern',
      errmsg: `No write concern mode named '${w}' found in replica set configuration`,
    };
  }
  const members = numberValue(w);
  if (members !== undefined && members > 1) {
    return { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes' };
  }
  return undefined;
}

/** The read concern level a command asks for (undefined: none), after checking it as mongod does. */
export function checkConcerns(
  name: string,
  body: Doc,
  transaction: { inTransaction: boolean; first: boolean },
  clusterTime: () => Timestamp,
): string | undefined {
  const readConcern = body.readConcern;
  let level: string | undefined;
  if (readConcern !== undefined) {
    if (!isPlainObject(readConcern)) {
      throw mongoError('TypeMismatch', "BSON field 'readConcern' is the wrong type, expected type 'object'");
    }
    if (NO_READ_CONCERN.has(name) && Object.keys(readConcern).length > 0) {
      throw mongoError('InvalidOptions', `Command ${name} does not support a read concern`);
    }
    if (readConcern.level !== undefined) {
      if (typeof readConcern.level !== 'string' || !READ_CONCERN_LEVELS.has(readConcern.level)) {
        throw mongoError(
          'BadValue',
          `Enumeration value '${String(readConcern.level)}' for field 'readConcern.level' is not a valid value.`,
        );
      }
      level = readConcern.level;
    }
    checkReadTimes(readConcern, level, clusterTime);
  }
  if (transaction.inTransaction) {
    if (readConcern !== undefined && !transaction.first) {
      throw mongoError('InvalidOptions', 'Only the first command in a transaction may specify a readConcern');
    }
    if (body.writeConcern !== undefined) {
      throw mongoError('InvalidOptions', 'Cannot set write concern after starting a transaction.');
    }
    return level;
  }
  if (level === 'snapshot' && !SNAPSHOT_READS.has(name)) {
    throw mongoError(
      'InvalidOptions',
      `Command ${name} does not support { readConcern: { level: "snapshot" } } outside of a transaction`,
    );
  }
  return level;
}

/** `afterClusterTime` and `atClusterTime`, checked as mongod's read concern parsing checks them. */
function checkReadTimes(readConcern: Doc, level: string | undefined, clusterTime: () => Timestamp): void {
  const { afterClusterTime, atClusterTime } = readConcern;
  if (atClusterTime !== undefined) {
    if (afterClusterTime !== undefined) {
      throw mongoError(
        'InvalidOptions',
        'Specifying a timestamp for readConcern snapshot with afterClusterTime is not allowed',
      );
    }
    if (level !== 'snapshot') {
      throw mongoError('InvalidOptions', 'readConcern atClusterTime is only valid with readConcern level snapshot');
    }
  }
  for (const [field, time] of [
    ['afterClusterTime', afterClusterTime],
    ['atClusterTime', atClusterTime],
  ] as const) {
    if (time === undefined) continue;
    if (!(time instanceof Timestamp)) {
      throw mongoError(
        'TypeMismatch',
        `BSON field 'readConcern.${field}' is the wrong type, expected type 'timestamp'`,
      );
    }
    if (time.high === 0) throw mongoError('InvalidOptions', `readConcern ${field} cannot be a null timestamp`);
    const now = clusterTime();
    if (time.greaterThan(now)) {
      throw mongoError(
        'InvalidOptions',
        `readConcern ${field} value must not be greater than the current clusterTime. Requested clusterTime: ${time.toString()}; current clusterTime: ${now.toString()}`,
      );
    }
  }
}
