/**
 * Turns the route registry into Express routes. Every route gets the same chain, in this order:
 * authenticate (unless public) → authorize(access) → validate(schemas) → the route's own `before` middleware →
 * answer (run, then send; for an idempotent route, run at most once per Idempotency-Key, see idempotency.ts). Nothing else mounts API routes, so no route can forget its guard
 * or its validation.
 */
import { Readable } from 'node:stream';
import type { Request, RequestHandler, Response, Router } from 'express';
import { authenticate, authorize } from './auth';
import { type Answer, answerIdempotently } from './idempotency';
import {
  type FileAnswer,
  isReply,
  type RouteDefinition,
  type RouteRegistry,
  type ValidatedInput,
} from './route-registry';
import { validate } from './validate';

export const API_PREFIX = '/api/v1';

/** The path a route is served at: below /api/v1, except the absolute /health routes. */
export function fullPath(route: Pick<RouteDefinition, 'path'>): string {
  // /verify/<code> is what QR codes print: short, outside the versioned API.
  return /^\/(health|verify)\b/.test(route.path) ? route.path : `${API_PREFIX}${route.path}`;
}

/** Runs the route with its validated input and caller, and sends what it returns. */
function answer(route: RouteDefinition): RequestHandler {
  return async function answerRequest(req: Request, res: Response): Promise<void> {
    const { params, query, body } = res.locals.input as ValidatedInput;
    const run = () =>
      route.run({
        params,
        query,
        body,
        actor: res.locals.actor ?? null,
        credential: res.locals.credential ?? null,
        req,
      });
    if (route.headers) res.set(route.headers);
    if (route.idempotent) {
      await answerIdempotently(req, res, async () => jsonAnswerOf(route, await run()));
      return;
    }
    send(res, route, await run());
  };
}

/** The answer of a JSON route, as idempotency stores and replays it. */
function jsonAnswerOf(route: RouteDefinition, result: unknown): Answer {
  if (isReply(result)) return { status: result.status, json: JSON.stringify(result.body) };
  if (route.success.status === 204) return { status: 204 };
  return { status: route.success.status, json: JSON.stringify(result) };
}

function isFileAnswer(value: unknown): value is FileAnswer {
  return typeof value === 'object' && value !== null && 'file' in value && 'contentType' in value;
}

function send(res: Response, route: RouteDefinition, result: unknown): void {
  const { status } = route.success;
  // A file (a PDF, a CSV), whatever the route declared as its usual answer (a report answers JSON, CSV or PDF);
  // it may carry its own status (the verification page's "not genuine" is a 404 page).
  const [fileStatus, file] = isReply(result) ? [result.status, result.body] : [status, result];
  if (isFileAnswer(file)) {
    res
      .status(fileStatus)
      .type(file.contentType)
      .set('Content-Disposition', `${file.disposition ?? 'inline'}; filename="${file.filename}"`);
    if (file.file instanceof Readable) {
      // Streamed (a large CSV export): a failure half-way can only cut the answer short.
      file.file.on('error', () => res.destroy());
      file.file.pipe(res);
    } else res.send(file.file);
    return;
  }
  if (isReply(result)) {
    res.status(result.status).json(result.body);
    return;
  }
  if (status === 204) {
    res.status(204).end();
    return;
  }
  res.status(status).json(result);
}

export function chainOf(route: RouteDefinition): RequestHandler[] {
  const chain: RequestHandler[] = [];
  if (route.access !== 'public') chain.push(authenticate, authorize(route.access));
  chain.push(validate(route.schemas), ...(route.before ?? []), answer(route));
  return chain;
}

export function mountRoutes(router: Router, registry: RouteRegistry): Router {
  for (const route of registry.all()) {
    router[route.method](fullPath(route), ...chainOf(route));
  }
  return router;
}
