/**
 * The identity part of the demo seed: a city volunteer headquarters (a hub) with two member organisations, the
 * operator organisation running the regional warehouses and a partner NGO with a storeroom of its own, and demo users
 * in each (admin@asar.demo, warehouse@asar.demo, ... for the operator organisation; ngo-admin@asar.demo,
 * ngo-warehouse@asar.demo and coordinator@asar.demo for the NGO; hub@asar.demo for the headquarters;
 * operator@asar.demo for the deployment). Safe to run again: what exists already is left as it is, passwords
 * included. Everything goes through the services as the system actor, so the audit log shows the seed's changes.
 */
import { randomBytes } from 'node:crypto';
import { config } from '../../config';
import { acrossOrganisations, organisationActor, type Role, SYSTEM_ACTOR } from '../access';
import {
  addHubMember,
  type CreateOrganisationInput,
  createOrganisation,
  organisationIdByBin,
  wasEverHubMember,
} from '../organisations';
import { User } from './users.model';
import { createUser } from './users.service';

export const DEMO_EMAIL_DOMAIN = 'asar.demo';

const OPERATOR: CreateOrganisationInput = {
  name: `${config.orgName} Humanitarian Logistics`,
  type: 'operator',
  bin: '140340001234',
  contact: { phone: '+7 727 350 12 00', address: 'Almaty, Suyunbay avenue 2' },
};

const PARTNER_NGO: CreateOrganisationInput = {
  name: 'Zhanuya Kamkory (Family Care) Public Foundation',
  type: 'ngo',
  bin: '091240005670',
  contact: { phone: '+7 701 555 20 40', address: 'Talgar, Almaty Region' },
};

const CITY_HUB: CreateOrganisationInput = {
  name: 'Almaty City Volunteer Headquarters',
  type: 'hub',
  bin: '150240003219',
  contact: { phone: '+7 727 271 66 00', address: 'Almaty, Abylai Khan avenue 91' },
};

export type DemoOrganisation = 'operator' | 'partnerNgo' | 'hub' | null;

const WHERE: Record<Exclude<DemoOrganisation, null> | 'deployment', string> = {
  operator: 'operator organisation',
  partnerNgo: 'partner NGO',
  hub: 'city headquarters (hub)',
  deployment: 'the deployment',
};

/** The demo users: who they are and which organisation they act for (null: the deployment's operator). */
export const DEMO_USERS: readonly { email: string; name: string; role: Role; organisation: DemoOrganisation }[] = [
  { email: 'admin@asar.demo', name: 'Aigerim Admin', role: 'admin', organisation: 'operator' },
  { email: 'warehouse@asar.demo', name: 'Yerlan Warehouse', role: 'warehouse', organisation: 'operator' },
  { email: 'logistics@asar.demo', name: 'Dana Logistics', role: 'logistics', organisation: 'operator' },
  { email: 'coordinator@asar.demo', name: 'Saule Coordinator', role: 'coordinator', organisation: 'partnerNgo' },
  { email: 'supervisor@asar.demo', name: 'Gulnar Supervisor', role: 'supervisor', organisation: 'partnerNgo' },
  { email: 'viewer@asar.demo', name: 'Nurlan Viewer', role: 'viewer', organisation: 'operator' },
  { email: 'operator@asar.demo', name: 'Askar Operator', role: 'operator', organisation: null },
  { email: 'ngo-admin@asar.demo', name: 'Madina NGO Admin', role: 'admin', organisation: 'partnerNgo' },
  { email: 'ngo-warehouse@asar.demo', name: 'Timur NGO Storekeeper', role: 'warehouse', organisation: 'partnerNgo' },
  { email: 'hub@asar.demo', name: 'Bolat Headquarters', role: 'viewer', organisation: 'hub' },
];

/** When the demo memberships of the headquarters begin. */
const MEMBERS_FROM = new Date('2026-01-01T00:00:00Z');

export interface IdentitySeedResult {
  organisations: { operatorId: string; partnerNgoId: string; hubId: string };
  users: { email: string; role: Role; organisation: DemoOrganisation; created: boolean }[];
  /** The demo users' password when a new one was generated (no ASAR_SEED_PASSWORD): print it once. */
  generatedPassword: string | null;
}

async function ensureOrganisation(input: CreateOrganisationInput): Promise<string> {
  const existing = input.bin ? await organisationIdByBin(input.bin) : null;
  return existing ?? (await createOrganisation(input, SYSTEM_ACTOR)).id;
}

export async function seedIdentity({
  password = config.seedPassword,
}: {
  password?: string;
} = {}): Promise<IdentitySeedResult> {
  const organisations = {
    operatorId: await ensureOrganisation(OPERATOR),
    partnerNgoId: await ensureOrganisation(PARTNER_NGO),
    hubId: await ensureOrganisation(CITY_HUB),
  };
  for (const memberId of [organisations.operatorId, organisations.partnerNgoId]) {
    if (!(await wasEverHubMember(organisations.hubId, memberId))) {
      await addHubMember(organisations.hubId, { organisationId: memberId, from: MEMBERS_FROM }, SYSTEM_ACTOR);
    }
  }
  const demoPassword = password ?? randomBytes(18).toString('base64url');
  const organisationIdOf = (organisation: DemoOrganisation) =>
    organisation === null ? null : organisations[`${organisation}Id`];

  const users: IdentitySeedResult['users'] = [];
  for (const demo of DEMO_USERS) {
    const { email, role } = demo;
    const exists =
      (await acrossOrganisations('the seed finds its demo users by email', () => User.exists({ email }).exec())) !==
      null;
    const organisationId = organisationIdOf(demo.organisation);
    if (!exists) {
      await createUser(
        { email, name: demo.name, organisationId, roles: [role], password: demoPassword },
        organisationId === null ? SYSTEM_ACTOR : organisationActor(organisationId),
      );
    }
    users.push({ email, role, organisation: demo.organisation, created: !exists });
  }

  const anyCreated = users.some((user) => user.created);
  return {
    organisations,
    users,
    generatedPassword: password === undefined && anyCreated ? demoPassword : null,
  };
}

/** Lines for the seed script to print: who was created, and the generated password if there is one. */
export function describeIdentitySeed(result: IdentitySeedResult): string[] {
  const lines = result.users.map(
    (user) =>
      `  ${user.email.padEnd(24)} ${user.role.padEnd(12)} ${WHERE[user.organisation ?? 'deployment'].padEnd(24)} ${user.created ? 'created' : 'already there'}`,
  );
  if (result.generatedPassword) {
    lines.push(`  Password of the new demo users (shown this once): ${result.generatedPassword}`);
  } else if (result.users.some((user) => user.created)) {
    lines.push('  Password of the new demo users: the value of ASAR_SEED_PASSWORD');
  }
  return lines;
}
