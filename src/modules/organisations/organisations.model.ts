/**
 * Organisations: volunteer organisations, initiative groups, NGOs, hubs, social institutions, companies, government
 * bodies. Every owned record (warehouses and their stock, donors, donations, counts, audit entries, users, API keys,
 * and what later modules add) points at one. A hub coordinates member organisations (hub-membership.model.ts).
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { indexNamesForSort } from '../../core/collation';

/**
 * What kind of body an organisation is: the types the field uses (a city volunteer headquarters coordinates volunteer
 * organisations, initiative groups and NGOs; social institutions such as hospitals and social villages receive aid),
 * and the earlier ones (`operator`: an organisation running warehouses for others; `international`: a foreign charity).
 */
export const ORGANISATION_TYPES = [
  'volunteer_organisation',
  'initiative_group',
  'ngo',
  'hub',
  'social_institution',
  'company',
  'government',
  'operator',
  'international',
  'other',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export interface OrganisationContact {
  person?: string;
  phone?: string;
  email?: string;
  address?: string;
}

export interface OrganisationRecord {
  _id: Types.ObjectId;
  name: string;
  type: OrganisationType;
  /** Kazakh business identification number, check digit verified. Absent for foreign organisations. */
  bin?: string;
  contact: OrganisationContact;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const organisationSchema = new Schema<OrganisationRecord>(
  {
    name: { type: String, required: true, trim: true },
    type: { type: String, enum: ORGANISATION_TYPES, required: true },
    bin: { type: String },
    contact: {
      person: String,
      phone: String,
      email: String,
      address: String,
    },
    active: { type: Boolean, required: true, default: true },
  },
  { collection: 'organisations', timestamps: true, versionKey: false },
);

// Sparse: foreign organisations have no BIN, and many absent values must not collide.
organisationSchema.index({ bin: 1 }, { unique: true, sparse: true });
indexNamesForSort(organisationSchema, () => ({ name: 1, _id: 1 }));

export const Organisation =
  (mongoose.models.Organisation as mongoose.Model<OrganisationRecord> | undefined) ??
  mongoose.model<OrganisationRecord>('Organisation', organisationSchema);
