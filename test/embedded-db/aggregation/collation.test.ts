/**
 * Under a collation the embedded database answers what it can compare by it and refuses the rest: a stage or
 * operator that would compare strings by code point fails loudly (115 CommandNotSupported), never answers differently
 * from mongod.
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

test('when a set operator runs under a collation, then it is refused rather than compared by code point', () => {
  expectCode(() => collated([{ $project: { u: { $setUnion: [['$unit'], ['kg']] } } }]), 115);
  expectCode(() => collated([{ $project: { u: { $setIsSubset: [['$unit'], ['kg']] } } }]), 115);
});

test('when $lookup runs under a collation, then it is refused (its equality would be by code point)', () => {
  const pipeline = [{ $lookup: { from: 'rates', localField: 'unit', foreignField: 'unit', as: 'rates' } }];
  expectCode(() => collated(pipeline, { rates: [{ unit: 'KG' }] }), 115);
});

test('when $bucket groups strings under a collation, then the boundaries compare by it', () => {
  const buckets = collated([{ $bucket: { groupBy: '$unit', boundaries: ['a', 'l', 'z'] } }]);
  expect(buckets).toEqual([
    { _id: 'a', count: expect.anything() },
    { _id: 'l', count: expect.anything() },
  ]);
  expect(buckets.map((b) => Number(b.count))).toEqual([2, 1]);
});
