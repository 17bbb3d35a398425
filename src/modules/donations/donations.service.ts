/**
 * Donations intake: drafts, receiving (which posts stock through the stock service in the same transaction),
 * cancelling and reversing. Owns the `donations` collection.
 */
import { randomBytes } from 'node:crypto';
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { withTransaction } from '../../db/transaction';
import { AppError, notFound } from '../../http/app-error';
import { type Page, type PageRequest, paginate } from '../../http/joi-rules';
import type { Actor } from '../access/permissions';
import { recordAudit } from '../audit/audit.service';
import { type ItemRecord, requireItems } from '../catalog/catalog.service';
import {
  canonicalUnit,
  decimalToScaledInteger,
  formatDecimal,
  formatRatio,
  parseDecimal,
  subUnitOf,
  toSubUnits,
} from '../catalog/units';
import { requireDonor } from '../donors/donors.service';
import { nextDocumentNumber } from '../numbering/numbering.service';
import * as stock from '../stock/stock.service';
import { requireLocation, requireWarehouse } from '../warehouses/warehouses.service';
import {
  type Currency,
  Donation,
  type DonationLine,
  type DonationRecord,
  type DonationStatus,
  type LineCondition,
} from './donations.model';

export interface DonationLineInput {
  itemId: string;
  quantity: string | number;
  unit?: string;
  condition: LineCondition;
  lot?: string | null;
  expiryDate?: Date | null;
  estimatedValue?: { amount: string | number; currency: Currency } | null;
  locationCode?: string | null;
}

export interface DonationInput {
  donorId: string;
  warehouseId: string;
  receivedAt?: Date;
  lines: DonationLineInput[];
  notes?: string | null;
  receive?: boolean;
}

export type DonationUpdate = Partial<Omit<DonationInput, 'receive'>>;

export interface DonationQuery extends PageRequest {
  status?: DonationStatus;
  donorId?: string;
  warehouseId?: string;
  number?: string;
  from?: Date;
  to?: Date;
}

export interface DonationLineDto {
  itemId: string;
  quantity: string;
  unit: string;
  /** Integer sub-units posted to stock. */
  baseQuantity: number;
  subUnit: string;
  condition: LineCondition;
  lot: string | null;
  expiryDate: Date | null;
  locationCode: string | null;
  estimatedValue: { amount: string; currency: Currency } | null;
}

