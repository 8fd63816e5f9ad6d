import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordConsent } from '../../db/compliance.store.ts';
import { CustomerConsent } from '../../db/entities/index.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { CONSENT_TEXT } from './consents.ts';
import { exitJourneysOnOptOut } from './journey-signals.ts';

/** What the customer-facing pages need. */
export interface CustomerPageDeps {
  em: () => EntityManager;
  /** A withdrawal on the consent page ends the customer's journeys (their exit signal). */
  temporal: Pick<TemporalGateway, 'client'>;
}

function consentPage(state: 'granted' | 'withdrawn', done: string | null): string {
  const granted = state === 'granted';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>消息订阅 / Messages</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#222}
.status{padding:.6rem .8rem;border-radius:6px;background:${granted ? '#e8f7ee' : '#f4f4f5'}}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:6px;border:1px solid #07c160;background:#07c160;color:#fff}
button.secondary{background:#fff;color:#333;border-color:#ccc}small{color:#777}</style></head><body>
<h1>消息订阅</h1><p>${CONSENT_TEXT.zh}</p><p><small>${CONSENT_TEXT.en}</small></p><p><small>版本 / version ${CONSENT_TEXT.version}</small></p>
<p class="status" data-state="${state}">${granted ? '您已同意接收营销消息 / You receive marketing messages' : '您未同意接收营销消息 / You do not receive marketing messages'}</p>
${done ? `<p role="status">${done}</p>` : ''}
<form method="post"><button name="action" value="grant" type="submit">同意 / Agree</button><button class="secondary" name="action" value="withdraw" type="submit">撤回同意 / Withdraw</button></form>
</body></html>`;
}

/**
 * Public pages a customer opens from WeCom: the consent page (/c/<token>, linked from the welcome
 * message; the token in the link is the customer's credential) and tracked links (/l/<code>).
 */
export function customerPageRoutes(deps: CustomerPageDeps) {
  return new Hono()
    .get('/c/:token', async (c) => {
      const row = await deps.em().findOne(CustomerConsent, { pageToken: c.req.param('token') });
      if (!row) return c.text('链接无效 / Invalid link', 404);
      return c.html(consentPage(row.marketing, null));
    })
    .post('/c/:token', async (c) => {
      const em = deps.em();
      const row = await em.findOne(CustomerConsent, { pageToken: c.req.param('token') });
      if (!row) return c.text('链接无效 / Invalid link', 404);
      const form = await c.req.parseBody();
      const marketing = form.action === 'grant' ? 'granted' : 'withdrawn';
      await recordConsent(em, {
        externalUserIds: [row.externalUserid], marketing, source: 'page', textVersion: CONSENT_TEXT.version,
        evidence: `consent page ${CONSENT_TEXT.version}; ${c.req.header('user-agent')?.slice(0, 200) ?? ''}`,
      });
      if (marketing === 'withdrawn') await exitJourneysOnOptOut(deps.temporal.client, em, [row.externalUserid]);
      return c.html(consentPage(marketing, marketing === 'granted' ? '已保存，谢谢 / Saved, thank you' : '已撤回，立即生效 / Withdrawn, effective at once'));
    })
    .get('/l/:code', async (c) => {
      const rows = await deps.em().getConnection().execute<Array<{ url: string; batch_id: number | null }>>(
        `update tracked_links set clicks = clicks + 1 where code = ? returning url, batch_id`, [c.req.param('code')]);
      const link = rows[0];
      if (!link) return c.text('链接无效 / Invalid link', 404);
      // A batch of one (a direct message) names its recipient; a mass message's link is shared by the batch.
      if (link.batch_id !== null) {
        await deps.em().getConnection().execute(
          `update send_recipients set clicked_at = coalesce(clicked_at, now()) where batch_id = ? and (select size from send_batches where id = ?) = 1`, [link.batch_id, link.batch_id]);
      }
      return c.redirect(link.url, 302);
    });
}
