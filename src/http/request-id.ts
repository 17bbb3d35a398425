/**
 * Every request carries an id: the caller's X-Request-Id when it is a sane token (so a trace can cross services),
 * otherwise a new UUID. It is echoed in the response header, kept in `res.locals.requestId`, and pino-http puts it
 * on every log line of the request (`reqId`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** For pino-http's `genReqId`: the id chosen by `requestId` (which runs first). */
export function requestIdOf(_req: IncomingMessage, res: ServerResponse): string {
  return ((res as Response).locals?.requestId as string | undefined) ?? randomUUID();
}
