import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { IdempotencyKey } from '../../src/http/idempotency';
import { Alert } from '../../src/modules/alerts/alerts.model';
import { WebhookDelivery } from '../../src/modules/alerts/webhooks.model';
import { RETRY_DELAYS_MS, settleDeliveries, signatureOf } from '../../src/modules/alerts/webhooks.service';
import { StockBalance } from '../../src/modules/stock/stock.model';
import { setupTestApp } from '../support/app';
import { bearer, given } from '../support/given-identity';
import { actorFor, daysFromToday, givenInventory } from '../support/given-inventory';

const t = setupTestApp();

const tokenOf = async (role: 'admin' | 'warehouse' | 'viewer' | 'operator') =>
  bearer((await given.user({ role })).token);

async function runJob(name: string) {
  const res = await t.api.post(`/api/v1/jobs/${name}/run`).set(await tokenOf('operator'));
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('succeeded');
  return res.body;
}

async function expiringItem() {
  return givenInventory.item({ expiryTracked: true, lotTracked: true });
}

describe('expiry warnings', () => {
  test('when stock expires within 30 and 90 days in two warehouses, then each warehouse gets one alert of matching severity', async () => {
    const item = await expiringItem();
    const soon = await givenInventory.stockOf({ item, lot: 'L1', expiryDate: daysFromToday(20) });
    const later = await givenInventory.stockOf({ item, lot: 'L2', expiryDate: daysFromToday(80) });
    await givenInventory.stockOf({ item, lot: 'L3', expiryDate: daysFromToday(200) });

    const run = await runJob('expiry-warnings');
    expect(run.result).toMatchObject({ warehouses: 2, opened: 2 });

    const res = await t.api.get('/api/v1/alerts?kind=stock_expiring').set(await tokenOf('viewer'));
    expect(res.status).toBe(200);
    const byWarehouse = new Map(res.body.data.map((a: { subject: { id: string } }) => [a.subject.id, a]));
    expect(byWarehouse.get(soon.warehouse.id)).toMatchObject({
      severity: 'critical',
      status: 'open',
      details: { within: { 30: 1, 60: 1, 90: 1 }, expired: 0 },
    });
    expect(byWarehouse.get(later.warehouse.id)).toMatchObject({
      severity: 'info',
      details: { within: { 30: 0, 90: 1 } },
    });
  });

  test('when the job runs again while an alert is open or acknowledged, then it is refreshed, not repeated', async () => {
    const item = await expiringItem();
    const { warehouse } = await givenInventory.stockOf({ item, lot: 'L1', expiryDate: daysFromToday(10) });
    await runJob('expiry-warnings');
    await runJob('expiry-warnings');
    const [alert] = await Alert.find({ 'subject.id': warehouse.id }).lean();
    expect(alert.occurrences).toBe(2);

    const warehouseToken = await given.user({ role: 'warehouse', name: 'Aigerim Sadykova' });
    const ack = await t.api.post(`/api/v1/alerts/${alert._id}/acknowledge`).set(bearer(warehouseToken.token));
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: { name: 'Aigerim Sadykova' } });
    const again = await t.api.post(`/api/v1/alerts/${alert._id}/acknowledge`).set(bearer(warehouseToken.token));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_STATE', details: { status: 'acknowledged' } });

    await runJob('expiry-warnings');
    const alerts = await Alert.find({ 'subject.id': warehouse.id }).lean();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'acknowledged', occurrences: 3 });
  });

  test('when the expiring stock is gone, then the next run resolves the alert and a recurrence opens a new one', async () => {
    const item = await expiringItem();
    const { warehouse } = await givenInventory.stockOf({ item, lot: 'L1', expiryDate: daysFromToday(10) });
    await runJob('expiry-warnings');
    const issued = await t.api
      .post('/api/v1/stock/issues')
      .set(await tokenOf('warehouse'))
      .send({ warehouseId: warehouse.id, itemId: item.id, lot: 'L1', quantity: 10 });
    expect(issued.status).toBe(201);
    const run = await runJob('expiry-warnings');
    expect(run.result).toMatchObject({ resolved: 1, warehouses: 0 });
    expect(await Alert.findOne({ 'subject.id': warehouse.id }).lean()).toMatchObject({
      status: 'resolved',
      active: false,
    });
    await givenInventory.stockOf({ item, warehouse, lot: 'L9', expiryDate: daysFromToday(5) });
    await runJob('expiry-warnings');
    expect(await Alert.countDocuments({ 'subject.id': warehouse.id })).toBe(2);
    expect(await Alert.countDocuments({ 'subject.id': warehouse.id, active: true })).toBe(1);
  });
});

