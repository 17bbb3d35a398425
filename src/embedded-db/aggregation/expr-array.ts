/**
 * Array operators, the set operators, and $sum/$avg/$min/$max used as expressions (over one array argument or
 * over several arguments).
 */
import { Int32 } from 'bson';
import { ValueSet } from '../query/key-map';
import {
  argList,
  compareExpr,
  exactArgs,
  exprError,
  integralArg,
  isNullish,
  namedArgs,
  rangeArgs,
  truthy,
  typeName,
} from './expr-support';
import { checkVariableName, type ExprContext, evaluate, type OperatorFn, withVariables } from './expressions';
import { NumericSum } from './numeric';

function evalOne(op: string, args: unknown, ctx: ExprContext): unknown {
  return evaluate(exactArgs(op, args, 1)[0], ctx);
}

function size(args: unknown, ctx: ExprContext): unknown {
  const v = evalOne('$size', args, ctx);
  if (!Array.isArray(v))
    throw exprError(17124, `The argument to $size must be an array. Type of argument: ${typeName(v)}`);
  return new Int32(v.length);
}

function arrayElemAt(args: unknown, ctx: ExprContext): unknown {
  const [array, index] = exactArgs('$arrayElemAt', args, 2).map((e) => evaluate(e, ctx));
  if (isNullish(array) || isNullish(index)) return null;
  if (!Array.isArray(array)) {
    throw exprError(28689, `$arrayElemAt's first argument must be an array, but is ${typeName(array)}`);
  }
  const i = integralArg('$arrayElemAt', index, 'second argument');
  const at = i < 0 ? array.length + i : i;
  return at >= 0 && at < array.length ? array[at] : undefined;
}

function firstOrLast(op: '$first' | '$last'): OperatorFn {
  return (args, ctx) => {
    const v = evalOne(op, args, ctx);
    if (isNullish(v)) return null;
    if (!Array.isArray(v)) throw exprError(28689, `${op}'s argument must be an array, but is ${typeName(v)}`);
    return op === '$first' ? v[0] : v[v.length - 1];
  };
}

function inOp(args: unknown, ctx: ExprContext): unknown {
  const [value, array] = exactArgs('$in', args, 2).map((e) => evaluate(e, ctx));
  if (!Array.isArray(array)) {
    throw exprError(40081, `$in requires an array as a second argument, found: ${typeName(array)}`);
  }
  return array.some((element) => compareExpr(element, value, ctx.collation) === 0);
}

function concatArrays(args: unknown, ctx: ExprContext): unknown {
  const out: unknown[] = [];
  for (const v of argList(args).map((e) => evaluate(e, ctx))) {
    if (isNullish(v)) return null;
    if (!Array.isArray(v)) throw exprError(28664, `$concatArrays only supports arrays, not ${typeName(v)}`);
    out.push(...v);
  }
  return out;
}

/** The input array of $filter/$map/$reduce: null for null or missing, an error for a non-array. */
function inputArray(op: string, code: number, value: unknown): unknown[] | null {
  if (isNullish(value)) return null;
  if (!Array.isArray(value)) throw exprError(code, `input to ${op} must be an array not ${typeName(value)}`);
  return value;
}

function variableName(op: string, spec: Record<string, unknown>, fallback: string): string {
  const name = spec.as ?? fallback;
  if (typeof name !== 'string') throw exprError(2, `${op} 'as' must be a string`);
  checkVariableName(name);
  return name;
}

function filter(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$filter', args, ['input', 'as', 'cond', 'limit'], ['input', 'cond']);
  const input = inputArray('$filter', 28651, evaluate(spec.input, ctx));
  if (input === null) return null;
  const name = variableName('$filter', spec, 'this');
  let limit = Number.POSITIVE_INFINITY;
  if (spec.limit !== undefined) {
    const l = evaluate(spec.limit, ctx);
    if (!isNullish(l)) {
      limit = integralArg('$filter', l, 'limit');
      if (limit <= 0) throw exprError(327391, `$filter: limit must be greater than 0: ${limit}`);
    }
  }
  const out: unknown[] = [];
  for (const element of input) {
    if (out.length >= limit) break;
    if (truthy(evaluate(spec.cond, withVariables(ctx, { [name]: element })))) out.push(element);
  }
  return out;
}

function map(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$map', args, ['input', 'as', 'in'], ['input', 'in']);
  const input = inputArray('$map', 16883, evaluate(spec.input, ctx));
  if (input === null) return null;
  const name = variableName('$map', spec, 'this');
  return input.map((element) => {
    const v = evaluate(spec.in, withVariables(ctx, { [name]: element }));
    return v === undefined ? null : v;
  });
}

