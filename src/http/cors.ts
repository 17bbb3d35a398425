/**
 * CORS for browser clients served from other origins (a field office's web app). Off unless CORS_ORIGINS lists
 * origins. Credentials are bearer tokens or API keys in headers, never cookies, so no Allow-Credentials.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

const ALLOWED_METHODS = 'GET,POST,PUT,PATCH,DELETE,OPTIONS';
const ALLOWED_HEADERS = 'Authorization,Content-Type,X-API-Key,Idempotency-Key,X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id,Idempotent-Replayed,Content-Disposition,RateLimit,RateLimit-Policy,Retry-After';

/** `origins` may contain `*` to allow any origin. */
export function cors(origins: readonly string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return function corsHeaders(req: Request, res: Response, next: NextFunction): void {
    const origin = req.get('Origin');
    res.vary('Origin');
    if (!origin || !(anyOrigin || allowed.has(origin))) {
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.get('Access-Control-Request-Method')) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
