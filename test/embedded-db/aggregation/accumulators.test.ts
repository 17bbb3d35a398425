/**
 * $group and its accumulators, as the MongoDB manual documents them
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation/group/).
 */
import { dbl, dec, expectBson, expectCode, int, long, run } from './helpers';

const sales = [
  { _id: int(1), item: 'abc', price: dec('10'), qty: int(2), date: new Date('2014-03-01T08:00:00Z') },
  { _id: int(2), item: 'jkl', price: dec('20'), qty: int(1), date: new Date('2014-03-01T09:00:00Z') },
  { _id: int(3), item: 'xyz', price: dec('5'), qty: int(10), date: new Date('2014-03-15T09:00:00Z') },
  { _id: int(4), item: 'xyz', price: dec('5'), qty: int(20), date: new Date('2014-04-04T11:21:39.736Z') },
  { _id: int(5), item: 'abc', price: dec('10'), qty: int(10), date: new Date('2014-04-04T21:23:13.331Z') },
];

describe('$group keys', () => {
  test('when numbers of different types are equal, then they fall in one group', () => {
    const out = run(
      [{ k: int(1) }, { k: dbl(1) }, { k: long(1) }, { k: dec('1.0') }],
      [{ $group: { _id: '$k', n: { $sum: int(1) } } }],
    );
    expect(out).toHaveLength(1);
    expectBson(out[0], { _id: int(1), n: int(4) });
  });

  test('when _id is null or a constant, then all documents form one group', () => {
    const out = run(sales, [
      { $group: { _id: null, total: { $sum: { $multiply: ['$price', '$qty'] } }, count: { $sum: int(1) } } },
    ]);
    expectBson(out, [{ _id: null, total: dec('290'), count: int(5) }]);
  });

  test('when the key field is missing or null, then those documents group under null together', () => {
    const out = run([{ k: null }, {}, { k: int(2) }], [{ $group: { _id: '$k', n: { $count: {} } } }]);
    expectBson(out, [
      { _id: null, n: int(2) },
      { _id: int(2), n: int(1) },
    ]);
  });

  test('when _id is a document of expressions, then missing fields in it read null', () => {
    const out = run(sales, [
      { $group: { _id: { month: { $month: '$date' }, year: { $year: '$date' }, none: '$nope' }, n: { $sum: int(1) } } },
    ]);
    expectBson(
      out.map((d) => d._id),
      [
        { month: int(3), year: int(2014), none: null },
        { month: int(4), year: int(2014), none: null },
      ],
    );
  });

  test('when a group spec lacks _id or uses an unknown accumulator, then mongod errors', () => {
    expectCode(() => run(sales, [{ $group: { n: { $sum: 1 } } }]), 15955);
    expectCode(() => run(sales, [{ $group: { _id: null, n: { $foo: 1 } } }]), 15952, "unknown group operator '$foo'");
    expectCode(() => run(sales, [{ $group: { _id: null, n: 1 } }]), 40234);
    expectCode(() => run(sales, [{ $group: { _id: null, 'a.b': { $sum: 1 } } }]), 40235);
    expectCode(() => run(sales, [{ $group: { _id: null, n: { $sum: ['$a', '$b'] } } }]), 40237);
    expectCode(() => run(sales, [{ $group: { _id: null, n: { $topN: {} } } }]), 15952, 'does not support');
  });
});

describe('$sum keeps the right result type', () => {
  const sum = (values: unknown[]) =>
    run(
      values.map((v) => ({ v })),
      [{ $group: { _id: null, s: { $sum: '$v' } } }],
    )[0].s;

  test.each([
    ['ints that fit', [int(1), int(2)], int(3)],
    ['ints that overflow int32 become a long', [int(2147483647), int(1)], long(2147483648)],
    ['ints that overflow and come back stay an int', [int(2147483647), int(1), int(-1)], int(2147483647)],
    ['int and long', [int(1), long(2)], long(3)],
    ['longs that overflow become a double', [long(2n ** 63n - 1n), long(1)], dbl(2 ** 63)],
    ['int and double', [int(1), dbl(0.5)], dbl(1.5)],
    ['decimal and others', [dec('0.1'), int(1), long(2)], dec('3.1')],
    ['non-numbers are ignored', [int(1), 'x', null, true], int(1)],
    ['nothing numeric sums to int 0', ['x'], int(0)],
  ])('%s', (_name, values, expected) => {
    expectBson(sum(values), expected);
  });

  test('when a missing field is summed, then it counts as nothing', () => {
    expectBson(run([{}, { v: int(2) }], [{ $group: { _id: null, s: { $sum: '$v' } } }])[0].s, int(2));
  });
});

