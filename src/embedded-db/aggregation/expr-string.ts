/**
 * String operators. mongod counts $substr/$substrBytes/$strLenBytes/$indexOfBytes in UTF-8 bytes and the *CP
 * variants in code points; JS strings are UTF-16, so both are converted explicitly here.
 */
import { Int32 } from 'bson';
import { stripExtended } from '../query/matcher';
import { argList, exactArgs, exprError, integralArg, isNullish, namedArgs, rangeArgs, typeName } from './expr-support';
import { type ExprContext, evaluate, type OperatorFn } from './expressions';
import { formatNumber, isNumeric } from './numeric';

function evalList(args: unknown, ctx: ExprContext): unknown[] {
  return argList(args).map((e) => evaluate(e, ctx));
}

/**
 * mongod's coerceToString, used by $toLower/$toUpper/$substr: numbers and dates read as text, null/missing
 * as the empty string.
 */
function coerceToString(op: string, v: unknown): string {
  if (isNullish(v)) return '';
  if (typeof v === 'string') return v;
  if (isNumeric(v)) return formatNumber(v);
  if (v instanceof Date) return v.toISOString();
  throw exprError(16007, `can't ${op} a value of type ${typeName(v)}`);
}

function requireString(op: string, code: number, v: unknown, what = 'argument'): string {
  if (typeof v !== 'string') throw exprError(code, `${op} requires a string ${what}, found: ${typeName(v)}`);
  return v;
}

function concat(args: unknown, ctx: ExprContext): unknown {
  const parts: string[] = [];
  for (const v of evalList(args, ctx)) {
    if (isNullish(v)) return null;
    if (typeof v !== 'string') throw exprError(16702, `$concat only supports strings, not ${typeName(v)}`);
    parts.push(v);
  }
  return parts.join('');
}

function caseChange(op: string, upper: boolean): OperatorFn {
  return (args, ctx) => {
    const s = coerceToString(op, evaluate(exactArgs(op, args, 1)[0], ctx));
    // mongod changes the case of ASCII letters only.
    return s.replace(upper ? /[a-z]+/g : /[A-Z]+/g, (m) => (upper ? m.toUpperCase() : m.toLowerCase()));
  };
}

function isContinuationByte(bytes: Buffer, i: number): boolean {
  return i < bytes.length && (bytes[i] & 0xc0) === 0x80;
}

function substrBytes(op: string): OperatorFn {
  return (args, ctx) => {
    const [value, startValue, lengthValue] = exactArgs(op, args, 3).map((e) => evaluate(e, ctx));
    const bytes = Buffer.from(coerceToString(op, value), 'utf8');
    const start = integralArg(op, startValue, 'starting index');
    const length = integralArg(op, lengthValue, 'length');
    if (start < 0) throw exprError(50752, `${op}: starting index must be non-negative (got: ${start})`);
    if (start >= bytes.length) return '';
    const end = length < 0 ? bytes.length : Math.min(bytes.length, start + length);
    if (isContinuationByte(bytes, start)) {
      throw exprError(28656, `${op}:  Invalid range, starting index is a UTF-8 continuation byte.`);
    }
    if (isContinuationByte(bytes, end)) {
      throw exprError(28657, `${op}:  Invalid range, ending index is in the middle of a UTF-8 character.`);
    }
    return bytes.subarray(start, end).toString('utf8');
  };
}

function substrCP(args: unknown, ctx: ExprContext): unknown {
  const [value, startValue, lengthValue] = exactArgs('$substrCP', args, 3).map((e) => evaluate(e, ctx));
  const chars = Array.from(coerceToString('$substrCP', value));
  const start = integralArg('$substrCP', startValue, 'starting index');
  const length = integralArg('$substrCP', lengthValue, 'length');
  if (start < 0) throw exprError(34455, `$substrCP: the starting index must be nonnegative integer.`);
  if (length < 0) throw exprError(34456, `$substrCP: length must be a nonnegative integer.`);
  return chars.slice(start, start + length).join('');
}

function strLenCP(args: unknown, ctx: ExprContext): unknown {
  const s = requireString('$strLenCP', 34471, evaluate(exactArgs('$strLenCP', args, 1)[0], ctx));
  return new Int32(Array.from(s).length);
}

function strLenBytes(args: unknown, ctx: ExprContext): unknown {
  const s = requireString('$strLenBytes', 34473, evaluate(exactArgs('$strLenBytes', args, 1)[0], ctx));
  return new Int32(Buffer.byteLength(s, 'utf8'));
}

