import { pagination } from '../../http/joi-rules';
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './alerts.schemas';
import * as alerts from './alerts.service';
import * as levels from './minimum-levels.service';
import * as webhooks from './webhooks.service';

export function alertRoutes(): RouteDefinition[] {
  return [
    route('GET /alerts', {
      summary: 'List alerts (newest sighting first); filter by status, kind, severity, active',
      access: 'alerts:read',
      schemas: schemas.listAlertsSchemas,
      run: ({ query, actor }) => alerts.listAlerts(query, actor),
    }),
    route('GET /alerts/:id', {
      summary: 'Get an alert',
      access: 'alerts:read',
      schemas: schemas.alertIdSchemas,
      run: ({ params, actor }) => alerts.getAlert(params.id, actor),
    }),
    route('POST /alerts/:id/acknowledge', {
      summary: 'Acknowledge an open alert (it stays active, and is not raised again, until its condition clears)',
      access: 'alerts:write',
      schemas: schemas.alertIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => alerts.acknowledgeAlert(params.id, actor),
    }),
    route('GET /minimum-levels', {
      summary: 'List minimum stock levels per item and warehouse',
      tag: 'alerts',
      access: 'stock:read',
      schemas: schemas.listMinimumLevelsSchemas,
      run: ({ query, actor }) => levels.listMinimumLevels(query, actor),
    }),
    route('PUT /minimum-levels', {
      summary: 'Set the minimum stock level of an item in a warehouse (replaces the previous one)',
      tag: 'alerts',
      access: 'stock:write',
      schemas: schemas.setMinimumLevelSchemas,
      run: ({ body, actor }) => levels.setMinimumLevel(body, actor),
    }),
    route('DELETE /minimum-levels/:id', {
      summary: 'Remove a minimum stock level',
      tag: 'alerts',
      access: 'stock:write',
      schemas: schemas.minimumLevelIdSchemas,
      success: 204,
      run: ({ params, actor }) => levels.removeMinimumLevel(params.id, actor),
    }),
    route('GET /webhooks', {
      summary: "List the organisation's webhooks (secrets are never shown again)",
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: { query: pagination },
      run: ({ query, actor }) => webhooks.listWebhooks(query, actor),
    }),
    route('POST /webhooks', {
      summary: 'Register a webhook for alert events; the answer shows its signing secret once',
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: schemas.createWebhookSchemas,
      idempotent: true,
      success: 201,
      headers: { 'Cache-Control': 'no-store' },
      run: ({ body, actor }) => webhooks.createWebhook(body, actor),
    }),
    route('POST /webhooks/:id/deactivate', {
      summary: 'Stop a webhook',
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: schemas.webhookIdSchemas,
      idempotent: true,
      run: ({ params, actor }) => webhooks.deactivateWebhook(params.id, actor),
    }),
    route('GET /webhooks/:id/deliveries', {
      summary: "A webhook's delivery log: every attempt with the receiver's status",
      tag: 'alerts',
      access: 'webhooks:manage',
      schemas: schemas.listDeliveriesSchemas,
      run: ({ params, query, actor }) => webhooks.listDeliveries(params.id, query, actor),
    }),
  ];
}
