/**
 * Object operators: $mergeObjects, $objectToArray, $arrayToObject, $getField, $setField, $unsetField.
 */

import { setField } from '../query/values';
import type { Doc } from '../types';
import { argList, exactArgs, exprError, isNullish, isPlainObject, namedArgs, typeName } from './expr-support';
import { type ExprContext, evaluate, type OperatorFn } from './expressions';

/** Later documents win; null and missing arguments are skipped. */
export function mergeInto(target: Doc, value: unknown, position: number): void {
  if (isNullish(value)) return;
  if (!isPlainObject(value)) {
    throw exprError(40400, `$mergeObjects requires object inputs, but input ${position} is of type ${typeName(value)}`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) setField(target, k, v);
  }
}

function mergeObjects(args: unknown, ctx: ExprContext): unknown {
  const out: Doc = {};
  argList(args).forEach((e, i) => {
    mergeInto(out, evaluate(e, ctx), i);
  });
  return out;
}

function objectToArray(args: unknown, ctx: ExprContext): unknown {
  const v = evaluate(exactArgs('$objectToArray', args, 1)[0], ctx);
  if (isNullish(v)) return null;
  if (!isPlainObject(v)) throw exprError(40390, `$objectToArray requires a document input, found: ${typeName(v)}`);
  return Object.entries(v).map(([k, value]) => ({ k, v: value }));
}

function checkKey(k: unknown): string {
  if (typeof k !== 'string')
    throw exprError(
      40394,
      `$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string. Found type: ${typeName(k)}`,
    );
  if (k.includes('\0')) throw exprError(4940400, 'Key field cannot contain an embedded null byte');
  return k;
}

function arrayToObject(args: unknown, ctx: ExprContext): unknown {
  const v = evaluate(exactArgs('$arrayToObject', args, 1)[0], ctx);
  if (isNullish(v)) return null;
  if (!Array.isArray(v)) throw exprError(40386, `$arrayToObject requires an array input, found: ${typeName(v)}`);
  const out: Doc = {};
  for (const element of v) {
    if (Array.isArray(element)) {
      if (element.length !== 2)
        throw exprError(
          40397,
          `$arrayToObject requires an array of size 2 arrays,found array of size: ${element.length}`,
        );
      setField(out, checkKey(element[0]), element[1]);
    } else if (isPlainObject(element)) {
      const keys = Object.keys(element);
      if (keys.length !== 2 || !('k' in element) || !('v' in element)) {
        throw exprError(
          40392,
          `$arrayToObject requires an object keys of 'k' and 'v'. Found incorrect number of keys:${keys.length}`,
        );
      }
      setField(out, checkKey(element.k), element.v);
    } else {
      throw exprError(40398, `Unrecognised input type format for $arrayToObject: ${typeName(element)}`);
    }
  }
  return out;
}

function fieldName(op: string, expr: unknown, ctx: ExprContext): string {
  const field = evaluate(expr, ctx);
  if (typeof field !== 'string')
    throw exprError(3041704, `${op} requires 'field' to evaluate to type String, but got ${typeName(field)}`);
  return field;
}

function getField(args: unknown, ctx: ExprContext): unknown {
  // The short form {$getField: 'name'} reads from $$CURRENT.
  const spec =
    isPlainObject(args) && 'field' in args
      ? namedArgs('$getField', args, ['field', 'input'], ['field'])
      : { field: args, input: '$$CURRENT' };
  const field = fieldName('$getField', spec.field, ctx);
  const input = evaluate(spec.input ?? '$$CURRENT', ctx);
  if (isNullish(input)) return null;
  if (!isPlainObject(input)) return undefined;
  return Object.hasOwn(input, field) ? input[field] : undefined;
}

function setFieldOperator(op: '$setField' | '$unsetField'): OperatorFn {
  return (args, ctx) => {
    const allowed = op === '$setField' ? ['field', 'input', 'value'] : ['field', 'input'];
    const spec = namedArgs(op, args, allowed, allowed);
    const field = fieldName(op, spec.field, ctx);
    const input = evaluate(spec.input, ctx);
    if (isNullish(input)) return null;
    if (!isPlainObject(input))
      throw exprError(4161105, `${op} requires 'input' to evaluate to type Object, but got ${typeName(input)}`);
    const out: Doc = { ...input };
    const value = op === '$setField' ? evaluate(spec.value, ctx) : undefined;
    if (value === undefined) delete out[field];
    else setField(out, field, value);
    return out;
  };
}

export const objectOperators: Record<string, OperatorFn> = {
  $mergeObjects: mergeObjects,
  $objectToArray: objectToArray,
  $arrayToObject: arrayToObject,
  $getField: getField,
  $setField: setFieldOperator('$setField'),
  $unsetField: setFieldOperator('$unsetField'),
};
