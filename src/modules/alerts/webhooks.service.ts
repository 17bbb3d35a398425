/**
 * Webhooks: an organisation registers HTTPS (or HTTP) endpoints; alert events are queued as deliveries in the
 * transaction that raises the alert, then POSTed with a signature, retried with backoff, and logged attempt by
 * attempt. Deliveries are claimed with a guarded write, so two API processes never post the same one at once.
 *
 * Signature: `X-Asar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the webhook's secret>`.
 * The receiver recomputes it over the raw body and rejects old timestamps (replays).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { type ClientSession, Types } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import { logger } from '../../logger';
import type { Actor } from '../access';
import { organisationOf, ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { ledgerActorOf } from '../stock';
import {
  type DeliveryAttempt,
  type DeliveryStatus,
  Webhook,
  WebhookDelivery,
  type WebhookDeliveryRecord,
  type WebhookEvent,
  type WebhookRecord,
} from './webhooks.model';

/** Delays before the 2nd, 3rd, ... attempt; after the last one the delivery is marked failed. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000, 6 * 3_600_000];
const TIMEOUT_MS = 10_000;
const CLAIM_MS = 60_000;

export interface WebhookInput {
  url: string;
  events: WebhookEvent[];
  /** Admins may register one for another organisation; others register for their own. */
  organisationId?: string | null;
}

export interface WebhookDto {
  id: string;
  organisationId: string | null;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  createdAt: Date;
}

const toWebhookDto = (w: WebhookRecord): WebhookDto => ({
  id: String(w._id),
  organisationId: w.organisationId ? String(w.organisationId) : null,
  url: w.url,
  events: w.events,
  active: w.active,
  createdAt: w.createdAt,
});

export interface DeliveryDto {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

const toDeliveryDto = (d: WebhookDeliveryRecord): DeliveryDto => ({
  id: String(d._id),
  webhookId: String(d.webhookId),
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
});

/** Registers a webhook; the answer carries its signing secret, shown this once. */
export async function createWebhook(input: WebhookInput, actor: Actor): Promise<WebhookDto & { secret: string }> {
  // A webhook hears its organisation's events only: naming another organisation is refused like a user's would be.
  const organisationId = String(organisationOf(actor));
  if (input.organisationId != null && input.organisationId !== organisationId) {
    throw new AppError('VALIDATION', 'A webhook is registered for your own organisation', [
      { field: 'organisationId', message: '"organisationId" must be your own organisation', type: 'any.invalid' },
    ]);
  }
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  return withTransaction(async (session) => {
    const [created] = await Webhook.create(
      [
        {
          organisationId: new Types.ObjectId(organisationId),
          url: input.url,
          events: [...new Set(input.events)],
          secret,
          active: true,
          createdBy: ledgerActorOf(actor),
        },
      ],
      { session },
    );
    await recordAudit(
      {
        actor,
        action: 'webhook.create',
        targetType: 'webhook',
        targetId: created._id,
        organisationId,
        summary: { url: input.url, events: input.events },
      },
      session,
    );
    return { ...toWebhookDto(created.toObject() as WebhookRecord), secret };
  });
}

export async function listWebhooks(query: PageRequest, actor: Actor): Promise<Page<WebhookDto>> {
  const page = await paginate(Webhook, { ...ownerFilter(actor) }, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toWebhookDto) };
}

async function webhookInScope(id: string, actor: Actor): Promise<WebhookRecord> {
  const webhook = await Webhook.findOne({ _id: id, ...ownerFilter(actor) }).lean<WebhookRecord>();
  if (!webhook) throw notFound('Webhook', id);
  return webhook;
}

/** Stops a webhook: nothing new is queued for it, and pending deliveries are not sent. */
export async function deactivateWebhook(id: string, actor: Actor): Promise<WebhookDto> {
  const webhook = await webhookInScope(id, actor);
  return withTransaction(async (session) => {
    const after = await Webhook.findOneAndUpdate(
      { _id: webhook._id },
      { $set: { active: false } },
      { session, returnDocument: 'after' },
    ).lean<WebhookRecord>();
    if (!after) throw notFound('Webhook', id);
    await recordAudit(
      { actor, action: 'webhook.deactivate', targetType: 'webhook', targetId: webhook._id, summary: {} },
      session,
    );
    return toWebhookDto(after);
  });
}

export async function listDeliveries(
  webhookId: string,
  query: PageRequest & { status?: DeliveryStatus },
  actor: Actor,
): Promise<Page<DeliveryDto>> {
  const webhook = await webhookInScope(webhookId, actor);
  const filter = { webhookId: webhook._id, ...(query.status ? { status: query.status } : {}) };
  const page = await paginate(WebhookDelivery, filter, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toDeliveryDto) };
}

