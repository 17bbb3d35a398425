/**
 * Comparison, boolean and conditional operators, and the scoping operators $literal and $let.
 */
import { Int32 } from 'bson';
import { argList, compareExpr, exactArgs, exprError, isNullish, isPlainObject, truthy } from './expr-support';
import { checkVariableName, type ExprContext, evaluate, type OperatorFn, withVariables } from './expressions';

function comparison(op: string, test: (cmp: number) => boolean): OperatorFn {
  return (args, ctx) => {
    const [a, b] = exactArgs(op, args, 2).map((e) => evaluate(e, ctx));
    return test(compareExpr(a, b, ctx.collation));
  };
}

function cond(args: unknown, ctx: ExprContext): unknown {
  let branches: [unknown, unknown, unknown];
  if (isPlainObject(args)) {
    for (const key of Object.keys(args)) {
      if (key !== 'if' && key !== 'then' && key !== 'else')
        throw exprError(17083, `Unrecognized parameter to $cond: ${key}`);
    }
    for (const key of ['if', 'then', 'else']) {
      if (!(key in args))
        throw exprError(17080 + ['if', 'then', 'else'].indexOf(key), `Missing '${key}' parameter to $cond`);
    }
    branches = [args.if, args.then, args.else];
  } else {
    branches = exactArgs('$cond', args, 3) as [unknown, unknown, unknown];
  }
  return evaluate(truthy(evaluate(branches[0], ctx)) ? branches[1] : branches[2], ctx);
}

/** Returns the first argument that is neither null nor missing; the last one is the fallback, returned as is. */
function ifNull(args: unknown, ctx: ExprContext): unknown {
  const list = argList(args);
  if (list.length < 2) throw exprError(1257300, `$ifNull needs at least two arguments, had: ${list.length}`);
  for (let i = 0; i < list.length - 1; i++) {
    const v = evaluate(list[i], ctx);
    if (!isNullish(v)) return v;
  }
  return evaluate(list[list.length - 1], ctx);
}

function switchOp(args: unknown, ctx: ExprContext): unknown {
  if (!isPlainObject(args)) throw exprError(40060, '$switch requires an object as an argument');
  const branches = args.branches;
  if (!Array.isArray(branches)) throw exprError(40061, "$switch expected an array for 'branches'");
  for (const branch of branches) {
    if (!isPlainObject(branch) || !('case' in branch) || !('then' in branch)) {
      throw exprError(40064, "$switch requires each branch to have a 'case' and a 'then' expression");
    }
    if (truthy(evaluate(branch.case, ctx))) return evaluate(branch.then, ctx);
  }
  if (!('default' in args)) {
    throw exprError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
  }
  return evaluate(args.default, ctx);
}

function letOp(args: unknown, ctx: ExprContext): unknown {
  if (!isPlainObject(args) || !isPlainObject(args.vars) || !('in' in args)) {
    throw exprError(16711, "$let requires an object with 'vars' and 'in'");
  }
  const vars: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(args.vars)) {
    checkVariableName(name);
    // Every variable is computed in the outer scope, so one cannot see another.
    vars[name] = evaluate(expr, ctx);
  }
  return evaluate(args.in, withVariables(ctx, vars));
}

export const logicOperators: Record<string, OperatorFn> = {
  $eq: comparison('$eq', (c) => c === 0),
  $ne: comparison('$ne', (c) => c !== 0),
  $gt: comparison('$gt', (c) => c > 0),
  $gte: comparison('$gte', (c) => c >= 0),
  $lt: comparison('$lt', (c) => c < 0),
  $lte: comparison('$lte', (c) => c <= 0),
  $cmp: (args, ctx) => {
    const [a, b] = exactArgs('$cmp', args, 2).map((e) => evaluate(e, ctx));
    return new Int32(Math.sign(compareExpr(a, b, ctx.collation)));
  },
  $and: (args, ctx) => argList(args).every((e) => truthy(evaluate(e, ctx))),
  $or: (args, ctx) => argList(args).some((e) => truthy(evaluate(e, ctx))),
  $not: (args, ctx) => !truthy(evaluate(exactArgs('$not', args, 1)[0], ctx)),
  $cond: cond,
  $ifNull: ifNull,
  $switch: switchOp,
  $literal: (args) => args,
  $let: letOp,
};
