/**
 * The offline queue on a real IndexedDB implementation (fake-indexeddb), with a sender standing in for the network:
 * what is sent, in which order, with which key, and what stays when the server cannot be reached or refuses.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, test } from 'vitest';
import { ApiError, type RequestOptions } from '../../../src/web/client/lib/api';
import { discard, enqueue, flushQueue, listQueued } from '../../../src/web/client/lib/queue';

const ALICE = 'user-alice';

async function queue(key: string, userId = ALICE) {
  return enqueue({ key, userId, kind: 'donation', method: 'POST', path: '/donations', body: { key }, summary: key });
}

beforeEach(async () => {
  for (const entry of await listQueued()) await discard(entry.key);
});

describe('flushQueue', () => {
  test('when the connection returns, then each request is sent once, in order, with its own Idempotency-Key', async () => {
    await queue('key-aaaa-1', ALICE);
    await queue('key-bbbb-2', 'user-bob');
    await queue('key-cccc-3', ALICE);
    const sent: RequestOptions[] = [];
    const result = await flushQueue(ALICE, async (_path, options) => {
      sent.push(options);
      return { ok: true };
    });
    expect(sent.map((options) => options.idempotencyKey)).toEqual(['key-aaaa-1', 'key-cccc-3']);
    expect(sent[0]).toMatchObject({ method: 'POST', body: { key: 'key-aaaa-1' } });
    expect(result.sent).toHaveLength(2);
    // Bob's work stays for Bob.
    expect((await listQueued()).map((entry) => entry.key)).toEqual(['key-bbbb-2']);
  });

  test('when the server cannot be reached, then the round stops and everything stays, with the same key for the retry', async () => {
    await queue('key-aaaa-1');
    await queue('key-bbbb-2');
    const keys: (string | undefined)[] = [];
    const offline = async (_path: string, options: RequestOptions) => {
      keys.push(options.idempotencyKey);
      throw new ApiError('NETWORK', 'unreachable', 0);
    };
    const first = await flushQueue(ALICE, offline);
    expect(first).toMatchObject({ interrupted: true, sent: [] });
    expect(keys).toEqual(['key-aaaa-1']);
    const waiting = await listQueued();
    expect(waiting.map((entry) => [entry.key, entry.attempts, entry.failure])).toEqual([
      ['key-aaaa-1', 1, null],
      ['key-bbbb-2', 0, null],
    ]);

    const resent: (string | undefined)[] = [];
    await flushQueue(ALICE, async (_path, options) => {
      resent.push(options.idempotencyKey);
      return {};
    });
    expect(resent).toEqual(['key-aaaa-1', 'key-bbbb-2']);
    expect(await listQueued()).toEqual([]);
  });

  test('when the server refuses a request, then it stays marked with the answer and the others are still sent', async () => {
    await queue('key-aaaa-1');
    await queue('key-bbbb-2');
    const result = await flushQueue(ALICE, async (_path, options) => {
      if (options.idempotencyKey === 'key-aaaa-1') {
        throw new ApiError('INSUFFICIENT_STOCK', 'Not enough rice', 409, {});
      }
      return {};
    });
    expect(result.sent.map((s) => s.entry.key)).toEqual(['key-bbbb-2']);
    const [refused] = await listQueued();
    expect(refused).toMatchObject({
      key: 'key-aaaa-1',
      failure: { code: 'INSUFFICIENT_STOCK', status: 409 },
    });
    // A refused request is not sent again by itself: it waits for the user.
    let calls = 0;
    await flushQueue(ALICE, async () => {
      calls += 1;
      return {};
    });
    expect(calls).toBe(0);
  });

  test('when two rounds start at once, then each request is still sent once', async () => {
    await queue('key-aaaa-1');
    let calls = 0;
    const slow = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return {};
    };
    await Promise.all([flushQueue(ALICE, slow), flushQueue(ALICE, slow)]);
    expect(calls).toBe(1);
  });

  test('when the server is still processing the same key, then the request stays to be retried, not refused', async () => {
    await queue('key-aaaa-1');
    await flushQueue(ALICE, async () => {
      throw new ApiError('CONFLICT', 'A request with this Idempotency-Key is still being processed; retry later', 409);
    });
    const [entry] = await listQueued();
    expect(entry.failure).toBeNull();
  });
});
