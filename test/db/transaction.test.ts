import mongoose, { Schema } from 'mongoose';
import { withTransaction } from '../../src/db/transaction';
import { useTestDatabase } from '../support/database';

const Crate = mongoose.models.TransactionCrate ?? mongoose.model('TransactionCrate', new Schema({ label: String }));

describe('withTransaction', () => {
  useTestDatabase();

  test('when the function succeeds, then its writes are committed and its result returned', async () => {
    const result = await withTransaction(async (session) => {
      await Crate.create([{ label: 'blankets' }], { session });
      await Crate.create([{ label: 'heaters' }], { session });
      return 'done';
    });
    expect(result).toBe('done');
    expect(await Crate.countDocuments()).toBe(2);
  });

  test('when the function throws, then none of its writes remain and the error reaches the caller', async () => {
    await expect(
      withTransaction(async (session) => {
        await Crate.create([{ label: 'yurt kit' }], { session });
        throw new Error('shipment cancelled');
      }),
    ).rejects.toThrow('shipment cancelled');
    expect(await Crate.countDocuments()).toBe(0);
  });
});
