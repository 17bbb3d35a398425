import type { RouteDefinition } from '../../http/route-registry';
import { donationReceiptPdf } from './donations.receipt';
import * as schemas from './donations.schemas';
import * as donations from './donations.service';

export function donationRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/donations',
      summary: 'List donations',
      tag: 'donations',
      access: 'donations:read',
      schemas: schemas.listDonationsSchemas,
      handler: async (_req, res) => {
        res.json(await donations.listDonations(res.locals.input.query));
      },
    },
    {
      method: 'post',
      path: '/donations',
      summary: 'Record a donation as a draft (or, with receive: true, receive it at once)',
      tag: 'donations',
      access: 'donations:write',
      schemas: schemas.createDonationSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await donations.createDonation(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/donations/:id',
      summary: 'Get a donation',
      tag: 'donations',
      access: 'donations:read',
      schemas: schemas.donationIdSchemas,
      handler: async (_req, res) => {
        res.json(await donations.getDonation(res.locals.input.params.id));
      },
    },
    {
      method: 'patch',
      path: '/donations/:id',
      summary: 'Edit a draft donation',
      tag: 'donations',
      access: 'donations:write',
      schemas: schemas.updateDonationSchemas,
      handler: async (_req, res) => {
        res.json(await donations.updateDonation(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/donations/:id/receive',
      summary: 'Receive a draft donation: posts its lines to stock in one transaction',
      tag: 'donations',
      access: 'donations:write',
      schemas: schemas.donationIdSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await donations.receiveDonation(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/donations/:id/cancel',
      summary: 'Cancel a draft donation',
      tag: 'donations',
      access: 'donations:write',
      schemas: schemas.donationIdSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await donations.cancelDonation(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/donations/:id/reverse',
      summary: 'Reverse a received donation with reversing ledger entries (fails if the goods already left)',
      tag: 'donations',
      access: 'donations:write',
      schemas: schemas.reverseDonationSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await donations.reverseDonation(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/donations/:id/receipt.pdf',
      summary: 'The donation receipt as a PDF (kk, ru or en)',
      tag: 'donations',
      access: 'donations:read',
      schemas: schemas.receiptSchemas,
      success: { status: 200, contentType: 'application/pdf', description: 'The receipt PDF' },
      handler: async (_req, res) => {
        const { filename, pdf } = await donationReceiptPdf(res.locals.input.params.id, res.locals.input.query.lang);
        res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="${filename}"`).send(pdf);
      },
    },
  ];
}
