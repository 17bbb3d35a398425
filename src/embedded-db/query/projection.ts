/**
 * Find projections: inclusion or exclusion of (dotted) fields, `_id` included unless excluded, the $slice and
 * $elemMatch projection operators, the positional `field.$`, and aggregation expressions as computed fields
 * (MongoDB 4.4+). The projection is parsed once into a tree and applied per document.
 */

import { evaluate as evaluateExpression } from '../aggregation/expressions';
import { MongoCommandError, mongoError } from '../errors';
import type { Doc } from '../types';
import { compileElemMatchElement, compileFilter, type Predicate, positionalMatchIndex } from './matcher';
import { isNumber, isPlainObject, type StringCompare, setField, toNumber } from './values';

export interface ProjectionOptions {
  /** The find filter: needed only by the positional `field.$` projection. */
  query?: Doc;
  variables?: Record<string, unknown>;
  now?: Date;
  /** The operation's collation (undefined: simple), for the positional match and for expressions. */
  collation?: StringCompare;
}

type ProjNode =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'expr'; expr: unknown }
  | { kind: 'slice'; skip: number | undefined; limit: number }
  | { kind: 'elemMatch'; test: (el: unknown) => boolean }
  | { kind: 'positional'; arrayPath: string }
  | { kind: 'tree'; children: Map<string, ProjNode>; hasExpr: boolean };

type Tree = Extract<ProjNode, { kind: 'tree' }>;

function newTree(): Tree {
  return { kind: 'tree', children: new Map(), hasExpr: false };
}

class ProjectionParser {
  readonly root = newTree();
  mode: 'inclusion' | 'exclusion' | undefined;
  idExcluded = false;
  positionalCount = 0;

  constructor(private readonly options: ProjectionOptions) {}

  parse(spec: Record<string, unknown>, prefix: string): void {
    for (const [key, value] of Object.entries(spec)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (key === '') throw new MongoCommandError(40352, 'FieldPath cannot be constructed with empty string');
      if (path.endsWith('.$')) {
        this.addPositional(path, value);
        continue;
      }
      if (key.startsWith('$') || path.includes('.$')) {
        throw new MongoCommandError(
          16410,
          `FieldPath field names may not start with '$'. Consider using $getField or $setField.`,
        );
      }
      this.parseValue(path, value);
    }
  }

