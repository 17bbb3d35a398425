import type { RouteDefinition } from '../../http/route-registry';
import * as schemas from './catalog.schemas';
import * as catalog from './catalog.service';

export function catalogRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/items',
      summary: 'List catalog items',
      tag: 'catalog',
      access: 'catalog:read',
      schemas: schemas.listItemsSchemas,
      handler: async (_req, res) => {
        res.json(await catalog.listItems(res.locals.input.query));
      },
    },
    {
      method: 'post',
      path: '/items',
      summary: 'Create a catalog item (units, packs, kit components)',
      tag: 'catalog',
      access: 'catalog:write',
      schemas: schemas.createItemSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await catalog.createItem(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/items/:id',
      summary: 'Get a catalog item',
      tag: 'catalog',
      access: 'catalog:read',
      schemas: schemas.itemIdSchemas,
      handler: async (_req, res) => {
        res.json(await catalog.getItem(res.locals.input.params.id));
      },
    },
    {
      method: 'patch',
      path: '/items/:id',
      summary: 'Update a catalog item (the SKU and base unit never change)',
      tag: 'catalog',
      access: 'catalog:write',
      schemas: schemas.updateItemSchemas,
      handler: async (_req, res) => {
        res.json(await catalog.updateItem(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'delete',
      path: '/items/:id',
      summary: 'Deactivate a catalog item (items are never deleted: the ledger refers to them)',
      tag: 'catalog',
      access: 'catalog:write',
      schemas: schemas.itemIdSchemas,
      handler: async (_req, res) => {
        res.json(await catalog.deactivateItem(res.locals.input.params.id, res.locals.actor));
      },
    },
  ];
}
