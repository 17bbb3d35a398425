/** The audit log, read by admins. Entries are written by the services that make each change, never over HTTP. */
import type { RouteDefinition } from '../../http/route-registry';
import { listAuditSchemas } from './audit.schemas';
import { listAuditEntries } from './audit.service';

export function auditRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/audit',
      summary: 'List audit entries, newest first, filtered by actor, organisation, target, action and time',
      access: 'audit:read',
      schemas: listAuditSchemas,
      handler: async (_req, res) => {
        res.json(await listAuditEntries(res.locals.input.query));
      },
    },
  ];
}
