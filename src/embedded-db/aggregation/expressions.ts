/**
 * The aggregation expression language: field paths (`$a.b`, traversing arrays), variables (`$$ROOT`,
 * `$$CURRENT`, `$$NOW`, `$$REMOVE`, `let` variables), literals, object and array literals, and operators.
 *
 * Operators live in the expr-*.ts files by family; each receives its raw (unevaluated) argument so that
 * operators such as $cond, $filter or $let can decide what to evaluate and with which variables.
 * A missing value is `undefined` throughout; it is distinct from null (see compareExpr).
 */
import { type StringCompare, setField } from '../query/values';
import type { Doc } from '../types';
import { arithmeticOperators } from './expr-arithmetic';
import { arrayOperators } from './expr-array';
import { dateOperators } from './expr-date';
import { logicOperators } from './expr-logic';
import { objectOperators } from './expr-object';
import { stringOperators } from './expr-string';
import { exprError, isPlainObject } from './expr-support';
import { typeOperators } from './expr-type';

export interface ExprContext {
  root: Doc;
  variables: Record<string, unknown>;
  now: Date;
  /** The operation's collation (undefined: simple): comparison operators and $in order strings by it. */
  collation?: StringCompare;
}

export type OperatorFn = (args: unknown, ctx: ExprContext) => unknown;

let registry: Map<string, OperatorFn> | undefined;

/**
 * Built on first use: the operator files import `evaluate` from here, so reading their tables while this module
 * is still loading would see them half-initialised.
 */
function operators(): Map<string, OperatorFn> {
  registry ??= new Map(
    Object.entries({
      ...logicOperators,
      ...arithmeticOperators,
      ...arrayOperators,
      ...stringOperators,
      ...typeOperators,
      ...dateOperators,
      ...objectOperators,
    }),
  );
  return registry;
}

export function isExpressionOperator(name: string): boolean {
  return operators().has(name);
}

export function evaluate(expr: unknown, ctx: ExprContext): unknown {
  if (typeof expr === 'string') {
    if (expr.startsWith('$$')) return resolveVariable(expr.slice(2), ctx);
    if (expr.startsWith('$')) return resolveFieldPath(expr.slice(1), ctx);
    return expr;
  }
  if (Array.isArray(expr)) {
    // Inside an array literal a missing value becomes null, as in mongod.
    return expr.map((e) => {
      const v = evaluate(e, ctx);
      return v === undefined ? null : v;
    });
  }
  if (isPlainObject(expr)) return evaluateObject(expr, ctx);
  return expr;
}

function evaluateObject(expr: Record<string, unknown>, ctx: ExprContext): unknown {
  const keys = Object.keys(expr);
  const operatorKeys = keys.filter((k) => k.startsWith('$'));
  if (operatorKeys.length > 0) {
    if (keys.length !== 1) {
      throw exprError(
        15983,
        `an expression operator specification must contain exactly one field, found ${keys.length} fields ['${keys.join("', '")}'].`,
      );
    }
    return callOperator(keys[0], expr[keys[0]], ctx);
  }
  const out: Doc = {};
  for (const key of keys) {
    if (key.includes('.'))
      throw exprError(16412, `FieldPath field names may not contain '.'. Consider using $getField or $setField.`);
    const value = evaluate(expr[key], ctx);
    if (value !== undefined) setField(out, key, value);
  }
  return out;
}

function callOperator(name: string, args: unknown, ctx: ExprContext): unknown {
  const fn = operators().get(name);
  if (!fn) throw exprError(168, `Unrecognized expression '${name}'`);
  return fn(args, ctx);
}

/**
 * Valid paths split once: a pipeline evaluates the same few paths for every document, and splitting and checking
 * them again each time was a measurable part of a $group over a million documents. Bounded, since paths come from
 * commands; a path that fails its checks is never stored, so it throws every time.
 */
const splitPaths = new Map<string, string[]>();
const SPLIT_PATHS_KEPT = 10_000;

function splitPath(path: string, original: string): string[] {
  const known = splitPaths.get(path);
  if (known) return known;
  if (path === '') throw exprError(16872, `'$' by itself is not a valid FieldPath`);
  const parts = path.split('.');
  for (const part of parts) {
    if (part === '') throw exprError(15998, `FieldPath field names may not be empty strings. ('${original}')`);
    if (part.startsWith('$')) throw exprError(16410, `FieldPath field names may not start with '$'. ('${original}')`);
  }
  if (splitPaths.size >= SPLIT_PATHS_KEPT) splitPaths.clear();
  splitPaths.set(path, parts);
  return parts;
}

function resolveFieldPath(path: string, ctx: ExprContext): unknown {
  return walkPath(currentOf(ctx), splitPath(path, `$${path}`), 0);
}

function currentOf(ctx: ExprContext): unknown {
  return Object.hasOwn(ctx.variables, 'CURRENT') ? ctx.variables.CURRENT : ctx.root;
}

function resolveVariable(text: string, ctx: ExprContext): unknown {
  const dot = text.indexOf('.');
  const name = dot === -1 ? text : text.slice(0, dot);
  const value = variableValue(name, ctx);
  if (dot === -1) return value;
  return walkPath(value, splitPath(text.slice(dot + 1), `$$${text}`), 0);
}

function variableValue(name: string, ctx: ExprContext): unknown {
  switch (name) {
    case 'ROOT':
      return ctx.root;
    case 'CURRENT':
      return currentOf(ctx);
    case 'NOW':
      return ctx.now;
    case 'REMOVE':
      return undefined;
    default:
      if (Object.hasOwn(ctx.variables, name)) return ctx.variables[name];
      if (name === 'CLUSTER_TIME' || name === 'SEARCH_META' || name === 'USER_ROLES') {
        throw exprError(2, `The embedded database does not support the variable $$${name}`);
      }
      throw exprError(17276, `Use of undefined variable: ${name}`);
  }
}

/**
 * Reads a field path the way aggregation does: through an array, the path is applied to each element and the
 * results collected (elements without the field are skipped; nested arrays stay nested). Unlike the query
 * language, a numeric component is a field name here, never an array index.
 */
export function walkPath(value: unknown, parts: string[], i: number): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) return walkArray(value, parts, i);
  if (!isPlainObject(value) || !Object.hasOwn(value, parts[i])) return undefined;
  return walkPath(value[parts[i]], parts, i + 1);
}

function walkArray(values: unknown[], parts: string[], i: number): unknown[] {
  const out: unknown[] = [];
  for (const element of values) {
    if (Array.isArray(element)) {
      out.push(walkArray(element, parts, i));
    } else if (isPlainObject(element)) {
      const v = walkPath(element, parts, i);
      if (v !== undefined) out.push(v);
    }
  }
  return out;
}

/** A context for a nested scope: the same document with extra variables (from $let, $map, $filter, ...). */
export function withVariables(ctx: ExprContext, variables: Record<string, unknown>): ExprContext {
  return { ...ctx, variables: { ...ctx.variables, ...variables } };
}

/**
 * User variable names start with a lowercase letter or a non-ASCII character and contain only letters,
 * digits and underscores (mongod's variableValidation).
 */
export function checkVariableName(name: string): void {
  if (!/^[a-z\u0080-\uffff][\w\u0080-\uffff]*$/.test(name)) {
    throw exprError(16867, `'${name}' starts with an invalid character for a user variable name`);
  }
}
