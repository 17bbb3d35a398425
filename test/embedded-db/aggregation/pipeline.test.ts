/**
 * Pipeline stages, as the MongoDB manual documents them
 * (https://www.mongodb.com/docs/manual/reference/operator/aggregation-pipeline/).
 */
import { runPipeline } from '../../../src/embedded-db/aggregation/pipeline';
import type { Doc } from '../../../src/embedded-db/types';
import { dbl, expectBson, expectCode, int, long, pipelineContext, run } from './helpers';

const orders: Doc[] = [
  { _id: int(1), item: 'almonds', price: int(12), quantity: int(2), tags: ['nuts', 'food'] },
  { _id: int(2), item: 'pecans', price: int(20), quantity: int(1), tags: [] },
  { _id: int(3), item: 'bread', price: int(5), quantity: int(10), tags: null },
  { _id: int(4), item: 'rice', price: int(8), quantity: int(5) },
  { _id: int(5), item: 'salt', price: int(1), quantity: int(3), tags: 'spice' },
];

describe('$match, $sort, $skip, $limit', () => {
  test('when $match filters, then the query language applies (array semantics, $expr)', () => {
    expect(run(orders, [{ $match: { tags: 'nuts' } }]).map((d) => d._id)).toEqual([int(1)]);
    expect(
      run(orders, [{ $match: { $expr: { $gt: [{ $multiply: ['$price', '$quantity'] }, int(40)] } } }]).map(
        (d) => d._id,
      ),
    ).toEqual([int(3)]);
  });

  test('when $sort has ties, then the input order is kept (stable)', () => {
    const docs = [
      { k: int(1), n: 'a' },
      { k: int(0), n: 'b' },
      { k: dbl(1), n: 'c' },
      { k: long(0), n: 'd' },
    ];
    expect(run(docs, [{ $sort: { k: 1 } }]).map((d) => d.n)).toEqual(['b', 'd', 'a', 'c']);
    expect(run(docs, [{ $sort: { k: -1 } }]).map((d) => d.n)).toEqual(['a', 'c', 'b', 'd']);
  });

  test('$skip and $limit; bad arguments are refused', () => {
    expect(run(orders, [{ $sort: { price: -1 } }, { $skip: int(1) }, { $limit: long(2) }]).map((d) => d._id)).toEqual([
      int(1),
      int(4),
    ]);
    expectCode(() => run(orders, [{ $limit: int(0) }]), 15958);
    expectCode(() => run(orders, [{ $skip: int(-1) }]), 15956);
    expectCode(() => run(orders, [{ $limit: dbl(1.5) }]), 15958);
  });
});

