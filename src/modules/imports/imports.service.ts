/**
 * CSV imports: upload (the file is stored and dry-run at once: every bad row reported with its row, column and
 * message, nothing written), then start in one of two modes: all-or-nothing (refused if any row is bad) or valid
 * rows only. Imports run in the background, one process at a time per import (a lease on its record), report
 * progress (rows done / total), and resume after a restart from their last saved row without writing a row twice
 * (see import-kinds.ts for how each kind makes that hold).
 *
 * Rows are written in batches of BATCH_ROWS, each batch in one transaction with the import's progress (so a resumed
 * import starts after the last committed batch), each checked against the database just before it is written.
 *
 * Known limit of all-or-nothing: the dry run checks every row first, so a file with a bad row writes nothing; but
 * a long import is written in batches, and a row that turns bad between the dry run and its batch (someone created
 * the same SKU meanwhile) stops the import as failed with the batches before it written. In valid-rows-only mode
 * such a row is skipped and the rest written.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Types } from 'mongoose';
import { AppError, notFound } from '../../core/errors';
import { type Page, type PageRequest, paginate } from '../../core/pagination';
import { detached, withTransaction } from '../../db/transaction';
import { logger } from '../../logger';
import { open, seal } from '../../personal-data';
import { type Actor, permissionsOf, ROLES, type Role } from '../access';
import { recordAudit } from '../audit';
import { ledgerActorOf } from '../stock';
import { CsvFileError, csvRecords, type Delimiter, detectDelimiter } from './csv-rows';
import { IMPORT_KINDS, type ImportKind, type ParsedRow } from './import-kinds';
import { Import, ImportChunk, type ImportMode, type ImportRecord, type RowError } from './imports.model';

const CHUNK_BYTES = 1024 * 1024;
const BATCH_ROWS = 500;
const MAX_STORED_ERRORS = 1000;
const LEASE_MS = 60_000;
const HOLDER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface ImportDto {
  id: string;
  kind: string;
  filename: string;
  delimiter: Delimiter;
  mode: ImportMode | null;
  status: ImportRecord['status'];
  total: number;
  valid: number;
  errorCount: number;
  errors: RowError[];
  progress: { rowsDone: number; total: number; written: number; percent: number };
  failure: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function toImportDto(r: ImportRecord): ImportDto {
  return {
    id: String(r._id),
    kind: r.kind,
    filename: r.filename,
    delimiter: r.delimiter,
    mode: r.mode,
    status: r.status,
    total: r.total,
    valid: r.valid,
    errorCount: r.errorCount,
    errors: r.errors,
    progress: {
      rowsDone: r.rowsDone,
      total: r.total,
      written: r.written,
      percent: r.total === 0 ? 100 : Math.floor((r.rowsDone / r.total) * 100),
    },
    failure: r.failure,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

function kindOf(kind: string): ImportKind {
  const found = IMPORT_KINDS[kind];
  if (!found) throw notFound('Import kind', kind);
  return found;
}

/** The kind, when the actor may create its records by hand (a warehouse clerk imports stock, not families). */
function kindFor(kind: string, actor: Actor): ImportKind {
  const found = kindOf(kind);
  if (!actor.permissions.has(found.permission)) {
    throw new AppError('FORBIDDEN', `Importing ${kind} needs the permission ${found.permission}`, {
      kind,
      permission: found.permission,
    });
  }
  return found;
}

/** A stored chunk of an uploaded file: sealed (src/personal-data), as a households file holds IINs in clear. */
function sealChunk(data: Buffer): Buffer {
  return Buffer.from(seal(data.toString('base64'), 'import_file'), 'utf8');
}

function openChunk(stored: Buffer): Buffer {
  return Buffer.from(open(stored.toString('utf8'), 'import_file'), 'base64');
}

async function* chunksOf(importId: Types.ObjectId): AsyncGenerator<Buffer> {
  for (let n = 0; ; n += 1) {
    const chunk = await ImportChunk.findOne({ importId, n }).lean();
    if (!chunk) return;
    yield openChunk(Buffer.from(chunk.data.buffer ?? chunk.data));
  }
}

/** A batch of rows in file order, as the pass hands it on: each valid (with its value) or not (null). */
type Batch = { row: number; value: Record<string, unknown> | null; checked?: unknown }[];

