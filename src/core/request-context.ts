/**
 * What a service needs to know about the request it serves without taking `req`: the request id and the caller's
 * address, for audit entries. Carried by AsyncLocalStorage, so a service called from a job or a script simply
 * sees no request (requestId and ip are null there). The Express middleware that opens it is
 * src/http/request-context.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

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

/** The current request's own context object, or undefined outside a request (never the shared empty one). */
export function activeRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with the given context (the HTTP middleware, tests, jobs that want to label their audit entries). */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}