describe('$project, $addFields/$set, $unset', () => {
  const doc = {
    _id: int(1),
    title: 'abc',
    author: { first: 'a', last: 'z' },
    copies: [{ n: int(1), x: int(9) }, { n: int(2) }],
    stock: int(5),
  };

  test('when fields are included, then _id comes too and the document order is kept', () => {
    expect(run([doc], [{ $project: { stock: 1, title: true } }])).toEqual([
      { _id: int(1), title: 'abc', stock: int(5) },
    ]);
    expect(run([doc], [{ $project: { _id: 0, title: 1 } }])).toEqual([{ title: 'abc' }]);
  });

  test('when dotted or nested fields are included, then subdocuments and arrays of documents are projected', () => {
    expect(run([doc], [{ $project: { 'author.last': 1, copies: { n: 1 } } }])).toEqual([
      { _id: int(1), author: { last: 'z' }, copies: [{ n: int(1) }, { n: int(2) }] },
    ]);
  });

  test('when fields are excluded, then everything else stays', () => {
    expect(run([doc], [{ $project: { author: 0, 'copies.x': 0, stock: false } }])).toEqual([
      { _id: int(1), title: 'abc', copies: [{ n: int(1) }, { n: int(2) }] },
    ]);
    expect(run([doc], [{ $project: { _id: 0 } }])[0]._id).toBeUndefined();
  });

  test('when computed fields are projected, then they are evaluated against the whole document', () => {
    expectBson(
      run(
        [doc],
        [
          {
            $project: {
              title: 1,
              double: { $multiply: ['$stock', int(2)] },
              name: '$author.last',
              lit: { $literal: 1 },
            },
          },
        ],
      ),
      [{ _id: int(1), title: 'abc', double: int(10), name: 'z', lit: 1 }],
    );
    expectBson(run([doc], [{ $project: { 'author.full': { $concat: ['$author.first', '$author.last'] } } }]), [
      { _id: int(1), author: { full: 'az' } },
    ]);
  });

  test('when $$REMOVE is projected conditionally, then the field is left out', () => {
    const out = run(
      [doc],
      [{ $project: { title: 1, maybe: { $cond: [{ $gt: ['$stock', int(10)] }, '$stock', '$$REMOVE'] } } }],
    );
    expect(out).toEqual([{ _id: int(1), title: 'abc' }]);
  });

  test('when inclusion and exclusion are mixed, then mongod refuses it', () => {
    expectCode(() => run([doc], [{ $project: { title: 1, stock: 0 } }]), 31254);
    expectCode(() => run([doc], [{ $project: { stock: 0, title: 1 } }]), 31253);
    expectCode(() => run([doc], [{ $project: { stock: 0, x: { $add: [1, 2] } } }]), 31252);
    expectCode(() => run([doc], [{ $project: {} }]), 51272);
    expectCode(() => run([doc], [{ $project: { a: 1, 'a.b': 1 } }]), 31250);
  });

  test('when $addFields sets fields, then existing ones are replaced in place and new ones appended', () => {
    const out = run([doc], [{ $addFields: { stock: { $add: ['$stock', int(1)] }, total: int(3), 'author.mid': 'm' } }]);
    expectBson(out[0], {
      _id: int(1),
      title: 'abc',
      author: { first: 'a', last: 'z', mid: 'm' },
      copies: doc.copies,
      stock: int(6),
      total: int(3),
    });
  });

  test('when $set uses a nested object, then it merges into the embedded document', () => {
    expect(run([doc], [{ $set: { author: { first: 'b' } } }])[0].author).toEqual({ first: 'b', last: 'z' });
  });

  test('when $addFields targets a field inside an array of documents, then every element gets it', () => {
    expectBson(run([doc], [{ $addFields: { 'copies.ok': true } }])[0].copies, [
      { n: int(1), x: int(9), ok: true },
      { n: int(2), ok: true },
    ]);
  });

  test('when $addFields assigns $$REMOVE, then the field is removed', () => {
    expect(run([doc], [{ $set: { stock: '$$REMOVE' } }])[0]).not.toHaveProperty('stock');
  });

  test('$unset removes one or several (dotted) fields', () => {
    expect(run([doc], [{ $unset: ['stock', 'author.first', 'copies.x'] }])).toEqual([
      { _id: int(1), title: 'abc', author: { last: 'z' }, copies: [{ n: int(1) }, { n: int(2) }] },
    ]);
    expect(run([doc], [{ $unset: 'copies' }])[0]).not.toHaveProperty('copies');
    expectCode(() => run([doc], [{ $unset: int(1) }]), 31002);
  });
});

