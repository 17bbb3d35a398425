/**
 * Raising, listing and acknowledging alerts. Jobs call `syncAlerts(kind, sightings)` once per run: every sighting
 * opens an alert or refreshes the active one for its subject (never a second one), and active alerts of that kind
 * the run no longer sees are resolved. Opening, escalating and resolving an alert are told to the organisation's
 * webhooks (webhooks.service.ts).
 */
import { type QueryFilter, Types } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { ledgerActorOf } from '../stock';
import {
  Alert,
  type AlertKind,
  type AlertRecord,
  type AlertStatus,
  type AlertSubject,
  SEVERITIES,
  type Severity,
} from './alerts.model';
import { enqueueWebhookEvent, sendDueDeliveriesSoon } from './webhooks.service';

export interface AlertSighting {
  organisationId: string | Types.ObjectId | null;
  kind: AlertKind;
  severity: Severity;
  subject: AlertSubject;
  /** Defaults to `<subject.type>:<subject.id>`. */
  subjectKey?: string;
  message: string;
  /** Counts, codes and dates only: no personal data (alerts go to webhooks). */
  details?: Record<string, unknown>;
}

export interface AlertDto {
  id: string;
  organisationId: string | null;
  kind: AlertKind;
  severity: Severity;
  subject: AlertSubject;
  message: string;
  details: Record<string, unknown>;
  status: AlertStatus;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: { kind: string; id: string; name: string } | null;
  resolvedAt: Date | null;
}

export function toAlertDto(a: AlertRecord): AlertDto {
  return {
    id: String(a._id),
    organisationId: a.organisationId ? String(a.organisationId) : null,
    kind: a.kind,
    severity: a.severity,
    subject: a.subject,
    message: a.message,
    details: a.details ?? {},
    status: a.status,
    occurrences: a.occurrences,
    firstSeenAt: a.firstSeenAt,
    lastSeenAt: a.lastSeenAt,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: a.resolvedAt,
  };
}

const rank = (severity: Severity): number => SEVERITIES.indexOf(severity);
const asObjectId = (id: string | Types.ObjectId | null): Types.ObjectId | null =>
  id === null ? null : new Types.ObjectId(String(id));

export type RaiseOutcome = 'opened' | 'escalated' | 'refreshed';

/** Opens the alert for this subject, or refreshes the active one (last seen, occurrences, severity, message). */
export async function raiseAlert(
  sighting: AlertSighting,
  now = new Date(),
): Promise<{ id: Types.ObjectId; outcome: RaiseOutcome }> {
  const organisationId = asObjectId(sighting.organisationId);
  const subjectKey = sighting.subjectKey ?? `${sighting.subject.type}:${sighting.subject.id}`;
  const filter = { organisationId, kind: sighting.kind, subjectKey, active: true };
  const update = {
    $set: {
      severity: sighting.severity,
      subject: sighting.subject,
      message: sighting.message,
      details: sighting.details ?? {},
      lastSeenAt: now,
    },
    $inc: { occurrences: 1 },
    $setOnInsert: {
      status: 'open',
      firstSeenAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
    },
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTransaction(async (session) => {
        const before = await Alert.findOneAndUpdate(filter, update, {
          upsert: true,
          returnDocument: 'before',
          session,
        }).lean<AlertRecord>();
        const after = await Alert.findOne(filter, { _id: 1 }).session(session).lean<{ _id: Types.ObjectId }>();
        const id = after?._id as Types.ObjectId;
        const outcome: RaiseOutcome = !before
          ? 'opened'
          : rank(sighting.severity) > rank(before.severity)
            ? 'escalated'
            : 'refreshed';
        if (outcome !== 'refreshed') {
          const event = outcome === 'opened' ? 'alert.raised' : 'alert.escalated';
          await enqueueWebhookEvent(organisationId, event, alertPayload(id, sighting, now), session);
        }
        return { id, outcome };
      });
    } catch (error) {
      // Two processes opening the same alert at once: the unique partial index refuses the second insert, and the
      // retry refreshes the alert the first one opened.
      if ((error as { code?: unknown }).code !== 11000 || attempt >= 3) throw error;
    }
  }
}

