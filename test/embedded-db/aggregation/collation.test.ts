/**
 * Under a collation the embedded database compares strings by it in every stage and operator it has; a stage it
 * lacks fails loudly (115 CommandNotSupported), never answers differently from mongod.
 */
import { runPipeline } from '../../../src/embedded-db/aggregation/pipeline';
import { parseCollation } from '../../../src/embedded-db/query/collation';
import type { Doc } from '../../../src/embedded-db/types';
import { expectCode, pipelineContext } from './helpers';

const caseInsensitive = parseCollation({ locale: 'en', strength: 2 })?.compare;
const units: Doc[] = [{ unit: 'KG' }, { unit: 'kg' }, { unit: 'l' }];

function collated(pipeline: Doc[], collections: Record<string, Doc[]> = {}): Doc[] {
  return runPipeline(units, pipeline, { ...pipelineContext(collections), collation: caseInsensitive });
}

test('when set operators run under a collation, then strings equal by it are one element', () => {
  const [first] = collated([
    { $limit: 1 },
    {
      $project: {
        _id: 0,
        union: { $setUnion: [['$unit'], ['kg', 'L']] },
        subset: { $setIsSubset: [['$unit'], ['kg']] },
        same: {
          $setEquals: [
            ['$unit', 'l'],
            ['L', 'kg', 'KG'],
          ],
        },
      },
    },
  ]);
  expect(first).toEqual({ union: ['KG', 'L'], subset: true, same: true });
});

test('when $lookup runs under a collation, then local and foreign strings match by it', () => {
  const pipeline = [
    { $lookup: { from: 'rates', localField: 'unit', foreignField: 'unit', as: 'rates' } },
    { $project: { _id: 0, unit: 1, rates: '$rates.rate' } },
  ];
  const rates = [
    { unit: 'Kg', rate: 1 },
    { unit: 'L', rate: 2 },
    { unit: 'kg', rate: 3 },
  ];
  expect(collated(pipeline, { rates })).toEqual([
    { unit: 'KG', rates: [1, 3] },
    { unit: 'kg', rates: [1, 3] },
    { unit: 'l', rates: [2] },
  ]);
});

test('when an unsupported stage runs under a collation, then it is still refused', () => {
  expectCode(() => collated([{ $densify: { field: 'at', range: { step: 1, bounds: 'full' } } }]), 115);
});

test('when $bucket groups strings under a collation, then the boundaries compare by it', () => {
  const buckets = collated([{ $bucket: { groupBy: '$unit', boundaries: ['a', 'l', 'z'] } }]);
  expect(buckets).toEqual([
    { _id: 'a', count: expect.anything() },
    { _id: 'l', count: expect.anything() },
  ]);
  expect(buckets.map((b) => Number(b.count))).toEqual([2, 1]);
});