function split(args: unknown, ctx: ExprContext): unknown {
  const [s, delimiter] = exactArgs('$split', args, 2).map((e) => evaluate(e, ctx));
  if (isNullish(s) || isNullish(delimiter)) return null;
  if (typeof s !== 'string')
    throw exprError(
      40085,
      `$split requires an expression that evaluates to a string as a first argument, found: ${typeName(s)}`,
    );
  if (typeof delimiter !== 'string')
    throw exprError(
      40086,
      `$split requires an expression that evaluates to a string as a second argument, found: ${typeName(delimiter)}`,
    );
  if (delimiter === '') throw exprError(40087, '$split requires a non-empty separator');
  return s.split(delimiter);
}

/** mongod's default trim set: the null byte, ASCII whitespace and the Unicode spaces. */
const DEFAULT_TRIM = [
  '\0',
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
];

function trim(op: string, left: boolean, right: boolean): OperatorFn {
  return (args, ctx) => {
    const spec = namedArgs(op, args, ['input', 'chars'], ['input']);
    const input = evaluate(spec.input, ctx);
    const chars = spec.chars === undefined ? DEFAULT_TRIM : evaluate(spec.chars, ctx);
    if (isNullish(input) || isNullish(chars)) return null;
    if (typeof input !== 'string')
      throw exprError(50699, `${op} requires its input to be a string, got ${typeName(input)}`);
    const set = new Set(typeof chars === 'string' ? Array.from(chars) : (chars as string[]));
    if (!Array.isArray(chars) && typeof chars !== 'string') {
      throw exprError(50700, `${op} requires 'chars' to be a string, got ${typeName(chars)}`);
    }
    const cps = Array.from(input);
    let start = 0;
    let end = cps.length;
    while (left && start < end && set.has(cps[start])) start++;
    while (right && end > start && set.has(cps[end - 1])) end--;
    return cps.slice(start, end).join('');
  };
}

function indexOf(op: '$indexOfBytes' | '$indexOfCP'): OperatorFn {
  return (args, ctx) => {
    const list = rangeArgs(op, args, 2, 4).map((e) => evaluate(e, ctx));
    const [s, token] = list;
    if (isNullish(s)) return null;
    if (typeof s !== 'string')
      throw exprError(40091, `${op} requires a string as the first argument, found: ${typeName(s)}`);
    if (typeof token !== 'string')
      throw exprError(40092, `${op} requires a string as the second argument, found: ${typeName(token)}`);
    const units: string[] | Buffer = op === '$indexOfCP' ? Array.from(s) : Buffer.from(s, 'utf8');
    const needle: string[] | Buffer = op === '$indexOfCP' ? Array.from(token) : Buffer.from(token, 'utf8');
    const start = list.length > 2 ? integralArg(op, list[2], 'starting index') : 0;
    const end = list.length > 3 ? Math.min(integralArg(op, list[3], 'ending index'), units.length) : units.length;
    if (start < 0 || end < 0) throw exprError(40097, `${op} requires a nonnegative index`);
    for (let i = start; i + needle.length <= end; i++) {
      let match = true;
      for (let j = 0; j < needle.length && match; j++) match = units[i + j] === needle[j];
      if (match) return new Int32(i);
    }
    return new Int32(-1);
  };
}

function strcasecmp(args: unknown, ctx: ExprContext): unknown {
  const [a, b] = exactArgs('$strcasecmp', args, 2).map((e) =>
    coerceToString('$strcasecmp', evaluate(e, ctx)).toUpperCase(),
  );
  return new Int32(a < b ? -1 : a > b ? 1 : 0);
}

function replace(op: '$replaceOne' | '$replaceAll'): OperatorFn {
  return (args, ctx) => {
    const spec = namedArgs(op, args, ['input', 'find', 'replacement'], ['input', 'find', 'replacement']);
    const values = [spec.input, spec.find, spec.replacement].map((e) => evaluate(e, ctx));
    if (values.some(isNullish)) return null;
    for (const v of values) {
      if (typeof v !== 'string')
        throw exprError(
          51746,
          `${op} requires that 'input', 'find' and 'replacement' be strings, found: ${typeName(v)}`,
        );
    }
    const [input, find, replacement] = values as string[];
    return op === '$replaceAll' ? input.split(find).join(replacement) : input.replace(find, () => replacement);
  };
}