describe('other accumulators', () => {
  const grouped = run(sales, [
    { $sort: { _id: 1 } },
    {
      $group: {
        _id: '$item',
        avgQty: { $avg: '$qty' },
        avgPrice: { $avg: '$price' },
        minQty: { $min: '$qty' },
        maxDate: { $max: '$date' },
        qtys: { $push: '$qty' },
        prices: { $addToSet: '$price' },
        first: { $first: '$_id' },
        last: { $last: '$_id' },
        n: { $count: {} },
      },
    },
  ]);
  const abc = grouped.find((g) => g._id === 'abc');

  test('$avg of ints is a double; of decimals a decimal', () => {
    expectBson(abc?.avgQty, dbl(6));
    expectBson(abc?.avgPrice, dec('10'));
  });

  test('$min/$max compare in BSON order', () => {
    expectBson(abc?.minQty, int(2));
    expect(abc?.maxDate).toEqual(new Date('2014-04-04T21:23:13.331Z'));
  });

  test('$push keeps input order; $addToSet keeps distinct values', () => {
    expectBson(abc?.qtys, [int(2), int(10)]);
    expectBson(abc?.prices, [dec('10')]);
  });

  test('$first/$last follow the input order; $count counts', () => {
    expectBson(abc?.first, int(1));
    expectBson(abc?.last, int(5));
    expectBson(abc?.n, int(2));
  });

  test('$min/$max/$avg ignore null and missing; all-null gives null', () => {
    const out = run(
      [{ v: null }, {}],
      [{ $group: { _id: null, mn: { $min: '$v' }, mx: { $max: '$v' }, avg: { $avg: '$v' } } }],
    );
    expect(out[0]).toEqual({ _id: null, mn: null, mx: null, avg: null });
  });

  test('$push and $addToSet skip missing values but keep nulls; $addToSet uses BSON equality', () => {
    const out = run(
      [{ v: int(1) }, {}, { v: null }, { v: dbl(1) }],
      [{ $group: { _id: null, pushed: { $push: '$v' }, set: { $addToSet: '$v' } } }],
    );
    expectBson(out[0].pushed, [int(1), null, dbl(1)]);
    expectBson(out[0].set, [int(1), null]);
  });

  test('$first of a missing value is null', () => {
    const out = run([{}, { v: int(1) }], [{ $group: { _id: null, f: { $first: '$v' }, l: { $last: '$nope' } } }]);
    expect(out[0]).toEqual({ _id: null, f: null, l: null });
  });

  test('$mergeObjects merges documents, later values winning, nulls ignored', () => {
    const out = run(
      [{ d: { a: int(1), b: int(1) } }, { d: null }, { d: { b: int(2) } }],
      [{ $group: { _id: null, merged: { $mergeObjects: '$d' } } }],
    );
    expectBson(out[0].merged, { a: int(1), b: int(2) });
  });

  test('$stdDevPop and $stdDevSamp', () => {
    const out = run(
      [
        { v: int(2) },
        { v: int(4) },
        { v: int(4) },
        { v: int(4) },
        { v: int(5) },
        { v: int(5) },
        { v: int(7) },
        { v: int(9) },
      ],
      [{ $group: { _id: null, pop: { $stdDevPop: '$v' }, samp: { $stdDevSamp: '$v' } } }],
    );
    expectBson(out[0].pop, dbl(2));
    expect((out[0].samp as { value: number }).value).toBeCloseTo(2.138, 3);
  });
});
