/**
 * CSV imports: the uploaded file (kept in chunks until the import is finished, so that an import resumes after a
 * restart), and the import's record: what it imports, how (all-or-nothing or valid rows only), its progress and
 * every bad row found by the dry run.
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { type LedgerActor, ledgerActorSchema } from '../stock';

export const IMPORT_MODES = ['all_or_nothing', 'valid_only'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** validated (dry run done, nothing written) → queued → running → done | failed; `rejected` when all-or-nothing found errors. */
export const IMPORT_STATUSES = ['validated', 'queued', 'running', 'done', 'failed', 'rejected'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface RowError {
  /** The line in the file as a spreadsheet numbers it (the header is row 1). */
  row: number;
  column: string | null;
  message: string;
}

export interface ImportRecord {
  _id: Types.ObjectId;
  organisationId: Types.ObjectId | null;
  kind: string;
  filename: string;
  sha256: string;
  bytes: number;
  delimiter: ',' | ';';
  mode: ImportMode | null;
  status: ImportStatus;
  /** Data rows in the file (the header excluded). */
  total: number;
  /** Rows the dry run found valid. */
  valid: number;
  errorCount: number;
  /** The first MAX_STORED_ERRORS errors, in file order. */
  errors: RowError[];
  /** Data rows processed so far (written or skipped as invalid): the resume point. */
  rowsDone: number;
  written: number;
  /** Runner's lease: a process runs the import while `leaseUntil` is in the future. */
  holder: string | null;
  leaseUntil: Date;
  failure: string | null;
  createdBy: LedgerActor;
  /** The uploader's roles and organisation: the import writes with them, whenever it runs. */
  createdByRoles: string[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const importSchema = new Schema<ImportRecord>(
  {
    organisationId: { type: Schema.Types.ObjectId, default: null },
    kind: { type: String, required: true },
    filename: { type: String, required: true },
    sha256: { type: String, required: true },
    bytes: { type: Number, required: true },
    delimiter: { type: String, enum: [',', ';'], required: true },
    mode: { type: String, enum: [...IMPORT_MODES, null], default: null },
    status: { type: String, enum: IMPORT_STATUSES, required: true },
    total: { type: Number, required: true },
    valid: { type: Number, required: true },
    errorCount: { type: Number, required: true },
    errors: [{ _id: false, row: Number, column: { type: String, default: null }, message: String }],
    rowsDone: { type: Number, required: true },
    written: { type: Number, required: true },
    holder: { type: String, default: null },
    leaseUntil: { type: Date, required: true },
    failure: { type: String, default: null },
    createdBy: { type: ledgerActorSchema, required: true },
    createdByRoles: [{ type: String }],
    createdAt: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  // `errors` is a field here, not Mongoose's validation errors.
  { collection: 'imports', versionKey: false, suppressReservedKeysWarning: true },
);
importSchema.index({ organisationId: 1, createdAt: -1, _id: -1 });
importSchema.index({ status: 1, leaseUntil: 1 });
importSchema.index({ organisationId: 1, kind: 1, sha256: 1 });

export const Import =
  (mongoose.models.Import as mongoose.Model<ImportRecord> | undefined) ??
  mongoose.model<ImportRecord>('Import', importSchema);

export interface ImportChunkRecord {
  _id: Types.ObjectId;
  importId: Types.ObjectId;
  n: number;
  data: Buffer;
}

const chunkSchema = new Schema<ImportChunkRecord>(
  {
    importId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true },
    data: { type: Buffer, required: true },
  },
  { collection: 'import_chunks', versionKey: false },
);
chunkSchema.index({ importId: 1, n: 1 }, { unique: true });

export const ImportChunk =
  (mongoose.models.ImportChunk as mongoose.Model<ImportChunkRecord> | undefined) ??
  mongoose.model<ImportChunkRecord>('ImportChunk', chunkSchema);
