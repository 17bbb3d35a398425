/**
 * Organisations: admins create and change them; every identified caller reads them, a coordinator only its own.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { notFound } from '../../core/errors';
import { containsText, type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import { canSeeOrganisation, isOrganisationScoped } from '../access/organisation-scope';
import type { Actor } from '../access/permissions';
import { describeChanges, recordAudit } from '../audit/audit.service';
import { revokeSessionsOfUsers } from '../auth/sessions';
import { User } from '../users/users.model';
import {
  Organisation,
  type OrganisationContact,
  type OrganisationRecord,
  type OrganisationType,
} from './organisations.model';

export interface OrganisationDto {
  id: string;
  name: string;
  type: OrganisationType;
  bin: string | null;
  contact: OrganisationContact;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toOrganisationDto(org: OrganisationRecord): OrganisationDto {
  return {
    id: String(org._id),
    name: org.name,
    type: org.type,
    bin: org.bin ?? null,
    contact: org.contact ?? {},
    active: org.active,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
  };
}

export interface CreateOrganisationInput {
  name: string;
  type: OrganisationType;
  bin?: string;
  contact?: OrganisationContact;
  active?: boolean;
}

export interface UpdateOrganisationInput {
  name?: string;
  type?: OrganisationType;
  bin?: string | null;
  contact?: OrganisationContact;
  active?: boolean;
}

export interface OrganisationQuery extends PageRequest {
  type?: OrganisationType;
  active?: boolean;
  q?: string;
}

// Contact details name a person: the audit log records that they changed, not their values.
const HIDDEN_IN_AUDIT = ['contact'];

export async function createOrganisation(input: CreateOrganisationInput, actor: Actor): Promise<OrganisationDto> {
  return withTransaction(async (session) => {
    const [org] = await Organisation.create([{ ...input, contact: input.contact ?? {} }], { session });
    if (!org) throw new Error('organisation was not created');
    await recordAudit(
      {
        actor,
        action: 'organisation.create',
        targetType: 'organisation',
        targetId: org._id,
        organisationId: org._id,
        summary: { name: org.name, type: org.type, bin: org.bin ?? null, active: org.active },
      },
      session,
    );
    return toOrganisationDto(org.toObject());
  });
}

export async function updateOrganisation(
  id: string,
  input: UpdateOrganisationInput,
  actor: Actor,
): Promise<OrganisationDto> {
  return withTransaction(async (session) => {
    const org = await Organisation.findById(id).session(session);
    if (!org) throw notFound('Organisation', id);
    const before = org.toObject();
    const { bin, ...rest } = input;
    org.set(rest);
    // A removed BIN must be absent, not null: the sparse unique index lets many organisations lack one.
    if (bin === null) org.set('bin', undefined);
    else if (bin !== undefined) org.set('bin', bin);
    await org.save({ session });
    // An inactive organisation's people lose access at once (login refuses them too, see auth.service).
    if (before.active && !org.active) {
      const members = await User.find({ organisationId: org._id }, { _id: 1 }).session(session).lean();
      await revokeSessionsOfUsers(
        members.map((member) => member._id),
        session,
      );
    }
    await recordAudit(
      {
        actor,
        action: 'organisation.update',
        targetType: 'organisation',
        targetId: org._id,
        organisationId: org._id,
        summary: describeChanges(
          before as unknown as Record<string, unknown>,
          { ...input },
          { hidden: HIDDEN_IN_AUDIT },
        ),
      },
      session,
    );
    return toOrganisationDto(org.toObject());
  });
}

/** One organisation; 404 when it does not exist or lies outside the actor's scope. */
export async function getOrganisation(id: string, actor: Actor): Promise<OrganisationDto> {
  if (!canSeeOrganisation(actor, id)) throw notFound('Organisation', id);
  const org = await Organisation.findById(id).lean<OrganisationRecord>();
  if (!org) throw notFound('Organisation', id);
  return toOrganisationDto(org);
}

export async function listOrganisations(query: OrganisationQuery, actor: Actor): Promise<Page<OrganisationDto>> {
  const filter: QueryFilter<OrganisationRecord> = {};
  if (isOrganisationScoped(actor)) {
    filter._id = actor.organisationId ? new Types.ObjectId(actor.organisationId) : { $in: [] };
  }
  if (query.type) filter.type = query.type;
  if (query.active !== undefined) filter.active = query.active;
  if (query.q) filter.name = containsText(query.q);
  const page = await paginate(Organisation, filter, query, { name: 1, _id: 1 });
  return { ...page, data: page.data.map(toOrganisationDto) };
}

/** True when the organisation exists (any state). Used by users and API keys to check a reference. */
export async function organisationExists(id: string, session: ClientSession | null = null): Promise<boolean> {
  const found = await Organisation.exists({ _id: id }).session(session);
  return found !== null;
}
