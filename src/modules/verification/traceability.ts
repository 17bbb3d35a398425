/**
 * Where a donation went, walking the ledger: received, moved, shipped (to which place), distributed, issued, still
 * in stock, lost, disposed. No personal data: places, document numbers, counts.
 *
 * Units in one balance (same warehouse, bin, item, lot, expiry and condition) are interchangeable, so the ledger
 * cannot say which physical unit left; the walk attributes them first in, first out within each balance: a debit
 * takes the oldest units present. A donation's units that leave for another balance in the same operation (a
 * transfer, a bin move, a condition change) are followed there, where they queue behind the units already present.
 *
 * Shipments and distributions name their destination through `TRACE_SOURCES` (trace-sources.ts), which the
 * shipments and distributions modules fill in; until then a shipped line shows the shipment's number only.
 */
import { Types } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import { type Actor, acrossOrganisations, organisationActor } from '../access';
import { fromSubUnits, itemsByIds } from '../catalog';
import type { DonationRecord } from '../donations';
import { getDonationRecord, getVerifiedDonationRecord } from '../donations';
import { getDonor } from '../donors';
import { LedgerEntry, type LedgerEntryRecord } from '../stock';
import { warehousesByIds } from '../warehouses';
import { TRACE_SOURCES } from './trace-sources';

/** What became of the donation's units, per item. Quantities are decimal strings in the item's base unit. */
export interface ItemJourney {
  item: { id: string; sku: string; name: Record<string, string | undefined> };
  baseUnit: string;
  received: string;
  inStock: { warehouse: string; region: string; condition: string; quantity: string }[];
  movedBetweenWarehouses: string;
  shipped: { document: string; quantity: string; to?: Record<string, unknown> }[];
  distributed: { document: string; quantity: string; to?: Record<string, unknown> }[];
  issued: string;
  lost: string;
  damaged: string;
  disposed: string;
  assembledIntoKits: string;
  reversed: string;
}

export interface DonationTrace {
  donation: { number: string; status: string; receivedOn: string; donorType: string; warehouse: string };
  items: ItemJourney[];
  method: 'fifo-per-balance';
}

interface Tally {
  received: number;
  moved: number;
  issued: number;
  lost: number;
  damaged: number;
  disposed: number;
  kits: number;
  reversed: number;
  shipped: Map<string, number>;
  distributed: Map<string, number>;
}

const newTally = (): Tally => ({
  received: 0,
  moved: 0,
  issued: 0,
  lost: 0,
  damaged: 0,
  disposed: 0,
  kits: 0,
  reversed: 0,
  shipped: new Map(),
  distributed: new Map(),
});

/** A run of units queued in a balance: the donation's own (`ours`) or anyone else's. */
interface Segment {
  quantity: number;
  ours: boolean;
}

const MAX_ROUNDS = 20;

/** Entries in the order they happened; within an operation, what left before what arrived. */
function chronological(a: LedgerEntryRecord, b: LedgerEntryRecord): number {
  return (
    a.at.getTime() - b.at.getTime() ||
    String(a.operationId).localeCompare(String(b.operationId)) ||
    Math.sign(a.quantity) - Math.sign(b.quantity) ||
    String(a._id).localeCompare(String(b._id))
  );
}

interface Walk {
  tallies: Map<string, Tally>;
  remaining: Map<string, { entry: LedgerEntryRecord; quantity: number }>;
  /** Operations in which the donation's units left a balance for another one (to follow). */
  followed: Set<string>;
}

