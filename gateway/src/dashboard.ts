import fs from 'node:fs';
import path from 'node:path';
import express from 'express';

/** Where `npm run build:dashboard` writes the page (Vite, from `dashboard/`). */
export const DEFAULT_DASHBOARD_DIST = path.resolve(__dirname, '../../dashboard/dist');
export const DASHBOARD_PATH = '/dashboard';

export interface DashboardOptions {
  /** The built page: index.html and assets/. Default: `dashboard/dist/`. */
  dist?: string;
}

/**
 * The page may load only its own files and talk only to this gateway's /graphql: no CDN, no
 * fonts, no beacons. Chart.js sets inline styles on its canvases, hence 'unsafe-inline' for
 * styles (scripts stay 'self' only).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(res: express.Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

const NOT_BUILT = `<!doctype html><html lang="nl"><meta charset="utf-8"><title>POI-dashboard</title>
<body style="font-family:system-ui,sans-serif;margin:2rem"><h1>Het dashboard is niet gebouwd</h1>
<p>Bouw het met <code>npm run build:dashboard</code> (<code>npm start</code> doet dat vanzelf).</p>
<p lang="en">The dashboard has not been built: run <code>npm run build:dashboard</code> (<code>npm start</code> does it for you).</p></body></html>`;

/**
 * Serves the dashboard at /dashboard: index.html is revalidated on every load (`no-cache`, so a
 * new build shows at once), the content-hashed files under /dashboard/assets/ are cached for a
 * year as immutable. The page reads its data from the gateway's public /graphql like any client.
 */
export function mountDashboard(app: express.Express, options: DashboardOptions = {}): void {
  const dist = options.dist ?? DEFAULT_DASHBOARD_DIST;
  const indexFile = path.join(dist, 'index.html');

  app.get([DASHBOARD_PATH, `${DASHBOARD_PATH}/`, `${DASHBOARD_PATH}/index.html`], (_req, res) => {
    securityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    fs.readFile(indexFile, 'utf8', (error, html) => {
      if (error) return void res.status(503).type('html').send(NOT_BUILT);
      res.type('html').send(html);
    });
  });

  app.use(
    `${DASHBOARD_PATH}/assets`,
    (_req, res, next) => {
      securityHeaders(res);
      next();
    },
    express.static(path.join(dist, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      redirect: false,
      fallthrough: true,
    }),
    // A hashed file that is not (or no longer) there: a plain 404, never cached.
    (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.status(404).type('text').send('Not found');
    },
  );
}
