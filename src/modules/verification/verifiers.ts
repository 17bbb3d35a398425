/**
 * What the public verification page shows for each kind of document: only what the document's holder may see.
 * A donor holding a donation receipt sees the donation's journey; a customs officer holding a manifest sees its
 * totals and status. Each document module adds its entry (issue 11: 'waybill', 'manifest'; issue 12:
 * 'household_receipt'), returning a title and plain fields, never personal data.
 */
import { SHIPMENT_DOCUMENT_TYPES, verifiedShipmentDocument } from '../shipments';
import { traceDonation } from './traceability';

export interface VerifiedDocument {
  /** Localised title of the document kind. */
  title: { kk: string; ru: string; en: string };
  /** Document number, date and issuer as printed. */
  fields: Record<string, string>;
  /** Extra content for the holder (a donation's journey, a manifest's totals). */
  content?: Record<string, unknown>;
}

export type Verifier = (documentId: string) => Promise<VerifiedDocument>;

export const VERIFIERS: Record<string, Verifier> = {
  donation_receipt: async (donationId) => {
    const trace = await traceDonation(donationId);
    return {
      title: { kk: 'Қайырмалдықты қабылдау түбіртегі', ru: 'Квитанция о приёме пожертвования', en: 'Donation receipt' },
      fields: {
        number: trace.donation.number,
        receivedOn: trace.donation.receivedOn,
        warehouse: trace.donation.warehouse,
        status: trace.donation.status,
      },
      content: { journey: trace.items },
    };
  },
  // Issue 11: every shipment document (manifests, waybills, packing lists, gift certificates, GRNs, labels).
  ...Object.fromEntries(SHIPMENT_DOCUMENT_TYPES.map((type) => [`shipment_${type}`, verifiedShipmentDocument])),
};
