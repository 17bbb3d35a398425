/**
 * Durable storage in LMDB (the `lmdb` package): one environment file `asar.mdb` in the data directory.
 *
 * Layout (ordered-binary array keys, raw BSON values):
 *   ['c', db, collection]          catalog entry: { db, name, uuid, options, indexes }
 *   ['d', uuidHex, storedIdKey]    one document, keyed by its collection's uuid so that a dropped and recreated
 *                                  collection can never see the old one's documents
 *   ['q', ...original key]         records that could not be decoded, set aside (never deleted) for inspection
 *
 * Why LMDB: it is copy-on-write with two meta pages, so a crash or torn write leaves the last committed transaction
 * intact (no recovery step, no torn tail to trim); each commit of a storage transaction is one LMDB transaction, so
 * it is atomic; lmdb-js batches concurrent asynchronous writes into one commit and one fsync (group commit).
 * Commits resolve only once flushed to disk: with lmdb-js's default overlappingSync a commit is visible before it
 * is durable, so we also wait for `db.flushed`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { deserialize, serialize } from 'bson';
import { open, type RootDatabase } from 'lmdb';
import { DESERIALIZE_OPTIONS, type Doc } from '../types';
import type { IndexSpec } from './store-types';

export const DATA_FILE = 'asar.mdb';

export interface CatalogEntry {
  db: string;
  name: string;
  /** Collection uuid as 32 hex digits. */
  uuid: string;
  options: Doc;
  indexes: IndexSpec[];
}

export interface DocWrite {
  uuid: string;
  idKey: string;
  /** Serialised document, or null to delete. */
  bson: Buffer | null;
}

type Log = (msg: string, extra?: object) => void;
type Key = (string | number)[];

/** LMDB keys are limited to ~2 KB; long `_id`s are stored under a hash ('#' never starts a keyOf string). */
export function storedIdKey(idKey: string): string {
  return idKey.length <= 400 ? idKey : `#${createHash('sha256').update(idKey).digest('hex')}`;
}

export function encodeDoc(doc: Doc): Buffer {
  return Buffer.from(serialize(doc));
}

export interface LoadVisitor {
  collection(entry: CatalogEntry): void;
  /**
   * Returns the keyOf(_id) the store uses for `doc`, or undefined when its collection is unknown (orphan).
   * `storedKey` is the id key the record is stored under (normally that same string, which the store may then reuse).
   */
  doc(uuid: string, doc: Doc, storedKey: unknown): string | undefined;
  /** Everything has been read. */
  done(): void;
}

export class Persistence {
  private readonly db: RootDatabase<Buffer, Key>;
  private readonly log: Log;
  readonly file: string;

  private constructor(db: RootDatabase<Buffer, Key>, file: string, log: Log) {
    this.db = db;
    this.file = file;
    this.log = log;
  }

  static open(dir: string, log: Log): Persistence {
    const file = path.join(dir, DATA_FILE);
    const db = open<Buffer, Key>({ path: file, encoding: 'binary', compression: false, cache: false });
    return new Persistence(db, file, log);
  }

  /**
   * Streams everything to the visitor: catalog entries first (their keys sort first), then documents. Records that do
   * not decode are moved to the 'q' keyspace with a log line instead of failing the startup (no crash loop);
   * documents of unknown collections are removed, and keys written under an older id-key format are rewritten.
   */
  async load(visitor: LoadVisitor): Promise<{ documents: number; skipped: number }> {
    const quarantine: { key: Key; value: Buffer }[] = [];
    const orphans: Key[] = [];
    const rekey: { from: Key; to: Key }[] = [];
    let documents = 0;
    for (const { key, value } of this.db.getRange({ start: ['c'], end: ['c', '\uffff'] })) {
      try {
        const raw = deserialize(value, DESERIALIZE_OPTIONS) as Doc;
        visitor.collection({
          db: String(raw.db),
          name: String(raw.name),
          uuid: String(raw.uuid),
          options: (raw.options ?? {}) as Doc,
          indexes: (raw.indexes ?? []) as IndexSpec[],
        });
      } catch (err) {
        this.log('embedded-db: skipping an undecodable catalog record', { key, error: String(err) });
        quarantine.push({ key, value });
      }
    }
    for (const { key, value } of this.db.getRange({ start: ['d'], end: ['d', '\uffff'] })) {
      let doc: Doc;
      try {
        // lmdb hands out a copy for the 'binary' encoding, so bson's Binary values may point into it safely.
        doc = deserialize(value, DESERIALIZE_OPTIONS) as Doc;
      } catch (err) {
        this.log('embedded-db: skipping an undecodable document record', { key, error: String(err) });
        quarantine.push({ key, value });
        continue;
      }
      const uuid = key[1] as string;
      const idKey = visitor.doc(uuid, doc, key[2]);
      if (idKey === undefined) {
        orphans.push(key);
        continue;
      }
      documents++;
      if (idKey !== key[2]) {
        const expected = storedIdKey(idKey);
        if (key[2] !== expected) rekey.push({ from: key, to: ['d', uuid, expected] });
      }
    }
    visitor.done();
    if (orphans.length)
      this.log('embedded-db: removing documents of collections no longer in the catalog', { count: orphans.length });
    if (quarantine.length || orphans.length || rekey.length) {
      await this.db.transaction(() => {
        for (const q of quarantine) {
          this.db.put(['q', ...q.key], Buffer.from(q.value));
          this.db.remove(q.key);
        }
        for (const k of orphans) this.db.remove(k);
        for (const r of rekey) {
          const v = this.db.get(r.from);
          if (v) this.db.put(r.to, Buffer.from(v));
          this.db.remove(r.from);
        }
      });
      await this.db.flushed;
    }
    return { documents, skipped: quarantine.length };
  }

  /** One atomic, durable LMDB transaction for a storage commit. */
  async commit(docs: DocWrite[], catalog: CatalogEntry[] = []): Promise<void> {
    if (docs.length === 1 && catalog.length === 0) {
      // A single put is atomic by itself and skips the main-thread callback of transaction().
      const d = docs[0];
      const key: Key = ['d', d.uuid, storedIdKey(d.idKey)];
      await (d.bson ? this.db.put(key, d.bson) : this.db.remove(key));
    } else {
      await this.db.transaction(() => {
        for (const c of catalog) this.db.put(['c', c.db, c.name], encodeCatalog(c));
        for (const d of docs) {
          const key: Key = ['d', d.uuid, storedIdKey(d.idKey)];
          if (d.bson) this.db.put(key, d.bson);
          else this.db.remove(key);
        }
      });
    }
    await this.db.flushed;
  }

  async putCatalog(entry: CatalogEntry): Promise<void> {
    await this.commit([], [entry]);
  }

  /** Removes a collection's catalog entry and all its documents in one transaction. */
  async dropCollections(entries: { db: string; name: string; uuid: string }[]): Promise<void> {
    if (!entries.length) return;
    await this.db.transaction(() => {
      for (const e of entries) {
        this.db.remove(['c', e.db, e.name]);
        for (const key of this.db.getKeys({ start: ['d', e.uuid], end: ['d', e.uuid, '\uffff'] })) this.db.remove(key);
      }
    });
    await this.db.flushed;
  }

  async close(): Promise<void> {
    await this.db.flushed;
    await this.db.close();
  }
}

function encodeCatalog(c: CatalogEntry): Buffer {
  return Buffer.from(serialize({ db: c.db, name: c.name, uuid: c.uuid, options: c.options, indexes: c.indexes }));
}
