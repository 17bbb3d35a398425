/**
 * Factories for the household registry and programmes: valid IINs, households registered through the service, and a
 * programme with one open round. `givenHouseholds.iin()` draws a fresh valid IIN each call.
 */
import { randomInt } from 'node:crypto';
import { kzCheckDigit } from '../../src/core/kz-identifiers';
import type { Actor } from '../../src/modules/access/permissions';
import {
  type HouseholdDto,
  type HouseholdInput,
  registerHousehold,
} from '../../src/modules/households/households.service';
import {
  createProgramme,
  type ProgrammeDto,
  type ProgrammeInput,
} from '../../src/modules/programmes/programmes.service';

let serial = 0;

/** A valid IIN for someone born on `born` (default 1985-04-12), century digit for the 20th/21st century. */
function iin(born = '1985-04-12', sex: 'm' | 'f' = 'm'): string {
  for (;;) {
    serial = (serial + 1 + randomInt(7)) % 10_000;
    const [year, month, day] = born.split('-');
    const centuryDigit = Number(year) >= 2000 ? (sex === 'm' ? 5 : 6) : sex === 'm' ? 3 : 4;
    const first11 = `${year?.slice(2)}${month}${day}${centuryDigit}${String(serial).padStart(4, '0')}`;
    const check = kzCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
}

export function householdInput(overrides: Partial<HouseholdInput> = {}): HouseholdInput {
  return {
    kind: 'household',
    head: { name: 'Мамырбаев Айдар', birthDate: new Date('1985-04-12T00:00:00Z'), iin: iin(), phone: '+77011234567' },
    members: [
      {
        name: 'Мамырбаева Әсел',
        relation: 'spouse',
        birthDate: new Date('1988-02-03T00:00:00Z'),
        iin: iin('1988-02-03', 'f'),
      },
      { name: 'Нұрлан', relation: 'child', birthDate: new Date('2015-09-01T00:00:00Z') },
      { relation: 'child', ageBand: '1-4' },
    ],
    address: { region: 'almaty_region', settlement: 'Талғар', line: 'Абай көшесі 12' },
    vulnerabilities: ['displaced_by_disaster'],
    legalBasis: { basis: 'vital_interest', purpose: 'Flood response 2024: food and household items' },
    ...overrides,
  };
}

async function household(actor: Actor, overrides: Partial<HouseholdInput> = {}): Promise<HouseholdDto> {
  return registerHousehold(householdInput(overrides), actor);
}

async function programme(
  actor: Actor,
  itemId: string,
  overrides: Partial<ProgrammeInput> = {},
): Promise<{ programme: ProgrammeDto; roundId: string }> {
  const created = await createProgramme(
    {
      name: 'Flood response 2024, Karaganda region',
      rounds: [
        {
          name: 'Round 1',
          startsOn: new Date('2024-05-01T00:00:00Z'),
          endsOn: new Date('2024-06-30T00:00:00Z'),
          entitlements: [{ itemId, category: 'food', basis: 'household', quantity: 1 }],
        },
      ],
      ...overrides,
    },
    actor,
  );
  return { programme: created, roundId: created.rounds[0]?.id as string };
}

export const givenHouseholds = { iin, household, programme };