describe('low stock', () => {
  test('when warehouse staff set a minimum above what is available, then the low-stock job raises an alert', async () => {
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5 });
    const headers = await tokenOf('warehouse');
    const set = await t.api
      .put('/api/v1/minimum-levels')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, minimum: 2, unit: 'box' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ minimum: 24, quantity: '24', baseUnit: 'piece' });

    const run = await runJob('low-stock');
    expect(run.result).toMatchObject({ levels: 1, below: 1, opened: 1 });
    const res = await t.api.get('/api/v1/alerts?kind=stock_low').set(headers);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({
      severity: 'warning',
      details: { available: '5 piece', minimum: '24 piece' },
    });
  });

  test('when a minimum level is invalid, then 400 names the field and nothing is stored', async () => {
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 5 });
    const headers = await tokenOf('warehouse');
    const res = await t.api
      .put('/api/v1/minimum-levels')
      .set(headers)
      .send({ warehouseId: warehouse.id, itemId: item.id, minimum: '1.5', unit: 'piece' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('minimum');
    const viewer = await t.api
      .put('/api/v1/minimum-levels')
      .set(await tokenOf('viewer'))
      .send({ warehouseId: warehouse.id, itemId: item.id, minimum: 1 });
    expect(viewer.status).toBe(403);
    const list = await t.api.get('/api/v1/minimum-levels').set(headers);
    expect(list.body.page.total).toBe(0);
  });
});

describe('reconciliation and housekeeping', () => {
  test('when a balance disagrees with its ledger, then the nightly reconciliation raises a critical alert', async () => {
    const { item } = await givenInventory.stockOf({ quantity: 5 });
    expect((await runJob('stock-reconciliation')).result).toMatchObject({ violations: 0 });
    // Corruption from outside the application (a restore gone wrong): the job must notice it.
    await StockBalance.collection.updateOne({ itemId: new Types.ObjectId(item.id) }, { $set: { onHand: 7 } });
    expect((await runJob('stock-reconciliation')).result).toMatchObject({ violations: 1, opened: 1 });
    const [alert] = await Alert.find({ kind: 'stock_invariant' }).lean();
    expect(alert).toMatchObject({ severity: 'critical', details: { onHand: 7, ledgerSum: 5 } });
  });

  test('when Idempotency-Key records are past their retention, then the cleanup job removes them and keeps fresh ones', async () => {
    const old = new Date(Date.now() - 25 * 3_600_000);
    const record = (id: string, createdAt: Date) => ({
      _id: id,
      fingerprint: 'f',
      state: 'done',
      lockedUntil: createdAt,
      createdAt,
    });
    await IdempotencyKey.collection.insertMany([record('old-key', old), record('fresh-key', new Date())] as never[]);
    expect((await runJob('idempotency-cleanup')).result).toMatchObject({ removed: 1 });
    expect((await IdempotencyKey.find().lean()).map((k) => k._id)).toEqual(['fresh-key']);
  });

  test("when a job is run by an organisation's admin or by an unknown name, then 403 and 404", async () => {
    // Jobs work across every organisation: only the deployment's operator runs them by hand.
    const forbidden = await t.api.post('/api/v1/jobs/low-stock/run').set(await tokenOf('admin'));
    expect(forbidden.status).toBe(403);
    const unknown = await t.api.post('/api/v1/jobs/no-such-job/run').set(await tokenOf('operator'));
    expect(unknown.status).toBe(404);
    const listed = await t.api.get('/api/v1/jobs').set(await tokenOf('operator'));
    expect(listed.body.data.map((j: { name: string }) => j.name)).toEqual(
      expect.arrayContaining(['expiry-warnings', 'low-stock', 'stock-reconciliation', 'idempotency-cleanup']),
    );
  });
});

