/**
 * BSON values as the embedded database sees them: their $type names, the one total order used by sorting,
 * range queries and indexes, equality and hashing keys, and numeric arithmetic with MongoDB's type promotion.
 *
 * Values are what `bson` deserialises with `promoteValues: false` (see ../types.ts). Plain JS numbers can also
 * appear (values built in code); they are treated the way `bson` would serialise them: an integer in int32 range
 * is an int, anything else a double.
 *
 * Numbers of different types compare exactly (a Long above 2^53 against a double, a Decimal128 against a double),
 * because MongoDB does: converting everything to a JS number would make distinct values equal.
 */
import { Decimal128, Double, Int32, Long } from 'bson';

export type BsonTypeName =
  | 'minKey'
  | 'null'
  | 'undefined'
  | 'double'
  | 'int'
  | 'long'
  | 'decimal'
  | 'string'
  | 'object'
  | 'array'
  | 'binData'
  | 'objectId'
  | 'bool'
  | 'date'
  | 'timestamp'
  | 'regex'
  | 'maxKey'
  | 'javascript'
  | 'symbol'
  | 'dbPointer';

/** The `_bsontype` tag every `bson` class instance carries. Read by name so that two copies of `bson` still work. */
function bsonTag(v: object): string | undefined {
  const tag = (v as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** A plain document (not an array, Date or bson class instance). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && bsonTag(v) === undefined;
}

export function bsonType(v: unknown): BsonTypeName {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0) ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'javascript';
    case 'object':
      break;
    default:
      return 'undefined';
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  const tag = bsonTag(v);
  switch (tag) {
    case undefined:
      return v instanceof RegExp ? 'regex' : 'object';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'ObjectId':
    case 'ObjectID':
      return 'objectId';
    case 'Binary':
      return 'binData';
    case 'BSONRegExp':
      return 'regex';
    case 'Timestamp':
      return 'timestamp';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'Code':
      return 'javascript';
    case 'BSONSymbol':
    case 'Symbol':
      return 'symbol';
    case 'DBPointer':
      return 'dbPointer';
    case 'DBRef':
      // A DBRef is an ordinary subdocument ({$ref, $id, $db}) on the wire.
      return 'object';
    default:
      return 'object';
  }
}

/** MongoDB's numeric BSON type codes, as `$type` accepts them. */
export const BSON_TYPE_CODES: Readonly<Record<BsonTypeName, number>> = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
};

export function isNumber(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  const tag = bsonTag(v);
  return tag === 'Int32' || tag === 'Double' || tag === 'Long' || tag === 'Decimal128';
}

/**
 * Canonical type ranks (MongoDB's canonicalizeBSONType). Values of different ranks compare by rank only.
 * Null and undefined share a rank on purpose: a missing field sorts and compares as null, and callers
 * represent "missing" with `undefined`.
 */
const RANK = {
  minKey: -1,
  null: 5,
  number: 10,
  string: 15,
  object: 20,
  array: 25,
  binData: 30,
  objectId: 35,
  bool: 40,
  date: 45,
  timestamp: 47,
  regex: 50,
  dbPointer: 55,
  javascript: 60,
  javascriptWithScope: 65,
  maxKey: 127,
} as const;

/** Ranks of bson class instances by their `_bsontype` tag. */
const RANK_BY_TAG: Readonly<Record<string, number>> = {
  Int32: RANK.number,
  Double: RANK.number,
  Long: RANK.number,
  Decimal128: RANK.number,
  BSONSymbol: RANK.string,
  Symbol: RANK.string,
  Binary: RANK.binData,
  ObjectId: RANK.objectId,
  ObjectID: RANK.objectId,
  Timestamp: RANK.timestamp,
  BSONRegExp: RANK.regex,
  MinKey: RANK.minKey,
  MaxKey: RANK.maxKey,
  DBPointer: RANK.dbPointer,
  DBRef: RANK.object,
};

