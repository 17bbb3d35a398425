/**
 * Building the web front end, and knowing when it must be rebuilt. The output (dist/web) carries a stamp: a hash of
 * every input (the client's sources, the Vite and TypeScript config, package-lock.json). `npm start` and the browser
 * tests call ensureWebBuild(), which builds only when the output is missing or its stamp differs, so a fresh clone,
 * a `git pull` and a dependency upgrade all serve the current sources with no extra step. Content hashes, not
 * modification times: a checkout or a copy changes times without changing sources.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const WEB_SOURCE = join(REPO_ROOT, 'src', 'web');
const STAMP_FILE = '.build-stamp';
/** Everything `vite build` is given as its environment. */
const BUILD_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({ NODE_ENV: 'production' });

/** Where the built front end lives: dist/web from the sources, also when running the compiled dist/src/main.js. */
export function webOutputDir(): string {
  return join(REPO_ROOT, 'dist', 'web');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

/** The hash of everything the build reads. */
export function webSourceHash(): string {
  const inputs = [
    ...filesUnder(join(WEB_SOURCE, 'client')),
    join(WEB_SOURCE, 'vite.config.mts'),
    join(WEB_SOURCE, 'tsconfig.json'),
    // How the build runs and what it writes besides Vite's output (the compressed copies).
    join(WEB_SOURCE, 'build.ts'),
    join(REPO_ROOT, 'package-lock.json'),
  ].filter((path) => existsSync(path) && statSync(path).isFile());
  const hash = createHash('sha256');
  for (const path of inputs) {
    hash.update(relative(REPO_ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

export function webBuildIsCurrent(hash = webSourceHash()): boolean {
  const stamp = join(webOutputDir(), STAMP_FILE);
  return existsSync(join(webOutputDir(), 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
}

/**
 * Runs `vite build` in a child process into a temporary folder, then swaps it in: a failed or interrupted build never
 * leaves a half-written dist/web behind, and a server already running keeps serving the previous build meanwhile.
 */
export async function buildWeb(log: (line: string) => void = () => {}): Promise<void> {
  const hash = webSourceHash();
  const output = webOutputDir();
  const staging = `${output}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const vite = join(dirname(require.resolve('vite/package.json', { paths: [REPO_ROOT] })), 'bin', 'vite.js');
  await new Promise<void>((done, fail) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', join(WEB_SOURCE, 'vite.config.mts'), '--outDir', staging, '--logLevel', 'warn'],
      // The build's whole environment, named here rather than inherited: the build depends on its sources alone
      // (the stamp hashes them), not on whatever the caller's environment holds. NODE_ENV decides React's build:
      // under Jest it is "test", which would bundle React's development runtime.
      { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: BUILD_ENVIRONMENT },
    );
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      code === 0 ? done() : fail(new Error(`vite build failed (${signal ?? `exit code ${code}`})`)),
    );
  });
  precompress(join(staging, 'assets'));
  writeFileSync(join(staging, STAMP_FILE), hash);
  rmSync(output, { recursive: true, force: true });
  renameSync(staging, output);
  log(`web front end built into ${relative(REPO_ROOT, output)}`);
}

const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.html']);

/**
 * Writes a Brotli (.br) and a gzip (.gz) copy of every text asset, once, at build time with the strongest settings,
 * so that the server sends a phone the smallest file without compressing on each request (serve.ts).
 */
function precompress(dir: string): void {
  for (const path of filesUnder(dir)) {
    if (!COMPRESSIBLE.has(extname(path))) continue;
    const content = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
  }
}

/** Builds when the output is missing or stale; answers whether it built. */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<boolean> {
  if (webBuildIsCurrent()) return false;
  log('building the web front end (first start, or its sources changed)...');
  await buildWeb(log);
  return true;
}
