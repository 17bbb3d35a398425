/**
 * API tests go through HTTP: `setupTestApp()` connects this worker's test database, builds the real app with
 * buildApp(), listens on an ephemeral port and gives a supertest client. Every test starts with empty collections.
 *
 *   const t = setupTestApp();
 *   test('when ..., then ...', async () => {
 *     const res = await t.api.get('/health');
 *   });
 */
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { ConnectOptions } from 'mongoose';
import supertest from 'supertest';
import { type AppDeps, buildApp } from '../../src/app';
import { clearDatabase, connectTestDatabase, disconnectTestDatabase, ensureIndexes } from './database';

export interface TestApp {
  app: Express;
  /** supertest client bound to the running app: `t.api.post('/api/v1/...').send(...)`. */
  api: ReturnType<typeof supertest>;
}

/** `driverOptions` go to the app's Mongoose connection (fault-injection tests give it an appName, see fail-command.ts). */
export function setupTestApp(deps: AppDeps = {}, driverOptions?: ConnectOptions): TestApp {
  const context = {} as TestApp;
  let server: Server | undefined;

  beforeAll(async () => {
    await connectTestDatabase({ driverOptions });
    context.app = buildApp(deps);
    server = await new Promise<Server>((resolve) => {
      const listening = context.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    context.api = supertest(server);
  });

  beforeEach(async () => {
    await ensureIndexes();
    await clearDatabase();
  });

  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    }
    await disconnectTestDatabase();
  });

  return context;
}
