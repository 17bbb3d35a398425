/** API keys for scripts and integrations, managed by admins ('apikeys:manage'). */
import { type RouteDefinition, route } from '../../http/route-registry';
import * as schemas from './api-keys.schemas';
import * as apiKeys from './api-keys.service';

export function apiKeyRoutes(): RouteDefinition[] {
  return [
    route('GET /api-keys', {
      summary: 'List API keys (never the keys themselves)',
      access: 'apikeys:manage',
      schemas: schemas.listApiKeysSchemas,
      run: ({ query, actor }) => apiKeys.listApiKeys(query, actor),
    }),
    // Not idempotent on purpose: replaying the answer would mean storing the key in clear.
    route('POST /api-keys', {
      summary: 'Create an API key; the answer holds the key, shown this once',
      access: 'apikeys:manage',
      schemas: schemas.createApiKeySchemas,
      success: 201,
      headers: { 'Cache-Control': 'no-store' },
      run: ({ body, actor }) => apiKeys.createApiKey(body, actor),
    }),
    route('POST /api-keys/:id/revoke', {
      summary: 'Revoke an API key: it stops working at once',
      access: 'apikeys:manage',
      schemas: schemas.apiKeyIdSchemas,
      run: ({ params, actor }) => apiKeys.revokeApiKey(params.id, actor),
    }),
  ];
}
