/**
 * Warehouses and their bins. Owns the `warehouses` collection; the stock service checks warehouses and locations
 * through `requireWarehouse` / `requireLocation`. Every warehouse belongs to one organisation: every function takes the
 * acting identity and reaches only its organisation's warehouses (modules/access/scope.ts).
 */
import type { ClientSession, QueryFilter, Types } from 'mongoose';
import { type NameLang, nameCollation } from '../../core/collation';
import { AppError, notFound, validationError } from '../../core/errors';
import { containsText, type Page, type PageRequest } from '../../core/pagination';
import { guardedChange } from '../../core/transitions';
import { ReferenceCache } from '../../db/reference-cache';
import { withTransaction } from '../../db/transaction';
import { type Actor, organisationOf, owned, ownerFilter } from '../access';
import { describeChanges, recordAudit, recordAudits } from '../audit';
import type { Region } from './regions';
import { Warehouse, type WarehouseRecord } from './warehouses.model';

export type { WarehouseRecord } from './warehouses.model';

export interface WarehouseInput {
  code: string;
  name: string;
  region: Region;
  city: string;
  address?: string;
  locations?: { code: string; name?: string; active?: boolean }[];
  active?: boolean;
}

export type WarehouseUpdate = Partial<Pick<WarehouseInput, 'name' | 'region' | 'city' | 'address' | 'active'>>;

export interface WarehouseQuery extends PageRequest {
  region?: Region;
  active?: boolean;
  code?: string;
  q?: string;
  /** By code (the default) or by name, in the collation of `lang` (the request's language). */
  sort?: 'code' | 'name';
  lang?: NameLang;
}

/** A warehouse as the API answers it: the stored record with `id` in place of `_id`. */
export type WarehouseDto = Omit<WarehouseRecord, '_id' | 'organisationId'> & { id: string; organisationId: string };