export function typeRank(v: unknown): number {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return RANK.number;
    case 'string':
      return RANK.string;
    case 'boolean':
      return RANK.bool;
    case 'undefined':
      return RANK.null;
    default:
      break;
  }
  if (v === null) return RANK.null;
  if (Array.isArray(v)) return RANK.array;
  if (v instanceof Date) return RANK.date;
  const tag = bsonTag(v as object);
  if (tag === undefined) return v instanceof RegExp ? RANK.regex : RANK.object;
  if (tag === 'Code') return (v as { scope?: unknown }).scope ? RANK.javascriptWithScope : RANK.javascript;
  return RANK_BY_TAG[tag] ?? RANK.object;
}

/** The rank numbers are exported for fast type bracketing in the matcher. */
export const NUMBER_RANK = RANK.number;

/** A value exactly held by a JS number (number, Int32, Double), else undefined. */
export function simpleNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null || typeof v !== 'object') return undefined;
  const tag = (v as { _bsontype?: unknown })._bsontype;
  return tag === 'Int32' || tag === 'Double' ? (v as { value: number }).value : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------------

/** A number as an exact decimal: coef * 10^exp, or NaN / ±Infinity. */
type ExactNumber = { kind: 'nan' } | { kind: 'inf'; negative: boolean } | { kind: 'finite'; coef: bigint; exp: number };

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseDecimalString(s: string): ExactNumber {
  if (/^[+-]?nan$/i.test(s)) return { kind: 'nan' };
  if (/^[+-]?inf(inity)?$/i.test(s)) return { kind: 'inf', negative: s.startsWith('-') };
  const m = DECIMAL_RE.exec(s);
  if (!m) throw new Error(`Not a decimal number: ${s}`);
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  let coef = BigInt(`${intPart}${fracPart}` || '0');
  if (m[1] === '-') coef = -coef;
  return { kind: 'finite', coef, exp: Number(m[4] ?? 0) - fracPart.length };
}

/** The exact decimal value of a double (every finite double is m * 2^e, which is a finite decimal). */
function exactFromDouble(d: number): ExactNumber {
  if (Number.isNaN(d)) return { kind: 'nan' };
  if (!Number.isFinite(d)) return { kind: 'inf', negative: d < 0 };
  if (Number.isInteger(d)) return { kind: 'finite', coef: BigInt(d), exp: 0 };
  // Scale by 2 until integral: d = n / 2^k = n * 5^k / 10^k.
  let k = 0;
  let scaled = d;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    k++;
  }
  return { kind: 'finite', coef: BigInt(scaled) * 5n ** BigInt(k), exp: -k };
}

function exactOf(v: unknown): ExactNumber {
  if (typeof v === 'number') return exactFromDouble(v);
  if (typeof v === 'bigint') return { kind: 'finite', coef: v, exp: 0 };
  const tag = bsonTag(v as object);
  switch (tag) {
    case 'Int32':
    case 'Double':
      return exactFromDouble((v as Int32 | Double).value);
    case 'Long':
      return { kind: 'finite', coef: (v as Long).toBigInt(), exp: 0 };
    case 'Decimal128':
      return parseDecimalString((v as Decimal128).toString());
    default:
      throw new Error(`Not a number: ${String(v)}`);
  }
}

