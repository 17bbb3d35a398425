/**
 * Login, tokens (expiry, logout, deactivation), API keys. Rate limiting has its own file, since a limiter's counts
 * live as long as the app of a test file.
 */
import { config } from '../../src/config';
import { ApiKey } from '../../src/modules/api-keys/api-keys.model';
import { AuditEntry } from '../../src/modules/audit/audit.model';
import { INVALID_CREDENTIALS_MESSAGE } from '../../src/modules/auth/auth.service';
import { Session } from '../../src/modules/auth/session.model';
import { hashApiKey } from '../../src/modules/auth/tokens';
import { User } from '../../src/modules/users/users.model';
import { setupTestApp } from '../support/app';
import { apiKeyHeader, bearer, given, TEST_PASSWORD } from '../support/given-identity';

const t = setupTestApp();

const login = (email: string, password: string) => t.api.post('/api/v1/auth/login').send({ email, password });
const changeUser = (adminToken: string, id: string, changes: Record<string, unknown>) =>
  t.api.patch(`/api/v1/users/${id}`).set(bearer(adminToken)).send(changes);
const createWarehouse = (token: string, code: string) =>
  t.api
    .post('/api/v1/warehouses')
    .set(bearer(token))
    .send({ code, name: `Warehouse ${code}`, region: 'astana', city: 'Astana' });

