import { isValidBin } from '../../../src/core/kz-identifiers';
import { AuditEntry } from '../../../src/modules/audit/audit.model';
import { HubMembership } from '../../../src/modules/organisations/hub-membership.model';
import { Organisation } from '../../../src/modules/organisations/organisations.model';
import { verifyPassword } from '../../../src/modules/users/passwords';
import { seedIdentity } from '../../../src/modules/users/seed';
import { User } from '../../../src/modules/users/users.model';
import { useTestDatabase } from '../../support/database';

useTestDatabase();

describe('seedIdentity', () => {
  test('when run on an empty database without a seed password, then it creates a hub, its two members and their demo users, and returns the generated password', async () => {
    const result = await seedIdentity({ password: undefined });

    expect(result.users.map((u) => u.email)).toEqual([
      'admin@asar.demo',
      'warehouse@asar.demo',
      'logistics@asar.demo',
      'coordinator@asar.demo',
      'supervisor@asar.demo',
      'viewer@asar.demo',
      'operator@asar.demo',
      'ngo-admin@asar.demo',
      'ngo-warehouse@asar.demo',
      'hub@asar.demo',
    ]);
    expect(result.generatedPassword).toEqual(expect.any(String));
    const coordinator = await User.findOne({ email: 'coordinator@asar.demo' }).select('+passwordHash').lean();
    expect(String(coordinator?.organisationId)).toBe(result.organisations.partnerNgoId);
    expect(await verifyPassword(coordinator?.passwordHash ?? '', result.generatedPassword ?? '')).toBe(true);
    for (const org of await Organisation.find().lean()) expect(isValidBin(org.bin ?? '')).toBe(true);
    expect(await AuditEntry.countDocuments({ action: 'user.create', 'actor.kind': 'system' })).toBe(10);
    const { operatorId, partnerNgoId, hubId } = result.organisations;
    expect((await Organisation.findById(hubId).lean())?.type).toBe('hub');
    const members = await HubMembership.find({ hubId }).lean();
    expect(members.map((m) => String(m.memberId)).sort()).toEqual([operatorId, partnerNgoId].sort());
    const ngoWarehouse = await User.findOne({ email: 'ngo-warehouse@asar.demo' }).lean();
    expect(String(ngoWarehouse?.organisationId)).toBe(partnerNgoId);
    const hubUser = await User.findOne({ email: 'hub@asar.demo' }).lean();
    expect(String(hubUser?.organisationId)).toBe(hubId);
  });

  test('when run again, then it changes nothing and prints no new password', async () => {
    await seedIdentity({ password: 'demo password 2024' });
    const again = await seedIdentity({ password: undefined });
    expect(again.users.every((u) => !u.created)).toBe(true);
    expect(again.generatedPassword).toBeNull();
    expect(await User.countDocuments()).toBe(10);
    expect(await Organisation.countDocuments()).toBe(3);
    expect(await HubMembership.countDocuments()).toBe(2);
  });
});