/**
 * One pass over the file: parses, validates each row with the kind's schema, then checks batches of rows against
 * the database (one query per batch). Hands each batch, all its rows in order, to `onBatch`, and collects the errors.
 */
async function pass(
  actor: Actor,
  record: Pick<ImportRecord, '_id' | 'kind' | 'delimiter'>,
  onBatch: ((batch: Batch, errors: RowError[]) => Promise<void>) | null,
  options: { skip?: number } = {},
): Promise<{ total: number; valid: number; errors: RowError[]; errorCount: number }> {
  const kind = kindOf(record.kind);
  const allowed = new Set(Object.keys(kind.schema.describe().keys ?? {}));
  const errors: RowError[] = [];
  let errorCount = 0;
  const report = (e: RowError) => {
    errorCount += 1;
    if (errors.length < MAX_STORED_ERRORS) errors.push(e);
  };
  let total = 0;
  let valid = 0;
  const seen = new Set<string>();
  let batch: Batch = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const candidates = batch.filter((r) => r.value !== null) as ParsedRow<Record<string, unknown>>[];
    const found = candidates.length ? await kind.check(candidates, seen, actor) : [];
    const bad = new Set(found.map((e) => e.row));
    for (const e of found) report(e);
    for (const r of batch) {
      if (r.value !== null && bad.has(r.row)) r.value = null;
      if (r.value !== null) valid += 1;
    }
    const full = batch;
    batch = [];
    await onBatch?.(full, found);
  };

  try {
    for await (const rec of csvRecords(chunksOf(record._id), record.delimiter, ({ columns }) => {
      for (const column of columns.filter((c) => !allowed.has(c))) {
        report({ row: 1, column, message: `Unknown column "${column}" (expected: ${[...allowed].join(', ')})` });
      }
    })) {
      total += 1;
      if (options.skip !== undefined && total <= options.skip) continue;
      if (rec.fieldCountError) {
        report({ row: rec.row, column: null, message: `Row ${rec.fieldCountError}` });
        batch.push({ row: rec.row, value: null });
      } else {
        const cells = Object.fromEntries(Object.entries(rec.cells).filter(([c]) => allowed.has(c)));
        const { value, error } = kind.schema.validate(cells, {
          abortEarly: false,
          convert: true,
          errors: { wrap: { label: '"' } },
        });
        for (const d of error?.details ?? []) {
          report({ row: rec.row, column: d.path.length ? String(d.path[0]) : null, message: d.message });
        }
        batch.push({ row: rec.row, value: error ? null : (value as Record<string, unknown>) });
      }
      if (batch.length >= BATCH_ROWS) await flush();
    }
    await flush();
  } catch (error) {
    if (!(error instanceof CsvFileError)) throw error;
    report({ row: error.row, column: null, message: error.message });
  }
  errors.sort((a, b) => a.row - b.row);
  return { total, valid, errors, errorCount };
}

export interface UploadInput {
  kind: string;
  filename: string;
  content: Buffer;
}

/**
 * Stores the file and dry-runs it: the answer lists every bad row; nothing is written. The same file uploaded
 * again for the same kind, while an earlier upload of it is not finished or failed, answers that import instead.
 */
export async function uploadImport(input: UploadInput, actor: Actor): Promise<ImportDto> {
  kindFor(input.kind, actor);
  if (input.content.length === 0) {
    throw new AppError('VALIDATION', 'The file is empty', [{ field: 'body', message: 'The file is empty' }]);
  }
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  const { organisationId } = importScope(actor);
  const earlier = await Import.findOne({
    organisationId,
    kind: input.kind,
    sha256,
    status: { $in: ['validated', 'queued', 'running'] },
  }).lean<ImportRecord>();
  if (earlier) return toImportDto(earlier);

  const id = new Types.ObjectId();
  const delimiter = detectDelimiter(input.content);
  for (let n = 0; n * CHUNK_BYTES < input.content.length; n += 1) {
    await ImportChunk.create({
      importId: id,
      n,
      data: sealChunk(input.content.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES)),
    });
  }
  const report = await pass(actor, { _id: id, kind: input.kind, delimiter }, null);
  const record: ImportRecord = {
    _id: id,
    organisationId,
    kind: input.kind,
    filename: input.filename,
    sha256,
    bytes: input.content.length,
    delimiter,
    mode: null,
    status: 'validated',
    total: report.total,
    valid: report.valid,
    errorCount: report.errorCount,
    errors: report.errors,
    rowsDone: 0,
    written: 0,
    holder: null,
    leaseUntil: new Date(0),
    failure: null,
    createdBy: ledgerActorOf(actor),
    createdByRoles: [...actor.roles],
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
  };
  await Import.create(record);
  return toImportDto(record);
}

