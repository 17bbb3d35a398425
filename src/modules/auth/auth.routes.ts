/**
 * Login, logout and "who am I". Login is one of the two public routes, so it carries the rate limits: failed attempts
 * are counted per address here (express-rate-limit) and per account in the service (LoginThrottle), both with
 * config.auth.loginRateLimit's window. An address gets ADDRESS_ALLOWANCE times the account limit, because a
 * warehouse or an NGO office puts many people behind one address.
 */
import type { Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { config } from '../../config';
import { AppError } from '../../core/errors';
import type { RouteDefinition } from '../../http/route-registry';
import { loginSchemas } from './auth.schemas';
import { describeMe, login, logout } from './auth.service';
import { LoginThrottle } from './login-throttle';

const ADDRESS_ALLOWANCE = 5;

/** The limiter as a promise: resolves when the request may go on, rejects with RATE_LIMITED otherwise. */
function addressLimiter(): (req: Request, res: Response) => Promise<void> {
  const { max, windowMs } = config.auth.loginRateLimit;
  const middleware = rateLimit({
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
  return (req, res) =>
    new Promise<void>((resolve, reject) => {
      middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
    });
}

/** Each call makes fresh limiters: each app (and each test's app) counts from zero. */
export function authRoutes(): RouteDefinition[] {
  const limitAddress = addressLimiter();
  const throttle = new LoginThrottle(config.auth.loginRateLimit);
  return [
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Log in with email and password; answers a bearer token, its expiry and the user',
      tag: 'auth',
      access: 'public',
      schemas: loginSchemas,
      handler: async (req, res) => {
        await limitAddress(req, res);
        res.set('Cache-Control', 'no-store').json(await login(res.locals.input.body, { throttle }));
      },
    },
    {
      method: 'post',
      path: '/auth/logout',
      summary: 'End the session of the bearer token sent with this request',
      tag: 'auth',
      access: 'authenticated',
      success: { status: 204 },
      handler: async (_req, res) => {
        await logout(res.locals.actor, res.locals.credential);
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/auth/me',
      summary: 'The caller: its user or API key, roles and permissions',
      tag: 'auth',
      access: 'authenticated',
      handler: async (_req, res) => {
        res.json(await describeMe(res.locals.actor));
      },
    },
  ];
}
