/**
 * Reading command arguments. With promoteValues off, a number arrives as Int32, Double, Long or Decimal128, so every
 * numeric argument goes through here; a wrong type answers TypeMismatch naming the field, as mongod's IDL parser does.
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { MongoCommandError, mongoError } from '../errors';
import { type Collation, parseCollation } from '../query/collation';
import type { Doc } from '../types';
import type { CommandContext } from './context';

export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return undefined;
}

export function isNumeric(value: unknown): boolean {
  return numberValue(value) !== undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Int32) return 'int';
  if (value instanceof Double) return 'double';
  if (value instanceof Long) return 'long';
  if (value instanceof Decimal128) return 'decimal';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function wrongType(ctx: CommandContext, field: string, value: unknown, expected: string): Error {
  return mongoError(
    'TypeMismatch',
    `BSON field '${ctx.name}.${field}' is the wrong type '${typeName(value)}', expected type '${expected}'`,
  );
}

export function optionalInt(ctx: CommandContext, field: string, source: Doc = ctx.body): number | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  const n = numberValue(value);
  if (n === undefined) throw wrongType(ctx, field, value, 'number');
  return Math.trunc(n);
}

export function optionalBool(ctx: CommandContext, field: string, source: Doc = ctx.body): boolean | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const n = numberValue(value);
  if (n === undefined) throw wrongType(ctx, field, value, 'bool');
  return n !== 0;
}

export function optionalDoc(ctx: CommandContext, field: string, source: Doc = ctx.body): Doc | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || !isPlainObject(value)) {
    throw wrongType(ctx, field, value, 'object');
  }
  return value as Doc;
}

export function optionalArray(ctx: CommandContext, field: string, source: Doc = ctx.body): unknown[] | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(ctx, field, value, 'array');
  return value;
}

export function requiredArray(ctx: CommandContext, field: string, source: Doc = ctx.body): unknown[] {
  const value = optionalArray(ctx, field, source);
  if (value === undefined)
    throw mongoError('FailedToParse', `BSON field '${ctx.name}.${field}' is missing but a required field`);
  return value;
}

export function isPlainObject(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The collection a command names in its first field (`{ find: 'items' }`). */
export function collectionArg(ctx: CommandContext): string {
  const value = ctx.body[ctx.name];
  if (typeof value !== 'string') {
    throw mongoError('InvalidNamespace', `collection name has invalid type ${typeName(value)}`);
  }
  if (value === '' || value.includes('\0') || value.startsWith('.') || value.includes('$')) {
    throw mongoError('InvalidNamespace', `Invalid namespace specified '${ctx.db}.${value}'`);
  }
  return value;
}

/** Fields every command may carry (mongod's generic arguments), besides its own. */
const GENERIC_ARGUMENTS = [
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'stmtId',
  'readConcern',
  'writeConcern',
  'maxTimeMS',
  'comment',
  '$clusterTime',
  '$readPreference',
  '$audit',
  '$client',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'clientOperationKey',
  'txnRetryCounter',
];

/** The fields a command (or one statement of it) accepts, as a set for commandFields(). */
export function fieldSet(fields: string[], options: { generic: boolean }): ReadonlySet<string> {
  return new Set(options.generic ? [...fields, ...GENERIC_ARGUMENTS] : fields);
}

/**
 * A field mongod's parser does not know fails the whole command (40415), before anything runs: an option that is
 * silently ignored would give an answer the client did not ask for.
 */
export function rejectUnknownFields(source: Doc, allowed: ReadonlySet<string>, path: string): void {
  for (const field of Object.keys(source)) {
    if (!allowed.has(field)) throw new MongoCommandError(40415, `BSON field '${path}.${field}' is an unknown field.`);
  }
}

/**
 * The collation an operation runs with: its own `collation` field, else the collection's default (from `create`);
 * undefined is the simple collation.
 */
export function collationArg(ctx: CommandContext, coll: string, source: Doc = ctx.body): Collation | undefined {
  if (source.collation !== undefined) return parseCollation(source.collation);
  return ctx.server.store.collectionCollation(ctx.db, coll);
}

/** Options the embedded database cannot honour are refused rather than ignored: a silently wrong result is worse. */
export function refuseOptions(ctx: CommandContext, fields: string[], source: Doc = ctx.body): void {
  for (const field of fields) {
    const value = source[field];
    if (value === undefined || value === null) continue;
    throw mongoError('CommandNotSupported', `the embedded database does not support '${field}' in ${ctx.name}`);
  }
}
