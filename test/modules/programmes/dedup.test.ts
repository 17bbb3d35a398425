import type { AppError } from '../../../src/core/errors';
import { type Actor, permissionsOf } from '../../../src/modules/access/permissions';
import { AidClaim, Enrolment } from '../../../src/modules/programmes/programmes.model';
import {
  enrolHousehold,
  enrolHouseholds,
  overrideDuplicate,
  withdrawEnrolment,
} from '../../../src/modules/programmes/programmes.service';
import { useTestDatabase } from '../../support/database';
import { givenHouseholds, householdInput } from '../../support/given-households';
import { given } from '../../support/given-identity';
import { givenInventory } from '../../support/given-inventory';

useTestDatabase();

function actorOf(organisationId: string, role: 'coordinator' | 'supervisor' = 'coordinator'): Actor {
  return {
    kind: 'user',
    id: `${role}-${organisationId}`,
    name: `${role} of ${organisationId}`,
    organisationId,
    roles: [role],
    permissions: permissionsOf([role]),
  };
}

async function twoNgosInOneProgramme(options: { disclose?: boolean } = {}) {
  const [a, b] = [await given.organisation({ name: 'Love Kazakhstan' }), await given.organisation({ name: 'Kamkor' })];
  const item = await givenInventory.item();
  const lead = actorOf(a.id);
  const other = actorOf(b.id);
  const { programme, roundId } = await givenHouseholds.programme(lead, item.id, {
    participatingOrganisationIds: [b.id],
    discloseEnrollingOrganisation: options.disclose ?? false,
  });
  return { a, b, lead, other, programme, roundId };
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected an error');
}

describe('the duplicate check across organisations', () => {
  test('when a family registered with two NGOs is enrolled by the second, then it is DUPLICATE_AID naming round and date but not the organisation', async () => {
    const { lead, other, programme, roundId } = await twoNgosInOneProgramme();
    const input = householdInput();
    const first = await givenHouseholds.household(lead, input);
    const second = await givenHouseholds.household(other, {
      ...input,
      head: { ...(input.head as NonNullable<typeof input.head>), name: 'Айдар Мамырбаев' },
    });
    await enrolHousehold(programme.id, roundId, first.id, lead);
    const error = await caught(enrolHousehold(programme.id, roundId, second.id, other));
    expect(error.code).toBe('DUPLICATE_AID');
    expect(error.message).toContain('Round 1');
    expect(error.message).toContain('another organisation');
    expect(error.message).not.toContain('Love Kazakhstan');
    expect(error.details).toMatchObject({ roundId, roundName: 'Round 1', people: 2 });
    expect(error.details).not.toHaveProperty('organisationId');
    expect(await Enrolment.countDocuments({ roundId })).toBe(1);
  });

  test('when the programme allows it, then the duplicate names the organisation that enrolled first', async () => {
    const { a, lead, other, programme, roundId } = await twoNgosInOneProgramme({ disclose: true });
    const input = householdInput();
    await enrolHousehold(programme.id, roundId, (await givenHouseholds.household(lead, input)).id, lead);
    const error = await caught(
      enrolHousehold(programme.id, roundId, (await givenHouseholds.household(other, input)).id, other),
    );
    expect(error.message).toContain('Love Kazakhstan');
    expect(error.details).toMatchObject({ organisationId: a.id, organisationName: 'Love Kazakhstan' });
  });

  test('when only a member without IIN matches by name, birth date and settlement, then it needs review and is enrolled', async () => {
    const { lead, other, programme, roundId } = await twoNgosInOneProgramme();
    const child = { name: 'Нұрлан Мамырбаев', relation: 'child', birthDate: new Date('2015-09-01T00:00:00Z') };
    await enrolHousehold(
      programme.id,
      roundId,
      (await givenHouseholds.household(lead, householdInput({ members: [child] }))).id,
      lead,
    );
    const enrolment = await enrolHousehold(
      programme.id,
      roundId,
      (await givenHouseholds.household(other, householdInput({ members: [{ ...child, name: 'мамырбаев нұрлан' }] })))
        .id,
      other,
    );
    expect(enrolment.outcome).toBe('needs_review');
    expect(enrolment.possibleMatches).toBe(1);
  });

  test('when both NGOs enrol the same person at the same instant, then exactly one enrolment commits', async () => {
    const { lead, other, programme, roundId } = await twoNgosInOneProgramme();
    const input = householdInput();
    const [x, y] = [await givenHouseholds.household(lead, input), await givenHouseholds.household(other, input)];
    const results = await Promise.allSettled([
      enrolHousehold(programme.id, roundId, x.id, lead),
      enrolHousehold(programme.id, roundId, y.id, other),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as AppError).code).toBe('DUPLICATE_AID');
    expect(await Enrolment.countDocuments({ roundId })).toBe(1);
    expect(await AidClaim.countDocuments({ roundId, keyType: 'iin' })).toBe(2);
  });

  test('when a supervisor overrides a duplicate with a reason, then the enrolment is written as overridden', async () => {
    const { b, lead, other, programme, roundId } = await twoNgosInOneProgramme();
    const input = householdInput();
    await enrolHousehold(programme.id, roundId, (await givenHouseholds.household(lead, input)).id, lead);
    const second = await givenHouseholds.household(other, input);
    const enrolment = await overrideDuplicate(
      programme.id,
      roundId,
      { householdId: second.id, reason: 'The family split in two after the flood; verified by phone' },
      actorOf(b.id, 'supervisor'),
    );
    expect(enrolment.outcome).toBe('overridden');
    expect(await Enrolment.countDocuments({ roundId, status: 'enrolled' })).toBe(2);
  });

  test('when an enrolment is withdrawn, then its claims go and another organisation may enrol the person', async () => {
    const { lead, other, programme, roundId } = await twoNgosInOneProgramme();
    const input = householdInput();
    const first = await enrolHousehold(programme.id, roundId, (await givenHouseholds.household(lead, input)).id, lead);
    await withdrawEnrolment(first.id, lead);
    const second = await enrolHousehold(
      programme.id,
      roundId,
      (await givenHouseholds.household(other, input)).id,
      other,
    );
    expect(second.outcome).toBe('unique');
  });

  test('when a bulk enrolment holds a duplicate, then the others are enrolled and the duplicate is listed', async () => {
    const { lead, other, programme, roundId } = await twoNgosInOneProgramme();
    const shared = householdInput();
    await enrolHousehold(programme.id, roundId, (await givenHouseholds.household(lead, shared)).id, lead);
    const mine = [
      await givenHouseholds.household(other, shared),
      await givenHouseholds.household(other),
      await givenHouseholds.household(other),
    ];
    const result = await enrolHouseholds(programme.id, roundId, { householdIds: mine.map((h) => h.id) }, other);
    expect(result.enrolled).toHaveLength(2);
    expect(result.failed).toEqual([expect.objectContaining({ householdId: mine[0]?.id, code: 'DUPLICATE_AID' })]);
  });
});
