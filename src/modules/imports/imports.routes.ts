import { PassThrough, type Readable } from 'node:stream';
import type { Request } from 'express';
import Joi from 'joi';
import { AppError } from '../../core/errors';
import { idParams, pagination } from '../../http/joi-rules';
import { type RouteDefinition, route } from '../../http/route-registry';
import type { Actor } from '../access';
import { EXPORTS, type ExportName, type ExportOptions, exportCsv, requireExportPermission } from './exports.service';
import { IMPORT_KINDS } from './import-kinds';
import { IMPORT_MODES, type ImportMode } from './imports.model';
import * as imports from './imports.service';

/** Largest CSV file accepted by upload (the JSON body limit does not apply to text/csv). */
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

async function readBody(req: Request): Promise<Buffer> {
  const type = req.headers['content-type'] ?? '';
  if (!/^(text\/csv|text\/plain|application\/octet-stream)\b/.test(type)) {
    throw new AppError('VALIDATION', 'Send the file as text/csv', [
      { field: 'content-type', message: '"content-type" must be text/csv' },
    ]);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPLOAD_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, {
        limit: MAX_UPLOAD_BYTES,
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A streamed export: csv-stringify writes into the stream the HTTP layer pipes to the client, no faster than the
 * client reads. A client that goes away closes the response: the stream is destroyed, which stops the export and
 * closes its database cursor (rather than leaving it waiting for a reader that never comes).
 */
function exportStream(name: ExportName, actor: Actor, options: ExportOptions, req: Request): Readable {
  requireExportPermission(name, actor); // a refusal answers 403, before the 200 of a stream
  const out = new PassThrough();
  req.res?.once('close', () => {
    if (!out.readableEnded) out.destroy();
  });
  exportCsv(name, out, actor, options).catch((error) => out.destroy(error));
  return out;
}

export function importRoutes(): RouteDefinition[] {
  return [
    route('POST /imports/:kind', {
      summary:
        'Upload a CSV file (text/csv, UTF-8 with or without BOM, comma or semicolon) and dry-run it: every bad row with its row, column and message; nothing is written',
      access: 'imports:write',
      schemas: {
        params: Joi.object<{ kind: string }>({
          kind: Joi.string()
            .valid(...Object.keys(IMPORT_KINDS))
            .required(),
        }),
        query: Joi.object<{ filename: string }>({ filename: Joi.string().trim().max(200).default('upload.csv') }),
      },
      success: 201,
      run: async ({ params, query, actor, req }) =>
        imports.uploadImport({ kind: params.kind, filename: query.filename, content: await readBody(req) }, actor),
    }),
    route('POST /imports/:id/start', {
      summary:
        'Start a dry-run import in the background: all_or_nothing (refused with 422 if any row is bad) or valid_only',
      access: 'imports:write',
      idempotent: true,
      schemas: {
        params: idParams,
        body: Joi.object<{ mode: ImportMode }>({
          mode: Joi.string()
            .valid(...IMPORT_MODES)
            .required(),
        }),
      },
      success: 202,
      run: ({ params, body, actor }) => imports.startImport(params.id, body, actor),
    }),
    route('GET /imports/:id', {
      summary: 'An import: its status, progress (rows done / total) and bad rows',
      access: 'imports:write',
      schemas: { params: idParams },
      run: ({ params, actor }) => imports.getImport(params.id, actor),
    }),
    route('GET /imports', {
      summary: 'List imports, newest first',
      access: 'imports:write',
      schemas: { query: pagination },
      run: ({ query, actor }) => imports.listImports(query, actor),
    }),
    route('GET /exports/:name', {
      summary:
        'Export as CSV, streamed: items, donors, warehouses, bins, stock, ledger (from/to for the ledger) or households (IINs, phones and addresses masked); each also needs the permission to read its records',
      tag: 'imports',
      access: 'exports:read',
      schemas: {
        params: Joi.object<{ name: ExportName }>({
          name: Joi.string()
            .valid(...EXPORTS)
            .required(),
        }),
        query: Joi.object<ExportOptions>({
          delimiter: Joi.string().valid(',', ';').default(','),
          from: Joi.date().iso(),
          to: Joi.date().iso(),
        }),
      },
      success: { status: 200, contentType: 'text/csv', description: 'The CSV file' },
      run: ({ params, query, actor, req }) => ({
        file: exportStream(params.name, actor, query, req),
        filename: `${params.name}.csv`,
        contentType: 'text/csv' as const,
        disposition: 'attachment' as const,
      }),
    }),
  ];
}
