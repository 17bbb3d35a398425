import { compileProjection } from '../../../src/embedded-db/query/projection';
import { toNumber } from '../../../src/embedded-db/query/values';
import type { Doc } from '../../../src/embedded-db/types';
import { errorOf } from './error-of';

const project = (projection: Doc | undefined, doc: Doc, query?: Doc): Doc =>
  compileProjection(projection, { query })(doc);

const doc = { _id: 1, a: 1, b: { c: 2, d: 3 }, e: [{ f: 1, g: 2 }, { f: 3, g: 4 }, 5], s: 'x' };

describe('inclusion and exclusion', () => {
  test('when no projection is given, then the document is returned whole', () => {
    expect(project(undefined, doc)).toEqual(doc);
    expect(project({}, doc)).toEqual(doc);
  });

  test('when fields are included, then only they and _id are returned, in document order', () => {
    expect(project({ s: 1, a: 1 }, doc)).toEqual({ _id: 1, a: 1, s: 'x' });
    expect(Object.keys(project({ s: 1, a: true }, doc))).toEqual(['_id', 'a', 's']);
    expect(project({ a: 1, _id: 0 }, doc)).toEqual({ a: 1 });
    expect(project({ _id: 1 }, doc)).toEqual({ _id: 1 });
  });

  test('when dotted fields are included, then subdocuments and arrays of documents are trimmed', () => {
    expect(project({ 'b.c': 1 }, doc)).toEqual({ _id: 1, b: { c: 2 } });
    expect(project({ 'e.f': 1 }, doc)).toEqual({ _id: 1, e: [{ f: 1 }, { f: 3 }] });
    expect(project({ b: { d: 1 } }, doc)).toEqual({ _id: 1, b: { d: 3 } });
    expect(project({ 'a.x': 1 }, doc)).toEqual({ _id: 1 });
  });

  test('when fields are excluded, then everything else is returned', () => {
    expect(project({ b: 0, e: 0 }, doc)).toEqual({ _id: 1, a: 1, s: 'x' });
    expect(project({ _id: 0 }, doc)).toEqual({ a: 1, b: { c: 2, d: 3 }, e: doc.e, s: 'x' });
    expect(project({ 'b.c': 0, 'e.g': 0 }, doc)).toEqual({
      _id: 1,
      a: 1,
      b: { d: 3 },
      e: [{ f: 1 }, { f: 3 }, 5],
      s: 'x',
    });
  });

  test('when inclusion and exclusion are mixed, then the documented errors', () => {
    const ex = errorOf(() => compileProjection({ a: 1, b: 0 }));
    expect(ex.code).toBe(31254);
    expect(ex.message).toBe('Cannot do exclusion on field b in inclusion projection');
    const inc = errorOf(() => compileProjection({ a: 0, b: 1 }));
    expect(inc.code).toBe(31253);
    expect(inc.message).toBe('Cannot do inclusion on field b in exclusion projection');
  });

  test('when paths collide, then an error', () => {
    expect(errorOf(() => compileProjection({ b: 1, 'b.c': 1 })).code).toBe(31250);
    expect(errorOf(() => compileProjection({ b: {} })).code).toBe(51270);
  });

  test('when the input document is projected, then it is not modified', () => {
    const input = { _id: 1, a: [1, 2, 3] };
    project({ a: { $slice: 1 } }, input);
    expect(input).toEqual({ _id: 1, a: [1, 2, 3] });
  });
});

describe('$slice', () => {
  const d = { _id: 1, a: [1, 2, 3, 4, 5], b: 'x', n: { arr: [1, 2, 3] } };

  test('when $slice is alone, then other fields are kept and the array is cut', () => {
    expect(project({ a: { $slice: 2 } }, d)).toEqual({ _id: 1, a: [1, 2], b: 'x', n: d.n });
    expect(project({ a: { $slice: -2 } }, d).a).toEqual([4, 5]);
    expect(project({ a: { $slice: [1, 2] } }, d).a).toEqual([2, 3]);
    expect(project({ a: { $slice: [-2, 5] } }, d).a).toEqual([4, 5]);
    expect(project({ a: { $slice: [10, 2] } }, d).a).toEqual([]);
    expect(project({ b: { $slice: 1 } }, d).b).toBe('x');
    expect(project({ 'n.arr': { $slice: 1 } }, d).n).toEqual({ arr: [1] });
  });

  test('when $slice is combined with an inclusion, then only included fields are returned', () => {
    expect(project({ a: { $slice: 1 }, b: 1 }, d)).toEqual({ _id: 1, a: [1], b: 'x' });
  });

  test('when the limit is not positive, then an error', () => {
    expect(errorOf(() => compileProjection({ a: { $slice: [1, 0] } })).code).toBe(28724);
  });
});

describe('$elemMatch and positional projections', () => {
  const d = {
    _id: 1,
    zip: 'z',
    students: [
      { name: 'a', school: 102 },
      { name: 'b', school: 100 },
      { name: 'c', school: 102 },
    ],
  };

  test('when $elemMatch is used, then the first matching element only (and _id) is returned', () => {
    expect(project({ students: { $elemMatch: { school: 102 } } }, d)).toEqual({
      _id: 1,
      students: [{ name: 'a', school: 102 }],
    });
    expect(project({ students: { $elemMatch: { school: 999 } } }, d)).toEqual({ _id: 1 });
    expect(project({ students: { $elemMatch: { school: 100 } }, zip: 1 }, d)).toEqual({
      _id: 1,
      zip: 'z',
      students: [{ name: 'b', school: 100 }],
    });
    expect(project({ n: { $elemMatch: { $gt: 2 } } }, { _id: 1, n: [1, 3, 4] })).toEqual({ _id: 1, n: [3] });
  });

  test('when $elemMatch is used on a nested field, then an error', () => {
    expect(() => compileProjection({ 'a.b': { $elemMatch: { x: 1 } } })).toThrow(/nested field/);
  });

  test('when field.$ is used with a query on the array, then the matched element is returned', () => {
    expect(project({ 'students.$': 1 }, d, { 'students.school': 100 })).toEqual({
      _id: 1,
      students: [{ name: 'b', school: 100 }],
    });
    expect(project({ 'g.$': 1 }, { _id: 1, g: [70, 87, 90] }, { g: { $gte: 85 } })).toEqual({ _id: 1, g: [87] });
  });

  test('when field.$ is used without a query, then a clear error', () => {
    expect(() => compileProjection({ 'a.$': 1 })).toThrow(/positional/);
  });
});

describe('expressions (MongoDB 4.4+)', () => {
  test('when a projection value is an expression, then it is computed from the document', () => {
    expect(toNumber(project({ total: { $add: ['$a', '$b.c'] } }, doc).total)).toBe(3);
    expect(project({ a: 1, copy: '$s' }, doc)).toEqual({ _id: 1, a: 1, copy: 'x' });
    expect(project({ lit: { $literal: 1 }, _id: 0 }, doc)).toEqual({ lit: 1 });
    expect(project({ 'n.x': '$a' }, doc)).toEqual({ _id: 1, n: { x: 1 } });
  });

  test('when an expression yields a missing value, then the field is left out', () => {
    expect(project({ x: '$nope' }, doc)).toEqual({ _id: 1 });
  });

  test('when $meta is used, then an error names it', () => {
    expect(() => compileProjection({ score: { $meta: 'textScore' } })).toThrow(/\$meta/);
  });
});
