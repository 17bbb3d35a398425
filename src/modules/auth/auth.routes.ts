/**
 * Login, logout and "who am I". Login is one of the two public routes, so it carries the rate limits: failed attempts
 * are counted per address here (express-rate-limit) and per account in the service (LoginThrottle), both with
 * config.auth.loginRateLimit's window. An address gets ADDRESS_ALLOWANCE times the account limit, because a
 * warehouse or an NGO office puts many people behind one address.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { config } from '../../config';
import { AppError } from '../../core/errors';
import { type RouteDefinition, route } from '../../http/route-registry';
import { loginSchemas } from './auth.schemas';
import { describeMe, login, logout } from './auth.service';
import { LoginThrottle } from './login-throttle';

const ADDRESS_ALLOWANCE = 5;

/** The per-address limiter, run by the login route after validation (see `before` in http/route-registry.ts). */
function addressLimiter(): RequestHandler {
  const { max, windowMs } = config.auth.loginRateLimit;
  return rateLimit({
    windowMs,
    limit: max * ADDRESS_ALLOWANCE,
    // Successful logins do not count: an office where everyone logs in at nine is not an attack.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next, options) =>
      next(
        new AppError('RATE_LIMITED', 'Too many failed login attempts from this address; try again later', {
          retryAfterSeconds: Math.ceil(options.windowMs / 1000),
        }),
      ),
  });
}

/** Each call makes fresh limiters: each app (and each test's app) counts from zero. */
export function authRoutes(): RouteDefinition[] {
  const limitAddress = addressLimiter();
  const throttle = new LoginThrottle(config.auth.loginRateLimit);
  return [
    route('POST /auth/login', {
      summary: 'Log in with email and password; answers a bearer token, its expiry and the user',
      access: 'public',
      schemas: loginSchemas,
      headers: { 'Cache-Control': 'no-store' },
      before: [limitAddress],
      run: ({ body }) => login(body, { throttle }),
    }),
    route('POST /auth/logout', {
      summary: 'End the session of the bearer token sent with this request',
      access: 'authenticated',
      success: 204,
      run: ({ actor, credential }) => logout(actor, credential),
    }),
    route('GET /auth/me', {
      summary: 'The caller: its user or API key, roles and permissions',
      access: 'authenticated',
      run: ({ actor }) => describeMe(actor),
    }),
  ];
}
