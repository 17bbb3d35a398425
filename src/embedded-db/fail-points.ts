/**
 * Fault injection for tests: the `failCommand` fail point of mongod's `configureFailPoint` test command.
 *
 * Only a server started with test commands enabled (mongod's `--setParameter enableTestCommands=1`) accepts
 * `configureFailPoint`; the application's own start never enables them. Tests that share a server scope the fail point
 * to their own client with `data.appName` (the driver's `appName` option); see FailPoints for how scopes coexist.
 *
 * Semantics follow mongod's failCommand: it applies to the commands named in `failCommands` (and, with `appName`, only
 * to connections whose handshake named that application); `mode` is `alwaysOn`, `off`, `{ times: n }` (the next n
 * matching commands) or `{ skip: n }` (every matching command after the first n). A triggered fail point first blocks
 * the connection for `blockTimeMS` (with `blockConnection`), then closes the connection without answering
 * (`closeConnection`), fails the command without running it (`errorCode`, with `errorLabels` replacing the labels the
 * server would add), or runs it and adds a `writeConcernError` to its reply.
 */
import { mongoError } from './errors';
import type { Doc } from './types';

export const FAIL_COMMAND = 'failCommand';

type Mode = { kind: 'off' } | { kind: 'alwaysOn' } | { kind: 'times'; left: number } | { kind: 'skip'; left: number };

/** What a triggered failCommand does to one command. */
export interface FailCommandAction {
  blockTimeMS?: number;
  closeConnection?: boolean;
  errorCode?: number;
  errorLabels?: string[];
  errorExtraInfo?: Doc;
  writeConcernError?: Doc;
}

interface FailCommandData extends FailCommandAction {
  failCommands: Set<string>;
  appName?: string;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { valueOf(): unknown }).valueOf() === 'number') {
    return (value as { valueOf(): number }).valueOf();
  }
  return undefined;
}

function isDoc(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseMode(mode: unknown): Mode {
  if (mode === 'off') return { kind: 'off' };
  if (mode === 'alwaysOn') return { kind: 'alwaysOn' };
  if (isDoc(mode)) {
    const times = numberOf(mode.times);
    if (times !== undefined && Object.keys(mode).length === 1) {
      if (times < 1) throw mongoError('BadValue', "'times' option to 'mode' must be positive");
      return { kind: 'times', left: Math.trunc(times) };
    }
    const skip = numberOf(mode.skip);
    if (skip !== undefined && Object.keys(mode).length === 1) {
      if (skip < 0) throw mongoError('BadValue', "'skip' option to 'mode' must be non-negative");
      return { kind: 'skip', left: Math.trunc(skip) };
    }
  }
  throw mongoError('BadValue', "'mode' must be 'off', 'alwaysOn', { times: n } or { skip: n }");
}

function parseData(data: unknown): FailCommandData {
  if (!isDoc(data)) throw mongoError('BadValue', "failCommand needs a 'data' document");
  const { failCommands, appName, errorCode, errorLabels, blockConnection, blockTimeMS, closeConnection } = data;
  if (!Array.isArray(failCommands) || failCommands.some((name) => typeof name !== 'string')) {
    throw mongoError('BadValue', "failCommand's 'data.failCommands' must be an array of command names");
  }
  const parsed: FailCommandData = { failCommands: new Set(failCommands as string[]) };
  if (appName !== undefined) {
    if (typeof appName !== 'string') throw mongoError('BadValue', "'data.appName' must be a string");
    parsed.appName = appName;
  }
  if (errorCode !== undefined) {
    const code = numberOf(errorCode);
    if (code === undefined || !Number.isInteger(code)) throw mongoError('BadValue', "'data.errorCode' must be an int");
    parsed.errorCode = code;
  }
  if (errorLabels !== undefined) {
    if (!Array.isArray(errorLabels) || errorLabels.some((label) => typeof label !== 'string')) {
      throw mongoError('BadValue', "'data.errorLabels' must be an array of strings");
    }
    parsed.errorLabels = errorLabels as string[];
  }
  if (isDoc(data.errorExtraInfo)) parsed.errorExtraInfo = data.errorExtraInfo;
  if (isDoc(data.writeConcernError)) parsed.writeConcernError = data.writeConcernError;
  if (closeConnection === true) parsed.closeConnection = true;
  if (blockConnection === true) {
    const ms = numberOf(blockTimeMS);
    if (ms === undefined || ms < 0) {
      throw mongoError('InvalidOptions', "'blockTimeMS' must be a non-negative number with 'blockConnection'");
    }
    parsed.blockTimeMS = ms;
  }
  return parsed;
}

interface Configuration {
  mode: Mode;
  data: FailCommandData;
  /** Times it fired (configureFailPoint answers it as `count` when the configuration is replaced). */
  entered: number;
}

/**
 * mongod has one failCommand configuration per server. Here each `appName` has its own (and one more for
 * configurations without appName), so that test files running in parallel on one server, each scoped to its own
 * appName, do not replace each other's fail point; `off` with `data.appName` turns off only that one, `off` without
 * data turns off all. With a single configuration in use, this is exactly mongod's behaviour.
 */
export class FailPoints {
  private readonly byAppName = new Map<string | undefined, Configuration>();

  /** configureFailPoint: returns the count of the configuration it replaces, as mongod does. */
  configure(name: unknown, mode: unknown, data: unknown): number {
    if (name !== FAIL_COMMAND) {
      throw mongoError('BadValue', `unknown fail point: ${String(name)} (the embedded database has only failCommand)`);
    }
    const nextMode = parseMode(mode);
    if (nextMode.kind === 'off') {
      const appName = isDoc(data) && typeof data.appName === 'string' ? data.appName : undefined;
      if (appName === undefined) {
        const total = [...this.byAppName.values()].reduce((sum, c) => sum + c.entered, 0);
        this.byAppName.clear();
        return total;
      }
      const previous = this.byAppName.get(appName)?.entered ?? 0;
      this.byAppName.delete(appName);
      return previous;
    }
    const nextData = parseData(data);
    const previous = this.byAppName.get(nextData.appName)?.entered ?? 0;
    this.byAppName.set(nextData.appName, { mode: nextMode, data: nextData, entered: 0 });
    return previous;
  }

  /** The action for a command about to run, or undefined; consumes one of `times` when it fires. */
  check(commandName: string, appName: string | undefined): FailCommandAction | undefined {
    if (this.byAppName.size === 0) return undefined;
    return (appName !== undefined ? this.fire(appName, commandName) : undefined) ?? this.fire(undefined, commandName);
  }

  private fire(key: string | undefined, commandName: string): FailCommandAction | undefined {
    const configuration = this.byAppName.get(key);
    if (!configuration?.data.failCommands.has(commandName)) return undefined;
    const { mode } = configuration;
    if (mode.kind === 'skip' && mode.left > 0) {
      mode.left--;
      return undefined;
    }
    if (mode.kind === 'times') {
      mode.left--;
      if (mode.left <= 0) this.byAppName.delete(key);
    }
    configuration.entered++;
    return configuration.data;
  }
}
