import { requestLang } from '../../http/request-lang';
import { type RouteDefinition, route } from '../../http/route-registry';
import { anonymiseHandOvers, handOversOfHousehold } from '../distributions';
import * as schemas from './households.schemas';
import * as households from './households.service';

export function householdRoutes(): RouteDefinition[] {
  return [
    route('POST /households', {
      summary: 'Register a household or an institution (IIN and contacts are encrypted; answers show them masked)',
      access: 'households:write',
      schemas: schemas.registerHouseholdSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => households.registerHousehold(body, actor),
    }),
    route('GET /households', {
      summary: "List the organisation's households (masked); ?iin= finds a person through its keyed hash",
      access: 'households:read',
      schemas: schemas.listHouseholdsSchemas,
      run: ({ query, actor, req }) =>
        households.listHouseholds({ ...query, lang: requestLang(req, query.lang) }, actor),
    }),
    route('GET /households/counts', {
      summary:
        'Households and people served, by region, settlement, vulnerability or kind: counts only, never a person',
      access: 'hubs:read',
      schemas: schemas.countHouseholdsSchemas,
      run: ({ query, actor }) => households.countHouseholds(query.by, actor),
    }),
    route('GET /households/:id', {
      summary: 'Get a household (IIN, phone and address masked)',
      access: 'households:read',
      schemas: schemas.householdIdSchemas,
      run: ({ params, actor }) => households.getHousehold(params.id, actor),
    }),
    route('GET /households/:id/personal-data', {
      summary: 'The household with IINs, phones and address in clear (audited)',
      access: 'households:reveal',
      schemas: schemas.householdIdSchemas,
      headers: { 'Cache-Control': 'no-store' },
      run: ({ params, actor }) => households.revealHousehold(params.id, actor),
    }),
    route('PATCH /households/:id', {
      summary: 'Change a household (members, address, criteria, status, legal basis)',
      access: 'households:write',
      schemas: schemas.updateHouseholdSchemas,
      run: ({ params, body, actor }) => households.updateHousehold(params.id, body, actor),
    }),
    route('POST /households/:id/deactivate', {
      summary: 'Stop enrolling a household (moved away, no longer in need): its records stay',
      access: 'households:write',
      schemas: schemas.householdIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => households.setHouseholdActive(params.id, false, actor),
    }),
    route('POST /households/:id/reactivate', {
      summary: 'Enrol an inactive household again',
      access: 'households:write',
      schemas: schemas.householdIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => households.setHouseholdActive(params.id, true, actor),
    }),
    route('GET /households/:id/subject-access', {
      summary: "The person's own data and what the household received: a subject-access export (audited)",
      access: 'households:reveal',
      schemas: schemas.householdIdSchemas,
      headers: { 'Cache-Control': 'no-store' },
      run: async ({ params, actor }) => {
        const household = await households.subjectAccessHousehold(params.id, actor);
        return { household, received: await handOversOfHousehold(household, actor) };
      },
    }),
    route('POST /households/:id/erase', {
      summary: 'Erase a household by anonymisation: personal data goes, distribution counts stay',
      access: 'households:write',
      schemas: schemas.eraseHouseholdSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => households.eraseHousehold(params.id, body, actor, [anonymiseHandOvers]),
    }),
    route('GET /vulnerability-criteria', {
      summary: "The built-in vulnerability criteria and the organisation's own",
      access: 'households:read',
      run: ({ actor }) => households.listVulnerabilityCriteria(actor),
    }),
    route('POST /vulnerability-criteria', {
      summary: 'Add an organisation-specific vulnerability criterion',
      access: 'households:write',
      schemas: schemas.addCriterionSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => households.addVulnerabilityCriterion(body, actor),
    }),
  ];
}
