/** Organisations: read by every identified caller (a coordinator sees its own only), managed by admins. */
import type { RouteDefinition } from '../../http/route-registry';
import {
  createOrganisationSchemas,
  getOrganisationSchemas,
  listOrganisationsSchemas,
  updateOrganisationSchemas,
} from './organisations.schemas';
import { createOrganisation, getOrganisation, listOrganisations, updateOrganisation } from './organisations.service';

export function organisationRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/organisations',
      summary: 'List organisations (a coordinator sees its own)',
      access: 'organisations:read',
      schemas: listOrganisationsSchemas,
      handler: async (_req, res) => {
        res.json(await listOrganisations(res.locals.input.query, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/organisations/:id',
      summary: 'Get an organisation',
      access: 'organisations:read',
      schemas: getOrganisationSchemas,
      handler: async (_req, res) => {
        res.json(await getOrganisation(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/organisations',
      summary: 'Create an organisation (BIN check digit verified)',
      access: 'organisations:manage',
      schemas: createOrganisationSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await createOrganisation(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'patch',
      path: '/organisations/:id',
      summary: 'Change an organisation, or deactivate it with { "active": false }',
      access: 'organisations:manage',
      schemas: updateOrganisationSchemas,
      handler: async (_req, res) => {
        res.json(await updateOrganisation(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
  ];
}
