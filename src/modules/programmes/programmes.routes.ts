import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './programmes.schemas';
import * as programmes from './programmes.service';

export function programmeRoutes(): RouteDefinition[] {
  return [
    route('POST /programmes', {
      summary: 'Create a programme with participating organisations, eligibility, overlap rules and rounds',
      access: 'households:write',
      schemas: schemas.createProgrammeSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => programmes.createProgramme(body, actor),
    }),
    route('GET /programmes', {
      summary: 'Programmes the organisation leads or participates in',
      access: 'households:read',
      schemas: schemas.listProgrammesSchemas,
      run: ({ query, actor }) => programmes.listProgrammes(query, actor),
    }),
    route('GET /programmes/:id', {
      summary: 'Get a programme with its rounds and entitlements',
      access: 'households:read',
      schemas: schemas.programmeIdSchemas,
      run: ({ params, actor }) => programmes.getProgramme(params.id, actor),
    }),
    route('POST /programmes/:id/rounds', {
      summary: 'Add a round with its entitlement rules (lead organisation only)',
      access: 'households:write',
      schemas: schemas.addRoundSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => programmes.addRound(params.id, body, actor),
    }),
    route('POST /programmes/:id/close', {
      summary: 'Close a programme (lead organisation only): no more rounds or enrolments',
      access: 'households:write',
      schemas: schemas.programmeIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => programmes.closeProgramme(params.id, actor),
    }),
    route('POST /programmes/:id/rounds/:roundId/open', {
      summary: 'Open a planned round for enrolment (lead organisation only)',
      access: 'households:write',
      schemas: schemas.roundIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => programmes.setRoundStatus(params.id, params.roundId, 'open', actor),
    }),
    route('POST /programmes/:id/rounds/:roundId/close', {
      summary: 'Close a round: no more enrolments (lead organisation only)',
      access: 'households:write',
      schemas: schemas.roundIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => programmes.setRoundStatus(params.id, params.roundId, 'closed', actor),
    }),
    route('GET /programmes/:id/counts', {
      summary: 'Households and people enrolled per round and region: counts only',
      access: 'reports:read',
      schemas: schemas.programmeIdSchemas,
      run: ({ params, actor }) => programmes.roundCounts(params.id, actor),
    }),
    route('POST /programmes/:id/rounds/:roundId/enrolments', {
      summary: 'Enrol one household: 409 DUPLICATE_AID when a person is enrolled in the round by any organisation',
      access: 'households:write',
      schemas: schemas.enrolSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => programmes.enrolHousehold(params.id, params.roundId, body.householdId, actor),
    }),
    route('POST /programmes/:id/rounds/:roundId/enrolments/bulk', {
      summary: 'Enrol many households at once; duplicates and ineligible ones are listed, the others enrolled',
      access: 'households:write',
      schemas: schemas.bulkEnrolSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => programmes.enrolHouseholds(params.id, params.roundId, body, actor),
    }),
    route('POST /programmes/:id/rounds/:roundId/enrolments/override', {
      summary: 'Enrol a duplicate anyway: a supervisor, with a reason, audited',
      access: 'aid:override',
      schemas: schemas.overrideSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => programmes.overrideDuplicate(params.id, params.roundId, body, actor),
    }),
    route('GET /programmes/:id/rounds/:roundId/enrolments', {
      summary: "The organisation's enrolments in a round, with each one's entitlement",
      access: 'households:read',
      schemas: schemas.listEnrolmentsSchemas,
      run: ({ params, query, actor }) => programmes.listEnrolments(params.id, params.roundId, query, actor),
    }),
    route('POST /enrolments/:id/withdraw', {
      summary: 'Withdraw an enrolment (its duplicate-check claims go with it)',
      access: 'households:write',
      schemas: schemas.enrolmentIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => programmes.withdrawEnrolment(params.id, actor),
    }),
  ];
}
