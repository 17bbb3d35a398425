/**
 * Every HTTP route of the API is declared here, once, with `route()`: method, path, the permission it needs, the Joi
 * schemas that validate it, its success status and `run`, which receives the validated input and the caller and
 * returns the body. The Express router, the authentication guard and the OpenAPI document are all generated from
 * these declarations (src/http/mount.ts, src/http/openapi.ts), so validation, access control and docs cannot drift.
 *
 *   route('POST /warehouses', {
 *     summary: 'Create a warehouse',
 *     access: 'warehouses:write',
 *     schemas: createWarehouseSchemas,
 *     idempotent: true,
 *     success: 201,
 *     run: ({ body, actor }) => warehouses.createWarehouse(body, actor),
 *   })
 *
 * `run`'s input is typed from the schemas: `Joi.object<T>()` gives `body: T`. A route whose success declares
 * `contentType: 'application/pdf'` returns a FileAnswer, which the mount layer sends as a file.
 */
import type { Request, RequestHandler } from 'express';
import type Joi from 'joi';
import type { DocumentFile } from '../core/document-file';
import type { Actor, Permission } from '../modules/access';
import type { Credential } from '../modules/auth';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * `public`: no credentials (only /health and login). `authenticated`: any identified caller (e.g. logout, "me").
 * Otherwise the permission the caller's roles must include.
 */
export type Access = 'public' | 'authenticated' | Permission;

export interface RouteSchemas<P = unknown, Q = unknown, B = unknown> {
  params?: Joi.ObjectSchema<P>;
  query?: Joi.ObjectSchema<Q>;
  body?: Joi.Schema<B>;
}

/** Validated input, placed in `res.locals.input` before the route runs (Express 5's req.query is read-only). */
export interface ValidatedInput<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
}

/** What `run` receives. On a public route nobody is identified: `actor` and `credential` are null. */
export interface RouteContext<P = unknown, Q = unknown, B = unknown, A extends Access = Access>
  extends ValidatedInput<P, Q, B> {
  actor: A extends 'public' ? null : Actor;
  /** How the caller authenticated: the session (which logout ends) or the API key. */
  credential: A extends 'public' ? null : Credential;
  /** For what only HTTP knows (the caller's address); services never receive it. */
  req: Request;
}

export type MediaType = 'application/json' | 'application/pdf' | 'text/csv' | 'text/html';

/** The success answer: its status (201 for creation, 204 for none) and, for the OpenAPI document, what it carries. */
export type Success = number | { status: number; contentType?: MediaType; description?: string };

/** A file in the answer (a PDF): sent with its type and a Content-Disposition naming it. */
export type FileAnswer = DocumentFile;

const REPLY = Symbol('reply');

/** An answer whose status is decided while running (health: 503 when the database is down). */
export interface Reply<T = unknown> {
  [REPLY]: true;
  status: number;
  body: T;
}

export function reply<T>(status: number, body: T): Reply<T> {
  return { [REPLY]: true, status, body };
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && REPLY in value;
}

type ResultOf<S> = S extends { contentType: 'application/pdf' | 'text/csv' | 'text/html' }
  ? FileAnswer | Reply<FileAnswer>
  : unknown;

/**
 * Method and Express path: `'GET /warehouses/:id'`. The path is below /api/v1, or absolute when it starts with
 * `/health`.
 */
export type Endpoint = `${Uppercase<HttpMethod>} /${string}`;

export interface RouteSpec<P, Q, B, A extends Access, S extends Success> {
  summary: string;
  /** OpenAPI tag; defaults to the first path segment. */
  tag?: string;
  access: A;
  schemas?: RouteSchemas<P, Q, B>;
  /** A POST that creates or moves something, or a state transition: honours the `Idempotency-Key` header. */
  idempotent?: boolean;
  /** Default 200, application/json. */
  success?: S;
  /** Headers of every answer of this route (e.g. `Cache-Control: no-store` for one that carries a secret). */
  headers?: Readonly<Record<string, string>>;
  /** Middleware run after validation and before `run` (login's per-address rate limit). */
  before?: readonly RequestHandler[];
  run: (context: RouteContext<P, Q, B, A>) => Promise<ResultOf<S>> | ResultOf<S>;
}

/** A declared route, as the registry keeps it (input types erased). */
export interface RouteDefinition {
  method: HttpMethod;
  /** Express path below /api/v1 (e.g. `/warehouses/:id`), or absolute when it starts with `/health`. */
  path: string;
  summary: string;
  tag?: string;
  access: Access;
  schemas?: RouteSchemas;
  idempotent?: boolean;
  success: { status: number; contentType: MediaType; description?: string };
  headers?: Readonly<Record<string, string>>;
  before?: readonly RequestHandler[];
  run: (context: RouteContext) => unknown;
}

/** Declares a route; see the top of this file. */
export function route<P = unknown, Q = unknown, B = unknown, A extends Access = Access, S extends Success = 200>(
  endpoint: Endpoint,
  spec: RouteSpec<P, Q, B, A, S>,
): RouteDefinition {
  const [method, path] = endpoint.split(' ') as [Uppercase<HttpMethod>, string];
  const declared: Success = spec.success ?? 200;
  const success = typeof declared === 'number' ? { status: declared } : declared;
  return {
    ...spec,
    method: method.toLowerCase() as HttpMethod,
    path,
    success: { ...success, contentType: success.contentType ?? 'application/json' },
    run: spec.run as RouteDefinition['run'],
  };
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
