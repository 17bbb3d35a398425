/**
 * The catalog module's face: what other modules may use.
 */
export { ITEM_CATEGORIES, Item, type ItemCategory, type ItemRecord, type LocalizedName } from './catalog.model';
export { quantityValue, signedQuantityValue, unitCode } from './catalog.schemas';
export {
  createItem,
  createItems,
  type ItemInput,
  itemIdsInCategory,
  itemsByIds,
  newItemDoc,
  requireItems,
} from './catalog.service';
export {
  canonicalUnit,
  decimalToScaledInteger,
  formatDecimal,
  formatRatio,
  fromSubUnits,
  gramsOf,
  MAX_QUANTITY,
  parseDecimal,
  subUnitOf,
  subUnitsPerBaseUnit,
  toSubUnits,
  type UnitFamily,
  unitFamily,
} from './units';
