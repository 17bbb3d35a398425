import type { AppError } from '../../../src/core/errors';
import { assertInScope, canSeeOrganisation, scopeFilter } from '../../../src/modules/access/organisation-scope';
import { type Actor, permissionsOf, type Role } from '../../../src/modules/access/permissions';

const ORG_A = '64b000000000000000000001';
const ORG_B = '64b000000000000000000002';

function actorWith(roles: Role[], organisationId: string | null = ORG_A): Actor {
  return { kind: 'user', id: 'u1', name: 'Test', organisationId, roles, permissions: permissionsOf(roles) };
}

describe('organisation scope', () => {
  test('when a coordinator of A looks at B, then it may not, and is told "not found"', () => {
    const coordinator = actorWith(['coordinator']);
    expect(canSeeOrganisation(coordinator, ORG_A)).toBe(true);
    expect(canSeeOrganisation(coordinator, ORG_B)).toBe(false);
    expect(() => assertInScope(coordinator, ORG_B, 'Household', 'h1')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }) as AppError,
    );
    expect(String(scopeFilter(coordinator).organisationId)).toBe(ORG_A);
  });

  test('when operator staff or an admin look, then every organisation is visible', () => {
    for (const roles of [['admin'], ['warehouse'], ['logistics'], ['viewer'], ['admin', 'coordinator']] as Role[][]) {
      const actor = actorWith(roles);
      expect(canSeeOrganisation(actor, ORG_B)).toBe(true);
      expect(scopeFilter(actor)).toEqual({});
    }
  });

  test('when a coordinator has no organisation, then it sees nothing', () => {
    const coordinator = actorWith(['coordinator'], null);
    expect(canSeeOrganisation(coordinator, ORG_A)).toBe(false);
    expect(scopeFilter(coordinator)).toEqual({ organisationId: null });
  });
});
