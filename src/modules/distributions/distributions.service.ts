/**
 * Allocating goods to enrolled recipients and handing them over. Owns `distribution_batches`, `allocations`,
 * `hand_overs` and `signatures`; the stock moves through stock-port.ts, inside the same transactions.
 *
 * - A batch is created with its allocations in bulk (up to 200 recipients a call, more calls add to it): for each
 *   recipient the enrolment is re-checked against every organisation's claims, the entitlement computed and stock
 *   reserved; what cannot be reserved is "short" on the due list.
 * - Cancelling an allocation releases what it holds.
 * - A hand-over records all / part / nothing (and why), the head or a proxy (IIN checked), and the proof, and issues
 *   what was received against the reservation, in one transaction. What was reserved and not received stays
 *   reserved until the batch is closed, which releases it or keeps it for a later day.
 */
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { AppError, type FieldError, notFound, validationError } from '../../core/errors';
import { isValidIin } from '../../core/kz-identifiers';
import { containsText, type Page, type PageRequest } from '../../core/pagination';
import { defineLifecycle } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import { keyedHash, open, seal } from '../../personal-data';
import { type Actor, organisationActor, owned, ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { itemsByIds, subUnitOf } from '../catalog';
import { type ErasedHousehold, type HouseholdRecord, householdsByIds } from '../households';
import { reserveDocumentNumber } from '../numbering';
import { enrolmentsOf, entitlementOf, recheckBeforeAllocation, requireRound } from '../programmes';
import { ledgerActorOf } from '../stock';
import { requireWarehouse } from '../warehouses';
import {
  Allocation,
  type AllocationRecord,
  DistributionBatch,
  type DistributionBatchRecord,
  HandOver,
  type HandOverOutcome,
  type HandOverRecord,
  Signature,
} from './distributions.model';
import { issueLine, queuedOnStock, releaseLine, reserveUpTo } from './stock-port';

export const MAX_ALLOCATIONS_PER_CALL = 200;
/** A signature PNG captured on a touch screen: small by nature; anything larger is not a signature. */
export const MAX_SIGNATURE_BYTES = 64 * 1024;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Runs a transaction that writes stock of these items in the warehouse after the earlier ones of this process that
 * write the same goods (stock.queuedOnStock): sixteen clerks handing out the same food basket would otherwise spend
 * their time on write conflicts and retries. Correctness still rests on the database's guarded updates.
 */
function onStock<T>(warehouseId: Types.ObjectId, itemIds: readonly Types.ObjectId[], fn: () => Promise<T>): Promise<T> {
  return queuedOnStock(
    itemIds.map((itemId) => ({ warehouseId, itemId })),
    fn,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// DTOs

export interface AllocationDto {
  id: string;
  batchId: string;
  householdId: string;
  status: AllocationRecord['status'];
  size: number;
  settlement: string;
  lines: { itemId: string; category: string; entitled: number; reserved: number; short: number; issued: number }[];
  short: boolean;
  handOverId: string | null;
}

export function toAllocationDto(a: AllocationRecord): AllocationDto {
  const lines = a.lines.map((l) => ({
    itemId: String(l.itemId),
    category: l.category,
    entitled: l.entitled,
    reserved: l.reserved,
    short: l.entitled - l.reserved,
    issued: l.issued,
  }));
  return {
    id: String(a._id),
    batchId: String(a.batchId),
    householdId: String(a.householdId),
    status: a.status,
    size: a.size,
    settlement: a.settlement,
    lines,
    short: lines.some((l) => l.short > 0),
    handOverId: a.handOverId ? String(a.handOverId) : null,
  };
}

export interface BatchDto {
  id: string;
  organisationId: string;
  number: string;
  programmeId: string;
  roundId: string;
  warehouseId: string;
  site: DistributionBatchRecord['site'];
  plannedOn: Date;
  holdUntil: Date;
  status: DistributionBatchRecord['status'];
  rest: DistributionBatchRecord['rest'];
}

function toBatchDto(b: DistributionBatchRecord): BatchDto {
  return {
    id: String(b._id),
    organisationId: String(b.organisationId),
    number: b.number,
    programmeId: String(b.programmeId),
    roundId: String(b.roundId),
    warehouseId: String(b.warehouseId),
    site: b.site,
    plannedOn: b.plannedOn,
    holdUntil: b.holdUntil ?? defaultHoldEnd(b.plannedOn),
    status: b.status,
    rest: b.rest,
  };
}

export interface HandOverDto {
  id: string;
  number: string;
  allocationId: string;
  householdId: string;
  outcome: HandOverOutcome;
  reason: string | null;
  lines: { itemId: string; entitled: number; received: number }[];
  receivedBy: { kind: 'head' | 'proxy'; name: string | null };
  proof: { kind: 'paper'; sheet: string } | { kind: 'image' } | { kind: 'none' };
  handedOverAt: Date;
}

function toHandOverDto(h: HandOverRecord): HandOverDto {
  return {
    id: String(h._id),
    number: h.number,
    allocationId: String(h.allocationId),
    householdId: String(h.householdId),
    outcome: h.outcome,
    reason: h.reason,
    lines: h.lines.map((l) => ({ itemId: String(l.itemId), entitled: l.entitled, received: l.received })),
    receivedBy: { kind: h.receivedBy.kind, name: h.receivedBy.name },
    proof: h.proof.kind === 'paper' ? { kind: 'paper', sheet: h.proof.sheet } : { kind: h.proof.kind },
    handedOverAt: h.handedOverAt,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Batches and allocations

export interface BatchInput {
  programmeId: string;
  roundId: string;
  warehouseId: string;
  site: { name: string; region: string; settlement: string };
  plannedOn: Date;
  holdUntil?: Date;
}

/**
 * How long after its planned day a distribution day holds its allocations' goods by default: a week for those who
 * could not come on the day (a flooded road, a sick parent) before the goods go back to stock for others.
 */
export const ALLOCATION_HOLD_DAYS = 7;

/** The end of the ALLOCATION_HOLD_DAYS-th day after the planned day. */
function defaultHoldEnd(plannedOn: Date): Date {
  return new Date(startOfDay(plannedOn).getTime() + (ALLOCATION_HOLD_DAYS + 1) * DAY_MS);
}

export async function createBatch(input: BatchInput, actor: Actor): Promise<BatchDto> {
  const batches = owned(DistributionBatch, actor);
  const { organisationId } = batches;
  const { programme, round } = await requireRound(input.programmeId, input.roundId, actor);
  if (!programme.participatingOrganisationIds.some((p) => p.equals(organisationId))) {
    throw new AppError('FORBIDDEN', 'Your organisation does not participate in this programme', {
      programmeId: input.programmeId,
    });
  }
  const warehouse = await requireWarehouse(actor, input.warehouseId, 'warehouseId');
  const number = await reserveDocumentNumber('DB');
  const now = new Date();
  const batch: DistributionBatchRecord = {
    _id: new Types.ObjectId(),
    organisationId,
    number,
    programmeId: programme._id,
    roundId: round._id,
    warehouseId: warehouse._id,
    site: input.site,
    plannedOn: input.plannedOn,
    holdUntil: input.holdUntil ?? defaultHoldEnd(input.plannedOn),
    status: 'open',
    rest: null,
    createdBy: ledgerActorOf(actor),
    closedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await withTransaction(async (session) => {
    await batches.insertMany([batch], { session, lean: true });
    await recordAudit(
      {
        actor,
        action: 'distribution_batch.create',
        targetType: 'distribution_batch',
        targetId: batch._id,
        summary: { number, roundId: String(round._id), site: input.site.name },
      },
      session,
    );
  });
  return toBatchDto(batch);
}

export interface BatchQuery extends PageRequest {
  status?: DistributionBatchRecord['status'];
  /** Planned on or after this day, on or before that one (whole days: the dates a coordinator picks). */
  plannedFrom?: Date;
  plannedTo?: Date;
  /** Part of the site's name or settlement. */
  site?: string;
  roundId?: string;
}

/** A batch in the organisation's list, with how far its hand-overs have got. */
export interface BatchListRow extends BatchDto {
  households: number;
  handedOver: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The organisation's distribution days, the latest planned first (a coordinator filters on today for today's), filtered
 * by state, dates, site and round; each with its count of households and of hand-overs recorded.
 */
export async function listBatches(query: BatchQuery, actor: Actor): Promise<Page<BatchListRow>> {
  const filter: QueryFilter<DistributionBatchRecord> = {};
  if (query.status) filter.status = query.status;
  if (query.roundId) filter.roundId = new Types.ObjectId(query.roundId);
  if (query.plannedFrom || query.plannedTo) {
    filter.plannedOn = {
      ...(query.plannedFrom ? { $gte: startOfDay(query.plannedFrom) } : {}),
      ...(query.plannedTo ? { $lt: new Date(startOfDay(query.plannedTo).getTime() + DAY_MS) } : {}),
    };
  }
  if (query.site)
    filter.$or = [{ 'site.name': containsText(query.site) }, { 'site.settlement': containsText(query.site) }];
  const page = await owned(DistributionBatch, actor).paginate(filter, query, { plannedOn: -1, _id: -1 });
  const counts = new Map<string, { households: number; handedOver: number }>();
  if (page.data.length > 0) {
    const rows = await owned(Allocation, actor).aggregate<{
      _id: Types.ObjectId;
      households: number;
      handedOver: number;
    }>([
      { $match: { batchId: { $in: page.data.map((b) => b._id) }, active: true } },
      {
        $group: {
          _id: '$batchId',
          households: { $sum: 1 },
          handedOver: { $sum: { $cond: [{ $eq: ['$status', 'handed_over'] }, 1, 0] } },
        },
      },
    ]);
    for (const row of rows) counts.set(String(row._id), { households: row.households, handedOver: row.handedOver });
  }
  return {
    ...page,
    data: page.data.map((b) => ({
      ...toBatchDto(b),
      ...(counts.get(String(b._id)) ?? { households: 0, handedOver: 0 }),
    })),
  };
}

/** Midnight UTC of the day: `plannedOn` is stored as the picked date at midnight UTC. */
function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

export async function requireBatch(
  id: string,
  actor: Actor,
  session?: ClientSession,
): Promise<DistributionBatchRecord> {
  const batch = Types.ObjectId.isValid(id)
    ? await owned(DistributionBatch, actor)
        .findById(id)
        .session(session ?? null)
        .lean<DistributionBatchRecord>()
    : null;
  if (!batch) throw notFound('Distribution batch', id);
  return batch;
}

function requireOpen(batch: DistributionBatchRecord): void {
  if (batch.status !== 'open') {
    throw new AppError('INVALID_STATE', `Distribution batch ${batch.number} is ${batch.status}`, {
      status: batch.status,
    });
  }
}

export interface AllocateInput {
  householdIds: string[];
}

export interface AllocateResult {
  allocated: AllocationDto[];
  failed: { householdId: string; code: string; message: string; details: unknown }[];
}

/**
 * Allocates to up to 200 recipients of the batch's round in one transaction: each must be enrolled (by this
 * organisation), pass the duplicate re-check, and have no active allocation in the round. Failures are listed per
 * recipient; the others are allocated and their stock reserved.
 */
export async function allocate(batchId: string, input: AllocateInput, actor: Actor): Promise<AllocateResult> {
  const batch = await requireBatch(batchId, actor);
  requireOpen(batch);
  const { programme, round } = await requireRound(String(batch.programmeId), String(batch.roundId), actor);
  const ids = [...new Set(input.householdIds)];
  if (ids.length > MAX_ALLOCATIONS_PER_CALL) {
    throw validationError([
      {
        field: 'householdIds',
        message: `"householdIds" must hold at most ${MAX_ALLOCATIONS_PER_CALL} households per call`,
        type: 'array.max',
      },
    ]);
  }
  const itemIds = round.entitlements.map((e) => e.itemId);
  return onStock(batch.warehouseId, itemIds, () =>
    withTransaction(async (session) => {
      const result: AllocateResult = { allocated: [], failed: [] };
      const objectIds = ids.map((id) => new Types.ObjectId(id));
      // One operation at a time: a transaction's operations may not run concurrently on its session.
      const households = await householdsByIds(objectIds, actor, session);
      const enrolments = await enrolmentsOf(round, objectIds, actor, session);
      const active = await owned(Allocation, actor)
        .find({ roundId: round._id, householdId: { $in: objectIds }, active: true }, { householdId: 1 })
        .session(session)
        .lean();
      const allocatedAlready = new Set(active.map((a) => String(a.householdId)));
      const units = new Map(
        (
          await itemsByIds(
            round.entitlements.map((e) => e.itemId),
            session,
          )
        ).map((item) => [String(item._id), subUnitOf(item.baseUnit)]),
      );
      const allocations: AllocationRecord[] = [];
      const now = new Date();
      for (const id of ids) {
        const household = households.get(id);
        const enrolment = enrolments.get(id);
        // An id that names no household of the organisation refuses the call, as a missing record does anywhere.
        if (!household) throw notFound('Household', id);
        if (!enrolment) {
          result.failed.push({
            householdId: id,
            code: 'NOT_ENROLLED',
            message: `Household ${household.number} is not enrolled in round «${round.name}»`,
            details: {},
          });
          continue;
        }
        if (allocatedAlready.has(id)) {
          result.failed.push({
            householdId: id,
            code: 'ALREADY_ALLOCATED',
            message: `Household ${household.number} already has an allocation in round «${round.name}»`,
            details: {},
          });
          continue;
        }
        try {
          await recheckBeforeAllocation(programme, round, enrolment, household, actor, session);
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== 'DUPLICATE_AID') throw error;
          result.failed.push({ householdId: id, code: error.code, message: error.message, details: error.details });
          continue;
        }
        const allocationId = new Types.ObjectId();
        const lines = [];
        for (const line of entitlementOf(round, enrolment)) {
          const unit = units.get(String(line.itemId)) ?? 'piece';
          const reserved = await reserveUpTo(
            { allocationId, itemId: line.itemId, unit },
            batch.warehouseId,
            line.quantity,
            actor,
            session,
          );
          lines.push({ ...line, unit, entitled: line.quantity, reserved, issued: 0, released: 0 });
        }
        allocations.push({
          _id: allocationId,
          organisationId: batch.organisationId,
          batchId: batch._id,
          programmeId: programme._id,
          roundId: round._id,
          householdId: household._id,
          enrolmentId: enrolment._id,
          warehouseId: batch.warehouseId,
          size: enrolment.size,
          settlement: household.address.settlement,
          lines: lines.map(({ itemId, category, unit, entitled, reserved, issued, released }) => ({
            itemId,
            category,
            unit,
            entitled,
            reserved,
            issued,
            released,
          })),
          status: 'reserved',
          active: true,
          handOverId: null,
          cancelledAt: null,
          cancelReason: null,
          createdBy: ledgerActorOf(actor),
          createdAt: now,
          updatedAt: now,
        });
      }
      if (allocations.length > 0) {
        await owned(Allocation, actor).insertMany(allocations, { session, lean: true });
        await recordAudit(
          {
            actor,
            action: 'allocation.create',
            targetType: 'distribution_batch',
            targetId: batch._id,
            summary: {
              number: batch.number,
              allocated: allocations.length,
              short: allocations.filter((a) => a.lines.some((l) => l.reserved < l.entitled)).length,
              refused: result.failed.length,
            },
          },
          session,
        );
      }
      result.allocated = allocations.map(toAllocationDto);
      return result;
    }),
  );
}

async function releaseAll(allocation: AllocationRecord, actor: Actor, session: ClientSession) {
  const lines = [];
  for (const line of allocation.lines) {
    const released = await releaseLine(
      { allocationId: allocation._id, itemId: line.itemId, unit: line.unit },
      actor,
      session,
    );
    lines.push({ ...line, released: line.released + released });
  }
  return lines;
}

async function requireAllocation(id: string, actor: Actor, session?: ClientSession): Promise<AllocationRecord> {
  const allocation = Types.ObjectId.isValid(id)
    ? await owned(Allocation, actor)
        .findById(id)
        .session(session ?? null)
        .lean<AllocationRecord>()
    : null;
  if (!allocation) throw notFound('Allocation', id);
  return allocation;
}

/** An allocation holds its goods reserved until it is handed over, or cancelled (which releases them). */
const allocationLife = defineLifecycle({
  model: Allocation,
  name: 'Allocation',
  targetType: 'allocation',
  audit: recordAudit,
  transitions: {
    hand_over: { from: ['reserved'], to: 'handed_over' },
    cancel: { from: ['reserved'], to: 'cancelled' },
  },
});

/** A distribution batch takes allocations and hand-overs while open; closing it settles what was not collected. */
const batchLife = defineLifecycle({
  model: DistributionBatch,
  name: 'Distribution batch',
  targetType: 'distribution_batch',
  audit: recordAudit,
  label: (b) => b.number,
  transitions: { close: { from: ['open'], to: 'closed' } },
});

/** The cancel step of one allocation in the caller's transaction: what it still holds goes back to stock. */
function cancelInSession(id: Types.ObjectId, reason: string, actor: Actor, session: ClientSession) {
  return allocationLife.step('cancel', {
    id,
    actor,
    session,
    scope: ownerFilter(actor),
    change: async (allocation) => {
      const lines = await releaseAll(allocation, actor, session);
      const released = lines.reduce((sum, l, i) => sum + l.released - (allocation.lines[i]?.released ?? 0), 0);
      return {
        set: { active: false, lines, cancelledAt: new Date(), cancelReason: reason },
        summary: { reason, released },
      };
    },
  });
}

export async function cancelAllocation(id: string, reason: string, actor: Actor): Promise<AllocationDto> {
  const first = await requireAllocation(id, actor);
  const cancelled = await onStock(
    first.warehouseId,
    first.lines.map((l) => l.itemId),
    () => withTransaction((session) => cancelInSession(first._id, reason, actor, session)),
  );
  return toAllocationDto(cancelled);
}

export interface DueListRow {
  allocationId: string;
  householdId: string;
  householdNumber: string;
  head: string;
  size: number;
  settlement: string;
  status: AllocationRecord['status'];
  lines: AllocationDto['lines'];
  short: boolean;
}

/** What each recipient of the batch is due, what is reserved for it and what is short, by settlement. */
export async function dueList(batchId: string, actor: Actor): Promise<{ batch: BatchDto; rows: DueListRow[] }> {
  const batch = await requireBatch(batchId, actor);
  const allocations = await owned(Allocation, actor)
    .find({ batchId: batch._id, active: true })
    .sort({ settlement: 1, _id: 1 })
    .lean<AllocationRecord[]>();
  const households = await householdsByIds(
    allocations.map((a) => a.householdId),
    actor,
  );
  const rows = allocations.map((a): DueListRow => {
    const household = households.get(String(a.householdId));
    const dto = toAllocationDto(a);
    return {
      allocationId: dto.id,
      householdId: dto.householdId,
      householdNumber: household?.number ?? '',
      head: recipientName(household),
      size: a.size,
      settlement: a.settlement,
      status: a.status,
      lines: dto.lines,
      short: dto.short,
    };
  });
  return { batch: toBatchDto(batch), rows };
}

export function recipientName(household: HouseholdRecord | undefined): string {
  if (!household) return '';
  return household.head?.name ?? household.institution?.name ?? '';
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-overs

export interface HandOverInput {
  outcome: HandOverOutcome;
  /** For 'part': what was received per item (sub-units); 'all' takes what was reserved, 'none' nothing. */
  lines?: { itemId: string; quantity: number }[];
  reason?: string | null;
  receivedBy: { kind: 'head' | 'proxy'; iin: string; name?: string | null };
  proof: { kind: 'paper'; sheet: string } | { kind: 'image'; png: string } | { kind: 'none' };
  handedOverAt?: Date;
}

function decodeSignature(base64: string, field: string): Buffer {
  const png = Buffer.from(base64, 'base64');
  if (png.length > MAX_SIGNATURE_BYTES) {
    throw validationError([
      { field, message: `"${field}" must be at most ${MAX_SIGNATURE_BYTES / 1024} KiB`, type: 'binary.max' },
    ]);
  }
  if (png.length < PNG_MAGIC.length || !png.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) {
    throw validationError([{ field, message: `"${field}" must be a PNG image`, type: 'binary.png' }]);
  }
  return png;
}

/** Checks one hand-over against its allocation and household; errors name fields under `prefix`. */
function checkHandOver(
  input: HandOverInput,
  allocation: AllocationRecord,
  household: HouseholdRecord,
  prefix: string,
): { received: Map<string, number>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const received = new Map<string, number>();
  for (const line of allocation.lines) {
    received.set(String(line.itemId), input.outcome === 'all' ? line.reserved : 0);
  }
  if (input.outcome === 'part') {
    (input.lines ?? []).forEach((line, i) => {
      const allocated = allocation.lines.find((l) => String(l.itemId) === line.itemId);
      if (!allocated) {
        errors.push({
          field: field(`lines[${i}].itemId`),
          message: `"${field(`lines[${i}].itemId`)}" is not allocated to this household`,
          type: 'any.invalid',
        });
      } else if (line.quantity > allocated.reserved) {
        errors.push({
          field: field(`lines[${i}].quantity`),
          message: `"${field(`lines[${i}].quantity`)}" must not exceed the ${allocated.reserved} reserved`,
          type: 'number.max',
        });
      } else received.set(line.itemId, line.quantity);
    });
  }
  if (input.outcome !== 'all' && !input.reason) {
    errors.push({
      field: field('reason'),
      message: `"${field('reason')}" is required when not everything was received`,
      type: 'any.required',
    });
  }
  const { receivedBy } = input;
  if (!isValidIin(receivedBy.iin)) {
    errors.push({
      field: field('receivedBy.iin'),
      message: `"${field('receivedBy.iin')}" is not a valid IIN`,
      type: 'iin.invalid',
    });
  } else if (receivedBy.kind === 'head') {
    const hash = keyedHash(receivedBy.iin, 'iin');
    if (household.kind === 'household' && household.head?.iinHash !== hash) {
      errors.push({
        field: field('receivedBy.iin'),
        message: `"${field('receivedBy.iin')}" is not the IIN of the head of household`,
        type: 'iin.mismatch',
      });
    }
  } else if (!receivedBy.name) {
    errors.push({
      field: field('receivedBy.name'),
      message: `"${field('receivedBy.name')}" is required for a proxy`,
      type: 'any.required',
    });
  }
  if (input.outcome !== 'none' && input.proof.kind === 'none') {
    errors.push({
      field: field('proof'),
      message: `"${field('proof')}" is required when goods were received`,
      type: 'any.required',
    });
  }
  return { received, errors };
}

async function recordOne(
  input: HandOverInput,
  allocation: AllocationRecord,
  household: HouseholdRecord,
  received: Map<string, number>,
  number: string,
  actor: Actor,
  session: ClientSession,
  signature: Buffer | null,
): Promise<HandOverRecord> {
  const handOverId = new Types.ObjectId();
  for (const line of allocation.lines) {
    await issueLine(
      {
        allocationId: allocation._id,
        itemId: line.itemId,
        unit: line.unit,
        number,
        programmeId: allocation.programmeId,
        roundId: allocation.roundId,
      },
      received.get(String(line.itemId)) ?? 0,
      actor,
      session,
    );
  }
  let proof: HandOverRecord['proof'] =
    input.proof.kind === 'paper' ? { kind: 'paper', sheet: input.proof.sheet } : { kind: 'none' };
  if (signature) {
    const signatureId = new Types.ObjectId();
    await owned(Signature, actor).insertMany(
      [
        {
          _id: signatureId,
          handOverId,
          contentType: 'image/png',
          bytes: signature.length,
          sealed: seal(signature.toString('base64'), 'signature'),
          createdAt: new Date(),
        },
      ],
      { session, lean: true },
    );
    proof = { kind: 'image', signatureId };
  }
  const record: HandOverRecord = {
    _id: handOverId,
    organisationId: allocation.organisationId,
    number,
    batchId: allocation.batchId,
    allocationId: allocation._id,
    householdId: household._id,
    roundId: allocation.roundId,
    outcome: input.outcome,
    reason: input.reason ?? null,
    lines: allocation.lines.map((l) => ({
      itemId: l.itemId,
      entitled: l.entitled,
      received: received.get(String(l.itemId)) ?? 0,
    })),
    receivedBy: {
      kind: input.receivedBy.kind,
      name: input.receivedBy.kind === 'head' ? (household.head?.name ?? null) : (input.receivedBy.name ?? null),
      iin: seal(input.receivedBy.iin, 'iin'),
      iinHash: keyedHash(input.receivedBy.iin, 'iin'),
    },
    proof,
    handedOverAt: input.handedOverAt ?? new Date(),
    household: {
      region: household.address.region,
      size: household.size,
      vulnerabilities: [...(household.vulnerabilities ?? [])],
    },
    recordedBy: ledgerActorOf(actor),
    createdAt: new Date(),
  };
  // The unique index on (organisation, allocation) is what makes a second hand-over impossible, even concurrently.
  await owned(HandOver, actor).insertMany([record], { session, lean: true });
  await allocationLife.step('hand_over', {
    id: allocation._id,
    actor,
    session,
    scope: ownerFilter(actor),
    auditAction: 'hand_over.record',
    change: () => ({
      set: {
        handOverId,
        lines: allocation.lines.map((l) => ({ ...l, issued: received.get(String(l.itemId)) ?? 0 })),
      },
      // Counts and kinds only: who received it (a name, an IIN) stays out of the audit log.
      summary: { number, outcome: input.outcome, receivedBy: input.receivedBy.kind, proof: proof.kind },
    }),
  });
  return record;
}

async function loadForHandOver(
  allocationIds: readonly Types.ObjectId[],
  actor: Actor,
  session: ClientSession,
): Promise<{ allocations: Map<string, AllocationRecord>; households: Map<string, HouseholdRecord> }> {
  const found = await owned(Allocation, actor)
    .find({ _id: { $in: allocationIds } })
    .session(session)
    .lean<AllocationRecord[]>();
  const households = await householdsByIds(
    found.map((a) => a.householdId),
    actor,
    session,
  );
  return { allocations: new Map(found.map((a) => [String(a._id), a])), households };
}

function requireReserved(allocation: AllocationRecord | undefined, id: string, field: string): AllocationRecord {
  if (!allocation) throw notFound('Allocation', id);
  if (allocation.status !== 'reserved') {
    throw new AppError(
      'INVALID_STATE',
      `${field ? `${field}: ` : ''}the allocation is ${allocation.status.replace('_', ' ')}; a recipient is served once`,
      { status: allocation.status, allocationId: id },
    );
  }
  return allocation;
}

export async function handOver(allocationId: string, input: HandOverInput, actor: Actor): Promise<HandOverDto> {
  const signature = input.proof.kind === 'image' ? decodeSignature(input.proof.png, 'proof.png') : null;
  const first = await requireAllocation(allocationId, actor);
  const number = await reserveDocumentNumber('HO');
  const record = await onStock(
    first.warehouseId,
    first.lines.map((l) => l.itemId),
    () =>
      withTransaction(async (session) => {
        const id = Types.ObjectId.isValid(allocationId) ? new Types.ObjectId(allocationId) : null;
        const { allocations, households } = await loadForHandOver(id ? [id] : [], actor, session);
        const allocation = requireReserved(allocations.get(allocationId), allocationId, '');
        const household = households.get(String(allocation.householdId));
        if (!household) throw notFound('Allocation', allocationId);
        const { received, errors } = checkHandOver(input, allocation, household, '');
        if (errors.length) throw validationError(errors);
        return recordOne(input, allocation, household, received, number, actor, session, signature);
      }),
  );
  return toHandOverDto(record);
}

/** The items of a batch's round: what its allocations reserve. */
async function batchItems(batch: DistributionBatchRecord, actor: Actor): Promise<Types.ObjectId[]> {
  const { round } = await requireRound(String(batch.programmeId), String(batch.roundId), actor);
  return round.entitlements.map((e) => e.itemId);
}

export interface PaperSheetInput {
  sheet: string;
  handedOverAt?: Date;
  rows: (Omit<HandOverInput, 'proof' | 'handedOverAt'> & { allocationId: string })[];
}

/**
 * Fills in a signed paper distribution list in one call and one transaction: every row becomes a hand-over with
 * proof "signed on paper, sheet N". A bad row stops the whole sheet, with the row named, so that a sheet is either
 * entered or not.
 */
export async function recordPaperSheet(batchId: string, input: PaperSheetInput, actor: Actor) {
  const batch = await requireBatch(batchId, actor);
  const numbers = await Promise.all(input.rows.map(() => reserveDocumentNumber('HO')));
  const itemIds = await batchItems(batch, actor);
  const records = await onStock(batch.warehouseId, itemIds, () =>
    withTransaction(async (session) => {
      const ids = input.rows.map((r) => new Types.ObjectId(r.allocationId));
      const { allocations, households } = await loadForHandOver(ids, actor, session);
      const errors: FieldError[] = [];
      const checked = input.rows.map((row, i) => {
        const allocation = allocations.get(row.allocationId);
        if (!allocation?.batchId.equals(batch._id)) {
          errors.push({
            field: `rows[${i}].allocationId`,
            message: `"rows[${i}].allocationId" is not an allocation of this batch`,
            type: 'any.invalid',
          });
          return null;
        }
        const household = households.get(String(allocation.householdId));
        if (!household) return null;
        const { received, errors: rowErrors } = checkHandOver(
          { ...row, proof: { kind: 'paper', sheet: input.sheet } },
          requireReserved(allocation, row.allocationId, `rows[${i}]`),
          household,
          `rows[${i}]`,
        );
        errors.push(...rowErrors);
        return { row, allocation, household, received };
      });
      if (errors.length) throw validationError(errors);
      const saved: HandOverRecord[] = [];
      for (const [i, entry] of checked.entries()) {
        if (!entry) continue;
        saved.push(
          await recordOne(
            { ...entry.row, proof: { kind: 'paper', sheet: input.sheet }, handedOverAt: input.handedOverAt },
            entry.allocation,
            entry.household,
            entry.received,
            numbers[i] as string,
            actor,
            session,
            null,
          ),
        );
      }
      await recordAudit(
        {
          actor,
          action: 'hand_over.paper_sheet',
          targetType: 'distribution_batch',
          targetId: batch._id,
          summary: { number: batch.number, sheet: input.sheet, rows: saved.length },
        },
        session,
      );
      return saved;
    }),
  );
  return { sheet: input.sheet, recorded: records.map(toHandOverDto) };
}

// ---------------------------------------------------------------------------------------------------------------
// Reconciliation and closing

export interface ReconciliationLine {
  itemId: string;
  entitled: number;
  reserved: number;
  distributed: number;
  /** Reserved and not distributed: what closing releases or keeps. */
  remaining: number;
}

export interface Reconciliation {
  batch: BatchDto;
  households: { allocated: number; served: number; notServed: number; short: number };
  lines: ReconciliationLine[];
}

/** Dispatched (reserved for the site) against distributed, per item. */
export async function reconcile(batchId: string, actor: Actor): Promise<Reconciliation> {
  const batch = await requireBatch(batchId, actor);
  const allocations = await owned(Allocation, actor)
    .find({ batchId: batch._id, status: { $ne: 'cancelled' } })
    .lean<AllocationRecord[]>();
  const byItem = new Map<string, ReconciliationLine>();
  for (const allocation of allocations) {
    for (const line of allocation.lines) {
      const key = String(line.itemId);
      const total = byItem.get(key) ?? { itemId: key, entitled: 0, reserved: 0, distributed: 0, remaining: 0 };
      total.entitled += line.entitled;
      total.reserved += line.reserved;
      total.distributed += line.issued;
      total.remaining += line.reserved - line.issued - line.released;
      byItem.set(key, total);
    }
  }
  const served = allocations.filter((a) => a.status === 'handed_over').length;
  return {
    batch: toBatchDto(batch),
    households: {
      allocated: allocations.length,
      served,
      notServed: allocations.length - served,
      short: allocations.filter((a) => a.lines.some((l) => l.reserved < l.entitled)).length,
    },
    lines: [...byItem.values()],
  };
}

/**
 * Closes the batch after the distribution day. `release`: what recipients did not take goes back to available stock
 * (their allocations end; a recipient who did not come can be allocated again in a later batch). `keep`: the batch
 * stays reservable for a later day; nothing is released and the batch remains open.
 */
export async function closeBatch(batchId: string, rest: 'release' | 'keep', actor: Actor): Promise<Reconciliation> {
  const batch = await requireBatch(batchId, actor);
  requireOpen(batch);
  if (rest === 'keep') return reconcile(batchId, actor);
  await onStock(batch.warehouseId, await batchItems(batch, actor), () =>
    withTransaction(async (session) => {
      const allocations = await owned(Allocation, actor)
        .find({ batchId: batch._id, status: { $ne: 'cancelled' } })
        .session(session)
        .lean<AllocationRecord[]>();
      let released = 0;
      for (const allocation of allocations) {
        if (allocation.status === 'reserved') {
          // Not collected: the allocation ends, and the recipient can be allocated again in a later batch.
          const cancelled = await cancelInSession(allocation._id, 'not collected', actor, session);
          released += cancelled.lines.reduce((sum, l, i) => sum + l.released - (allocation.lines[i]?.released ?? 0), 0);
          continue;
        }
        // Handed over in part: what the recipient did not take goes back to stock; the hand-over stands.
        const lines = await releaseAll(allocation, actor, session);
        released += lines.reduce((sum, l, i) => sum + l.released - (allocation.lines[i]?.released ?? 0), 0);
        await owned(Allocation, actor).updateOne(
          { _id: allocation._id, status: allocation.status },
          { $set: { lines } },
          { session },
        );
      }
      await batchLife.step('close', {
        id: batch._id,
        actor,
        session,
        scope: ownerFilter(actor),
        change: () => ({
          set: { rest: 'released', closedAt: new Date() },
          summary: { number: batch.number, released },
        }),
      });
    }),
  );
  return reconcile(batchId, actor);
}

/**
 * Closes, releasing what was not collected, every open day of the actor's organisation whose hold has ended (the
 * `allocations-expiry` job). Days planned before holds existed hold for ALLOCATION_HOLD_DAYS after their day.
 * Each close is the same audited step a coordinator takes. Answers the numbers of the days closed.
 */
export async function releaseExpiredAllocations(actor: Actor, now = new Date()): Promise<{ closed: string[] }> {
  const legacyEnd = new Date(now.getTime() - (ALLOCATION_HOLD_DAYS + 1) * DAY_MS);
  const expired = await owned(DistributionBatch, actor)
    .find({
      status: 'open',
      $or: [{ holdUntil: { $lte: now } }, { holdUntil: null, plannedOn: { $lte: legacyEnd } }],
    })
    .lean<DistributionBatchRecord[]>();
  const closed: string[] = [];
  for (const batch of expired) {
    try {
      await closeBatch(String(batch._id), 'release', actor);
      closed.push(batch.number);
    } catch (error) {
      // A coordinator closed it meanwhile: nothing is left to release.
      if (!(error instanceof AppError && error.code === 'INVALID_STATE')) throw error;
    }
  }
  return { closed };
}

// ---------------------------------------------------------------------------------------------------------------
// The household's side: what it received (subject access) and erasure

export async function handOversOfHousehold(household: { id: string }, actor: Actor) {
  const found = await owned(HandOver, actor)
    .find({ householdId: new Types.ObjectId(household.id) })
    .sort({ handedOverAt: 1 })
    .lean<HandOverRecord[]>();
  return found.map(toHandOverDto);
}

/** Erasure hook: hand-overs keep their quantities and lose their people (proxy name and IIN, signature image). */
export async function anonymiseHandOvers(
  household: ErasedHousehold,
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  const handOvers = owned(HandOver, actor);
  const found = await handOvers.find({ householdId: household._id }, { _id: 1 }).session(session).lean();
  await handOvers.updateMany(
    { householdId: household._id },
    { $set: { 'receivedBy.name': null, 'receivedBy.iin': null, 'receivedBy.iinHash': null } },
    { session },
  );
  // The image is the person's mark: it goes; the hand-over keeps that it was signed on screen.
  await owned(Signature, actor).updateMany(
    { handOverId: { $in: found.map((h) => h._id) } },
    { $set: { sealed: null, bytes: 0, erasedAt: new Date() } },
    { session },
  );
}

export async function requireHandOver(id: string, actor: Actor): Promise<HandOverRecord> {
  const found = Types.ObjectId.isValid(id) ? await owned(HandOver, actor).findById(id).lean<HandOverRecord>() : null;
  if (!found) throw notFound('Hand-over', id);
  return found;
}

export async function signatureImage(handOver: HandOverRecord, actor: Actor): Promise<Buffer | null> {
  if (handOver.proof.kind !== 'image') return null;
  const found = await owned(Signature, actor).findOne({ handOverId: handOver._id }).lean();
  if (!found?.sealed) return null;
  return Buffer.from(open(found.sealed, 'signature'), 'base64');
}

/**
 * The programme and round of an organisation's allocations, by id (what the outflow reports count hand-overs by when
 * they read the ledger; ids that are not the organisation's allocations are left out).
 */
export async function programmeRoundsOf(
  organisationId: string | Types.ObjectId,
  allocationIds: readonly string[],
): Promise<Map<string, { programmeId: Types.ObjectId; roundId: Types.ObjectId }>> {
  const ids = [...new Set(allocationIds)]
    .filter((id) => Types.ObjectId.isValid(id))
    .map((id) => new Types.ObjectId(id));
  if (ids.length === 0) return new Map();
  const found = await owned(Allocation, organisationActor(String(organisationId)))
    .find({ _id: { $in: ids } }, { programmeId: 1, roundId: 1 })
    .lean<Pick<AllocationRecord, '_id' | 'programmeId' | 'roundId'>[]>();
  return new Map(found.map((a) => [String(a._id), { programmeId: a.programmeId, roundId: a.roundId }]));
}
