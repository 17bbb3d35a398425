/**
 * The driver's own collection behind a Mongoose model, for the few hot paths that every request runs and that need
 * none of Mongoose's query building, casting, hydration or middleware: the session lookup, Idempotency-Key records,
 * document counters. Owned collections are reached this way only through `owned(Model, actor).direct()`
 * (modules/access/scope.ts), which keeps their scope. Code here builds filters, updates and documents with the types
 * the model stores (ObjectIds, Dates), since nothing casts them.
 */
import type { Model, mongo } from 'mongoose';

const byDatabase = new WeakMap<mongo.Db, Map<string, mongo.Collection>>();

// biome-ignore lint/suspicious/noExplicitAny: any model, whatever its document type
export function driverCollection<T extends mongo.Document = mongo.Document>(model: Model<any>): mongo.Collection<T> {
  // The one Mongoose itself writes through, once connected: a fault injected there reaches both ways in.
  const own = (model.collection as unknown as { collection?: mongo.Collection }).collection;
  if (own) return own as unknown as mongo.Collection<T>;
  const db = model.db.db;
  if (!db) throw new Error(`${model.modelName}: the database is not connected`);
  let collections = byDatabase.get(db);
  if (!collections) {
    collections = new Map();
    byDatabase.set(db, collections);
  }
  const name = model.collection.collectionName;
  let collection = collections.get(name);
  if (!collection) {
    collection = db.collection(name);
    collections.set(name, collection);
  }
  return collection as unknown as mongo.Collection<T>;
}
