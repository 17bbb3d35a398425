/**
 * The OpenAPI 3 document, generated from the route registry: the same Joi schemas that validate a request
 * describe it, so the documentation cannot drift from what the API accepts. Served at /api/v1/openapi.json and
 * browsable at /api/docs.
 */
import type Joi from 'joi';
import parse from 'joi-to-json';
import { fullPath } from './mount';
import type { RouteDefinition, RouteRegistry } from './route-registry';

type JsonObject = Record<string, unknown>;

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonObject>>;
  components: JsonObject;
}

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Invalid request (VALIDATION or MALFORMED_JSON)',
  '401': 'Missing or invalid credentials (UNAUTHENTICATED)',
  '403': 'The caller lacks the required permission (FORBIDDEN)',
  '404': 'Not found, or not visible to the caller (NOT_FOUND)',
  '409': 'Conflicts with the current state (CONFLICT, INSUFFICIENT_STOCK, INVALID_STATE, IDEMPOTENCY_KEY_REUSED)',
  '413': 'Request body too large (PAYLOAD_TOO_LARGE)',
  '500': 'Unexpected error (INTERNAL)',
};

/** Express `/warehouses/:id` → OpenAPI `/warehouses/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

export function tagOf(route: RouteDefinition): string {
  if (route.tag) return route.tag;
  return route.path.split('/').find(Boolean) ?? 'default';
}

export function buildOpenApiDocument(
  registry: RouteRegistry,
  info: { title?: string; version: string; description?: string },
): OpenApiDocument {
  const shared: Record<string, unknown> = {};
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();

  for (const route of registry.all()) {
    const path = openApiPath(fullPath(route));
    paths[path] ??= {};
    paths[path][route.method] = operationOf(route, shared);
    tags.add(tagOf(route));
  }

  return {
    openapi: '3.0.3',
    info: {
      title: info.title ?? 'Asar API',
      version: info.version,
      description:
        info.description ??
        'Humanitarian aid inventory and logistics. Errors always have the shape ' +
          '`{ "error": { "code", "message", "details" } }`. Authenticate with a bearer token from login or an API key.',
    },
    servers: [{ url: '/' }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'token' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        ...shared,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'details'],
              properties: {
                code: { type: 'string', example: 'VALIDATION' },
                message: { type: 'string' },
                details: {},
              },
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ]),
      ),
    },
  };
}

function operationOf(route: RouteDefinition, shared: Record<string, unknown>): JsonObject {
  const isPublic = route.access === 'public';
  const parameters = [
    ...parametersOf(route.schemas?.params, 'path', shared, pathParamsOf(route.path)),
    ...parametersOf(route.schemas?.query, 'query', shared),
  ];
  if (route.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Retrying with the same key and body replays the first answer instead of acting twice.',
      schema: { type: 'string', minLength: 8, maxLength: 128 },
    });
  }

  const success = route.success;
  const contentType = success.contentType;
  const successResponse: JsonObject = { description: success.description ?? 'Success' };
  if (success.status !== 204) {
    successResponse.content = {
      [contentType]: { schema: contentType === 'application/pdf' ? { type: 'string', format: 'binary' } : {} },
    };
  }

  const errorStatuses = ['400', '500'];
  if (!isPublic) errorStatuses.push('401', '403');
  if (route.path.includes(':')) errorStatuses.push('404');
  if (route.method !== 'get') errorStatuses.push('409');
  if (route.schemas?.body) errorStatuses.push('413');

  const operation: JsonObject = {
    operationId: `${route.method}${fullPath(route)
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((part) => part[0].toUpperCase() + part.slice(1))
      .join('')}`,
    summary: route.summary,
    description: isPublic
      ? 'Public: no credentials needed.'
      : route.access === 'authenticated'
        ? 'Requires an authenticated caller.'
        : `Requires permission \`${route.access}\`.`,
    tags: [tagOf(route)],
    'x-permission': route.access,
    security: isPublic ? [] : [{ bearerAuth: [] }, { apiKey: [] }],
    parameters,
    responses: {
      [String(success.status)]: successResponse,
      ...Object.fromEntries(
        errorStatuses.sort().map((status) => [status, { $ref: `#/components/responses/Error${status}` }]),
      ),
    },
  };
  if (route.schemas?.body) {
    operation.requestBody = {
      required: route.schemas.body.type !== 'object' || isRequired(route.schemas.body),
      content: { 'application/json': { schema: toJsonSchema(route.schemas.body, shared) } },
    };
  }
  return operation;
}

function pathParamsOf(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]);
}

function parametersOf(
  schema: Joi.ObjectSchema | undefined,
  location: 'path' | 'query',
  shared: Record<string, unknown>,
  pathNames: string[] = [],
): JsonObject[] {
  const json: JsonSchema = schema ? toJsonSchema(schema, shared) : {};
  const properties = json.properties ?? {};
  const parameters: JsonObject[] = Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
  // Every templated path segment must be declared, even when the route validates no params.
  for (const name of pathNames) {
    if (!(name in properties)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  return parameters;
}

function isRequired(schema: Joi.Schema): boolean {
  return (schema.describe().flags as { presence?: string } | undefined)?.presence === 'required';
}

function toJsonSchema(schema: Joi.Schema, shared: Record<string, unknown>): JsonSchema {
  // joi-to-json reads nothing but describe(): hand it the description with sibling conditions taken out.
  const described = { describe: () => withoutSiblingConditions(schema.describe()) };
  return withNullableAlternatives(parse(described as never, 'open-api', shared) as JsonSchema);
}

type Description = Record<string, unknown>;

/**
 * OpenAPI 3.0 cannot say "required unless `anonymous` is true": joi-to-json turns such a `.when()` on a sibling into
 * an `anyOf` of every type that contradicts the field's own schema (a donor's `name` came out as any type but null).
 * The field is documented by its own schema instead, optional, with a sentence naming the fields it depends on; the
 * validation itself is unchanged.
 */
