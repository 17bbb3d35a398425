/**
 * $type and the conversion operators ($convert and its $toX shorthands), following mongod's conversion table:
 * a conversion it does not define, or a value that does not fit the target type, is a ConversionFailure (241)
 * unless the $convert has `onError`.
 */
import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { DateParseError, parseDateString } from './expr-date';
import { exactArgs, exprError, isNullish, namedArgs, typeName } from './expr-support';
import { type ExprContext, evaluate, type OperatorFn } from './expressions';
import { decRound, formatNumber, fromDec, numKind, toBigInt, toDec, toDouble } from './numeric';

class ConversionError extends Error {}

const TYPE_CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  16: 'int',
  18: 'long',
  19: 'decimal',
};
const TARGETS = new Set(Object.values(TYPE_CODES));

function targetType(v: unknown): string {
  if (typeof v === 'string' && TARGETS.has(v)) return v;
  const kind = numKind(v);
  if (kind && kind !== 'decimal' && TYPE_CODES[toDouble(v)]) return TYPE_CODES[toDouble(v)];
  if (
    typeof v === 'string' &&
    ['minKey', 'maxKey', 'null', 'object', 'array', 'binData', 'regex', 'timestamp'].includes(v)
  ) {
    throw exprError(2, `The embedded database does not support $convert to '${v}'`);
  }
  throw exprError(2, `Unknown type name: ${String(v)}`);
}

function unsupported(v: unknown, to: string): never {
  throw new ConversionError(`Unsupported conversion from ${typeName(v)} to ${to} in $convert with no onError value`);
}

function overflow(v: unknown): never {
  throw new ConversionError(
    `Conversion would overflow target type in $convert with no onError value: ${formatNumber(v)}`,
  );
}

function parseFailure(text: string, to: string): never {
  throw new ConversionError(
    `Failed to parse number '${text}' in $convert with no onError value: Failed to parse string to ${to}`,
  );
}

const INT_STRING = /^[+-]?\d+$/;
const FLOAT_STRING = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Truncates any numeric toward zero and checks it fits [min, max]. */
function integralValue(v: unknown, min: bigint, max: bigint): bigint {
  const kind = numKind(v);
  let n: bigint;
  if (kind === 'int' || kind === 'long') {
    n = toBigInt(v);
  } else if (kind === 'double') {
    const d = toDouble(v);
    if (!Number.isFinite(d)) overflow(v);
    n = BigInt(Math.trunc(d));
  } else {
    const dec = decRound(toDec(v), 0, 'trunc');
    if (dec.special) overflow(v);
    n = (dec.neg ? -dec.coeff : dec.coeff) * 10n ** BigInt(Math.max(0, dec.exp));
  }
  if (n < min || n > max) overflow(v);
  return n;
}

function toIntValue(v: unknown, to: 'int' | 'long'): Int32 | Long {
  const [min, max] = to === 'int' ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  let n: bigint;
  if (typeof v === 'boolean') n = v ? 1n : 0n;
  else if (numKind(v)) n = integralValue(v, min, max);
  else if (typeof v === 'string') {
    if (!INT_STRING.test(v)) parseFailure(v, to);
    n = BigInt(v);
    if (n < min || n > max) parseFailure(v, to);
  } else if (v instanceof Date && to === 'long') n = BigInt(v.getTime());
  else unsupported(v, to);
  return to === 'int' ? new Int32(Number(n)) : Long.fromBigInt(n);
}

function toDoubleValue(v: unknown): Double {
  if (typeof v === 'boolean') return new Double(v ? 1 : 0);
  if (numKind(v) === 'decimal') {
    const d = toDouble(v);
    if (!Number.isFinite(d) && !/inf|nan/i.test(String(v))) overflow(v);
    return new Double(d);
  }
  if (numKind(v)) return new Double(toDouble(v));
  if (typeof v === 'string') {
    if (FLOAT_STRING.test(v)) return new Double(Number(v));
    const special = /^([+-]?)(inf|infinity)$/i.exec(v);
    if (special) return new Double(special[1] === '-' ? -Infinity : Infinity);
    if (/^[+-]?nan$/i.test(v)) return new Double(Number.NaN);
    parseFailure(v, 'double');
  }
  if (v instanceof Date) return new Double(v.getTime());
  unsupported(v, 'double');
}

