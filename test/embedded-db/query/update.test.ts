import { Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';
import { applyUpdate, isOperatorUpdate, type UpdateContext, upsertSeed } from '../../../src/embedded-db/query/update';
import type { Doc } from '../../../src/embedded-db/types';
import { errorOf } from './error-of';

const now = new Date('2024-01-02T03:04:05Z');
const ctx = (extra: Partial<UpdateContext> = {}): UpdateContext => ({ isUpsertInsert: false, now, ...extra });
const update = (doc: Doc, u: Doc | Doc[], extra: Partial<UpdateContext> = {}) => applyUpdate(doc, u, ctx(extra));
const result = (doc: Doc, u: Doc | Doc[], extra: Partial<UpdateContext> = {}): Doc => update(doc, u, extra).doc;

describe('isOperatorUpdate', () => {
  test('when keys start with $, then it is an operator update', () => {
    expect(isOperatorUpdate({ $set: { a: 1 } })).toBe(true);
    expect(isOperatorUpdate({ a: 1 })).toBe(false);
    expect(isOperatorUpdate({})).toBe(false);
  });
});

describe('$set and $unset', () => {
  test('when fields are set, then a new document is returned and the input is untouched', () => {
    const input = { _id: 1, a: 1, b: { c: 1 } };
    const out = update(input, { $set: { a: 2, 'b.d': 3, 'x.y.z': 4 } });
    expect(out.doc).toEqual({ _id: 1, a: 2, b: { c: 1, d: 3 }, x: { y: { z: 4 } } });
    expect(out.changed).toBe(true);
    expect(input).toEqual({ _id: 1, a: 1, b: { c: 1 } });
  });

  test('when the value set is the same, then changed is false', () => {
    expect(update({ _id: 1, a: 1 }, { $set: { a: 1 } }).changed).toBe(false);
    expect(update({ _id: 1, a: new Int32(1) }, { $set: { a: new Double(1) } }).changed).toBe(true);
  });

  test('when new fields are created, then they appear in sorted path order, as mongod does', () => {
    expect(Object.keys(result({ _id: 1 }, { $set: { b: 1, a: 1 } }))).toEqual(['_id', 'a', 'b']);
  });

  test('when an array index is set, then the element changes, and past the end nulls pad the array', () => {
    expect(result({ _id: 1, a: [1, 2] }, { $set: { 'a.1': 9 } }).a).toEqual([1, 9]);
    expect(result({ _id: 1, a: [1] }, { $set: { 'a.3': 9 } }).a).toEqual([1, null, null, 9]);
    expect(result({ _id: 1, a: [{ b: 1 }] }, { $set: { 'a.0.c': 2 } }).a).toEqual([{ b: 1, c: 2 }]);
  });

  test('when a path runs through a scalar, then PathNotViable', () => {
    const err = errorOf(() => update({ _id: 1, a: 5 }, { $set: { 'a.b': 1 } }));
    expect(err.code).toBe(28);
    expect(errorOf(() => update({ _id: 1, a: [1] }, { $set: { 'a.x': 1 } })).code).toBe(28);
  });

  test('when fields are unset, then they are removed; array elements become null', () => {
    expect(result({ _id: 1, a: 1, b: 2 }, { $unset: { a: '' } })).toEqual({ _id: 1, b: 2 });
    expect(result({ _id: 1, a: [1, 2] }, { $unset: { 'a.0': 1 } })).toEqual({ _id: 1, a: [null, 2] });
    expect(update({ _id: 1 }, { $unset: { 'x.y': 1 } }).changed).toBe(false);
  });
});

describe('$inc and $mul', () => {
  test('when an int is incremented, then it stays an int; overflow promotes to long', () => {
    const out = result({ _id: 1, n: new Int32(5) }, { $inc: { n: new Int32(-5) } });
    expect(out.n).toEqual(new Int32(0));
    expect(result({ _id: 1, n: new Int32(2147483647) }, { $inc: { n: new Int32(1) } }).n).toEqual(
      Long.fromString('2147483648'),
    );
  });

  test('when a Long or Decimal128 is incremented, then its type is kept', () => {
    const l = result({ _id: 1, n: Long.fromString('9007199254740993') }, { $inc: { n: new Int32(1) } }).n as Long;
    expect(l).toBeInstanceOf(Long);
    expect(l.toString()).toBe('9007199254740994');
    const d = result({ _id: 1, n: Decimal128.fromString('0.1') }, { $inc: { n: Decimal128.fromString('0.2') } }).n;
    expect(String(d)).toBe('0.3');
  });

  test('when the field is missing, then $inc sets the increment and $mul sets zero of its type', () => {
    expect(result({ _id: 1 }, { $inc: { n: new Int32(3) } }).n).toEqual(new Int32(3));
    expect(result({ _id: 1 }, { $mul: { n: new Double(3) } }).n).toEqual(new Double(0));
  });

  test('when the target is not numeric, then TypeMismatch naming $inc', () => {
    const err = errorOf(() => update({ _id: 1, s: 'x' }, { $inc: { s: 1 } }));
    expect(err.code).toBe(14);
    expect(err.message).toMatch(/Cannot apply \$inc to a value of non-numeric type/);
    expect(errorOf(() => update({ _id: 1, n: 1 }, { $inc: { n: 'x' } })).code).toBe(14);
  });

  test('when $mul multiplies, then types promote', () => {
    expect(result({ _id: 1, n: new Int32(4) }, { $mul: { n: new Double(2.5) } }).n).toEqual(new Double(10));
    expect(result({ _id: 1, n: new Int32(4) }, { $mul: { n: new Int32(3) } }).n).toEqual(new Int32(12));
  });
});

describe('$min, $max, $rename, $currentDate, $setOnInsert, $bit', () => {
  test('when $min/$max compare, then the value is replaced only when smaller/larger', () => {
    expect(result({ _id: 1, n: 5 }, { $min: { n: 3 } }).n).toBe(3);
    expect(update({ _id: 1, n: 5 }, { $min: { n: 7 } }).changed).toBe(false);
    expect(result({ _id: 1, n: 5 }, { $max: { n: 7 } }).n).toBe(7);
    expect(result({ _id: 1 }, { $max: { n: 7 } }).n).toBe(7);
    expect(result({ _id: 1, d: new Date(5) }, { $max: { d: new Date(9) } }).d).toEqual(new Date(9));
  });

  test('when a field is renamed, then its value moves', () => {
    expect(result({ _id: 1, a: 1, b: { c: 2 } }, { $rename: { a: 'x', 'b.c': 'b.d' } })).toEqual({
      _id: 1,
      b: { d: 2 },
      x: 1,
    });
    expect(update({ _id: 1 }, { $rename: { a: 'b' } }).changed).toBe(false);
    expect(errorOf(() => update({ _id: 1, a: [{ b: 1 }] }, { $rename: { 'a.0.b': 'c' } })).code).toBe(2);
    expect(errorOf(() => update({ _id: 1 }, { $rename: { a: 5 } })).code).toBe(2);
  });

  test('when $currentDate is used, then the update time is set as a date or timestamp', () => {
    const out = result({ _id: 1 }, { $currentDate: { d: true, t: { $type: 'timestamp' } } });
    expect(out.d).toEqual(now);
    expect(out.t).toBeInstanceOf(Timestamp);
    expect((out.t as Timestamp).t).toBe(Math.floor(now.getTime() / 1000));
    expect(errorOf(() => update({ _id: 1 }, { $currentDate: { d: { $type: 'x' } } })).code).toBe(2);
  });

  test('when $setOnInsert is used, then it applies only to an upsert insert', () => {
    const u = { $set: { a: 1 }, $setOnInsert: { createdAt: now } };
    expect(result({ _id: 1 }, u)).toEqual({ _id: 1, a: 1 });
    expect(result({ _id: 1 }, u, { isUpsertInsert: true })).toEqual({ _id: 1, a: 1, createdAt: now });
  });

  test('when $bit is used, then and/or/xor apply to ints and longs', () => {
    expect(result({ _id: 1, n: new Int32(13) }, { $bit: { n: { and: new Int32(10) } } }).n).toEqual(new Int32(8));
    expect(result({ _id: 1, n: new Int32(3) }, { $bit: { n: { or: new Int32(5) } } }).n).toEqual(new Int32(7));
    expect(result({ _id: 1, n: new Int32(1) }, { $bit: { n: { xor: Long.fromInt(5) } } }).n).toEqual(Long.fromInt(4));
    expect(errorOf(() => update({ _id: 1, n: new Int32(1) }, { $bit: { n: { and: new Double(1) } } })).code).toBe(2);
  });
});

describe('array operators', () => {
  test('when $push appends, then a missing field becomes an array', () => {
    expect(result({ _id: 1 }, { $push: { a: 1 } }).a).toEqual([1]);
    expect(result({ _id: 1, a: [1] }, { $push: { a: [2] } }).a).toEqual([1, [2]]);
  });

  test('when $push has $each, $position, $sort and $slice, then they apply in that order', () => {
    expect(result({ _id: 1, a: [1, 4] }, { $push: { a: { $each: [2, 3], $position: 1 } } }).a).toEqual([1, 2, 3, 4]);
    expect(result({ _id: 1, a: [1, 4] }, { $push: { a: { $each: [9], $position: -1 } } }).a).toEqual([1, 9, 4]);
    expect(result({ _id: 1, a: [5, 1] }, { $push: { a: { $each: [3], $sort: 1, $slice: 2 } } }).a).toEqual([1, 3]);
    expect(result({ _id: 1, a: [5, 1] }, { $push: { a: { $each: [3], $sort: -1, $slice: -2 } } }).a).toEqual([3, 1]);
    const scores = [{ s: 3 }, { s: 1 }];
    expect(result({ _id: 1, a: scores }, { $push: { a: { $each: [{ s: 2 }], $sort: { s: 1 } } } }).a).toEqual([
      { s: 1 },
      { s: 2 },
      { s: 3 },
    ]);
    expect(result({ _id: 1, a: [1] }, { $push: { a: { $each: [], $slice: 0 } } }).a).toEqual([]);
  });

  test('when $push targets a non-array, then BadValue; unknown modifiers are rejected', () => {
    expect(errorOf(() => update({ _id: 1, a: 1 }, { $push: { a: 2 } })).code).toBe(2);
    expect(errorOf(() => update({ _id: 1, a: [] }, { $push: { a: { $each: [1], $bogus: 1 } } })).message).toMatch(
      /\$bogus/,
    );
    expect(errorOf(() => update({ _id: 1, a: [] }, { $push: { a: { $each: 1 } } })).code).toBe(2);
  });

  test('when $addToSet adds, then values already present (by BSON equality) are skipped', () => {
    expect(result({ _id: 1, a: [1, 2] }, { $addToSet: { a: new Double(2) } }).a).toEqual([1, 2]);
    expect(update({ _id: 1, a: [1, 2] }, { $addToSet: { a: 2 } }).changed).toBe(false);
    expect(result({ _id: 1, a: [1] }, { $addToSet: { a: { $each: [1, 3, 3] } } }).a).toEqual([1, 3]);
    expect(result({ _id: 1, a: [{ x: 1, y: 2 }] }, { $addToSet: { a: { y: 2, x: 1 } } }).a).toHaveLength(2);
  });

  test('when $pull has a value, a condition or a document query, then matching elements are removed', () => {
    expect(result({ _id: 1, a: [1, 2, 1, 3] }, { $pull: { a: 1 } }).a).toEqual([2, 3]);
    expect(result({ _id: 1, a: [1, 5, 8] }, { $pull: { a: { $gte: 5 } } }).a).toEqual([1]);
    expect(result({ _id: 1, a: ['apple', 'kiwi'] }, { $pull: { a: { $in: ['kiwi'] } } }).a).toEqual(['apple']);
    const results = [
      { item: 'A', score: 5 },
      { item: 'B', score: 8, extra: 1 },
    ];
    expect(result({ _id: 1, r: results }, { $pull: { r: { score: 8, item: 'B' } } }).r).toEqual([
      { item: 'A', score: 5 },
    ]);
    expect(result({ _id: 1, a: ['ab', 'cd'] }, { $pull: { a: /^a/ } }).a).toEqual(['cd']);
    expect(update({ _id: 1 }, { $pull: { a: 1 } }).changed).toBe(false);
  });

  test('when $pullAll and $pop are used, then elements are removed', () => {
    expect(result({ _id: 1, a: [0, 5, 5, 1] }, { $pullAll: { a: [0, 5] } }).a).toEqual([1]);
    expect(result({ _id: 1, a: [1, 2, 3] }, { $pop: { a: 1 } }).a).toEqual([1, 2]);
    expect(result({ _id: 1, a: [1, 2, 3] }, { $pop: { a: -1 } }).a).toEqual([2, 3]);
    expect(errorOf(() => update({ _id: 1, a: [1] }, { $pop: { a: 2 } })).code).toBe(9);
    expect(errorOf(() => update({ _id: 1, a: 1 }, { $pop: { a: 1 } })).code).toBe(14);
  });
});

describe('positional updates', () => {
  test('when the positional $ is used, then the element the query matched is updated', () => {
    const doc = { _id: 1, grades: [80, 85, 90] };
    expect(result(doc, { $set: { 'grades.$': 82 } }, { query: { _id: 1, grades: 85 } }).grades).toEqual([80, 82, 90]);
    const docs = {
      _id: 1,
      items: [
        { k: 'a', q: 1 },
        { k: 'b', q: 2 },
      ],
    };
    expect(result(docs, { $inc: { 'items.$.q': 10 } }, { query: { 'items.k': 'b' } }).items).toEqual([
      { k: 'a', q: 1 },
      { k: 'b', q: new Int32(12) },
    ]);
    expect(
      result(docs, { $set: { 'items.$.q': 0 } }, { query: { items: { $elemMatch: { k: 'a', q: { $gte: 1 } } } } })
        .items,
    ).toEqual([
      { k: 'a', q: 0 },
      { k: 'b', q: 2 },
    ]);
  });

  test('when the query does not involve the array, then the documented error', () => {
    const err = errorOf(() => update({ _id: 1, a: [1] }, { $set: { 'a.$': 2 } }, { query: { _id: 1 } }));
    expect(err.code).toBe(2);
    expect(err.message).toBe('The positional operator did not find the match needed from the query.');
  });

  test('when $[] is used, then every element is updated', () => {
    expect(result({ _id: 1, a: [1, 2] }, { $inc: { 'a.$[]': 10 } }).a).toEqual([new Int32(11), new Int32(12)]);
    expect(result({ _id: 1, a: [{ b: 1 }, { b: 2 }] }, { $set: { 'a.$[].c': 0 } }).a).toEqual([
      { b: 1, c: 0 },
      { b: 2, c: 0 },
    ]);
  });

  test('when $[ident] is used with arrayFilters, then only matching elements are updated', () => {
    const out = result(
      { _id: 1, g: [95, 100, 102] },
      { $set: { 'g.$[x]': 100 } },
      { arrayFilters: [{ x: { $gte: 100 } }] },
    );
    expect(out.g).toEqual([95, 100, 100]);
    const nested = result(
      {
        _id: 1,
        g: [
          { s: 80, m: 1 },
          { s: 90, m: 2 },
        ],
      },
      { $inc: { 'g.$[e].m': 5 } },
      { arrayFilters: [{ 'e.s': { $gte: 85 } }] },
    );
    expect(nested.g).toEqual([
      { s: 80, m: 1 },
      { s: 90, m: new Int32(7) },
    ]);
  });

  test('when arrayFilters are missing or unused, then errors', () => {
    expect(errorOf(() => update({ _id: 1, a: [1] }, { $set: { 'a.$[x]': 1 } })).message).toMatch(
      /No array filter found for identifier 'x'/,
    );
    expect(errorOf(() => update({ _id: 1, a: [1] }, { $set: { a: [] } }, { arrayFilters: [{ y: 1 }] })).code).toBe(9);
    expect(errorOf(() => update({ _id: 1, a: 5 }, { $set: { 'a.$[]': 1 } })).code).toBe(2);
  });
});

describe('errors of operator updates', () => {
  test('when a modifier is unknown, then FailedToParse names it', () => {
    const err = errorOf(() => update({ _id: 1 }, { $foo: { a: 1 } }));
    expect(err.code).toBe(9);
    expect(err.message).toMatch(/^Unknown modifier: \$foo/);
    expect(errorOf(() => update({ _id: 1 }, { $set: 5 })).code).toBe(9);
  });

  test('when two operators touch the same path or a prefix, then ConflictingUpdateOperators', () => {
    expect(errorOf(() => update({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } })).code).toBe(40);
    const err = errorOf(() => update({ _id: 1 }, { $set: { 'a.b': 1 }, $unset: { a: 1 } }));
    expect(err.code).toBe(40);
    expect(err.message).toMatch(/would create a conflict at 'a'/);
    expect(errorOf(() => update({ _id: 1 }, { $set: { a: 1 }, $rename: { b: 'a' } })).code).toBe(40);
    expect(errorOf(() => update({ _id: 1, a: [1] }, { $set: { 'a.$[]': 1, 'a.0': 2 } })).code).toBe(40);
    expect(update({ _id: 1 }, { $set: { ab: 1, a: 2 } }).doc).toEqual({ _id: 1, a: 2, ab: 1 });
  });

  test('when an update changes _id, then ImmutableField', () => {
    expect(errorOf(() => update({ _id: 1 }, { $set: { _id: 2 } })).code).toBe(66);
    expect(errorOf(() => update({ _id: 1 }, { $unset: { _id: 1 } })).code).toBe(66);
    expect(errorOf(() => update({ _id: { a: 1 } }, { $set: { '_id.a': 2 } })).code).toBe(66);
    expect(update({ _id: 1 }, { $set: { _id: 1 } }).changed).toBe(false);
  });

  test('when an update path is empty or $-prefixed, then an error', () => {
    expect(errorOf(() => update({ _id: 1 }, { $set: { '': 1 } })).code).toBe(56);
    expect(errorOf(() => update({ _id: 1 }, { $set: { 'a..b': 1 } })).code).toBe(56);
    expect(errorOf(() => update({ _id: 1 }, { $set: { $x: 1 } })).code).toBe(52);
  });
});

