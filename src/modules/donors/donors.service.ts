/**
 * Donors. Owns the `donors` collection; donations check a donor through `requireDonor`. Each organisation keeps its
 * own donors; their contact details (phone, e-mail, address, contact person) are shown only to roles holding
 * `donors:contact` (an admin, the warehouse receiving the goods), and an anonymous donor's name never.
 */
import type { ClientSession, QueryFilter, Types } from 'mongoose';
import { type NameLang, nameCollation } from '../../core/collation';
import { notFound, validationError } from '../../core/errors';
import { containsText, type Page, type PageRequest } from '../../core/pagination';
import { guardedChange } from '../../core/transitions';
import { ReferenceCache } from '../../db/reference-cache';
import { withTransaction } from '../../db/transaction';
import { type Actor, organisationOf, owned, ownerFilter } from '../access';
import { describeChanges, recordAudit, recordAudits } from '../audit';
import { Donor, type DonorContact, type DonorRecord, type DonorType } from './donors.model';

export type { DonorRecord } from './donors.model';

export interface DonorInput {
  type: DonorType;
  name?: string | null;
  country: string;
  contact?: DonorContact;
  anonymous?: boolean;
}

export interface DonorQuery extends PageRequest {
  type?: DonorType;
  country?: string;
  anonymous?: boolean;
  q?: string;
  /** The language whose collation orders the names (the request's). */
  lang?: NameLang;
}

/**
 * A donor as the API answers it: the stored record with `id` in place of `_id`; `contact` is null for a reader whose
 * role does not need it.
 */
export type DonorDto = Omit<DonorRecord, '_id' | 'organisationId' | 'contact'> & {
  id: string;
  organisationId: string;
  contact: DonorContact | null;
};

export function toDonorDto(d: DonorRecord, reader: Actor): DonorDto {
  return {
    id: String(d._id),
    organisationId: String(d.organisationId),
    type: d.type,
    name: d.anonymous ? null : (d.name ?? null),
    country: d.country,
    contact: reader.permissions.has('donors:contact') ? (d.contact ?? {}) : null,
    anonymous: d.anonymous,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

// Contact details are personal data: the audit summary says that they changed, not to what.
const HIDDEN = ['contact', 'name'];

function donorDoc(input: DonorInput) {
  return {
    type: input.type,
    name: input.name ?? null,
    country: input.country,
    contact: input.contact ?? {},
    anonymous: input.anonymous ?? false,
  };
}

function donorCreated(donor: { _id: Types.ObjectId }, input: DonorInput, actor: Actor) {
  return {
    actor,
    action: 'donor.create',
    targetType: 'donor',
    targetId: donor._id,
    summary: { type: input.type, country: input.country },
  } as const;
}

export async function createDonor(input: DonorInput, actor: Actor): Promise<DonorDto> {
  const created = await withTransaction(async (session) => {
    const [donor] = await owned(Donor, actor).create([donorDoc(input)], { session });
    await recordAudit(donorCreated(donor, input, actor), session);
    return donor.toObject() as DonorRecord;
  });
  return toDonorDto(created, actor);
}

/**
 * Donors created in bulk in the caller's transaction (a CSV import's batch): one insert for all of them and their
 * audit entries in the transaction's one audit insert.
 */
export async function createDonors(inputs: readonly DonorInput[], actor: Actor, session: ClientSession): Promise<void> {
  if (inputs.length === 0) return;
  const donors = await owned(Donor, actor).insertMany(inputs.map(donorDoc), { session });
  await recordAudits(
    donors.map((donor, i) => donorCreated(donor as { _id: Types.ObjectId }, inputs[i] as DonorInput, actor)),
    session,
  );
}

export async function updateDonor(id: string, input: Partial<DonorInput>, actor: Actor): Promise<DonorDto> {
  const updated = await withTransaction((session) =>
    guardedChange(
      { model: Donor, name: 'Donor', targetType: 'donor', audit: recordAudit },
      {
        id,
        actor,
        session,
        scope: ownerFilter(actor),
        action: 'donor.update',
        change: (before) => {
          const anonymous = input.anonymous ?? before.anonymous;
          const name = input.name === undefined ? before.name : input.name;
          if (!anonymous && !name)
            throw validationError([{ field: 'name', message: '"name" is required', type: 'any.required' }]);
          const summary = describeChanges(
            before as unknown as Record<string, unknown>,
            input as Record<string, unknown>,
            { hidden: HIDDEN },
          );
          return { set: input, summary };
        },
      },
    ),
  );
  return toDonorDto(updated, actor);
}

/** The stored donor, contact included, for the owning organisation's documents (a receipt); 404 otherwise. */
export async function getDonorRecord(id: string, actor: Actor): Promise<DonorRecord> {
  const donor = await owned(Donor, actor).findById(id).lean<DonorRecord>();
  if (!donor) throw notFound('Donor', id);
  return donor;
}

export async function getDonor(id: string, actor: Actor): Promise<DonorDto> {
  return toDonorDto(await getDonorRecord(id, actor), actor);
}

export async function listDonors(query: DonorQuery, actor: Actor): Promise<Page<DonorDto>> {
  const filter: QueryFilter<DonorRecord> = {};
  if (query.type) filter.type = query.type;
  if (query.country) filter.country = query.country;
  if (query.anonymous !== undefined) filter.anonymous = query.anonymous;
  if (query.q) filter.name = containsText(query.q);
  const page = await owned(Donor, actor).paginate(
    filter,
    query,
    { name: 1, _id: 1 },
    nameCollation(query.lang ?? 'en'),
  );
  return { ...page, data: page.data.map((donor) => toDonorDto(donor, actor)) };
}

/** Donors as a donation checks them: cached per organisation under the collection's stamp (db/reference-cache.ts). */
const donorCache = new ReferenceCache<DonorRecord>('donors');

/**
 * One of the actor's organisation's donors, or VALIDATION naming `field` (another's is "not a known donor").
 * Frozen: do not change it.
 */
export async function requireDonor(
  actor: Actor,
  id: string,
  field: string,
  session?: ClientSession,
): Promise<DonorRecord> {
  const found = await donorCache.byId(String(organisationOf(actor)), [id], (ids) =>
    owned(Donor, actor)
      .find({ _id: { $in: ids } })
      .session(session ?? null)
      .lean<DonorRecord[]>(),
  );
  const donor = found.get(id);
  if (!donor)
    throw validationError([{ field, message: `"${field}" is not a known donor`, type: 'any.unknownReference' }]);
  return donor;
}
