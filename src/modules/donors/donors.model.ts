/** Donors: people and bodies who give goods. An anonymous donor may have no name; receipts then say "anonymous". */
import mongoose, { Schema, type Types } from 'mongoose';
import { indexNamesForSort } from '../../core/collation';
import { stampedReference } from '../../db/reference-cache';
import { ownedByOrganisation } from '../access';

export const DONOR_TYPES = ['individual', 'company', 'ngo', 'government', 'foreign_organisation'] as const;
export type DonorType = (typeof DONOR_TYPES)[number];

export interface DonorContact {
  person?: string;
  phone?: string;
  email?: string;
  address?: string;
}

export interface DonorRecord {
  _id: Types.ObjectId;
  /** The organisation that registered the donor: each keeps its own list (and its donors' contact details). */
  organisationId: Types.ObjectId;
  type: DonorType;
  name: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  contact: DonorContact;
  anonymous: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const donorSchema = new Schema<DonorRecord>(
  {
    type: { type: String, enum: DONOR_TYPES, required: true },
    name: { type: String, default: null },
    country: { type: String, required: true },
    contact: {
      person: { type: String },
      phone: { type: String },
      email: { type: String },
      address: { type: String },
    },
    anonymous: { type: Boolean, default: false },
  },
  { collection: 'donors', timestamps: true, versionKey: false, minimize: false },
);

donorSchema.plugin(ownedByOrganisation);
// Cached by the stock hot path: every change writes a new cache stamp (db/reference-cache.ts).
donorSchema.plugin(stampedReference, { name: 'donors' });
indexNamesForSort(donorSchema, () => ({ organisationId: 1, name: 1, _id: 1 }));
donorSchema.index({ organisationId: 1, type: 1, name: 1 });
donorSchema.index({ organisationId: 1, country: 1 });

export const Donor =
  (mongoose.models.Donor as mongoose.Model<DonorRecord> | undefined) ??
  mongoose.model<DonorRecord>('Donor', donorSchema);
