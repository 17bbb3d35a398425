/**
 * Requests for goods from NGOs and institutions: submit, decide (approve fully or partly, or reject), fulfil by an
 * allocation batch (what its hand-overs issued counts as delivered) or by a shipment (with its delivered
 * quantities), and show what was delivered. Owns `aid_requests`.
 *
 * Who serves a request: for a programme, its lead organisation (the headquarters that runs it serves the NGOs that
 * take part); otherwise the requester itself, from its own warehouses. The serving side reads and decides the request
 * through the declared `servingOrganisationId` path; nobody else sees it.
 */
import { type QueryFilter, Types } from 'mongoose';
import { AppError, type FieldError, notFound, validationError } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import { defineLifecycle, guardedChange } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { organisationOf, owned, ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { requireItems, subUnitOf, toSubUnits } from '../catalog';
import { requireHousehold } from '../households';
import { reserveDocumentNumber } from '../numbering';
import { requireProgramme } from '../programmes';
import { loadOwnShipment } from '../shipments';
import { ledgerActorOf } from '../stock';
import { requireWarehouse } from '../warehouses';
import { AidRequest, type AidRequestRecord, type RequestStatus } from './aid-requests.model';
import { Allocation, type AllocationRecord } from './distributions.model';
import { requireBatch } from './distributions.service';

export interface AidRequestInput {
  /** One of the requester's own warehouses, when it serves itself; otherwise the serving side names it on deciding. */
  warehouseId?: string | null;
  programmeId?: string | null;
  institutionId?: string | null;
  purpose: string;
  neededBy: Date;
  lines: { itemId: string; quantity: number | string; unit?: string }[];
}

export interface AidRequestDto {
  id: string;
  number: string;
  organisationId: string;
  servingOrganisationId: string | null;
  warehouseId: string | null;
  programmeId: string | null;
  institutionId: string | null;
  purpose: string;
  neededBy: Date;
  status: RequestStatus;
  lines: {
    itemId: string;
    unit: string;
    requested: number;
    approved: number | null;
    delivered: number;
    outstanding: number;
  }[];
  decision: { by: string; at: Date; note: string | null } | null;
  fulfilments: { kind: string; id: string; at: Date }[];
  createdAt: Date;
}

function toDto(r: AidRequestRecord): AidRequestDto {
  return {
    id: String(r._id),
    number: r.number,
    organisationId: String(r.organisationId),
    servingOrganisationId: r.servingOrganisationId ? String(r.servingOrganisationId) : null,
    warehouseId: r.warehouseId ? String(r.warehouseId) : null,
    programmeId: r.programmeId ? String(r.programmeId) : null,
    institutionId: r.institutionId ? String(r.institutionId) : null,
    purpose: r.purpose,
    neededBy: r.neededBy,
    status: r.status,
    lines: r.lines.map((l) => ({
      itemId: String(l.itemId),
      unit: l.unit,
      requested: l.requested,
      approved: l.approved,
      delivered: l.delivered,
      outstanding: Math.max(0, (l.approved ?? 0) - l.delivered),
    })),
    decision: r.decision ? { by: r.decision.by.name, at: r.decision.at, note: r.decision.note } : null,
    fulfilments: r.fulfilments.map((f) => ({ kind: f.kind, id: String(f.id), at: f.at })),
    createdAt: r.createdAt,
  };
}

/** The requester's own requests and those addressed to the actor's organisation (the declared path). */
function visible(actor: Actor) {
  return owned(AidRequest, actor).addressed('servingOrganisationId');
}

async function requireRequest(id: string, actor: Actor): Promise<AidRequestRecord> {
  const found = Types.ObjectId.isValid(id) ? await visible(actor).findById(id).lean<AidRequestRecord>() : null;
  if (!found) throw notFound('Aid request', id);
  return found;
}

/** Only the serving side decides and ships; only the requester links its own allocation batches. */
function requireServing(request: AidRequestRecord, actor: Actor): void {
  if (String(request.servingOrganisationId) !== String(organisationOf(actor))) {
    throw new AppError('FORBIDDEN', 'Only the organisation that serves the request decides it', {
      id: String(request._id),
    });
  }
}

const REQUEST_CHANGES = {
  model: AidRequest,
  name: 'Aid request',
  targetType: 'aid_request',
  audit: recordAudit,
  label: (r: AidRequestRecord) => r.number,
};

/**
 * A request is decided once by the serving organisation (approved, approved in part, or rejected), then delivered
 * until it is fulfilled. A delivery that does not complete it keeps its state (a guarded change, not a transition).
 */
const requestLife = defineLifecycle({
  ...REQUEST_CHANGES,
  transitions: {
    approve: { from: ['submitted'], to: 'approved' },
    approve_partly: { from: ['submitted'], to: 'partly_approved' },
    reject: { from: ['submitted'], to: 'rejected' },
    fulfil: { from: ['approved', 'partly_approved'], to: 'fulfilled' },
    // A delivery beyond what completed the request (more of a shipment arrived): recorded, still fulfilled.
    deliver: { from: ['approved', 'partly_approved', 'fulfilled'], to: 'fulfilled' },
  },
});

export async function submitRequest(input: AidRequestInput, actor: Actor): Promise<AidRequestDto> {
  const requests = owned(AidRequest, actor);
  const { organisationId } = requests;
  // A request within a programme is served by the programme's lead; any other by the requester's own warehouses.
  const programme = input.programmeId ? await requireProgramme(input.programmeId, actor) : null;
  const servingOrganisationId = programme?.organisationId ?? organisationId;
  if (input.warehouseId && !servingOrganisationId.equals(organisationId)) {
    throw validationError([
      {
        field: 'warehouseId',
        message: '"warehouseId" is chosen by the programme\'s lead organisation, which serves the request',
        type: 'any.invalid',
      },
    ]);
  }
  const warehouse = input.warehouseId ? await requireWarehouse(actor, input.warehouseId, 'warehouseId') : null;
  if (input.institutionId) {
    const institution = await requireHousehold(input.institutionId, actor);
    if (institution.kind !== 'institution') {
      throw validationError([
        { field: 'institutionId', message: '"institutionId" is not an institution', type: 'any.invalid' },
      ]);
    }
  }
  const items = await requireItems(input.lines.map((l, i) => ({ itemId: l.itemId, field: `lines[${i}].itemId` })));
  const lines = input.lines.map((line, i) => {
    const item = items.get(line.itemId);
    if (!item) throw new Error('requireItems returned without the item');
    return {
      itemId: item._id,
      unit: subUnitOf(item.baseUnit),
      requested: toSubUnits(item, line.quantity, line.unit, `lines[${i}].quantity`),
      approved: null,
      delivered: 0,
    };
  });
  const number = await reserveDocumentNumber('RQ');
  const now = new Date();
  const record: AidRequestRecord = {
    _id: new Types.ObjectId(),
    organisationId,
    servingOrganisationId,
    number,
    warehouseId: warehouse?._id ?? null,
    programmeId: input.programmeId ? new Types.ObjectId(input.programmeId) : null,
    institutionId: input.institutionId ? new Types.ObjectId(input.institutionId) : null,
    purpose: input.purpose,
    neededBy: input.neededBy,
    lines,
    status: 'submitted',
    decision: null,
    fulfilments: [],
    createdBy: ledgerActorOf(actor),
    createdAt: now,
    updatedAt: now,
  };
  await withTransaction(async (session) => {
    await requests.insertMany([record], { session, lean: true });
    await recordAudit(
      {
        actor,
        action: 'aid_request.submit',
        targetType: 'aid_request',
        targetId: record._id,
        summary: { number, lines: lines.length },
      },
      session,
    );
  });
  return toDto(record);
}

export interface DecisionInput {
  /** The serving organisation's warehouse that will supply it (required when the request names none). */
  warehouseId?: string;
  lines: { itemId: string; approved: number }[];
  note?: string | null;
}

/** Approves each line fully or partly (0 rejects it); every line must be decided. */
export async function decideRequest(id: string, input: DecisionInput, actor: Actor): Promise<AidRequestDto> {
  const request = await requireRequest(id, actor);
  requireServing(request, actor);
  requestLife.assertAllowed(request, 'approve');
  const errors: FieldError[] = [];
  if (!request.warehouseId && !input.warehouseId) {
    errors.push({
      field: 'warehouseId',
      message: '"warehouseId" is required: the request names no warehouse',
      type: 'any.required',
    });
  }
  const warehouse = input.warehouseId ? await requireWarehouse(actor, input.warehouseId, 'warehouseId') : null;
  const approved = new Map(input.lines.map((l) => [l.itemId, l.approved]));
  const lines = request.lines.map((line, i) => {
    const value = approved.get(String(line.itemId));
    if (value === undefined)
      errors.push({ field: 'lines', message: `"lines" must decide item ${String(line.itemId)}`, type: 'any.required' });
    else if (value > line.requested)
      errors.push({
        field: `lines[${i}].approved`,
        message: `"lines[${i}].approved" must not exceed the ${line.requested} requested`,
        type: 'number.max',
      });
    return { ...line, approved: value ?? 0 };
  });
  if (errors.length) throw validationError(errors);
  const total = lines.reduce((sum, l) => sum + (l.approved ?? 0), 0);
  const action = total === 0 ? 'reject' : lines.every((l) => l.approved === l.requested) ? 'approve' : 'approve_partly';
  const after = await withTransaction((session) =>
    requestLife.step(action, {
      id: request._id,
      actor,
      session,
      // The serving organisation decides a request addressed to it (the declared path), never another's.
      scope: { servingOrganisationId: organisationOf(actor) },
      auditAction: 'aid_request.decide',
      change: () => ({
        set: {
          lines,
          ...(warehouse ? { warehouseId: warehouse._id } : {}),
          decision: { by: ledgerActorOf(actor), at: new Date(), note: input.note ?? null },
        },
        summary: { number: request.number },
      }),
    }),
  );
  return toDto(after);
}

export type FulfilmentInput =
  | { kind: 'allocation_batch'; id: string }
  | { kind: 'shipment'; id: string; delivered: { itemId: string; quantity: number }[] };

/**
 * Records a fulfilment. An allocation batch of the requester counts what its hand-overs issued of the request's
 * items; a shipment (recorded by the serving side) counts the quantities given, as received.
 */
export async function fulfilRequest(id: string, input: FulfilmentInput, actor: Actor): Promise<AidRequestDto> {
  const request = await requireRequest(id, actor);
  requestLife.assertAllowed(request, 'deliver');
  if (request.fulfilments.some((f) => f.kind === input.kind && String(f.id) === input.id)) {
    throw new AppError(
      'CONFLICT',
      `This ${input.kind.replace('_', ' ')} is already recorded against request ${request.number}`,
      { id: input.id },
    );
  }
  let delivered: { itemId: Types.ObjectId; quantity: number }[];
  if (input.kind === 'allocation_batch') {
    if (String(request.organisationId) !== String(organisationOf(actor))) {
      throw new AppError('FORBIDDEN', 'Only the requesting organisation links its allocations', {});
    }
    const batch = await requireBatch(input.id, actor);
    const allocations = await owned(Allocation, actor)
      .find({ batchId: batch._id, status: 'handed_over' })
      .lean<AllocationRecord[]>();
    delivered = request.lines.map((line) => ({
      itemId: line.itemId,
      quantity: allocations
        .flatMap((a) => a.lines)
        .filter((l) => l.itemId.equals(line.itemId))
        .reduce((sum, l) => sum + l.issued, 0),
    }));
  } else {
    requireServing(request, actor);
    // The shipment is the serving organisation's own: another's is answered as a missing one.
    await loadOwnShipment(input.id, actor);
    delivered = input.delivered.map((d) => ({ itemId: new Types.ObjectId(d.itemId), quantity: d.quantity }));
  }
  const lines = request.lines.map((line) => ({
    ...line,
    delivered:
      line.delivered + delivered.filter((d) => d.itemId.equals(line.itemId)).reduce((s, d) => s + d.quantity, 0),
  }));
  const complete = lines.every((l) => l.delivered >= (l.approved ?? 0));
  const scope =
    input.kind === 'allocation_batch' ? ownerFilter(actor) : { servingOrganisationId: organisationOf(actor) };
  const change = () => ({
    set: { lines },
    operators: {
      $push: {
        fulfilments: {
          kind: input.kind,
          id: new Types.ObjectId(input.id),
          delivered,
          at: new Date(),
          by: ledgerActorOf(actor),
        },
      },
    },
    // Two fulfilments recorded at once would each count from the same lines: the second retries.
    guard: { updatedAt: request.updatedAt },
    summary: { number: request.number, kind: input.kind },
  });
  const after = await withTransaction((session) =>
    complete
      ? requestLife.step(request.status === 'fulfilled' ? 'deliver' : 'fulfil', {
          id: request._id,
          actor,
          session,
          scope,
          auditAction: 'aid_request.fulfil',
          change,
        })
      : guardedChange(REQUEST_CHANGES, {
          id: request._id,
          actor,
          session,
          scope,
          action: 'aid_request.deliver',
          change,
        }),
  );
  return toDto(after);
}

export async function getRequest(id: string, actor: Actor): Promise<AidRequestDto> {
  return toDto(await requireRequest(id, actor));
}

export async function listRequests(
  query: PageRequest & { status?: RequestStatus },
  actor: Actor,
): Promise<Page<AidRequestDto>> {
  const filter: QueryFilter<AidRequestRecord> = {};
  if (query.status) filter.status = query.status;
  const page = await visible(actor).paginate(filter, query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toDto) };
}