describe('replacement updates', () => {
  test('when a replacement is applied, then _id is kept and other fields replaced', () => {
    const out = update({ _id: 1, a: 1, b: 2 }, { c: 3 });
    expect(out.doc).toEqual({ _id: 1, c: 3 });
    expect(Object.keys(out.doc)[0]).toBe('_id');
    expect(out.changed).toBe(true);
    expect(update({ _id: 1, a: 1 }, { a: 1 }).changed).toBe(false);
    expect(update({ _id: 1, a: 1 }, { a: 1, _id: 1 }).doc).toEqual({ _id: 1, a: 1 });
  });

  test('when a replacement changes _id, then ImmutableField', () => {
    expect(errorOf(() => update({ _id: 1 }, { _id: 2, a: 1 })).code).toBe(66);
  });
});

describe('pipeline updates', () => {
  test('when a pipeline of $set and $unset stages is given, then it computes the new document', () => {
    const out = result({ _id: 1, a: 2, b: 3, c: 1 }, [{ $set: { total: { $add: ['$a', '$b'] } } }, { $unset: 'c' }]);
    expect(out._id).toBe(1);
    expect(Number(String(out.total))).toBe(5);
    expect(out.c).toBeUndefined();
  });

  test('when $replaceWith drops _id, then _id is kept', () => {
    expect(result({ _id: 1, sub: { x: 1 } }, [{ $replaceWith: '$sub' }])).toEqual({ _id: 1, x: 1 });
  });

  test('when a stage is not allowed in an update, then an error names it', () => {
    expect(errorOf(() => update({ _id: 1 }, [{ $match: {} }])).message).toMatch(/\$match/);
  });
});

