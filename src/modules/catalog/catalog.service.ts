/**
 * The item catalog: items, their units, packs and kit recipes. Owns the `items` collection; other modules read
 * items through `itemsByIds` / `requireItems` (lean records), never through the model.
 */
import type { ClientSession, QueryFilter } from 'mongoose';
import { Types } from 'mongoose';
import { type NameLang, nameCollation } from '../../core/collation';
import { AppError, notFound, validationError } from '../../core/errors';
import { containsText, type Page, type PageRequest, pageOf, paginate } from '../../core/pagination';
import { ReferenceCache } from '../../db/reference-cache';
import { withTransaction } from '../../db/transaction';
import { translationOrder } from '../../documents/labels';
import type { Actor } from '../access';
import { describeChanges, recordAudit, recordAudits } from '../audit';
import { Item, type ItemCategory, type ItemRecord, type LocalizedName } from './catalog.model';
import {
  decimalToScaledInteger,
  formatRatio,
  type PackInput,
  resolvePacks,
  subUnitOf,
  subUnitsPerBaseUnit,
  toSubUnits,
  unitFamily,
} from './units';

export type { ItemRecord } from './catalog.model';

export interface ComponentInput {
  itemId: string;
  quantity: string | number;
  unit?: string;
}

export interface ItemInput {
  sku: string;
  name: LocalizedName;
  category: ItemCategory;
  baseUnit: string;
  packs?: PackInput[];
  weightKgPerUnit?: string | number | null;
  volumeM3PerUnit?: string | number | null;
  lotTracked?: boolean;
  expiryTracked?: boolean;
  hsCode?: string | null;
  originCountry?: string | null;
  unitValue?: { amount: string | number; currency: string } | null;
  components?: ComponentInput[];
  active?: boolean;
}

export type ItemUpdate = Partial<Omit<ItemInput, 'sku' | 'baseUnit'>>;

