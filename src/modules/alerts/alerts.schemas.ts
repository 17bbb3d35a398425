import Joi from 'joi';
import { arrayOf, idParams, objectId, paginationKeys } from '../../http/joi-rules';
import { quantityValue, unitCode } from '../catalog';
import { ALERT_KINDS, ALERT_STATUSES, SEVERITIES } from './alerts.model';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS } from './webhooks.model';

export const listAlertsSchemas = {
  query: Joi.object({
    ...paginationKeys,
    status: Joi.string().valid(...ALERT_STATUSES),
    kind: Joi.string().valid(...ALERT_KINDS),
    severity: Joi.string().valid(...SEVERITIES),
    active: Joi.boolean(),
  }),
};

export const alertIdSchemas = { params: idParams };

export const setMinimumLevelSchemas = {
  body: Joi.object({
    warehouseId: objectId().required(),
    itemId: objectId().required(),
    minimum: quantityValue().required(),
    unit: unitCode(),
  }),
};

export const listMinimumLevelsSchemas = {
  query: Joi.object({ ...paginationKeys, warehouseId: objectId(), itemId: objectId() }),
};

export const minimumLevelIdSchemas = { params: idParams };

export const createWebhookSchemas = {
  body: Joi.object({
    url: Joi.string()
      .trim()
      .max(2000)
      .uri({ scheme: ['https', 'http'] })
      .required(),
    events: arrayOf(Joi.string().valid(...WEBHOOK_EVENTS), WEBHOOK_EVENTS.length)
      .min(1)
      .default(['alert.raised', 'alert.escalated']),
    organisationId: objectId().allow(null),
  }),
};

export const webhookIdSchemas = { params: idParams };

export const listDeliveriesSchemas = {
  params: idParams,
  query: Joi.object({ ...paginationKeys, status: Joi.string().valid(...DELIVERY_STATUSES) }),
};
