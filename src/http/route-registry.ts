/**
 * Every HTTP route of the API is declared here, once: method, path, the Joi schemas that validate it,
 * the permission it needs and a summary. The Express router, the authentication guard and the OpenAPI
 * document are all generated from these declarations, so validation, access control and docs cannot drift.
 */
import type { Request, Response } from 'express';
import type Joi from 'joi';
import type { Permission } from '../modules/access/permissions';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * `public`: no credentials (only /health and login). `authenticated`: any identified caller (e.g. logout, "me").
 * Otherwise the permission the caller's roles must include.
 */
export type Access = 'public' | 'authenticated' | Permission;

export interface RouteSchemas {
  params?: Joi.ObjectSchema;
  query?: Joi.ObjectSchema;
  body?: Joi.Schema;
}

/** Validated input, placed in `res.locals.input` before the handler runs (Express 5's req.query is read-only). */
export interface ValidatedInput<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** Express path below /api/v1 (e.g. `/warehouses/:id`), or absolute when it starts with `/health`. */
  path: string;
  summary: string;
  /** OpenAPI tag; defaults to the first path segment. */
  tag?: string;
  access: Access;
  schemas?: RouteSchemas;
  /** A POST that creates or moves something: honours the `Idempotency-Key` header. */
  idempotent?: boolean;
  /** Success status and media type, for the OpenAPI document. Defaults: 200, application/json. */
  success?: { status: number; contentType?: 'application/json' | 'application/pdf'; description?: string };
  handler: (req: Request, res: Response) => Promise<void> | void;
}

export class RouteRegistry {
  private readonly definitions: RouteDefinition[] = [];

  add(...routes: RouteDefinition[]): this {
    for (const route of routes) {
      const duplicate = this.definitions.find((r) => r.method === route.method && r.path === route.path);
      if (duplicate) throw new Error(`Route ${route.method.toUpperCase()} ${route.path} is declared twice`);
      this.definitions.push(route);
    }
    return this;
  }

  all(): readonly RouteDefinition[] {
    return this.definitions;
  }
}
