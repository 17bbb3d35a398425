/** API keys for scripts and integrations, managed by admins ('apikeys:manage'). */
import type { RouteDefinition } from '../../http/route-registry';
import { apiKeyIdSchemas, createApiKeySchemas, listApiKeysSchemas } from './api-keys.schemas';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service';

export function apiKeyRoutes(): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/api-keys',
      summary: 'List API keys (never the keys themselves)',
      access: 'apikeys:manage',
      schemas: listApiKeysSchemas,
      handler: async (_req, res) => {
        res.json(await listApiKeys(res.locals.input.query));
      },
    },
    {
      // Not idempotent on purpose: replaying the answer would mean storing the key in clear.
      method: 'post',
      path: '/api-keys',
      summary: 'Create an API key; the answer holds the key, shown this once',
      access: 'apikeys:manage',
      schemas: createApiKeySchemas,
      success: { status: 201 },
      handler: async (_req, res) => {
        res
          .status(201)
          .set('Cache-Control', 'no-store')
          .json(await createApiKey(res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'post',
      path: '/api-keys/:id/revoke',
      summary: 'Revoke an API key: it stops working at once',
      access: 'apikeys:manage',
      schemas: apiKeyIdSchemas,
      handler: async (_req, res) => {
        res.json(await revokeApiKey(res.locals.input.params.id, res.locals.actor));
      },
    },
  ];
}
