/**
 * The bare baseline `npm run bench:stock` measures Asar against: Express 5 and the raw `mongodb` driver, doing the
 * same logical work as Asar's transfer and received donation on the same database and collections, and nothing more.
 *
 * A transfer: the session lookup (one find), the Idempotency-Key record (one insert, outside the transaction), then
 * in one transaction: a guarded decrement that also picks the balance (findOneAndUpdate on `onHand - reserved >= q`,
 * earliest expiry first), an upsert-increment of the destination balance, two ledger entries (one insert), one audit
 * entry, the Idempotency-Key record marked done; commit. 8 commands.
 * A donation of n lines, received: the session lookup, the key record, a document number (counter increment outside
 * the transaction, as Asar does), then in one transaction: n upsert-increments (one bulkWrite), one read of the
 * balances (each entry's balanceAfter), the donation (one insert), n ledger entries (one insert), one audit entry,
 * the key record done; commit. 10 commands. Like Asar, it queues receipts of the same goods into the same warehouse
 * in this process until their transaction has ended, so that neither app spends its time on write conflicts.
 * Where the work is the same, so are the documents: the donation is stored with every field of Asar's record (lines
 * as entered and as posted, estimated values, who created and received it), and answered whole, as Asar answers it;
 * the answer is serialised once, for the key record and the response alike (as Asar does). It runs on the driver
 * Asar runs on (Mongoose's copy of `mongodb`).
 *
 * What it leaves out, and Asar does not: checking that the user is active and its organisation, that the warehouses,
 * item, donor belong to the caller's organisation and exist (the baseline trusts the ids), unit conversion (the
 * quantity is taken as an integer of the stored unit), Joi validation (a few typeof checks), replaying an answer
 * (a reused key answers 409), request logging. It writes only to the warehouses the benchmark gives it, so its
 * balances never mix with Asar's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import mongoose from 'mongoose';

// The driver Asar runs on (Mongoose's own copy of `mongodb`), so that both apps pay for the same driver code.
const { ObjectId } = mongoose.mongo;
type ObjectId = mongoose.mongo.ObjectId;
type Db = mongoose.mongo.Db;
type MongoClient = mongoose.mongo.MongoClient;

export interface BaselineOptions {
  client: MongoClient;
  db: Db;
  /** The session token's stored hash (Asar's HMAC), so the baseline authenticates the same bearer token. */
  hashToken: (token: string) => string;
}

interface Caller {
  userId: ObjectId;
  organisationId: ObjectId;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const ID = /^[0-9a-f]{24}$/;

function objectId(value: unknown, field: string): ObjectId {
  if (typeof value !== 'string' || !ID.test(value)) throw new Refusal(400, `VALIDATION ${field}`);
  return new ObjectId(value);
}

function positiveInteger(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new Refusal(400, `VALIDATION ${field}`);
  return n;
}

/** Per warehouse+item, the tail of the receipts queued on it (see the top comment). */
const queues = new Map<string, Promise<void>>();

async function queued<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
  const releases: (() => void)[] = [];
  for (const key of [...new Set(keys)].sort()) {
    const previous = queues.get(key);
    let release = () => {};
    const tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous ? previous.then(() => tail) : tail;
    queues.set(key, chained);
    releases.push(() => {
      release();
      if (queues.get(key) === chained) queues.delete(key);
    });
    if (previous) await previous;
  }
  try {
    return await fn();
  } finally {
    for (const release of releases) release();
  }
}