function alertPayload(id: Types.ObjectId, s: AlertSighting, at: Date): Record<string, unknown> {
  return {
    alert: {
      id: String(id),
      kind: s.kind,
      severity: s.severity,
      subject: s.subject,
      message: s.message,
      details: s.details ?? {},
    },
    organisationId: s.organisationId ? String(s.organisationId) : null,
    at: at.toISOString(),
  };
}

export interface SyncResult {
  opened: number;
  escalated: number;
  refreshed: number;
  resolved: number;
}

/**
 * One job run's view of a kind of alert: raises every sighting and resolves the active alerts of that kind that it
 * did not sight.
 */
export async function syncAlerts(kind: AlertKind, sightings: AlertSighting[], now = new Date()): Promise<SyncResult> {
  const result: SyncResult = { opened: 0, escalated: 0, refreshed: 0, resolved: 0 };
  const seen: Types.ObjectId[] = [];
  for (const sighting of sightings) {
    const { id, outcome } = await raiseAlert({ ...sighting, kind }, now);
    seen.push(id);
    result[outcome] += 1;
  }
  const stale = await Alert.find({ kind, active: true, _id: { $nin: seen } }).lean<AlertRecord[]>();
  for (const alert of stale) {
    const resolved = await withTransaction(async (session) => {
      const done = await Alert.findOneAndUpdate(
        { _id: alert._id, active: true },
        { $set: { status: 'resolved', active: false, resolvedAt: now } },
        { session, returnDocument: 'after' },
      ).lean<AlertRecord>();
      if (done) {
        await enqueueWebhookEvent(
          done.organisationId,
          'alert.resolved',
          { alert: { id: String(done._id), kind, subject: done.subject }, at: now.toISOString() },
          session,
        );
      }
      return done !== null;
    });
    if (resolved) result.resolved += 1;
  }
  if (result.opened + result.escalated + result.resolved > 0) sendDueDeliveriesSoon();
  return result;
}

export interface AlertQuery extends PageRequest {
  status?: AlertStatus;
  kind?: AlertKind;
  severity?: Severity;
  /** Only open and acknowledged alerts. */
  active?: boolean;
}

export async function listAlerts(query: AlertQuery, actor: Actor): Promise<Page<AlertDto>> {
  const filter: QueryFilter<AlertRecord> = { ...ownerFilter(actor) };
  if (query.status) filter.status = query.status;
  if (query.kind) filter.kind = query.kind;
  if (query.severity) filter.severity = query.severity;
  if (query.active !== undefined) filter.active = query.active;
  const page = await paginate(Alert, filter, query, { lastSeenAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toAlertDto) };
}

async function alertInScope(id: string, actor: Actor): Promise<AlertRecord> {
  const alert = await Alert.findOne({ _id: id, ...ownerFilter(actor) }).lean<AlertRecord>();
  if (!alert) throw notFound('Alert', id);
  return alert;
}

export async function getAlert(id: string, actor: Actor): Promise<AlertDto> {
  return toAlertDto(await alertInScope(id, actor));
}

/** Marks an open alert as seen by the actor; it stays active (not repeated) until the job sees it resolved. */
export async function acknowledgeAlert(id: string, actor: Actor): Promise<AlertDto> {
  const current = await alertInScope(id, actor);
  return withTransaction(async (session) => {
    const now = new Date();
    const after = await Alert.findOneAndUpdate(
      { _id: current._id, status: 'open' },
      { $set: { status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: ledgerActorOf(actor) } },
      { session, returnDocument: 'after' },
    ).lean<AlertRecord>();
    if (!after) {
      const state = (await Alert.findById(current._id).session(session).lean<AlertRecord>())?.status;
      throw new AppError('INVALID_STATE', `The alert is ${state}, not open`, { id, status: state });
    }
    await recordAudit(
      {
        actor,
        action: 'alert.acknowledge',
        targetType: 'alert',
        targetId: after._id,
        organisationId: after.organisationId,
        summary: { kind: after.kind, subject: after.subject.label },
      },
      session,
    );
    return toAlertDto(after);
  });
}
