import type { Request } from 'express';
import Joi from 'joi';
import { AppError } from '../../core/errors';
import { idParams, pagination } from '../../http/joi-rules';
import type { RouteDefinition } from '../../http/route-registry';
import { EXPORTS, exportCsv } from './exports.service';
import { IMPORT_KINDS } from './import-kinds';
import { IMPORT_MODES } from './imports.model';
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

export function importRoutes(): RouteDefinition[] {
  return [
    {
      method: 'post',
      path: '/imports/:kind',
      summary:
        'Upload a CSV file (text/csv, UTF-8 with or without BOM, comma or semicolon) and dry-run it: every bad row with its row, column and message; nothing is written',
      tag: 'imports',
      access: 'imports:write',
      schemas: {
        params: Joi.object({
          kind: Joi.string()
            .valid(...Object.keys(IMPORT_KINDS))
            .required(),
        }),
        query: Joi.object({ filename: Joi.string().trim().max(200).default('upload.csv') }),
      },
      success: { status: 201 },
      handler: async (req, res) => {
        const content = await readBody(req);
        const { kind } = res.locals.input.params;
        res
          .status(201)
          .json(
            await imports.uploadImport({ kind, filename: res.locals.input.query.filename, content }, res.locals.actor),
          );
      },
    },
    {
      method: 'post',
      path: '/imports/:id/start',
      summary:
        'Start a dry-run import in the background: all_or_nothing (refused with 422 if any row is bad) or valid_only',
      tag: 'imports',
      access: 'imports:write',
      idempotent: true,
      schemas: {
        params: idParams,
        body: Joi.object({
          mode: Joi.string()
            .valid(...IMPORT_MODES)
            .required(),
        }),
      },
      success: { status: 202 },
      handler: async (_req, res) => {
        res
          .status(202)
          .json(await imports.startImport(res.locals.input.params.id, res.locals.input.body, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/imports/:id',
      summary: 'An import: its status, progress (rows done / total) and bad rows',
      tag: 'imports',
      access: 'imports:write',
      schemas: { params: idParams },
      handler: async (_req, res) => {
        res.json(await imports.getImport(res.locals.input.params.id, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/imports',
      summary: 'List imports, newest first',
      tag: 'imports',
      access: 'imports:write',
      schemas: { query: pagination },
      handler: async (_req, res) => {
        res.json(await imports.listImports(res.locals.input.query, res.locals.actor));
      },
    },
    {
      method: 'get',
      path: '/exports/:name',
      summary: 'Export as CSV, streamed: items, donors, warehouses, bins, stock or ledger (from/to for the ledger)',
      tag: 'imports',
      access: 'exports:read',
      schemas: {
        params: Joi.object({
          name: Joi.string()
            .valid(...EXPORTS)
            .required(),
        }),
        query: Joi.object({
          delimiter: Joi.string().valid(',', ';').default(','),
          from: Joi.date().iso(),
          to: Joi.date().iso(),
        }),
      },
      success: { status: 200, description: 'text/csv' },
      handler: async (_req, res) => {
        const { name } = res.locals.input.params;
        res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
        await exportCsv(name, res, res.locals.input.query);
        res.end();
      },
    },
  ];
}
