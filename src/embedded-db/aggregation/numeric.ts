/**
 * Numeric arithmetic for aggregation, keeping BSON number types the way mongod does.
 *
 * mongod computes over the "widest" input type (int < long < double < decimal): int results that overflow
 * become long, long results that overflow become double, and anything touching a Decimal128 is computed in
 * decimal. Decimal128 has no arithmetic in `bson`, so decimals are computed exactly here as BigInt
 * coefficient + exponent and rounded to 34 digits by `Decimal128.fromStringWithRounding`.
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { MongoCommandError } from '../errors';
import { toNumber } from '../query/values';

export type NumKind = 'int' | 'long' | 'double' | 'decimal';

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const KIND_RANK: Record<NumKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

function bsontype(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}

/**
 * The BSON numeric kind of a value, or undefined when it is not a number. A plain JS number is typed the way
 * `bson` would serialise it (an integer in int32 range is an int, anything else a double), so callers that
 * build pipelines in code get the same results as the wire would.
 */
export function numKind(v: unknown): NumKind | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
  switch (bsontype(v)) {
    case 'Int32':
      return 'int';
    case 'Long':
      return 'long';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    default:
      return undefined;
  }
}

export function isNumeric(v: unknown): boolean {
  return numKind(v) !== undefined;
}

export function widerKind(a: NumKind, b: NumKind): NumKind {
  return KIND_RANK[a] >= KIND_RANK[b] ? a : b;
}

/** JS number value of any numeric (lossy for big longs and decimals, as mongod's double conversion). */
export const toDouble: (v: unknown) => number = toNumber;

/** Exact integer value of an int or long (callers check the kind first). */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (bsontype(v) === 'Long') return (v as Long).toBigInt();
  return BigInt((v as Int32).value);
}

export function makeInt(n: number): Int32 {
  return new Int32(n);
}

export function makeDouble(n: number): Double {
  return new Double(n);
}

export function makeLong(n: bigint | number): Long {
  return Long.fromBigInt(BigInt(n));
}

/** An exact integer result: int32 when the inputs were int and it fits, else long, else double (overflow). */
export function integerResult(n: bigint, kind: 'int' | 'long'): Int32 | Long | Double {
  if (kind === 'int' && n >= INT32_MIN && n <= INT32_MAX) return new Int32(Number(n));
  if (n >= INT64_MIN && n <= INT64_MAX) return Long.fromBigInt(n);
  return new Double(Number(n));
}

// ---------------------------------------------------------------------------------------------------------
// Exact decimals
// ---------------------------------------------------------------------------------------------------------

/** A finite decimal is coeff × 10^exp; NaN and infinities are carried as `special`. */
export interface Dec {
  neg: boolean;
  coeff: bigint;
  exp: number;
  special?: 'nan' | 'inf';
}

const DEC_PATTERN = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function parseDec(text: string): Dec {
  if (text === 'NaN') return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
  if (text === 'Infinity' || text === '-Infinity') {
    return { neg: text.startsWith('-'), coeff: 0n, exp: 0, special: 'inf' };
  }
  const m = DEC_PATTERN.exec(text);
  if (!m) throw new MongoCommandError(2, `Cannot parse '${text}' as a decimal`);
  const frac = m[3] ?? '';
  return { neg: m[1] === '-', coeff: BigInt(m[2] + frac), exp: Number(m[4] ?? 0) - frac.length };
}

/**
 * Converts any numeric to an exact decimal. Doubles go through 15 significant digits, as mongod's
 * Decimal128(double) does, so 0.1 becomes 0.100000000000000 rather than 0.1000000000000000055511151231257827.
 */
