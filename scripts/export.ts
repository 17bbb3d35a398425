/**
 * Exports CSV from the command line, streamed to a file (flat memory, whatever the size), with a progress bar:
 *
 *   npm run export -- ledger ledger.csv --org <organisation id> [--delimiter ';'] [--from 2026-01-01] [--to 2026-04-01]
 *
 * Names: items, donors, warehouses, bins, stock, ledger. An export is one organisation's records (the catalog is
 * shared): it runs as the system acting for the organisation given with --org.
 */

import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    options: {
      delimiter: { type: 'string', default: ',' },
      from: { type: 'string' },
      to: { type: 'string' },
      org: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [name, file] = positionals;
  const { EXPORTS, exportCsv } = await import('../src/modules/imports/exports.service');
  if (!name || !file || !values.org || !(EXPORTS as readonly string[]).includes(name)) {
    throw new Error(
      `Usage: npm run export -- <name> <file.csv> --org <organisation id> [--delimiter ';'] [--from] [--to]\nNames: ${EXPORTS.join(', ')}`,
    );
  }
  if (values.delimiter !== ',' && values.delimiter !== ';') throw new Error('--delimiter is , or ;');
  const date = (text?: string) => {
    if (!text) return undefined;
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) throw new Error(`Not a date: ${text}`);
    return d;
  };

  const { config } = await import('../src/config');
  const { connectDatabase } = await import('../src/db/connection');
  const { organisationActor } = await import('../src/modules/access/permissions');
  const database = await connectDatabase(config);
  try {
    const out = createWriteStream(file);
    const bar = new SingleBar({ format: ' {value} rows | {duration_formatted}' });
    bar.start(0, 0);
    const rows = await exportCsv(name as (typeof EXPORTS)[number], out, organisationActor(values.org), {
      delimiter: values.delimiter,
      from: date(values.from),
      to: date(values.to),
      onRows: (count: number) => bar.update(count),
    });
    bar.stop();
    console.log(`${rows} rows written to ${file}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