describe('$unwind', () => {
  test('when the path is an array, then one document per element; other cases are dropped by default', () => {
    const out = run(orders, [{ $unwind: '$tags' }]);
    expect(out.map((d) => [d._id, d.tags])).toEqual([
      [int(1), 'nuts'],
      [int(1), 'food'],
      // A non-array, non-null value is treated as a one-element array.
      [int(5), 'spice'],
    ]);
  });

  test('when preserveNullAndEmptyArrays and includeArrayIndex are set, then nothing is dropped and indexes are longs', () => {
    const out = run(orders, [
      { $unwind: { path: '$tags', includeArrayIndex: 'idx', preserveNullAndEmptyArrays: true } },
    ]);
    expectBson(
      out.map((d) => [d._id, d.tags, d.idx]),
      [
        [int(1), 'nuts', long(0)],
        [int(1), 'food', long(1)],
        [int(2), '<missing>', null],
        [int(3), null, null],
        [int(4), '<missing>', null],
        [int(5), 'spice', null],
      ].map((row) => row.map((v) => (v === '<missing>' ? undefined : v))),
    );
  });

  test('when the path is dotted, then the embedded array is unwound', () => {
    const out = run([{ _id: int(1), a: { b: [int(1), int(2)] } }], [{ $unwind: '$a.b' }]);
    expect(out).toEqual([
      { _id: int(1), a: { b: int(1) } },
      { _id: int(1), a: { b: int(2) } },
    ]);
  });

  test('when the path lacks a $, then error 28818', () => {
    expectCode(() => run(orders, [{ $unwind: 'tags' }]), 28818);
    expectCode(() => run(orders, [{ $unwind: { path: '$tags', bogus: 1 } }]), 28811);
  });
});

describe('$lookup', () => {
  const inventory: Doc[] = [
    { _id: int(1), sku: 'almonds', instock: int(120) },
    { _id: int(2), sku: 'bread', instock: int(80) },
    { _id: int(3), sku: 'cashews', instock: int(60) },
    { _id: int(4), sku: 'pecans', instock: int(70) },
    { _id: int(5), sku: null, instock: int(0) },
    { _id: int(6) },
  ];

  test('when localField/foreignField are equal, then matches are joined in the foreign collection order', () => {
    const out = run(
      orders.slice(0, 2),
      [{ $lookup: { from: 'inventory', localField: 'item', foreignField: 'sku', as: 'inv' } }],
      { inventory },
    );
    expect(out.map((d) => (d.inv as Doc[]).map((i) => i._id))).toEqual([[int(1)], [int(4)]]);
  });

  test('when the local field is missing, then it matches foreign documents whose field is null or missing', () => {
    const out = run(
      [{ _id: int(9) }],
      [{ $lookup: { from: 'inventory', localField: 'item', foreignField: 'sku', as: 'inv' } }],
      { inventory },
    );
    expect((out[0].inv as Doc[]).map((i) => i._id)).toEqual([int(5), int(6)]);
  });

  test('when the local field is an array, then any element matches; numbers match across types', () => {
    const out = run(
      [
        { _id: int(1), items: ['bread', 'cashews', 'nope'] },
        { _id: int(2), ids: [long(1), dbl(2)] },
      ],
      [
        { $lookup: { from: 'inventory', localField: 'items', foreignField: 'sku', as: 'bySku' } },
        { $lookup: { from: 'inventory', localField: 'ids', foreignField: '_id', as: 'byId' } },
      ],
      { inventory },
    );
    expect((out[0].bySku as Doc[]).map((i) => i._id)).toEqual([int(2), int(3)]);
    expect((out[1].byId as Doc[]).map((i) => i._id)).toEqual([int(1), int(2)]);
  });

  test('when the foreign field is an array, then a document matches if any element equals', () => {
    const tagged = [
      { _id: int(1), tags: ['food', 'x'] },
      { _id: int(2), tags: ['other'] },
    ];
    const out = run(
      [{ tag: 'food' }],
      [{ $lookup: { from: 'tagged', localField: 'tag', foreignField: 'tags', as: 'm' } }],
      { tagged },
    );
    expect((out[0].m as Doc[]).map((i) => i._id)).toEqual([int(1)]);
  });

  test('when let/pipeline is used, then $$variables reach $match $expr', () => {
    const out = run(
      orders.slice(0, 3),
      [
        {
          $lookup: {
            from: 'inventory',
            let: { wanted: '$item', qty: '$quantity' },
            pipeline: [
              { $match: { $expr: { $and: [{ $eq: ['$sku', '$$wanted'] }, { $gte: ['$instock', '$$qty'] }] } } },
              { $project: { _id: 0, instock: 1 } },
            ],
            as: 'stock',
          },
        },
      ],
      { inventory },
    );
    expectBson(
      out.map((d) => d.stock),
      [[{ instock: int(120) }], [{ instock: int(70) }], [{ instock: int(80) }]],
    );
  });

  test('when localField/foreignField and pipeline are combined, then the pipeline runs on the equality matches', () => {
    const out = run(
      [{ item: 'bread', min: int(100) }],
      [
        {
          $lookup: {
            from: 'inventory',
            localField: 'item',
            foreignField: 'sku',
            let: { min: '$min' },
            pipeline: [{ $match: { $expr: { $gte: ['$instock', '$$min'] } } }],
            as: 'enough',
          },
        },
      ],
      { inventory },
    );
    expect(out[0].enough).toEqual([]);
  });

  test('when "as" is dotted, then the result is set in an embedded document; bad specs are refused', () => {
    const out = run(
      [{ item: 'bread' }],
      [{ $lookup: { from: 'inventory', localField: 'item', foreignField: 'sku', as: 'x.y' } }],
      { inventory },
    );
    expect(((out[0].x as Doc).y as Doc[]).length).toBe(1);
    expectCode(() => run([], [{ $lookup: { from: 'inventory', localField: 'a', as: 'x' } }]), 9);
    expectCode(
      () => run([], [{ $lookup: { from: 'inventory', localField: 'a', foreignField: 'b', as: 'x', bogus: 1 } }]),
      40321,
    );
  });
});

