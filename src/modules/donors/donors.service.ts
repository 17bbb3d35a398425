/** Donors. Owns the `donors` collection; donations check a donor through `requireDonor`. */
import type { ClientSession, QueryFilter } from 'mongoose';
import { notFound, validationError } from '../../core/errors';
import { containsText, type Page, type PageRequest, paginate } from '../../core/pagination';
import { guardedChange } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access/permissions';
import { describeChanges, recordAudit } from '../audit/audit.service';
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
}

/** A donor as the API answers it: the stored record with `id` in place of `_id`. */
export type DonorDto = Omit<DonorRecord, '_id'> & { id: string };

export function toDonorDto(d: DonorRecord): DonorDto {
  return {
    id: String(d._id),
    type: d.type,
    name: d.name ?? null,
    country: d.country,
    contact: d.contact ?? {},
    anonymous: d.anonymous,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

// Contact details are personal data: the audit summary says that they changed, not to what.
const HIDDEN = ['contact', 'name'];

export async function createDonor(input: DonorInput, actor: Actor): Promise<DonorDto> {
  const created = await withTransaction(async (session) => {
    const [donor] = await Donor.create(
      [
        {
          type: input.type,
          name: input.name ?? null,
          country: input.country,
          contact: input.contact ?? {},
          anonymous: input.anonymous ?? false,
        },
      ],
      { session },
    );
    await recordAudit(
      {
        actor,
        action: 'donor.create',
        targetType: 'donor',
        targetId: donor._id,
        summary: { type: input.type, country: input.country },
      },
      session,
    );
    return donor.toObject() as DonorRecord;
  });
  return toDonorDto(created);
}

export async function updateDonor(id: string, input: Partial<DonorInput>, actor: Actor): Promise<DonorDto> {
  const updated = await withTransaction((session) =>
    guardedChange(
      { model: Donor, name: 'Donor', targetType: 'donor', audit: recordAudit },
      {
        id,
        actor,
        session,
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
  return toDonorDto(updated);
}

export async function getDonor(id: string): Promise<DonorDto> {
  const donor = await Donor.findById(id).lean<DonorRecord>();
  if (!donor) throw notFound('Donor', id);
  return toDonorDto(donor);
}

export async function listDonors(query: DonorQuery): Promise<Page<DonorDto>> {
  const filter: QueryFilter<DonorRecord> = {};
  if (query.type) filter.type = query.type;
  if (query.country) filter.country = query.country;
  if (query.anonymous !== undefined) filter.anonymous = query.anonymous;
  if (query.q) filter.name = containsText(query.q);
  const page = await paginate(Donor, filter, query, { name: 1, _id: 1 });
  return { ...page, data: page.data.map(toDonorDto) };
}

export async function requireDonor(id: string, field: string, session?: ClientSession): Promise<DonorRecord> {
  const donor = await Donor.findById(id)
    .session(session ?? null)
    .lean<DonorRecord>();
  if (!donor)
    throw validationError([{ field, message: `"${field}" is not a known donor`, type: 'any.unknownReference' }]);
  return donor;
}
