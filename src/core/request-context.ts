/**
 * What a service needs to know about the request it serves without taking `req`: the request id and the caller's
 * address, for audit entries. Carried by AsyncLocalStorage (a slot of async-context.ts), so a service called from a
 * job or a script simply sees no request (requestId and ip are null there). The Express middleware that opens it is
 * src/http/request-context.ts.
 */
import { ContextSlot } from './async-context';

export interface RequestContext {
  requestId: string | null;
  ip: string | null;
}

const slot = new ContextSlot<RequestContext>('request');
const NO_REQUEST: RequestContext = Object.freeze({ requestId: null, ip: null });

/** The current request's context, or nulls outside a request. */
export function currentRequest(): RequestContext {
  return slot.get() ?? NO_REQUEST;
}

/** The current request's own context object, or undefined outside a request (never the shared empty one). */
export function activeRequest(): RequestContext | undefined {
  return slot.get();
}

/** Runs `fn` with the given context (the HTTP middleware, tests, jobs that want to label their audit entries). */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return slot.run(context, fn);
}
