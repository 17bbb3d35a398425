/**
 * The document-reshaping specifications of aggregation: $project (inclusion or exclusion, plus computed fields),
 * $addFields/$set (computed fields merged into the document) and $unset (exclusion).
 *
 * A specification is parsed once into a tree keyed by path component (`{'a.b': 1}` and `{a: {b: 1}}` give the
 * same tree). Through an array, a sub-tree applies to each element, as in mongod. Expressions are always
 * evaluated against the whole input document, never the sub-document they land in.
 */
import { MongoCommandError } from '../errors';
import { setField } from '../query/values';
import type { Doc } from '../types';
import { isPlainObject, truthy } from './expr-support';
import { type ExprContext, evaluate } from './expressions';
import { isNumeric } from './numeric';

type Node =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'expr'; expr: unknown }
  | { kind: 'tree'; children: Map<string, Node> };
type Tree = Extract<Node, { kind: 'tree' }>;

type Mode = 'project' | 'addFields';

function isOperatorObject(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v)[0].startsWith('$');
}

/** What a leaf of a specification means: in $project numbers and booleans include/exclude; in $addFields everything is an expression. */
function leafNode(value: unknown, mode: Mode): Node {
  if (mode === 'project' && (typeof value === 'boolean' || isNumeric(value))) {
    return truthy(value) ? { kind: 'include' } : { kind: 'exclude' };
  }
  return { kind: 'expr', expr: value };
}

function checkFieldName(stage: string, name: string, path: string): void {
  if (name === '')
    throw new MongoCommandError(
      40352,
      `Invalid ${stage} :: caused by :: FieldPath cannot be constructed with empty string`,
    );
  if (name.startsWith('$')) {
    throw new MongoCommandError(
      16410,
      `Invalid ${stage} :: caused by :: FieldPath field names may not start with '$'. Consider using $getField or $setField. ('${path}')`,
    );
  }
}

function parseTree(spec: Doc, mode: Mode, stage: string, prefix: string, tree: Tree): void {
  for (const [key, value] of Object.entries(spec)) {
    const parts = key.split('.');
    let node = tree;
    for (const part of parts) checkFieldName(stage, part, prefix + key);
    for (let i = 0; i < parts.length - 1; i++) {
      let child = node.children.get(parts[i]);
      if (child === undefined) {
        child = { kind: 'tree', children: new Map() };
        node.children.set(parts[i], child);
      } else if (child.kind !== 'tree') {
        throw new MongoCommandError(31250, `Invalid ${stage} :: caused by :: Path collision at ${prefix}${key}`);
      }
      node = child;
    }
    const last = parts[parts.length - 1];
    const path = prefix + key;
    if (isPlainObject(value) && !isOperatorObject(value)) {
      if (Object.keys(value).length === 0) {
        if (mode === 'addFields') {
          setChild(node, last, { kind: 'expr', expr: {} }, stage, path);
          continue;
        }
        throw new MongoCommandError(
          51270,
          `Invalid ${stage} :: caused by :: An empty sub-projection is not a valid value. Found empty object at path ${path}`,
        );
      }
      let child = node.children.get(last);
      if (child === undefined) {
        child = { kind: 'tree', children: new Map() };
        node.children.set(last, child);
      } else if (child.kind !== 'tree') {
        throw new MongoCommandError(31250, `Invalid ${stage} :: caused by :: Path collision at ${path}`);
      }
      parseTree(value, mode, stage, `${path}.`, child);
    } else {
      setChild(node, last, leafNode(value, mode), stage, path);
    }
  }
}

function setChild(tree: Tree, name: string, node: Node, stage: string, path: string): void {
  if (tree.children.has(name))
    throw new MongoCommandError(31250, `Invalid ${stage} :: caused by :: Path collision at ${path}`);
  tree.children.set(name, node);
}

// ---------------------------------------------------------------------------------------------------------
// Computed fields (shared by $project and $addFields)
// ---------------------------------------------------------------------------------------------------------

function hasComputed(node: Node): boolean {
  if (node.kind === 'expr') return true;
  return node.kind === 'tree' && [...node.children.values()].some(hasComputed);
}

/**
 * Sets the computed fields of `tree` into `target` (already a copy). A sub-tree landing on an array applies
 * to each element; on anything that is not a document it starts from an empty document.
 */
function applyComputed(target: Doc, tree: Tree, ctx: ExprContext): void {
  for (const [name, node] of tree.children) {
    if (node.kind === 'expr') {
      const value = evaluate(node.expr, ctx);
      // $$REMOVE (a missing result) leaves the field out.
      if (value === undefined) delete target[name];
      else setField(target, name, value);
    } else if (node.kind === 'tree' && hasComputed(node)) {
      setField(target, name, computedInto(Object.hasOwn(target, name) ? target[name] : undefined, node, ctx));
    }
  }
}

