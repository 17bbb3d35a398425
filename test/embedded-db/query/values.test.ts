import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';
import {
  addNumbers,
  bsonType,
  cloneDoc,
  compareValues,
  getPath,
  isNumber,
  keyOf,
  multiplyNumbers,
  toNumber,
  valuesEqual,
} from '../../../src/embedded-db/query/values';

const dec = (s: string) => Decimal128.fromString(s);
const long = (s: string) => Long.fromString(s);

describe('bsonType', () => {
  test.each([
    [new Int32(1), 'int'],
    [new Double(1), 'double'],
    [long('1'), 'long'],
    [dec('1'), 'decimal'],
    [1, 'int'],
    [1.5, 'double'],
    [2 ** 40, 'double'],
    ['s', 'string'],
    [true, 'bool'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[], 'array'],
    [{}, 'object'],
    [new Date(0), 'date'],
    [new ObjectId(), 'objectId'],
    [new Binary(Buffer.from('x')), 'binData'],
    [new BSONRegExp('a', 'i'), 'regex'],
    [/a/, 'regex'],
    [new Timestamp({ t: 1, i: 1 }), 'timestamp'],
    [new MinKey(), 'minKey'],
    [new MaxKey(), 'maxKey'],
    [new Code('x'), 'javascript'],
    [new BSONSymbol('s'), 'symbol'],
  ])('when given %p, then the $type name is %s', (value, name) => {
    expect(bsonType(value)).toBe(name);
  });

  test('when a value is any numeric type, then isNumber is true, and false otherwise', () => {
    for (const v of [new Int32(1), new Double(1), long('1'), dec('1'), 3]) expect(isNumber(v)).toBe(true);
    for (const v of ['1', null, undefined, true, new Date(), {}]) expect(isNumber(v)).toBe(false);
  });
});

describe('compareValues: the BSON order', () => {
  test('when values have different types, then MinKey < null < numbers < string < object < array < binData < objectId < bool < date < timestamp < regex < maxKey', () => {
    const ordered = [
      new MinKey(),
      null,
      new Int32(5),
      'a',
      { a: 1 },
      [1],
      new Binary(Buffer.from('x')),
      new ObjectId(),
      false,
      new Date(0),
      new Timestamp({ t: 1, i: 1 }),
      new BSONRegExp('a', ''),
      new MaxKey(),
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareValues(ordered[i], ordered[j]))).toBe(Math.sign(i - j));
      }
    }
  });

  test('when numbers of different types hold the same value, then they are equal', () => {
    expect(compareValues(new Int32(7), long('7'))).toBe(0);
    expect(compareValues(long('7'), new Double(7))).toBe(0);
    expect(compareValues(new Double(7), dec('7.00'))).toBe(0);
    expect(valuesEqual(new Int32(7), 7)).toBe(true);
    expect(valuesEqual(0, new Double(-0))).toBe(true);
  });

  test('when a Long exceeds 2^53, then it compares exactly with a double', () => {
    const big = long('9007199254740993'); // 2^53 + 1
    expect(compareValues(big, new Double(9007199254740992))).toBe(1);
    expect(compareValues(new Double(9007199254740992), big)).toBe(-1);
    expect(compareValues(long('9007199254740992'), new Double(9007199254740992))).toBe(0);
    expect(compareValues(long('9223372036854775807'), new Double(2 ** 63))).toBe(-1);
    expect(compareValues(long('-5'), new Double(-4.5))).toBe(-1);
    expect(compareValues(long('-4'), new Double(-4.5))).toBe(1);
  });

  test('when a Decimal128 is compared with a double, then the double exact value is used', () => {
    expect(compareValues(dec('0.1'), new Double(0.1))).toBe(-1); // 0.1 as a double is 0.1000000000000000055...
    expect(compareValues(dec('0.5'), new Double(0.5))).toBe(0);
    expect(compareValues(dec('1E+400'), new Double(Number.MAX_VALUE))).toBe(1);
    expect(compareValues(dec('-Infinity'), new Double(-Number.MAX_VALUE))).toBe(-1);
    expect(compareValues(dec('12345678901234567890.5'), long('12345678901234567890'.slice(0, 19)))).toBe(1);
  });

  test('when NaN is compared, then it sorts below every other number and equals NaN', () => {
    expect(compareValues(Number.NaN, new Double(-Infinity))).toBe(-1);
    expect(compareValues(dec('NaN'), new Double(Number.NaN))).toBe(0);
    expect(compareValues(Number.NaN, null)).toBe(1);
  });

  test('when strings differ, then they compare by UTF-8 bytes (code points)', () => {
    expect(compareValues('a', 'b')).toBe(-1);
    expect(compareValues('B', 'a')).toBe(-1);
    expect(compareValues('ab', 'a')).toBe(1);
    // U+FF5E (BMP, above surrogates) sorts before U+1F600 (astral) in UTF-8, not in UTF-16.
    expect(compareValues('\uFF5E', '\u{1F600}')).toBe(-1);
  });

  test('when objects are compared, then field by field: type, name, value; shorter first', () => {
    expect(compareValues({ a: 1 }, { a: 2 })).toBe(-1);
    expect(compareValues({ a: 1 }, { b: 1 })).toBe(-1);
    expect(compareValues({ a: 'x' }, { a: 1 })).toBe(1);
    expect(compareValues({ a: 1 }, { a: 1, b: 1 })).toBe(-1);
    expect(compareValues({ a: 1, b: 2 }, { b: 2, a: 1 })).not.toBe(0);
  });

  test('when arrays are compared, then element-wise', () => {
    expect(compareValues([1, 2], [1, 3])).toBe(-1);
    expect(compareValues([1, 2], [1])).toBe(1);
    expect(compareValues([], [1])).toBe(-1);
  });

  test('when other types are compared, then by their natural order', () => {
    expect(compareValues(false, true)).toBe(-1);
    expect(compareValues(new Date(1), new Date(2))).toBe(-1);
    expect(compareValues(new Timestamp({ t: 1, i: 5 }), new Timestamp({ t: 2, i: 1 }))).toBe(-1);
    expect(compareValues(new ObjectId('000000000000000000000001'), new ObjectId('000000000000000000000002'))).toBe(-1);
    expect(compareValues(new Binary(Buffer.from('zz')), new Binary(Buffer.from('aaa')))).toBe(-1);
    expect(compareValues(null, undefined)).toBe(0);
  });
});

