/**
 * Arithmetic operators. Results keep BSON number types as mongod does: int op int stays int unless it overflows
 * (then long, then double), any double gives a double, any decimal a decimal; $divide always gives a double
 * (or a decimal). Dates take part in $add and $subtract as milliseconds.
 */
import { Double, Int32 } from 'bson';
import { multiplyNumbers } from '../query/values';
import { argList, exactArgs, exprError, integralArg, isNullish, rangeArgs, typeName } from './expr-support';
import { type ExprContext, evaluate, type OperatorFn } from './expressions';
import {
  decAdd,
  decDiv,
  decIsZero,
  decMod,
  decNegate,
  decRound,
  fromDec,
  integerResult,
  NumericSum,
  type NumKind,
  numKind,
  type RoundMode,
  toBigInt,
  toDec,
  toDouble,
  widerKind,
} from './numeric';

const INT32_MIN = -2147483648;
const LONG_MIN = -(2n ** 63n);

function evalArgs(args: unknown, ctx: ExprContext): unknown[] {
  return argList(args).map((e) => evaluate(e, ctx));
}

function add(args: unknown, ctx: ExprContext): unknown {
  const values = evalArgs(args, ctx);
  const sum = new NumericSum();
  let date: Date | undefined;
  for (const v of values) {
    if (isNullish(v)) return null;
    if (v instanceof Date) {
      if (date) throw exprError(16612, 'only one date allowed in an $add expression');
      date = v;
    } else if (numKind(v)) {
      sum.add(v);
    } else {
      throw exprError(16554, `$add only supports numeric or date types, not ${typeName(v)}`);
    }
  }
  if (date) return new Date(date.getTime() + Math.round(toDouble(sum.result())));
  return sum.result();
}

/** a - b in the wider kind of the two. */
export function subtractNumbers(a: unknown, b: unknown): unknown {
  const kind = widerKind(numKind(a) as NumKind, numKind(b) as NumKind);
  if (kind === 'decimal') return fromDec(decAdd(toDec(a), decNegate(toDec(b))));
  if (kind === 'double') return new Double(toDouble(a) - toDouble(b));
  return integerResult(toBigInt(a) - toBigInt(b), kind);
}

function subtract(args: unknown, ctx: ExprContext): unknown {
  const [a, b] = exactArgs('$subtract', args, 2).map((e) => evaluate(e, ctx));
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof Date) {
    // date - date is a duration in milliseconds (a long); date - number is a date.
    if (b instanceof Date) return integerResult(BigInt(a.getTime() - b.getTime()), 'long');
    if (numKind(b)) return new Date(a.getTime() - Math.round(toDouble(b)));
  } else if (numKind(a) && numKind(b)) {
    return subtractNumbers(a, b);
  }
  if (b instanceof Date) throw exprError(16556, `can't $subtract a date from a ${typeName(a)}`);
  throw exprError(16556, `can't $subtract ${typeName(b)} from ${typeName(a)}`);
}

function multiply(args: unknown, ctx: ExprContext): unknown {
  let product: unknown = new Int32(1);
  for (const v of evalArgs(args, ctx)) {
    if (isNullish(v)) return null;
    if (!numKind(v)) throw exprError(16555, `$multiply only supports numeric types, not ${typeName(v)}`);
    product = multiplyNumbers(product, v);
  }
  return product;
}

function divide(args: unknown, ctx: ExprContext): unknown {
  const [a, b] = exactArgs('$divide', args, 2).map((e) => evaluate(e, ctx));
  if (isNullish(a) || isNullish(b)) return null;
  if (!numKind(a) || !numKind(b)) {
    throw exprError(16609, `$divide only supports numeric types, not ${typeName(a)} and ${typeName(b)}`);
  }
  if (numKind(a) === 'decimal' || numKind(b) === 'decimal') {
    const divisor = toDec(b);
    if (decIsZero(divisor)) throw exprError(2, "can't $divide by zero");
    return fromDec(decDiv(toDec(a), divisor));
  }
  if (toDouble(b) === 0) throw exprError(2, "can't $divide by zero");
  return new Double(toDouble(a) / toDouble(b));
}

function mod(args: unknown, ctx: ExprContext): unknown {
  const [a, b] = exactArgs('$mod', args, 2).map((e) => evaluate(e, ctx));
  if (isNullish(a) || isNullish(b)) return null;
  const ka = numKind(a);
  const kb = numKind(b);
  if (!ka || !kb) throw exprError(16611, `$mod only supports numeric types, not ${typeName(a)} and ${typeName(b)}`);
  const kind = widerKind(ka, kb);
  if (kind === 'decimal') {
    const divisor = toDec(b);
    if (decIsZero(divisor)) throw exprError(16610, "can't $mod by zero");
    return fromDec(decMod(toDec(a), divisor));
  }
  if (toDouble(b) === 0) throw exprError(16610, "can't $mod by zero");
  if (kind === 'double') return new Double(toDouble(a) % toDouble(b));
  // BigInt's % keeps the dividend's sign, like C's fmod that mongod uses.
  return integerResult(toBigInt(a) % toBigInt(b), kind);
}

function unaryNumeric(op: string, fn: (v: unknown, kind: NumKind) => unknown): OperatorFn {
  return (args, ctx) => {
    const v = evaluate(exactArgs(op, args, 1)[0], ctx);
    if (isNullish(v)) return null;
    const kind = numKind(v);
    if (!kind) throw exprError(28765, `${op} only supports numeric types, not ${typeName(v)}`);
    return fn(v, kind);
  };
}

