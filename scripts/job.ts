/**
 * Runs one scheduled job by hand, under the same lease as the scheduler (it waits for nobody: if a run of the job is
 * in progress in any process, it says so and exits 2):
 *
 *   npm run job -- expiry-warnings
 *   npm run job -- --list
 *
 * With the embedded database, stop the API first (its data directory is used by one process at a time); with
 * MONGODB_URI set, run it next to running API processes.
 */
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    options: { list: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const { scheduler } = await import('../src/jobs');
  const jobs = scheduler();
  if (values.list || positionals.length !== 1) {
    for (const name of jobs.names()) {
      const job = jobs.job(name);
      console.log(`${name.padEnd(24)} ${job ? jobs.scheduleOf(job).padEnd(16) : ''} ${job?.description ?? ''}`);
    }
    if (!values.list) {
      console.error('\nUsage: npm run job -- <name>   (or --list)');
      process.exitCode = 1;
    }
    return;
  }
  const [name] = positionals;
  if (!jobs.job(name)) throw new Error(`Unknown job ${name}; known: ${jobs.names().join(', ')}`);

  const { config } = await import('../src/config');
  const { connectDatabase } = await import('../src/db/connection');
  const database = await connectDatabase(config);
  try {
    const outcome = await jobs.runNow(name);
    if (!outcome.ran) {
      console.error(`${name} was not run: a run of it is in progress elsewhere`);
      process.exitCode = 2;
    } else if (outcome.run.status === 'failed') {
      console.error(`${name} failed: ${outcome.run.error}`);
      process.exitCode = 1;
    } else {
      console.log(`${name} done: ${JSON.stringify(outcome.run.result)}`);
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
