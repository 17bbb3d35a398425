/**
 * What a service needs to know about the request it serves without taking `req`: the request id and the caller's
 * address, for audit entries. Carried by AsyncLocalStorage, so a service called from a job or a script simply
 * sees no request (requestId and ip are null there).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

export interface RequestContext {
  requestId: string | null;
  ip: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();
const NO_REQUEST: RequestContext = Object.freeze({ requestId: null, ip: null });

/** The current request's context, or nulls outside a request. */
export function currentRequest(): RequestContext {
  return storage.getStore() ?? NO_REQUEST;
}

/** Runs `fn` with the given context (tests, jobs that want to label their audit entries). */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Express middleware: mount it after http/request-id.ts (which sets `res.locals.requestId`) and before the routes.
 * Everything the rest of the request runs (including async continuations) sees this request's id and address
 * through `currentRequest()`.
 */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : null;
    storage.run({ requestId, ip: req.ip ?? null }, next);
  };
}
