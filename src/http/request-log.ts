/**
 * One log line per request, written when its answer has gone (or the connection closed first): the request id, the
 * method and path (no query string, headers or address: they carry credentials and personal data that have no place
 * in logs), the status and the time taken. Errors logged while serving carry the same `reqId` (error-handler.ts), so
 * a line links to its audit entries and its failure.
 *
 * In place of pino-http, which builds a child logger and several closures for every request: this costs one listener
 * and, only when the level is enabled, one object per request.
 *
 * The line is written through a child of the app's logger without its redaction: every field is built here from
 * values that cannot carry a credential or a person's data (the sanitised request id, the method, the path without
 * its query string, the status, the time), and none is named like a redacted path, so redaction could never change
 * it, while it cost every request about 50 KB of garbage and 0.1 ms of CPU (@pinojs/redact parses its 30 paths on
 * every line). Every other line, the error handler's included, keeps the logger's redaction.
 */
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';

function levelOf(req: Request, res: Response): Level {
  if (res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return req.path === '/health' ? 'debug' : 'info';
}

export function requestLog(logger: Logger): RequestHandler {
  // Level 'trace': the app's logger decides below which lines are written, whatever its level is changed to later.
  const lines = logger.child({}, { level: 'trace', redact: [] });
  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const started = performance.now();
    // The app's logger, for the error handler's lines (an app built with its own logger, as tests do).
    res.locals.logger = logger;
    res.once('close', () => {
      const finished = res.writableFinished;
      const level = finished ? levelOf(req, res) : 'warn';
      if (!logger.isLevelEnabled(level)) return;
      const id = res.locals.requestId as string | undefined;
      lines[level](
        {
          reqId: id,
          req: { id, method: req.method, path: req.originalUrl.split('?')[0] },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        finished ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}
