/**
 * Membership of an organisation in a hub (a city volunteer headquarters, a regional front office, the national
 * network). An organisation may belong to several hubs; a membership runs from `from` until `until` (exclusive; null
 * while it lasts), so a hub's figures for a past month count the organisations that were its members then.
 */
import mongoose, { Schema, type Types } from 'mongoose';

export interface HubMembershipRecord {
  _id: Types.ObjectId;
  hubId: Types.ObjectId;
  memberId: Types.ObjectId;
  from: Date;
  until: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const membershipSchema = new Schema<HubMembershipRecord>(
  {
    hubId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    from: { type: Date, required: true },
    until: { type: Date, default: null },
  },
  { collection: 'hub_memberships', timestamps: true, versionKey: false },
);

membershipSchema.index({ hubId: 1, memberId: 1, from: 1 }, { unique: true });
membershipSchema.index({ memberId: 1 });

export const HubMembership =
  (mongoose.models.HubMembership as mongoose.Model<HubMembershipRecord> | undefined) ??
  mongoose.model<HubMembershipRecord>('HubMembership', membershipSchema);
