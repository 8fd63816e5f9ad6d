import type { Hono } from 'hono';
import type { SimContext } from '../context.ts';
import { qrLikePng } from '../png.ts';

/** GET /sim/qr/:file — the PNG behind a contact way's qr_code URL (404 once the code is deleted). */
export function registerQrRoutes(app: Hono, ctx: SimContext): void {
  app.get('/sim/qr/:file', (c) => {
    const id = c.req.param('file').replace(/\.png$/, '');
    if (!ctx.state.contactWays.has(id)) return c.json({ error: 'no such contact way' }, 404);
    const png = qrLikePng(id);
    return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
  });
}