export function toWarehouseDto(w: WarehouseRecord): WarehouseDto {
  return {
    id: String(w._id),
    organisationId: String(w.organisationId),
    code: w.code,
    name: w.name,
    region: w.region,
    city: w.city,
    address: w.address ?? '',
    locations: (w.locations ?? []).map(({ code, name, active }) => ({ code, name: name ?? '', active })),
    active: w.active,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

function warehouseDoc(input: WarehouseInput) {
  return {
    code: input.code,
    name: input.name,
    region: input.region,
    city: input.city,
    address: input.address ?? '',
    locations: (input.locations ?? []).map((l) => ({ code: l.code, name: l.name ?? '', active: l.active ?? true })),
    active: input.active ?? true,
  };
}

function warehouseCreated(warehouse: { _id: Types.ObjectId }, input: WarehouseInput, actor: Actor) {
  return {
    actor,
    action: 'warehouse.create',
    targetType: 'warehouse',
    targetId: warehouse._id,
    summary: { code: input.code },
  } as const;
}

export async function createWarehouse(input: WarehouseInput, actor: Actor): Promise<WarehouseDto> {
  const created = await withTransaction(async (session) => {
    const [warehouse] = await owned(Warehouse, actor).create([warehouseDoc(input)], { session });
    await recordAudit(warehouseCreated(warehouse, input, actor), session);
    return warehouse.toObject() as WarehouseRecord;
  });
  return toWarehouseDto(created);
}

/**
 * Warehouses created in bulk in the caller's transaction (a CSV import's batch): one insert for all of them and
 * their audit entries in the transaction's one audit insert. A code taken meanwhile fails the whole insert (the
 * unique index), so the transaction writes none of them.
 */
export async function createWarehouses(
  inputs: readonly WarehouseInput[],
  actor: Actor,
  session: ClientSession,
): Promise<void> {
  if (inputs.length === 0) return;
  const warehouses = await owned(Warehouse, actor).insertMany(inputs.map(warehouseDoc), { session });
  await recordAudits(
    warehouses.map((w, i) => warehouseCreated(w as { _id: Types.ObjectId }, inputs[i] as WarehouseInput, actor)),
    session,
  );
}

/** A guarded change of one warehouse with its audit entry (see core/transitions). */
async function changeWarehouse(
  id: string,
  actor: Actor,
  action: string,
  change: (before: WarehouseRecord) => {
    update: Record<string, unknown>;
    filter?: Record<string, unknown>;
    summary: Record<string, unknown>;
  },
): Promise<WarehouseDto> {
  const updated = await withTransaction((session) =>
    guardedChange(
      { model: Warehouse, name: 'Warehouse', targetType: 'warehouse', audit: recordAudit, label: (w) => w.code },
      {
        id,
        actor,
        session,
        scope: ownerFilter(actor),
        action,
        change: (before) => {
          const { update, filter, summary } = change(before);
          return { operators: update, guard: filter, summary };
        },
      },
    ),
  );
  return toWarehouseDto(updated);
}

export function updateWarehouse(id: string, input: WarehouseUpdate, actor: Actor): Promise<WarehouseDto> {
  return changeWarehouse(id, actor, 'warehouse.update', (before) => ({
    update: { $set: input },
    summary: describeChanges(before as unknown as Record<string, unknown>, input as Record<string, unknown>),
  }));
}

export function deactivateWarehouse(id: string, actor: Actor): Promise<WarehouseDto> {
  return updateWarehouse(id, { active: false }, actor);
}

export function addLocation(
  id: string,
  input: { code: string; name?: string; active?: boolean },
  actor: Actor,
): Promise<WarehouseDto> {
  return changeWarehouse(id, actor, 'warehouse.location_add', (before) => {
    if (before.locations.some((l) => l.code === input.code)) {
      throw new AppError('CONFLICT', `Location ${input.code} already exists in warehouse ${before.code}`, {
        field: 'code',
      });
    }
    return {
      filter: { 'locations.code': { $ne: input.code } },
      update: { $push: { locations: { code: input.code, name: input.name ?? '', active: input.active ?? true } } },
      summary: { code: input.code },
    };
  });
}

export function updateLocation(
  id: string,
  code: string,
  input: { name?: string; active?: boolean },
  actor: Actor,
): Promise<WarehouseDto> {
  return changeWarehouse(id, actor, 'warehouse.location_update', (before) => {
    const index = before.locations.findIndex((l) => l.code === code);
    if (index < 0) throw notFound('Location', code);
    const set: Record<string, unknown> = {};
    if (input.name !== undefined) set[`locations.${index}.name`] = input.name;
    if (input.active !== undefined) set[`locations.${index}.active`] = input.active;
    return { filter: { [`locations.${index}.code`]: code }, update: { $set: set }, summary: { code, ...input } };
  });
}

export async function getWarehouse(id: string, actor: Actor): Promise<WarehouseDto> {
  const warehouse = await owned(Warehouse, actor).findById(id).lean<WarehouseRecord>();
  if (!warehouse) throw notFound('Warehouse', id);
  return toWarehouseDto(warehouse);
}

export async function listWarehouses(query: WarehouseQuery, actor: Actor): Promise<Page<WarehouseDto>> {
  const filter: QueryFilter<WarehouseRecord> = {};
  if (query.region) filter.region = query.region;
  if (query.active !== undefined) filter.active = query.active;
  if (query.code) filter.code = query.code;
  if (query.q) {
    const text = containsText(query.q);
    filter.$or = [{ code: text }, { name: text }, { city: text }];
  }
  const page =
    query.sort === 'name'
      ? await owned(Warehouse, actor).paginate(filter, query, { name: 1, _id: 1 }, nameCollation(query.lang ?? 'en'))
      : await owned(Warehouse, actor).paginate(filter, query, { code: 1, _id: 1 });
  return { ...page, data: page.data.map(toWarehouseDto) };
}

/**
 * Loads one of the actor's organisation's warehouses or throws VALIDATION naming `field` (another organisation's is
 * "not a known warehouse", exactly as a missing one); an inactive warehouse takes no new stock.
 */
export async function requireWarehouse(
  actor: Actor,
  id: string,
  field: string,
  session?: ClientSession,
): Promise<WarehouseRecord> {
  return checkedWarehouse((await loadWarehouses(actor, [id], session)).get(id), field);
}

/** Warehouses as the stock hot path reads them: cached per organisation under the collection's stamp. */
const warehouseCache = new ReferenceCache<WarehouseRecord>('warehouses');

/**
 * Several warehouses in one read, by id (unknown ones absent): check each with `checkedWarehouse` where it is used,
 * so that errors name the right field in the right order. Saves a round trip per warehouse (a transfer reads two),
 * and every round trip while the warehouses have not changed (db/reference-cache.ts). Frozen: do not change them.
 */
export async function loadWarehouses(
  actor: Actor,
  ids: readonly string[],
  session?: ClientSession,
): Promise<Map<string, WarehouseRecord>> {
  return warehouseCache.byId(String(organisationOf(actor)), ids, (missing) =>
    owned(Warehouse, actor)
      .find({ _id: { $in: missing } })
      .session(session ?? null)
      .lean<WarehouseRecord[]>(),
  );
}

/** The checks of requireWarehouse on a record already read (undefined or null: not found). */
export function checkedWarehouse(warehouse: WarehouseRecord | null | undefined, field: string): WarehouseRecord {
  if (!warehouse)
    throw validationError([{ field, message: `"${field}" is not a known warehouse`, type: 'any.unknownReference' }]);
  if (!warehouse.active) throw new AppError('INVALID_STATE', `Warehouse ${warehouse.code} is not active`, { field });
  return warehouse;
}

/** Checks that a location code (null = the warehouse without a bin) exists and is active in the warehouse. */
export function requireLocation(
  warehouse: WarehouseRecord,
  code: string | null | undefined,
  field: string,
): string | null {
  if (code === null || code === undefined || code === '') return null;
  const location = warehouse.locations.find((l) => l.code === code);
  if (!location) {
    throw validationError([
      {
        field,
        message: `"${field}" ${code} is not a location of warehouse ${warehouse.code}`,
        type: 'any.invalid',
      },
    ]);
  }
  if (!location.active)
    throw new AppError('INVALID_STATE', `Location ${code} of ${warehouse.code} is not active`, { field });
  return code;
}

export async function warehousesByIds(
  actor: Actor,
  ids: readonly (string | Types.ObjectId)[],
): Promise<WarehouseRecord[]> {
  if (ids.length === 0) return [];
  return owned(Warehouse, actor)
    .find({ _id: { $in: ids } })
    .lean<WarehouseRecord[]>();
}

export async function warehouseIdsInRegion(actor: Actor, region: Region): Promise<Types.ObjectId[]> {
  const warehouses = await owned(Warehouse, actor).find({ region }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  return warehouses.map((w) => w._id);
}