describe('$facet, $count, $sortByCount, $replaceRoot, $unionWith, $bucket, $sample', () => {
  test('$facet runs each sub-pipeline on the same input', () => {
    const out = run(orders, [
      { $facet: { cheap: [{ $match: { price: { $lt: int(10) } } }, { $count: 'n' }], all: [{ $count: 'n' }] } },
    ]);
    expectBson(out, [{ cheap: [{ n: int(3) }], all: [{ n: int(5) }] }]);
    expectCode(() => run(orders, [{ $facet: { x: [{ $facet: { y: [] } }] } }]), 40600);
  });

  test('$count gives an int, and no document at all for no input', () => {
    expectBson(run(orders, [{ $count: 'total' }]), [{ total: int(5) }]);
    expect(run([], [{ $count: 'total' }])).toEqual([]);
    expectCode(() => run(orders, [{ $count: '$x' }]), 40158);
  });

  test('$sortByCount groups and sorts by descending count', () => {
    const docs = [{ t: 'a' }, { t: 'b' }, { t: 'b' }, { t: int(1) }, { t: dbl(1) }, { t: 'b' }];
    expectBson(run(docs, [{ $sortByCount: '$t' }]), [
      { _id: 'b', count: int(3) },
      { _id: int(1), count: int(2) },
      { _id: 'a', count: int(1) },
    ]);
  });

  test('$replaceRoot/$replaceWith promote a document and refuse non-documents', () => {
    const docs = [{ _id: int(1), inner: { a: int(1) } }];
    expect(run(docs, [{ $replaceRoot: { newRoot: '$inner' } }])).toEqual([{ a: int(1) }]);
    expect(run(docs, [{ $replaceWith: { $mergeObjects: [{ b: int(2) }, '$inner'] } }])).toEqual([
      { b: int(2), a: int(1) },
    ]);
    expectCode(() => run(docs, [{ $replaceRoot: { newRoot: '$nope' } }]), 40228, "Type of resulting value: 'missing'");
  });

  test('$unionWith appends another collection, optionally through a pipeline', () => {
    const other = [
      { _id: 'x', price: int(100) },
      { _id: 'y', price: int(1) },
    ];
    const out = run(
      orders.slice(0, 1),
      [{ $unionWith: { coll: 'other', pipeline: [{ $match: { price: { $gt: int(10) } } }] } }],
      { other },
    );
    expect(out.map((d) => d._id)).toEqual([int(1), 'x']);
    expect(run([], [{ $unionWith: 'other' }], { other })).toHaveLength(2);
  });

  test('$bucket groups by boundaries with a default bucket', () => {
    const out = run(orders, [
      {
        $bucket: {
          groupBy: '$price',
          boundaries: [int(0), int(10), int(20)],
          default: 'other',
          output: { n: { $sum: int(1) } },
        },
      },
    ]);
    expectBson(out, [
      { _id: int(0), n: int(3) },
      { _id: int(10), n: int(1) },
      { _id: 'other', n: int(1) },
    ]);
    expectCode(() => run(orders, [{ $bucket: { groupBy: '$price', boundaries: [int(0), int(10)] } }]), 40066);
  });

  test('$sample returns the asked number of distinct input documents', () => {
    const out = run(orders, [{ $sample: { size: int(3) } }]);
    expect(out).toHaveLength(3);
    expect(new Set(out.map((d) => String(d._id))).size).toBe(3);
    expect(run(orders, [{ $sample: { size: int(50) } }])).toHaveLength(5);
  });
});