describe('keyOf', () => {
  test('when values are equal across numeric types, then their keys are equal', () => {
    expect(keyOf(new Int32(1000))).toBe(keyOf(long('1000')));
    expect(keyOf(long('1000'))).toBe(keyOf(new Double(1000)));
    expect(keyOf(new Double(1000))).toBe(keyOf(dec('1.000E+3')));
    expect(keyOf(dec('1.50'))).toBe(keyOf(new Double(1.5)));
    expect(keyOf({ a: [new Int32(1)] })).toBe(keyOf({ a: [new Double(1)] }));
    expect(keyOf(null)).toBe(keyOf(undefined));
  });

  test('when values differ, then their keys differ', () => {
    const values = [
      1,
      '1',
      true,
      null,
      [1],
      { a: 1 },
      { b: 1 },
      { a: 1, b: 2 },
      { b: 2, a: 1 },
      dec('0.1'),
      new Double(0.1),
      new ObjectId('000000000000000000000001'),
      new Date(1),
      new Timestamp({ t: 0, i: 1 }),
      long('9007199254740993'),
      new Double(9007199254740992),
    ];
    const keys = new Set(values.map(keyOf));
    expect(keys.size).toBe(values.length);
  });
});

describe('arithmetic', () => {
  test('when two ints are added, then the result is an int, or a long on overflow', () => {
    const r = addNumbers(new Int32(2), new Int32(3)) as Int32;
    expect(r).toBeInstanceOf(Int32);
    expect(r.value).toBe(5);
    const o = addNumbers(new Int32(2147483647), new Int32(1)) as Long;
    expect(o).toBeInstanceOf(Long);
    expect(o.toString()).toBe('2147483648');
  });

  test('when longs overflow, then the result is a double', () => {
    const r = addNumbers(long('9223372036854775807'), new Int32(1));
    expect(r).toBeInstanceOf(Double);
    expect(addNumbers(long('1'), new Int32(1))).toBeInstanceOf(Long);
  });

  test('when a double is involved, then the result is a double', () => {
    const r = addNumbers(new Int32(1), new Double(0.5)) as Double;
    expect(r).toBeInstanceOf(Double);
    expect(r.value).toBe(1.5);
  });

  test('when a decimal is involved, then the result is an exact decimal', () => {
    expect(String(addNumbers(dec('0.1'), dec('0.2')))).toBe('0.3');
    expect(String(addNumbers(dec('1'), long('9223372036854775807')))).toBe('9223372036854775808');
    expect(String(addNumbers(dec('1'), new Double(0.1)))).toBe('1.100000000000000');
    expect(String(multiplyNumbers(dec('1.5'), new Int32(3)))).toBe('4.5');
    expect(addNumbers(dec('1'), new Int32(1))).toBeInstanceOf(Decimal128);
  });

  test('when ints are multiplied past int32, then a long; past int64, then a double', () => {
    expect(multiplyNumbers(new Int32(65536), new Int32(65536))).toBeInstanceOf(Long);
    expect(multiplyNumbers(long('9223372036854775807'), new Int32(2))).toBeInstanceOf(Double);
    expect((multiplyNumbers(new Int32(3), new Int32(4)) as Int32).value).toBe(12);
  });

  test('when converting to a JS number, then every numeric type works', () => {
    expect(toNumber(new Int32(3))).toBe(3);
    expect(toNumber(long('3'))).toBe(3);
    expect(toNumber(dec('2.5'))).toBe(2.5);
    expect(toNumber(dec('-Infinity'))).toBe(-Infinity);
  });
});

describe('documents', () => {
  test('when reading a dotted path, then subdocuments and array indexes are followed, arrays are not traversed', () => {
    const doc = { a: { b: [10, { c: 1 }] } };
    expect(getPath(doc, 'a.b.0')).toBe(10);
    expect(getPath(doc, 'a.b.1.c')).toBe(1);
    expect(getPath(doc, 'a.b.c')).toBeUndefined();
    expect(getPath(doc, 'a.x.y')).toBeUndefined();
    expect(getPath({}, 'constructor')).toBeUndefined();
  });

  test('when cloning, then arrays and objects are copied and bson values shared', () => {
    const id = new ObjectId();
    const doc = { _id: id, a: [{ b: 1 }], d: new Date(5) };
    const copy = cloneDoc(doc);
    expect(copy).toEqual(doc);
    expect(copy.a).not.toBe(doc.a);
    expect(copy.a[0]).not.toBe(doc.a[0]);
    expect(copy._id).toBe(id);
    expect(copy.d.getTime()).toBe(5);
  });
});