export interface DonationDto {
  id: string;
  number: string;
  status: DonationStatus;
  donorId: string;
  warehouseId: string;
  organisationId: string | null;
  receivedAt: Date;
  lines: DonationLineDto[];
  notes: string | null;
  verificationRef: string;
  createdBy: { kind: string; id: string; name: string };
  receivedBy: { kind: string; id: string; name: string } | null;
  postedAt: Date | null;
  receiptOperationId: string | null;
  reversalOperationId: string | null;
  reversedAt: Date | null;
  reversalReason: string | null;
  cancelledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toDonationDto(d: DonationRecord): DonationDto {
  return {
    id: String(d._id),
    number: d.number,
    status: d.status,
    donorId: String(d.donorId),
    warehouseId: String(d.warehouseId),
    organisationId: d.organisationId ? String(d.organisationId) : null,
    receivedAt: d.receivedAt,
    lines: d.lines.map((l) => ({
      itemId: String(l.itemId),
      quantity: l.enteredQuantity,
      unit: l.enteredUnit,
      baseQuantity: l.quantity,
      subUnit: l.unit,
      condition: l.condition,
      lot: l.lot ?? null,
      expiryDate: l.expiryDate ?? null,
      locationCode: l.locationCode ?? null,
      estimatedValue: l.estimatedValue
        ? { amount: formatMinor(l.estimatedValue.amountMinor), currency: l.estimatedValue.currency }
        : null,
    })),
    notes: d.notes ?? null,
    verificationRef: d.verificationRef,
    createdBy: d.createdBy,
    receivedBy: d.receivedBy ?? null,
    postedAt: d.postedAt ?? null,
    receiptOperationId: d.receiptOperationId ? String(d.receiptOperationId) : null,
    reversalOperationId: d.reversalOperationId ? String(d.reversalOperationId) : null,
    reversedAt: d.reversedAt ?? null,
    reversalReason: d.reversalReason ?? null,
    cancelledAt: d.cancelledAt ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Minor units → '1500.50'. */
export function formatMinor(amountMinor: number): string {
  const text = formatRatio(amountMinor, 100);
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/** Checks references and converts every line exactly; errors name the request field (`lines[2].quantity`). */
async function buildLines(
  warehouseId: string,
  lines: DonationLineInput[],
  session: ClientSession,
): Promise<DonationLine[]> {
  const warehouse = await requireWarehouse(warehouseId, 'warehouseId', session);
  const items = await requireItems(
    lines.map((line, i) => ({ itemId: line.itemId, field: `lines[${i}].itemId` })),
    session,
  );
  return lines.map((line, i) => {
    const prefix = `lines[${i}]`;
    const item = items.get(line.itemId) as ItemRecord;
    const unit = canonicalUnit(line.unit ?? item.baseUnit);
    const quantity = toSubUnits(item, line.quantity, unit, `${prefix}.quantity`);
    stock.checkTracking(item, line, prefix);
    return {
      itemId: item._id,
      enteredQuantity: formatDecimal(parseDecimal(line.quantity, `${prefix}.quantity`)),
      enteredUnit: unit,
      quantity,
      unit: subUnitOf(item.baseUnit),
      condition: line.condition ?? 'new',
      lot: line.lot ?? null,
      expiryDate: line.expiryDate ?? null,
      locationCode: requireLocation(warehouse, line.locationCode, `${prefix}.locationCode`),
      estimatedValue: line.estimatedValue
        ? {
            amountMinor: decimalToScaledInteger(line.estimatedValue.amount, 2, `${prefix}.estimatedValue.amount`),
            currency: line.estimatedValue.currency,
          }
        : null,
    };
  });
}

/** Creates a draft (or, with `receive: true`, creates and receives it in the same transaction). */
export async function createDonation(input: DonationInput, actor: Actor): Promise<DonationDto> {
  const created = await withTransaction(async (session) => {
    await requireDonor(input.donorId, 'donorId', session);
    const lines = await buildLines(input.warehouseId, input.lines, session);
    const number = await nextDocumentNumber('DN', session);
    const [donation] = await Donation.create(
      [
        {
          number,
          status: 'draft',
          donorId: new Types.ObjectId(input.donorId),
          warehouseId: new Types.ObjectId(input.warehouseId),
          organisationId: actor.organisationId ? new Types.ObjectId(actor.organisationId) : null,
          receivedAt: input.receivedAt ?? new Date(),
          lines,
          notes: input.notes || null,
          verificationRef: randomBytes(8).toString('hex').toUpperCase(),
          createdBy: stock.ledgerActorOf(actor),
        },
      ],
      { session },
    );
    await recordAudit(
      {
        actor,
        action: 'donation.create',
        targetType: 'donation',
        targetId: donation._id,
        summary: { number, lines: lines.length },
      },
      session,
    );
    const record = donation.toObject() as DonationRecord;
    return input.receive ? receiveIn(record, actor, session) : record;
  });
  return toDonationDto(created);
}

async function draft(id: string, session: ClientSession): Promise<DonationRecord> {
  const donation = await Donation.findById(id).session(session).lean<DonationRecord>();
  if (!donation) throw notFound('Donation', id);
  if (donation.status !== 'draft') {
    throw new AppError(
      'INVALID_STATE',
      `Donation ${donation.number} is ${donation.status}; only drafts change (a received donation is reversed)`,
      {
        status: donation.status,
      },
    );
  }
  return donation;
}

export async function updateDonation(id: string, input: DonationUpdate, actor: Actor): Promise<DonationDto> {
  const updated = await withTransaction(async (session) => {
    const before = await draft(id, session);
    const set: Record<string, unknown> = {};
    if (input.donorId !== undefined) {
      await requireDonor(input.donorId, 'donorId', session);
      set.donorId = new Types.ObjectId(input.donorId);
    }
    if (input.warehouseId !== undefined) set.warehouseId = new Types.ObjectId(input.warehouseId);
    if (input.receivedAt !== undefined) set.receivedAt = input.receivedAt;
    if (input.notes !== undefined) set.notes = input.notes || null;
    if (input.lines !== undefined || input.warehouseId !== undefined) {
      const warehouseId = input.warehouseId ?? String(before.warehouseId);
      const lines = input.lines ?? before.lines.map(lineInputOf);
      set.lines = await buildLines(warehouseId, lines, session);
    }
    const after = await Donation.findOneAndUpdate(
      { _id: before._id, status: 'draft' },
      { $set: set },
      { session, returnDocument: 'after' },
    ).lean<DonationRecord>();
    if (!after) throw new AppError('CONFLICT', `Donation ${before.number} changed meanwhile; retry`, { id });
    await recordAudit(
      {
        actor,
        action: 'donation.update',
        targetType: 'donation',
        targetId: before._id,
        summary: { changed: Object.keys(set) },
      },
      session,
    );
    return after;
  });
  return toDonationDto(updated);
}

function lineInputOf(line: DonationLine): DonationLineInput {
  return {
    itemId: String(line.itemId),
    quantity: line.enteredQuantity,
    unit: line.enteredUnit,
    condition: line.condition,
    lot: line.lot,
    expiryDate: line.expiryDate,
    locationCode: line.locationCode,
    estimatedValue: line.estimatedValue
      ? { amount: formatMinor(line.estimatedValue.amountMinor), currency: line.estimatedValue.currency }
      : null,
  };
}

/** Receives a draft: posts every line to stock, marks the donation received, audits; one transaction. */
export async function receiveDonation(id: string, actor: Actor): Promise<DonationDto> {
  const received = await withTransaction(async (session) => receiveIn(await draft(id, session), actor, session));
  return toDonationDto(received);
}

async function receiveIn(donation: DonationRecord, actor: Actor, session: ClientSession): Promise<DonationRecord> {
  const posted = await stock.receive(
    {
      warehouseId: String(donation.warehouseId),
      source: { type: 'donation', id: String(donation._id), number: donation.number },
      lines: donation.lines.map((l) => ({
        itemId: String(l.itemId),
        quantity: l.quantity,
        unit: l.unit,
        locationCode: l.locationCode,
        lot: l.lot,
        expiryDate: l.expiryDate,
        condition: l.condition,
      })),
    },
    actor,
    session,
  );
  const after = await Donation.findOneAndUpdate(
    { _id: donation._id, status: 'draft' },
    {
      $set: {
        status: 'received',
        receivedBy: stock.ledgerActorOf(actor),
        postedAt: new Date(),
        receiptOperationId: new Types.ObjectId(posted.operationId),
      },
    },
    { session, returnDocument: 'after' },
  ).lean<DonationRecord>();
  if (!after)
    throw new AppError('INVALID_STATE', `Donation ${donation.number} is no longer a draft`, {
      id: String(donation._id),
    });
  await recordAudit(
    {
      actor,
      action: 'donation.receive',
      targetType: 'donation',
      targetId: donation._id,
      summary: { number: donation.number, operationId: posted.operationId },
    },
    session,
  );
  return after;
}

export async function cancelDonation(id: string, actor: Actor): Promise<DonationDto> {
  const cancelled = await withTransaction(async (session) => {
    const before = await draft(id, session);
    const after = await Donation.findOneAndUpdate(
      { _id: before._id, status: 'draft' },
      { $set: { status: 'cancelled', cancelledAt: new Date() } },
      { session, returnDocument: 'after' },
    ).lean<DonationRecord>();
    if (!after) throw new AppError('CONFLICT', `Donation ${before.number} changed meanwhile; retry`, { id });
    await recordAudit(
      {
        actor,
        action: 'donation.cancel',
        targetType: 'donation',
        targetId: before._id,
        summary: { number: before.number },
      },
      session,
    );
    return after;
  });
  return toDonationDto(cancelled);
}

/** Reverses a received donation: reversing ledger entries for every line (INSUFFICIENT_STOCK if goods already left). */
export async function reverseDonation(id: string, input: { reason: string }, actor: Actor): Promise<DonationDto> {
  const reversed = await withTransaction(async (session) => {
    const donation = await Donation.findById(id).session(session).lean<DonationRecord>();
    if (!donation) throw notFound('Donation', id);
    if (donation.status !== 'received' || !donation.receiptOperationId) {
      throw new AppError(
        'INVALID_STATE',
        `Donation ${donation.number} is ${donation.status}; only received donations are reversed`,
        { status: donation.status },
      );
    }
    const reversal = await stock.reverseOperation(
      donation.receiptOperationId,
      { reason: input.reason },
      actor,
      session,
    );
    const after = await Donation.findOneAndUpdate(
      { _id: donation._id, status: 'received' },
      {
        $set: {
          status: 'reversed',
          reversedAt: new Date(),
          reversalReason: input.reason,
          reversalOperationId: new Types.ObjectId(reversal.operationId),
        },
      },
      { session, returnDocument: 'after' },
    ).lean<DonationRecord>();
    if (!after) throw new AppError('CONFLICT', `Donation ${donation.number} changed meanwhile; retry`, { id });
    await recordAudit(
      {
        actor,
        action: 'donation.reverse',
        targetType: 'donation',
        targetId: donation._id,
        summary: { number: donation.number, reason: input.reason },
      },
      session,
    );
    return after;
  });
  return toDonationDto(reversed);
}

export async function getDonationRecord(id: string): Promise<DonationRecord> {
  const donation = await Donation.findById(id).lean<DonationRecord>();
  if (!donation) throw notFound('Donation', id);
  return donation;
}

export async function getDonation(id: string): Promise<DonationDto> {
  return toDonationDto(await getDonationRecord(id));
}

export async function listDonations(query: DonationQuery): Promise<Page<DonationDto>> {
  const filter: QueryFilter<DonationRecord> = {};
  if (query.status) filter.status = query.status;
  if (query.donorId) filter.donorId = new Types.ObjectId(query.donorId);
  if (query.warehouseId) filter.warehouseId = new Types.ObjectId(query.warehouseId);
  if (query.number) filter.number = query.number;
  if (query.from || query.to)
    filter.receivedAt = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
  const page = await paginate(Donation, filter, query, { receivedAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toDonationDto) };
}