function reduce(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$reduce', args, ['input', 'initialValue', 'in'], ['input', 'initialValue', 'in']);
  const input = inputArray('$reduce', 40080, evaluate(spec.input, ctx));
  if (input === null) return null;
  let value = evaluate(spec.initialValue, ctx);
  for (const element of input) {
    value = evaluate(spec.in, withVariables(ctx, { value, this: element }));
  }
  return value;
}

function slice(args: unknown, ctx: ExprContext): unknown {
  const list = rangeArgs('$slice', args, 2, 3).map((e) => evaluate(e, ctx));
  if (list.some(isNullish)) return null;
  const array = list[0];
  if (!Array.isArray(array))
    throw exprError(28724, `First argument to $slice must be an array, but is of type: ${typeName(array)}`);
  if (list.length === 2) {
    const n = integralArg('$slice', list[1], 'second argument');
    return n >= 0 ? array.slice(0, n) : array.slice(Math.max(0, array.length + n));
  }
  const position = integralArg('$slice', list[1], 'second argument');
  const n = integralArg('$slice', list[2], 'third argument');
  if (n <= 0) throw exprError(28729, `Third argument to $slice must be positive: ${n}`);
  const start = position >= 0 ? Math.min(position, array.length) : Math.max(0, array.length + position);
  return array.slice(start, start + n);
}

function indexOfArray(args: unknown, ctx: ExprContext): unknown {
  const list = rangeArgs('$indexOfArray', args, 2, 4).map((e) => evaluate(e, ctx));
  const [array, search] = list;
  if (isNullish(array)) return null;
  if (!Array.isArray(array)) {
    throw exprError(40090, `$indexOfArray requires an array as a first argument, found: ${typeName(array)}`);
  }
  const start = list.length > 2 ? integralArg('$indexOfArray', list[2], 'starting index') : 0;
  const end = list.length > 3 ? integralArg('$indexOfArray', list[3], 'ending index') : array.length;
  if (start < 0 || end < 0) throw exprError(40097, '$indexOfArray requires a nonnegative index');
  for (let i = start; i < Math.min(end, array.length); i++) {
    if (compareExpr(array[i], search, ctx.collation) === 0) return new Int32(i);
  }
  return new Int32(-1);
}

