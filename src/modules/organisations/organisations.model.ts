/**
 * Organisations: the operator of the warehouses, partner NGOs, government bodies, companies, foreign donors.
 * Users, API keys and organisation-owned records (families, distributions) point at one.
 */
import mongoose, { Schema, type Types } from 'mongoose';

export const ORGANISATION_TYPES = ['operator', 'ngo', 'government', 'company', 'international', 'other'] as const;
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
organisationSchema.index({ name: 1 });

export const Organisation =
  (mongoose.models.Organisation as mongoose.Model<OrganisationRecord> | undefined) ??
  mongoose.model<OrganisationRecord>('Organisation', organisationSchema);