function toDecimalValue(v: unknown): Decimal128 {
  if (typeof v === 'boolean') return Decimal128.fromString(v ? '1' : '0');
  if (numKind(v)) return fromDec(toDec(v));
  if (typeof v === 'string') {
    try {
      return Decimal128.fromString(v);
    } catch {
      parseFailure(v, 'decimal');
    }
  }
  if (v instanceof Date) return Decimal128.fromString(String(v.getTime()));
  unsupported(v, 'decimal');
}

export function toStringValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (numKind(v)) return formatNumber(v);
  if (v instanceof Date) return v.toISOString();
  if (typeName(v) === 'objectId') return (v as ObjectId).toHexString();
  unsupported(v, 'string');
}

function toObjectIdValue(v: unknown): ObjectId {
  if (typeName(v) === 'objectId') return v as ObjectId;
  if (typeof v === 'string') {
    if (!/^[0-9a-fA-F]{24}$/.test(v)) {
      throw new ConversionError(
        `Failed to parse objectId '${v}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${v.length}`,
      );
    }
    return new ObjectId(v);
  }
  unsupported(v, 'objectId');
}

function toDateValue(v: unknown): Date {
  if (v instanceof Date) return v;
  const kind = numKind(v);
  // mongod reads long, double and decimal as ms since the epoch, but not int.
  if (kind && kind !== 'int') return new Date(Number(integralValue(v, -(2n ** 63n), 2n ** 63n - 1n)));
  if (typeof v === 'string') {
    try {
      return parseDateString(v, undefined, undefined);
    } catch (err) {
      if (err instanceof DateParseError) throw new ConversionError(err.message);
      throw err;
    }
  }
  const t = typeName(v);
  if (t === 'objectId') return (v as ObjectId).getTimestamp();
  if (t === 'timestamp') return new Date((v as { t: number }).t * 1000);
  unsupported(v, 'date');
}

function toBoolValue(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (numKind(v)) return !(toDouble(v) === 0 && !/nan/i.test(String(v)));
  // Every other defined conversion (string, objectId, date, object, array, ...) is true, even "" and "false".
  return true;
}

export function convertValue(v: unknown, to: string): unknown {
  switch (to) {
    case 'double':
      return toDoubleValue(v);
    case 'string':
      return toStringValue(v);
    case 'objectId':
      return toObjectIdValue(v);
    case 'bool':
      return toBoolValue(v);
    case 'date':
      return toDateValue(v);
    case 'int':
      return toIntValue(v, 'int');
    case 'long':
      return toIntValue(v, 'long');
    case 'decimal':
      return toDecimalValue(v);
    default:
      throw exprError(2, `Unknown type name: ${to}`);
  }
}

function convert(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$convert', args, ['input', 'to', 'onError', 'onNull'], ['input', 'to']);
  const input = evaluate(spec.input, ctx);
  const to = evaluate(spec.to, ctx);
  if (isNullish(to)) return null;
  const target = targetType(to);
  if (isNullish(input)) return spec.onNull === undefined ? null : evaluate(spec.onNull, ctx);
  try {
    return convertValue(input, target);
  } catch (err) {
    if (!(err instanceof ConversionError)) throw err;
    if (spec.onError !== undefined) return evaluate(spec.onError, ctx);
    throw exprError(241, err.message);
  }
}

/** $toInt, $toString, ...: $convert without onError/onNull (null in, null out). */
function shorthand(op: string, to: string): OperatorFn {
  return (args, ctx) => {
    const v = evaluate(exactArgs(op, args, 1)[0], ctx);
    if (isNullish(v)) return null;
    try {
      return convertValue(v, to);
    } catch (err) {
      if (err instanceof ConversionError) throw exprError(241, err.message);
      throw err;
    }
  };
}

export const typeOperators: Record<string, OperatorFn> = {
  $type: (args, ctx) => typeName(evaluate(exactArgs('$type', args, 1)[0], ctx)),
  $isNumber: (args, ctx) => numKind(evaluate(exactArgs('$isNumber', args, 1)[0], ctx)) !== undefined,
  $convert: convert,
  $toString: shorthand('$toString', 'string'),
  $toInt: shorthand('$toInt', 'int'),
  $toLong: shorthand('$toLong', 'long'),
  $toDouble: shorthand('$toDouble', 'double'),
  $toDecimal: shorthand('$toDecimal', 'decimal'),
  $toObjectId: shorthand('$toObjectId', 'objectId'),
  $toDate: shorthand('$toDate', 'date'),
  $toBool: shorthand('$toBool', 'bool'),
};
