/**
 * The warehouses module's face: what other modules may use.
 */
export { REGIONS, type Region } from './regions';
export { Warehouse, type WarehouseRecord } from './warehouses.model';
export { locationCode } from './warehouses.schemas';
export {
  addLocation,
  checkedWarehouse,
  createWarehouse,
  createWarehouses,
  getWarehouse,
  loadWarehouses,
  requireLocation,
  requireWarehouse,
  warehouseIdsInRegion,
  warehousesByIds,
} from './warehouses.service';
