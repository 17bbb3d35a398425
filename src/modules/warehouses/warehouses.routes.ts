import type { RouteDefinition } from '../../http/route-registry';
import * as schemas from './warehouses.schemas';
import * as warehouses from './warehouses.service';

export function warehouseRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/warehouses',
      summary: 'List warehouses',
      tag: 'warehouses',
      access: 'warehouses:read',
      schemas: schemas.listWarehousesSchemas,
      handler: async (_req, res) => {
        res.json(await warehouses.listWarehouses(res.locals.input.query));
      },
    },
    {
      method: 'post',
      path: '/warehouses',
      summary: 'Create a warehouse with its storage locations',
      tag: 'warehouses',
      access: 'warehouses:write',
      schemas: schemas.createWarehouseSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await warehouses.createWarehouse(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/warehouses/:id',
      summary: 'Get a warehouse',
      tag: 'warehouses',
      access: 'warehouses:read',
      schemas: schemas.warehouseIdSchemas,
      handler: async (_req, res) => {
        res.json(await warehouses.getWarehouse(res.locals.input.params.id));
      },
    },
    {
      method: 'patch',
      path: '/warehouses/:id',
      summary: 'Update a warehouse',
      tag: 'warehouses',
      access: 'warehouses:write',
      schemas: schemas.updateWarehouseSchemas,
      handler: async (_req, res) => {
        res.json(await warehouses.updateWarehouse(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'delete',
      path: '/warehouses/:id',
      summary: 'Deactivate a warehouse (never deleted: the ledger refers to it)',
      tag: 'warehouses',
      access: 'warehouses:write',
      schemas: schemas.warehouseIdSchemas,
      handler: async (_req, res) => {
        res.json(await warehouses.deactivateWarehouse(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/warehouses/:id/locations',
      summary: 'Add a storage location (bin) to a warehouse',
      tag: 'warehouses',
      access: 'warehouses:write',
      schemas: schemas.addLocationSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        const { params, body } = res.locals.input;
        res.status(201).json(await warehouses.addLocation(params.id, body, res.locals.actor));
      },
    },
    {
      method: 'patch',
      path: '/warehouses/:id/locations/:code',
      summary: 'Rename or (de)activate a storage location',
      tag: 'warehouses',
      access: 'warehouses:write',
      schemas: schemas.updateLocationSchemas,
      handler: async (_req, res) => {
        const { params, body } = res.locals.input;
        res.json(await warehouses.updateLocation(params.id, params.code, body, res.locals.actor));
      },
    },
  ];
}
