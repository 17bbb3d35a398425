import type { Access, RouteDefinition, RouteSchemas } from '../../http/route-registry';
import type { Actor } from '../access/permissions';
import * as queries from './stock.queries';
import * as reservations from './stock.reservations';
import * as schemas from './stock.schemas';
import * as stock from './stock.service';
import * as counts from './stock-count.service';

/** A POST that moves stock: idempotent, 201 with the operation's ledger entries. */
function operation<B>(
  path: string,
  summary: string,
  routeSchemas: RouteSchemas,
  run: (body: B, actor: Actor) => Promise<unknown>,
): RouteDefinition {
  return {
    method: 'post',
    path,
    summary,
    tag: 'stock',
    access: 'stock:write',
    schemas: routeSchemas,
    idempotent: true,
    success: { status: 201 },
    handler: async (_req, res) => {
      res.status(201).json(await run(res.locals.input.body as B, res.locals.actor));
    },
  };
}

function read<Q>(
  path: string,
  summary: string,
  routeSchemas: RouteSchemas,
  run: (query: Q) => Promise<unknown>,
  access: Access = 'stock:read',
): RouteDefinition {
  return {
    method: 'get',
    path,
    summary,
    tag: 'stock',
    access,
    schemas: routeSchemas,
    handler: async (_req, res) => {
      res.json(await run(res.locals.input.query as Q));
    },
  };
}

export function stockRoutes(): RouteDefinition[] {
  return [
    read(
      '/stock',
      'Stock on hand by warehouse, item, category or region, with totals in base units and kg/tonnes',
      schemas.balancesSchemas,
      queries.listBalances,
    ),
    read(
      '/stock/availability',
      'Issuable stock per item and warehouse (damaged and expired excluded)',
      schemas.availabilitySchemas,
      queries.availability,
    ),
    read('/stock/expiring', 'Stock expiring within N days, earliest first', schemas.expiringSchemas, queries.expiring),
    read('/stock/ledger', 'Ledger history, newest first', schemas.ledgerSchemas, queries.ledger),
    operation('/stock/moves', 'Move stock between locations of a warehouse', schemas.moveSchemas, stock.move),
    operation(
      '/stock/transfers',
      'Transfer stock to another warehouse (immediate)',
      schemas.transferSchemas,
      stock.transfer,
    ),
    operation(
      '/stock/adjustments',
      'Adjust stock with a reason code (found, lost, damaged, expired, count_correction)',
      schemas.adjustmentSchemas,
      stock.adjust,
    ),
    operation('/stock/disposals', 'Dispose of damaged or expired stock', schemas.disposalSchemas, stock.dispose),
    operation(
      '/stock/issues',
      'Issue stock (FEFO when no lot is named; never damaged or expired)',
      schemas.issueSchemas,
      stock.issue,
    ),
    operation('/stock/kits/assemble', 'Assemble kits from their components', schemas.kitSchemas, stock.assembleKits),
    operation(
      '/stock/kits/disassemble',
      'Take kits apart into their components',
      schemas.kitSchemas,
      stock.disassembleKits,
    ),
    operation(
      '/stock/reservations',
      'Reserve stock for a source document (FEFO across balances when no lot is named; never damaged or expired)',
      schemas.reserveSchemas,
      reservations.reserve,
    ),
    {
      method: 'post',
      path: '/stock/reservations/release',
      summary: "Release a source document's reservations: all, or part (latest expiry first)",
      tag: 'stock',
      access: 'stock:write',
      schemas: schemas.releaseSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await reservations.release(res.locals.input.body, res.locals.actor));
      },
    },
    operation(
      '/stock/reservations/issue',
      "Issue a source document's reserved stock (consumes its reservations, FEFO when part)",
      schemas.issueReservedSchemas,
      reservations.issueReserved,
    ),
    read(
      '/stock/reservations',
      'Reservations of a source document, warehouse, item or balance, newest first',
      schemas.listReservationsSchemas,
      reservations.listReservations,
    ),
    read('/stock/counts', 'List physical counts', schemas.listCountsSchemas, counts.listCounts),
    operation(
      '/stock/counts',
      'Start a physical count of a warehouse or location (snapshots expected quantities)',
      schemas.startCountSchemas,
      counts.startCount,
    ),
    {
      method: 'get',
      path: '/stock/counts/:id',
      summary: 'Get a physical count with its lines',
      tag: 'stock',
      access: 'stock:read',
      schemas: schemas.countIdSchemas,
      handler: async (_req, res) => {
        res.json(await counts.getCount(res.locals.input.params.id));
      },
    },
    {
      method: 'post',
      path: '/stock/counts/:id/lines',
      summary: 'Record counted quantities',
      tag: 'stock',
      access: 'stock:write',
      schemas: schemas.countLinesSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await counts.recordCountLines(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/stock/counts/:id/post',
      summary: 'Post a count: differences become count_correction adjustments',
      tag: 'stock',
      access: 'stock:write',
      schemas: schemas.countIdSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await counts.postCount(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/stock/counts/:id/cancel',
      summary: 'Cancel an open count',
      tag: 'stock',
      access: 'stock:write',
      schemas: schemas.countIdSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await counts.cancelCount(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/stock/ledger/:id/reverse',
      summary: 'Reverse the stock operation of a ledger entry with reversing entries',
      tag: 'stock',
      access: 'stock:write',
      schemas: schemas.reverseSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res
          .status(201)
          .json(await stock.reverseEntry(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
  ];
}
