import { AuditEntry } from '../../src/modules/audit/audit.model';
import { User } from '../../src/modules/users/users.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';

const t = setupTestApp();

const newUser = {
  email: 'Saule.K@Meirim.kz',
  name: 'Saule Kenzhebekova',
  roles: ['coordinator'],
  password: 'twelve chars or more',
};

describe('users', () => {
  test('when an admin creates a user, then it is of its organisation, the email stored lowercase, the password hashed, and the audit names no personal data', async () => {
    const ngo = await given.organisation();
    const admin = await given.user({ role: 'admin', organisationId: ngo.id });

    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ ...newUser, organisationId: ngo.id });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'saule.k@meirim.kz',
      roles: ['coordinator'],
      organisationId: ngo.id,
      active: true,
    });
    expect(res.body.passwordHash).toBeUndefined();
    const stored = await User.findById(res.body.id).select('+passwordHash').lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    const audit = await AuditEntry.findOne({ action: 'user.create' }).lean();
    expect(audit).toMatchObject({ targetId: res.body.id, organisationId: expect.anything() });
    expect(JSON.stringify(audit)).not.toMatch(/saule|Kenzhebekova|twelve chars/i);
  });

  test('when the same email is used again in another case, then it answers 409', async () => {
    const admin = await given.user({ role: 'admin' });
    await given.user({ email: 'dana@asar.kz', session: false });
    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ email: 'DANA@asar.kz', name: 'Dana', roles: ['viewer'], password: 'twelve chars or more' });
    expect(res.status).toBe(409);
  });

  test('when the password is shorter than 12 characters, then it answers 400', async () => {
    const admin = await given.user({ role: 'admin' });
    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ email: 'a@b.kz', name: 'A', roles: ['viewer'], password: 'elevenchars' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('password');
  });

  test('when an admin names another organisation, or one that does not exist, for a new user, then it answers 400', async () => {
    const admin = await given.user({ role: 'admin' });
    const other = await given.organisation();
    const theirs = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ ...newUser, organisationId: other.id });
    const unknown = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ ...newUser, organisationId: '64b0000000000000000000aa' });
    for (const res of [theirs, unknown]) {
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('organisationId');
    }
    expect(await User.countDocuments()).toBe(1);
  });

  test('when an admin grants the operator role, then it answers 403 and creates nobody', async () => {
    const admin = await given.user({ role: 'admin' });
    const res = await t.api
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ ...newUser, roles: ['operator'] });
    expect(res.status).toBe(403);
    expect(await User.countDocuments()).toBe(1);
  });

  test("when the operator creates an organisation's first admin, then that admin acts inside it", async () => {
    const operator = await given.user({ role: 'operator' });
    const ngo = await given.organisation();
    const res = await t.api
      .post(`/api/v1/organisations/${ngo.id}/admins`)
      .set(bearer(operator.token))
      .send({ email: 'first@meirim.kz', name: 'First Admin', password: 'twelve chars or more' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ organisationId: ngo.id, roles: ['admin'] });
    // The operator itself reaches no organisation's records.
    const users = await t.api.get('/api/v1/users').set(bearer(operator.token));
    expect(users.status).toBe(403);
  });

  test("when an admin changes a user's roles, then the audit records the roles before and after", async () => {
    const admin = await given.user({ role: 'admin' });
    const target = await given.user({ role: 'viewer', session: false });

    const res = await t.api
      .patch(`/api/v1/users/${target.user.id}`)
      .set(bearer(admin.token))
      .send({ roles: ['viewer', 'logistics'], name: 'Nurlan B.' });

    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['viewer', 'logistics']);
    const audit = await AuditEntry.findOne({ action: 'user.update' }).lean();
    expect(audit?.summary).toEqual({
      changed: { roles: { from: ['viewer'], to: ['viewer', 'logistics'] }, name: 'changed' },
    });
  });

  test('when an admin tries to deactivate itself, then it answers 409 and stays active', async () => {
    const admin = await given.user({ role: 'admin' });
    const res = await t.api.post(`/api/v1/users/${admin.user.id}/deactivate`).set(bearer(admin.token));
    expect(res.status).toBe(409);
    expect((await User.findById(admin.user.id).lean())?.active).toBe(true);
  });

  test('when users are listed with filters, then the page holds the matching ones', async () => {
    const admin = await given.user({ role: 'admin' });
    await given.user({ role: 'warehouse', session: false });
    await given.user({ role: 'warehouse', active: false, session: false });
    const res = await t.api.get('/api/v1/users?role=warehouse&active=true&limit=10').set(bearer(admin.token));
    expect(res.status).toBe(200);
    expect(res.body.page).toEqual({ limit: 10, offset: 0, total: 1 });
    expect(res.body.data[0].roles).toEqual(['warehouse']);
  });
});
