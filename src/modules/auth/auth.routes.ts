/**
 * Login, logout and "who am I". Login is one of the two public routes, so it carries the login limits
 * (login-throttle.ts: per account and address, per address across accounts, per account across addresses), counted
 * in the database with config.auth.loginRateLimit's window.
 */
import { config } from '../../config';
import type { RouteDefinition } from '../../http/route-registry';
import { loginSchemas } from './auth.schemas';
import { describeMe, login, logout } from './auth.service';
import { LoginThrottle } from './login-throttle';

export function authRoutes(): RouteDefinition[] {
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
        const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
        res.set('Cache-Control', 'no-store').json(await login(res.locals.input.body, { throttle, address }));
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
