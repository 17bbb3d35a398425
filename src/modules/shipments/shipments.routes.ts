import type { Lang } from '../../documents/labels';
import { type RouteDefinition, route } from '../../http/route-registry';
import * as documents from './shipments.documents';
import * as flow from './shipments.flow';
import * as receiving from './shipments.receiving';
import * as schemas from './shipments.schemas';
import * as shipments from './shipments.service';

const pdf = (description: string) => ({ status: 200, contentType: 'application/pdf' as const, description });

/**
 * Logistics plans, packs and dispatches (`shipments:write`, `shipments:pack`); warehouse staff pack and receive
 * (`shipments:pack`, `shipments:receive`); the consignee organisation reads a shipment addressed to it from dispatch
 * on and receives it. Every creating call and every transition is idempotent.
 */
export function shipmentRoutes(): RouteDefinition[] {
  const step = (
    path: `/${string}`,
    summary: string,
    run: (id: string, actor: Parameters<typeof flow.packShipment>[1]) => Promise<unknown>,
    access: 'shipments:write' | 'shipments:pack' | 'shipments:receive' = 'shipments:write',
  ) =>
    route(`POST /shipments/:id/${path.slice(1)}`, {
      summary,
      tag: 'shipments',
      access,
      schemas: schemas.shipmentIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => run(params.id, actor),
    });
  return [
    route('GET /shipments', {
      summary: 'List shipments: the organisation’s own and those consigned to it from dispatch on',
      access: 'shipments:read',
      schemas: schemas.listShipmentsSchemas,
      run: ({ query, actor }) => shipments.listShipments(query, actor),
    }),
    route('POST /shipments', {
      summary: 'Plan a shipment (inbound starts as expected, the others as draft)',
      access: 'shipments:write',
      schemas: schemas.createShipmentSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => shipments.createShipment(body, actor),
    }),
    route('GET /shipments/incoming', {
      summary: 'Goods on their way to the organisation’s warehouses (incoming, never available)',
      tag: 'shipments',
      access: 'shipments:read',
      schemas: schemas.incomingSchemas,
      run: ({ query, actor }) => shipments.incoming(query, actor),
    }),
    route('GET /shipments/:id', {
      summary: 'Get a shipment with its handling units',
      access: 'shipments:read',
      schemas: schemas.shipmentIdSchemas,
      run: ({ params, actor }) => shipments.getShipment(params.id, actor),
    }),
    route('PATCH /shipments/:id', {
      summary: 'Edit an expected or draft shipment',
      access: 'shipments:write',
      schemas: schemas.updateShipmentSchemas,
      run: ({ params, body, actor }) => shipments.updateShipment(params.id, body, actor),
    }),
    route('POST /shipments/:id/transport-units', {
      summary: 'Add a vehicle or a container (ISO 6346 number, seals)',
      tag: 'shipments',
      access: 'shipments:write',
      schemas: schemas.addTransportUnitSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => shipments.addTransportUnit(params.id, body, actor),
    }),
    route('POST /shipments/:id/units', {
      summary: 'Add handling units (pallets, boxes, bales, bundles), many at once, with their lines',
      tag: 'shipments',
      access: 'shipments:pack',
      schemas: schemas.addHandlingUnitsSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => shipments.addHandlingUnits(params.id, body, actor),
    }),
    route('POST /shipments/:id/units/:unitId/move', {
      summary: 'Move a handling unit onto another (a box to another pallet) or into another transport unit',
      tag: 'shipments',
      access: 'shipments:pack',
      schemas: schemas.moveHandlingUnitSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => shipments.moveHandlingUnit(params.id, params.unitId, body, actor),
    }),
    route('DELETE /shipments/:id/units/:unitId', {
      summary: 'Remove an empty handling unit from a draft shipment',
      tag: 'shipments',
      access: 'shipments:pack',
      schemas: schemas.removeHandlingUnitSchemas,
      run: ({ params, actor }) => shipments.removeHandlingUnit(params.id, params.unitId, actor),
    }),
    step('/pack', 'Pack: reserve the goods at the origin and seal the units', flow.packShipment, 'shipments:pack'),
    step('/unpack', 'Unpack a packed shipment: release its reservations', flow.unpackShipment, 'shipments:pack'),
    step(
      '/dispatch',
      'Dispatch: the reserved goods leave the origin into transit, in one operation',
      flow.dispatchShipment,
    ),
    step(
      '/arrive',
      'Record the arrival (by the consignee’s staff, or the shipper’s)',
      flow.arriveShipment,
      'shipments:receive',
    ),
    step('/cancel', 'Cancel before dispatch (reservations are released)', flow.cancelShipment),
    step('/close', 'Close a received shipment', flow.closeShipment),
    route('POST /shipments/:id/lost', {
      summary: 'Write off units lost in transit (some, or all: then the shipment is lost)',
      tag: 'shipments',
      access: 'shipments:write',
      schemas: schemas.lostSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => flow.markLost(params.id, body, actor),
    }),
    route('POST /shipments/:id/reverse', {
      summary: 'Reverse a dispatch: the goods go back to the origin and the shipment is cancelled',
      tag: 'shipments',
      access: 'shipments:write',
      schemas: schemas.reverseSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => flow.reverseDispatch(params.id, body, actor),
    }),
    route('POST /shipments/:id/customs-events', {
      summary: 'Record a dated customs event (entry, hold, release)',
      tag: 'shipments',
      access: 'shipments:write',
      schemas: schemas.customsEventSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => shipments.recordCustomsEvent(params.id, body, actor),
    }),
    route('GET /shipments/:id/receipts', {
      summary: 'Receipts of a shipment',
      tag: 'shipments',
      access: 'shipments:read',
      schemas: schemas.shipmentIdSchemas,
      run: ({ params, actor }) => receiving.listReceipts(params.id, actor),
    }),
    route('POST /shipments/:id/receipts', {
      summary: 'Open a receipt (blind: the counter does not see the expected quantities)',
      tag: 'shipments',
      access: 'shipments:receive',
      schemas: schemas.openReceiptSchemas,
      idempotent: true,
      success: 201,
      run: ({ params, body, actor }) => receiving.openReceipt(params.id, body, actor),
    }),
    route('GET /shipments/:id/receipts/:receiptId', {
      summary: 'Get a receipt (a blind one without expected figures until posted)',
      tag: 'shipments',
      access: 'shipments:read',
      schemas: schemas.receiptIdSchemas,
      run: ({ params, actor }) => receiving.getReceipt(params.id, params.receiptId, actor),
    }),
    route('POST /shipments/:id/receipts/:receiptId/counts', {
      summary: 'Record counts: good, damaged, short per line, with reason, lot, expiry and bin; excess',
      tag: 'shipments',
      access: 'shipments:receive',
      schemas: schemas.receiptCountsSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => receiving.recordCounts(params.id, params.receiptId, body, actor),
    }),
    route('POST /shipments/:id/receipts/:receiptId/post', {
      summary:
        'Sign the receipt: goods onto the shelves, shortfalls written off, GRN number (final: the rest is short)',
      tag: 'shipments',
      access: 'shipments:receive',
      schemas: schemas.postReceiptSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => receiving.postReceipt(params.id, params.receiptId, body, actor),
    }),
    route('GET /shipments/:id/receipts/:receiptId/grn.pdf', {
      summary: 'The goods received note of a posted receipt (kk, ru or en)',
      tag: 'shipments',
      access: 'shipments:read',
      schemas: schemas.receiptDocumentSchemas,
      success: pdf('The goods received note'),
      run: ({ params, query, actor }) =>
        documents.goodsReceivedNote(params.id, params.receiptId, query.lang as Lang, actor),
    }),
    ...(
      [
        ['manifest', 'manifest', 'The cargo manifest: every handling unit with its lines, weights and volume'],
        ['packing-list', 'packing_list', 'The packing list: one row per package n/N'],
        ['gift-certificate', 'gift_certificate', 'The gift (donation) certificate for customs'],
        ['labels', 'labels', 'A6 labels of every handling unit'],
      ] as const
    ).map(([file, type, summary]) =>
      route(`GET /shipments/:id/${file}.pdf`, {
        summary: `${summary} (kk, ru or en)`,
        tag: 'shipments',
        access: 'shipments:read',
        schemas: schemas.documentSchemas,
        success: pdf(summary),
        run: ({ params, query, actor }) => documents.shipmentDocument(params.id, type, query.lang as Lang, actor),
      }),
    ),
    ...(
      [
        ['manifest', 'unit_manifest', 'The cargo manifest of one transport unit'],
        ['waybill', 'waybill', 'The waybill of a vehicle, with its signature grid'],
      ] as const
    ).map(([file, type, summary]) =>
      route(`GET /shipments/:id/transport-units/:transportUnitId/${file}.pdf`, {
        summary: `${summary} (kk, ru or en)`,
        tag: 'shipments',
        access: 'shipments:read',
        schemas: schemas.transportDocumentSchemas,
        success: pdf(summary),
        run: ({ params, query, actor }) =>
          documents.transportUnitDocument(params.id, params.transportUnitId, type, query.lang as Lang, actor),
      }),
    ),
  ];
}