/**
 * The imports an actor sees: its organisation's, or, for the deployment's own actor without one (the command line
 * importing the shared catalog), those of no organisation.
 */
function importScope(actor: Actor): { organisationId: Types.ObjectId | null } {
  return { organisationId: actor.organisationId ? new Types.ObjectId(actor.organisationId) : null };
}

async function importInScope(id: string, actor: Actor): Promise<ImportRecord> {
  const record = Types.ObjectId.isValid(id)
    ? await Import.findOne({ _id: id, ...importScope(actor) }).lean<ImportRecord>()
    : null;
  if (!record) throw notFound('Import', id);
  return record;
}

export async function getImport(id: string, actor: Actor): Promise<ImportDto> {
  return toImportDto(await importInScope(id, actor));
}

export async function listImports(query: PageRequest, actor: Actor): Promise<Page<ImportDto>> {
  const page = await paginate(Import, importScope(actor), query, { createdAt: -1, _id: -1 });
  return { ...page, data: page.data.map(toImportDto) };
}

/**
 * Starts a validated import in the background. All-or-nothing with bad rows is refused (422, the errors in the
 * details) and writes nothing. `wait` runs it to the end before answering (the command line does).
 */
export async function startImport(
  id: string,
  input: { mode: ImportMode },
  actor: Actor,
  options: { wait?: boolean; onProgress?: (r: ImportRecord) => void } = {},
): Promise<ImportDto> {
  const record = await importInScope(id, actor);
  kindFor(record.kind, actor);
  if (record.status !== 'validated') {
    throw new AppError('INVALID_STATE', `The import is ${record.status}, not validated`, { status: record.status });
  }
  if (input.mode === 'all_or_nothing' && record.errorCount > 0) {
    await Import.updateOne(
      { _id: record._id, status: 'validated' },
      { $set: { status: 'rejected', mode: input.mode } },
    );
    throw new AppError(
      'UNPROCESSABLE',
      `${record.errorCount} row(s) are not valid: nothing was imported (fix them, or import the valid rows only)`,
      { errorCount: record.errorCount, errors: record.errors.slice(0, 100) },
    );
  }
  const queued = await withTransaction(async (session) => {
    const after = await Import.findOneAndUpdate(
      { _id: record._id, status: 'validated' },
      { $set: { status: 'queued', mode: input.mode } },
      { session, returnDocument: 'after' },
    ).lean<ImportRecord>();
    if (!after) throw new AppError('CONFLICT', 'The import was started meanwhile', { id });
    await recordAudit(
      {
        actor,
        action: 'import.start',
        targetType: 'import',
        targetId: record._id,
        organisationId: record.organisationId,
        summary: { kind: record.kind, mode: input.mode, rows: record.total, filename: record.filename },
      },
      session,
    );
    return after;
  });
  if (options.wait) return toImportDto(await runImport(queued._id, options.onProgress));
  runInBackground(queued._id);
  return toImportDto(queued);
}

function runInBackground(id: Types.ObjectId): void {
  // Detached: started by a route, maybe inside its Idempotency-Key transaction, it must not join it.
  detached(() => runImport(id)).catch((error) =>
    logger.error({ err: error, importId: String(id) }, 'Import failed to run'),
  );
}

/** Claims the import's lease: only one process runs an import at a time. */
async function claim(id: Types.ObjectId): Promise<ImportRecord | null> {
  const now = new Date();
  return Import.findOneAndUpdate(
    { _id: id, status: { $in: ['queued', 'running'] }, leaseUntil: { $lte: now } },
    { $set: { status: 'running', holder: HOLDER, leaseUntil: new Date(now.getTime() + LEASE_MS) } },
    { returnDocument: 'after' },
  ).lean<ImportRecord>();
}

/**
 * Runs (or resumes) an import from its last saved row. Returns its record at the end; a run that finds the lease
 * held elsewhere returns the record as it is.
 */
