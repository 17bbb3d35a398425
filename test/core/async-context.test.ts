import { setImmediate as nextTurn } from 'node:timers/promises';
import { ContextSlot } from '../../src/core/async-context';

describe('ContextSlot (one AsyncLocalStorage, several slots)', () => {
  const request = new ContextSlot<string>('test-request');
  const transaction = new ContextSlot<string>('test-transaction');

  test('when a slot is set inside another slot, then both are seen across awaits and the outer one is restored after', async () => {
    const seen: (string | undefined)[][] = [];
    await request.run('r1', async () => {
      await nextTurn();
      await transaction.run('t1', async () => {
        await nextTurn();
        seen.push([request.get(), transaction.get()]);
      });
      seen.push([request.get(), transaction.get()]);
    });
    seen.push([request.get(), transaction.get()]);
    expect(seen).toEqual([
      ['r1', 't1'],
      ['r1', undefined],
      [undefined, undefined],
    ]);
  });

  test('when a slot is exited, then only that slot is unset for the function and what it awaits', async () => {
    const seen = await request.run('r2', () =>
      transaction.run('t2', () =>
        transaction.exit(async () => {
          await nextTurn();
          return [request.get(), transaction.get()];
        }),
      ),
    );
    expect(seen).toEqual(['r2', undefined]);
  });

  test('when two runs of the same slot interleave, then each continuation sees its own value', async () => {
    const run = (value: string) =>
      request.run(value, async () => {
        await nextTurn();
        await nextTurn();
        return request.get();
      });
    expect(await Promise.all([run('a'), run('b'), run('c')])).toEqual(['a', 'b', 'c']);
  });
});
