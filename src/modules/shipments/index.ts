/**
 * The shipments module's face: what other modules may use. It owns shipments (inbound, outbound, transfers between
 * an organisation's warehouses, deliveries to another organisation), their transport and handling units, receipts and
 * documents. Stock moves only through the stock module's face (reserve at packing, transit at dispatch, receipts).
 *
 * A shipment belongs to its shipper's organisation and is addressed to its consignee organisation, which reads it from
 * dispatch on and receives it (owned(Shipment, actor).addressed('consigneeOrganisationId')).
 */

export { isValidContainerNumber } from './iso6346';
export { type VerifiedShipmentDocument, verifiedShipmentDocument } from './shipments.documents';
export { DOCUMENT_TYPES as SHIPMENT_DOCUMENT_TYPES, Shipment, type ShipmentRecord } from './shipments.model';
export { type IncomingLine, incoming, loadOwnShipment } from './shipments.service';