export async function runImport(id: Types.ObjectId, onProgress?: (r: ImportRecord) => void): Promise<ImportRecord> {
  const record = await claim(id);
  if (!record) return (await Import.findById(id).lean<ImportRecord>()) as ImportRecord;
  const kind = kindOf(record.kind);
  const actor = actorOf(record);
  if (!record.startedAt) await Import.updateOne({ _id: id }, { $set: { startedAt: new Date() } });
  let done = record.rowsDone;
  let written = record.written;

  /**
   * Writes one batch and saves the progress past it in the same transaction: after a restart the import resumes
   * after the last committed batch, so no row is written twice. Refuses if another runner moved the import on.
   */
  const commit = async (batch: Batch, rows: ParsedRow<Record<string, unknown>>[], prepared: unknown) => {
    await withTransaction(async (session) => {
      if (rows.length) await kind.write(rows, { actor, importId: id, session }, prepared);
      const saved = await Import.updateOne(
        { _id: id, rowsDone: done, holder: HOLDER },
        {
          $set: { rowsDone: done + batch.length, leaseUntil: new Date(Date.now() + LEASE_MS) },
          $inc: { written: rows.length },
        },
        { session },
      );
      if (saved.matchedCount !== 1) throw new Error('The import lease was lost to another process');
    });
    done += batch.length;
    written += rows.length;
    onProgress?.({ ...record, rowsDone: done, written });
  };

  // One batch is written while the next is parsed, checked and prepared: the database's work on one overlaps this
  // thread's on the other. Batches still commit one after the other, in file order.
  let inFlight: Promise<void> = Promise.resolve();
  const writeBatch = async (batch: Batch, errors: RowError[]) => {
    const rows = batch.filter((r) => r.value !== null) as ParsedRow<Record<string, unknown>>[];
    if (record.mode === 'all_or_nothing' && rows.length < batch.length) {
      await inFlight;
      // Valid at the dry run, not now (the same SKU or family registered meanwhile): stop rather than skip it.
      const row = batch.find((r) => r.value === null)?.row;
      const why = errors.find((e) => e.row === row)?.message ?? 'it no longer passes its checks';
      throw new AppError('UNPROCESSABLE', `Row ${row} is no longer valid (${why}); the import stopped`, { row });
    }
    const prepared = rows.length && kind.prepare ? await kind.prepare(rows, actor) : undefined;
    await inFlight;
    inFlight = commit(batch, rows, prepared);
    // A failure surfaces at the next batch or at the end; keep it from being reported as unhandled meanwhile.
    inFlight.catch(() => {});
  };

  try {
    try {
      await pass(actor, record, writeBatch, { skip: done });
    } finally {
      await inFlight.catch(() => {}); // never leave a batch committing behind a failure
    }
    await inFlight;
    const finished = await Import.findOneAndUpdate(
      { _id: id, holder: HOLDER },
      { $set: { status: 'done', finishedAt: new Date(), holder: null, leaseUntil: new Date(0) } },
      { returnDocument: 'after' },
    ).lean<ImportRecord>();
    await ImportChunk.deleteMany({ importId: id });
    return finished as ImportRecord;
  } catch (error) {
    const failure = error instanceof AppError ? `${error.message} (after row ${done})` : (error as Error).message;
    logger.warn({ importId: String(id), err: error }, 'Import stopped');
    const failed = await Import.findOneAndUpdate(
      { _id: id, holder: HOLDER },
      { $set: { status: 'failed', failure, finishedAt: new Date(), holder: null, leaseUntil: new Date(0) } },
      { returnDocument: 'after' },
    ).lean<ImportRecord>();
    return (failed ?? (await Import.findById(id).lean<ImportRecord>())) as ImportRecord;
  }
}

/** The actor an import writes as: who uploaded it, with the roles and organisation they had then. */
function actorOf(record: ImportRecord): Actor {
  const roles = record.createdByRoles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return {
    kind: record.createdBy.kind as Actor['kind'],
    id: record.createdBy.id,
    name: record.createdBy.name,
    organisationId: record.organisationId ? String(record.organisationId) : null,
    roles,
    permissions: permissionsOf(roles),
  };
}

/** Resumes imports whose runner stopped (a restart): run by the `imports-resume` job. */
export async function resumeStalledImports(): Promise<{ resumed: number }> {
  const stalled = await Import.find(
    { status: { $in: ['queued', 'running'] }, leaseUntil: { $lte: new Date() } },
    { _id: 1 },
  ).lean<{ _id: Types.ObjectId }[]>();
  for (const { _id } of stalled) await runImport(_id);
  return { resumed: stalled.length };
}