function walk(donationId: string, entries: LedgerEntryRecord[]): Walk {
  const queues = new Map<string, Segment[]>();
  const last = new Map<string, LedgerEntryRecord>();
  const tallies = new Map<string, Tally>();
  const leaving = new Map<string, Map<string, number>>(); // operation → item → our units taken, not yet placed
  const followed = new Set<string>();
  const tally = (itemId: string) => tallies.get(itemId) ?? (tallies.set(itemId, newTally()).get(itemId) as Tally);
  const opItems = new Map<string, Set<string>>(); // operation → items it credited (a move or transfer)
  for (const e of entries) {
    if (e.quantity > 0) {
      const key = String(e.operationId);
      opItems.set(key, (opItems.get(key) ?? new Set()).add(String(e.itemId)));
    }
  }

  for (const e of entries) {
    const balance = String(e.balanceId);
    const itemId = String(e.itemId);
    const op = String(e.operationId);
    const queue = queues.get(balance) ?? (queues.set(balance, []).get(balance) as Segment[]);
    last.set(balance, e);
    if (e.quantity > 0) {
      let ours = 0;
      if (e.type === 'receipt' && e.source.type === 'donation' && e.source.id === donationId) {
        ours = e.quantity;
        tally(itemId).received += e.quantity;
      } else {
        const pending = leaving.get(op)?.get(itemId) ?? 0;
        ours = Math.min(pending, e.quantity);
        if (ours > 0) leaving.get(op)?.set(itemId, pending - ours);
      }
      if (ours > 0) queue.push({ quantity: ours, ours: true });
      if (e.quantity - ours > 0) queue.push({ quantity: e.quantity - ours, ours: false });
      continue;
    }
    // A debit takes the oldest units first.
    let left = -e.quantity;
    let ours = 0;
    while (left > 0 && queue.length) {
      const head = queue[0];
      const take = Math.min(head.quantity, left);
      if (head.ours) ours += take;
      head.quantity -= take;
      left -= take;
      if (head.quantity === 0) queue.shift();
    }
    if (ours === 0) continue;
    const t = tally(itemId);
    if (opItems.get(op)?.has(itemId)) {
      // The units go on to another balance in this operation: follow them.
      const items = leaving.get(op) ?? (leaving.set(op, new Map()).get(op) as Map<string, number>);
      items.set(itemId, (items.get(itemId) ?? 0) + ours);
      followed.add(op);
      if (e.type === 'transfer_out') t.moved += ours;
      continue;
    }
    if (e.type === 'issue') {
      const kind = e.source.type === 'shipment' ? t.shipped : e.source.type === 'distribution' ? t.distributed : null;
      if (kind) {
        const key = `${e.source.type}:${e.source.id}:${e.source.number ?? ''}`;
        kind.set(key, (kind.get(key) ?? 0) + ours);
      } else t.issued += ours;
    } else if (e.type === 'disposal') t.disposed += ours;
    else if (e.type === 'kit_assembly' || e.type === 'kit_disassembly') t.kits += ours;
    else if (e.type === 'reversal') t.reversed += ours;
    else if (e.type === 'adjustment' && e.reason === 'damaged') t.damaged += ours;
    else t.lost += ours;
  }

  const remaining = new Map<string, { entry: LedgerEntryRecord; quantity: number }>();
  for (const [balance, queue] of queues) {
    const quantity = queue.filter((s) => s.ours).reduce((sum, s) => sum + s.quantity, 0);
    if (quantity > 0) remaining.set(balance, { entry: last.get(balance) as LedgerEntryRecord, quantity });
  }
  return { tallies, remaining, followed };
}

/**
 * Where a donation's goods went. `actor`: an organisation's user reading its own donation (another's is NOT_FOUND);
 * absent: the public verification page, whose checked code is the grant to this one donation. The goods' journey is
 * then followed through the ledger wherever it leads.
 */
export async function traceDonation(donationId: string, actor?: Actor): Promise<DonationTrace> {
  const found = actor ? await getDonationRecord(donationId, actor) : await getVerifiedDonationRecord(donationId);
  if (!found) throw notFound('Donation', donationId);
  const donation = found;
  return acrossOrganisations("a donation's goods are followed wherever they went", () => traceFound(donation));
}

