/**
 * Login, logout and "who am I". Login is one of the two public routes, so it carries the login limits
 * (login-throttle.ts: per account and address, per address across accounts, per account across addresses), counted
 * in the database with config.auth.loginRateLimit's window.
 */
import { config } from '../../config';
import { type RouteDefinition, route } from '../../http/route-registry';
import { loginSchemas } from './auth.schemas';
import { describeMe, login, logout } from './auth.service';
import { LoginThrottle } from './login-throttle';

export function authRoutes(): RouteDefinition[] {
  const throttle = new LoginThrottle(config.auth.loginRateLimit);
  return [
    route('POST /auth/login', {
      summary: 'Log in with email and password; answers a bearer token, its expiry and the user',
      access: 'public',
      schemas: loginSchemas,
      headers: { 'Cache-Control': 'no-store' },
      run: ({ body, req }) => login(body, { throttle, address: req.ip ?? req.socket.remoteAddress ?? 'unknown' }),
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