export function toDec(v: unknown): Dec {
  const kind = numKind(v);
  if (kind === 'decimal') return parseDec((v as Decimal128).toString());
  if (kind === 'int' || kind === 'long') {
    const n = toBigInt(v);
    return { neg: n < 0n, coeff: n < 0n ? -n : n, exp: 0 };
  }
  const d = toDouble(v);
  if (Number.isNaN(d)) return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
  if (!Number.isFinite(d)) return { neg: d < 0, coeff: 0n, exp: 0, special: 'inf' };
  if (d === 0) return { neg: Object.is(d, -0), coeff: 0n, exp: 0 };
  return parseDec(d.toPrecision(15).replace('+', ''));
}

export function fromDec(d: Dec): Decimal128 {
  if (d.special === 'nan') return Decimal128.fromString('NaN');
  if (d.special === 'inf') return Decimal128.fromString(d.neg ? '-Infinity' : 'Infinity');
  try {
    return Decimal128.fromStringWithRounding(`${d.neg ? '-' : ''}${d.coeff}E${d.exp}`);
  } catch {
    // Exponent out of range: overflow goes to infinity, underflow to zero, as IEEE 754 decimal does.
    return Decimal128.fromString(d.exp > 0 ? (d.neg ? '-Infinity' : 'Infinity') : d.neg ? '-0' : '0');
  }
}

function signed(d: Dec): bigint {
  return d.neg ? -d.coeff : d.coeff;
}

function fromSigned(n: bigint, exp: number): Dec {
  return { neg: n < 0n, coeff: n < 0n ? -n : n, exp };
}

function specialResult(a: Dec, b: Dec, op: 'add' | 'mul'): Dec | undefined {
  if (!a.special && !b.special) return undefined;
  if (a.special === 'nan' || b.special === 'nan') return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
  if (op === 'add') {
    if (a.special && b.special && a.neg !== b.neg) return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
    return a.special ? a : b;
  }
  const zero = (a.special ? b : a).coeff === 0n && !(a.special && b.special);
  if (zero) return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
  return { neg: a.neg !== b.neg, coeff: 0n, exp: 0, special: 'inf' };
}

export function decAdd(a: Dec, b: Dec): Dec {
  const special = specialResult(a, b, 'add');
  if (special) return special;
  const exp = Math.min(a.exp, b.exp);
  const sum = signed(a) * 10n ** BigInt(a.exp - exp) + signed(b) * 10n ** BigInt(b.exp - exp);
  return fromSigned(sum, exp);
}

export function decNegate(a: Dec): Dec {
  return { ...a, neg: !a.neg };
}

export function decMul(a: Dec, b: Dec): Dec {
  const special = specialResult(a, b, 'mul');
  if (special) return special;
  return { neg: a.neg !== b.neg, coeff: a.coeff * b.coeff, exp: a.exp + b.exp };
}

function digits(n: bigint): number {
  return n === 0n ? 1 : n.toString().length;
}

/** Division to more than 34 significant digits plus a sticky digit, so the final rounding is correct. */
export function decDiv(a: Dec, b: Dec): Dec {
  if (a.special === 'nan' || b.special === 'nan') return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
  if (a.special === 'inf') {
    if (b.special === 'inf') return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
    return { neg: a.neg !== b.neg, coeff: 0n, exp: 0, special: 'inf' };
  }
  if (b.special === 'inf') return { neg: a.neg !== b.neg, coeff: 0n, exp: 0 };
  const k = Math.max(0, 38 + digits(b.coeff) - digits(a.coeff));
  const scaled = a.coeff * 10n ** BigInt(k);
  let q = scaled / b.coeff;
  let exp = a.exp - b.exp - k;
  if (scaled % b.coeff !== 0n) {
    q = q * 10n + 1n;
    exp -= 1;
  } else {
    // Exact quotient: drop the padding zeros so 6/2 reads 3, not 3.000…
    while (q % 10n === 0n && exp < a.exp - b.exp) {
      q /= 10n;
      exp += 1;
    }
  }
  return { neg: a.neg !== b.neg, coeff: q, exp };
}