describe('upsertSeed', () => {
  test('when the query has equality fields, then they seed the document, dotted paths expanded', () => {
    expect(upsertSeed({ a: 1, 'b.c': 2, d: { $eq: 3 }, e: { $gt: 1 }, f: /x/, $or: [{ g: 1 }] })).toEqual({
      a: 1,
      b: { c: 2 },
      d: 3,
    });
  });

  test('when equalities sit under $and or in a one-value $in, then they count; _id comes first', () => {
    const id = new ObjectId();
    const seed = upsertSeed({ x: 1, $and: [{ y: 2 }, { _id: id }], z: { $in: [5] } });
    expect(seed).toEqual({ _id: id, x: 1, y: 2, z: 5 });
    expect(Object.keys(seed)[0]).toBe('_id');
  });

  test('when the same path is matched twice, then NotSingleValueField', () => {
    expect(errorOf(() => upsertSeed({ a: 1, $and: [{ a: 2 }] })).code).toBe(54);
    expect(errorOf(() => upsertSeed({ a: { b: 1 }, 'a.b': 1 })).code).toBe(54);
  });

  test('when an upsert applies $set and $setOnInsert to the seed, then both are in the new document', () => {
    const seed = upsertSeed({ sku: 'abc' });
    const out = result(
      seed,
      { $set: { qty: 5 }, $setOnInsert: { createdAt: now } },
      { isUpsertInsert: true, query: { sku: 'abc' } },
    );
    expect(out).toEqual({ sku: 'abc', createdAt: now, qty: 5 });
  });
});
