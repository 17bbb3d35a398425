/**
 * Idempotency-Key on probe routes whose timing the test controls: a concurrent retry never runs twice, an attempt
 * that outlived its lock cannot commit after the retry that took it over, the route's own transactions join the
 * key's, and refusals are remembered while failures release the key. The crash case (SIGKILL between commit and
 * answer) is test/crash/idempotency-crash.test.ts.
 */
import Joi from 'joi';
import mongoose, { Schema } from 'mongoose';
import { AppError } from '../../src/core/errors';
import { withTransaction } from '../../src/db/transaction';
import { IdempotencyKey } from '../../src/http/idempotency';
import { route } from '../../src/http/route-registry';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';

const probeSchema = new Schema({ label: { type: String, required: true } }, { collection: 'idempotency_probes' });
const Probe = mongoose.models.IdempotencyProbe ?? mongoose.model('IdempotencyProbe', probeSchema);

/** Lets a test hold a route in the middle of its run. */
let gate: Promise<void> = Promise.resolve();
let entered: () => void = () => {};

const routes = [
  route('POST /probe/records', {
    summary: 'Writes a record in a service transaction, then one more write outside it, after the gate opens',
    access: 'stock:write',
    idempotent: true,
    success: 201,
    schemas: { body: Joi.object({ label: Joi.string().required(), fail: Joi.string().valid('refuse', 'crash') }) },
    run: async ({ body }: { body: { label: string; fail?: string } }) => {
      const created = await withTransaction(async (session) => {
        const [doc] = await Probe.create([{ label: body.label }], { session });
        return doc;
      });
      entered();
      await gate;
      // No session named: joins the key's transaction all the same.
      await Probe.create({ label: `${body.label}:after` });
      if (body.fail === 'refuse') throw new AppError('INSUFFICIENT_STOCK', 'Not enough', { label: body.label });
      if (body.fail === 'crash') throw new Error('boom');
      return { id: String(created._id), label: body.label, count: await Probe.countDocuments() };
    },
  }),
];

const t = setupTestApp({ routes });

function holdRoutes(): { release: () => void; inside: Promise<void> } {
  let release = () => {};
  gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  return { release, inside };
}

afterEach(() => {
  gate = Promise.resolve();
  entered = () => {};
});

async function headers() {
  const { token } = await given.user({ role: 'warehouse' });
  return bearer(token);
}

describe('Idempotency-Key', () => {
  test('when a retry arrives while the first attempt runs, then it waits for the first answer and the route runs once', async () => {
    const auth = await headers();
    const held = holdRoutes();
    const send = () =>
      t.api.post('/api/v1/probe/records').set(auth).set('Idempotency-Key', 'probe-key-0001').send({ label: 'a' });
    const first = send().then((res) => res);
    await held.inside;
    const retry = send().then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 300));
    held.release();
    const [a, b] = await Promise.all([first, retry]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body).toEqual(a.body);
    expect(await Probe.countDocuments()).toBe(2);
  });

  test('when the first attempt is still running after the wait, then the retry answers 409 with Retry-After and runs nothing', async () => {
    const auth = await headers();
    const held = holdRoutes();
    const send = () =>
      t.api.post('/api/v1/probe/records').set(auth).set('Idempotency-Key', 'probe-key-0002').send({ label: 'b' });
    const first = send().then((res) => res);
    await held.inside;
    const retry = await send();
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('CONFLICT');
    expect(retry.body.error.message).toMatch(/still being processed; retry after \d+ s/);
    expect(retry.headers['retry-after']).toMatch(/^\d+$/);
    held.release();
    expect((await first).status).toBe(201);
    expect(await Probe.countDocuments()).toBe(2);
  });

  test('when an attempt outlives its lock and a retry takes the key over, then only one of them commits', async () => {
    const auth = await headers();
    const held = holdRoutes();
    const send = () =>
      t.api.post('/api/v1/probe/records').set(auth).set('Idempotency-Key', 'probe-key-0003').send({ label: 'c' });
    const slow = send().then((res) => res);
    await held.inside;
    // As if the lock had expired (the first attempt's process looked dead).
    await IdempotencyKey.updateMany({}, { $set: { lockedUntil: new Date(Date.now() - 1000) } });
    held.release();
    const takeover = await send();
    const late = await slow;
    expect([takeover.status, late.status].sort()).toEqual([201, 409]);
    expect(await Probe.countDocuments()).toBe(2);
    const replay = await send();
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(takeover.status === 201 ? takeover.body : late.body);
  });

  test('when the route is refused after writing, then nothing it wrote stays and the retry answers the same refusal', async () => {
    const auth = await headers();
    const send = () =>
      t.api
        .post('/api/v1/probe/records')
        .set(auth)
        .set('Idempotency-Key', 'probe-key-0004')
        .send({ label: 'd', fail: 'refuse' });
    const first = await send();
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe('INSUFFICIENT_STOCK');
    expect(await Probe.countDocuments()).toBe(0);
    const retry = await send();
    expect(retry.status).toBe(409);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
  });

  test('when the route fails unexpectedly, then nothing stays and the key is released for the retry', async () => {
    const auth = await headers();
    const res = await t.api
      .post('/api/v1/probe/records')
      .set(auth)
      .set('Idempotency-Key', 'probe-key-0005')
      .send({ label: 'e', fail: 'crash' });
    expect(res.status).toBe(500);
    expect(await Probe.countDocuments()).toBe(0);
    expect(await IdempotencyKey.countDocuments()).toBe(0);
  });

  test('when no key is sent, then the route runs as usual, its service transaction on its own', async () => {
    const auth = await headers();
    const res = await t.api.post('/api/v1/probe/records').set(auth).send({ label: 'f', fail: 'refuse' });
    expect(res.status).toBe(409);
    // Without a key there is no enclosing transaction: the service's own committed, the write after it too.
    expect(await Probe.countDocuments()).toBe(2);
  });
});