export interface ItemDto {
  id: string;
  sku: string;
  name: LocalizedName;
  category: ItemCategory;
  baseUnit: string;
  /** The unit quantities of this item are stored and answered in (g, ml or the base unit). */
  subUnit: string;
  packs: { unit: string; quantity: string; of: string; subUnits: number }[];
  weightKgPerUnit: string | null;
  weightGramsPerUnit: number | null;
  volumeM3PerUnit: string | null;
  volumeCm3PerUnit: number | null;
  lotTracked: boolean;
  expiryTracked: boolean;
  hsCode: string | null;
  originCountry: string | null;
  /** Value of one base unit for customs purposes. */
  unitValue: { amount: string; currency: string } | null;
  isKit: boolean;
  components: { itemId: string; quantity: number }[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemQuery extends PageRequest {
  category?: ItemCategory;
  active?: boolean;
  sku?: string;
  q?: string;
  kit?: boolean;
  /** By SKU (the default) or by name in `lang` (the request's language), in that language's collation. */
  sort?: 'sku' | 'name';
  lang?: NameLang;
}

const CM3_PER_M3 = 1_000_000;

export function toItemDto(item: ItemRecord): ItemDto {
  return {
    id: String(item._id),
    sku: item.sku,
    name: item.name ?? {},
    category: item.category,
    baseUnit: item.baseUnit,
    subUnit: subUnitOf(item.baseUnit),
    packs: (item.packs ?? []).map(({ unit, quantity, of, subUnits }) => ({ unit, quantity, of, subUnits })),
    weightKgPerUnit: item.weightGramsPerUnit == null ? null : formatRatio(item.weightGramsPerUnit, 1000),
    weightGramsPerUnit: item.weightGramsPerUnit ?? null,
    volumeM3PerUnit: item.volumeCm3PerUnit == null ? null : formatRatio(item.volumeCm3PerUnit, CM3_PER_M3),
    volumeCm3PerUnit: item.volumeCm3PerUnit ?? null,
    lotTracked: item.lotTracked,
    expiryTracked: item.expiryTracked,
    hsCode: item.hsCode ?? null,
    originCountry: item.originCountry ?? null,
    unitValue: item.unitValue
      ? { amount: formatRatio(item.unitValue.amountMinor, 100), currency: item.unitValue.currency }
      : null,
    isKit: (item.components ?? []).length > 0,
    components: (item.components ?? []).map((c) => ({ itemId: String(c.itemId), quantity: c.quantity })),
    active: item.active,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

/** Grams per base unit: mass items weigh what they measure; others take the declared weight (kg, exact). */
function weightGrams(baseUnit: string, weightKg: string | number | null | undefined): number | null | undefined {
  if (unitFamily(baseUnit) === 'mass') return subUnitsPerBaseUnit(baseUnit);
  if (weightKg === undefined) return undefined;
  if (weightKg === null) return null;
  return decimalToScaledInteger(weightKg, 3, 'weightKgPerUnit');
}

function unitValueOf(value: ItemInput['unitValue']): ItemRecord['unitValue'] | undefined {
  if (value === undefined || value === null) return value;
  return { amountMinor: decimalToScaledInteger(value.amount, 2, 'unitValue.amount'), currency: value.currency };
}

function volumeCm3(volumeM3: string | number | null | undefined): number | null | undefined {
  if (volumeM3 === undefined || volumeM3 === null) return volumeM3;
  return decimalToScaledInteger(volumeM3, 6, 'volumeM3PerUnit');
}

async function resolveComponents(
  baseUnit: string,
  components: ComponentInput[],
  selfId: Types.ObjectId | null,
  session: ClientSession,
): Promise<ItemRecord['components']> {
  if (components.length === 0) return [];
  if (unitFamily(baseUnit) !== 'count') {
    throw validationError([
      {
        field: 'components',
        message: '"components" are only allowed for items counted in pieces or kits',
        type: 'kit.unit',
      },
    ]);
  }
  const ids = components.map((c) => c.itemId);
  const found = await Item.find({ _id: { $in: ids } })
    .session(session)
    .lean<ItemRecord[]>();
  const byId = new Map(found.map((item) => [String(item._id), item]));
  const seen = new Set<string>();
  return components.map((component, index) => {
    const field = `components[${index}]`;
    const item = byId.get(component.itemId);
    if (!item)
      throw validationError([
        { field: `${field}.itemId`, message: `"${field}.itemId" is not a known item`, type: 'any.unknownReference' },
      ]);
    if ((selfId && item._id.equals(selfId)) || item.components.length > 0) {
      throw validationError([
        { field: `${field}.itemId`, message: `"${field}.itemId" cannot be a kit`, type: 'kit.nested' },
      ]);
    }
    if (seen.has(component.itemId)) {
      throw validationError([
        { field: `${field}.itemId`, message: `"${field}.itemId" is listed twice`, type: 'array.unique' },
      ]);
    }
    seen.add(component.itemId);
    return { itemId: item._id, quantity: toSubUnits(item, component.quantity, component.unit, `${field}.quantity`) };
  });
}

/**
 * A new item's document, its units, packs, weight and volume converted: throws VALIDATION as `createItem` would
 * (an unknown unit, a weight for an item weighed in kilograms). Components (kits) are resolved apart.
 */
export function newItemDoc(input: ItemInput, _id = new Types.ObjectId(), components: ItemRecord['components'] = []) {
  return {
    _id,
    sku: input.sku,
    name: input.name,
    category: input.category,
    baseUnit: input.baseUnit,
    packs: resolvePacks(input.baseUnit, input.packs ?? []),
    weightGramsPerUnit: weightGrams(input.baseUnit, input.weightKgPerUnit) ?? null,
    volumeCm3PerUnit: volumeCm3(input.volumeM3PerUnit) ?? null,
    lotTracked: input.lotTracked ?? false,
    expiryTracked: input.expiryTracked ?? false,
    hsCode: input.hsCode ?? null,
    originCountry: input.originCountry ?? null,
    unitValue: unitValueOf(input.unitValue) ?? null,
    components,
    active: input.active ?? true,
  };
}

function itemCreated(_id: Types.ObjectId, input: ItemInput, actor: Actor) {
  return {
    actor,
    action: 'item.create',
    targetType: 'item',
    targetId: _id,
    summary: { sku: input.sku, category: input.category },
  } as const;
}

export async function createItem(input: ItemInput, actor: Actor): Promise<ItemDto> {
  const draft = newItemDoc(input);
  const created = await withTransaction(async (session) => {
    const components = await resolveComponents(input.baseUnit, input.components ?? [], draft._id, session);
    const [item] = await Item.create([{ ...draft, components }], { session });
    await recordAudit(itemCreated(draft._id, input, actor), session);
    return item.toObject() as ItemRecord;
  });
  return toItemDto(created);
}

/**
 * Items without components created in bulk in the caller's transaction (a CSV import's batch): one insert for all
 * of them and their audit entries in the transaction's one audit insert. A SKU taken meanwhile fails the insert
 * (the unique index), and the transaction writes none of them.
 */
export async function createItems(inputs: readonly ItemInput[], actor: Actor, session: ClientSession): Promise<void> {
  if (inputs.length === 0) return;
  if (inputs.some((input) => input.components?.length)) throw new Error('createItems takes items without components');
  const docs = inputs.map((input) => newItemDoc(input));
  await Item.insertMany(docs, { session });
  await recordAudits(
    docs.map((doc, i) => itemCreated(doc._id, inputs[i] as ItemInput, actor)),
    session,
  );
}

export async function updateItem(id: string, input: ItemUpdate, actor: Actor): Promise<ItemDto> {
  const updated = await withTransaction(async (session) => {
    const before = await Item.findById(id).session(session).lean<ItemRecord>();
    if (!before) throw notFound('Item', id);
    const set: Partial<ItemRecord> = {};
    // A name is patched per language: sending { en } keeps kk and ru.
    if (input.name !== undefined) set.name = { ...before.name, ...input.name };
    if (input.category !== undefined) set.category = input.category;
    if (input.packs !== undefined) set.packs = resolvePacks(before.baseUnit, input.packs);
    const weight = weightGrams(before.baseUnit, input.weightKgPerUnit);
    if (weight !== undefined && input.weightKgPerUnit !== undefined) set.weightGramsPerUnit = weight;
    const volume = volumeCm3(input.volumeM3PerUnit);
    if (volume !== undefined) set.volumeCm3PerUnit = volume;
    if (input.lotTracked !== undefined) set.lotTracked = input.lotTracked;
    if (input.expiryTracked !== undefined) set.expiryTracked = input.expiryTracked;
    if (input.active !== undefined) set.active = input.active;
    if (input.hsCode !== undefined) set.hsCode = input.hsCode;
    if (input.originCountry !== undefined) set.originCountry = input.originCountry;
    const unitValue = unitValueOf(input.unitValue);
    if (unitValue !== undefined) set.unitValue = unitValue;
    if (input.components !== undefined && input.components.length > 0) {
      const usedIn = await Item.findOne({ 'components.itemId': before._id }, { sku: 1 })
        .session(session)
        .lean<Pick<ItemRecord, 'sku'>>();
      if (usedIn) {
        throw validationError([
          {
            field: 'components',
            message: `"components" cannot be set: ${before.sku} is a component of kit ${usedIn.sku} (kits do not nest)`,
            type: 'kit.nested',
          },
        ]);
      }
    }
    if (input.components !== undefined) {
      set.components = await resolveComponents(before.baseUnit, input.components, before._id, session);
    }
    const after = await Item.findOneAndUpdate(
      { _id: before._id },
      { $set: set },
      { session, returnDocument: 'after' },
    ).lean<ItemRecord>();
    if (!after) throw notFound('Item', id);
    await recordAudit(
      {
        actor,
        action: 'item.update',
        targetType: 'item',
        targetId: before._id,
        summary: describeChanges(before as unknown as Record<string, unknown>, set as Record<string, unknown>),
      },
      session,
    );
    return after;
  });
  return toItemDto(updated);
}

/** Items are never deleted (the ledger refers to them): DELETE deactivates. */
export async function deactivateItem(id: string, actor: Actor): Promise<ItemDto> {
  return updateItem(id, { active: false }, actor);
}

export async function getItem(id: string): Promise<ItemDto> {
  const item = await Item.findById(id).lean<ItemRecord>();
  if (!item) throw notFound('Item', id);
  return toItemDto(item);
}

export async function listItems(query: ItemQuery): Promise<Page<ItemDto>> {
  const filter: QueryFilter<ItemRecord> = {};
  if (query.category) filter.category = query.category;
  if (query.active !== undefined) filter.active = query.active;
  if (query.sku) filter.sku = query.sku;
  if (query.kit !== undefined) filter['components.0'] = { $exists: query.kit };
  if (query.q) {
    const text = containsText(query.q);
    filter.$or = [{ sku: text }, { 'name.kk': text }, { 'name.ru': text }, { 'name.en': text }];
  }
  const page =
    query.sort === 'name'
      ? await itemsByName(filter, query, query.lang ?? 'en')
      : await paginate(Item, filter, query, { sku: 1, _id: 1 });
  return { ...page, data: page.data.map(toItemDto) };
}

/**
 * A page of items by the name a reader of `lang` sees: in `lang`, else the translation the documents fall back on,
 * compared by `lang`'s collation. That name is computed per item, so no index can order it: the catalog is one
 * shared list of hundreds of items, which the database sorts in memory with the page's limit.
 */
async function itemsByName(
  filter: QueryFilter<ItemRecord>,
  page: PageRequest,
  lang: NameLang,
): Promise<Page<ItemRecord>> {
  const shownName = { $ifNull: translationOrder(lang).map((candidate) => `$name.${candidate}`) };
  const [items, total] = await Promise.all([
    Item.aggregate<ItemRecord>([
      { $match: filter },
      { $addFields: { shownName } },
      { $sort: { shownName: 1, _id: 1 } },
      { $skip: page.offset },
      { $limit: page.limit },
      { $unset: 'shownName' },
    ]).collation(nameCollation(lang)),
    Item.countDocuments(filter),
  ]);
  return pageOf(items, total, page);
}

/** Items by id, for other modules (lean records, in no particular order). */
/** Items as the stock hot path reads them: cached under the catalog's stamp (db/reference-cache.ts). */
const itemCache = new ReferenceCache<ItemRecord>('items');

/** The items with these ids (unknown ones absent), in no particular order. Frozen: do not change them. */
export async function itemsByIds(
  ids: readonly (string | Types.ObjectId)[],
  session?: ClientSession,
): Promise<ItemRecord[]> {
  if (ids.length === 0) return [];
  const found = await itemCache.byId('', [...new Set(ids.map(String))], (missing) =>
    Item.find({ _id: { $in: missing } })
      .session(session ?? null)
      .lean<ItemRecord[]>(),
  );
  return [...found.values()];
}

/** Ids of the items in a category (stock queries filter balances by category through this). */
export async function itemIdsInCategory(category: ItemCategory): Promise<Types.ObjectId[]> {
  const items = await Item.find({ category }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  return items.map((item) => item._id);
}

/** Loads items by id or throws VALIDATION naming the field of the first unknown (or inactive) one. */
export async function requireItems(
  refs: { itemId: string; field: string }[],
  session?: ClientSession,
): Promise<Map<string, ItemRecord>> {
  const items = await itemsByIds([...new Set(refs.map((r) => r.itemId))], session);
  const byId = new Map(items.map((item) => [String(item._id), item]));
  for (const ref of refs) {
    const item = byId.get(ref.itemId);
    if (!item)
      throw validationError([
        { field: ref.field, message: `"${ref.field}" is not a known item`, type: 'any.unknownReference' },
      ]);
    if (!item.active)
      throw new AppError('INVALID_STATE', `Item ${item.sku} is not active`, { field: ref.field, itemId: ref.itemId });
  }
  return byId;
}
