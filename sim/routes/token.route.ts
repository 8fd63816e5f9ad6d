import type { Hono } from 'hono';
import type { SimContext } from '../context.ts';
import { wecomError } from '../errors.ts';
import { wecomRoute } from '../wecom-route.ts';

/** GET /cgi-bin/gettoken: checks corpid (40013) then corpsecret (40001). */
export function registerTokenRoutes(app: Hono, ctx: SimContext): void {
  wecomRoute(
    app,
    ctx,
    'GET',
    'gettoken',
    ({ query }) => {
      if (!query.corpid) throw wecomError('missingCorpId');
      if (query.corpid !== ctx.options.corpId) throw wecomError('invalidCorpId');
      if (!query.corpsecret) throw wecomError('missingSecret');
      if (query.corpsecret !== ctx.options.corpSecret) throw wecomError('invalidSecret');
      return ctx.tokens.issue();
    },
    { auth: false },
  );
}