function compareExact(a: ExactNumber, b: ExactNumber): number {
  // NaN sorts below every other number and equals itself (MongoDB's order).
  if (a.kind === 'nan') return b.kind === 'nan' ? 0 : -1;
  if (b.kind === 'nan') return 1;
  if (a.kind === 'inf') {
    if (b.kind === 'inf') return a.negative === b.negative ? 0 : a.negative ? -1 : 1;
    return a.negative ? -1 : 1;
  }
  if (b.kind === 'inf') return b.negative ? 1 : -1;
  const sa = a.coef === 0n ? 0 : a.coef < 0n ? -1 : 1;
  const sb = b.coef === 0n ? 0 : b.coef < 0n ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const e = Math.min(a.exp, b.exp);
  const ca = a.coef * 10n ** BigInt(a.exp - e);
  const cb = b.coef * 10n ** BigInt(b.exp - e);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Fast numeric classification: 'f' for values exactly held by a JS number, 'l' for Long, 'd' for Decimal128. */
function numClass(v: unknown): 'f' | 'l' | 'd' | 'b' {
  if (typeof v === 'number') return 'f';
  if (typeof v === 'bigint') return 'b';
  const tag = bsonTag(v as object);
  if (tag === 'Long') return 'l';
  if (tag === 'Decimal128') return 'd';
  return 'f';
}

function floatOf(v: unknown): number {
  return typeof v === 'number' ? v : (v as Int32 | Double).value;
}

function compareFloats(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // At least one NaN.
  const nx = Number.isNaN(x);
  const ny = Number.isNaN(y);
  return nx && ny ? 0 : nx ? -1 : 1;
}

/** An exact integer against a double, without rounding the integer to a double. */
function compareBigIntToFloat(i: bigint, d: number): number {
  if (Number.isNaN(d)) return 1;
  if (d === Number.POSITIVE_INFINITY) return -1;
  if (d === Number.NEGATIVE_INFINITY) return 1;
  const floor = Math.floor(d);
  const bf = BigInt(floor);
  if (i < bf) return -1;
  if (i > bf) return 1;
  return d === floor ? 0 : -1;
}

/** Compares two numeric values of any BSON numeric type exactly. */
export function compareNumbers(a: unknown, b: unknown): number {
  const ca = numClass(a);
  const cb = numClass(b);
  if (ca === 'f' && cb === 'f') return compareFloats(floatOf(a), floatOf(b));
  if (ca === 'd' || cb === 'd') return compareExact(exactOf(a), exactOf(b));
  const ia = ca === 'l' ? (a as Long).toBigInt() : ca === 'b' ? (a as bigint) : undefined;
  const ib = cb === 'l' ? (b as Long).toBigInt() : cb === 'b' ? (b as bigint) : undefined;
  if (ia !== undefined && ib !== undefined) return ia < ib ? -1 : ia > ib ? 1 : 0;
  if (ia !== undefined) return compareBigIntToFloat(ia, floatOf(b));
  return 0 - compareBigIntToFloat(ib as bigint, floatOf(a));
}

/** True for NaN of any numeric type. */
export function isNaNValue(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  if (v === null || typeof v !== 'object') return false;
  const tag = bsonTag(v);
  if (tag === 'Double') return Number.isNaN((v as Double).value);
  if (tag === 'Decimal128') return /nan/i.test((v as Decimal128).toString());
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Total order
// ---------------------------------------------------------------------------------------------------------------

/** Code-point order, which is UTF-8 byte order (MongoDB's default string order), not UTF-16 unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) encode code points above FFFF, so they must sort after E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** Field entries of a subdocument for comparison; a DBRef compares as its wire form {$ref, $id, $db, ...}. */
function entriesOf(v: object): [string, unknown][] {
  if (bsonTag(v) === 'DBRef') {
    const ref = v as { toJSON(): Record<string, unknown> };
    return Object.entries(ref.toJSON());
  }
  return Object.entries(v);
}

function compareObjects(a: object, b: object, strings?: StringCompare): number {
  const ea = entriesOf(a);
  const eb = entriesOf(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    // MongoDB compares each element's canonical type first, then its field name, then its value.
    const ra = typeRank(ea[i][1]);
    const rb = typeRank(eb[i][1]);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const c = compareStrings(ea[i][0], eb[i][0]);
    if (c !== 0) return c;
    const cv = compareValues(ea[i][1], eb[i][1], strings);
    if (cv !== 0) return cv;
  }
  return ea.length < eb.length ? -1 : ea.length > eb.length ? 1 : 0;
}

function compareArrays(a: unknown[], b: unknown[], strings?: StringCompare): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ra = typeRank(a[i]);
    const rb = typeRank(b[i]);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const c = compareValues(a[i], b[i], strings);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** The bytes a Binary holds (its buffer may be longer than its data: `position` is the length). */
export function binaryBytes(v: unknown): Uint8Array {
  const b = v as { buffer: Uint8Array; position?: number };
  return b.position === undefined || b.position === b.buffer.length ? b.buffer : b.buffer.subarray(0, b.position);
}

interface RegexLike {
  pattern: string;
  options: string;
}

function regexParts(v: unknown): RegexLike {
  if (v instanceof RegExp) return { pattern: v.source, options: v.flags };
  return v as RegexLike;
}

/** A string order other than code points: a collation's (see collation.ts). */
export type StringCompare = (a: string, b: string) => number;

/**
 * Total BSON order; values of different canonical types order by type. `strings` is a collation's string order
 * (field names keep code-point order, as in mongod); without it strings compare by code point.
 */
export function compareValues(a: unknown, b: unknown, strings?: StringCompare): number {
  if (a === b) return 0;
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case RANK.null:
    case RANK.minKey:
    case RANK.maxKey:
      return 0;
    case RANK.number:
      return compareNumbers(a, b);
    case RANK.string:
      return strings ? strings(String(a), String(b)) : compareStrings(String(a), String(b));
    case RANK.object:
      return compareObjects(a as object, b as object, strings);
    case RANK.array:
      return compareArrays(a as unknown[], b as unknown[], strings);
    case RANK.binData: {
      const x = binaryBytes(a);
      const y = binaryBytes(b);
      // Length first, then subtype, then bytes.
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      const sx = (a as { sub_type: number }).sub_type;
      const sy = (b as { sub_type: number }).sub_type;
      if (sx !== sy) return sx < sy ? -1 : 1;
      return compareBytes(x, y);
    }
    case RANK.objectId:
      return compareBytes((a as { id: Uint8Array }).id, (b as { id: Uint8Array }).id);
    case RANK.bool:
      return a === b ? 0 : a ? 1 : -1;
    case RANK.date: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case RANK.timestamp: {
      // Timestamps are unsigned 64-bit: time then increment.
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      if (x.t !== y.t) return x.t < y.t ? -1 : 1;
      return x.i < y.i ? -1 : x.i > y.i ? 1 : 0;
    }
    case RANK.regex: {
      const x = regexParts(a);
      const y = regexParts(b);
      return compareStrings(x.pattern, y.pattern) || compareStrings(x.options, y.options);
    }
    case RANK.javascript:
    case RANK.javascriptWithScope: {
      const x = a as { code: string; scope?: object | null };
      const y = b as { code: string; scope?: object | null };
      const c = compareStrings(String(x.code), String(y.code));
      if (c !== 0 || ra === RANK.javascript) return c;
      return compareObjects(x.scope ?? {}, y.scope ?? {}, strings);
    }
    default:
      return compareStrings(String(a), String(b));
  }
}

/** compareValues(a, b) === 0, with cheap fast paths for the common cases. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean') return false;
  return compareValues(a, b) === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Hash keys
// ---------------------------------------------------------------------------------------------------------------

/** Canonical form of an exact number: integers as their digits, others as coef (no trailing zeros) 'e' exp. */
function numberKey(v: unknown): string {
  const c = numClass(v);
  if (c === 'f') {
    const d = floatOf(v);
    if (Number.isSafeInteger(d)) return `n${d === 0 ? 0 : d}`;
  } else if (c === 'l') {
    return `n${(v as Long).toBigInt()}`;
  } else if (c === 'b') {
    return `n${v as bigint}`;
  }
  const e = exactOf(v);
  if (e.kind === 'nan') return 'nNaN';
  if (e.kind === 'inf') return e.negative ? 'n-Inf' : 'nInf';
  let { coef, exp } = e;
  if (coef === 0n) return 'n0';
  while (exp < 0 && coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  if (exp >= 0) return `n${coef * 10n ** BigInt(exp)}`;
  return `n${coef}e${exp}`;
}

/** A string such that keyOf(a) === keyOf(b) exactly when valuesEqual(a, b). */
export function keyOf(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `s${JSON.stringify(v)}`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'z';
    case 'number':
    case 'bigint':
      return numberKey(v);
    default:
      break;
  }
  if (v === null) return 'z';
  if (Array.isArray(v)) return `[${v.map(keyOf).join(',')}]`;
  if (v instanceof Date) return `d${v.getTime()}`;
  switch (bsonType(v)) {
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
      return numberKey(v);
    case 'symbol':
      return `s${JSON.stringify(String(v))}`;
    case 'objectId':
      return `o${(v as { toHexString(): string }).toHexString()}`;
    case 'binData':
      return `b${(v as { sub_type: number }).sub_type}:${Buffer.from(binaryBytes(v)).toString('base64')}`;
    case 'timestamp': {
      const t = v as { t: number; i: number };
      return `t${t.t}:${t.i}`;
    }
    case 'regex': {
      const r = regexParts(v);
      return `r${JSON.stringify(r.pattern)}/${r.options}`;
    }
    case 'minKey':
      return 'm-';
    case 'maxKey':
      return 'm+';
    case 'javascript': {
      const c = v as { code: string; scope?: object | null };
      return c.scope ? `J${JSON.stringify(String(c.code))}${keyOf(c.scope)}` : `j${JSON.stringify(String(c.code))}`;
    }
    default: {
      const parts = entriesOf(v as object).map(([k, x]) => `${JSON.stringify(k)}:${keyOf(x)}`);
      return `{${parts.join(',')}}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------------------------

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** For arithmetic where MongoDB itself works in doubles; Long and Decimal128 lose precision here. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return Number.NaN;
  switch (bsonTag(v)) {
    case 'Int32':
    case 'Double':
      return (v as Int32 | Double).value;
    case 'Long':
      return (v as Long).toNumber();
    case 'Decimal128':
      return Number.parseFloat((v as Decimal128).toString().replace(/^([+-]?)Inf.*$/i, '$1Infinity'));
    default:
      return Number.NaN;
  }
}

type NumKind = 'int' | 'long' | 'double' | 'decimal';

function numKind(v: unknown): NumKind {
  const t = bsonType(v);
  if (t === 'int' || t === 'long' || t === 'double' || t === 'decimal') return t;
  throw new TypeError(`Not a number: ${String(v)}`);
}

function widest(a: NumKind, b: NumKind): NumKind {
  const order: NumKind[] = ['int', 'long', 'double', 'decimal'];
  return order[Math.max(order.indexOf(a), order.indexOf(b))];
}

function bigIntOf(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (bsonTag(v as object) === 'Long') return (v as Long).toBigInt();
  return BigInt((v as Int32).value);
}

/** An integer result in the narrowest of int/long that holds it, else a double (MongoDB's overflow rule). */
function integerResult(r: bigint, kind: 'int' | 'long'): unknown {
  if (kind === 'int' && r >= INT32_MIN && r <= INT32_MAX) return new Int32(Number(r));
  if (r >= LONG_MIN && r <= LONG_MAX) return Long.fromBigInt(r);
  return new Double(Number(r));
}

/**
 * A value converted to an exact decimal the way MongoDB converts operands to Decimal128: a double is rounded
 * to 15 significant digits (so 0.1 becomes 0.100000000000000, as mongod shows it).
 */
function decimalOperand(v: unknown): ExactNumber {
  const kind = numKind(v);
  if (kind === 'double') {
    const d = toNumber(v);
    if (!Number.isFinite(d)) return exactFromDouble(d);
    return parseDecimalString(d.toExponential(14));
  }
  return exactOf(v);
}

const DECIMAL_DIGITS = 34;

/** Rounds half-to-even to 34 significant digits and builds the Decimal128. */
function toDecimal128(e: ExactNumber): Decimal128 {
  if (e.kind === 'nan') return Decimal128.fromString('NaN');
  if (e.kind === 'inf') return Decimal128.fromString(e.negative ? '-Infinity' : 'Infinity');
  let { coef, exp } = e;
  const negative = coef < 0n;
  if (negative) coef = -coef;
  const digits = coef.toString().length;
  if (digits > DECIMAL_DIGITS) {
    const drop = digits - DECIMAL_DIGITS;
    const div = 10n ** BigInt(drop);
    let q = coef / div;
    const rem = coef % div;
    const half = div / 2n;
    if (rem > half || (rem === half && q % 2n === 1n)) q += 1n;
    coef = q;
    exp += drop;
    if (coef.toString().length > DECIMAL_DIGITS) {
      coef /= 10n;
      exp += 1;
    }
  }
  return Decimal128.fromString(`${negative ? '-' : ''}${coef}E${exp}`);
}

function addExact(a: ExactNumber, b: ExactNumber): ExactNumber {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  if (a.kind === 'inf' && b.kind === 'inf') return a.negative === b.negative ? a : { kind: 'nan' };
  if (a.kind === 'inf') return a;
  if (b.kind === 'inf') return b;
  const e = Math.min(a.exp, b.exp);
  return { kind: 'finite', coef: a.coef * 10n ** BigInt(a.exp - e) + b.coef * 10n ** BigInt(b.exp - e), exp: e };
}

function multiplyExact(a: ExactNumber, b: ExactNumber): ExactNumber {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  const sign = (x: ExactNumber): number =>
    x.kind === 'inf' ? (x.negative ? -1 : 1) : x.kind === 'finite' ? (x.coef < 0n ? -1 : x.coef > 0n ? 1 : 0) : 0;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const s = sign(a) * sign(b);
    return s === 0 ? { kind: 'nan' } : { kind: 'inf', negative: s < 0 };
  }
  return { kind: 'finite', coef: a.coef * b.coef, exp: a.exp + b.exp };
}

/** a + b with MongoDB's result type ($inc, $sum, $add). Both must be numbers. */
export function addNumbers(a: unknown, b: unknown): unknown {
  const kind = widest(numKind(a), numKind(b));
  if (kind === 'decimal') return toDecimal128(addExact(decimalOperand(a), decimalOperand(b)));
  if (kind === 'double') return new Double(toNumber(a) + toNumber(b));
  return integerResult(bigIntOf(a) + bigIntOf(b), kind);
}

/** a * b with MongoDB's result type ($mul, $multiply). Both must be numbers. */
export function multiplyNumbers(a: unknown, b: unknown): unknown {
  const kind = widest(numKind(a), numKind(b));
  if (kind === 'decimal') return toDecimal128(multiplyExact(decimalOperand(a), decimalOperand(b)));
  if (kind === 'double') return new Double(toNumber(a) * toNumber(b));
  return integerResult(bigIntOf(a) * bigIntOf(b), kind);
}

// ---------------------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------------------

/**
 * Sets a field of a document under construction. A field named `__proto__` is data like any other: a plain
 * `obj[key] = value` would set the object's prototype instead (or be ignored), so it is defined as an own property.
 * Every place that builds a document from field names it did not choose goes through here.
 */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Plain dotted read: a numeric component indexes an array; no traversal of arrays of documents. */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  let start = 0;
  while (true) {
    const dot = path.indexOf('.', start);
    const key = dot === -1 ? path.slice(start) : path.slice(start, dot);
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else if (isPlainObject(cur)) {
      cur = Object.hasOwn(cur, key) ? cur[key] : undefined;
    } else {
      return undefined;
    }
    if (dot === -1) return cur;
    start = dot + 1;
  }
}

/** Deep copy of arrays and plain objects; bson class instances are immutable and shared. Dates are copied. */
export function cloneDoc<T>(doc: T): T {
  if (doc === null || typeof doc !== 'object') return doc;
  if (Array.isArray(doc)) return doc.map(cloneDoc) as T;
  if (doc instanceof Date) return new Date(doc.getTime()) as T;
  if (!isPlainObject(doc)) return doc;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) setField(out, key, cloneDoc((doc as Record<string, unknown>)[key]));
  return out as T;
}
