/**
 * What no request of this API ever needs, checked on the raw input before the route's Joi schema sees it:
 * - keys `__proto__`, `constructor` and `prototype` (prototype pollution: refused by name, never silently dropped,
 *   so a client learns its body was not what it meant);
 * - control characters in any text (NUL, escapes, C1 codes) and bidirectional overrides and isolates, which make a
 *   name display as something else on a waybill or a list; tab, line feed and carriage return stay allowed, since
 *   notes and addresses are typed on several lines. Text must also be well-formed Unicode (no lone surrogates);
 * - structure beyond any real request (arrays of thousands of elements, objects of thousands of keys, deep nesting):
 *   refused before validation so that Joi never builds one error per element of a 100,000-element array.
 * The walk is iterative, so a deeply nested body cannot overflow the stack.
 */
import type { FieldError, InputLocation } from '../core/errors';
import { fieldPath } from './validate';

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Far above any legitimate request (the largest schema arrays hold 500), far below what costs real work. */
export const MAX_ARRAY_LENGTH = 5_000;
export const MAX_OBJECT_KEYS = 500;
export const MAX_DEPTH = 32;
/** A request with more problems than this is stopped early: the first ones are what a client needs. */
const MAX_PROBLEMS = 20;

// C0 controls but tab, LF, CR; DEL; C1 controls; bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a text, or undefined when it is fine. Shared with Joi rules that want the same check. */
export function textProblem(text: string): { type: string; message: string } | undefined {
  if (CONTROL_CHARACTERS.test(text)) {
    const code = text.codePointAt(text.search(CONTROL_CHARACTERS)) ?? 0;
    return {
      type: 'string.controlCharacters',
      message: `must not contain control characters or bidirectional overrides (found U+${code.toString(16).toUpperCase().padStart(4, '0')})`,
    };
  }
  if (LONE_SURROGATE.test(text))
    return { type: 'string.malformedUnicode', message: 'must be well-formed Unicode text' };
  return undefined;
}

type Path = (string | number)[];

/** A value still to be walked: its path is kept as a link to its parent, spelled out only for a problem. */
interface Pending {
  value: unknown;
  parent: Pending | null;
  key: string | number | null;
  depth: number;
}

function pathOf(node: Pending, key?: string): Path {
  const path: Path = key === undefined ? [] : [key];
  for (let at: Pending | null = node; at !== null && at.key !== null; at = at.parent) path.unshift(at.key);
  return path;
}

/** Problems of one part of the request (at most MAX_PROBLEMS), with their paths. */
export function inputProblems(value: unknown, location: InputLocation): FieldError[] {
  const problems: FieldError[] = [];
  const add = (path: Path, message: string, type: string) => {
    const field = fieldPath(path) || location;
    problems.push({ field, message: `"${field}" ${message}`, type, in: location });
  };
  const stack: Pending[] = [{ value, parent: null, key: null, depth: 0 }];
  while (stack.length && problems.length < MAX_PROBLEMS) {
    const node = stack.pop() as Pending;
    const current = node.value;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) add(pathOf(node), problem.message, problem.type);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (node.depth >= MAX_DEPTH) {
      add(pathOf(node), `is nested too deeply (at most ${MAX_DEPTH} levels)`, 'object.depth');
      continue;
    }
    const depth = node.depth + 1;
    if (Array.isArray(current)) {
      if (current.length > MAX_ARRAY_LENGTH) {
        add(pathOf(node), `must contain at most ${MAX_ARRAY_LENGTH} items (it has ${current.length})`, 'array.max');
        continue;
      }
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i], parent: node, key: i, depth });
      continue;
    }
    const keys = Object.keys(current);
    if (keys.length > MAX_OBJECT_KEYS) {
      add(pathOf(node), `must have at most ${MAX_OBJECT_KEYS} keys (it has ${keys.length})`, 'object.max');
      continue;
    }
    const children: Pending[] = [];
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) {
        add(
          pathOf(node, key),
          'is not allowed: the key names of JavaScript prototypes are refused',
          'object.forbiddenKey',
        );
        continue;
      }
      const keyProblem = textProblem(key);
      if (keyProblem) {
        add(pathOf(node, key), `key ${keyProblem.message}`, keyProblem.type);
        continue;
      }
      children.push({ value: (current as Record<string, unknown>)[key], parent: node, key, depth });
    }
    // Reversed onto the stack, so that problems come out in the order of the document.
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i] as Pending);
  }
  return problems;
}
