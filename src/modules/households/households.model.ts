/**
 * The registry of aid recipients: households (a head and members) and institutions (a maternity ward, a care home)
 * that receive aid as one recipient. Owned by the organisation that registered them.
 *
 * Personal fields are never stored in clear: IINs, phone numbers and the street address are sealed with AES-256-GCM
 * (src/personal-data); IINs are also stored as keyed hashes (`iinHashes`, every person's), which is what the duplicate
 * check compares across organisations. Names and birth dates stay readable to the owning organisation (lists, paper
 * distribution lists); across organisations only `personKeys` (keyed hashes of name + birth date + settlement) travel.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { indexNamesForSort } from '../../core/collation';
import { ownedByOrganisation } from '../access';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const RECIPIENT_KINDS = ['household', 'institution'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/** The built-in vulnerability criteria; an organisation adds its own codes in `vulnerability_criteria`. */
export const BUILT_IN_VULNERABILITIES = [
  'single_parent',
  'disability',
  'large_family',
  'lone_pensioner',
  'displaced_by_disaster',
  'low_income',
] as const;

export const INSTITUTION_TYPES = ['maternity_ward', 'hospital_ward', 'care_home', 'orphanage', 'shelter', 'other'];
export type InstitutionType = (typeof INSTITUTION_TYPES)[number];

export const AGE_BANDS = ['0-1', '1-4', '5-17', '18-59', '60+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const HOUSEHOLD_STATUSES = ['active', 'inactive', 'erased'] as const;
export type HouseholdStatus = (typeof HOUSEHOLD_STATUSES)[number];

export const LEGAL_BASES = ['consent', 'vital_interest', 'legal_obligation', 'public_task'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const RELATIONS = ['spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'other'] as const;

export interface PersonRecord {
  _id: Types.ObjectId;
  name: string | null;
  relation: string | null;
  birthDate: Date | null;
  ageBand: AgeBand | null;
  /** Sealed ('iin' purpose) or null. */
  iin: string | null;
  iinHash: string | null;
}

export interface HeadRecord {
  name: string;
  birthDate: Date;
  iin: string;
  iinHash: string;
  /** Sealed ('phone' purpose) or null. */
  phone: string | null;
}

export interface InstitutionRecord {
  name: string;
  type: InstitutionType;
  /** How many people it receives for (cots in a ward, residents of a care home): its "size". */
  beneficiaries: number;
  contactName: string | null;
  phone: string | null;
}

export interface HouseholdRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  /** `HH-000123`, unique within the organisation. */
  number: string;
  kind: RecipientKind;
  status: HouseholdStatus;
  head: HeadRecord | null;
  institution: InstitutionRecord | null;
  members: PersonRecord[];
  /** Derived: head + members for a household, the beneficiaries of an institution. */
  size: number;
  address: { region: string; settlement: string; line: string | null };
  vulnerabilities: string[];
  notes: string | null;
  legalBasis: { basis: LegalBasis; purpose: string; recordedOn: Date; recordedBy: LedgerActor };
  /** After this date the household is due for erasure (anonymisation). */
  retainUntil: Date;
  /** Keyed hashes of every IIN in the household: the key of the duplicate check. */
  iinHashes: string[];
  /** Keyed hashes of name + birth date + settlement of people without an IIN: "possible match" keys. */
  personKeys: string[];
  erasedAt: Date | null;
  createdBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

const personSchema = new Schema<PersonRecord>({
  name: { type: String, default: null },
  relation: { type: String, default: null },
  birthDate: { type: Date, default: null },
  ageBand: { type: String, enum: [...AGE_BANDS, null], default: null },
  iin: { type: String, default: null },
  iinHash: { type: String, default: null },
});

const householdSchema = new Schema<HouseholdRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    number: { type: String, required: true },
    kind: { type: String, enum: RECIPIENT_KINDS, required: true },
    status: { type: String, enum: HOUSEHOLD_STATUSES, required: true, default: 'active' },
    head: {
      type: new Schema<HeadRecord>(
        {
          name: { type: String, required: true },
          birthDate: { type: Date, required: true },
          iin: { type: String, required: true },
          iinHash: { type: String, required: true },
          phone: { type: String, default: null },
        },
        { _id: false },
      ),
      default: null,
    },
    institution: {
      type: new Schema<InstitutionRecord>(
        {
          name: { type: String, required: true },
          type: { type: String, enum: INSTITUTION_TYPES, required: true },
          beneficiaries: { type: Number, required: true },
          contactName: { type: String, default: null },
          phone: { type: String, default: null },
        },
        { _id: false },
      ),
      default: null,
    },
    members: { type: [personSchema], default: [] },
    size: { type: Number, required: true },
    address: {
      region: { type: String, required: true },
      settlement: { type: String, required: true },
      line: { type: String, default: null },
    },
    vulnerabilities: { type: [String], default: [] },
    notes: { type: String, default: null },
    legalBasis: {
      basis: { type: String, enum: LEGAL_BASES, required: true },
      purpose: { type: String, required: true },
      recordedOn: { type: Date, required: true },
      recordedBy: { type: ledgerActorSchema, required: true },
    },
    retainUntil: { type: Date, required: true },
    iinHashes: { type: [String], default: [] },
    personKeys: { type: [String], default: [] },
    erasedAt: { type: Date, default: null },
    createdBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'households', timestamps: true, versionKey: false },
);

householdSchema.plugin(ownedByOrganisation);
householdSchema.index({ organisationId: 1, number: 1 }, { unique: true });
householdSchema.index({ organisationId: 1, iinHashes: 1 });
householdSchema.index({ organisationId: 1, status: 1, 'address.region': 1, 'address.settlement': 1 });
householdSchema.index({ organisationId: 1, retainUntil: 1 });
indexNamesForSort(householdSchema, () => ({
  organisationId: 1,
  kind: 1,
  'head.name': 1,
  'institution.name': 1,
  _id: 1,
}));

export const Household =
  (mongoose.models.Household as mongoose.Model<HouseholdRecord> | undefined) ??
  mongoose.model<HouseholdRecord>('Household', householdSchema);

/** An organisation's own vulnerability criterion, beyond the built-in ones ("extendable"). */
export interface VulnerabilityCriterionRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  code: string;
  label: { kk?: string; ru?: string; en?: string };
  createdAt: Date;
  updatedAt: Date;
}

const criterionSchema = new Schema<VulnerabilityCriterionRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    code: { type: String, required: true },
    label: { kk: String, ru: String, en: String },
  },
  { collection: 'vulnerability_criteria', timestamps: true, versionKey: false },
);
criterionSchema.plugin(ownedByOrganisation);
criterionSchema.index({ organisationId: 1, code: 1 }, { unique: true });

export const VulnerabilityCriterion =
  (mongoose.models.VulnerabilityCriterion as mongoose.Model<VulnerabilityCriterionRecord> | undefined) ??
  mongoose.model<VulnerabilityCriterionRecord>('VulnerabilityCriterion', criterionSchema);
