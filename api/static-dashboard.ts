import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';

/**
 * Serves the built dashboard (web/dist) under /dashboard/, with the SPA's index.html for every
 * client-side route, so one URL works in dev and production.
 */
export function dashboardRoutes(distDir: string) {
  const app = new Hono();
  const indexFile = path.join(distDir, 'index.html');
  const root = path.relative(process.cwd(), distDir) || '.';
  app.get('/', (c) => c.redirect('/dashboard/'));
  app.use('/dashboard/*', serveStatic({ root, rewriteRequestPath: (p) => p.replace(/^\/dashboard/, '') }));
  app.get('/dashboard/*', (c) => {
    if (!existsSync(indexFile)) {
      return c.text('The dashboard is not built yet: run `npm run build` (npm run dev does it for you).', 503);
    }
    return c.html(readFileSync(indexFile, 'utf8'));
  });
  app.get('/dashboard', (c) => c.redirect('/dashboard/'));
  return app;
}
