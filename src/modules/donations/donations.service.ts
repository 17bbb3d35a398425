/**
 * Donations intake: drafts, receiving (which posts stock through the stock service in the same transaction),
 * cancelling and reversing. Owns the `donations` collection.
 */
import { randomBytes } from 'node:crypto';
import { type ClientSession, type QueryFilter, Types } from 'mongoose';
import { notFound } from '../../core/errors';
import type { Page, PageRequest } from '../../core/pagination';
import { defineLifecycle } from '../../core/transitions';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { acrossOrganisations, owned, ownerFilter } from '../access';
import { type AuditInput, recordAudit, recordAudits } from '../audit';
import {
  canonicalUnit,
  decimalToScaledInteger,
  formatDecimal,
  formatRatio,
  type ItemRecord,
  parseDecimal,
  requireItems,
  subUnitOf,
  toSubUnits,
} from '../catalog';
import { requireDonor } from '../donors';
import { reserveDocumentNumber } from '../numbering';
import * as stock from '../stock';
import { requireLocation, requireWarehouse, type WarehouseRecord } from '../warehouses';
import {
  type Currency,
  Donation,
  type DonationLine,
  type DonationRecord,
  type DonationStatus,
  type LineCondition,
} from './donations.model';
import { checkReceivedLines, type ReceiptConfirmation } from './receipt-checks';

/** The life of a donation: a draft is edited, then received (stock posted) or cancelled; a receipt is reversed. */
const donationLife = defineLifecycle({
  name: 'Donation',
  targetType: 'donation',
  model: Donation,
  audit: recordAudit,
  label: (d: DonationRecord) => d.number,
  transitions: {
    update: { from: ['draft'], to: 'draft' },
    receive: { from: ['draft'], to: 'received' },
    cancel: { from: ['draft'], to: 'cancelled' },
    reverse: { from: ['received'], to: 'reversed' },
  },
});

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
  /** Doubts the clerk confirms: lines already expired, or larger than a delivery (receipt-checks.ts). */
  confirm?: ReceiptConfirmation[];
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
  organisationId: string;
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
    organisationId: String(d.organisationId),
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

