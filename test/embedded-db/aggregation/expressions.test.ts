/**
 * The aggregation expression language, checked against the behaviour the MongoDB manual documents
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation/), with number types as the server holds them.
 */
import { Binary, BSONRegExp, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { dbl, dec, ev, expectBson, expectCode, int, long, NOW } from './helpers';

describe('field paths and variables', () => {
  const doc = {
    _id: int(1),
    a: { b: int(5), c: [int(1), int(2)] },
    items: [{ sku: 'x', qty: int(2) }, { sku: 'y' }, int(7), [{ sku: 'z' }]],
  };

  test('when a path names a nested field, then its value is returned as is', () => {
    expectBson(ev('$a.b', doc), int(5));
  });

  test('when a path crosses an array of documents, then the values are collected, skipping elements without the field and scalars', () => {
    expectBson(ev('$items.sku', doc), ['x', 'y', ['z']]);
    // A nested array contributes its own (here empty) result array.
    expectBson(ev('$items.qty', doc), [int(2), []]);
  });

  test('when a path is missing, then the result is missing (not null)', () => {
    expect(ev('$nope', doc)).toBeUndefined();
    expect(ev('$a.b.c', doc)).toBeUndefined();
  });

  test('when a numeric component follows an array, then it is a field name, not an index', () => {
    expectBson(ev('$a.c.0', doc), []);
  });

  test('when $$ROOT, $$CURRENT, $$NOW are read, then they give the document and the pipeline time', () => {
    expect(ev('$$ROOT', doc)).toBe(doc);
    expectBson(ev('$$CURRENT.a.b', doc), int(5));
    expect(ev('$$NOW', doc)).toEqual(NOW);
  });

  test('when $$REMOVE is used in an object literal, then the field is left out', () => {
    expect(ev({ x: '$$REMOVE', y: int(1) }, doc)).toEqual({ y: int(1) });
  });

  test('when an array literal holds a missing value, then it becomes null', () => {
    expect(ev(['$nope', int(1)], doc)).toEqual([null, int(1)]);
  });

  test('when an undefined variable is read, then error 17276 names it', () => {
    expectCode(() => ev('$$nope', doc), 17276, 'Use of undefined variable: nope');
  });

  test('when $let defines variables, then "in" sees them and they see only the outer scope', () => {
    expectBson(ev({ $let: { vars: { x: '$a.b', y: int(2) }, in: { $multiply: ['$$x', '$$y'] } } }, doc), int(10));
    expectCode(() => ev({ $let: { vars: { Bad: 1 }, in: 1 } }), 16867);
  });

  test('when $literal wraps an operator-looking value, then it is not evaluated', () => {
    expect(ev({ $literal: { $add: [1, 2] } })).toEqual({ $add: [1, 2] });
    expect(ev({ $literal: '$a' }, doc)).toBe('$a');
  });

  test('when an unknown operator is used, then error 168 InvalidPipelineOperator names it', () => {
    expectCode(() => ev({ $foo: 1 }), 168, "Unrecognized expression '$foo'");
  });

  test('when an operator object has another field, then error 15983', () => {
    expectCode(() => ev({ $add: [1, 2], x: 1 }), 15983);
  });
});

describe('arithmetic keeps BSON number types', () => {
  test.each([
    ['int + int', [int(1), int(2)], int(3)],
    ['int overflow becomes long', [int(2147483647), int(1)], long(2147483648)],
    ['int + long', [int(1), long(2)], long(3)],
    ['long overflow becomes double', [long(2n ** 63n - 1n), int(1)], dbl(2 ** 63)],
    ['int + double', [int(1), dbl(0.5)], dbl(1.5)],
    ['decimal + int', [dec('1.5'), int(1)], dec('2.5')],
    ['decimal + double converts the double to 15 digits', [dec('1'), dbl(0.1)], dec('1.100000000000000')],
  ])('$add: %s', (_name, args, expected) => {
    expectBson(ev({ $add: args }), expected);
  });

  test('when $add gets a null or missing argument, then the result is null', () => {
    expect(ev({ $add: [int(1), null] })).toBeNull();
    expect(ev({ $add: [int(1), '$nope'] })).toBeNull();
  });

  test('when $add gets a date, then the numbers are milliseconds added to it', () => {
    expect(ev({ $add: [new Date('2024-01-01T00:00:00Z'), int(1000), long(500)] })).toEqual(
      new Date('2024-01-01T00:00:01.500Z'),
    );
    expectCode(() => ev({ $add: [new Date(0), new Date(0)] }), 16612);
    expectCode(() => ev({ $add: [int(1), 'x'] }), 16554, '$add only supports numeric or date types, not string');
  });

  test('$subtract keeps types, dates give a long of milliseconds or a date', () => {
    expectBson(ev({ $subtract: [int(5), int(7)] }), int(-2));
    expectBson(ev({ $subtract: [int(-2147483648), int(1)] }), long(-2147483649));
    expectBson(ev({ $subtract: [dec('1.0'), dbl(0.25)] }), dec('0.750000000000000'));
    expectBson(ev({ $subtract: [new Date(5000), new Date(2000)] }), long(3000));
    expect(ev({ $subtract: [new Date(5000), int(2000)] })).toEqual(new Date(3000));
    expectCode(() => ev({ $subtract: [int(1), new Date(0)] }), 16556);
    expectCode(
      () => ev({ $subtract: [int(1)] }),
      16020,
      'Expression $subtract takes exactly 2 arguments. 1 were passed in.',
    );
  });

  test('$multiply promotes on overflow and keeps decimals', () => {
    expectBson(ev({ $multiply: [int(3), int(4)] }), int(12));
    expectBson(ev({ $multiply: [int(65536), int(65536)] }), long(4294967296));
    expectBson(ev({ $multiply: [dec('1.1'), int(3)] }), dec('3.3'));
    expectBson(ev({ $multiply: [int(2), dbl(2.5)] }), dbl(5));
    expectCode(() => ev({ $multiply: [int(2), 'x'] }), 16555);
  });

  test('$divide gives a double, or a decimal when a decimal is involved, and refuses zero', () => {
    expectBson(ev({ $divide: [int(6), int(3)] }), dbl(2));
    expectBson(ev({ $divide: [int(1), int(4)] }), dbl(0.25));
    expectBson(ev({ $divide: [dec('1'), int(3)] }), dec('0.3333333333333333333333333333333333'));
    expectBson(ev({ $divide: [dec('10'), int(4)] }), dec('2.5'));
    expectCode(() => ev({ $divide: [int(1), int(0)] }), 2, "can't $divide by zero");
    expect(ev({ $divide: [null, int(1)] })).toBeNull();
  });

  test('$mod keeps the dividend sign and the operand types', () => {
    expectBson(ev({ $mod: [int(7), int(3)] }), int(1));
    expectBson(ev({ $mod: [int(-7), int(3)] }), int(-1));
    expectBson(ev({ $mod: [long(7), int(4)] }), long(3));
    expectBson(ev({ $mod: [dbl(7.5), int(2)] }), dbl(1.5));
    expectBson(ev({ $mod: [dec('7.5'), int(2)] }), dec('1.5'));
    expectCode(() => ev({ $mod: [int(1), int(0)] }), 16610);
  });

  test('$abs, $ceil, $floor keep the type', () => {
    expectBson(ev({ $abs: int(-5) }), int(5));
    expectBson(ev({ $abs: int(-2147483648) }), long(2147483648));
    expectBson(ev({ $abs: dec('-1.5') }), dec('1.5'));
    expectBson(ev({ $ceil: dbl(1.2) }), dbl(2));
    expectBson(ev({ $floor: dbl(-1.2) }), dbl(-2));
    expectBson(ev({ $floor: int(3) }), int(3));
    expectBson(ev({ $ceil: dec('1.01') }), dec('2'));
    expectBson(ev({ $floor: dec('-1.01') }), dec('-2'));
    expect(ev({ $abs: null })).toBeNull();
    expectCode(() => ev({ $abs: 'x' }), 28765);
  });

  test('$round rounds half to even; $trunc truncates; both keep the type', () => {
    expectBson(ev({ $round: [dbl(2.5)] }), dbl(2));
    expectBson(ev({ $round: [dbl(3.5)] }), dbl(4));
    expectBson(ev({ $round: [dbl(-2.5), int(0)] }), dbl(-2));
    expectBson(ev({ $round: [dbl(19.25), int(1)] }), dbl(19.2));
    expectBson(ev({ $round: [int(1250), int(-2)] }), int(1200));
    expectBson(ev({ $round: [int(1350), int(-2)] }), int(1400));
    expectBson(ev({ $round: [dec('1.2345'), int(2)] }), dec('1.23'));
    expectBson(ev({ $trunc: [dbl(7.89), int(1)] }), dbl(7.8));
    expectBson(ev({ $trunc: [dbl(-7.89)] }), dbl(-7));
    expectBson(ev({ $trunc: [long(1299), int(-2)] }), long(1200));
    expectCode(() => ev({ $round: [dbl(1), int(101)] }), 51083);
  });

  test('$pow and $sqrt', () => {
    expectBson(ev({ $pow: [int(2), int(10)] }), int(1024));
    expectBson(ev({ $pow: [int(2), int(40)] }), long(2n ** 40n));
    expectBson(ev({ $pow: [int(2), int(-1)] }), dbl(0.5));
    expectBson(ev({ $sqrt: int(16) }), dbl(4));
  });
});

describe('comparison and boolean operators', () => {
  test('numbers compare across types', () => {
    expect(ev({ $eq: [int(7), long(7)] })).toBe(true);
    expect(ev({ $eq: [int(7), dbl(7)] })).toBe(true);
    expect(ev({ $eq: [dec('7.0'), int(7)] })).toBe(true);
    expect(ev({ $gt: [long(10), dbl(9.5)] })).toBe(true);
  });

  test('values of different types compare by BSON type order', () => {
    expect(ev({ $lt: [int(100), 'a'] })).toBe(true);
    expect(ev({ $lt: ['z', {}] })).toBe(true);
    expect(ev({ $lt: [new ObjectId(), true] })).toBe(true);
    expect(ev({ $gt: [new MaxKey(), new Date()] })).toBe(true);
    expect(ev({ $lt: [new MinKey(), null] })).toBe(true);
  });

  test('a missing value is not equal to null, and sorts below it', () => {
    expect(ev({ $eq: ['$nope', null] })).toBe(false);
    expect(ev({ $lte: ['$nope', null] })).toBe(true);
    expect(ev({ $eq: ['$nope', '$other'] })).toBe(true);
  });

  test('$cmp answers an int -1, 0 or 1', () => {
    expectBson(ev({ $cmp: [int(1), int(2)] }), int(-1));
    expectBson(ev({ $cmp: ['b', 'a'] }), int(1));
    expectBson(ev({ $cmp: [dbl(2), long(2)] }), int(0));
  });

  test('$and/$or/$not use aggregation truthiness (0, null, missing, false are false)', () => {
    expect(ev({ $and: [int(1), 'x', [], {}] })).toBe(true);
    expect(ev({ $and: [int(1), dbl(0)] })).toBe(false);
    expect(ev({ $and: [] })).toBe(true);
    expect(ev({ $or: [null, '$nope', long(0), dec('0.00')] })).toBe(false);
    expect(ev({ $or: [] })).toBe(false);
    expect(ev({ $not: [int(0)] })).toBe(true);
    expect(ev({ $not: [''] })).toBe(false);
  });

  test('$cond in both forms, $ifNull, $switch', () => {
    const doc = { qty: int(300), n: null };
    // biome-ignore lint/suspicious/noThenProperty: MongoDB's $cond/$switch syntax, not a thenable.
    expect(ev({ $cond: { if: { $gte: ['$qty', int(250)] }, then: 30, else: 20 } }, doc)).toBe(30);
    expect(ev({ $cond: [{ $lt: ['$qty', int(250)] }, 30, 20] }, doc)).toBe(20);
    // biome-ignore lint/suspicious/noThenProperty: MongoDB's $cond/$switch syntax, not a thenable.
    expectCode(() => ev({ $cond: { if: true, then: 1 } }), 17082);
    expect(ev({ $ifNull: ['$n', '$nope', 'fallback'] }, doc)).toBe('fallback');
    expectBson(ev({ $ifNull: ['$qty', 'fallback'] }, doc), int(300));
    const sw = (v: number) =>
      ev(
        {
          $switch: {
            branches: [
              // biome-ignore lint/suspicious/noThenProperty: MongoDB's $switch syntax, not a thenable.
              { case: { $lt: ['$v', 0] }, then: 'neg' },
              // biome-ignore lint/suspicious/noThenProperty: MongoDB's $switch syntax, not a thenable.
              { case: { $eq: ['$v', 0] }, then: 'zero' },
            ],
            default: 'pos',
          },
        },
        { v: int(v) },
      );
    expect([sw(-1), sw(0), sw(5)]).toEqual(['neg', 'zero', 'pos']);
    // biome-ignore lint/suspicious/noThenProperty: MongoDB's $cond/$switch syntax, not a thenable.
    expectCode(() => ev({ $switch: { branches: [{ case: false, then: 1 }] } }), 40066);
  });
});

describe('array operators', () => {
  const doc = { a: [int(1), int(2), int(3), int(4)], docs: [{ x: int(1) }, { x: int(5) }], n: null };

  test('$size counts elements and refuses non-arrays', () => {
    expectBson(ev({ $size: '$a' }, doc), int(4));
    expectCode(() => ev({ $size: '$nope' }, doc), 17124, 'Type of argument: missing');
  });

  test('$arrayElemAt indexes from either end; out of range is missing', () => {
    expectBson(ev({ $arrayElemAt: ['$a', int(0)] }, doc), int(1));
    expectBson(ev({ $arrayElemAt: ['$a', int(-1)] }, doc), int(4));
    expect(ev({ $arrayElemAt: ['$a', int(15)] }, doc)).toBeUndefined();
    expect(ev({ $arrayElemAt: ['$n', int(0)] }, doc)).toBeNull();
    expectCode(() => ev({ $arrayElemAt: ['$a', dbl(1.5)] }, doc), 28766);
  });

  test('$first/$last of an array; missing for empty; null for null', () => {
    expectBson(ev({ $first: '$a' }, doc), int(1));
    expectBson(ev({ $last: '$a' }, doc), int(4));
    expect(ev({ $first: [[]] })).toBeUndefined();
    expect(ev({ $last: '$n' }, doc)).toBeNull();
  });

  test('$in uses BSON equality and needs an array', () => {
    expect(ev({ $in: [dbl(2), '$a'] }, doc)).toBe(true);
    expect(ev({ $in: [int(9), '$a'] }, doc)).toBe(false);
    expectCode(() => ev({ $in: [int(1), '$nope'] }, doc), 40081);
  });

  test('$concatArrays joins; null if any argument is null', () => {
    expectBson(ev({ $concatArrays: ['$a', [int(5)]] }, doc), [int(1), int(2), int(3), int(4), int(5)]);
    expect(ev({ $concatArrays: ['$a', '$n'] }, doc)).toBeNull();
    expectCode(() => ev({ $concatArrays: ['$a', int(1)] }, doc), 28664);
  });

  test('$filter, $map and $reduce with their variables', () => {
    expectBson(ev({ $filter: { input: '$a', as: 'v', cond: { $gt: ['$$v', int(2)] } } }, doc), [int(3), int(4)]);
    expectBson(ev({ $filter: { input: '$a', cond: { $gt: ['$$this', int(1)] }, limit: int(2) } }, doc), [
      int(2),
      int(3),
    ]);
    expectBson(ev({ $map: { input: '$docs', as: 'd', in: { $multiply: ['$$d.x', int(10)] } } }, doc), [
      int(10),
      int(50),
    ]);
    expectBson(
      ev({ $reduce: { input: '$a', initialValue: int(0), in: { $add: ['$$value', '$$this'] } } }, doc),
      int(10),
    );
    expect(ev({ $map: { input: '$n', in: 1 } }, doc)).toBeNull();
    expectCode(() => ev({ $filter: { input: int(1), cond: true } }), 28651);
  });

  test('$slice with count and with position', () => {
    expectBson(ev({ $slice: ['$a', int(2)] }, doc), [int(1), int(2)]);
    expectBson(ev({ $slice: ['$a', int(-2)] }, doc), [int(3), int(4)]);
    expectBson(ev({ $slice: ['$a', int(1), int(2)] }, doc), [int(2), int(3)]);
    expectBson(ev({ $slice: ['$a', int(-3), int(2)] }, doc), [int(2), int(3)]);
    expect(ev({ $slice: ['$n', int(1)] }, doc)).toBeNull();
  });

  test('$isArray, $indexOfArray, $reverseArray, $range', () => {
    expect(ev({ $isArray: ['$a'] }, doc)).toBe(true);
    expect(ev({ $isArray: '$n' }, doc)).toBe(false);
    expectBson(ev({ $indexOfArray: ['$a', long(3)] }, doc), int(2));
    expectBson(ev({ $indexOfArray: ['$a', int(9)] }, doc), int(-1));
    expectBson(ev({ $reverseArray: '$a' }, doc), [int(4), int(3), int(2), int(1)]);
    expectBson(ev({ $range: [int(0), int(10), int(4)] }), [int(0), int(4), int(8)]);
  });

  test('$sum/$avg/$min/$max over one array argument or over several arguments', () => {
    expectBson(ev({ $sum: '$a' }, doc), int(10));
    expectBson(ev({ $sum: ['$a'] }, doc), int(10));
    expectBson(ev({ $sum: [int(1), long(2), 'x'] }), long(3));
    expectBson(ev({ $sum: '$nope' }, doc), int(0));
    expectBson(ev({ $avg: '$a' }, doc), dbl(2.5));
    expect(ev({ $avg: ['x', null] })).toBeNull();
    expectBson(ev({ $max: '$a' }, doc), int(4));
    expectBson(ev({ $min: [int(5), null, dbl(2.5)] }), dbl(2.5));
    expect(ev({ $min: [null, '$nope'] })).toBeNull();
  });

  test('set operators treat arrays as sets with BSON equality', () => {
    expectBson(
      ev({
        $setUnion: [
          [int(1), int(2)],
          [dbl(2), int(3)],
        ],
      }),
      [int(1), int(2), int(3)],
    );
    expectBson(
      ev({
        $setIntersection: [
          [int(1), int(2), int(2)],
          [long(2), int(3)],
        ],
      }),
      [int(2)],
    );
    expectBson(ev({ $setDifference: [[int(1), int(2)], [int(2)]] }), [int(1)]);
    expect(
      ev({
        $setEquals: [
          [int(1), int(2)],
          [dbl(2), int(1), int(1)],
        ],
      }),
    ).toBe(true);
    expect(ev({ $setIsSubset: [[int(1)], [int(1), int(2)]] })).toBe(true);
    expect(ev({ $setUnion: [[int(1)], null] })).toBeNull();
    expect(ev({ $anyElementTrue: [[int(0), false, int(2)]] })).toBe(true);
    expect(ev({ $allElementsTrue: [[int(1), false]] })).toBe(false);
  });
});

describe('string operators', () => {
  test('$concat joins strings; null if any is null; refuses other types', () => {
    expect(ev({ $concat: ['a', '-', 'b'] })).toBe('a-b');
    expect(ev({ $concat: ['a', '$nope'] })).toBeNull();
    expectCode(() => ev({ $concat: ['a', int(1)] }), 16702, '$concat only supports strings, not int');
  });

  test('$toLower/$toUpper: null gives the empty string, numbers are read as text', () => {
    expect(ev({ $toUpper: 'abc é' })).toBe('ABC é');
    expect(ev({ $toLower: 'ABC' })).toBe('abc');
    expect(ev({ $toLower: null })).toBe('');
    expect(ev({ $toUpper: int(12) })).toBe('12');
  });

  test('$substr counts UTF-8 bytes; $substrCP counts code points', () => {
    expect(ev({ $substr: ['abcdef', int(1), int(3)] })).toBe('bcd');
    expect(ev({ $substrBytes: ['abcdef', int(2), int(-1)] })).toBe('cdef');
    expect(ev({ $substrCP: ['héllo', int(1), int(3)] })).toBe('éll');
    expectCode(() => ev({ $substrBytes: ['héllo', int(2), int(2)] }), 28656);
    expect(ev({ $strLenCP: 'héllo' })).toEqual(int(5));
    expect(ev({ $strLenBytes: 'héllo' })).toEqual(int(6));
    expectCode(() => ev({ $strLenCP: int(1) }), 34471);
  });

  test('$split, $trim, $indexOfCP, $strcasecmp, $replaceAll', () => {
    expect(ev({ $split: ['a,b,,c', ','] })).toEqual(['a', 'b', '', 'c']);
    expect(ev({ $split: [null, ','] })).toBeNull();
    expectCode(() => ev({ $split: ['a', ''] }), 40087);
    expect(ev({ $trim: { input: '  \t hi \n' } })).toBe('hi');
    expect(ev({ $ltrim: { input: 'xxhixx', chars: 'x' } })).toBe('hixx');
    expect(ev({ $rtrim: { input: 'xxhixx', chars: 'x' } })).toBe('xxhi');
    expect(ev({ $indexOfCP: ['cafétéria', 'té'] })).toEqual(int(4));
    expect(ev({ $indexOfBytes: ['cafétéria', 'té'] })).toEqual(int(5));
    expect(ev({ $strcasecmp: ['ABC', 'abc'] })).toEqual(int(0));
    expect(ev({ $replaceAll: { input: 'a.b.c', find: '.', replacement: '/' } })).toBe('a/b/c');
    expect(ev({ $replaceOne: { input: 'a.b.c', find: '.', replacement: '/' } })).toBe('a/b.c');
  });

  test('$regexMatch / $regexFind / $regexFindAll with string or BSON regex and options', () => {
    expect(ev({ $regexMatch: { input: 'Almaty', regex: '^alm', options: 'i' } })).toBe(true);
    expect(ev({ $regexMatch: { input: 'Almaty', regex: new BSONRegExp('^alm') } })).toBe(false);
    expect(ev({ $regexMatch: { input: null, regex: 'a' } })).toBe(false);
    expect(ev({ $regexMatch: { input: 'abc', regex: ' a  b # comment\n c', options: 'x' } })).toBe(true);
    expectCode(() => ev({ $regexMatch: { input: 'a', regex: new BSONRegExp('a', 'i'), options: 'm' } }), 51075);
    expectCode(() => ev({ $regexMatch: { input: int(1), regex: 'a' } }), 51104);
    expectBson(ev({ $regexFind: { input: 'xa1b2', regex: '([a-z])(\\d)' } }), {
      match: 'a1',
      idx: int(1),
      captures: ['a', '1'],
    });
    expect((ev({ $regexFindAll: { input: 'a1b2', regex: '\\d' } }) as unknown[]).length).toBe(2);
  });
});

describe('type and conversion operators', () => {
  test('$type names BSON types, and "missing" for a missing value', () => {
    expect(ev({ $type: int(1) })).toBe('int');
    expect(ev({ $type: long(1) })).toBe('long');
    expect(ev({ $type: dbl(1) })).toBe('double');
    expect(ev({ $type: dec('1') })).toBe('decimal');
    expect(ev({ $type: '$nope' })).toBe('missing');
    expect(ev({ $type: [[1]] })).toBe('array');
    expect(ev({ $type: new ObjectId() })).toBe('objectId');
    expect(ev({ $type: new Binary(Buffer.from('x')) })).toBe('binData');
    expect(ev({ $type: new Timestamp({ t: 1, i: 1 }) })).toBe('timestamp');
  });

  test('$toInt/$toLong/$toDouble/$toDecimal convert numbers, strings and booleans', () => {
    expectBson(ev({ $toInt: dbl(2.9) }), int(2));
    expectBson(ev({ $toInt: '-42' }), int(-42));
    expectBson(ev({ $toInt: true }), int(1));
    expectBson(ev({ $toLong: new Date(1000) }), long(1000));
    expectBson(ev({ $toLong: '9007199254740993' }), long(9007199254740993n));
    expectBson(ev({ $toDouble: '1.5e3' }), dbl(1500));
    expectBson(ev({ $toDecimal: dbl(2.5) }), dec('2.50000000000000'));
    expectBson(ev({ $toDecimal: '12.30' }), dec('12.30'));
    expect(ev({ $toInt: null })).toBeNull();
  });

  test('a failed conversion is error 241 ConversionFailure unless $convert has onError', () => {
    expectCode(() => ev({ $toInt: '1.5' }), 241, "Failed to parse number '1.5'");
    expectCode(() => ev({ $toInt: long(2n ** 40n) }), 241, 'overflow');
    expectCode(() => ev({ $toInt: new Date() }), 241, 'Unsupported conversion from date to int');
    expect(ev({ $convert: { input: 'abc', to: 'int', onError: 'bad' } })).toBe('bad');
    expect(ev({ $convert: { input: '$nope', to: 'int', onNull: 'none' } })).toBe('none');
    expectBson(ev({ $convert: { input: '7', to: int(16) } }), int(7));
  });

  test('$toString, $toBool, $toObjectId, $toDate', () => {
    const oid = new ObjectId('507f1f77bcf86cd799439011');
    expect(ev({ $toString: int(5) })).toBe('5');
    expect(ev({ $toString: dbl(2.5) })).toBe('2.5');
    expect(ev({ $toString: dec('1.50') })).toBe('1.50');
    expect(ev({ $toString: long(9007199254740993n) })).toBe('9007199254740993');
    expect(ev({ $toString: true })).toBe('true');
    expect(ev({ $toString: oid })).toBe('507f1f77bcf86cd799439011');
    expect(ev({ $toString: new Date('2018-03-27T16:58:51.538Z') })).toBe('2018-03-27T16:58:51.538Z');
    expect(ev({ $toBool: int(0) })).toBe(false);
    expect(ev({ $toBool: '' })).toBe(true);
    expect(ev({ $toBool: 'false' })).toBe(true);
    expect(ev({ $toObjectId: '507f1f77bcf86cd799439011' })).toEqual(oid);
    expectCode(() => ev({ $toObjectId: 'xyz' }), 241);
    expect(ev({ $toDate: '2018-03-03T12:00:00Z' })).toEqual(new Date('2018-03-03T12:00:00Z'));
    expect(ev({ $toDate: long(1000) })).toEqual(new Date(1000));
    expect(ev({ $toDate: oid })).toEqual(oid.getTimestamp());
    expectCode(() => ev({ $toDate: int(1) }), 241);
  });
});

describe('date operators', () => {
  const date = new Date('2024-03-05T10:20:30.456Z'); // a Tuesday

  test('date parts in UTC and in a time zone', () => {
    const doc = { d: date };
    expectBson(ev({ $year: '$d' }, doc), int(2024));
    expectBson(ev({ $month: '$d' }, doc), int(3));
    expectBson(ev({ $dayOfMonth: '$d' }, doc), int(5));
    expectBson(ev({ $hour: ['$d'] }, doc), int(10));
    expectBson(ev({ $minute: '$d' }, doc), int(20));
    expectBson(ev({ $second: '$d' }, doc), int(30));
    expectBson(ev({ $millisecond: '$d' }, doc), int(456));
    expectBson(ev({ $dayOfWeek: '$d' }, doc), int(3));
    expectBson(ev({ $dayOfYear: '$d' }, doc), int(65));
    expectBson(ev({ $hour: { date: '$d', timezone: '+05:30' } }, doc), int(15));
    expectBson(ev({ $hour: { date: '$d', timezone: 'America/New_York' } }, doc), int(5));
    expectBson(ev({ $dayOfMonth: { date: new Date('2024-03-05T23:30:00Z'), timezone: 'Asia/Tokyo' } }), int(6));
    expect(ev({ $year: '$nope' })).toBeNull();
    expectCode(() => ev({ $year: 'x' }), 16006);
    expectCode(() => ev({ $hour: { date: '$d', timezone: 'Mars/Base' } }, doc), 40485);
  });

  test('ISO week fields follow ISO 8601', () => {
    const jan1 = new Date('2021-01-01T00:00:00Z'); // a Friday in ISO week 53 of 2020
    expectBson(ev({ $isoWeek: jan1 }), int(53));
    expectBson(ev({ $isoWeekYear: jan1 }), int(2020));
    expectBson(ev({ $isoDayOfWeek: jan1 }), int(5));
    expectBson(ev({ $week: jan1 }), int(0));
  });

  test('$dateToString with the default format and with format specifiers', () => {
    expect(ev({ $dateToString: { date } })).toBe('2024-03-05T10:20:30.456Z');
    expect(ev({ $dateToString: { date, format: '%Y-%m-%d %H:%M:%S.%L' } })).toBe('2024-03-05 10:20:30.456');
    expect(ev({ $dateToString: { date, format: '%j %w %u %U %V %G %%' } })).toBe('065 3 2 09 10 2024 %');
    expect(ev({ $dateToString: { date, format: '%H:%M %z %Z', timezone: '+05:30' } })).toBe('15:50 +0530 +330');
    expect(ev({ $dateToString: { date: '$nope', onNull: 'none' } })).toBe('none');
    expect(ev({ $dateToString: { date: '$nope' } })).toBeNull();
    expectCode(() => ev({ $dateToString: { date, format: '%Q' } }), 18536);
  });

  test('$dateFromString parses ISO 8601, offsets, time zones and formats', () => {
    expect(ev({ $dateFromString: { dateString: '2017-02-08T12:10:40.787Z' } })).toEqual(
      new Date('2017-02-08T12:10:40.787Z'),
    );
    expect(ev({ $dateFromString: { dateString: '2017-02-08' } })).toEqual(new Date('2017-02-08T00:00:00Z'));
    expect(ev({ $dateFromString: { dateString: '2017-02-08T12:10:40+02:00' } })).toEqual(
      new Date('2017-02-08T10:10:40Z'),
    );
    expect(ev({ $dateFromString: { dateString: '2017-02-08T12:10:40', timezone: 'America/New_York' } })).toEqual(
      new Date('2017-02-08T17:10:40Z'),
    );
    expect(ev({ $dateFromString: { dateString: '15-06-2018', format: '%d-%m-%Y' } })).toEqual(
      new Date('2018-06-15T00:00:00Z'),
    );
    expectCode(() => ev({ $dateFromString: { dateString: 'not a date' } }), 241);
    expect(ev({ $dateFromString: { dateString: '2017-02-30', onError: 'bad' } })).toBe('bad');
    expect(ev({ $dateFromString: { dateString: null, onNull: 'none' } })).toBe('none');
  });

  test('$dateAdd, $dateDiff, $dateTrunc, $dateFromParts, $dateToParts', () => {
    expect(ev({ $dateAdd: { startDate: new Date('2024-01-31T00:00:00Z'), unit: 'month', amount: int(1) } })).toEqual(
      new Date('2024-02-29T00:00:00Z'),
    );
    expect(ev({ $dateSubtract: { startDate: date, unit: 'hour', amount: int(2) } })).toEqual(
      new Date('2024-03-05T08:20:30.456Z'),
    );
    expectBson(
      ev({
        $dateDiff: {
          startDate: new Date('2024-01-31T23:00:00Z'),
          endDate: new Date('2024-02-01T01:00:00Z'),
          unit: 'day',
        },
      }),
      long(1),
    );
    expectBson(
      ev({
        $dateDiff: {
          startDate: new Date('2024-01-31T00:00:00Z'),
          endDate: new Date('2025-01-01T00:00:00Z'),
          unit: 'month',
        },
      }),
      long(12),
    );
    expect(ev({ $dateTrunc: { date, unit: 'day' } })).toEqual(new Date('2024-03-05T00:00:00Z'));
    expect(ev({ $dateTrunc: { date, unit: 'month' } })).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(ev({ $dateFromParts: { year: int(2024), month: int(2), day: int(30) } })).toEqual(
      new Date('2024-03-01T00:00:00Z'),
    );
    expectBson(ev({ $dateToParts: { date } }), {
      year: int(2024),
      month: int(3),
      day: int(5),
      hour: int(10),
      minute: int(20),
      second: int(30),
      millisecond: int(456),
    });
  });
});

describe('object operators', () => {
  test('$mergeObjects: later wins, null is ignored, non-objects refused', () => {
    expect(ev({ $mergeObjects: [{ a: 1, b: 1 }, null, { b: 2 }] })).toEqual({ a: 1, b: 2 });
    // As an expression it merges its arguments; an array is only merged by the $group accumulator.
    expectCode(() => ev({ $mergeObjects: '$docs' }, { docs: [{ a: 1 }, { c: 3 }] }), 40400);
    expectCode(() => ev({ $mergeObjects: [{ a: 1 }, int(1)] }), 40400);
  });

  test('$objectToArray and $arrayToObject round-trip; both pair shapes are accepted', () => {
    expect(ev({ $objectToArray: { a: 1, b: 2 } })).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
    expect(
      ev({
        $arrayToObject: [
          [
            ['a', 1],
            ['b', 2],
          ],
        ],
      }),
    ).toEqual({ a: 1, b: 2 });
    expect(ev({ $arrayToObject: { $literal: [{ k: 'a', v: 1 }] } })).toEqual({ a: 1 });
    expect(ev({ $objectToArray: null })).toBeNull();
    expectCode(() => ev({ $objectToArray: int(1) }), 40390);
  });

  test('$getField reads fields with dots or dollars in their names; $setField/$unsetField', () => {
    const doc = { 'price.usd': int(5), $cost: int(3) };
    expectBson(ev({ $getField: 'price.usd' }, doc), int(5));
    expectBson(ev({ $getField: { field: { $literal: '$cost' }, input: '$$CURRENT' } }, doc), int(3));
    expect(ev({ $setField: { field: 'a.b', input: {}, value: int(1) } })).toEqual({ 'a.b': int(1) });
    expect(ev({ $unsetField: { field: 'x', input: { x: 1, y: 2 } } })).toEqual({ y: 2 });
  });
});

describe('regexes and other BSON values pass through untouched', () => {
  test('a BSON regex literal is a value, not an expression', () => {
    const re = new BSONRegExp('^a', 'i');
    expect(ev(re)).toBe(re);
  });
});