export function buildBaselineApp({ client, db, hashToken }: BaselineOptions): Express {
  const sessions = db.collection('sessions');
  const users = db.collection('users');
  const keys = db.collection<{ _id: string; [field: string]: unknown }>('idempotency_keys');
  const balances = db.collection('stock_balances');
  const ledger = db.collection('ledger_entries');
  const auditEntries = db.collection('audit_entries');
  const donations = db.collection('donations');
  const counters = db.collection<{ _id: string; seq: number }>('counters');
  /** The organisation of each user (immutable in the baseline's world): read once per user. */
  const organisationOfUser = new Map<string, ObjectId>();

  async function authenticate(req: Request): Promise<Caller> {
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token) throw new Refusal(401, 'UNAUTHENTICATED');
    const session = await sessions.findOne(
      { tokenHash: hashToken(token), revokedAt: null, expiresAt: { $gt: new Date() } },
      { projection: { userId: 1 } },
    );
    if (!session) throw new Refusal(401, 'UNAUTHENTICATED');
    const userId = session.userId as ObjectId;
    let organisationId = organisationOfUser.get(String(userId));
    if (!organisationId) {
      const user = await users.findOne({ _id: userId }, { projection: { organisationId: 1 } });
      organisationId = user?.organisationId as ObjectId;
      organisationOfUser.set(String(userId), organisationId);
    }
    return { userId, organisationId };
  }

  /** Claims the Idempotency-Key outside the transaction; runs `work` in one transaction that marks it done. */
  async function idempotent(
    req: Request,
    caller: Caller,
    work: (session: mongoose.mongo.ClientSession) => Promise<unknown>,
  ): Promise<string> {
    const key = req.get('idempotency-key');
    if (!key) throw new Refusal(400, 'VALIDATION Idempotency-Key');
    const id = `user:${caller.userId}:${key}`;
    const token = randomUUID();
    const now = new Date();
    try {
      await keys.insertOne({
        _id: id,
        fingerprint: req.path,
        state: 'in_progress',
        token,
        lockedUntil: new Date(now.getTime() + 30_000),
        createdAt: now,
      });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) throw new Refusal(409, 'IDEMPOTENCY_KEY_REUSED');
      throw error;
    }
    const session = client.startSession();
    try {
      return await session.withTransaction(async () => {
        const body = await work(session);
        const json = JSON.stringify(body);
        await keys.updateOne(
          { _id: id, token, state: 'in_progress' },
          { $set: { state: 'done', response: { status: 201, json }, lockedUntil: new Date() } },
          { session },
        );
        return json;
      });
    } catch (error) {
      await keys.deleteOne({ _id: id, token });
      throw error;
    } finally {
      await session.endSession();
    }
  }

  function entry(
    caller: Caller,
    operationId: ObjectId,
    type: string,
    balance: Record<string, unknown>,
    quantity: number,
    at: Date,
    source: Record<string, unknown>,
  ) {
    return {
      _id: new ObjectId(),
      organisationId: caller.organisationId,
      type,
      quantity,
      unit: balance.unit,
      balanceId: balance._id,
      balanceAfter: balance.onHand,
      warehouseId: balance.warehouseId,
      locationCode: balance.locationCode,
      itemId: balance.itemId,
      lot: balance.lot,
      expiryDate: balance.expiryDate,
      condition: balance.condition,
      operationId,
      source,
      reason: null,
      note: null,
      actor: { kind: 'user', id: String(caller.userId), name: 'baseline' },
      at,
      reverses: null,
      reversedBy: null,
    };
  }

  function auditOf(caller: Caller, action: string, targetId: ObjectId, summary: Record<string, unknown>) {
    return {
      _id: new ObjectId(),
      actor: { kind: 'user', id: String(caller.userId), name: 'baseline', organisationId: caller.organisationId },
      organisationId: caller.organisationId,
      action,
      targetType: 'stock_operation',
      targetId: String(targetId),
      summary,
      requestId: null,
      ip: null,
      at: new Date(),
    };
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  app.post('/transfers', async (req: Request, res: Response) => {
    const caller = await authenticate(req);
    const from = objectId(req.body?.fromWarehouseId, 'fromWarehouseId');
    const to = objectId(req.body?.toWarehouseId, 'toWarehouseId');
    const itemId = objectId(req.body?.itemId, 'itemId');
    const quantity = positiveInteger(req.body?.quantity, 'quantity');
    const body = await idempotent(req, caller, async (session) => {
      const at = new Date();
      const operationId = new ObjectId();
      const source = { type: 'transfer', id: String(operationId), number: req.body?.reference ?? null };
      const taken = await balances.findOneAndUpdate(
        {
          organisationId: caller.organisationId,
          warehouseId: from,
          itemId,
          condition: { $ne: 'damaged' },
          $expr: { $gte: [{ $subtract: ['$onHand', { $ifNull: ['$reserved', 0] }] }, quantity] },
        },
        { $inc: { onHand: -quantity, version: 1 }, $set: { updatedAt: at } },
        { session, sort: { expiryDate: 1, _id: 1 }, returnDocument: 'after' },
      );
      if (!taken) throw new Refusal(409, 'INSUFFICIENT_STOCK');
      const put = await balances.findOneAndUpdate(
        {
          organisationId: caller.organisationId,
          warehouseId: to,
          itemId,
          locationCode: null,
          lot: taken.lot,
          expiryDate: taken.expiryDate,
          condition: taken.condition,
        },
        {
          $inc: { onHand: quantity, version: 1 },
          $set: { unit: taken.unit, updatedAt: at },
          $setOnInsert: { reserved: 0, createdAt: at },
        },
        { session, upsert: true, returnDocument: 'after' },
      );
      if (!put) throw new Error('upsert returned nothing');
      const entries = [
        entry(caller, operationId, 'transfer_out', taken, -quantity, at, source),
        entry(caller, operationId, 'transfer_in', put, quantity, at, source),
      ];
      await ledger.insertMany(entries, { session });
      await auditEntries.insertOne(auditOf(caller, 'stock.transfer', operationId, { source, quantity }), { session });
      return { operationId: String(operationId), source, at, entries };
    });
    res.status(201).type('application/json').send(body);
  });

  app.post('/donations', async (req: Request, res: Response) => {
    const caller = await authenticate(req);
    const warehouseId = objectId(req.body?.warehouseId, 'warehouseId');
    const donorId = objectId(req.body?.donorId, 'donorId');
    const lines = Array.isArray(req.body?.lines) ? (req.body.lines as Record<string, unknown>[]) : [];
    if (lines.length === 0 || lines.length > 500) throw new Refusal(400, 'VALIDATION lines');
    const checked = lines.map((line, i) => {
      const quantity = positiveInteger(line.quantity, `lines[${i}].quantity`);
      const value = line.estimatedValue as { amount?: unknown; currency?: unknown } | null | undefined;
      return {
        itemId: objectId(line.itemId, `lines[${i}].itemId`),
        enteredQuantity: String(quantity),
        enteredUnit: 'piece',
        quantity,
        unit: 'piece',
        condition: typeof line.condition === 'string' ? line.condition : 'new',
        lot: typeof line.lot === 'string' ? line.lot : null,
        expiryDate: typeof line.expiryDate === 'string' ? new Date(line.expiryDate) : null,
        locationCode: null,
        estimatedValue: value
          ? { amountMinor: Math.round(Number(value.amount) * 100), currency: String(value.currency) }
          : null,
      };
    });
    const counter = await counters.findOneAndUpdate(
      { _id: 'BASELINE-DN' },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const number = `BDN-${String(counter?.seq ?? 0).padStart(6, '0')}`;
    const goods = checked.map((line) => `${warehouseId}:${line.itemId}`);
    const body = await queued(goods, () =>
      idempotent(req, caller, async (session) => {
        const at = new Date();
        const operationId = new ObjectId();
        const donationId = new ObjectId();
        const identity = (line: (typeof checked)[number]) => ({
          organisationId: caller.organisationId,
          warehouseId,
          itemId: line.itemId,
          locationCode: null,
          lot: line.lot,
          expiryDate: line.expiryDate,
          condition: line.condition,
        });
        await balances.bulkWrite(
          checked.map((line) => ({
            updateOne: {
              filter: identity(line),
              update: {
                $inc: { onHand: line.quantity, version: 1 },
                $set: { unit: 'piece', updatedAt: at },
                $setOnInsert: { reserved: 0, createdAt: at },
              },
              upsert: true,
            },
          })),
          { session, ordered: true },
        );
        const found = await balances
          .find(
            { organisationId: caller.organisationId, warehouseId, itemId: { $in: checked.map((l) => l.itemId) } },
            { session },
          )
          .toArray();
        const source = { type: 'donation', id: String(donationId), number };
        const entries = checked.map((line) => {
          const balance = found.find(
            (b) =>
              b.itemId.equals(line.itemId) &&
              b.lot === line.lot &&
              (b.expiryDate?.getTime() ?? null) === (line.expiryDate?.getTime() ?? null) &&
              b.condition === line.condition,
          );
          if (!balance) throw new Error('balance not found after upsert');
          return entry(caller, operationId, 'receipt', balance, line.quantity, at, source);
        });
        const by = { kind: 'user', id: String(caller.userId), name: 'baseline' };
        const donation = {
          _id: donationId,
          number,
          status: 'received',
          donorId,
          warehouseId,
          organisationId: caller.organisationId,
          receivedAt: at,
          lines: checked,
          notes: null,
          verificationRef: randomBytes(8).toString('hex').toUpperCase(),
          createdBy: by,
          receivedBy: by,
          postedAt: at,
          receiptOperationId: operationId,
          reversalOperationId: null,
          reversedAt: null,
          reversalReason: null,
          cancelledAt: null,
          createdAt: at,
          updatedAt: at,
        };
        await donations.insertOne(donation, { session });
        await ledger.insertMany(entries, { session });
        await auditEntries.insertOne(auditOf(caller, 'donation.receive', donationId, { number, lines: lines.length }), {
          session,
        });
        return donation;
      }),
    );
    res.status(201).type('application/json').send(body);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    if (error instanceof Refusal) res.status(error.status).json({ error: { code: error.code } });
    else res.status(500).json({ error: { code: 'INTERNAL', message: String(error) } });
  });
  return app;
}
