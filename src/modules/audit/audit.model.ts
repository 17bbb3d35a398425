/**
 * The audit log: one entry per change (create, update, state change, stock movement, login, failed login, key
 * creation and revocation). Append-only: this model refuses every update, and no service offers one.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { ownedByOrganisation } from '../access';

export type AuditActorKind = 'user' | 'apiKey' | 'system' | 'anonymous';

export interface AuditEntryRecord {
  _id: Types.ObjectId;
  actor: { kind: AuditActorKind; id: string | null; name: string; organisationId: Types.ObjectId | null };
  /**
   * The organisation the change concerns (the target's when known, otherwise the actor's); null for a deployment-level
   * event (a failed login with an unknown email, the operator acting outside any organisation).
   */
  organisationId: Types.ObjectId | null;
  /** `<area>.<verb>`, e.g. 'user.create', 'auth.login_failed', 'stock.move'. */
  action: string;
  targetType: string;
  targetId: string | null;
  /** What changed: field names and non-personal values. Never passwords, tokens, keys or personal data values. */
  summary: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
  at: Date;
}

const auditEntrySchema = new Schema<AuditEntryRecord>(
  {
    actor: {
      kind: { type: String, enum: ['user', 'apiKey', 'system', 'anonymous'], required: true },
      id: { type: String, default: null },
      name: { type: String, required: true },
      organisationId: { type: Schema.Types.ObjectId, default: null },
    },
    action: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, default: null },
    summary: { type: Schema.Types.Mixed, default: {} },
    requestId: { type: String, default: null },
    ip: { type: String, default: null },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { collection: 'audit_entries', versionKey: false, minimize: false },
);

auditEntrySchema.plugin(ownedByOrganisation, { nullable: true });
// An admin pages its organisation's entries newest first, filtered by actor, target or action.
auditEntrySchema.index({ organisationId: 1, at: -1, _id: -1 });
auditEntrySchema.index({ organisationId: 1, 'actor.id': 1, at: -1 });
auditEntrySchema.index({ organisationId: 1, targetType: 1, targetId: 1, at: -1 });
auditEntrySchema.index({ organisationId: 1, action: 1, at: -1 });

function refuseChange(): never {
  throw new Error('audit entries are append-only');
}
// Deleting is changing history too.
for (const operation of [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'findOneAndReplace',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
] as const) {
  auditEntrySchema.pre(operation, refuseChange);
}
auditEntrySchema.pre('save', function refuseResave() {
  if (!this.isNew) refuseChange();
});

export const AuditEntry =
  (mongoose.models.AuditEntry as mongoose.Model<AuditEntryRecord> | undefined) ??
  mongoose.model<AuditEntryRecord>('AuditEntry', auditEntrySchema);
