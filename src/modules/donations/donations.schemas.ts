import Joi from 'joi';
import type { Lang } from '../../documents/labels';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { quantityValue, unitCode } from '../catalog';
import { lot } from '../stock';
import { locationCode } from '../warehouses';
import { CURRENCIES, DONATION_STATUSES, LINE_CONDITIONS } from './donations.model';
import type { DonationInput, DonationQuery, DonationUpdate } from './donations.service';
import { RECEIPT_CONFIRMATIONS } from './receipt-checks';

const money = Joi.object({
  amount: Joi.alternatives()
    .try(
      Joi.string()
        .trim()
        .max(24)
        .pattern(/^(\d+\.?\d*|\.\d+)$/),
      Joi.number().min(0),
    )
    .required()
    .messages({ 'alternatives.match': '{{#label}} must be a decimal amount, 0 or more' }),
  currency: Joi.string()
    .trim()
    .uppercase()
    .valid(...CURRENCIES)
    .required(),
});

const line = Joi.object({
  itemId: objectId().required(),
  quantity: quantityValue().required(),
  unit: unitCode(),
  condition: Joi.string()
    .valid(...LINE_CONDITIONS)
    .default('new'),
  lot: lot().allow(null),
  expiryDate: Joi.date().iso().allow(null),
  estimatedValue: money.allow(null),
  locationCode: locationCode().allow(null),
});

const fields = {
  donorId: objectId(),
  warehouseId: objectId(),
  receivedAt: Joi.date().iso(),
  lines: arrayOf(line, 500).min(1),
  notes: Joi.string().trim().max(2000).allow('', null),
  /** Doubts about the lines the clerk confirms (receipt-checks.ts): goods already expired, a line larger than a delivery. */
  confirm: arrayOf(Joi.string().valid(...RECEIPT_CONFIRMATIONS), RECEIPT_CONFIRMATIONS.length).unique(),
};

export const createDonationSchemas = {
  body: Joi.object<DonationInput>({
    ...fields,
    donorId: fields.donorId.required(),
    warehouseId: fields.warehouseId.required(),
    lines: fields.lines.required(),
    /** Create and receive in one step (one transaction). */
    receive: Joi.boolean().default(false),
  }),
};

export const updateDonationSchemas = {
  params: idParams,
  body: Joi.object<DonationUpdate>(fields).min(1).with('confirm', 'lines'),
};

export const donationIdSchemas = { params: idParams };

export const reverseDonationSchemas = {
  params: idParams,
  body: Joi.object<{ reason: string }>({ reason: Joi.string().trim().min(1).max(500).required() }),
};

export const receiptSchemas = {
  params: idParams,
  query: Joi.object<{ lang: Lang }>({ lang: Joi.string().valid('kk', 'ru', 'en').default('ru') }),
};

export const listDonationsSchemas = {
  query: Joi.object<DonationQuery>({
    ...paginationKeys,
    status: Joi.string().valid(...DONATION_STATUSES),
    donorId: objectId(),
    warehouseId: objectId(),
    number: Joi.string()
      .trim()
      .uppercase()
      .max(32)
      .pattern(/^[A-Z0-9-]+$/),
    from: Joi.date().iso(),
    to: Joi.date().iso(),
  }),
};
