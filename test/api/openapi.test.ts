import Joi from 'joi';
import supertest from 'supertest';
import { buildApp, registryOf } from '../../src/app';
import { idParams, objectId, paginationKeys } from '../../src/http/joi-rules';
import { fullPath } from '../../src/http/mount';
import { openApiPath } from '../../src/http/openapi';
import { type RouteDefinition, route } from '../../src/http/route-registry';
import { allRoutes } from '../../src/modules';

const noop = () => ({});

/** A few routes of every kind, on top of the modules' own. */
const sampleRoutes: RouteDefinition[] = [
  route('GET /sample/warehouses', {
    summary: 'List warehouses',
    access: 'warehouses:read',
    schemas: {
      query: Joi.object({ ...paginationKeys, region: Joi.string().valid('Almaty', 'Abai').description('Oblys') }),
    },
    run: noop,
  }),
  route('POST /sample/warehouses/:id/transfers', {
    summary: 'Transfer stock',
    access: 'stock:write',
    idempotent: true,
    schemas: {
      params: idParams,
      body: Joi.object({ itemId: objectId().required(), quantity: Joi.number().integer().min(1).required() }),
    },
    success: 201,
    run: noop,
  }),
  route('GET /sample/shipments/:shipmentId/waybill', {
    summary: 'Waybill PDF',
    access: 'shipments:read',
    success: { status: 200, contentType: 'application/pdf' },
    run: () => ({ file: Buffer.from('%PDF-'), filename: 'waybill.pdf', contentType: 'application/pdf' as const }),
  }),
];

describe('OpenAPI document', () => {
  // The modules' real routes, so that a module forgetting something shows up here, and a sample of every kind.
  const app = buildApp({ routes: [...allRoutes(), ...sampleRoutes] });
  const api = supertest(app);

  test('when the document is fetched, then it is OpenAPI 3 with security schemes', async () => {
    const res = await api.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(res.body.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
  });

  test('when the document is built, then every registered route is in it with its permission', async () => {
    const { body } = await api.get('/api/v1/openapi.json');
    for (const route of registryOf(app).all()) {
      const operation = body.paths[openApiPath(fullPath(route))]?.[route.method];
      expect({ route: `${route.method} ${route.path}`, found: Boolean(operation) }).toEqual({
        route: `${route.method} ${route.path}`,
        found: true,
      });
      expect(operation['x-permission']).toBe(route.access);
      expect(operation.summary).toBe(route.summary);
      expect(operation.responses).toBeDefined();
      if (route.access === 'public') expect(operation.security).toEqual([]);
      else expect(operation.description).toContain(route.access === 'authenticated' ? 'authenticated' : route.access);
    }
  });

  test('when a path has parameters, then they are templated and declared', async () => {
    const { body } = await api.get('/api/v1/openapi.json');
    for (const [path, operations] of Object.entries<Record<string, { parameters: { name: string; in: string }[] }>>(
      body.paths,
    )) {
      expect(path).not.toContain(':');
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(operations)) {
        const declared = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort()).toEqual(templated.sort());
      }
    }
  });

  test('when a route has Joi schemas, then they become parameters, request body and responses', async () => {
    const { body } = await api.get('/api/v1/openapi.json');
    const list = body.paths['/api/v1/sample/warehouses'].get;
    expect(list.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'limit',
          in: 'query',
          required: false,
          schema: expect.objectContaining({ maximum: 200 }),
        }),
        expect.objectContaining({ name: 'region', in: 'query', description: 'Oblys' }),
      ]),
    );

    const transfer = body.paths['/api/v1/sample/warehouses/{id}/transfers'].post;
    expect(transfer['x-permission']).toBe('stock:write');
    expect(transfer.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
      ]),
    );
    const schema = transfer.requestBody.content['application/json'].schema;
    expect(schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['itemId', 'quantity']) });
    expect(schema.properties.quantity).toMatchObject({ type: 'integer', minimum: 1 });
    expect(Object.keys(transfer.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409']));
    expect(transfer.responses['409']).toEqual({ $ref: '#/components/responses/Error409' });
    expect(body.components.responses.Error409).toBeDefined();

    const waybill = body.paths['/api/v1/sample/shipments/{shipmentId}/waybill'].get;
    expect(waybill.responses['200'].content['application/pdf']).toBeDefined();
  });

  test('when a field depends on another or is a nullable decimal, then its schema says what the API accepts', async () => {
    const { body } = await api.get('/api/v1/openapi.json');
    const bodyOf = (path: string) => body.paths[path].post.requestBody.content['application/json'].schema;
    // A donor's name: a string or null, required unless the donor is anonymous (not "anything but null").
    const name = bodyOf('/api/v1/donors').properties.name;
    expect(name).toMatchObject({ type: 'string', nullable: true, minLength: 1 });
    expect(name.description).toContain('`anonymous`');
    expect(name.anyOf).toBeUndefined();
    expect(name.not).toBeUndefined();
    // A decimal given as a string or a number, or null: never "an object".
    const weight = bodyOf('/api/v1/items').properties.weightKgPerUnit;
    expect(weight.type).toBeUndefined();
    expect(weight.anyOf).toEqual([
      expect.objectContaining({ type: 'string', nullable: true }),
      expect.objectContaining({ type: 'number', nullable: true }),
    ]);
    expect(JSON.stringify(body)).not.toMatch(/"anyOf":\[[^\]]*\],"type":"object"/);
  });

  test('when /health and the document itself are listed, then they are public', async () => {
    const { body } = await api.get('/api/v1/openapi.json');
    expect(body.paths['/health'].get['x-permission']).toBe('public');
    expect(body.paths['/api/v1/openapi.json'].get['x-permission']).toBe('public');
  });

  test('when the interactive docs are opened, then Swagger UI is served from this server', async () => {
    const res = await api.get('/api/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('swagger-ui');
    const init = await api.get('/api/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('/api/v1/openapi.json');
  });
});
