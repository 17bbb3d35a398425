import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { connectDatabase, databaseBackend, redactUri, uriNamesDatabase } from '../../src/db/connection';
import { databaseStatus } from '../../src/db/transaction';
import { testDatabaseUri } from '../support/env';

describe('connection strings', () => {
  test('when a URI names a database, then it is recognised; otherwise not', () => {
    expect(uriNamesDatabase('mongodb://db1:27017,db2:27017/asar?replicaSet=rs0')).toBe(true);
    expect(uriNamesDatabase('mongodb+srv://user:pw@cluster.example.net/asar')).toBe(true);
    expect(uriNamesDatabase('mongodb://127.0.0.1:27017/?replicaSet=asar')).toBe(false);
    expect(uriNamesDatabase('mongodb://127.0.0.1:27017')).toBe(false);
  });

  test('when a URI carries a password, then the logged form hides it', () => {
    expect(redactUri('mongodb://asar:s3cret@db1:27017/asar')).toBe('mongodb://asar:***@db1:27017/asar');
    expect(redactUri('mongodb://db1:27017/asar')).toBe('mongodb://db1:27017/asar');
  });
});

describe('connectDatabase', () => {
  afterEach(async () => {
    await mongoose.disconnect();
  });

  test('when MONGODB_URI is set, then it connects there and reports the mongodb backend', async () => {
    const uri = testDatabaseUri();
    const database = await connectDatabase({ mongodbUri: uri, dataDir: 'unused', embeddedDbPort: 0 });
    try {
      expect(database.backend).toBe('mongodb');
      expect(databaseBackend()).toBe('mongodb');
      if (!uriNamesDatabase(uri)) expect(mongoose.connection.name).toBe('asar');
      expect(await databaseStatus()).toEqual({ status: 'up', backend: 'mongodb' });
    } finally {
      await database.close();
    }
    expect(await databaseStatus()).toMatchObject({ status: 'down' });
  });

  test('when MONGODB_URI is not set, then it starts the embedded database on 127.0.0.1 in the data directory', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'asar-connection-'));
    try {
      const database = await connectDatabase({ dataDir, embeddedDbPort: 0 });
      try {
        expect(database.backend).toBe('embedded');
        expect(database.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\//);
        expect(await databaseStatus()).toEqual({ status: 'up', backend: 'embedded' });
        await mongoose.connection.collection('probes').insertOne({ name: 'Talgar' });
        expect(await mongoose.connection.collection('probes').countDocuments()).toBe(1);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
