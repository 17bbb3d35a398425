import { requestLang } from '../../http/request-lang';
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './catalog.schemas';
import * as catalog from './catalog.service';

const tag = 'catalog';

export function catalogRoutes(): RouteDefinition[] {
  return [
    route('GET /items', {
      summary: 'List catalog items',
      tag,
      access: 'catalog:read',
      schemas: schemas.listItemsSchemas,
      run: ({ query, req }) => catalog.listItems({ ...query, lang: requestLang(req, query.lang) }),
    }),
    route('POST /items', {
      summary: 'Create a catalog item (units, packs, kit components)',
      tag,
      access: 'catalog:write',
      schemas: schemas.createItemSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => catalog.createItem(body, actor),
    }),
    route('GET /items/:id', {
      summary: 'Get a catalog item',
      tag,
      access: 'catalog:read',
      schemas: schemas.itemIdSchemas,
      run: ({ params }) => catalog.getItem(params.id),
    }),
    route('PATCH /items/:id', {
      summary: 'Update a catalog item (the SKU and base unit never change)',
      tag,
      access: 'catalog:write',
      schemas: schemas.updateItemSchemas,
      run: ({ params, body, actor }) => catalog.updateItem(params.id, body, actor),
    }),
    route('DELETE /items/:id', {
      summary: 'Deactivate a catalog item (items are never deleted: the ledger refers to them)',
      tag,
      access: 'catalog:write',
      schemas: schemas.itemIdSchemas,
      run: ({ params, actor }) => catalog.deactivateItem(params.id, actor),
    }),
  ];
}
