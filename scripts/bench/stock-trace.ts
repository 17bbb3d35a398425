/**
 * `npx tsx scripts/bench/stock-trace.ts`: the database commands one transfer and one received donation of 5 lines
 * send, in order, as bench:stock makes them (its second request of each, once the caches hold the references): to
 * see what a request is made of before changing it. Not a benchmark.
 */

import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { startEmbeddedServerThread } from '../../src/embedded-db/thread';
import { logger } from '../../src/logger';
import { benchIdentity, createFixture, donationLine, fiveItems, ITEM_COUNT_HTTP, stockUp } from './fixture';

async function main() {
  logger.level = 'error';
  const thread = await startEmbeddedServerThread({ port: 0, host: '127.0.0.1', replSetName: 'asar' });
  await mongoose.connect(thread.uri, { dbName: 'asar_trace', monitorCommands: true });
  let on = false;
  (mongoose.connection.getClient() as unknown as MongoClient).on(
    'commandStarted',
    (e: { commandName: string; command: Record<string, unknown> }) => {
      if (!on) return;
      const c = e.command;
      const coll = c[e.commandName];
      const what = JSON.stringify(c.filter ?? c.query ?? c.pipeline ?? c.updates ?? c.documents ?? '').slice(0, 160);
      console.log(`  ${e.commandName} ${typeof coll === 'string' ? coll : ''} ${what}`);
    },
  );
  const { actor, token } = await benchIdentity();
  const fx = await createFixture(actor);
  const items = fx.items.slice(0, ITEM_COUNT_HTTP);
  await stockUp(actor, fx.donorIds[0] as string, fx.warehouses.slice(0, 2), items, '1000');
  const server: Server = await new Promise((r) => {
    const s = buildApp({ logger: pino({ level: 'silent' }) }).listen(0, '127.0.0.1', () => r(s));
  });
  const port = (server.address() as AddressInfo).port;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify(body),
    });
    return res.status;
  };
  for (let i = 0; i < 2; i++) {
    on = i === 1;
    if (on) console.log('transfer:');
    console.log(
      await post('/stock/transfers', {
        fromWarehouseId: fx.warehouses[0].id,
        toWarehouseId: fx.warehouses[1].id,
        itemId: items[3].id,
        quantity: 1,
      }),
    );
    if (on) console.log('donation:');
    console.log(
      await post('/donations', {
        donorId: fx.donorIds[1],
        warehouseId: fx.warehouses[0].id,
        receive: true,
        lines: fiveItems(items, i).map((it, l) => donationLine(it, '3', l)),
      }),
    );
  }
  server.close();
  await mongoose.disconnect();
  await thread.close();
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
