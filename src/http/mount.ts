/**
 * Turns the route registry into Express routes. Every route gets the same chain, in this order:
 * authenticate (unless public) → authorize(access) → idempotency (when declared) → validate(schemas) → handler.
 * Nothing else mounts API routes, so no route can forget its guard or its validation.
 */
import type { RequestHandler, Router } from 'express';
import { authenticate, authorize } from './auth';
import { idempotency } from './idempotency';
import type { RouteDefinition, RouteRegistry } from './route-registry';
import { validate } from './validate';

export const API_PREFIX = '/api/v1';

/** The path a route is served at: below /api/v1, except the absolute /health routes. */
export function fullPath(route: Pick<RouteDefinition, 'path'>): string {
  // /verify/<code> is what QR codes print: short, outside the versioned API.
  return /^\/(health|verify)\b/.test(route.path) ? route.path : `${API_PREFIX}${route.path}`;
}

export function chainOf(route: RouteDefinition): RequestHandler[] {
  const chain: RequestHandler[] = [];
  if (route.access !== 'public') chain.push(authenticate, authorize(route.access));
  if (route.idempotent) chain.push(idempotency());
  chain.push(validate(route.schemas), route.handler as RequestHandler);
  return chain;
}

export function mountRoutes(router: Router, registry: RouteRegistry): Router {
  for (const route of registry.all()) {
    router[route.method](fullPath(route), ...chainOf(route));
  }
  return router;
}