  private parseValue(path: string, value: unknown): void {
    if (typeof value === 'boolean' || isNumber(value)) {
      const include = typeof value === 'boolean' ? value : toNumber(value) !== 0;
      this.insert(path, include ? { kind: 'include' } : { kind: 'exclude' });
      return;
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) {
        throw new MongoCommandError(
          51270,
          `An empty sub-projection is not a valid value. Found empty object at path ${path}`,
        );
      }
      if (!keys[0].startsWith('$')) {
        this.parse(value, path);
        return;
      }
      if (keys.length === 1 && keys[0] === '$slice') {
        this.addSlice(path, value.$slice);
        return;
      }
      if (keys.length === 1 && keys[0] === '$elemMatch') {
        this.addElemMatch(path, value.$elemMatch);
        return;
      }
      if (keys.includes('$meta'))
        throw mongoError('BadValue', `$meta projection ("${path}") is not supported by the embedded database`);
    }
    // Anything else is an aggregation expression: "$field", a literal, {$concat: [...]}, ...
    this.insert(path, { kind: 'expr', expr: value });
  }

  private addSlice(path: string, arg: unknown): void {
    if (isNumber(arg)) {
      this.insert(path, { kind: 'slice', skip: undefined, limit: Math.trunc(toNumber(arg)) });
      return;
    }
    if (Array.isArray(arg) && arg.length === 2 && arg.every(isNumber)) {
      const limit = Math.trunc(toNumber(arg[1]));
      if (limit <= 0)
        throw new MongoCommandError(28724, `Invalid $slice syntax. The limit must be positive. Found: ${limit}`);
      this.insert(path, { kind: 'slice', skip: Math.trunc(toNumber(arg[0])), limit });
      return;
    }
    // {$slice: ['$arr', 2]} and similar are the aggregation $slice expression.
    this.insert(path, { kind: 'expr', expr: { $slice: arg } });
  }

  private addElemMatch(path: string, condition: unknown): void {
    if (path.includes('.')) throw mongoError('BadValue', 'Cannot use $elemMatch projection on a nested field.');
    this.insert(path, { kind: 'elemMatch', test: compileElemMatchElement(condition, this.options) });
  }

  private addPositional(path: string, value: unknown): void {
    const arrayPath = path.slice(0, -2);
    if (arrayPath.includes('$')) throw mongoError('BadValue', `Positional projection '${path}' contains an operator`);
    if (!(typeof value === 'boolean' ? value : isNumber(value) && toNumber(value) !== 0)) {
      throw mongoError('BadValue', `Cannot exclude array elements with the positional operator: ${path}`);
    }
    if (++this.positionalCount > 1)
      throw mongoError('BadValue', 'Cannot specify more than one positional proj. per query.');
    if (!this.options.query) throw mongoError('BadValue', `positional projection '${path}' needs the query`);
    this.insert(arrayPath, { kind: 'positional', arrayPath });
  }

  private insert(path: string, node: ProjNode): void {
    this.noteMode(path, node);
    const parts = path.split('.');
    let tree = this.root;
    const trail: Tree[] = [tree];
    for (let i = 0; i < parts.length - 1; i++) {
      const existing = tree.children.get(parts[i]);
      if (existing && existing.kind !== 'tree') throw pathCollision(path, parts.slice(i + 1).join('.'));
      const next = existing ?? newTree();
      tree.children.set(parts[i], next);
      tree = next;
      trail.push(tree);
    }
    const leaf = parts[parts.length - 1];
    if (tree.children.has(leaf)) throw pathCollision(path, leaf);
    tree.children.set(leaf, node);
    if (node.kind === 'expr') for (const t of trail) t.hasExpr = true;
  }

  private noteMode(path: string, node: ProjNode): void {
    if (path === '_id' && (node.kind === 'include' || node.kind === 'exclude')) {
      this.idExcluded = node.kind === 'exclude';
      return;
    }
    if (node.kind === 'slice') return;
    const mode = node.kind === 'exclude' ? 'exclusion' : 'inclusion';
    if (this.mode === undefined) this.mode = mode;
    else if (this.mode !== mode) {
      throw mode === 'exclusion'
        ? new MongoCommandError(31254, `Cannot do exclusion on field ${path} in inclusion projection`)
        : new MongoCommandError(31253, `Cannot do inclusion on field ${path} in exclusion projection`);
    }
  }
}

function pathCollision(path: string, remaining: string): MongoCommandError {
  return new MongoCommandError(31250, `Path collision at ${path} remaining portion ${remaining}`);
}

function sliceArray(arr: unknown[], skip: number | undefined, limit: number): unknown[] {
  if (skip === undefined) return limit >= 0 ? arr.slice(0, limit) : arr.slice(Math.max(arr.length + limit, 0));
  const start = skip < 0 ? Math.max(arr.length + skip, 0) : Math.min(skip, arr.length);
  return arr.slice(start, start + limit);
}

/** Per-document state: the root for expressions and the lazily computed positional index. */
interface ApplyContext {
  root: Doc;
  evaluate(expr: unknown): unknown;
  positional(arrayPath: string): number;
}

function applyLeaf(node: ProjNode, value: unknown, ctx: ApplyContext): unknown {
  switch (node.kind) {
    case 'include':
      return value;
    case 'slice':
      return Array.isArray(value) ? sliceArray(value, node.skip, node.limit) : value;
    case 'elemMatch': {
      if (!Array.isArray(value)) return undefined;
      const found = value.find((el) => node.test(el));
      return found === undefined ? undefined : [found];
    }
    case 'positional': {
      if (!Array.isArray(value)) return undefined;
      return [value[ctx.positional(node.arrayPath)]];
    }
    default:
      return undefined;
  }
}

