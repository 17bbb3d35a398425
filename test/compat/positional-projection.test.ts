/** The positional projection `field.$`: the first array element the query matched (manual: "$ (projection)"). */
import { useCompatDatabase } from './compat-db';

const ctx = useCompatDatabase();

beforeEach(async () => {
  await ctx.db.collection('shipments').insertOne({
    _id: 1,
    lines: [
      { item: 'rice', qty: 10 },
      { item: 'flour', qty: 4 },
      { item: 'oil', qty: 2 },
    ],
  } as never);
});

test('when find projects lines.$, then only the first line matching the query comes back', async () => {
  const doc = await ctx.db.collection('shipments').findOne({ 'lines.item': 'flour' }, { projection: { 'lines.$': 1 } });
  expect(doc).toEqual({ _id: 1, lines: [{ item: 'flour', qty: 4 }] });
});

test('when findOneAndUpdate projects lines.$, then the returned document holds the matched line', async () => {
  const doc = await ctx.db
    .collection('shipments')
    .findOneAndUpdate(
      { 'lines.item': 'oil' },
      { $inc: { 'lines.$.qty': 1 } },
      { projection: { 'lines.$': 1 }, returnDocument: 'after' },
    );
  expect(doc).toEqual({ _id: 1, lines: [{ item: 'oil', qty: 3 }] });
});
