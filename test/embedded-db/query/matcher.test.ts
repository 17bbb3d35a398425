import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { compileFilter, indexableConditions } from '../../../src/embedded-db/query/matcher';
import type { Doc } from '../../../src/embedded-db/types';
import { errorOf } from './error-of';

const matches = (filter: Doc, doc: Doc): boolean => compileFilter(filter)(doc);
const select = (filter: Doc, docs: Doc[]): unknown[] => docs.filter(compileFilter(filter)).map((d) => d._id);

describe('equality and array semantics', () => {
  test('when a field equals the value, then it matches; numbers match across types', () => {
    expect(matches({ a: 5 }, { a: new Int32(5) })).toBe(true);
    expect(matches({ a: new Long(5) }, { a: new Double(5) })).toBe(true);
    expect(matches({ a: Decimal128.fromString('5.0') }, { a: new Int32(5) })).toBe(true);
    expect(matches({ a: 5 }, { a: 6 })).toBe(false);
    expect(matches({ a: 'x' }, { a: 'x' })).toBe(true);
  });

  test('when the field is an array, then an element or the whole array may equal the value', () => {
    expect(matches({ a: 5 }, { a: [1, 5] })).toBe(true);
    expect(matches({ a: [1, 5] }, { a: [1, 5] })).toBe(true);
    expect(matches({ a: [1, 5] }, { a: [[1, 5], 2] })).toBe(true);
    expect(matches({ a: [5, 1] }, { a: [1, 5] })).toBe(false);
    expect(matches({ a: 1 }, { a: [[1]] })).toBe(false);
  });

  test('when a dotted path crosses arrays of documents, then any element may match', () => {
    const doc = { a: [{ b: 1 }, { b: [2, 3] }, 7] };
    expect(matches({ 'a.b': 1 }, doc)).toBe(true);
    expect(matches({ 'a.b': 3 }, doc)).toBe(true);
    expect(matches({ 'a.b': 7 }, doc)).toBe(false);
    expect(matches({ 'x.y.z': 1 }, { x: { y: { z: 1 } } })).toBe(true);
  });

  test('when a path component is numeric, then it indexes arrays and names fields', () => {
    expect(matches({ 'a.1': 5 }, { a: [4, 5] })).toBe(true);
    expect(matches({ 'a.0': 5 }, { a: [4, 5] })).toBe(false);
    expect(matches({ 'a.0.b': 1 }, { a: [{ b: 1 }] })).toBe(true);
    expect(matches({ 'a.0': 1 }, { a: { '0': 1 } })).toBe(true);
    expect(matches({ 'a.1.b': 2 }, { a: [{ b: 1 }, { b: 2 }] })).toBe(true);
  });

  test('when filtering on null, then missing and null fields match, and $ne: null the others', () => {
    const docs = [
      { _id: 1, a: null },
      { _id: 2 },
      { _id: 3, a: 0 },
      { _id: 4, a: [null, 1] },
      { _id: 5, a: [{ b: 1 }] },
    ];
    expect(select({ a: null }, docs)).toEqual([1, 2, 4]);
    expect(select({ a: { $ne: null } }, docs)).toEqual([3, 5]);
    expect(select({ 'a.b': null }, docs)).toEqual([1, 2, 3]);
    expect(matches({ 'a.b': null }, { a: [{ b: 1 }, { c: 1 }] })).toBe(true);
  });

  test('when a document literal is the value, then it matches only with the same fields in the same order', () => {
    expect(matches({ a: { x: 1, y: 2 } }, { a: { x: 1, y: 2 } })).toBe(true);
    expect(matches({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toBe(false);
    expect(matches({ a: { x: 1 } }, { a: [{ x: 1 }] })).toBe(true);
  });

  test('when ObjectIds and dates are compared, then by value', () => {
    const id = new ObjectId();
    expect(matches({ _id: new ObjectId(id.toHexString()) }, { _id: id })).toBe(true);
    expect(matches({ d: new Date(5) }, { d: new Date(5) })).toBe(true);
  });

  test('when a field is named like an Object.prototype member, then the prototype is not read', () => {
    expect(matches({ constructor: { $exists: true } }, {})).toBe(false);
    expect(matches({ toString: null }, {})).toBe(true);
  });
});

describe('comparison operators', () => {
  const docs = [
    { _id: 1, a: 1 },
    { _id: 2, a: new Long(5) },
    { _id: 3, a: 'x' },
    { _id: 4, a: [0, 10] },
    { _id: 5 },
    { _id: 6, a: null },
    { _id: 7, a: new Double(Number.NaN) },
  ];

  test('when ranges are used, then only values of the same type bracket match', () => {
    expect(select({ a: { $gt: 1 } }, docs)).toEqual([2, 4]);
    expect(select({ a: { $gte: 1 } }, docs)).toEqual([1, 2, 4]);
    expect(select({ a: { $lt: 5 } }, docs)).toEqual([1, 4]);
    expect(select({ a: { $lte: new Double(5) } }, docs)).toEqual([1, 2, 4]);
    expect(select({ a: { $gt: 'a' } }, docs)).toEqual([3]);
  });

  test('when an array is range-checked, then different elements may satisfy each bound', () => {
    expect(select({ a: { $gt: 5, $lt: 5 } }, docs)).toEqual([4]);
    expect(select({ a: { $elemMatch: { $gt: 5, $lt: 5 } } }, docs)).toEqual([]);
  });

  test('when comparing with null, then $gte/$lte match null and missing, $gt/$lt nothing', () => {
    expect(select({ a: { $gte: null } }, docs)).toEqual([5, 6]);
    expect(select({ a: { $lt: null } }, docs)).toEqual([]);
  });

  test('when comparing with MinKey or MaxKey, then every value is between them', () => {
    expect(select({ a: { $gt: new MinKey() } }, docs)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(select({ a: { $lt: new MaxKey() } }, docs)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(select({ a: { $gt: new MaxKey() } }, docs)).toEqual([]);
  });

  test('when NaN is involved, then it only equals NaN', () => {
    expect(select({ a: Number.NaN }, docs)).toEqual([7]);
    expect(select({ a: { $gte: Number.NaN } }, docs)).toEqual([7]);
    expect(select({ a: { $gt: Number.NaN } }, docs)).toEqual([]);
    expect(select({ a: { $lt: 100 } }, docs)).toEqual([1, 2, 4]);
  });

  test('when a Long beyond 2^53 is compared with a double, then exactly', () => {
    const doc = { a: Long.fromString('9007199254740993') };
    expect(matches({ a: { $gt: 9007199254740992 } }, doc)).toBe(true);
    expect(matches({ a: 9007199254740992 }, doc)).toBe(false);
  });

  test('when dates are compared, then by time', () => {
    const doc = { d: new Date('2024-05-01') };
    expect(matches({ d: { $gte: new Date('2024-01-01'), $lt: new Date('2025-01-01') } }, doc)).toBe(true);
    expect(matches({ d: { $gt: new Date('2024-06-01') } }, doc)).toBe(false);
  });
});

describe('$in, $nin, $all', () => {
  const docs = [{ _id: 1, a: 1 }, { _id: 2, a: [2, 3] }, { _id: 3, a: 'abc' }, { _id: 4 }];

  test('when $in lists values, then any value or element equal to one matches', () => {
    expect(select({ a: { $in: [new Int32(1), 3] } }, docs)).toEqual([1, 2]);
    expect(select({ a: { $in: [/^ab/] } }, docs)).toEqual([3]);
    expect(select({ a: { $in: [null] } }, docs)).toEqual([4]);
    expect(select({ a: { $in: [] } }, docs)).toEqual([]);
  });

  test('when $nin lists values, then documents with none of them match, including missing', () => {
    expect(select({ a: { $nin: [1, 3] } }, docs)).toEqual([3, 4]);
  });

  test('when $all lists values, then the array must hold every one', () => {
    expect(matches({ a: { $all: [2, 3] } }, { a: [3, 1, 2] })).toBe(true);
    expect(matches({ a: { $all: [2, 4] } }, { a: [3, 1, 2] })).toBe(false);
    expect(matches({ a: { $all: [1] } }, { a: 1 })).toBe(true);
    expect(matches({ a: { $all: [] } }, { a: [1] })).toBe(false);
    expect(matches({ a: { $all: [[1, 2]] } }, { a: [1, 2] })).toBe(true);
    expect(
      matches({ a: { $all: [{ $elemMatch: { x: 1 } }, { $elemMatch: { y: 2 } }] } }, { a: [{ x: 1 }, { y: 2 }] }),
    ).toBe(true);
  });

  test('when $in is not an array, then BadValue', () => {
    expect(errorOf(() => compileFilter({ a: { $in: 5 } })).code).toBe(2);
    expect(errorOf(() => compileFilter({ a: { $in: [{ $gt: 1 }] } })).message).toMatch(/\$in/);
    expect(errorOf(() => compileFilter({ a: { $all: 5 } })).message).toBe('$all needs an array');
  });
});

describe('$exists, $type, $size, $mod', () => {
  test('when $exists is used, then presence decides, null counts as present', () => {
    const docs = [{ _id: 1, a: null }, { _id: 2 }, { _id: 3, a: [] }, { _id: 4, a: [{ b: 1 }] }];
    expect(select({ a: { $exists: true } }, docs)).toEqual([1, 3, 4]);
    expect(select({ a: { $exists: false } }, docs)).toEqual([2]);
    expect(select({ 'a.b': { $exists: true } }, docs)).toEqual([4]);
    expect(select({ a: { $exists: 0 } }, docs)).toEqual([2]);
  });

  test('when $type names a BSON type, then values of that type match, distinguishing number types', () => {
    const docs = [
      { _id: 1, a: new Int32(1) },
      { _id: 2, a: new Double(1) },
      { _id: 3, a: new Long(1) },
      { _id: 4, a: Decimal128.fromString('1') },
      { _id: 5, a: new ObjectId() },
      { _id: 6, a: [1, 'x'] },
      { _id: 7, a: null },
      { _id: 8 },
    ];
    expect(select({ a: { $type: 'int' } }, docs)).toEqual([1, 6]);
    expect(select({ a: { $type: 'double' } }, docs)).toEqual([2]);
    expect(select({ a: { $type: 'long' } }, docs)).toEqual([3]);
    expect(select({ a: { $type: 'decimal' } }, docs)).toEqual([4]);
    expect(select({ a: { $type: 'number' } }, docs)).toEqual([1, 2, 3, 4, 6]);
    expect(select({ a: { $type: 'objectId' } }, docs)).toEqual([5]);
    expect(select({ a: { $type: 7 } }, docs)).toEqual([5]);
    expect(select({ a: { $type: 'array' } }, docs)).toEqual([6]);
    expect(select({ a: { $type: 'string' } }, docs)).toEqual([6]);
    expect(select({ a: { $type: ['null', 'long'] } }, docs)).toEqual([3, 7]);
    expect(errorOf(() => compileFilter({ a: { $type: 'nope' } })).message).toBe('Unknown type name alias: nope');
    expect(errorOf(() => compileFilter({ a: { $type: 42 } })).code).toBe(2);
  });

  test('when $size is used, then arrays of that length match', () => {
    expect(matches({ a: { $size: 2 } }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: { $size: 1 } }, { a: [1, 2] })).toBe(false);
    expect(matches({ a: { $size: 0 } }, { a: [] })).toBe(true);
    expect(matches({ a: { $size: 2 } }, { a: [[1, 2]] })).toBe(false);
    expect(matches({ 'a.b': { $size: 2 } }, { a: [{ b: [1, 2] }] })).toBe(true);
    expect(matches({ a: { $size: 1 } }, { a: 5 })).toBe(false);
    expect(errorOf(() => compileFilter({ a: { $size: -1 } })).code).toBe(2);
    expect(errorOf(() => compileFilter({ a: { $size: 1.5 } })).code).toBe(2);
  });

  test('when $mod is used, then the truncated remainder must equal', () => {
    expect(matches({ a: { $mod: [4, 1] } }, { a: 9 })).toBe(true);
    expect(matches({ a: { $mod: [4, 1] } }, { a: 9.9 })).toBe(true);
    expect(matches({ a: { $mod: [4, -1] } }, { a: -9 })).toBe(true);
    expect(matches({ a: { $mod: [4, 1] } }, { a: new Long(13) })).toBe(true);
    expect(matches({ a: { $mod: [4, 1] } }, { a: '9' })).toBe(false);
    expect(errorOf(() => compileFilter({ a: { $mod: [0, 1] } })).message).toBe('divisor cannot be 0');
    expect(errorOf(() => compileFilter({ a: { $mod: [4] } })).message).toMatch(/not enough elements/);
  });

  test('when bitwise operators are used, then bits of integers and BinData are tested', () => {
    expect(matches({ a: { $bitsAllSet: [0, 2] } }, { a: 5 })).toBe(true);
    expect(matches({ a: { $bitsAllSet: 6 } }, { a: 5 })).toBe(false);
    expect(matches({ a: { $bitsAnySet: 6 } }, { a: 5 })).toBe(true);
    expect(matches({ a: { $bitsAllClear: [1] } }, { a: 5 })).toBe(true);
    expect(matches({ a: { $bitsAnyClear: [0, 2] } }, { a: 5 })).toBe(false);
    expect(matches({ a: { $bitsAllSet: [63] } }, { a: -1 })).toBe(true);
    expect(matches({ a: { $bitsAllSet: [1] } }, { a: new Binary(Buffer.from([2])) })).toBe(true);
    expect(matches({ a: { $bitsAllSet: [0] } }, { a: 1.5 })).toBe(false);
  });
});

describe('regular expressions', () => {
  test('when a regex value or $regex is used, then strings are matched', () => {
    expect(matches({ a: /^ab/ }, { a: 'abc' })).toBe(true);
    expect(matches({ a: new BSONRegExp('^AB', 'i') }, { a: 'abc' })).toBe(true);
    expect(matches({ a: { $regex: '^AB', $options: 'i' } }, { a: 'abc' })).toBe(true);
    expect(matches({ a: { $regex: /^AB/i } }, { a: ['x', 'abc'] })).toBe(true);
    expect(matches({ a: { $regex: '^b' } }, { a: 'abc' })).toBe(false);
    expect(matches({ a: { $regex: 'a' } }, { a: 5 })).toBe(false);
  });

  test('when options m, s and x are given, then they behave like PCRE', () => {
    expect(matches({ a: { $regex: '^b', $options: 'm' } }, { a: 'a\nb' })).toBe(true);
    expect(matches({ a: { $regex: 'a.b', $options: 's' } }, { a: 'a\nb' })).toBe(true);
    expect(matches({ a: { $regex: 'a b # comment', $options: 'x' } }, { a: 'ab' })).toBe(true);
  });

  test('when a stored value is a regex, then only an identical regex matches it', () => {
    expect(matches({ a: /x/ }, { a: new BSONRegExp('x', '') })).toBe(true);
    expect(matches({ a: { $eq: new BSONRegExp('x', '') } }, { a: new BSONRegExp('x', '') })).toBe(true);
    expect(matches({ a: { $eq: new BSONRegExp('x', '') } }, { a: 'x' })).toBe(false);
  });

  test('when the regex is malformed, then an error names it', () => {
    expect(errorOf(() => compileFilter({ a: { $regex: '(' } })).code).toBe(51091);
    expect(errorOf(() => compileFilter({ a: { $regex: 'a', $options: 'q' } })).code).toBe(51108);
    expect(errorOf(() => compileFilter({ a: { $regex: 5 } })).message).toBe('$regex has to be a string');
    expect(errorOf(() => compileFilter({ a: { $options: 'i' } })).message).toBe('$options needs a $regex');
  });
});

describe('$elemMatch', () => {
  test('when the value form is used, then one element must satisfy every condition', () => {
    expect(matches({ a: { $elemMatch: { $gte: 80, $lt: 85 } } }, { a: [82, 90] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $gte: 80, $lt: 85 } } }, { a: [79, 90] })).toBe(false);
    expect(matches({ a: { $elemMatch: { $gte: 80 } } }, { a: 90 })).toBe(false);
  });

  test('when the document form is used, then one element document must match the whole query', () => {
    const doc = {
      r: [
        { p: 'x', s: 8 },
        { p: 'y', s: 7 },
      ],
    };
    expect(matches({ r: { $elemMatch: { p: 'x', s: { $gte: 8 } } } }, doc)).toBe(true);
    expect(matches({ r: { $elemMatch: { p: 'y', s: { $gte: 8 } } } }, doc)).toBe(false);
    expect(matches({ r: { $elemMatch: { $or: [{ p: 'z' }, { s: 7 }] } } }, doc)).toBe(true);
    expect(matches({ r: { $elemMatch: {} } }, doc)).toBe(true);
    expect(matches({ r: { $elemMatch: {} } }, { r: [1, 2] })).toBe(false);
  });

  test('when $elemMatch is nested, then arrays of arrays can be matched', () => {
    expect(matches({ a: { $elemMatch: { $elemMatch: { $gt: 5 } } } }, { a: [[1], [6]] })).toBe(true);
  });
});

describe('logical operators', () => {
  const docs = [
    { _id: 1, a: 1, b: 1 },
    { _id: 2, a: 2, b: 1 },
    { _id: 3, a: 3 },
  ];

  test('when $and, $or, $nor combine clauses, then they behave as documented', () => {
    expect(select({ $and: [{ a: { $gt: 1 } }, { b: 1 }] }, docs)).toEqual([2]);
    expect(select({ $or: [{ a: 1 }, { a: 3 }] }, docs)).toEqual([1, 3]);
    expect(select({ $nor: [{ a: 1 }, { b: 1 }] }, docs)).toEqual([3]);
    expect(select({ a: { $gt: 1 }, $or: [{ b: { $exists: false } }] }, docs)).toEqual([3]);
  });

  test('when $not wraps an operator or a regex, then the result is negated (missing fields match)', () => {
    expect(select({ a: { $not: { $gt: 1 } } }, docs)).toEqual([1]);
    expect(select({ b: { $not: { $eq: 1 } } }, docs)).toEqual([3]);
    expect(matches({ a: { $not: /^x/ } }, { a: 'yes' })).toBe(true);
    expect(errorOf(() => compileFilter({ a: { $not: 5 } })).message).toBe('$not needs a regex or a document');
    expect(errorOf(() => compileFilter({ a: { $not: {} } })).message).toBe('$not cannot be empty');
  });

  test('when logical operators are malformed, then BadValue', () => {
    expect(errorOf(() => compileFilter({ $or: [] })).code).toBe(2);
    expect(errorOf(() => compileFilter({ $and: {} })).code).toBe(2);
    expect(errorOf(() => compileFilter({ $or: [1] })).code).toBe(2);
  });

  test('when $comment, $alwaysTrue or $alwaysFalse are given, then they act as documented', () => {
    expect(select({ $comment: 'hi', a: 1 }, docs)).toEqual([1]);
    expect(select({ $alwaysFalse: 1 }, docs)).toEqual([]);
    expect(select({ $alwaysTrue: 1 }, docs)).toEqual([1, 2, 3]);
  });

  test('when the filter is empty, then everything matches', () => {
    expect(select({}, docs)).toEqual([1, 2, 3]);
  });
});

describe('unknown and unsupported operators', () => {
  test('when a top-level operator is unknown, then BadValue names it', () => {
    const err = errorOf(() => compileFilter({ $foo: 1 }));
    expect(err.code).toBe(2);
    expect(err.message).toBe('unknown top level operator: $foo');
  });

  test('when a field operator is unknown, then BadValue names it', () => {
    const err = errorOf(() => compileFilter({ a: { $foo: 1 } }));
    expect(err.code).toBe(2);
    expect(err.message).toBe('unknown operator: $foo');
    expect(errorOf(() => compileFilter({ a: { $gt: 1, b: 1 } })).message).toBe('unknown operator: b');
  });

  test.each(['$where', '$text', '$jsonSchema'])('when %s is used, then an error says it is not supported', (op) => {
    const err = errorOf(() => compileFilter({ [op]: {} }));
    expect(err.code).toBe(2);
    expect(err.message).toContain(op);
  });

  test.each(['$near', '$geoWithin', '$geoIntersects', '$nearSphere'])(
    'when %s is used, then an error names it',
    (op) => {
      expect(errorOf(() => compileFilter({ loc: { [op]: {} } })).message).toContain(op);
    },
  );
});

describe('$expr', () => {
  test('when $expr compares two fields, then the aggregation expression decides', () => {
    const docs = [
      { _id: 1, spent: 5, budget: 10 },
      { _id: 2, spent: 15, budget: 10 },
    ];
    expect(select({ $expr: { $gt: ['$spent', '$budget'] } }, docs)).toEqual([2]);
  });

  test('when $expr uses a let variable, then it is visible', () => {
    const pred = compileFilter({ $expr: { $eq: ['$a', '$$x'] } }, { variables: { x: 3 } });
    expect(pred({ a: 3 })).toBe(true);
    expect(pred({ a: 4 })).toBe(false);
  });
});

describe('indexableConditions', () => {
  test('when fields have equality or range conditions, then they are reported', () => {
    const conds = indexableConditions({ a: 1, b: { $in: [1, 2] }, c: { $gte: 3 }, d: { $lt: 4 }, e: { $eq: 'x' } });
    expect(conds.get('a')).toEqual({ eq: [1] });
    expect(conds.get('b')).toEqual({ eq: [1, 2] });
    expect(conds.get('c')).toEqual({ gt: { value: 3, inclusive: true } });
    expect(conds.get('d')).toEqual({ lt: { value: 4, inclusive: false } });
    expect(conds.get('e')).toEqual({ eq: ['x'] });
  });

  test('when conditions sit under $and, then they count; under $or, $nor, $not, $expr they do not', () => {
    const conds = indexableConditions({
      $and: [{ a: 1 }, { 'b.c': { $gt: 2 } }],
      $or: [{ x: 1 }],
      $nor: [{ y: 1 }],
      z: { $not: { $eq: 1 } },
      $expr: { $eq: ['$w', 1] },
    });
    expect([...conds.keys()].sort()).toEqual(['a', 'b.c']);
  });

  test('when a field has both bounds, then both are reported for the planner to intersect on non-multikey indexes', () => {
    const c = indexableConditions({ a: { $gt: 5, $lte: 10 } }).get('a');
    expect(c).toEqual({ gt: { value: 5, inclusive: false }, lt: { value: 10, inclusive: true } });
  });

  test('when values cannot be served by an index, then nothing is reported', () => {
    const conds = indexableConditions({
      a: null,
      b: /x/,
      c: { $exists: true },
      d: { $type: 'string' },
      e: [1, 2],
      f: { $in: [1, /x/] },
      g: { $gt: new MinKey() },
    });
    expect(conds.size).toBe(0);
  });
});

describe('documents as the server stores them', () => {
  test('when filter and document come through BSON without promotion, then numbers still match across types', () => {
    const { serialize, deserialize } = jest.requireActual<typeof import('bson')>('bson');
    const { DESERIALIZE_OPTIONS } = jest.requireActual<typeof import('../../../src/embedded-db/types')>(
      '../../../src/embedded-db/types',
    );
    const roundTrip = (d: Doc): Doc => deserialize(serialize(d), DESERIALIZE_OPTIONS) as Doc;
    const doc = roundTrip({ qty: 5, price: 2.5, big: Long.fromString('9007199254740993'), tags: ['a', 'b'] });
    expect(doc.qty).toBeInstanceOf(Int32);
    expect(matches(roundTrip({ qty: 5 }), doc)).toBe(true);
    expect(matches(roundTrip({ qty: { $gte: new Double(5) }, price: { $lt: 3 } }), doc)).toBe(true);
    expect(matches(roundTrip({ big: { $gt: 9007199254740992 } }), doc)).toBe(true);
    expect(matches(roundTrip({ tags: { $in: ['b'] }, qty: { $type: 'int' } }), doc)).toBe(true);
    expect(matches(roundTrip({ price: /x/ }), doc)).toBe(false);
  });
});
