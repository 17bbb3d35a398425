import { requestLang } from '../../http/request-lang';
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './donors.schemas';
import * as donors from './donors.service';

export function donorRoutes(): RouteDefinition[] {
  return [
    route('GET /donors', {
      summary: 'List donors',
      access: 'donors:read',
      schemas: schemas.listDonorsSchemas,
      run: ({ query, actor, req }) => donors.listDonors({ ...query, lang: requestLang(req, query.lang) }, actor),
    }),
    route('POST /donors', {
      summary: 'Register a donor (individual, company, NGO, government or foreign organisation; anonymous allowed)',
      access: 'donors:write',
      schemas: schemas.createDonorSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => donors.createDonor(body, actor),
    }),
    route('GET /donors/:id', {
      summary: 'Get a donor',
      access: 'donors:read',
      schemas: schemas.donorIdSchemas,
      run: ({ params, actor }) => donors.getDonor(params.id, actor),
    }),
    route('PATCH /donors/:id', {
      summary: 'Update a donor',
      access: 'donors:write',
      schemas: schemas.updateDonorSchemas,
      run: ({ params, body, actor }) => donors.updateDonor(params.id, body, actor),
    }),
  ];
}
