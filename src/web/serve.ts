/**
 * Serves the built web front end (dist/web, see build.ts) at `/`: hashed assets with a year of caching, and
 * index.html for every other page a browser asks for (the client routes /stock, /donations/new, ... itself). Only
 * GET and HEAD requests that accept text/html get index.html, never /api or /health: API clients keep their JSON
 * 404s. Without a build, a browser gets a short page saying how to make one.
 */
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import express, { type Request, type RequestHandler, Router } from 'express';
import { webOutputDir } from './build';

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Asar</title>
<p>The web front end is not built yet. Run <code>npm run build:web</code> (or restart with <code>npm start</code>,
which builds it), then reload this page. The API is available under <a href="/api/docs">/api/docs</a>.</p></html>`;

function wantsPage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.path.startsWith('/api/') || req.path === '/api' || req.path === '/health') return false;
  return (req.get('accept') ?? '').includes('text/html');
}

const YEAR_SECONDS = 365 * 24 * 3600;

/** The .br or .gz copy build.ts made of an asset, when the browser accepts that encoding. */
function precompressed(assets: string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = normalize(join(assets, decodeURIComponent(req.path)));
    if (!path.startsWith(assets + sep)) return next();
    const accepted = req.get('accept-encoding') ?? '';
    for (const [encoding, suffix] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!accepted.includes(encoding) || !existsSync(path + suffix)) continue;
      res.set({
        'Content-Encoding': encoding,
        'Cache-Control': `public, max-age=${YEAR_SECONDS}, immutable`,
        Vary: 'Accept-Encoding',
      });
      res.type(extname(path));
      res.sendFile(path + suffix);
      return;
    }
    next();
  };
}

export function webFrontEnd(dir: string = webOutputDir()): RequestHandler {
  const router = Router();
  router.use('/assets', precompressed(join(dir, 'assets')));
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true }),
  );
  // The service worker: never cached by the browser's HTTP cache, so that a new build's worker is seen at once.
  router.get('/sw.js', (_req, res, next) => {
    const worker = join(dir, 'sw.js');
    if (!existsSync(worker)) return next();
    res.set('Cache-Control', 'no-cache').type('js').sendFile(worker);
  });
  router.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    const index = join(dir, 'index.html');
    if (!existsSync(index)) {
      res.status(503).type('html').set('Cache-Control', 'no-store').send(NOT_BUILT);
      return;
    }
    // No caching of the page itself: it names the current assets, so a new build is picked up at the next load.
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}