function computedInto(value: unknown, tree: Tree, ctx: ExprContext): unknown {
  if (Array.isArray(value)) return value.map((element) => computedInto(element, tree, ctx));
  const out: Doc = isPlainObject(value) ? { ...value } : {};
  applyComputed(out, tree, ctx);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Inclusion and exclusion
// ---------------------------------------------------------------------------------------------------------

function hasInclusion(node: Node): boolean {
  if (node.kind === 'include') return true;
  return node.kind === 'tree' && [...node.children.values()].some(hasInclusion);
}

/** Keeps the included fields, in the document's own order; computed fields are added afterwards. */
function applyInclusion(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const [name, value] of Object.entries(doc)) {
    const node = tree.children.get(name);
    if (node === undefined) continue;
    if (node.kind === 'include') setField(out, name, value);
    else if (node.kind === 'tree' && (hasInclusion(node) || hasComputed(node))) {
      const projected = includeValue(value, node);
      if (projected !== undefined) setField(out, name, projected);
    }
  }
  return out;
}

function includeValue(value: unknown, tree: Tree): unknown {
  if (isPlainObject(value)) return applyInclusion(value, tree);
  // Inside arrays, documents are projected and scalars dropped; a scalar field under a sub-projection is dropped too.
  if (Array.isArray(value))
    return value.filter((e) => isPlainObject(e) || Array.isArray(e)).map((e) => includeValue(e, tree));
  return undefined;
}

function applyExclusion(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const [name, value] of Object.entries(doc)) {
    const node = tree.children.get(name);
    // `_id: 1` may appear in an exclusion projection; it just keeps _id.
    if (node === undefined || node.kind === 'include') setField(out, name, value);
    else if (node.kind === 'tree') setField(out, name, excludeValue(value, node));
  }
  return out;
}

function excludeValue(value: unknown, tree: Tree): unknown {
  if (isPlainObject(value)) return applyExclusion(value, tree);
  if (Array.isArray(value)) return value.map((e) => excludeValue(e, tree));
  return value;
}

/** Finds the first leaf that contradicts the projection's mode, for mongod's error message. */
function findLeaf(tree: Tree, prefix: string, test: (n: Node) => boolean): string | undefined {
  for (const [name, node] of tree.children) {
    const path = prefix + name;
    if (node.kind === 'tree') {
      const found = findLeaf(node, `${path}.`, test);
      if (found) return found;
    } else if (test(node) && path !== '_id') {
      return path;
    }
  }
  return undefined;
}

function nodeAt(tree: Tree, path: string): Node | undefined {
  let node: Node | undefined = tree;
  for (const part of path.split('.')) node = node?.kind === 'tree' ? node.children.get(part) : undefined;
  return node;
}

export type DocTransform = (doc: Doc, ctx: ExprContext) => Doc;

export function compileProject(spec: unknown): DocTransform {
  if (!isPlainObject(spec)) throw new MongoCommandError(15969, '$project specification must be an object');
  if (Object.keys(spec).length === 0) {
    throw new MongoCommandError(
      51272,
      'Invalid $project :: caused by :: projection specification must have at least one field',
    );
  }
  const tree: Tree = { kind: 'tree', children: new Map() };
  parseTree(spec, 'project', '$project', '', tree);
  // As in mongod, the first field (other than _id) decides the kind of projection; a later field of the
  // other kind is the error.
  const first = findLeaf(tree, '', () => true);
  const firstNode = first === undefined ? tree.children.get('_id') : nodeAt(tree, first);
  const idNode = tree.children.get('_id');
  if (firstNode?.kind === 'exclude') {
    const included = findLeaf(tree, '', (n) => n.kind === 'include');
    if (included)
      throw new MongoCommandError(
        31253,
        `Invalid $project :: caused by :: Cannot do inclusion on field ${included} in exclusion projection`,
      );
    const computed = findLeaf(tree, '', (n) => n.kind === 'expr');
    if (computed)
      throw new MongoCommandError(
        31252,
        `Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection`,
      );
    return (doc) => applyExclusion(doc, tree);
  }
  const excluded = findLeaf(tree, '', (n) => n.kind === 'exclude');
  if (excluded)
    throw new MongoCommandError(
      31254,
      `Invalid $project :: caused by :: Cannot do exclusion on field ${excluded} in inclusion projection`,
    );
  // Inclusion projection: _id is kept unless excluded explicitly.
  if (idNode === undefined) tree.children.set('_id', { kind: 'include' });
  if (idNode?.kind === 'exclude') tree.children.delete('_id');
  return (doc, ctx) => {
    const out = applyInclusion(doc, tree);
    applyComputed(out, tree, ctx);
    return out;
  };
}

export function compileAddFields(spec: unknown, stage: string): DocTransform {
  if (!isPlainObject(spec))
    throw new MongoCommandError(40272, `${stage} specification stage must be an object, got ${typeof spec}`);
  const tree: Tree = { kind: 'tree', children: new Map() };
  parseTree(spec, 'addFields', stage, '', tree);
  return (doc, ctx) => {
    const out: Doc = { ...doc };
    applyComputed(out, tree, ctx);
    return out;
  };
}

export function compileUnset(spec: unknown): DocTransform {
  const fields = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== 'string')) {
    throw new MongoCommandError(
      31002,
      '$unset specification must be a string or an array containing only string values',
    );
  }
  const tree: Tree = { kind: 'tree', children: new Map() };
  parseTree(Object.fromEntries(fields.map((f) => [f, 0])), 'project', '$unset', '', tree);
  return (doc) => applyExclusion(doc, tree);
}
