/**
 * Webhooks: an organisation's HTTP endpoints told about its alerts, and the log of every delivery attempt.
 * The signing secret is shown once at creation and kept to sign deliveries (it cannot be hashed: the receiver
 * checks an HMAC made with it); it never appears in an answer again.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const WEBHOOK_EVENTS = ['alert.raised', 'alert.escalated', 'alert.resolved'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId | null;
  url: string;
  events: WebhookEvent[];
  secret: string;
  active: boolean;
  createdBy: LedgerActor;
  createdAt: Date;
  updatedAt: Date;
}

const webhookSchema = new Schema<WebhookRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, default: null },
    url: { type: String, required: true },
    events: [{ type: String, enum: WEBHOOK_EVENTS }],
    secret: { type: String, required: true },
    active: { type: Boolean, required: true, default: true },
    createdBy: { type: ledgerActorSchema, required: true },
  },
  { collection: 'webhooks', timestamps: true, versionKey: false },
);
webhookSchema.index({ organisationId: 1, active: 1 });

export const Webhook =
  (mongoose.models.Webhook as mongoose.Model<WebhookRecord> | undefined) ??
  mongoose.model<WebhookRecord>('Webhook', webhookSchema);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
  at: Date;
  /** The receiver's HTTP status, or null when no answer came (refused, timed out). */
  status: number | null;
  error: string | null;
  ms: number;
}

export interface WebhookDeliveryRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId | null;
  webhookId: Types.ObjectId;
  event: WebhookEvent;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  /** A sender claims a delivery until this time, so that two processes never post it at once. */
  claimedUntil: Date;
  createdAt: Date;
  deliveredAt: Date | null;
}

const deliverySchema = new Schema<WebhookDeliveryRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, default: null },
    webhookId: { type: Schema.Types.ObjectId, required: true },
    event: { type: String, enum: WEBHOOK_EVENTS, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    attempts: [
      {
        _id: false,
        at: { type: Date, required: true },
        status: { type: Number, default: null },
        error: { type: String, default: null },
        ms: { type: Number, required: true },
      },
    ],
    nextAttemptAt: { type: Date, default: null },
    claimedUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    deliveredAt: { type: Date, default: null },
  },
  { collection: 'webhook_deliveries', versionKey: false },
);
deliverySchema.index({ status: 1, nextAttemptAt: 1 });
deliverySchema.index({ webhookId: 1, createdAt: -1, _id: -1 });

export const WebhookDelivery =
  (mongoose.models.WebhookDelivery as mongoose.Model<WebhookDeliveryRecord> | undefined) ??
  mongoose.model<WebhookDeliveryRecord>('WebhookDelivery', deliverySchema);
