import mongoose, { type ClientSession, Schema, Types } from 'mongoose';
import { type ChangeAudit, defineLifecycle, guardedChange } from '../../src/core/transitions';
import { withTransaction } from '../../src/db/transaction';
import { useTestDatabase } from '../support/database';

useTestDatabase();

type Status = 'draft' | 'packed' | 'dispatched' | 'cancelled';

interface Parcel {
  _id: Types.ObjectId;
  status: Status;
  organisationId: Types.ObjectId;
  note: string | null;
  packedAt: Date | null;
}

const Parcel =
  (mongoose.models.TransitionTestParcel as mongoose.Model<Parcel> | undefined) ??
  mongoose.model<Parcel>(
    'TransitionTestParcel',
    new Schema<Parcel>(
      {
        status: { type: String, required: true },
        organisationId: { type: Schema.Types.ObjectId, required: true },
        note: { type: String, default: null },
        packedAt: { type: Date, default: null },
      },
      { collection: 'transition_test_parcels', versionKey: false },
    ),
  );

const AuditTrail =
  (mongoose.models.TransitionTestAudit as mongoose.Model<ChangeAudit<string>> | undefined) ??
  mongoose.model<ChangeAudit<string>>(
    'TransitionTestAudit',
    new Schema(
      { actor: String, action: String, targetType: String, targetId: Schema.Types.ObjectId, summary: Object },
      { collection: 'transition_test_audit', versionKey: false },
    ),
  );

async function audit(entry: ChangeAudit<string>, session: ClientSession): Promise<void> {
  await AuditTrail.create([entry], { session });
}

const parcelLife = defineLifecycle({
  name: 'Parcel',
  targetType: 'parcel',
  model: Parcel,
  audit,
  transitions: {
    pack: { from: ['draft'], to: 'packed' },
    dispatch: { from: ['packed'], to: 'dispatched' },
    cancel: { from: ['draft', 'packed'], to: 'cancelled' },
  },
});

const organisationId = new Types.ObjectId();

async function parcel(status: Status = 'draft', owner = organisationId): Promise<Parcel> {
  const [created] = await Parcel.create([{ status, organisationId: owner }]);
  return created.toObject() as Parcel;
}

function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  return promise.then(
    () => {
      throw new Error('expected the step to fail');
    },
    (error) => error,
  );
}

describe('a lifecycle table', () => {
  test('when the next steps of a state are asked, then the table answers them with the state each leads to', () => {
    expect(parcelLife.next('draft')).toEqual([
      { action: 'pack', to: 'packed' },
      { action: 'cancel', to: 'cancelled' },
    ]);
    expect(parcelLife.next('packed')).toEqual([
      { action: 'dispatch', to: 'dispatched' },
      { action: 'cancel', to: 'cancelled' },
    ]);
    expect(parcelLife.next('dispatched')).toEqual([]);
    expect(parcelLife.allows('draft', 'dispatch')).toBe(false);
  });

  test('when an allowed step runs, then the status, the change and the audit entry are written together', async () => {
    const p = await parcel();
    const at = new Date('2026-03-01T10:00:00Z');
    const after = await withTransaction((session) =>
      parcelLife.step('pack', {
        id: p._id,
        actor: 'aigerim',
        session,
        scope: { organisationId },
        change: () => ({ set: { packedAt: at }, summary: { boxes: 3 } }),
      }),
    );
    expect(after).toMatchObject({ status: 'packed', packedAt: at });
    expect((await Parcel.findById(p._id).lean())?.status).toBe('packed');
    const entries = await AuditTrail.find().lean();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'aigerim',
      action: 'parcel.pack',
      targetType: 'parcel',
      summary: { from: 'draft', to: 'packed', boxes: 3 },
    });
  });

  test('when a step is not allowed from the current state, then INVALID_STATE names the state and the next steps, and nothing is written', async () => {
    const p = await parcel('packed');
    let worked = false;
    const error = await errorOf(
      withTransaction((session) =>
        parcelLife.step('pack', {
          id: p._id,
          actor: 'aigerim',
          session,
          change: () => {
            worked = true;
            return {};
          },
        }),
      ),
    );
    expect(error.code).toBe('INVALID_STATE');
    expect(error.message).toBe(
      `Parcel ${p._id} is packed; cannot pack (allowed from packed: dispatch (→ dispatched), cancel (→ cancelled))`,
    );
    expect(error.details).toEqual({
      id: String(p._id),
      status: 'packed',
      action: 'pack',
      allowed: [
        { action: 'dispatch', to: 'dispatched' },
        { action: 'cancel', to: 'cancelled' },
      ],
    });
    expect(worked).toBe(false);
    expect(await AuditTrail.countDocuments()).toBe(0);
  });

  test('when the document is outside the scope, then NOT_FOUND, as a missing one', async () => {
    const theirs = await parcel('draft', new Types.ObjectId());
    const error = await errorOf(
      withTransaction((session) =>
        parcelLife.step('cancel', { id: theirs._id, actor: 'aigerim', session, scope: { organisationId } }),
      ),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect((await Parcel.findById(theirs._id).lean())?.status).toBe('draft');
  });

  test('when the state moves on while a step works, then the step answers INVALID_STATE with the new state and writes nothing', async () => {
    const p = await parcel();
    const error = await errorOf(
      withTransaction((session) =>
        parcelLife.step('pack', {
          id: p._id,
          actor: 'aigerim',
          session,
          // The same transaction moves the parcel on before the guarded write (as a concurrent writer would).
          change: async () => {
            await Parcel.updateOne({ _id: p._id }, { $set: { status: 'cancelled' } }, { session });
            return {};
          },
        }),
      ),
    );
    expect(error.code).toBe('INVALID_STATE');
    expect(error.details).toMatchObject({ status: 'cancelled', action: 'pack', allowed: [] });
    expect((await Parcel.findById(p._id).lean())?.status).toBe('draft');
    expect(await AuditTrail.countDocuments()).toBe(0);
  });

  test('when twenty transactions race to dispatch one parcel, then exactly one succeeds and one audit entry is written', async () => {
    const p = await parcel('packed');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        withTransaction((session) => parcelLife.step('dispatch', { id: p._id, actor: `worker-${i}`, session })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures.every((r) => r.reason.code === 'INVALID_STATE')).toBe(true);
    expect(await AuditTrail.countDocuments({ action: 'parcel.dispatch' })).toBe(1);
  }, 30_000);
});

describe('a guarded change without states', () => {
  const options = { model: Parcel, name: 'Parcel', targetType: 'parcel', audit };

  test('when the guard no longer matches, then CONFLICT says the document changed meanwhile', async () => {
    const p = await parcel();
    const error = await errorOf(
      withTransaction((session) =>
        guardedChange(options, {
          id: p._id,
          actor: 'aigerim',
          session,
          action: 'parcel.note',
          change: () => ({ set: { note: 'fragile' }, guard: { note: 'something else' } }),
        }),
      ),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(`Parcel ${p._id} changed meanwhile; retry`);
    expect(await AuditTrail.countDocuments()).toBe(0);
  });

  test('when it applies, then operators and set are written with the audit entry', async () => {
    const p = await parcel();
    const after = await withTransaction((session) =>
      guardedChange(options, {
        id: String(p._id),
        actor: 'aigerim',
        session,
        scope: { organisationId },
        action: 'parcel.note',
        change: () => ({ set: { note: 'fragile' }, summary: { note: 'fragile' } }),
      }),
    );
    expect(after.note).toBe('fragile');
    expect(await AuditTrail.countDocuments({ action: 'parcel.note', targetId: p._id })).toBe(1);
  });
});
