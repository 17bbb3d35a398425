import { type RouteDefinition, route } from '../../http/route-registry';
import * as queries from './stock.queries';
import * as reservations from './stock.reservations';
import * as schemas from './stock.schemas';
import * as stock from './stock.service';
import * as counts from './stock-count.service';

/** Every stock operation is a POST that moves stock: idempotent, 201 with the operation's ledger entries. */
const moves = { access: 'stock:write', idempotent: true, success: 201 } as const;
/** A step of a count: idempotent, answers the count. */
const countStep = { access: 'stock:write', idempotent: true } as const;

export function stockRoutes(): RouteDefinition[] {
  return [
    route('GET /stock', {
      summary: 'Stock on hand by warehouse, item, category or region, with totals in base units and kg/tonnes',
      access: 'stock:read',
      schemas: schemas.balancesSchemas,
      run: ({ query, actor }) => queries.listBalances(query, actor),
    }),
    route('GET /stock/availability', {
      summary: 'Issuable stock per item and warehouse (damaged and expired excluded)',
      access: 'stock:read',
      schemas: schemas.availabilitySchemas,
      run: ({ query, actor }) => queries.availability(query, actor),
    }),
    route('GET /stock/expiring', {
      summary: 'Stock expiring within N days, earliest first',
      access: 'stock:read',
      schemas: schemas.expiringSchemas,
      run: ({ query, actor }) => queries.expiring(query, actor),
    }),
    route('GET /stock/ledger', {
      summary: 'Ledger history, newest first',
      access: 'stock:read',
      schemas: schemas.ledgerSchemas,
      run: ({ query, actor }) => queries.ledger(query, actor),
    }),
    route('POST /stock/moves', {
      summary: 'Move stock between locations of a warehouse',
      ...moves,
      schemas: schemas.moveSchemas,
      run: ({ body, actor }) => stock.move(body, actor),
    }),
    route('POST /stock/transfers', {
      summary: 'Transfer stock to another warehouse (immediate)',
      ...moves,
      schemas: schemas.transferSchemas,
      run: ({ body, actor }) => stock.transfer(body, actor),
    }),
    route('POST /stock/adjustments', {
      summary: 'Adjust stock with a reason code (found, lost, damaged, expired, count_correction)',
      ...moves,
      schemas: schemas.adjustmentSchemas,
      run: ({ body, actor }) => stock.adjust(body, actor),
    }),
    route('POST /stock/disposals', {
      summary: 'Dispose of damaged or expired stock',
      ...moves,
      schemas: schemas.disposalSchemas,
      run: ({ body, actor }) => stock.dispose(body, actor),
    }),
    route('POST /stock/issues', {
      summary: 'Issue stock (FEFO when no lot is named; never damaged or expired)',
      ...moves,
      schemas: schemas.issueSchemas,
      run: ({ body, actor }) => stock.issue(body, actor),
    }),
    route('POST /stock/kits/assemble', {
      summary: 'Assemble kits from their components',
      ...moves,
      schemas: schemas.kitSchemas,
      run: ({ body, actor }) => stock.assembleKits(body, actor),
    }),
    route('POST /stock/kits/disassemble', {
      summary: 'Take kits apart into their components',
      ...moves,
      schemas: schemas.kitSchemas,
      run: ({ body, actor }) => stock.disassembleKits(body, actor),
    }),
    route('POST /stock/reservations', {
      summary:
        'Reserve stock for a source document (FEFO across balances when no lot is named; never damaged or expired)',
      ...moves,
      schemas: schemas.reserveSchemas,
      run: ({ body, actor }) => reservations.reserve(body, actor),
    }),
    route('POST /stock/reservations/release', {
      summary: "Release a source document's reservations: all, or part (latest expiry first)",
      access: 'stock:write',
      idempotent: true,
      schemas: schemas.releaseSchemas,
      run: ({ body, actor }) => reservations.release(body, actor),
    }),
    route('POST /stock/reservations/issue', {
      summary: "Issue a source document's reserved stock (consumes its reservations, FEFO when part)",
      ...moves,
      schemas: schemas.issueReservedSchemas,
      run: ({ body, actor }) => reservations.issueReserved(body, actor),
    }),
    route('GET /stock/reservations', {
      summary: 'Reservations of a source document, warehouse, item or balance, newest first',
      access: 'stock:read',
      schemas: schemas.listReservationsSchemas,
      run: ({ query, actor }) => reservations.listReservations(query, actor),
    }),
    route('GET /stock/counts', {
      summary: 'List physical counts',
      access: 'stock:read',
      schemas: schemas.listCountsSchemas,
      run: ({ query, actor }) => counts.listCounts(query, actor),
    }),
    route('POST /stock/counts', {
      summary: 'Start a physical count of a warehouse or location (snapshots expected quantities)',
      ...moves,
      schemas: schemas.startCountSchemas,
      run: ({ body, actor }) => counts.startCount(body, actor),
    }),
    route('GET /stock/counts/:id', {
      summary: 'Get a physical count with its lines',
      access: 'stock:read',
      schemas: schemas.countIdSchemas,
      run: ({ params, actor }) => counts.getCount(params.id, actor),
    }),
    route('POST /stock/counts/:id/lines', {
      summary: 'Record counted quantities',
      ...countStep,
      schemas: schemas.countLinesSchemas,
      run: ({ params, body, actor }) => counts.recordCountLines(params.id, body, actor),
    }),
    route('POST /stock/counts/:id/post', {
      summary: 'Post a count: differences become count_correction adjustments',
      ...countStep,
      schemas: schemas.countIdSchemas,
      run: ({ params, actor }) => counts.postCount(params.id, actor),
    }),
    route('POST /stock/counts/:id/cancel', {
      summary: 'Cancel an open count',
      ...countStep,
      schemas: schemas.countIdSchemas,
      run: ({ params, actor }) => counts.cancelCount(params.id, actor),
    }),
    route('POST /stock/ledger/:id/reverse', {
      summary: 'Reverse the stock operation of a ledger entry with reversing entries',
      ...moves,
      schemas: schemas.reverseSchemas,
      run: ({ params, body, actor }) => stock.reverseEntry(params.id, body, actor),
    }),
  ];
}
