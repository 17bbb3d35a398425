/**
 * What the stock module answers about ledger entries and operations: plain objects, shared by the write side
 * (stock.service, which answers an operation's entries) and the read side (stock.queries, the ledger list).
 */
import type { NewLedgerEntry } from './stock.ledger';
import type { Condition, LedgerEntryRecord, SourceDocument } from './stock.model';

export interface LedgerEntryDto {
  id: string;
  type: string;
  quantity: number;
  unit: string;
  balanceId: string;
  balanceAfter: number;
  warehouseId: string;
  locationCode: string | null;
  itemId: string;
  lot: string | null;
  expiryDate: Date | null;
  condition: Condition;
  operationId: string;
  source: SourceDocument;
  reason: string | null;
  note: string | null;
  actor: { kind: string; id: string; name: string };
  at: Date;
  reverses: string | null;
  reversedBy: string | null;
}

export interface StockOperationDto {
  operationId: string;
  source: SourceDocument;
  at: Date;
  entries: LedgerEntryDto[];
}

export function toLedgerEntryDto(e: LedgerEntryRecord | NewLedgerEntry): LedgerEntryDto {
  return {
    id: String(e._id),
    type: e.type,
    quantity: e.quantity,
    unit: e.unit,
    balanceId: String(e.balanceId),
    balanceAfter: e.balanceAfter,
    warehouseId: String(e.warehouseId),
    locationCode: e.locationCode ?? null,
    itemId: String(e.itemId),
    lot: e.lot ?? null,
    expiryDate: e.expiryDate ?? null,
    condition: e.condition,
    operationId: String(e.operationId),
    source: { type: e.source.type, id: e.source.id ?? null, number: e.source.number ?? null },
    reason: e.reason ?? null,
    note: e.note ?? null,
    actor: { kind: e.actor.kind, id: e.actor.id, name: e.actor.name },
    at: e.at,
    reverses: e.reverses ? String(e.reverses) : null,
    reversedBy: e.reversedBy ? String(e.reversedBy) : null,
  };
}
