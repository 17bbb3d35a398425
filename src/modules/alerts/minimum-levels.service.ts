/**
 * Minimum stock levels per item and warehouse, set by warehouse staff. The low-stock job compares the available
 * quantity (not damaged, not expired) with them. One level per item and warehouse: setting it again replaces it.
 */
import { type QueryFilter, Types } from 'mongoose';
import { notFound } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
import { withTransaction } from '../../db/transaction';
import type { Actor } from '../access';
import { ownerFilter } from '../access';
import { recordAudit } from '../audit';
import { fromSubUnits, requireItems, toSubUnits } from '../catalog';
import { ledgerActorOf } from '../stock';
import { requireWarehouse } from '../warehouses';
import { MinimumLevel, type MinimumLevelRecord } from './alerts.model';

export interface MinimumLevelInput {
  warehouseId: string;
  itemId: string;
  /** In `unit` (default: the item's base unit), as an exact decimal. */
  minimum: string | number;
  unit?: string;
}

export interface MinimumLevelDto {
  id: string;
  warehouseId: string;
  itemId: string;
  /** Integer sub-units (`unit`). */
  minimum: number;
  unit: string;
  /** The minimum in the item's base unit. */
  quantity: string;
  baseUnit: string;
  setBy: { kind: string; id: string; name: string };
  updatedAt: Date;
}

/** The organisation owning a warehouse, once warehouses carry one (ownership lands with issue 8). */
export function organisationOfWarehouse(warehouse: object): Types.ObjectId | null {
  const id = (warehouse as { organisationId?: Types.ObjectId | null }).organisationId;
  return id ? new Types.ObjectId(String(id)) : null;
}

export async function setMinimumLevel(input: MinimumLevelInput, actor: Actor): Promise<MinimumLevelDto> {
  const warehouse = await requireWarehouse(actor, input.warehouseId, 'warehouseId');
  const item = (await requireItems([{ itemId: input.itemId, field: 'itemId' }])).get(input.itemId);
  if (!item) throw notFound('Item', input.itemId);
  const minimum = toSubUnits(item, input.minimum, input.unit, 'minimum', { allowZero: true });
  const saved = await withTransaction(async (session) => {
    const level = await MinimumLevel.findOneAndUpdate(
      { warehouseId: warehouse._id, itemId: item._id },
      {
        $set: {
          organisationId: organisationOfWarehouse(warehouse),
          minimum,
          unit: item.baseUnit,
          setBy: ledgerActorOf(actor),
        },
      },
      { upsert: true, returnDocument: 'after', session },
    ).lean<MinimumLevelRecord>();
    if (!level) throw notFound('Minimum level');
    await recordAudit(
      {
        actor,
        action: 'minimum_level.set',
        targetType: 'minimum_level',
        targetId: level._id,
        organisationId: level.organisationId,
        summary: { warehouse: warehouse.code, sku: item.sku, minimum: fromSubUnits(item, minimum) },
      },
      session,
    );
    return level;
  });
  return { ...toDto(saved), quantity: fromSubUnits(item, minimum), baseUnit: item.baseUnit };
}

function toDto(level: MinimumLevelRecord): Omit<MinimumLevelDto, 'quantity' | 'baseUnit'> {
  return {
    id: String(level._id),
    warehouseId: String(level.warehouseId),
    itemId: String(level.itemId),
    minimum: level.minimum,
    unit: level.unit,
    setBy: level.setBy,
    updatedAt: level.updatedAt,
  };
}

export interface MinimumLevelQuery extends PageRequest {
  warehouseId?: string;
  itemId?: string;
}

export async function listMinimumLevels(
  query: MinimumLevelQuery,
  actor: Actor,
): Promise<Page<Omit<MinimumLevelDto, 'quantity' | 'baseUnit'>>> {
  const filter: QueryFilter<MinimumLevelRecord> = { ...ownerFilter(actor) };
  if (query.warehouseId) filter.warehouseId = new Types.ObjectId(query.warehouseId);
  if (query.itemId) filter.itemId = new Types.ObjectId(query.itemId);
  const page = await paginate(MinimumLevel, filter, query, { warehouseId: 1, itemId: 1, _id: 1 });
  return { ...page, data: page.data.map(toDto) };
}

export async function removeMinimumLevel(id: string, actor: Actor): Promise<void> {
  await withTransaction(async (session) => {
    const removed = await MinimumLevel.findOneAndDelete({ _id: id, ...ownerFilter(actor) }, { session }).lean();
    if (!removed) throw notFound('Minimum level', id);
    await recordAudit(
      { actor, action: 'minimum_level.remove', targetType: 'minimum_level', targetId: removed._id, summary: {} },
      session,
    );
  });
}

/** Every minimum level, grouped by warehouse (the low-stock job). */
export async function minimumLevelsByWarehouse(): Promise<Map<string, MinimumLevelRecord[]>> {
  const levels = await MinimumLevel.find({}).lean<MinimumLevelRecord[]>();
  const byWarehouse = new Map<string, MinimumLevelRecord[]>();
  for (const level of levels) {
    const key = String(level.warehouseId);
    byWarehouse.set(key, [...(byWarehouse.get(key) ?? []), level]);
  }
  return byWarehouse;
}
