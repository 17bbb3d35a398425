/**
 * The families part of the demo seed, so that a coordinator signing in on a fresh machine can do the families'
 * golden flow without being told any id or IIN: a winter programme led by the demo hub (the Almaty City Volunteer
 * Headquarters), in which its two members take part (the partner NGO and the operator organisation), with an open round of hygiene kits and blankets from the NGO's Talgar stock; three
 * families the NGO registered (two enrolled, ready for a distribution day); and one family that the operator
 * organisation registered and enrolled first and the NGO registered too: enrolling it at the NGO is refused as a
 * duplicate, naming the operator organisation (the programme discloses who enrolled).
 *
 * Everything goes through the services. Safe to run again: nothing is written when the programme already exists.
 */
import type { Actor } from '../../src/modules/access/permissions';
import { listItems } from '../../src/modules/catalog/catalog.service';
import { type HouseholdInput, registerHousehold } from '../../src/modules/households/households.service';
import { createProgramme, enrolHousehold, listProgrammes } from '../../src/modules/programmes/programmes.service';

export const DEMO_PROGRAMME = 'Talgar winter support 2026';
const DAY_MS = 86_400_000;

export interface FamilyActors {
  /** The hub, acting by itself: leads the programme (only a hub may name other organisations as participants). */
  hub: Actor;
  /** The partner NGO's coordinator: registers and enrols its families. */
  coordinator: Actor;
  partnerNgoId: string;
  /** The operator organisation's admin: enrols the family the NGO will find already enrolled. */
  operatorAdmin: Actor;
  operatorOrganisationId: string;
}

function family(name: string, iin: string, birthDate: string, children: number): HouseholdInput {
  return {
    kind: 'household',
    head: { name, birthDate: new Date(birthDate), iin, phone: null },
    members: Array.from({ length: children }, () => ({ name: null, relation: 'child', ageBand: '5-17' as const })),
    address: { region: 'almaty_region', settlement: 'Талғар' },
    vulnerabilities: ['large_family'],
    legalBasis: { basis: 'consent', purpose: 'Talgar winter support 2026: hygiene kits and blankets' },
  };
}

/** IINs valid by their check digit, each matching its birth date: the demo families. */
const FAMILIES = {
  enrolled: [
    family('Әбілова Сәуле Маратқызы', '910412401232', '1991-04-12', 3),
    family('Ли Наталья Викторовна', '930822402342', '1993-08-22', 2),
  ],
  notEnrolled: family('Жұмабаев Ерлан Серікұлы', '840119303452', '1984-01-19', 4),
  duplicate: family('Тоқтарова Айжан', '870625404562', '1987-06-25', 1),
};

export async function seedDemoFamilies(actors: FamilyActors): Promise<string[]> {
  const existing = await listProgrammes({ limit: 100, offset: 0 }, actors.coordinator);
  if (existing.data.some((p) => p.name === DEMO_PROGRAMME)) return [`  programme «${DEMO_PROGRAMME}»: already there`];
  const catalog = await listItems({ limit: 100, offset: 0, active: true });
  const itemId = (sku: string) => {
    const item = catalog.data.find((i) => i.sku === sku);
    if (!item) throw new Error(`the demo catalog has no ${sku}`);
    return item.id;
  };
  const now = Date.now();
  const programme = await createProgramme(
    {
      name: DEMO_PROGRAMME,
      description: 'Hygiene kits and wool blankets for large families of Talgar district',
      participatingOrganisationIds: [actors.partnerNgoId, actors.operatorOrganisationId],
      discloseEnrollingOrganisation: true,
      rounds: [
        {
          name: 'Winter round',
          startsOn: new Date(now - 7 * DAY_MS),
          endsOn: new Date(now + 90 * DAY_MS),
          entitlements: [
            { itemId: itemId('KIT-HYGIENE'), category: 'hygiene', basis: 'household', quantity: 1 },
            { itemId: itemId('BED-BLANKET-WOOL'), category: 'bedding', basis: 'household', quantity: 2 },
          ],
        },
      ],
    },
    actors.hub,
  );
  const round = programme.rounds[0];
  if (!round) throw new Error('the demo programme has no round');
  const enrol = (householdId: string, actor: Actor) => enrolHousehold(programme.id, round.id, householdId, actor);
  for (const input of FAMILIES.enrolled)
    await enrol((await registerHousehold(input, actors.coordinator)).id, actors.coordinator);
  await registerHousehold(FAMILIES.notEnrolled, actors.coordinator);
  await enrol((await registerHousehold(FAMILIES.duplicate, actors.operatorAdmin)).id, actors.operatorAdmin);
  await registerHousehold(FAMILIES.duplicate, actors.coordinator);
  return [
    `  programme «${DEMO_PROGRAMME}», round «${round.name}»: 2 families enrolled by the partner NGO, 1 registered only`,
    '  «Тоқтарова Айжан»: enrolled by the operator organisation, registered by the partner NGO too (a duplicate to refuse)',
  ];
}
