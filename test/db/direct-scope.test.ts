/**
 * The scoped direct path (`owned(Model, actor).direct()`, src/modules/access/scope.ts): the hot paths' reads and
 * writes on the driver keep the one ownership mechanism, and refuse what the model's own middleware would refuse.
 */
import mongoose, { Types } from 'mongoose';
import {
  acrossOrganisations,
  organisationActor,
  owned,
  ownedByOrganisation,
  SYSTEM_ACTOR,
} from '../../src/modules/access';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { LedgerEntry, StockBalance } from '../../src/modules/stock/stock.model';
import { Warehouse } from '../../src/modules/warehouses/warehouses.model';
import { useTestDatabase } from '../support/database';

describe('the scoped direct path', () => {
  useTestDatabase();

  const home = new Types.ObjectId();
  const other = new Types.ObjectId();
  const homeActor = organisationActor(String(home));
  const otherActor = organisationActor(String(other));

  function identity(warehouseId = new Types.ObjectId(), itemId = new Types.ObjectId()) {
    return { warehouseId, itemId, locationCode: null, lot: null, expiryDate: null, condition: 'good' as const };
  }

  async function balanceOf(actor: typeof homeActor, onHand: number, id = identity()) {
    return owned(StockBalance, actor)
      .direct()
      .findOneAndUpdate(id, { $inc: { onHand, version: 1 }, $set: { unit: 'piece' } }, { upsert: true });
  }

  test('when an organisation finds, updates or names another one, then it sees and changes only its own records', async () => {
    const mine = await balanceOf(homeActor, 5);
    const theirs = await balanceOf(otherActor, 7);
    const direct = owned(StockBalance, homeActor).direct();

    expect((await direct.find({})).map((b) => String(b._id))).toEqual([String(mine?._id)]);
    expect(await direct.find({ organisationId: other })).toEqual([]);
    const changed = await direct.updateOne({ _id: theirs?._id }, { $inc: { onHand: -7 } });
    expect(changed.matchedCount).toBe(0);
    expect(await direct.findOneAndUpdate({ _id: theirs?._id }, { $inc: { onHand: -7 } })).toBeNull();
    const stored = await acrossOrganisations('test: read both', () => StockBalance.findById(theirs?._id).lean().exec());
    expect(stored?.onHand).toBe(7);
  });

  test('when documents name another organisation, then they are inserted as the actor organisation’s', async () => {
    const entry = { _id: new Types.ObjectId(), organisationId: other, action: 'test.insert', at: new Date() };
    await owned(AuditEntry, homeActor).direct().insertMany([entry]);

    const stored = await acrossOrganisations('test: read it', () => AuditEntry.findById(entry._id).lean().exec());
    expect(String(stored?.organisationId)).toBe(String(home));
  });

  test('when one document naming another organisation is inserted alone, then it is inserted as the actor organisation’s', async () => {
    const entry = { _id: new Types.ObjectId(), organisationId: other, action: 'test.insertOne', at: new Date() };
    await owned(AuditEntry, homeActor).direct().insertOne(entry);

    const stored = await acrossOrganisations('test: read it', () => AuditEntry.findById(entry._id).lean().exec());
    expect(String(stored?.organisationId)).toBe(String(home));
    expect(entry.organisationId).toBe(other);
  });

  test('when an update touches organisationId, then it is refused and nothing changes', async () => {
    const mine = await balanceOf(homeActor, 5);
    const direct = owned(StockBalance, homeActor).direct();

    await expect(direct.updateOne({ _id: mine?._id }, { $set: { organisationId: other } })).rejects.toThrow(
      'cannot be moved to another organisation',
    );
    await expect(
      direct.findOneAndUpdate({ _id: mine?._id }, [{ $set: { organisationId: other } }], { timestamps: false }),
    ).rejects.toThrow('cannot be moved to another organisation');
    expect((await direct.find({ _id: mine?._id }))[0]?.organisationId).toEqual(home);
  });

  test('when the model has middleware of its own on the operation, then the direct path refuses it', async () => {
    const ledger = owned(LedgerEntry, homeActor).direct();
    await expect(ledger.updateOne({}, { $set: { quantity: 1 } })).rejects.toThrow('onlyReversalLink');
    await expect(
      owned(AuditEntry, homeActor)
        .direct()
        .updateOne({}, { $set: { action: 'x' } }),
    ).rejects.toThrow('refuseChange');
    // A cached reference collection stamps every change (db/reference-cache.ts): only owned() may change it.
    await expect(
      owned(Warehouse, homeActor)
        .direct()
        .updateOne({}, { $set: { name: 'x' } }),
    ).rejects.toThrow('middleware of its own');
  });

  test('when a hook of the model’s own bears the name of an ownership check, then the direct path still refuses it', async () => {
    const schema = new mongoose.Schema({ label: String }, { collection: 'direct_lookalike' });
    schema.plugin(ownedByOrganisation);
    schema.pre('updateOne', function checkFilter() {
      throw new Error('the model’s own rule');
    });
    const Lookalike = mongoose.models.DirectLookalike ?? mongoose.model('DirectLookalike', schema);
    await expect(
      owned(Lookalike, homeActor)
        .direct()
        .updateOne({}, { $set: { label: 'x' } }),
    ).rejects.toThrow('middleware of its own (checkFilter)');
    // Its find has only the plugin's check, which the direct path does itself.
    await expect(owned(Lookalike, homeActor).direct().find({})).resolves.toEqual([]);
  });

  test('when the model is not owned or the actor has no organisation, then the direct path is refused', async () => {
    const Unowned =
      mongoose.models.DirectUnowned ??
      mongoose.model('DirectUnowned', new mongoose.Schema({ label: String }, { collection: 'direct_unowned' }));
    await expect(owned(Unowned, homeActor).direct().find({})).rejects.toThrow('not owned by organisations');
    expect(() => owned(StockBalance, SYSTEM_ACTOR).direct()).toThrow('belongs to no organisation');
  });

  test('when it upserts, then the record has the timestamps and defaults Mongoose would have given it', async () => {
    const at = Date.now();
    const viaDirect = await balanceOf(homeActor, 3);
    const viaMongoose = await owned(StockBalance, homeActor)
      .findOneAndUpdate(
        identity(),
        { $inc: { onHand: 3, version: 1 }, $set: { unit: 'piece' } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean()
      .exec();

    expect(Object.keys(viaDirect ?? {}).sort()).toEqual(Object.keys(viaMongoose ?? {}).sort());
    expect(viaDirect?.reserved).toBe(0);
    expect(viaDirect?.createdAt.getTime()).toBeGreaterThanOrEqual(at);
    expect(viaDirect?.updatedAt).toEqual(viaDirect?.createdAt);
  });

  test('when a pipeline update does not say it sets the timestamps, then it is refused', async () => {
    const mine = await balanceOf(homeActor, 5);
    await expect(
      owned(StockBalance, homeActor)
        .direct()
        .findOneAndUpdate({ _id: mine?._id }, [{ $set: { onHand: 4 } }]),
    ).rejects.toThrow('sets its timestamps itself');
  });
});
