/**
 * The identity part of the demo seed: the operator organisation, a partner NGO, and one demo user per role
 * (admin@asar.demo, warehouse@asar.demo, ...). Safe to run again: what exists already is left as it is, passwords
 * included. Everything goes through the services as the system actor, so the audit log shows the seed's changes.
 */
import { randomBytes } from 'node:crypto';
import { config } from '../../config';
import { acrossOrganisations } from '../access/ownership';
import { organisationActor, ROLES, type Role, SYSTEM_ACTOR } from '../access/permissions';
import { Organisation, type OrganisationRecord } from '../organisations/organisations.model';
import { type CreateOrganisationInput, createOrganisation } from '../organisations/organisations.service';
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

const DEMO_NAMES: Record<Role, string> = {
  admin: 'Aigerim Admin',
  warehouse: 'Yerlan Warehouse',
  logistics: 'Dana Logistics',
  coordinator: 'Saule Coordinator',
  supervisor: 'Gulnar Supervisor',
  viewer: 'Nurlan Viewer',
  operator: 'Askar Operator',
};

export interface IdentitySeedResult {
  organisations: { operatorId: string; partnerNgoId: string };
  users: { email: string; role: Role; created: boolean }[];
  /** The demo users' password when a new one was generated (no ASAR_SEED_PASSWORD): print it once. */
  generatedPassword: string | null;
}

async function ensureOrganisation(input: CreateOrganisationInput): Promise<string> {
  const existing = await Organisation.findOne({ bin: input.bin }).lean<OrganisationRecord>();
  if (existing) return String(existing._id);
  return (await createOrganisation(input, SYSTEM_ACTOR)).id;
}

export async function seedIdentity({
  password = config.seedPassword,
}: {
  password?: string;
} = {}): Promise<IdentitySeedResult> {
  const operatorId = await ensureOrganisation(OPERATOR);
  const partnerNgoId = await ensureOrganisation(PARTNER_NGO);
  const demoPassword = password ?? randomBytes(18).toString('base64url');

  const users: IdentitySeedResult['users'] = [];
  for (const role of ROLES) {
    const email = `${role}@${DEMO_EMAIL_DOMAIN}`;
    const exists =
      (await acrossOrganisations('the seed finds its demo users by email', () => User.exists({ email }).exec())) !==
      null;
    if (!exists) {
      // The coordinator and the supervisor work for the partner NGO, the operator for no organisation,
      // everyone else for the operator.
      const home =
        role === 'operator' ? null : role === 'coordinator' || role === 'supervisor' ? partnerNgoId : operatorId;
      await createUser(
        { email, name: DEMO_NAMES[role], organisationId: home, roles: [role], password: demoPassword },
        home === null ? SYSTEM_ACTOR : organisationActor(home),
      );
    }
    users.push({ email, role, created: !exists });
  }

  const anyCreated = users.some((user) => user.created);
  return {
    organisations: { operatorId, partnerNgoId },
    users,
    generatedPassword: password === undefined && anyCreated ? demoPassword : null,
  };
}

/** Lines for the seed script to print: who was created, and the generated password if there is one. */
export function describeIdentitySeed(result: IdentitySeedResult): string[] {
  const lines = result.users.map(
    (user) => `  ${user.email.padEnd(24)} ${user.role.padEnd(12)} ${user.created ? 'created' : 'already there'}`,
  );
  if (result.generatedPassword) {
    lines.push(`  Password of the new demo users (shown this once): ${result.generatedPassword}`);
  } else if (result.users.some((user) => user.created)) {
    lines.push('  Password of the new demo users: the value of ASAR_SEED_PASSWORD');
  }
  return lines;
}
