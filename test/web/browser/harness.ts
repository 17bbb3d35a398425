/**
 * The browser tests' world: the real app (buildApp) on an ephemeral port with this worker's test database, loaded
 * with the demo data by the real seed script (the data a new user sees after `npm run seed`), the web front end
 * built if its build is missing or stale, and Debian's Chromium driven by playwright-core (Playwright's own browser
 * download is not reachable here; .ci/run installs the chromium package).
 *
 * Screenshots go to test-artifacts/web (gitignored), kept after the run for people to look at.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../../src/app';
import { ensureWebBuild, REPO_ROOT } from '../../../src/web/build';
import { connectTestDatabase, disconnectTestDatabase } from '../../support/database';
import { testDatabaseName, testDatabaseUri } from '../../support/env';

export const DEMO_PASSWORD = 'browser-test-password';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'web');

/** The flags Chromium needs as root on a machine without a network beyond loopback. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A golden flow clicks through several screens on a shared 2-core machine: its own timeout, not the API tests'. */
export const FLOW_TIMEOUT = 120_000;

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const LAPTOP = { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 };

/** The test database's URI with its name in the path, as MONGODB_URI wants it. */
function uriWithDatabase(uri: string, name: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*/, `$1/${name}`);
}

function runSeed(): Promise<void> {
  return new Promise((resolve, reject) => {
    const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const child = spawn(process.execPath, [tsx, join(REPO_ROOT, 'scripts', 'seed.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MONGODB_URI: uriWithDatabase(testDatabaseUri(), testDatabaseName()),
        ASAR_SEED_PASSWORD: DEMO_PASSWORD,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run seed failed (${code}):\n${output}`)),
    );
  });
}

export interface BrowserWorld {
  baseUrl: string;
  browser: Browser;
  newContext(options?: typeof PHONE | typeof LAPTOP, lang?: string): Promise<BrowserContext>;
  screenshot(page: Page, name: string): Promise<void>;
}

/** Sets up the world for one test file (beforeAll/afterAll); the returned object fills in before the tests run. */
export function setupBrowserWorld(): BrowserWorld {
  const world = {} as BrowserWorld;
  let server: Server | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await ensureWebBuild((line) => process.stdout.write(`[web] ${line}\n`));
    await connectTestDatabase({ fresh: true });
    await runSeed();
    const app = buildApp();
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no server address');
    world.baseUrl = `http://127.0.0.1:${address.port}`;
    world.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    world.newContext = async (options = PHONE, lang = 'kk') => {
      const context = await world.browser.newContext({ ...options, locale: lang, baseURL: world.baseUrl });
      contexts.push(context);
      return context;
    };
    world.screenshot = async (page, name) => {
      // From the top: a full-page screenshot of a scrolled page draws the fixed header in the middle of it.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    };
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await world.browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await disconnectTestDatabase();
  });

  return world;
}

/** Signs in as a demo user through the sign-in screen and waits for the home screen. */
export async function signIn(page: Page, email = 'warehouse@asar.demo'): Promise<void> {
  await page.goto('/sign-in');
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(DEMO_PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.locator('h1').filter({ hasText: /,/ }).waitFor();
}