function withoutSiblingConditions(description: unknown): unknown {
  if (Array.isArray(description)) return description.map(withoutSiblingConditions);
  if (typeof description !== 'object' || description === null) return description;
  const node = description as Description;
  const out: Description = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'whens') out[key] = withoutSiblingConditions(value);
  }
  const whens = Array.isArray(node.whens) ? (node.whens as Description[]) : [];
  const siblings = whens.filter((when) => when.ref).map((when) => (when.ref as { path: string[] }).path.join('.'));
  const kept = whens.filter((when) => !when.ref);
  if (kept.length) out.whens = withoutSiblingConditions(kept);
  if (siblings.length) {
    const flags = (out.flags ?? {}) as Description;
    const note = `Required or restricted depending on ${siblings.map((name) => `\`${name}\``).join(', ')}.`;
    out.flags = { ...flags, description: flags.description ? `${String(flags.description)} ${note}` : note };
  }
  return out;
}

/**
 * `Joi.alternatives().try(a, b).allow(null)` comes out as `{ anyOf: [a, b], type: 'object', nullable: true }`, which
 * says "an object" (a decimal given as a string or a number, such as `weightKgPerUnit`, is neither). The
 * alternatives are the type: each becomes nullable instead.
 */
function withNullableAlternatives(schema: JsonSchema): JsonSchema {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (typeof value !== 'object' || value === null) return value;
    const node = Object.fromEntries(Object.entries(value).map(([key, v]) => [key, visit(v)])) as JsonSchema;
    if (Array.isArray(node.anyOf) && node.type === 'object' && !node.properties) {
      const { type: _type, nullable, ...rest } = node;
      return nullable ? { ...rest, anyOf: (node.anyOf as JsonSchema[]).map((b) => ({ ...b, nullable: true })) } : rest;
    }
    return node;
  };
  return visit(schema) as JsonSchema;
}