// ---------------------------------------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------------------------------------

/** Builds the JS RegExp for $regexMatch/$regexFind/$regexFindAll from a string or a BSON regex plus options. */
export function compileRegex(op: string, regex: unknown, optionsValue: unknown): RegExp {
  let pattern: string;
  let options = '';
  if (typeof regex === 'string') {
    pattern = regex;
  } else if (regex instanceof RegExp) {
    pattern = regex.source;
    options = regex.flags;
  } else if (
    regex !== null &&
    typeof regex === 'object' &&
    (regex as { _bsontype?: string })._bsontype === 'BSONRegExp'
  ) {
    pattern = (regex as { pattern: string }).pattern;
    options = (regex as { options: string }).options;
  } else {
    throw exprError(51105, `${op} needs 'regex' to be of type string or regex`);
  }
  if (!isNullish(optionsValue)) {
    if (typeof optionsValue !== 'string') throw exprError(51106, `${op} needs 'options' to be of type string`);
    if (options !== '' && optionsValue !== '') {
      throw exprError(51075, `${op}: found regex option(s) specified in both 'regex' and 'option' fields`);
    }
    options = optionsValue;
  }
  let flags = 'g';
  for (const o of options) {
    if (o === 'i' || o === 'm' || o === 's') flags += flags.includes(o) ? '' : o;
    else if (o === 'x') pattern = stripExtended(pattern);
    else if (o !== 'u' && o !== 'g') throw exprError(51108, `${op} invalid flag in regex options: ${o}`);
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    throw exprError(51111, `Invalid Regex in ${op}: ${(err as Error).message}`);
  }
}

function regexInput(op: string, args: unknown, ctx: ExprContext): { input: string; re: RegExp } | null {
  const spec = namedArgs(op, args, ['input', 'regex', 'options'], ['input', 'regex']);
  const input = evaluate(spec.input, ctx);
  const regex = evaluate(spec.regex, ctx);
  const options = spec.options === undefined ? undefined : evaluate(spec.options, ctx);
  const re = isNullish(regex) ? null : compileRegex(op, regex, options);
  if (isNullish(input) || re === null) return null;
  if (typeof input !== 'string') throw exprError(51104, `${op} needs 'input' to be of type string`);
  return { input, re };
}

/** {match, idx, captures} with idx counted in code points, as mongod reports it. */
function matchDoc(input: string, m: RegExpExecArray): Record<string, unknown> {
  return {
    match: m[0],
    idx: new Int32(Array.from(input.slice(0, m.index)).length),
    captures: m.slice(1).map((c) => (c === undefined ? null : c)),
  };
}

function regexFindAll(input: string, re: RegExp): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    out.push(matchDoc(input, m));
    if (m[0] === '') re.lastIndex += 1; // an empty match must still advance
  }
  return out;
}

export const stringOperators: Record<string, OperatorFn> = {
  $concat: concat,
  $toLower: caseChange('$toLower', false),
  $toUpper: caseChange('$toUpper', true),
  $substr: substrBytes('$substrBytes'),
  $substrBytes: substrBytes('$substrBytes'),
  $substrCP: substrCP,
  $strLenCP: strLenCP,
  $strLenBytes: strLenBytes,
  $split: split,
  $trim: trim('$trim', true, true),
  $ltrim: trim('$ltrim', true, false),
  $rtrim: trim('$rtrim', false, true),
  $indexOfBytes: indexOf('$indexOfBytes'),
  $indexOfCP: indexOf('$indexOfCP'),
  $strcasecmp: strcasecmp,
  $replaceOne: replace('$replaceOne'),
  $replaceAll: replace('$replaceAll'),
  $regexMatch: (args, ctx) => {
    const r = regexInput('$regexMatch', args, ctx);
    if (!r) return false;
    r.re.lastIndex = 0;
    return r.re.test(r.input);
  },
  $regexFind: (args, ctx) => {
    const r = regexInput('$regexFind', args, ctx);
    if (!r) return null;
    r.re.lastIndex = 0;
    const m = r.re.exec(r.input);
    return m ? matchDoc(r.input, m) : null;
  },
  $regexFindAll: (args, ctx) => {
    const r = regexInput('$regexFindAll', args, ctx);
    return r ? regexFindAll(r.input, r.re) : [];
  },
};
