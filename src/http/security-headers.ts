/**
 * The security headers of every answer (helmet's: Content-Security-Policy, Strict-Transport-Security,
 * X-Content-Type-Options, ...), computed once instead of on every request.
 *
 * helmet runs eleven middleware functions per request, each setting one header to a value that depends only on
 * the options (no directive here is a function of the request, such as a nonce). So helmet runs once, here, on a
 * response that only records what it is told, and every request then gets the same headers set and removed in one
 * loop. The headers are helmet's own, whatever its version decides; a directive given as a function is refused,
 * since its value could differ per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

export function securityHeaders(options: Readonly<HelmetOptions> = {}): RequestHandler {
  const directives = typeof options.contentSecurityPolicy === 'object' ? options.contentSecurityPolicy.directives : {};
  for (const [name, value] of Object.entries(directives ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'function')) {
      throw new Error(`securityHeaders: the ${name} directive depends on the request; use helmet() per request`);
    }
  }
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let failure: unknown = 'helmet did not finish synchronously';
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return function setSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