function abs(v: unknown, kind: NumKind): unknown {
  if (kind === 'decimal') {
    const d = toDec(v);
    return fromDec({ ...d, neg: false });
  }
  if (kind === 'double') return new Double(Math.abs(toDouble(v)));
  const n = toBigInt(v);
  if (kind === 'long' && n === LONG_MIN) throw exprError(28680, "can't take $abs of long long min");
  // |int32 min| does not fit an int32: mongod answers a long.
  if (kind === 'int' && Number(n) === INT32_MIN) return integerResult(-n, 'long');
  return integerResult(n < 0n ? -n : n, kind);
}

function roundTo(v: unknown, kind: NumKind, place: number, mode: RoundMode): unknown {
  if (kind === 'decimal') return fromDec(decRound(toDec(v), place, mode));
  if (kind === 'double') {
    const d = toDouble(v);
    if (!Number.isFinite(d)) return new Double(d);
    if (mode === 'floor')
      return new Double(place === 0 ? Math.floor(d) : toDouble(fromDec(decRound(toDec(v), place, mode))));
    if (mode === 'ceil')
      return new Double(place === 0 ? Math.ceil(d) : toDouble(fromDec(decRound(toDec(v), place, mode))));
    // Rounded in decimal (15 significant digits, as mongod converts doubles) so 2.675 rounds like it reads.
    return new Double(toDouble(fromDec(decRound(toDec(v), place, mode))));
  }
  if (place >= 0) return v;
  const rounded = decRound(toDec(v), place, mode);
  const n = (rounded.neg ? -rounded.coeff : rounded.coeff) * 10n ** BigInt(rounded.exp);
  return integerResult(n, kind);
}

function roundOrTrunc(op: '$round' | '$trunc'): OperatorFn {
  return (args, ctx) => {
    const list = rangeArgs(op, args, 1, 2);
    const v = evaluate(list[0], ctx);
    const placeValue = list.length > 1 ? evaluate(list[1], ctx) : 0;
    if (isNullish(v) || isNullish(placeValue)) return null;
    const kind = numKind(v);
    if (!kind) throw exprError(51081, `${op} only supports numeric types, not ${typeName(v)}`);
    const place = integralArg(op, placeValue, 'precision');
    if (place < -20 || place > 100) {
      throw exprError(51083, `Cannot apply ${op} with precision value ${place} value must be in [-20, 100]`);
    }
    return roundTo(v, kind, place, op === '$round' ? 'halfEven' : 'trunc');
  };
}

/** Transcendental functions are computed in doubles; decimals would silently lose precision, so they are refused. */
function doubleMath(op: string, fn: (x: number) => number, domain?: (x: number) => boolean): OperatorFn {
  return unaryNumeric(op, (v, kind) => {
    if (kind === 'decimal') throw exprError(2, `The embedded database does not support ${op} on Decimal128 values`);
    const x = toDouble(v);
    if (domain && !Number.isNaN(x) && !domain(x))
      throw exprError(28714, `${op}'s argument must be in its domain, but is ${x}`);
    return new Double(fn(x));
  });
}

function pow(args: unknown, ctx: ExprContext): unknown {
  const [base, exponent] = exactArgs('$pow', args, 2).map((e) => evaluate(e, ctx));
  if (isNullish(base) || isNullish(exponent)) return null;
  const kb = numKind(base);
  const ke = numKind(exponent);
  if (!kb || !ke)
    throw exprError(28762, `$pow's base and exponent must be numbers, not ${typeName(base)} and ${typeName(exponent)}`);
  if (kb === 'decimal' || ke === 'decimal')
    throw exprError(2, 'The embedded database does not support $pow on Decimal128 values');
  if (toDouble(base) === 0 && toDouble(exponent) < 0)
    throw exprError(28764, '$pow cannot take a base of 0 and a negative exponent');
  const kind = widerKind(kb, ke);
  if ((kind === 'int' || kind === 'long') && toBigInt(exponent) >= 0n) {
    // Integer powers stay exact integers (int, else long, else double on overflow). Past 2^64 the result
    // cannot fit a long anyway, so only the trivial bases are computed exactly.
    const e = toBigInt(exponent);
    const b = toBigInt(base);
    if (e <= 64n) return integerResult(b ** e, kind);
    if (b >= -1n && b <= 1n) return integerResult(b === -1n && e % 2n === 0n ? 1n : b, kind);
  }
  return new Double(toDouble(base) ** toDouble(exponent));
}

export const arithmeticOperators: Record<string, OperatorFn> = {
  $add: add,
  $subtract: subtract,
  $multiply: multiply,
  $divide: divide,
  $mod: mod,
  $abs: unaryNumeric('$abs', abs),
  $ceil: unaryNumeric('$ceil', (v, kind) => roundTo(v, kind, 0, 'ceil')),
  $floor: unaryNumeric('$floor', (v, kind) => roundTo(v, kind, 0, 'floor')),
  $round: roundOrTrunc('$round'),
  $trunc: roundOrTrunc('$trunc'),
  $sqrt: doubleMath('$sqrt', Math.sqrt, (x) => x >= 0),
  $exp: doubleMath('$exp', Math.exp),
  $ln: doubleMath('$ln', Math.log, (x) => x > 0),
  $log10: doubleMath('$log10', Math.log10, (x) => x > 0),
  $pow: pow,
};
