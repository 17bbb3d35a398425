/**
 * buildApp(): the Express application, from the first middleware to the error handler. It never listens and
 * never connects to the database (main.ts and the tests do), so tests can build as many apps as they like.
 */
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import { type Config, config as defaultConfig } from './config';
import { cors } from './http/cors';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthRoutes } from './http/health';
import { mountRoutes } from './http/mount';
import { buildOpenApiDocument, type OpenApiDocument } from './http/openapi';
import { requestContext } from './http/request-context';
import { requestId } from './http/request-id';
import { requestLog } from './http/request-log';
import { type RouteDefinition, RouteRegistry, route } from './http/route-registry';
import { securityHeaders } from './http/security-headers';
import { logger as defaultLogger } from './logger';
import { allRoutes } from './modules';
import { webFrontEnd } from './web/serve';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/docs';

export interface AppDeps {
  config?: Pick<Config, 'bodyLimit' | 'corsOrigins' | 'trustProxy' | 'version'>;
  logger?: Logger;
  /** The module routes to serve; defaults to every module's (modules/index.ts). Tests may add their own. */
  routes?: RouteDefinition[];
}

export function buildApp(deps: AppDeps = {}): Express {
  const config = deps.config ?? defaultConfig;
  const logger = deps.logger ?? defaultLogger;

  const registry = new RouteRegistry();
  let openApi: OpenApiDocument | undefined;
  registry.add(
    ...healthRoutes(),
    route('GET /openapi.json', {
      summary: 'This OpenAPI 3 document',
      tag: 'system',
      access: 'public',
      run: () => {
        openApi ??= buildOpenApiDocument(registry, { version: config.version });
        return openApi;
      },
    }),
  );
  registry.add(...(deps.routes ?? allRoutes()));

  const app = express();
  app.locals.registry = registry;
  // Decides req.ip, which the login rate limit counts by and audit entries record: behind a reverse proxy without
  // it, every caller shares the proxy's address; with a too-trusting value, anyone can claim any address.
  app.set('trust proxy', config.trustProxy);

  app.use(requestId);
  // One line per request, at its end: id, method, path and status, never headers, query strings or addresses.
  app.use(requestLog(logger));
  app.use(requestContext());
  // No upgrade-insecure-requests: offices may serve Asar over plain HTTP on a local network, and the browser would
  // then fail to load /api/docs' own scripts over HTTPS. helmet's headers, computed once (http/security-headers.ts).
  app.use(securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  if (config.corsOrigins.length) app.use(cors(config.corsOrigins));
  app.use(express.json({ limit: config.bodyLimit }));

  mountRoutes(app, registry);
  app.use(
    DOCS_PATH,
    swaggerUi.serve,
    // validatorUrl null: the UI would otherwise fetch a badge from swagger.io, and the docs must work offline.
    swaggerUi.setup(undefined, {
      customSiteTitle: 'Asar API',
      swaggerOptions: { url: OPENAPI_PATH, validatorUrl: null },
    }),
  );

  // The web front end at `/` (src/web): its assets and, for pages a browser asks for, its index.html.
  app.use(webFrontEnd());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/** The registry an app was built from (for the OpenAPI test and tooling). */
export function registryOf(app: Express): RouteRegistry {
  return app.locals.registry as RouteRegistry;
}
