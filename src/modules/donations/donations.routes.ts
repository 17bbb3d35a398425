import { type RouteDefinition, route } from '../../http/route-registry';
import { donationReceiptPdf } from './donations.receipt';
import * as schemas from './donations.schemas';
import * as donations from './donations.service';

export function donationRoutes(): RouteDefinition[] {
  return [
    route('GET /donations', {
      summary: 'List donations',
      access: 'donations:read',
      schemas: schemas.listDonationsSchemas,
      run: ({ query, actor }) => donations.listDonations(query, actor),
    }),
    route('POST /donations', {
      summary: 'Record a donation as a draft (or, with receive: true, receive it at once)',
      access: 'donations:write',
      schemas: schemas.createDonationSchemas,
      idempotent: true,
      success: 201,
      run: ({ body, actor }) => donations.createDonation(body, actor),
    }),
    route('GET /donations/:id', {
      summary: 'Get a donation',
      access: 'donations:read',
      schemas: schemas.donationIdSchemas,
      run: ({ params, actor }) => donations.getDonation(params.id, actor),
    }),
    route('PATCH /donations/:id', {
      summary: 'Edit a draft donation',
      access: 'donations:write',
      schemas: schemas.updateDonationSchemas,
      run: ({ params, body, actor }) => donations.updateDonation(params.id, body, actor),
    }),
    route('POST /donations/:id/receive', {
      summary: 'Receive a draft donation: posts its lines to stock in one transaction',
      access: 'donations:write',
      schemas: schemas.donationIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => donations.receiveDonation(params.id, actor),
    }),
    route('POST /donations/:id/cancel', {
      summary: 'Cancel a draft donation',
      access: 'donations:write',
      schemas: schemas.donationIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => donations.cancelDonation(params.id, actor),
    }),
    route('POST /donations/:id/reverse', {
      summary: 'Reverse a received donation with reversing ledger entries (fails if the goods already left)',
      access: 'donations:write',
      schemas: schemas.reverseDonationSchemas,
      idempotent: true,
      run: ({ params, body, actor }) => donations.reverseDonation(params.id, body, actor),
    }),
    route('GET /donations/:id/receipt.pdf', {
      summary: 'The donation receipt as a PDF (kk, ru or en)',
      access: 'donations:read',
      schemas: schemas.receiptSchemas,
      success: { status: 200, contentType: 'application/pdf', description: 'The receipt PDF' },
      run: ({ params, query, actor }) => donationReceiptPdf(params.id, query.lang, actor),
    }),
  ];
}
