import { Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { MongoCommandError } from '../../../src/embedded-db/errors';
import { compileSort } from '../../../src/embedded-db/query/sort';
import type { Doc } from '../../../src/embedded-db/types';

function order(sort: Doc, docs: Doc[]): unknown[] {
  const cmp = compileSort(sort);
  if (!cmp) throw new Error('expected a comparator');
  return [...docs].sort(cmp).map((d) => d._id);
}

describe('compileSort', () => {
  test('when no sort or an empty sort is given, then there is no comparator', () => {
    expect(compileSort(undefined)).toBeUndefined();
    expect(compileSort({})).toBeUndefined();
  });

  test('when numbers of mixed types are sorted, then by numeric value', () => {
    const docs = [
      { _id: 'l', n: Long.fromString('9007199254740993') },
      { _id: 'd', n: new Double(2.5) },
      { _id: 'i', n: new Int32(3) },
      { _id: 'm', n: Decimal128.fromString('-1') },
      { _id: 'f', n: new Double(9007199254740992) },
    ];
    expect(order({ n: 1 }, docs)).toEqual(['m', 'd', 'i', 'f', 'l']);
    expect(order({ n: -1 }, docs)).toEqual(['l', 'f', 'i', 'd', 'm']);
  });

  test('when types differ, then the BSON type order applies and missing sorts as null', () => {
    const docs = [
      { _id: 'str', v: 'a' },
      { _id: 'num', v: 1 },
      { _id: 'null', v: null },
      { _id: 'missing' },
      { _id: 'oid', v: new ObjectId() },
      { _id: 'bool', v: true },
      { _id: 'date', v: new Date(0) },
      { _id: 'obj', v: { a: 1 } },
      { _id: 'max', v: new MaxKey() },
      { _id: 'min', v: new MinKey() },
    ];
    expect(order({ v: 1 }, docs)).toEqual([
      'min',
      'null',
      'missing',
      'num',
      'str',
      'obj',
      'oid',
      'bool',
      'date',
      'max',
    ]);
  });

  test('when a field is an array, then ascending uses its smallest element and descending its largest', () => {
    const docs = [
      { _id: 'a', v: [1, 9] },
      { _id: 'b', v: 5 },
      { _id: 'c', v: [3, 4] },
    ];
    expect(order({ v: 1 }, docs)).toEqual(['a', 'c', 'b']);
    expect(order({ v: -1 }, docs)).toEqual(['a', 'b', 'c']);
  });

  test('when an array is empty, then it sorts before null ascending and last descending', () => {
    const docs = [
      { _id: 'empty', v: [] },
      { _id: 'null', v: null },
      { _id: 'one', v: 1 },
    ];
    expect(order({ v: 1 }, docs)).toEqual(['empty', 'null', 'one']);
    expect(order({ v: -1 }, docs)).toEqual(['one', 'null', 'empty']);
  });

  test('when sorting by a dotted path through an array of documents, then every element value counts', () => {
    const docs = [
      { _id: 'x', a: [{ b: 5 }, { b: 1 }] },
      { _id: 'y', a: { b: 3 } },
      { _id: 'z', a: [{ b: 2 }, { c: 1 }] },
    ];
    // z holds a missing b (null), which is the smallest key.
    expect(order({ 'a.b': 1 }, docs)).toEqual(['z', 'x', 'y']);
    expect(order({ 'a.b': -1 }, docs)).toEqual(['x', 'y', 'z']);
  });

  test('when several keys are given, then later keys break ties and equal documents keep their order', () => {
    const docs = [
      { _id: 1, a: 1, b: 2 },
      { _id: 2, a: 0, b: 9 },
      { _id: 3, a: 1, b: 1 },
      { _id: 4, a: 1, b: 1 },
    ];
    expect(order({ a: -1, b: 1 }, docs)).toEqual([3, 4, 1, 2]);
  });

  test('when strings are sorted, then by binary order (uppercase first)', () => {
    const docs = [
      { _id: 1, s: 'b' },
      { _id: 2, s: 'B' },
      { _id: 3, s: 'a' },
    ];
    expect(order({ s: 1 }, docs)).toEqual([2, 3, 1]);
  });

  test('when the direction is invalid or $meta is used, then an error', () => {
    expect(() => compileSort({ a: 2 })).toThrow(MongoCommandError);
    expect(() => compileSort({ a: 'asc' })).toThrow(/1 \(for ascending\)/);
    expect(() => compileSort({ s: { $meta: 'textScore' } })).toThrow(/\$meta/);
    expect(() => compileSort({ $foo: 1 })).toThrow(MongoCommandError);
  });

  test('when the direction is a bson number, then it is accepted', () => {
    expect(
      order({ a: new Int32(-1) }, [
        { _id: 1, a: 1 },
        { _id: 2, a: 2 },
      ]),
    ).toEqual([2, 1]);
  });
});
