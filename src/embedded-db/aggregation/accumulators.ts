/**
 * $group accumulators. Each group gets fresh accumulator instances; the stage evaluates the accumulator's
 * argument expression per document and feeds the value in (undefined = missing).
 */
import { Double } from 'bson';
import { KeyMap, mapKeyOf } from '../query/key-map';
import { compareValues, type StringCompare } from '../query/values';
import type { Doc } from '../types';
import { mergeInto } from './expr-object';
import { compareExpr, exprError, isNullish, isPlainObject } from './expr-support';
import { NumericSum, numKind, toDouble } from './numeric';

export interface Accumulator {
  add(value: unknown): void;
  /** The group's value; undefined when the accumulator has nothing to report (the field is then null). */
  result(): unknown;
}

class SumAccumulator implements Accumulator {
  private readonly sum = new NumericSum();
  add(value: unknown): void {
    this.sum.add(value); // non-numeric values are ignored, as in mongod
  }
  result(): unknown {
    return this.sum.result();
  }
}

class AvgAccumulator implements Accumulator {
  private readonly sum = new NumericSum();
  add(value: unknown): void {
    this.sum.add(value);
  }
  result(): unknown {
    return this.sum.average();
  }
}

/** $min/$max ignore null and missing values; the result is null when every value was. */
class ExtremeAccumulator implements Accumulator {
  private best: unknown = undefined;
  constructor(
    private readonly sign: 1 | -1,
    private readonly strings?: StringCompare,
  ) {}
  add(value: unknown): void {
    if (isNullish(value)) return;
    if (this.best === undefined || this.sign * compareExpr(value, this.best, this.strings) > 0) this.best = value;
  }
  result(): unknown {
    return this.best ?? null;
  }
}

/** $push keeps every non-missing value, in input order. */
class PushAccumulator implements Accumulator {
  private readonly values: unknown[] = [];
  add(value: unknown): void {
    if (value !== undefined) this.values.push(value);
  }
  result(): unknown {
    return this.values;
  }
}

/**
 * $addToSet keeps distinct values (by BSON equality, so Int32(1) and Double(1) count once; under a collation, strings
 * it holds equal count once), in the order first met.
 */
class AddToSetAccumulator implements Accumulator {
  private readonly seen: KeyMap<true>;
  private readonly values: unknown[] = [];
  constructor(private readonly strings?: StringCompare) {
    this.seen = new KeyMap<true>(strings ? (a, b) => compareValues(a[0], b[0], strings) : undefined);
  }
  add(value: unknown): void {
    if (value === undefined) return;
    const key = mapKeyOf([value], this.strings !== undefined);
    if (this.seen.get(key)) return;
    this.seen.set(key, true);
    this.values.push(value);
  }
  result(): unknown {
    return this.values;
  }
}

/** $first/$last take the value as is (a missing value becomes null in the output). */
class FirstAccumulator implements Accumulator {
  private seen = false;
  private value: unknown;
  add(value: unknown): void {
    if (this.seen) return;
    this.seen = true;
    this.value = value;
  }
  result(): unknown {
    return this.value ?? null;
  }
}

class LastAccumulator implements Accumulator {
  private value: unknown;
  add(value: unknown): void {
    this.value = value;
  }
  result(): unknown {
    return this.value ?? null;
  }
}

class CountAccumulator implements Accumulator {
  private readonly sum = new NumericSum();
  add(): void {
    this.sum.add(1);
  }
  result(): unknown {
    return this.sum.result();
  }
}

class MergeObjectsAccumulator implements Accumulator {
  private readonly merged: Doc = {};
  private position = 0;
  add(value: unknown): void {
    mergeInto(this.merged, value, this.position++);
  }
  result(): unknown {
    return this.merged;
  }
}

/** Population or sample standard deviation of the numeric values (Welford's algorithm, in doubles as mongod). */
class StdDevAccumulator implements Accumulator {
  private count = 0;
  private mean = 0;
  private m2 = 0;
  constructor(private readonly sample: boolean) {}
  add(value: unknown): void {
    if (!numKind(value)) return;
    const x = toDouble(value);
    this.count += 1;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }
  result(): unknown {
    const n = this.sample ? this.count - 1 : this.count;
    if (n <= 0) return null;
    return new Double(Math.sqrt(this.m2 / n));
  }
}

/** `strings` is the operation's collation (undefined: simple), for the accumulators that compare values. */
const FACTORIES: Record<string, (strings?: StringCompare) => Accumulator> = {
  $sum: () => new SumAccumulator(),
  $avg: () => new AvgAccumulator(),
  $min: (strings) => new ExtremeAccumulator(-1, strings),
  $max: (strings) => new ExtremeAccumulator(1, strings),
  $push: () => new PushAccumulator(),
  $addToSet: (strings) => new AddToSetAccumulator(strings),
  $first: () => new FirstAccumulator(),
  $last: () => new LastAccumulator(),
  $count: () => new CountAccumulator(),
  $mergeObjects: () => new MergeObjectsAccumulator(),
  $stdDevPop: () => new StdDevAccumulator(false),
  $stdDevSamp: () => new StdDevAccumulator(true),
};

/** Accumulators mongod has that the embedded database does not implement: named in the error, never ignored. */
const UNSUPPORTED = new Set([
  '$top',
  '$topN',
  '$bottom',
  '$bottomN',
  '$firstN',
  '$lastN',
  '$maxN',
  '$minN',
  '$median',
  '$percentile',
  '$accumulator',
]);

export interface AccumulatorSpec {
  field: string;
  operator: string;
  /** The argument expression; evaluated per document by the $group stage. */
  argument: unknown;
  /** A fresh accumulator; `strings` is the operation's collation. */
  create(strings?: StringCompare): Accumulator;
}

/** Parses one `field: { $op: expr }` entry of a $group specification. */
export function parseAccumulator(field: string, spec: unknown): AccumulatorSpec {
  if (field.includes('.')) throw exprError(40235, `The field name '${field}' cannot contain '.'`);
  if (field.startsWith('$')) throw exprError(40236, `The field name '${field}' cannot be an operator name`);
  if (!isPlainObject(spec) || Object.keys(spec).length !== 1) {
    throw exprError(40234, `The field '${field}' must be an accumulator object`);
  }
  const operator = Object.keys(spec)[0];
  const argument = spec[operator];
  if (UNSUPPORTED.has(operator)) {
    throw exprError(15952, `The embedded database does not support the group operator '${operator}'`);
  }
  const factory = FACTORIES[operator];
  if (!factory) throw exprError(15952, `unknown group operator '${operator}'`);
  if (Array.isArray(argument)) throw exprError(40237, `The ${operator} accumulator is a unary operator`);
  if (operator === '$count' && !(isPlainObject(argument) && Object.keys(argument).length === 0)) {
    throw exprError(40237, '$count takes no arguments, i.e. $count:{}');
  }
  return { field, operator, argument, create: factory };
}
