import { requestLang } from '../../http/request-lang';
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './warehouses.schemas';
import * as warehouses from './warehouses.service';

export function warehouseRoutes(): RouteDefinition[] {
  return [
    route('GET /warehouses', {
      summary: 'List warehouses',
      access: 'warehouses:read',
      schemas: schemas.listWarehousesSchemas,
      run: ({ query, actor, req }) =>
        warehouses.listWarehouses({ ...query, lang: requestLang(req, query.lang) }, actor),
    }),
    route('POST /warehouses', {
      summary: 'Create a warehouse with its storage locations',
      access: 'warehouses:write',
      schemas: schemas.createWarehouseSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => warehouses.createWarehouse(body, actor),
    }),
    route('GET /warehouses/:id', {
      summary: 'Get a warehouse',
      access: 'warehouses:read',
      schemas: schemas.warehouseIdSchemas,
      run: ({ params, actor }) => warehouses.getWarehouse(params.id, actor),
    }),
    route('PATCH /warehouses/:id', {
      summary: 'Update a warehouse',
      access: 'warehouses:write',
      schemas: schemas.updateWarehouseSchemas,
      run: ({ params, body, actor }) => warehouses.updateWarehouse(params.id, body, actor),
    }),
    route('DELETE /warehouses/:id', {
      summary: 'Deactivate a warehouse (never deleted: the ledger refers to it)',
      access: 'warehouses:write',
      schemas: schemas.warehouseIdSchemas,
      run: ({ params, actor }) => warehouses.deactivateWarehouse(params.id, actor),
    }),
    route('POST /warehouses/:id/locations', {
      summary: 'Add a storage location (bin) to a warehouse',
      access: 'warehouses:write',
      schemas: schemas.addLocationSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => warehouses.addLocation(params.id, body, actor),
    }),
    route('PATCH /warehouses/:id/locations/:code', {
      summary: 'Rename or (de)activate a storage location',
      access: 'warehouses:write',
      schemas: schemas.updateLocationSchemas,
      run: ({ params, body, actor }) => warehouses.updateLocation(params.id, params.code, body, actor),
    }),
  ];
}