async function traceFound(donation: DonationRecord): Promise<DonationTrace> {
  if (donation.status === 'draft' || donation.status === 'cancelled') {
    throw new AppError('INVALID_STATE', `Donation ${donation.number} is ${donation.status}: nothing was received`, {
      status: donation.status,
    });
  }
  const receipts = await LedgerEntry.find(
    { 'source.type': 'donation', 'source.id': String(donation._id) },
    { balanceId: 1 },
  ).lean<{ balanceId: Types.ObjectId }[]>();
  const balances = new Set(receipts.map((r) => String(r.balanceId)));
  let result: Walk = { tallies: new Map(), remaining: new Map(), followed: new Set() };
  // Walk the balances known so far; where units left for other balances, add those and walk again.
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const ids = [...balances].map((id) => new Types.ObjectId(id));
    const entries = await LedgerEntry.find({ balanceId: { $in: ids } }).lean<LedgerEntryRecord[]>();
    const followedOps = new Set(entries.map((e) => String(e.operationId)));
    // Credits of the operations our units left in, wherever they landed.
    const partners = await LedgerEntry.find({
      operationId: { $in: [...followedOps].map((id) => new Types.ObjectId(id)) },
      balanceId: { $nin: ids },
      quantity: { $gt: 0 },
    }).lean<LedgerEntryRecord[]>();
    const all = [...entries, ...partners].sort(chronological);
    result = walk(String(donation._id), all);
    const before = balances.size;
    for (const e of partners) if (result.followed.has(String(e.operationId))) balances.add(String(e.balanceId));
    if (balances.size === before) break;
  }
  return describe(donation, result);
}

async function describe(donation: DonationRecord, w: Walk): Promise<DonationTrace> {
  const itemIds = [...w.tallies.keys()];
  const warehouseIds = [
    String(donation.warehouseId),
    ...[...w.remaining.values()].map((r) => String(r.entry.warehouseId)),
  ];
  const [items, warehouses, donor] = await Promise.all([
    itemsByIds(itemIds),
    warehousesByIds(organisationActor(String(donation.organisationId)), [...new Set(warehouseIds)]),
    getDonor(String(donation.donorId), organisationActor(String(donation.organisationId))),
  ]);
  const itemById = new Map(items.map((i) => [String(i._id), i]));
  const warehouseById = new Map(warehouses.map((wh) => [String(wh._id), wh]));
  const documents = await resolveDocuments(w);
  const journeys: ItemJourney[] = [];
  for (const [itemId, t] of w.tallies) {
    const item = itemById.get(itemId);
    if (!item) continue;
    const q = (n: number) => fromSubUnits(item, n);
    const docs = (m: Map<string, number>) =>
      [...m].map(([key, n]) => {
        const [type, id, number] = key.split(':');
        return { document: number || id, quantity: q(n), ...(documents.get(`${type}:${id}`) ?? {}) };
      });
    journeys.push({
      item: { id: itemId, sku: item.sku, name: { ...item.name } },
      baseUnit: item.baseUnit,
      received: q(t.received),
      inStock: [...w.remaining.values()]
        .filter((r) => String(r.entry.itemId) === itemId)
        .map((r) => {
          const wh = warehouseById.get(String(r.entry.warehouseId));
          return {
            warehouse: wh ? `${wh.code} ${wh.name}` : String(r.entry.warehouseId),
            region: wh?.region ?? '',
            condition: r.entry.condition,
            quantity: q(r.quantity),
          };
        }),
      movedBetweenWarehouses: q(t.moved),
      shipped: docs(t.shipped),
      distributed: docs(t.distributed),
      issued: q(t.issued),
      lost: q(t.lost),
      damaged: q(t.damaged),
      disposed: q(t.disposed),
      assembledIntoKits: q(t.kits),
      reversed: q(t.reversed),
    });
  }
  const home = warehouseById.get(String(donation.warehouseId));
  return {
    donation: {
      number: donation.number,
      status: donation.status,
      receivedOn: donation.receivedAt.toISOString().slice(0, 10),
      donorType: donor.type,
      warehouse: home ? `${home.code} ${home.name}` : '',
    },
    items: journeys,
    method: 'fifo-per-balance',
  };
}

/** Destinations of the shipments and distributions the units left in, from the modules that own them. */
async function resolveDocuments(w: Walk): Promise<Map<string, { to?: Record<string, unknown> }>> {
  const ids = new Map<string, Set<string>>();
  for (const t of w.tallies.values()) {
    for (const key of [...t.shipped.keys(), ...t.distributed.keys()]) {
      const [type, id] = key.split(':');
      ids.set(type, (ids.get(type) ?? new Set()).add(id));
    }
  }
  const resolved = new Map<string, { to?: Record<string, unknown> }>();
  for (const [type, set] of ids) {
    const resolver = TRACE_SOURCES[type];
    if (!resolver) continue;
    for (const [id, to] of await resolver([...set])) resolved.set(`${type}:${id}`, { to });
  }
  return resolved;
}
