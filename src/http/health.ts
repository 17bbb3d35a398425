/**
 * GET /health: is the service up, and can it reach its database? Load balancers and the operator's first
 * question after `npm start`. Public, cheap, and honest: 503 when the database does not answer.
 */
import { config } from '../config';
import { databaseStatus } from '../db/transaction';
import { type RouteDefinition, reply, route } from './route-registry';

export function healthRoutes(): RouteDefinition[] {
  return [
    route('GET /health', {
      summary: 'Service health, with the database status and backend (embedded or mongodb)',
      tag: 'system',
      access: 'public',
      success: { status: 200, description: 'Up; 503 with the same body when the database is down' },
      run: async () => {
        const database = await databaseStatus();
        const up = database.status === 'up';
        return reply(up ? 200 : 503, { status: up ? 'ok' : 'unavailable', database, version: config.version });
      },
    }),
  ];
}