describe('login', () => {
  test('when the email (in any case) and password are right, then it answers a token, its expiry and the user', async () => {
    const { user } = await given.user({ role: 'warehouse', email: 'Aigerim.S@Example.kz', session: false });

    const before = Date.now();
    const res = await login('  AIGERIM.s@example.KZ ', TEST_PASSWORD);

    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresAt = new Date(res.body.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + config.auth.tokenTtlSeconds * 1000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + config.auth.tokenTtlSeconds * 1000 + 1000);
    expect(res.body.user).toMatchObject({ id: user.id, email: 'aigerim.s@example.kz', roles: ['warehouse'] });
    expect(res.body.user.passwordHash).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');

    const me = await t.api.get('/api/v1/auth/me').set(bearer(res.body.token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', user: { id: user.id } });
    expect(me.body.permissions).toContain('stock:write');

    const sessions = await Session.find({ userId: user.id }).lean();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.tokenHash).not.toContain(res.body.token);
    expect((await User.findById(user.id).lean())?.lastLoginAt).toBeInstanceOf(Date);
    const audit = await AuditEntry.findOne({ action: 'auth.login' }).lean();
    expect(audit).toMatchObject({ actor: { kind: 'user', id: user.id }, targetType: 'user', targetId: user.id });
    expect(audit?.requestId).toBe(res.headers['x-request-id']);
    expect(audit?.ip).toBeTruthy();
  });

  test('when a demo user of the seed (an address on a non-public domain) logs in, then it is accepted', async () => {
    await given.user({ role: 'admin', email: 'admin@asar.demo', session: false });
    const res = await login('admin@asar.demo', TEST_PASSWORD);
    expect(res.status).toBe(200);
  });

  test('when the email is unknown or the password wrong, then the answer is the same 401 and no session is made', async () => {
    await given.user({ email: 'dana@example.kz', session: false });

    const wrongPassword = await login('dana@example.kz', 'not the right password');
    const unknownEmail = await login('nobody@example.kz', TEST_PASSWORD);

    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'UNAUTHENTICATED', message: INVALID_CREDENTIALS_MESSAGE, details: {} },
      });
    }
    expect(await Session.countDocuments()).toBe(0);
    const failures = await AuditEntry.find({ action: 'auth.login_failed' }).lean();
    expect(failures.map((entry) => entry.summary.reason).sort()).toEqual(['unknown_account', 'wrong_password']);
    expect(JSON.stringify(failures)).not.toMatch(/nobody@example|dana@example|not the right password/);
  });

  test('when a deactivated user gives the right password, then it gets the same 401', async () => {
    await given.user({ email: 'gone@example.kz', active: false, session: false });
    const res = await login('gone@example.kz', TEST_PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(INVALID_CREDENTIALS_MESSAGE);
  });

  test('when the user of an inactive organisation logs in, then it gets the same 401', async () => {
    const organisation = await given.organisation({ active: false });
    await given.user({ role: 'coordinator', organisationId: organisation.id, email: 'ngo@example.kz', session: false });
    const res = await login('ngo@example.kz', TEST_PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(INVALID_CREDENTIALS_MESSAGE);
    expect(await Session.countDocuments()).toBe(0);
  });

  test('when the body is not an email and a password, then it answers 400 naming the fields', async () => {
    const res = await t.api.post('/api/v1/auth/login').send({ email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password']);
  });
});

describe('tokens', () => {
  test('when a session has expired, then its token answers 401', async () => {
    const { token, sessionId } = await given.user({ role: 'viewer' });
    expect((await t.api.get('/api/v1/auth/me').set(bearer(token))).status).toBe(200);

    await Session.updateOne({ _id: sessionId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });

    const res = await t.api.get('/api/v1/auth/me').set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  // A session holds a snapshot of its user (session.model.ts): these check that every change of the user or its
  // organisation reaches an existing session on its very next request, and the database's sessions with it.
  test("when an admin deactivates a user, then the user's existing session answers 401 on its next request", async () => {
    const admin = await given.user({ role: 'admin' });
    const { token, user } = await given.user({ role: 'viewer' });
    expect((await t.api.get('/api/v1/warehouses').set(bearer(token))).status).toBe(200);

    const res = await t.api.post(`/api/v1/users/${user.id}/deactivate`).set(bearer(admin.token));
    expect(res.status).toBe(200);

    expect((await t.api.get('/api/v1/warehouses').set(bearer(token))).status).toBe(401);
    expect(await Session.countDocuments({ userId: user.id, revokedAt: null })).toBe(0);
  });

  test("when the operator suspends a user's organisation, then the user's existing session answers 401 on its next request", async () => {
    const { token: operator } = await given.user({ role: 'operator' });
    const { token, user } = await given.user({ role: 'viewer' });
    expect((await t.api.get('/api/v1/warehouses').set(bearer(token))).status).toBe(200);

    const res = await t.api
      .patch(`/api/v1/organisations/${user.organisationId}`)
      .set(bearer(operator))
      .send({ active: false });
    expect(res.status).toBe(200);

    expect((await t.api.get('/api/v1/warehouses').set(bearer(token))).status).toBe(401);
    expect(await Session.countDocuments({ userId: user.id, revokedAt: null })).toBe(0);
  });

  test("when an admin changes a user's roles, then the user's existing session acts with the new roles on its next request", async () => {
    const admin = await given.user({ role: 'admin' });
    const { token, user, sessionId } = await given.user({ role: 'viewer' });
    expect((await createWarehouse(token, 'WH-ROLE')).status).toBe(403);

    expect((await changeUser(admin.token, user.id, { roles: ['admin'] })).status).toBe(200);

    expect((await createWarehouse(token, 'WH-ROLE')).status).toBe(201);
    expect((await Session.findById(sessionId).lean())?.holder?.roles).toEqual(['admin']);

    expect((await changeUser(admin.token, user.id, { roles: ['viewer'] })).status).toBe(200);
    expect((await createWarehouse(token, 'WH-ROLE-2')).status).toBe(403);
  });

  test("when an admin renames a user, then the user's existing session acts under the new name", async () => {
    const admin = await given.user({ role: 'admin' });
    const { token, user } = await given.user({ role: 'admin', name: 'Nurlan' });

    expect((await changeUser(admin.token, user.id, { name: 'Nurlan B.' })).status).toBe(200);
    const created = await createWarehouse(token, 'WH-NAME');

    expect(created.status).toBe(201);
    const audit = await AuditEntry.findOne({ action: 'warehouse.create', targetId: created.body.id }).lean();
    expect(audit?.actor).toMatchObject({ id: user.id, name: 'Nurlan B.' });
  });

  test('when logins and the suspension of their organisation run at once, then no session of the suspended organisation stays live', async () => {
    const { token: operator } = await given.user({ role: 'operator' });
    // The suspension starts later each round, so that some round lands it inside the login's transaction, whatever
    // the machine's speed (a login spends most of its time verifying the password before that transaction).
    for (let round = 0; round < 16; round++) {
      const organisation = await given.organisation();
      const email = `race${round}@example.kz`;
      const { user } = await given.user({ role: 'viewer', organisationId: organisation.id, email, session: false });
      const suspend = async () => {
        await new Promise((resolve) => setTimeout(resolve, round * 3));
        return t.api.patch(`/api/v1/organisations/${organisation.id}`).set(bearer(operator)).send({ active: false });
      };

      const [loggedIn, suspended] = await Promise.all([login(email, TEST_PASSWORD), suspend()]);

      expect(suspended.status).toBe(200);
      // Either the login committed first and the suspension revoked its session, or the login saw the suspension.
      expect([200, 401]).toContain(loggedIn.status);
      if (loggedIn.status === 200) {
        expect((await t.api.get('/api/v1/auth/me').set(bearer(loggedIn.body.token))).status).toBe(401);
      }
      expect(await Session.countDocuments({ userId: user.id, revokedAt: null })).toBe(0);
    }
  });

  test('when a session was issued before sessions held their user, then its token answers 401 and its user logs in again', async () => {
    const { token, sessionId, user } = await given.user({ role: 'viewer', email: 'before@example.kz' });
    await Session.updateOne({ _id: sessionId }, { $unset: { holder: 1 } });

    expect((await t.api.get('/api/v1/auth/me').set(bearer(token))).status).toBe(401);
    const res = await login('before@example.kz', TEST_PASSWORD);
    expect(res.status).toBe(200);
    expect((await t.api.get('/api/v1/auth/me').set(bearer(res.body.token))).body.user.id).toBe(user.id);
  });

  test('when the user logs out, then the token stops working and the logout is audited', async () => {
    const { token, user } = await given.user({ role: 'viewer' });

    const res = await t.api.post('/api/v1/auth/logout').set(bearer(token));

    expect(res.status).toBe(204);
    expect((await t.api.get('/api/v1/auth/me').set(bearer(token))).status).toBe(401);
    expect(await AuditEntry.countDocuments({ action: 'auth.logout', 'actor.id': user.id })).toBe(1);
  });

  test('when an admin deactivates a user, then that user is refused at once, and can log in again once reactivated', async () => {
    const admin = await given.user({ role: 'admin' });
    const target = await given.user({ role: 'warehouse', email: 'yerlan@example.kz' });

    const deactivated = await t.api.post(`/api/v1/users/${target.user.id}/deactivate`).set(bearer(admin.token));
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);

    expect((await t.api.get('/api/v1/auth/me').set(bearer(target.token))).status).toBe(401);
    expect(await Session.countDocuments({ userId: target.user.id, revokedAt: null })).toBe(0);
    expect((await login('yerlan@example.kz', TEST_PASSWORD)).status).toBe(401);

    await t.api.post(`/api/v1/users/${target.user.id}/reactivate`).set(bearer(admin.token)).expect(200);
    expect((await login('yerlan@example.kz', TEST_PASSWORD)).status).toBe(200);
  });

  test("when an admin sets a user's new password, then the old sessions end and the new password works", async () => {
    const admin = await given.user({ role: 'admin' });
    const target = await given.user({ role: 'viewer', email: 'nurlan@example.kz' });

    await t.api
      .patch(`/api/v1/users/${target.user.id}`)
      .set(bearer(admin.token))
      .send({ password: 'a brand new passphrase' })
      .expect(200);

    expect((await t.api.get('/api/v1/auth/me').set(bearer(target.token))).status).toBe(401);
    expect((await login('nurlan@example.kz', TEST_PASSWORD)).status).toBe(401);
    expect((await login('nurlan@example.kz', 'a brand new passphrase')).status).toBe(200);
  });

  test.each([
    ['a malformed token', { Authorization: 'Bearer not-a-token' }],
    ['a well-formed unknown token', { Authorization: `Bearer ${'A'.repeat(43)}` }],
    ['another scheme', { Authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['an unknown API key', { 'X-API-Key': `asar_${'B'.repeat(43)}` }],
  ])('when the request carries %s, then it answers 401', async (_what, headers) => {
    const res = await t.api.get('/api/v1/auth/me').set(headers);
    expect(res.status).toBe(401);
  });

  test('when a request carries both a token and an API key, then it answers 401', async () => {
    const { token } = await given.user({ role: 'admin' });
    const { key } = await given.apiKey({ roles: ['admin'] });
    const res = await t.api.get('/api/v1/auth/me').set(bearer(token)).set(apiKeyHeader(key));
    expect(res.status).toBe(401);
  });
});

describe('API keys', () => {
  test('when an admin creates a key, then it is shown once, stored hashed, and works with its roles', async () => {
    const admin = await given.user({ role: 'admin' });

    const created = await t.api
      .post('/api/v1/api-keys')
      .set(bearer(admin.token))
      .send({ label: 'Stock export script', roles: ['viewer'] });

    expect(created.status).toBe(201);
    const { key, apiKey } = created.body;
    expect(key).toMatch(/^asar_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      label: 'Stock export script',
      roles: ['viewer'],
      revokedAt: null,
      hint: key.slice(0, 11),
    });
    const stored = await ApiKey.findById(apiKey.id).lean();
    expect(stored?.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(stored)).not.toContain(key);

    const listed = await t.api.get('/api/v1/api-keys').set(bearer(admin.token));
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.data).toHaveLength(1);

    const me = await t.api.get('/api/v1/auth/me').set(apiKeyHeader(key));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'apiKey', apiKey: { id: apiKey.id } });
    expect((await t.api.get('/api/v1/organisations').set(apiKeyHeader(key))).status).toBe(200);
    expect((await t.api.post('/api/v1/organisations').set(apiKeyHeader(key)).send({})).status).toBe(403);
    expect((await ApiKey.findById(apiKey.id).lean())?.lastUsedAt).toBeInstanceOf(Date);
  });

  test('when a key is revoked, then it answers 401 at once and the revocation is audited', async () => {
    const admin = await given.user({ role: 'admin' });
    const { key, apiKey } = await given.apiKey({ roles: ['warehouse'] });
    expect((await t.api.get('/api/v1/auth/me').set(apiKeyHeader(key))).status).toBe(200);

    const revoked = await t.api.post(`/api/v1/api-keys/${apiKey.id}/revoke`).set(bearer(admin.token));

    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await t.api.get('/api/v1/auth/me').set(apiKeyHeader(key))).status).toBe(401);
    expect(await AuditEntry.countDocuments({ action: 'apikey.revoke', targetId: apiKey.id })).toBe(1);
  });

  test('when the organisation of a key is deactivated, then the key answers 401', async () => {
    const organisation = await given.organisation({ active: false });
    const { key } = await given.apiKey({ roles: ['coordinator'], organisationId: organisation.id });
    expect((await t.api.get('/api/v1/auth/me').set(apiKeyHeader(key))).status).toBe(401);
  });

  test('when an API key tries to log out, then it is told to be revoked instead', async () => {
    const { key } = await given.apiKey({ roles: ['viewer'] });
    const res = await t.api.post('/api/v1/auth/logout').set(apiKeyHeader(key));
    expect(res.status).toBe(422);
  });

  test('when an admin creates a key for another organisation, then it is refused; its own key acts for its own', async () => {
    const admin = await given.user({ role: 'admin' });
    const other = await given.organisation();
    const theirs = await t.api
      .post('/api/v1/api-keys')
      .set(bearer(admin.token))
      .send({ label: 'NGO sync', roles: ['coordinator'], organisationId: other.id });
    expect(theirs.status).toBe(400);
    expect(theirs.body.error.details[0].field).toBe('organisationId');
    const own = await t.api
      .post('/api/v1/api-keys')
      .set(bearer(admin.token))
      .send({ label: 'NGO sync', roles: ['coordinator'] });
    expect(own.status).toBe(201);
    expect(own.body.apiKey.organisationId).toBe(admin.user.organisationId);
  });

  test('when a user belongs to no organisation and is not the operator, then it may not act', async () => {
    const { token } = await given.user({ role: 'admin', organisationId: null });
    expect((await t.api.get('/api/v1/auth/me').set(bearer(token))).status).toBe(200);
    const res = await t.api.get('/api/v1/warehouses').set(bearer(token));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('no organisation');
  });
});