describe('stage validation', () => {
  test('when a stage is unknown, then error 40324 names it', () => {
    expectCode(() => run(orders, [{ $foo: {} }]), 40324, "Unrecognized pipeline stage name: '$foo'");
  });

  test.each(['$out', '$merge', '$geoNear', '$search', '$changeStream', '$graphLookup', '$setWindowFields'])(
    'when %s is used, then error 40324 says the embedded database does not support it',
    (stage) => {
      expectCode(() => run(orders, [{ [stage]: {} }]), 40324, `${stage} is not supported by the embedded database`);
    },
  );

  test('when a stage object has two fields, then error 40323', () => {
    expectCode(() => run(orders, [{ $match: {}, $limit: 1 }]), 40323);
  });

  test('when a later stage is malformed, then nothing runs and the error is raised', () => {
    expectCode(() => run(orders, [{ $match: {} }, { $limit: int(-1) }]), 15958);
  });

  test('when the pipeline has let variables, then expressions see them', () => {
    const out = runPipeline(
      orders,
      [{ $match: { $expr: { $eq: ['$item', '$$wanted'] } } }],
      pipelineContext({}, { wanted: 'rice' }),
    );
    expect(out.map((d) => d._id)).toEqual([int(4)]);
  });

  test('the input documents are not modified', () => {
    const input = [{ _id: int(1), a: { b: int(1) }, list: [int(1), int(2)] }];
    const snapshot = JSON.stringify(input);
    run(input, [{ $set: { 'a.c': int(2) } }, { $unwind: '$list' }, { $unset: 'a.b' }, { $project: { a: 1 } }]);
    expect(JSON.stringify(input)).toBe(snapshot);
  });
});

describe('$project edge cases', () => {
  test('when _id: 1 appears in an exclusion projection, then _id is kept', () => {
    expect(run([{ _id: int(1), a: int(1), b: int(2) }], [{ $project: { _id: 1, a: 0 } }])).toEqual([
      { _id: int(1), b: int(2) },
    ]);
  });

  test('when _id is computed, then it replaces the original _id', () => {
    expect(run([{ _id: int(1), a: 'x' }], [{ $project: { _id: '$a' } }])).toEqual([{ _id: 'x' }]);
  });

  test('when a number other than 0/1 is given, then it means inclusion (as true does)', () => {
    expect(run([{ _id: int(1), a: int(1), b: int(2) }], [{ $project: { a: int(5) } }])).toEqual([
      { _id: int(1), a: int(1) },
    ]);
  });
});