/** Minor units → '1500.50' (a BigInt for sums, which may pass 2^53). */
export function formatMinor(amountMinor: number | bigint): string {
  const text = formatRatio(amountMinor, 100);
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

interface BuiltLines {
  lines: DonationLine[];
  /** The records the lines were checked against: passed on to the stock service, which need not read them again. */
  warehouse: WarehouseRecord;
  items: Map<string, ItemRecord>;
}

/** Checks references and converts every line exactly; errors name the request field (`lines[2].quantity`). */
async function buildLines(
  actor: Actor,
  warehouseId: string,
  lines: DonationLineInput[],
  arrival: { receivedAt: Date; confirm?: readonly ReceiptConfirmation[] },
  session?: ClientSession,
): Promise<BuiltLines> {
  const warehouse = await requireWarehouse(actor, warehouseId, 'warehouseId', session);
  const items = await requireItems(
    lines.map((line, i) => ({ itemId: line.itemId, field: `lines[${i}].itemId` })),
    session,
  );
  const built = lines.map((line, i): DonationLine => {
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
  checkReceivedLines(
    built.map((line, i) => ({
      field: `lines[${i}]`,
      enteredQuantity: line.enteredQuantity,
      enteredUnit: line.enteredUnit,
      quantity: line.quantity,
      baseUnit: (items.get(String(line.itemId)) as ItemRecord).baseUnit,
      expiryDate: line.expiryDate,
    })),
    arrival.receivedAt,
    arrival.confirm,
  );
  return { lines: built, warehouse, items };
}

/**
 * Creates a draft (or, with `receive: true`, creates and receives it in the same transaction).
 *
 * The references (donor, warehouse, items) are read and checked just before the transaction, not inside it. Under
 * snapshot isolation a read inside the transaction is no fresher at commit time than one made just before it (a
 * concurrent deactivation can commit in between either way), so nothing is lost; what is gained is a transaction
 * that starts with its first write and holds stock balances for fewer round trips: concurrent donations crediting
 * the same balances conflict (and retry) far less, and a retry does not read the references again.
 *
 * The number is reserved outside the transaction too (see numbering.service): a counter written inside every
 * donation's transaction made all of them conflict. It is reserved once the input has been checked, so bad requests
 * waste no numbers; a transaction that fails after reserving leaves a gap in the DN sequence (numbers identify
 * documents; the ledger, which has no gaps, is the accounting record).
 */
export async function createDonation(input: DonationInput, actor: Actor): Promise<DonationDto> {
  await requireDonor(actor, input.donorId, 'donorId');
  const built = await buildLines(actor, input.warehouseId, input.lines, {
    receivedAt: input.receivedAt ?? new Date(),
    confirm: input.confirm,
  });
  const number = await reserveDocumentNumber('DN');
  // Receipts of the same goods into the same warehouse queue rather than conflict in the database (queuedOnStock).
  const stockTouched = input.receive
    ? built.lines.map((l) => ({ warehouseId: built.warehouse._id, itemId: l.itemId }))
    : [];
  const created = await stock.queuedOnStock(stockTouched, () =>
    withTransaction(async (session) => {
      const now = new Date();
      const draft: DonationRecord = {
        _id: new Types.ObjectId(),
        number,
        status: 'draft',
        donorId: new Types.ObjectId(input.donorId),
        warehouseId: built.warehouse._id,
        organisationId: built.warehouse.organisationId,
        receivedAt: input.receivedAt ?? now,
        lines: built.lines,
        notes: input.notes || null,
        verificationRef: randomBytes(8).toString('hex').toUpperCase(),
        createdBy: stock.ledgerActorOf(actor),
        receivedBy: null,
        postedAt: null,
        receiptOperationId: null,
        reversalOperationId: null,
        reversedAt: null,
        reversalReason: null,
        cancelledAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const createAudit: AuditInput = {
        actor,
        action: 'donation.create',
        targetType: 'donation',
        targetId: draft._id,
        summary: { number, lines: built.lines.length },
      };
      if (!input.receive) {
        await insertDonation(draft, actor, session);
        await recordAudit(createAudit, session);
        return draft;
      }
      // Created and received at once: post the stock first, then insert the donation already received (one write
      // instead of an insert and an update), with both audit entries in one insert.
      const posted = await postStock(draft, actor, session, built);
      const received = { ...draft, ...receivedFields(posted, actor) };
      await insertDonation(received, actor, session);
      await recordAudits([createAudit, receiveAudit(received, posted, actor)], session);
      return received;
    }),
  );
  return toDonationDto(created);
}

/**
 * Inserts a donation built in full by createDonation (every field of DonationRecord, typed, from checked input):
 * on the scoped direct path, without building and validating a Mongoose document on the hot path.
 */
async function insertDonation(donation: DonationRecord, actor: Actor, session: ClientSession): Promise<void> {
  await owned(Donation, actor).direct().insertOne(donation, { session });
}

export async function updateDonation(id: string, input: DonationUpdate, actor: Actor): Promise<DonationDto> {
  const updated = await withTransaction((session) =>
    donationLife.step('update', {
      id,
      actor,
      session,
      scope: ownerFilter(actor),
      change: async (before) => {
        const set: Record<string, unknown> = {};
        if (input.donorId !== undefined) {
          await requireDonor(actor, input.donorId, 'donorId', session);
          set.donorId = new Types.ObjectId(input.donorId);
        }
        if (input.warehouseId !== undefined) set.warehouseId = new Types.ObjectId(input.warehouseId);
        if (input.receivedAt !== undefined) set.receivedAt = input.receivedAt;
        if (input.notes !== undefined) set.notes = input.notes || null;
        if (input.lines !== undefined || input.warehouseId !== undefined) {
          const warehouseId = input.warehouseId ?? String(before.warehouseId);
          const lines = input.lines ?? before.lines.map(lineInputOf);
          const arrival = { receivedAt: input.receivedAt ?? before.receivedAt, confirm: input.confirm };
          set.lines = (await buildLines(actor, warehouseId, lines, arrival, session)).lines;
        }
        return { set, summary: { changed: Object.keys(set) } };
      },
    }),
  );
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
  const received = await withTransaction((session) =>
    donationLife.step('receive', {
      id,
      actor,
      session,
      scope: ownerFilter(actor),
      change: async (donation) => {
        const posted = await postStock(donation, actor, session);
        return { set: receivedFields(posted, actor), summary: receiveAudit(donation, posted, actor).summary };
      },
    }),
  );
  return toDonationDto(received);
}

/**
 * Posts the donation's lines to stock and answers the receipt's operation id; `loaded` are the warehouse and items
 * already read in this transaction.
 */
function postStock(
  donation: DonationRecord,
  actor: Actor,
  session: ClientSession,
  loaded?: stock.LoadedReferences,
): Promise<Types.ObjectId> {
  return stock.receiveForDocument(
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
    loaded,
  );
}

function receivedFields(
  operationId: Types.ObjectId,
  actor: Actor,
): Pick<DonationRecord, 'status' | 'receivedBy' | 'postedAt' | 'receiptOperationId'> {
  return {
    status: 'received',
    receivedBy: stock.ledgerActorOf(actor),
    postedAt: new Date(),
    receiptOperationId: operationId,
  };
}

function receiveAudit(donation: DonationRecord, operationId: Types.ObjectId, actor: Actor): AuditInput {
  return {
    actor,
    action: 'donation.receive',
    targetType: 'donation',
    targetId: donation._id,
    summary: { number: donation.number, operationId: String(operationId) },
  };
}

export async function cancelDonation(id: string, actor: Actor): Promise<DonationDto> {
  const cancelled = await withTransaction((session) =>
    donationLife.step('cancel', {
      id,
      actor,
      session,
      scope: ownerFilter(actor),
      change: (before) => ({ set: { cancelledAt: new Date() }, summary: { number: before.number } }),
    }),
  );
  return toDonationDto(cancelled);
}

/** Reverses a received donation: reversing ledger entries for every line (INSUFFICIENT_STOCK if goods already left). */
export async function reverseDonation(id: string, input: { reason: string }, actor: Actor): Promise<DonationDto> {
  const reversed = await withTransaction((session) =>
    donationLife.step('reverse', {
      id,
      actor,
      session,
      scope: ownerFilter(actor),
      change: async (donation) => {
        if (!donation.receiptOperationId) throw new Error(`donation ${donation.number} is received without a receipt`);
        const reversal = await stock.reverseOperation(
          donation.receiptOperationId,
          { reason: input.reason },
          actor,
          session,
        );
        return {
          set: {
            reversedAt: new Date(),
            reversalReason: input.reason,
            reversalOperationId: new Types.ObjectId(reversal.operationId),
          },
          summary: { number: donation.number, reason: input.reason },
        };
      },
    }),
  );
  return toDonationDto(reversed);
}

export async function getDonationRecord(id: string, actor: Actor): Promise<DonationRecord> {
  const donation = await owned(Donation, actor).findById(id).lean<DonationRecord>();
  if (!donation) throw notFound('Donation', id);
  return donation;
}

/**
 * The donation a verified document names (a receipt's QR code checked on the public page), whoever owns it: the
 * verification record is the grant. Null when there is none.
 */
export function getVerifiedDonationRecord(id: string): Promise<DonationRecord | null> {
  return acrossOrganisations('a verified receipt names its donation', () =>
    Donation.findOne({ _id: id }).lean<DonationRecord>().exec(),
  );
}

export async function getDonation(id: string, actor: Actor): Promise<DonationDto> {
  return toDonationDto(await getDonationRecord(id, actor));
}

export async function listDonations(query: DonationQuery, actor: Actor): Promise<Page<DonationDto>> {
  const filter: QueryFilter<DonationRecord> = {};
  if (query.status) filter.status = query.status;
  if (query.donorId) filter.donorId = new Types.ObjectId(query.donorId);
  if (query.warehouseId) filter.warehouseId = new Types.ObjectId(query.warehouseId);
  if (query.number) filter.number = query.number;
  if (query.from || query.to)
    filter.receivedAt = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
  const page = await owned(Donation, actor).paginate(filter, query, { receivedAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toDonationDto) };
}
