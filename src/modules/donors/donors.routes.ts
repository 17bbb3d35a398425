import type { RouteDefinition } from '../../http/route-registry';
import * as schemas from './donors.schemas';
import * as donors from './donors.service';

export function donorRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/donors',
      summary: 'List donors',
      tag: 'donors',
      access: 'donors:read',
      schemas: schemas.listDonorsSchemas,
      handler: async (_req, res) => {
        res.json(await donors.listDonors(res.locals.input.query));
      },
    },
    {
      method: 'post',
      path: '/donors',
      summary: 'Register a donor (individual, company, NGO, government or foreign organisation; anonymous allowed)',
      tag: 'donors',
      access: 'donors:write',
      schemas: schemas.createDonorSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await donors.createDonor(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/donors/:id',
      summary: 'Get a donor',
      tag: 'donors',
      access: 'donors:read',
      schemas: schemas.donorIdSchemas,
      handler: async (_req, res) => {
        res.json(await donors.getDonor(res.locals.input.params.id));
      },
    },
    {
      method: 'patch',
      path: '/donors/:id',
      summary: 'Update a donor',
      tag: 'donors',
      access: 'donors:write',
      schemas: schemas.updateDonorSchemas,
      handler: async (_req, res) => {
        res.json(await donors.updateDonor(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
  ];
}
