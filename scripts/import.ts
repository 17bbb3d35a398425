/**
 * Imports a CSV file from the command line, as POST /imports/:kind then /start would, with a progress bar:
 *
 *   npm run import -- items catalog.csv [--mode all_or_nothing|valid_only] [--dry-run]
 *   npm run import -- households families.csv --org <organisation id> [--mode valid_only]
 *
 * The dry run prints every bad row (row, column, message) and writes nothing; all-or-nothing (the default) refuses a
 * file with any bad row. Kinds: items, donors, warehouses, bins, opening_stock, households. The import is recorded
 * and audited as done by the system acting as an admin of the organisation given with --org; without it, only the
 * shared catalog (items) can be imported, by the deployment.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'all_or_nothing' },
      'dry-run': { type: 'boolean', default: false },
      org: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [kind, file] = positionals;
  const { IMPORT_KINDS } = await import('../src/modules/imports/import-kinds');
  if (!kind || !file || !IMPORT_KINDS[kind]) {
    throw new Error(
      `Usage: npm run import -- <kind> <file.csv> [--mode all_or_nothing|valid_only] [--dry-run] [--org <id>]\nKinds: ${Object.keys(IMPORT_KINDS).join(', ')}`,
    );
  }
  if (values.mode !== 'all_or_nothing' && values.mode !== 'valid_only')
    throw new Error('--mode is all_or_nothing or valid_only');
  const content = readFileSync(file);

  const { config } = await import('../src/config');
  const { connectDatabase } = await import('../src/db/connection');
  const { organisationActor, SYSTEM_ACTOR } = await import('../src/modules/access/permissions');
  const imports = await import('../src/modules/imports/imports.service');
  const database = await connectDatabase(config);
  try {
    const actor = values.org
      ? organisationActor(values.org, 'command-line import')
      : { ...SYSTEM_ACTOR, permissions: new Set([...SYSTEM_ACTOR.permissions, 'catalog:write' as const]) };
    const checked = await imports.uploadImport({ kind, filename: basename(file), content }, actor);
    console.log(
      `${checked.total} rows, ${checked.valid} valid, ${checked.errorCount} bad (separator "${checked.delimiter}")`,
    );
    for (const e of checked.errors)
      console.log(`  row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.message}`);
    if (checked.errorCount > checked.errors.length)
      console.log(`  … and ${checked.errorCount - checked.errors.length} more`);
    if (values['dry-run']) return;
    const bar = new SingleBar({ format: ' {bar} {value}/{total} rows | {written} written | {eta_formatted} left' });
    bar.start(checked.total, checked.progress.rowsDone, { written: checked.progress.written });
    try {
      const done = await imports.startImport(checked.id, { mode: values.mode }, actor, {
        wait: true,
        onProgress: (r) => bar.update(r.rowsDone, { written: r.written }),
      });
      bar.stop();
      console.log(
        `Import ${done.id}: ${done.status}, ${done.progress.written} rows written${done.failure ? ` (${done.failure})` : ''}`,
      );
      if (done.status !== 'done') process.exitCode = 1;
    } catch (error) {
      bar.stop();
      throw error;
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
