/** Organisations: read by every identified caller (a coordinator sees its own only), managed by admins. */
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './organisations.schemas';
import * as organisations from './organisations.service';

export function organisationRoutes(): RouteDefinition[] {
  return [
    route('GET /organisations', {
      summary: 'List organisations (a coordinator sees its own)',
      access: 'organisations:read',
      schemas: schemas.listOrganisationsSchemas,
      run: ({ query, actor }) => organisations.listOrganisations(query, actor),
    }),
    route('GET /organisations/:id', {
      summary: 'Get an organisation',
      access: 'organisations:read',
      schemas: schemas.getOrganisationSchemas,
      run: ({ params, actor }) => organisations.getOrganisation(params.id, actor),
    }),
    route('POST /organisations', {
      summary: 'Create an organisation (BIN check digit verified)',
      access: 'organisations:manage',
      schemas: schemas.createOrganisationSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => organisations.createOrganisation(body, actor),
    }),
    route('PATCH /organisations/:id', {
      summary: 'Change an organisation, or deactivate it with { "active": false }',
      access: 'organisations:manage',
      schemas: schemas.updateOrganisationSchemas,
      run: ({ params, body, actor }) => organisations.updateOrganisation(params.id, body, actor),
    }),
  ];
}
