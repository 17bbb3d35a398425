import mongoose, { Schema, Types } from 'mongoose';
import { detached, withTransaction } from '../../../src/db/transaction';
import { queuedOnStock } from '../../../src/modules/stock/stock.ledger';
import { useTestDatabase } from '../../support/database';

const Tally =
  mongoose.models.QueueTally ?? mongoose.model('QueueTally', new Schema({ _id: String, n: Number }, { _id: false }));

const goods = [{ warehouseId: new Types.ObjectId(), itemId: new Types.ObjectId() }];

describe('queuedOnStock', () => {
  useTestDatabase();

  test('when it runs inside a transaction, then the next caller on the same goods starts only after that transaction has committed', async () => {
    const events: string[] = [];
    let next: Promise<void> | undefined;
    await withTransaction(async (session) => {
      await queuedOnStock(goods, async () => {
        await Tally.create([{ _id: 'balance', n: 1 }], { session });
      });
      // The stock work has returned, the transaction has not committed yet: a second caller must keep waiting.
      // Another request (outside this transaction) wants the same goods.
      next = detached(() =>
        queuedOnStock(goods, async () => {
          events.push(`second sees ${(await Tally.findById('balance').lean<{ n: number }>())?.n ?? 'nothing'}`);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      events.push('first commits');
    });
    await next;
    expect(events).toEqual(['first commits', 'second sees 1']);
  });

  test('when one transaction queues twice on the same goods, then the second call does not wait for the first', async () => {
    const result = await withTransaction(async (session) => {
      await queuedOnStock(goods, () => Tally.create([{ _id: 'a', n: 1 }], { session }));
      return queuedOnStock(goods, async () => 'ran');
    });
    expect(result).toBe('ran');
  });

  test('when the transaction aborts, then the goods are released for the next caller', async () => {
    await expect(
      withTransaction(async () => {
        await queuedOnStock(goods, async () => {});
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(queuedOnStock(goods, async () => 'free')).resolves.toBe('free');
  });
});
