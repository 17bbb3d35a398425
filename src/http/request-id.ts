/**
 * Every request carries an id: the caller's X-Request-Id when it is a sane token (so a trace can cross services),
 * otherwise a new UUID. It is echoed in the response header, kept in `res.locals.requestId`, and the request's log
 * lines carry it (`reqId`, http/request-log.ts).
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Anything else (too long, spaces, control characters) could forge log lines: replaced by a fresh id. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get(REQUEST_ID_HEADER);
  const id = given && ACCEPTED_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