/** Queues an event for every active webhook of the organisation that wants it, in the caller's transaction. */
export async function enqueueWebhookEvent(
  organisationId: Types.ObjectId | null,
  event: WebhookEvent,
  payload: Record<string, unknown>,
  session: ClientSession,
): Promise<number> {
  const hooks = await Webhook.find({ organisationId, active: true, events: event }, { _id: 1 })
    .session(session)
    .lean<{ _id: Types.ObjectId }[]>();
  if (hooks.length === 0) return 0;
  const now = new Date();
  await WebhookDelivery.insertMany(
    hooks.map((hook) => ({
      organisationId,
      webhookId: hook._id,
      event,
      payload,
      status: 'pending',
      attempts: [],
      nextAttemptAt: now,
      claimedUntil: new Date(0),
      createdAt: now,
      deliveredAt: null,
    })),
    { session },
  );
  return hooks.length;
}

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

async function post(webhook: WebhookRecord, delivery: WebhookDeliveryRecord, now: Date): Promise<DeliveryAttempt> {
  const body = JSON.stringify({
    id: String(delivery._id),
    event: delivery.event,
    createdAt: delivery.createdAt.toISOString(),
    data: delivery.payload,
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  const started = Date.now();
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Asar-Webhooks/1',
        'x-asar-event': delivery.event,
        'x-asar-delivery': String(delivery._id),
        'x-asar-signature': `t=${timestamp},v1=${signatureOf(webhook.secret, timestamp, body)}`,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return { at: now, status: response.status, error: ok ? null : `HTTP ${response.status}`, ms: Date.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const message = (error as Error).name === 'TimeoutError' ? 'timed out' : (cause ?? (error as Error).message);
    return { at: now, status: null, error: message, ms: Date.now() - started };
  }
}

/**
 * Sends every delivery that is due (at most `limit`): claims it, posts it, logs the attempt, and either marks it
 * delivered, schedules the next attempt, or marks it failed after the last one. `now` lets tests step time.
 */
export async function sendDueDeliveries(
  options: { now?: Date; limit?: number } = {},
): Promise<{ delivered: number; retrying: number; failed: number }> {
  const now = options.now ?? new Date();
  const counts = { delivered: 0, retrying: 0, failed: 0 };
  for (let n = 0; n < (options.limit ?? 100); n += 1) {
    const delivery = await WebhookDelivery.findOneAndUpdate(
      { status: 'pending', nextAttemptAt: { $lte: now }, claimedUntil: { $lte: now } },
      { $set: { claimedUntil: new Date(now.getTime() + CLAIM_MS) } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
    ).lean<WebhookDeliveryRecord>();
    if (!delivery) break;
    const webhook = await Webhook.findById(delivery.webhookId).lean<WebhookRecord>();
    if (!webhook?.active) {
      await WebhookDelivery.updateOne(
        { _id: delivery._id },
        { $set: { status: 'failed', nextAttemptAt: null }, $push: { attempts: notSent(now) } },
      );
      counts.failed += 1;
      continue;
    }
    const attempt = await post(webhook, delivery, now);
    const attempts = delivery.attempts.length + 1;
    let set: Record<string, unknown>;
    if (attempt.error === null) {
      set = { status: 'delivered', deliveredAt: new Date(), nextAttemptAt: null };
      counts.delivered += 1;
    } else if (attempts > RETRY_DELAYS_MS.length) {
      set = { status: 'failed', nextAttemptAt: null };
      counts.failed += 1;
      logger.warn({ deliveryId: String(delivery._id), attempts }, 'Webhook delivery failed for good');
    } else {
      set = { nextAttemptAt: new Date(now.getTime() + RETRY_DELAYS_MS[attempts - 1]) };
      counts.retrying += 1;
    }
    await WebhookDelivery.updateOne(
      { _id: delivery._id },
      { $set: { ...set, claimedUntil: new Date(0) }, $push: { attempts: attempt } },
    );
  }
  return counts;
}

const notSent = (at: Date): DeliveryAttempt => ({ at, status: null, error: 'webhook deactivated', ms: 0 });

let sending: Promise<unknown> | null = null;

/**
 * Sends due deliveries in the background, right after the transaction that queued them committed, so that a
 * receiver hears of an alert in seconds rather than at the next run of the webhook-deliveries job (which picks up
 * whatever this misses: retries, and deliveries queued by a process that stopped).
 */
export function sendDueDeliveriesSoon(): void {
  if (sending) return;
  sending = sendDueDeliveries()
    .catch((error) => logger.warn({ err: error }, 'Sending webhook deliveries failed; the job retries them'))
    .finally(() => {
      sending = null;
    });
}

/** Waits for a background send in progress (tests, shutdown). */
export async function settleDeliveries(): Promise<void> {
  await sending;
}