/** Remainder with the sign of the dividend (C fmod semantics, as mongod's $mod). */
export function decMod(a: Dec, b: Dec): Dec {
  if (a.special || b.special) return { neg: false, coeff: 0n, exp: 0, special: 'nan' };
  const exp = Math.min(a.exp, b.exp);
  const ca = a.coeff * 10n ** BigInt(a.exp - exp);
  const cb = b.coeff * 10n ** BigInt(b.exp - exp);
  return { neg: a.neg, coeff: ca % cb, exp };
}

export function decIsZero(a: Dec): boolean {
  return !a.special && a.coeff === 0n;
}

export type RoundMode = 'halfEven' | 'trunc' | 'floor' | 'ceil';

/** Rounds a decimal to `place` digits after the point (negative places round to tens, hundreds, ...). */
export function decRound(a: Dec, place: number, mode: RoundMode): Dec {
  if (a.special || a.exp >= -place) return a;
  const drop = 10n ** BigInt(-place - a.exp);
  let q = a.coeff / drop;
  const r = a.coeff % drop;
  if (r !== 0n) {
    if (mode === 'halfEven') {
      const twice = r * 2n;
      if (twice > drop || (twice === drop && q % 2n === 1n)) q += 1n;
    } else if ((mode === 'floor' && a.neg) || (mode === 'ceil' && !a.neg)) {
      q += 1n;
    }
  }
  return { neg: a.neg, coeff: q, exp: -place };
}

// ---------------------------------------------------------------------------------------------------------
// Sums (shared by $add, $sum and $avg)
// ---------------------------------------------------------------------------------------------------------

/**
 * Accumulates numbers the way mongod's $sum/$add do: integers exactly, doubles as doubles, decimals exactly,
 * and reports the result in the widest kind seen (int overflow → long, long overflow → double).
 */
export class NumericSum {
  private kind: NumKind = 'int';
  private intTotal = 0n;
  private doubleTotal = 0;
  private decTotal: Dec = { neg: false, coeff: 0n, exp: 0 };
  private decimalSeen = false;
  private doubleSeen = false;
  count = 0;

  add(v: unknown): void {
    const kind = numKind(v);
    if (!kind) return;
    this.count += 1;
    this.kind = widerKind(this.kind, kind);
    if (kind === 'decimal') {
      this.decimalSeen = true;
      this.decTotal = decAdd(this.decTotal, toDec(v));
    } else if (kind === 'double') {
      this.doubleSeen = true;
      this.doubleTotal += toDouble(v);
    } else {
      this.intTotal += toBigInt(v);
    }
  }

  /** The sum as a BSON value; Int32(0) when nothing was added. */
  result(): unknown {
    if (this.decimalSeen) {
      let total = decAdd(this.decTotal, toDecInt(this.intTotal));
      if (this.doubleSeen) total = decAdd(total, toDec(new Double(this.doubleTotal)));
      return fromDec(total);
    }
    if (this.kind === 'double') return new Double(this.doubleTotal + Number(this.intTotal));
    return integerResult(this.intTotal, this.kind === 'int' ? 'int' : 'long');
  }

  /** The mean: a Double, or a Decimal128 when a decimal was summed; null when no number was seen. */
  average(): unknown {
    if (this.count === 0) return null;
    if (this.decimalSeen) return fromDec(decDiv(toDec(this.result()), toDecInt(BigInt(this.count))));
    return new Double((this.doubleTotal + Number(this.intTotal)) / this.count);
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function toDecInt(n: bigint): Dec {
  return { neg: n < 0n, coeff: abs(n), exp: 0 };
}

/** Text of a number as $toString and $concat-style coercions show it (shortest round-trip for doubles). */
export function formatNumber(v: unknown): string {
  switch (numKind(v)) {
    case 'int':
    case 'double': {
      const d = toDouble(v);
      if (Number.isNaN(d)) return 'NaN';
      if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
      return Object.is(d, -0) ? '-0' : String(d);
    }
    case 'long':
      return toBigInt(v).toString();
    case 'decimal':
      return (v as Decimal128).toString();
    default:
      return String(v);
  }
}
