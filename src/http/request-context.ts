/**
 * Opens the request context (src/core/request-context.ts) for every request: mount it after http/request-id.ts
 * (which sets `res.locals.requestId`) and before the routes. Everything the rest of the request runs (including async
 * continuations) sees this request's id and address through `currentRequest()`.
 */
import type { NextFunction, Request, Response } from 'express';
import { runWithRequestContext } from '../core/request-context';

export function requestContext() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : null;
    runWithRequestContext({ requestId, ip: req.ip ?? null }, next);
  };
}