describe('webhooks', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failNext = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = failNext > 0 ? 500 : 204;
        failNext -= 1;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/asar-hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    failNext = 0;
  });

  test('when an alert is raised, then its webhook gets a signed POST, retried with backoff after a failure, and logged', async () => {
    const admin = await tokenOf('admin');
    const created = await t.api
      .post('/api/v1/webhooks')
      .set(admin)
      .send({ url, events: ['alert.raised'] });
    expect(created.status).toBe(201);
    const { id, secret } = created.body;
    expect(secret).toMatch(/^whsec_/);
    const listed = await t.api.get('/api/v1/webhooks').set(admin);
    expect(listed.body.data[0]).not.toHaveProperty('secret');

    failNext = 1;
    const item = await expiringItem();
    await givenInventory.stockOf({ item, lot: 'L1', expiryDate: daysFromToday(3) });
    await runJob('expiry-warnings');
    await settleDeliveries();

    expect(received).toHaveLength(1);
    const [first] = received;
    const [, timestamp, signature] =
      /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(first.headers['x-asar-signature'])) ?? [];
    expect(signature).toBe(signatureOf(secret, Number(timestamp), first.body));
    expect(JSON.parse(first.body)).toMatchObject({
      event: 'alert.raised',
      data: { alert: { kind: 'stock_expiring', severity: 'critical' } },
    });
    let [delivery] = await WebhookDelivery.find({ webhookId: id }).lean();
    expect(delivery).toMatchObject({ status: 'pending', attempts: [{ status: 500, error: 'HTTP 500' }] });
    expect(delivery.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(
      delivery.attempts[0].at.getTime() + RETRY_DELAYS_MS[0],
    );

    // Not due yet: nothing is sent. Once due (the job would run it a minute later), it is delivered.
    const { sendDueDeliveries } = await import('../../src/modules/alerts/webhooks.service');
    expect(await sendDueDeliveries()).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(await sendDueDeliveries({ now: new Date(Date.now() + RETRY_DELAYS_MS[0] + 1000) })).toMatchObject({
      delivered: 1,
    });
    expect(received).toHaveLength(2);
    expect(received[1].headers['x-asar-delivery']).toBe(String(delivery._id));

    const log = await t.api.get(`/api/v1/webhooks/${id}/deliveries`).set(admin);
    expect(log.status).toBe(200);
    [delivery] = log.body.data;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: [{ status: 500 }, { status: 204, error: null }] });
  });

  test('when a webhook URL is not http(s), then 400 names the url field', async () => {
    const res = await t.api
      .post('/api/v1/webhooks')
      .set(await tokenOf('admin'))
      .send({ url: 'file:///etc/passwd' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('url');
  });
});

describe('reservations past their expiry', () => {
  test('when a reservation has expired, then the reservations-expiry job releases it through the stock module', async () => {
    const { reserve } = await import('../../src/modules/stock');
    const { StockReservation } = await import('../../src/modules/stock/stock.model');
    const { warehouse, item } = await givenInventory.stockOf({ quantity: 10 });
    await reserve(
      {
        warehouseId: warehouse.id,
        itemId: item.id,
        quantity: 4,
        source: { type: 'shipment', id: new Types.ObjectId().toHexString(), line: '1' },
        expiresAt: new Date(Date.now() + 1_000),
      },
      await actorFor(),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const run = await runJob('reservations-expiry');
    expect(run.result).toEqual({ released: 1 });
    const organisationId = (await given.homeOrganisation()).id;
    expect(await StockReservation.findOne({ organisationId }).lean()).toMatchObject({
      status: 'closed',
      quantity: 0,
      releasedQuantity: 4,
    });
  });
});
