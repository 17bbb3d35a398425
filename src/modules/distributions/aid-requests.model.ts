/**
 * Requests for goods from NGOs and institutions: what an organisation asks a warehouse for (items, quantities, for
 * a programme or an institution, needed by a date), what the serving side approved, and what was delivered through
 * the allocations or shipments that fulfil it. Owned by the requesting organisation; addressed to the organisation
 * that serves it (`servingOrganisationId`), which reads and decides it through that declared path.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const REQUEST_STATUSES = ['submitted', 'approved', 'partly_approved', 'rejected', 'fulfilled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface AidRequestLine {
  itemId: Types.ObjectId;
  /** Sub-units of the item (`unit`). */
  unit: string;
  requested: number;
  approved: number | null;
  delivered: number;
}

export interface Fulfilment {
  kind: 'allocation_batch' | 'shipment';
  id: Types.ObjectId;
  /** Per item, what this fulfilment delivered (sub-units). */
  delivered: { itemId: Types.ObjectId; quantity: number }[];
  at: Date;
  by: LedgerActor;
}

export interface AidRequestRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId;
  servingOrganisationId: Types.ObjectId;
  number: string;
  /** The serving warehouse: named by a requester that serves itself, otherwise by the serving side on deciding. */
  warehouseId: Types.ObjectId | null;
  programmeId: Types.ObjectId | null;
  /** The institution (a recipient of kind institution) the goods are for. */
  institutionId: Types.ObjectId | null;
  purpose: string;
  neededBy: Date;
  lines: AidRequestLine[];
  status: RequestStatus;
  decision: { by: LedgerActor; at: Date; note: string | null } | null;
  fulfilments: Fulfilment[];
  createdBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

const aidRequestSchema = new Schema<AidRequestRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, required: true, index: true },
    servingOrganisationId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, required: true },
    warehouseId: { type: Schema.Types.ObjectId, default: null },
    programmeId: { type: Schema.Types.ObjectId, default: null },
    institutionId: { type: Schema.Types.ObjectId, default: null },
    purpose: { type: String, required: true },
    neededBy: { type: Date, required: true },
    lines: [
      {
        _id: false,
        itemId: { type: Schema.Types.ObjectId, required: true },
        unit: { type: String, required: true },
        requested: { type: Number, required: true },
        approved: { type: Number, default: null },
        delivered: { type: Number, default: 0 },
      },
    ],
    status: { type: String, enum: REQUEST_STATUSES, required: true },
    decision: { type: Schema.Types.Mixed, default: null },
    fulfilments: [
      {
        _id: false,
        kind: { type: String, enum: ['allocation_batch', 'shipment'], required: true },
        id: { type: Schema.Types.ObjectId, required: true },
        delivered: [{ _id: false, itemId: Schema.Types.ObjectId, quantity: Number }],
        at: { type: Date, required: true },
        by: { type: ledgerActorSchema, required: true },
      },
    ],
    createdBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'aid_requests', timestamps: true, versionKey: false },
);
// The serving organisation reads a request addressed to it through `owned(AidRequest, actor).addressed(...)`.
aidRequestSchema.plugin(ownedByOrganisation, { addressedTo: ['servingOrganisationId'] });
aidRequestSchema.index({ organisationId: 1, createdAt: -1 });
// The declared read path of the serving organisation.
aidRequestSchema.index({ servingOrganisationId: 1, status: 1, neededBy: 1 });

export const AidRequest =
  (mongoose.models.AidRequest as mongoose.Model<AidRequestRecord> | undefined) ??
  mongoose.model<AidRequestRecord>('AidRequest', aidRequestSchema);
