/** The audit log, read by admins. Entries are written by the services that make each change, never over HTTP. */
import { type RouteDefinition, route } from '../../http/route-registry';
import { listAuditSchemas } from './audit.schemas';
import { listAuditEntries } from './audit.service';

export function auditRoutes(): RouteDefinition[] {
  return [
    route('GET /audit', {
      summary: 'List audit entries, newest first, filtered by actor, organisation, target, action and time',
      access: 'audit:read',
      schemas: listAuditSchemas,
      run: ({ query, actor }) => listAuditEntries(query, actor),
    }),
  ];
}
