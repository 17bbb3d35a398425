import { type RouteDefinition, route } from '../../http/route-registry';
import * as requests from './aid-requests.service';
import { distributionListPdf, handOverReceiptPdf } from './distributions.documents';
import * as schemas from './distributions.schemas';
import * as distributions from './distributions.service';

const PDF = { status: 200, contentType: 'application/pdf', description: 'The PDF' } as const;

export function distributionRoutes(): RouteDefinition[] {
  return [
    route('POST /distribution-batches', {
      summary: "Open a site's distribution batch for a round, served from one warehouse",
      access: 'distributions:write',
      schemas: schemas.createBatchSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => distributions.createBatch(body, actor),
    }),
    route('GET /distribution-batches', {
      summary: "The organisation's distribution days, the latest planned first; by state, dates, site or round",
      access: 'distributions:read',
      schemas: schemas.listBatchesSchemas,
      run: ({ query, actor }) => distributions.listBatches(query, actor),
    }),
    route('POST /distribution-batches/:id/allocations', {
      summary: 'Allocate to up to 200 enrolled households at once, reserving their entitlement',
      access: 'distributions:write',
      schemas: schemas.allocateSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => distributions.allocate(params.id, body, actor),
    }),
    route('GET /distribution-batches/:id/due', {
      summary: 'What each household is due, what is reserved and what is short',
      access: 'distributions:read',
      schemas: schemas.batchIdSchemas,
      run: ({ params, actor }) => distributions.dueList(params.id, actor),
    }),
    route('GET /distribution-batches/:id/distribution-list.pdf', {
      summary: 'The paper distribution list, split by settlement, with totals and a signature column',
      access: 'distributions:read',
      schemas: schemas.documentSchemas,
      success: PDF,
      run: ({ params, query, actor }) => distributionListPdf(params.id, query.lang, actor),
    }),
    route('POST /distribution-batches/:id/paper-sheet', {
      summary: 'Fill in a signed paper distribution list in one call (one transaction)',
      access: 'distributions:write',
      schemas: schemas.paperSheetSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => distributions.recordPaperSheet(params.id, body, actor),
    }),
    route('GET /distribution-batches/:id/reconciliation', {
      summary: 'Reserved (dispatched to the site) against distributed, per item',
      access: 'distributions:read',
      schemas: schemas.batchIdSchemas,
      run: ({ params, actor }) => distributions.reconcile(params.id, actor),
    }),
    route('POST /distribution-batches/:id/close', {
      summary: 'After the day: release what was not taken, or keep it reserved for a later day',
      access: 'distributions:write',
      schemas: schemas.closeBatchSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => distributions.closeBatch(params.id, body.rest, actor),
    }),
    route('POST /allocations/:id/cancel', {
      summary: 'Cancel an allocation: its reserved stock is released',
      access: 'distributions:write',
      schemas: schemas.cancelAllocationSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => distributions.cancelAllocation(params.id, body.reason, actor),
    }),
    route('POST /allocations/:id/hand-over', {
      summary: 'Record a hand-over (all, part or nothing; head or proxy; proof) and issue it against the reservation',
      access: 'distributions:write',
      schemas: schemas.handOverSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => distributions.handOver(params.id, body, actor),
    }),
    route('GET /hand-overs/:id/receipt.pdf', {
      summary: "The household's receipt for a hand-over (kk, ru or en)",
      access: 'distributions:read',
      schemas: schemas.documentSchemas,
      success: PDF,
      run: ({ params, query, actor }) => handOverReceiptPdf(params.id, query.lang, actor),
    }),
    route('POST /aid-requests', {
      summary: 'Ask a warehouse for goods (for a programme or an institution, needed by a date)',
      access: 'distributions:write',
      schemas: schemas.submitRequestSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => requests.submitRequest(body, actor),
    }),
    route('GET /aid-requests', {
      summary: "The organisation's requests and those addressed to it",
      access: 'distributions:read',
      schemas: schemas.listRequestsSchemas,
      run: ({ query, actor }) => requests.listRequests(query, actor),
    }),
    route('GET /aid-requests/:id', {
      summary: 'A request with what was approved and delivered',
      access: 'distributions:read',
      schemas: schemas.requestIdSchemas,
      run: ({ params, actor }) => requests.getRequest(params.id, actor),
    }),
    route('POST /aid-requests/:id/decision', {
      summary: 'Approve a request fully or partly, per line (0 rejects a line)',
      access: 'stock:write',
      schemas: schemas.decideRequestSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => requests.decideRequest(params.id, body, actor),
    }),
    route('POST /aid-requests/:id/allocations', {
      summary: 'Fulfil a request by an allocation batch: what its hand-overs issued counts as delivered',
      access: 'distributions:write',
      schemas: schemas.linkAllocationSchemas,
      idempotent: true,
      run: ({ params, body, actor }) =>
        requests.fulfilRequest(params.id, { kind: 'allocation_batch', id: body.batchId }, actor),
    }),
    route('POST /aid-requests/:id/shipments', {
      summary: 'Fulfil a request by a shipment, with the quantities it delivered',
      access: 'stock:write',
      schemas: schemas.recordShipmentSchemas,
      idempotent: true,
      run: ({ params, body, actor }) =>
        requests.fulfilRequest(params.id, { kind: 'shipment', id: body.shipmentId, delivered: body.delivered }, actor),
    }),
  ];
}
