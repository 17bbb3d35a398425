/** configureFailPoint exists only when the server is started with test commands enabled (as mongod). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedDatabase } from '../../../src/db/connection';
import { startEmbeddedServer } from '../../../src/embedded-db';

test('when test commands are not enabled, then configureFailPoint is an unknown command', async () => {
  const server = await startEmbeddedServer({ port: 0 });
  const client = new MongoClient(server.uri);
  try {
    await client.connect();
    await expect(
      client
        .db('admin')
        .command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['ping'] } }),
    ).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  } finally {
    await client.close();
    await server.close();
  }
});

test('when a fail point is configured with a bad mode, then it answers BadValue and nothing fails', async () => {
  const server = await startEmbeddedServer({ port: 0, enableTestCommands: true });
  const client = new MongoClient(server.uri);
  try {
    await client.connect();
    const admin = client.db('admin');
    await expect(
      admin.command({ configureFailPoint: 'failCommand', mode: { times: 0 }, data: { failCommands: ['ping'] } }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(admin.command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  } finally {
    await client.close();
    await server.close();
  }
});

test('when the application starts its embedded database as npm start does, then configureFailPoint is unknown', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'asar-no-fail-points-'));
  const server = await startEmbeddedDatabase({ dataDir, embeddedDbPort: 0 });
  const client = new MongoClient(server.uri, { directConnection: true });
  try {
    await client.connect();
    await expect(
      client
        .db('admin')
        .command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['ping'] } }),
    ).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  } finally {
    await client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
