/**
 * The authentication guard and the permission check that src/http/mount.ts puts in front of every non-public route.
 * `authenticate` accepts `Authorization: Bearer <session token>` or `X-API-Key: <key>` and puts the caller in
 * `res.locals.actor` (and how it authenticated in `res.locals.credential`); anything else is UNAUTHENTICATED, with one
 * message whatever the reason, so a caller learns nothing about which tokens or keys exist.
 * `authorize(access)` answers FORBIDDEN when the caller's roles lack the route's permission, or when the caller
 * belongs to no organisation (only the deployment's operator acts without one).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../core/errors';
import { type Authenticated, authenticateApiKey, authenticateSessionToken } from '../modules/auth';
import type { Access } from './route-registry';

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

function unauthenticated(res: Response, message = 'Authentication required'): AppError {
  res.setHeader('WWW-Authenticate', 'Bearer realm="asar"');
  return new AppError('UNAUTHENTICATED', message);
}

async function identify(req: Request, res: Response): Promise<Authenticated> {
  const authorization = req.get('authorization');
  const apiKey = req.get('x-api-key');
  if (authorization !== undefined && apiKey !== undefined) {
    throw unauthenticated(res, 'Send either a bearer token or an API key, not both');
  }
  if (apiKey !== undefined) {
    const found = await authenticateApiKey(apiKey.trim());
    if (!found) throw unauthenticated(res, 'The API key is invalid or revoked');
    return found;
  }
  if (authorization === undefined) throw unauthenticated(res);
  const token = BEARER.exec(authorization)?.[1];
  const found = token ? await authenticateSessionToken(token) : null;
  if (!found) throw unauthenticated(res, 'The token is invalid, expired or revoked');
  return found;
}

export async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
  const { actor, credential } = await identify(req, res);
  res.locals.actor = actor;
  res.locals.credential = credential;
  next();
}

export function authorize(access: Access): RequestHandler {
  return function authorizeRequest(_req: Request, res: Response, next: NextFunction): void {
    if (access === 'public') {
      next();
      return;
    }
    const actor = res.locals.actor;
    if (!actor) throw new AppError('UNAUTHENTICATED', 'Authentication required');
    // Every role acts inside an organisation; an account without one (other than the deployment's operator) has no
    // records to act on, and is told so rather than shown empty lists.
    if (access !== 'authenticated' && !actor.organisationId && !actor.roles.includes('operator')) {
      throw new AppError('FORBIDDEN', 'This account belongs to no organisation; an admin of one must add it', {});
    }
    if (access !== 'authenticated' && !actor.permissions.has(access)) {
      throw new AppError('FORBIDDEN', `Your role does not allow this (${access} is required)`, { permission: access });
    }
    next();
  };
}