function range(args: unknown, ctx: ExprContext): unknown {
  const list = rangeArgs('$range', args, 2, 3).map((e) => evaluate(e, ctx));
  const start = integralArg('$range', list[0], 'starting value');
  const end = integralArg('$range', list[1], 'ending value');
  const step = list.length > 2 ? integralArg('$range', list[2], 'step value') : 1;
  if (step === 0) throw exprError(34449, '$range requires a non-zero step value');
  const out: Int32[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(new Int32(i));
  return out;
}

function reverseArray(args: unknown, ctx: ExprContext): unknown {
  const v = evalOne('$reverseArray', args, ctx);
  if (isNullish(v)) return null;
  if (!Array.isArray(v))
    throw exprError(34435, `The argument to $reverseArray must be an array, but was of type: ${typeName(v)}`);
  return [...v].reverse();
}

function isArray(args: unknown, ctx: ExprContext): unknown {
  return Array.isArray(evalOne('$isArray', args, ctx));
}

/**
 * $sum/$avg/$min/$max as expressions: with one argument that is an array they work over its elements,
 * otherwise over the argument values themselves.
 */
function operandValues(args: unknown, ctx: ExprContext): unknown[] {
  const list = argList(args);
  if (list.length === 1) {
    const v = evaluate(list[0], ctx);
    return Array.isArray(v) ? v : [v];
  }
  return list.map((e) => evaluate(e, ctx));
}

function sumOrAvg(kind: 'sum' | 'avg'): OperatorFn {
  return (args, ctx) => {
    const sum = new NumericSum();
    for (const v of operandValues(args, ctx)) sum.add(v);
    return kind === 'sum' ? sum.result() : sum.average();
  };
}

function minOrMax(sign: 1 | -1): OperatorFn {
  return (args, ctx) => {
    let best: unknown = null;
    for (const v of operandValues(args, ctx)) {
      if (isNullish(v)) continue;
      if (best === null || sign * compareExpr(v, best, ctx.collation) > 0) best = v;
    }
    return best;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Sets: arrays treated as sets; duplicates removed by value (Int32(1) and Double(1) are the same element).
// ---------------------------------------------------------------------------------------------------------

function setArgs(op: string, args: unknown, ctx: ExprContext): unknown[][] | null {
  const values = argList(args).map((e) => evaluate(e, ctx));
  if (values.some(isNullish)) return null;
  for (const v of values) {
    if (!Array.isArray(v))
      throw exprError(17044, `All operands of ${op} must be arrays. One argument is of type: ${typeName(v)}`);
  }
  return values as unknown[][];
}

/** The distinct values, in the order first met: equal by BSON value, or strings by the operation's collation. */
function distinct(values: unknown[], ctx: ExprContext): unknown[] {
  const seen = new ValueSet(ctx.collation);
  return values.filter((v) => seen.add(v));
}

function setUnion(args: unknown, ctx: ExprContext): unknown {
  const sets = setArgs('$setUnion', args, ctx);
  return sets === null ? null : distinct(sets.flat(), ctx);
}

function setIntersection(args: unknown, ctx: ExprContext): unknown {
  const sets = setArgs('$setIntersection', args, ctx);
  if (sets === null) return null;
  if (sets.length === 0) return [];
  const others = sets.slice(1).map((s) => new ValueSet(ctx.collation, s));
  return distinct(sets[0], ctx).filter((v) => others.every((set) => set.has(v)));
}

function setDifference(args: unknown, ctx: ExprContext): unknown {
  const sets = setArgs('$setDifference', exactArgs('$setDifference', args, 2), ctx);
  if (sets === null) return null;
  const remove = new ValueSet(ctx.collation, sets[1]);
  return distinct(sets[0], ctx).filter((v) => !remove.has(v));
}

function setEquals(args: unknown, ctx: ExprContext): unknown {
  const list = argList(args);
  if (list.length < 2) throw exprError(17045, `$setEquals needs at least two arguments had: ${list.length}`);
  const sets = setArgs('$setEquals', list, ctx);
  if (sets === null) throw exprError(17044, 'All operands of $setEquals must be arrays. One argument is of type: null');
  const first = distinct(sets[0], ctx);
  const firstSet = new ValueSet(ctx.collation, first);
  return sets.slice(1).every((s) => {
    const elements = distinct(s, ctx);
    return elements.length === first.length && elements.every((v) => firstSet.has(v));
  });
}

function setIsSubset(args: unknown, ctx: ExprContext): unknown {
  const [a, b] = exactArgs('$setIsSubset', args, 2).map((e) => evaluate(e, ctx));
  if (!Array.isArray(a) || !Array.isArray(b)) {
    throw exprError(17046, `both operands of $setIsSubset must be arrays. Types: ${typeName(a)}, ${typeName(b)}`);
  }
  const superset = new ValueSet(ctx.collation, b);
  return a.every((v) => superset.has(v));
}

function elementsTrue(op: string, every: boolean): OperatorFn {
  return (args, ctx) => {
    const v = evalOne(op, args, ctx);
    if (!Array.isArray(v)) throw exprError(17041, `${op}'s argument must be an array, but is ${typeName(v)}`);
    return every ? v.every(truthy) : v.some(truthy);
  };
}

function zip(args: unknown, ctx: ExprContext): unknown {
  const spec = namedArgs('$zip', args, ['inputs', 'useLongestLength', 'defaults'], ['inputs']);
  const inputs = evaluate(spec.inputs, ctx);
  if (!Array.isArray(inputs)) throw exprError(34461, 'inputs must be an array of expressions');
  if (inputs.some(isNullish)) return null;
  for (const input of inputs) {
    if (!Array.isArray(input)) throw exprError(34468, `$zip found a non-array expression in input: ${typeName(input)}`);
  }
  const arrays = inputs as unknown[][];
  const longest = spec.useLongestLength === true;
  const defaults = spec.defaults === undefined ? [] : (evaluate(spec.defaults, ctx) as unknown[]);
  const length = arrays.length === 0 ? 0 : Math[longest ? 'max' : 'min'](...arrays.map((a) => a.length));
  const out: unknown[][] = [];
  for (let i = 0; i < length; i++) {
    out.push(arrays.map((a, j) => (i < a.length ? a[i] : (defaults[j] ?? null))));
  }
  return out;
}

export const arrayOperators: Record<string, OperatorFn> = {
  $size: size,
  $arrayElemAt: arrayElemAt,
  $first: firstOrLast('$first'),
  $last: firstOrLast('$last'),
  $in: inOp,
  $concatArrays: concatArrays,
  $filter: filter,
  $map: map,
  $reduce: reduce,
  $slice: slice,
  $isArray: isArray,
  $indexOfArray: indexOfArray,
  $range: range,
  $reverseArray: reverseArray,
  $zip: zip,
  $sum: sumOrAvg('sum'),
  $avg: sumOrAvg('avg'),
  $min: minOrMax(-1),
  $max: minOrMax(1),
  $setUnion: setUnion,
  $setIntersection: setIntersection,
  $setDifference: setDifference,
  $setEquals: setEquals,
  $setIsSubset: setIsSubset,
  $anyElementTrue: elementsTrue('$anyElementTrue', false),
  $allElementsTrue: elementsTrue('$allElementsTrue', true),
};
