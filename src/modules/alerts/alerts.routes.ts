import { pagination } from '../../http/joi-rules';
import type { RouteDefinition } from '../../http/route-registry';
import * as schemas from './alerts.schemas';
import * as alerts from './alerts.service';
import * as levels from './minimum-levels.service';
import * as webhooks from './webhooks.service';

export function alertRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/alerts',
      summary: 'List alerts (newest sighting first); filter by status, kind, severity, active',
      tag: 'alerts',
      access: 'alerts:read',
      schemas: schemas.listAlertsSchemas,
      handler: async (_req, res) => {
        res.json(await alerts.listAlerts(res.locals.input.query, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/alerts/:id',
      summary: 'Get an alert',
      tag: 'alerts',
      access: 'alerts:read',
      schemas: schemas.alertIdSchemas,
      handler: async (_req, res) => {
        res.json(await alerts.getAlert(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/alerts/:id/acknowledge',
      summary: 'Acknowledge an open alert (it stays active, and is not raised again, until its condition clears)',
      tag: 'alerts',
      access: 'alerts:write',
      schemas: schemas.alertIdSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await alerts.acknowledgeAlert(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/minimum-levels',
      summary: 'List minimum stock levels per item and warehouse',
      tag: 'alerts',
      access: 'stock:read',
      schemas: schemas.listMinimumLevelsSchemas,
      handler: async (_req, res) => {
        res.json(await levels.listMinimumLevels(res.locals.input.query, res.locals.actor));
      },
    },
    {
      method: 'put',
      path: '/minimum-levels',
      summary: 'Set the minimum stock level of an item in a warehouse (replaces the previous one)',
      tag: 'alerts',
      access: 'stock:write',
      schemas: schemas.setMinimumLevelSchemas,
      handler: async (_req, res) => {
        res.json(await levels.setMinimumLevel(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'delete',
      path: '/minimum-levels/:id',
      summary: 'Remove a minimum stock level',
      tag: 'alerts',
      access: 'stock:write',
      schemas: schemas.minimumLevelIdSchemas,
      success: { status: 204 },
      handler: async (_req, res) => {
        await levels.removeMinimumLevel(res.locals.input.params.id, res.locals.actor);
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/webhooks',
      summary: "List the organisation's webhooks (secrets are never shown again)",
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: { query: pagination },
      handler: async (_req, res) => {
        res.json(await webhooks.listWebhooks(res.locals.input.query, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/webhooks',
      summary: 'Register a webhook for alert events; the answer shows its signing secret once',
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: schemas.createWebhookSchemas,
      idempotent: true,
      success: { status: 201 },
      handler: async (_req, res) => {
        res.status(201).json(await webhooks.createWebhook(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/webhooks/:id/deactivate',
      summary: 'Stop a webhook',
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: schemas.webhookIdSchemas,
      idempotent: true,
      handler: async (_req, res) => {
        res.json(await webhooks.deactivateWebhook(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/webhooks/:id/deliveries',
      summary: "A webhook's delivery log: every attempt with the receiver's status",
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: schemas.listDeliveriesSchemas,
      handler: async (_req, res) => {
        res.json(await webhooks.listDeliveries(res.locals.input.params.id, res.locals.input.query, res.locals.actor));
      },
    },
  ];
}
