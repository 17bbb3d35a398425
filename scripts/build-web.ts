/**
 * npm run build:web — builds the web front end into dist/web. With --if-stale (npm start runs it first, as
 * `prestart`) it builds only when dist/web is missing or older than its sources.
 */
import { buildWeb, ensureWebBuild } from '../src/web/build';

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`[web] ${line}\n`);
  if (process.argv.includes('--if-stale')) await ensureWebBuild(log);
  else await buildWeb(log);
}

main().catch((error: unknown) => {
  process.stderr.write(`[web] ${error instanceof Error ? error.message : String(error)}\n`);
  // Before `npm start`, a failed build must not keep the API from starting: the server then serves the previous
  // build, or a page saying the front end is not built. `npm run build:web` alone fails loudly.
  process.exit(process.argv.includes('--if-stale') ? 0 : 1);
});
