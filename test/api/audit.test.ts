import { driverCollection } from '../../src/db/driver';
import { withTransaction } from '../../src/db/transaction';
import { SYSTEM_ACTOR } from '../../src/modules/access/permissions';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { recordAudit } from '../../src/modules/audit/audit.service';
import { User } from '../../src/modules/users/users.model';
import { setupTestApp } from '../support/app';
import { bearer, given, TEST_PASSWORD } from '../support/given-identity';

const t = setupTestApp();

afterEach(() => {
  jest.restoreAllMocks();
});

describe('audit log', () => {
  test('when each kind of identity change happens, then each leaves one entry with actor, request id and address', async () => {
    const operator = await given.user({ role: 'operator', name: 'Askar Operator' });
    const api = t.api;
    const org = (
      await api.post('/api/v1/organisations').set(bearer(operator.token)).send({ name: 'Qamqor', type: 'ngo' })
    ).body;
    const admin = await given.user({ role: 'admin', name: 'Aigerim Admin', organisationId: org.id });
    const as = bearer(admin.token);
    await api.patch(`/api/v1/organisations/${org.id}`).set(as).send({ name: 'Qamqor Foundation' });
    const user = (
      await api
        .post('/api/v1/users')
        .set(as)
        .send({
          email: 'c@qamqor.kz',
          name: 'C',
          roles: ['coordinator'],
          organisationId: org.id,
          password: TEST_PASSWORD,
        })
    ).body;
    await api
      .patch(`/api/v1/users/${user.id}`)
      .set(as)
      .send({ roles: ['coordinator', 'viewer'] });
    await api.post('/api/v1/auth/login').send({ email: 'c@qamqor.kz', password: 'wrong password!' });
    const token = (await api.post('/api/v1/auth/login').send({ email: 'c@qamqor.kz', password: TEST_PASSWORD })).body
      .token;
    await api.post('/api/v1/auth/logout').set(bearer(token));
    await api.post(`/api/v1/users/${user.id}/deactivate`).set(as);
    await api.post(`/api/v1/users/${user.id}/reactivate`).set(as);
    const key = (
      await api
        .post('/api/v1/api-keys')
        .set(as)
        .send({ label: 'Sync', roles: ['viewer'] })
    ).body;
    await api.post(`/api/v1/api-keys/${key.apiKey.id}/revoke`).set(as);

    const entries = await AuditEntry.find().sort({ at: 1, _id: 1 }).lean();
    expect(entries.map((e) => e.action)).toEqual([
      'organisation.create',
      'organisation.update',
      'user.create',
      'user.update',
      'auth.login_failed',
      'auth.login',
      'auth.logout',
      'user.deactivate',
      'user.reactivate',
      'apikey.create',
      'apikey.revoke',
    ]);
    for (const entry of entries) {
      expect(entry.requestId).toEqual(expect.any(String));
      expect(entry.ip).toEqual(expect.any(String));
    }
    expect(entries[0]?.actor).toMatchObject({ kind: 'user', id: operator.user.id, name: 'Askar Operator' });
    expect(entries[1]?.actor).toMatchObject({ kind: 'user', id: admin.user.id, name: 'Aigerim Admin' });
    // Every entry is the organisation's: its admin reads them all, another organisation's admin none.
    expect(entries.every((e) => String(e.organisationId) === org.id)).toBe(true);
    const theirs = await given.user({ role: 'admin' });
    const listed = await api.get('/api/v1/audit').set(bearer(theirs.token));
    expect(listed.body.data.map((e: { organisationId: string }) => e.organisationId)).not.toContain(org.id);
    expect(entries[4]?.actor).toMatchObject({ kind: 'anonymous', id: null });
    expect(JSON.stringify(entries)).not.toContain(key.key);
  });

  test('when the audit entry cannot be written, then the change it records is rolled back', async () => {
    const admin = await given.user({ role: 'admin' });
    // At the driver, below every way the entries are written (Mongoose's and the scoped direct path).
    jest.spyOn(driverCollection(AuditEntry), 'insertMany').mockRejectedValueOnce(new Error('disk full') as never);

    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ email: 'lost@asar.kz', name: 'Lost', roles: ['viewer'], password: TEST_PASSWORD });

    expect(res.status).toBe(500);
    expect(await User.countDocuments({ email: 'lost@asar.kz' })).toBe(0);
  });

  test('when the change fails after its audit entry was written, then no audit entry remains', async () => {
    await expect(
      withTransaction(async (session) => {
        await recordAudit({ actor: SYSTEM_ACTOR, action: 'user.create', targetType: 'user', targetId: 'x' }, session);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await AuditEntry.countDocuments()).toBe(0);
  });

  test('when someone tries to change or delete an audit entry, then the model refuses', async () => {
    await recordAudit({ actor: SYSTEM_ACTOR, action: 'user.create', targetType: 'user', targetId: 'x' }, null);
    await expect(AuditEntry.updateOne({}, { $set: { action: 'user.delete' } })).rejects.toThrow(/append-only/);
    await expect(AuditEntry.deleteMany({})).rejects.toThrow(/append-only/);
    const entry = await AuditEntry.findOne();
    await expect(entry?.deleteOne()).rejects.toThrow(/append-only/);
    expect(await AuditEntry.countDocuments({ action: 'user.create' })).toBe(1);
  });

  test('when admins filter the log by action, target, actor and time, then they get the matching page, newest first', async () => {
    const admin = await given.user({ role: 'admin' });
    const as = bearer(admin.token);
    // Entries at known times, an hour apart (written directly: the time filter is what is tested here).
    const at = (hour: number) => new Date(Date.UTC(2025, 0, 10, hour));
    const entry = (actorId: string, action: string, targetId: string, hour: number) => ({
      organisationId: admin.user.organisationId,
      actor: { kind: 'user' as const, id: actorId, name: 'Someone', organisationId: null },
      action,
      targetType: 'organisation',
      targetId,
      at: at(hour),
    });
    await AuditEntry.create([
      entry('admin-1', 'organisation.create', 'org-1', 9),
      entry('admin-1', 'organisation.create', 'org-2', 10),
      entry('admin-1', 'organisation.create', 'org-3', 11),
      entry('admin-1', 'organisation.update', 'org-1', 12),
      entry('admin-2', 'organisation.create', 'org-4', 13),
    ]);
    const ids = async (query: string) => {
      const res = await t.api.get(`/api/v1/audit?${query}`).set(as);
      expect(res.status).toBe(200);
      return { targets: res.body.data.map((e: { targetId: string }) => e.targetId), page: res.body.page };
    };

    expect(await ids('actorId=admin-1&action=organisation.create&limit=2')).toEqual({
      targets: ['org-3', 'org-2'],
      page: { limit: 2, offset: 0, total: 3 },
    });
    expect((await ids('actorId=admin-1&action=organisation.create&limit=2&offset=2')).targets).toEqual(['org-1']);
    expect((await ids('targetType=organisation&targetId=org-1')).targets).toEqual(['org-1', 'org-1']);
    // `from` inclusive, `to` exclusive.
    const window = `from=${at(10).toISOString()}&to=${at(13).toISOString()}`;
    expect((await ids(`${window}&action=organisation.create`)).targets).toEqual(['org-3', 'org-2']);
    expect((await ids(`${window}`)).targets).toEqual(['org-1', 'org-3', 'org-2']);
  });

  test('when "to" is not after "from", then it answers 400', async () => {
    const admin = await given.user({ role: 'admin' });
    const res = await t.api
      .get('/api/v1/audit?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z')
      .set(bearer(admin.token));
    expect(res.status).toBe(400);
  });
});
