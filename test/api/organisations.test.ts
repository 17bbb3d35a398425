import { AuditEntry } from '../../src/modules/audit/audit.model';
import { Session } from '../../src/modules/auth/session.model';
import { Organisation } from '../../src/modules/organisations/organisations.model';
import { setupTestApp } from '../support/app';
import { bearer, given, validBin } from '../support/given-identity';

const t = setupTestApp();

describe('organisations', () => {
  test('when the operator registers an NGO with a valid BIN, then it is created and audited', async () => {
    const admin = await given.user({ role: 'operator' });

    const res = await t.api
      .post('/api/v1/organisations')
      .set(bearer(admin.token))
      .send({
        name: 'Meirim Public Foundation',
        type: 'ngo',
        bin: '140340001234',
        contact: { phone: '+7 701 234 56 78' },
      });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Meirim Public Foundation',
      type: 'ngo',
      bin: '140340001234',
      active: true,
    });
    expect(await Organisation.countDocuments()).toBe(1);
    const audit = await AuditEntry.findOne({ action: 'organisation.create' }).lean();
    expect(audit).toMatchObject({ targetType: 'organisation', targetId: res.body.id, actor: { id: admin.user.id } });
  });

  test('when the BIN check digit is wrong, then it answers 400 naming the field and creates nothing', async () => {
    const admin = await given.user({ role: 'operator' });

    const res = await t.api
      .post('/api/v1/organisations')
      .set(bearer(admin.token))
      .send({ name: 'Typo LLP', type: 'company', bin: '140340001235' });

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ field: 'bin', message: '"bin" is not a valid BIN: its check digit does not match' }),
    ]);
    expect(await Organisation.countDocuments()).toBe(0);
    expect(await AuditEntry.countDocuments()).toBe(0);
  });

  test('when a BIN is already registered, then it answers 409', async () => {
    const admin = await given.user({ role: 'operator' });
    const bin = validBin();
    await given.organisation({ bin });
    const res = await t.api
      .post('/api/v1/organisations')
      .set(bearer(admin.token))
      .send({ name: 'Twin', type: 'ngo', bin });
    expect(res.status).toBe(409);
  });

  test('when a foreign donor has no BIN, then several of them can be registered', async () => {
    const admin = await given.user({ role: 'operator' });
    for (const name of ['Hong Kong Relief Society', 'Türk Kızılay']) {
      const res = await t.api
        .post('/api/v1/organisations')
        .set(bearer(admin.token))
        .send({ name, type: 'international' });
      expect(res.status).toBe(201);
      expect(res.body.bin).toBeNull();
    }
  });

  test("when the operator deactivates an organisation, then its members' sessions end and the change is audited", async () => {
    const admin = await given.user({ role: 'operator' });
    const ngo = await given.organisation();
    const member = await given.user({ role: 'coordinator', organisationId: ngo.id });

    const res = await t.api.patch(`/api/v1/organisations/${ngo.id}`).set(bearer(admin.token)).send({ active: false });

    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(await Session.countDocuments({ userId: member.user.id, revokedAt: null })).toBe(0);
    expect((await t.api.get('/api/v1/auth/me').set(bearer(member.token))).status).toBe(401);
    const audit = await AuditEntry.findOne({ action: 'organisation.update' }).lean();
    expect(audit?.summary).toEqual({ changed: { active: { from: true, to: false } } });
  });

  test('when an organisation admin tries to create an organisation or deactivate its own, then it answers 403', async () => {
    const admin = await given.user({ role: 'admin' });
    const created = await t.api
      .post('/api/v1/organisations')
      .set(bearer(admin.token))
      .send({ name: 'Shadow Foundation', type: 'ngo' });
    expect(created.status).toBe(403);
    const own = admin.user.organisationId as string;
    const deactivated = await t.api
      .patch(`/api/v1/organisations/${own}`)
      .set(bearer(admin.token))
      .send({ active: false });
    expect(deactivated.status).toBe(403);
    expect(await Organisation.countDocuments({ active: true })).toBe(1);
  });

  test("when an admin edits its own organisation's contact, then it changes; another organisation's answers 404", async () => {
    const admin = await given.user({ role: 'admin' });
    const other = await given.organisation({ name: 'Other foundation' });
    const own = await t.api
      .patch(`/api/v1/organisations/${admin.user.organisationId}`)
      .set(bearer(admin.token))
      .send({ contact: { phone: '+7 701 111 22 33' } });
    expect(own.status).toBe(200);
    const theirs = await t.api
      .patch(`/api/v1/organisations/${other.id}`)
      .set(bearer(admin.token))
      .send({ name: 'Renamed' });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.message).toBe(`Organisation ${other.id} not found`);
    expect((await Organisation.findById(other.id).lean())?.name).toBe('Other foundation');
  });
});