/** Inclusion of a subtree: `undefined` means the field is left out. */
function includeValue(value: unknown, tree: Tree, ctx: ApplyContext): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const el of value) {
      if (Array.isArray(el)) out.push(includeValue(el, tree, ctx));
      else if (isPlainObject(el)) out.push(includeObject(el, tree, ctx, false));
      // Scalars inside an array vanish under a sub-field inclusion, unless computed fields make them documents.
      else if (tree.hasExpr) out.push(includeObject({}, tree, ctx, false));
    }
    return out;
  }
  if (isPlainObject(value)) return includeObject(value, tree, ctx, false);
  return tree.hasExpr ? includeObject({}, tree, ctx, false) : undefined;
}

function includeObject(doc: Record<string, unknown>, tree: Tree, ctx: ApplyContext, isRoot: boolean): Doc {
  const out: Doc = {};
  if (isRoot && Object.hasOwn(doc, '_id') && !tree.children.has('_id')) out._id = doc._id;
  for (const key of Object.keys(doc)) {
    const node = tree.children.get(key);
    if (!node || node.kind === 'exclude' || node.kind === 'expr') continue;
    const v = node.kind === 'tree' ? includeValue(doc[key], node, ctx) : applyLeaf(node, doc[key], ctx);
    if (v !== undefined) setField(out, key, v);
  }
  // Computed fields come after the kept ones, in projection order; subtrees with computed fields are built too.
  for (const [key, node] of tree.children) {
    if (node.kind === 'expr') {
      const v = ctx.evaluate(node.expr);
      if (v !== undefined) setField(out, key, v);
    } else if (node.kind === 'tree' && node.hasExpr && !Object.hasOwn(doc, key)) {
      setField(out, key, includeObject({}, node, ctx, false));
    }
  }
  return out;
}

function excludeValue(value: unknown, tree: Tree, ctx: ApplyContext): unknown {
  if (Array.isArray(value))
    return value.map((el) => (Array.isArray(el) || isPlainObject(el) ? excludeValue(el, tree, ctx) : el));
  if (isPlainObject(value)) return excludeObject(value, tree, ctx);
  return value;
}

function excludeObject(doc: Record<string, unknown>, tree: Tree, ctx: ApplyContext): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const node = tree.children.get(key);
    if (!node) setField(out, key, doc[key]);
    else if (node.kind === 'tree') setField(out, key, excludeValue(doc[key], node, ctx));
    else if (node.kind === 'slice') setField(out, key, applyLeaf(node, doc[key], ctx));
    else if (node.kind === 'include') setField(out, key, doc[key]);
  }
  return out;
}

export function compileProjection(projection: Doc | undefined, options: ProjectionOptions = {}): (doc: Doc) => Doc {
  if (projection === undefined || projection === null) return (doc) => doc;
  if (!isPlainObject(projection)) throw mongoError('TypeMismatch', 'projection must be an object');
  if (Object.keys(projection).length === 0) return (doc) => doc;
  const parser = new ProjectionParser(options);
  parser.parse(projection, '');
  const tree = parser.root;
  // Only `_id: 0` or only $slice: exclusion style (everything else kept).
  const inclusion =
    parser.mode === 'inclusion' || (parser.mode === undefined && tree.children.get('_id')?.kind === 'include');
  const variables = options.variables ?? {};
  const now = options.now ?? new Date();
  const predicate: Predicate | undefined =
    parser.positionalCount > 0 && options.query ? compileFilter(options.query, options) : undefined;
  const evaluate = tree.hasExpr ? evaluateExpression : undefined;

  return (doc) => {
    const ctx: ApplyContext = {
      root: doc,
      evaluate: (expr) =>
        (evaluate as NonNullable<typeof evaluate>)(expr, { root: doc, variables, now, collation: options.collation }),
      positional: (arrayPath) => {
        const index = positionalMatchIndex(options.query as Doc, predicate as Predicate, doc, arrayPath);
        if (index === undefined) {
          throw new MongoCommandError(51246, "positional operator '.$' couldn't find a matching element in the array");
        }
        return index;
      },
    };
    return inclusion ? includeObject(doc, tree, ctx, true) : excludeObject(doc, tree, ctx);
  };
}
