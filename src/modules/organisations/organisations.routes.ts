/**
 * Organisations and hubs: the deployment's operator creates and manages them (and an organisation's first admin);
 * everyone else reads and edits only its own organisation.
 */
import { requestLang } from '../../http/request-lang';
import { type RouteDefinition, route } from '../../http/route-registry';
import { createFirstAdmin } from '../users';
import * as schemas from './organisations.schemas';
import * as organisations from './organisations.service';

export function organisationRoutes(): RouteDefinition[] {
  return [
    route('GET /organisations', {
      summary: "List organisations (the operator's: all; anyone else: its own)",
      access: 'organisations:read',
      schemas: schemas.listOrganisationsSchemas,
      run: ({ query, actor, req }) =>
        organisations.listOrganisations({ ...query, lang: requestLang(req, query.lang) }, actor),
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
      summary: 'Change an organisation (its admin: name, BIN, contact; the operator also type and { "active": false })',
      access: 'organisations:edit',
      schemas: schemas.updateOrganisationSchemas,
      run: ({ params, body, actor }) => organisations.updateOrganisation(params.id, body, actor),
    }),
    route('POST /organisations/:id/admins', {
      summary: "Create an organisation's first admin (the deployment's operator)",
      access: 'organisations:manage',
      schemas: schemas.firstAdminSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => createFirstAdmin(params.id, body, actor),
    }),
    route('GET /organisations/:id/members', {
      summary: "A hub's member organisations with their membership dates (the operator and the hub's users)",
      access: 'hubs:read',
      schemas: schemas.listMembersSchemas,
      run: ({ params, query, actor }) => organisations.listHubMembers(params.id, query, actor),
    }),
    route('POST /organisations/:id/members', {
      summary: 'Add a member organisation to a hub, from a date (an organisation may belong to several hubs)',
      access: 'organisations:manage',
      schemas: schemas.addMemberSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => organisations.addHubMember(params.id, body, actor),
    }),
    route('POST /organisations/:id/members/:membershipId/end', {
      summary: 'End a membership on a date (today by default)',
      access: 'organisations:manage',
      schemas: schemas.endMembershipSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => organisations.endHubMembership(params.id, params.membershipId, body, actor),
    }),
  ];
}
