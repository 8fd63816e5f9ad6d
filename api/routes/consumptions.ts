import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CUSTOMER_TIERS, consumptionImportSchema } from '../../common/campaigns.schema.ts';
import { TIER_SQL } from '../../db/audience.ts';
import { requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readJson } from '../validation.ts';

/** What the consumption routes need. */
export interface ConsumptionRouteDeps {
  em: () => EntityManager;
}

/**
 * Visits and purchases from the clinic's own systems (a booking system or HIS calls the API; a
 * spreadsheet import sends its rows the same way, first with `dryRun` for the preview of matches
 * and errors), and the customer tiers (分层) they give.
 */
export function consumptionRoutes(deps: ConsumptionRouteDeps) {
  return new Hono<AuthEnv>()
    .post('/', requirePermission('consents.manage'), async (c) => {
      const body = await readJson(c, consumptionImportSchema);
      const conn = deps.em().getConnection();
      const ids = [...new Set(body.records.map((r) => r.externalUserId))];
      const known = new Set((await conn.execute<Array<{ external_userid: string }>>(
        `select external_userid from wework_customers where external_userid in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(ids)])).map((r) => r.external_userid));
      const existing = new Set((await conn.execute<Array<{ external_ref: string }>>(
        `select external_ref from customer_consumptions where source = ? and external_ref in (select jsonb_array_elements_text(?::jsonb))`,
        [body.source, JSON.stringify(body.records.map((r) => r.externalRef))])).map((r) => r.external_ref));
      const unmatched = body.records.filter((r) => !known.has(r.externalUserId)).map((r) => ({ externalRef: r.externalRef, externalUserId: r.externalUserId, reason: 'unknown_customer' }));
      const importable = body.records.filter((r) => known.has(r.externalUserId) && !existing.has(r.externalRef));
      const summary = { matched: body.records.length - unmatched.length, duplicates: body.records.filter((r) => existing.has(r.externalRef)).length, unmatched };
      if (body.dryRun) return c.json({ ...summary, imported: 0, dryRun: true }, 200);
      if (importable.length > 0) {
        await conn.execute(
          `insert into customer_consumptions (external_userid, kind, occurred_at, amount_fen, project, source, external_ref, created_at)
           select x.id, x.kind, x.at::timestamptz, x.fen, x.project, ?, x.ref, now()
             from jsonb_to_recordset(?::jsonb) as x(id text, kind text, at text, fen bigint, project text, ref text)
           on conflict (source, external_ref) do nothing`,
          [body.source, JSON.stringify(importable.map((r) => ({
            id: r.externalUserId, kind: r.kind, at: r.occurredAt, fen: Math.round((r.amountYuan ?? 0) * 100), project: r.project ?? null, ref: r.externalRef,
          })))]);
      }
      return c.json({ ...summary, imported: importable.length, dryRun: false }, 200);
    })
    .get('/tiers', requirePermission('campaigns.view'), async (c) => {
      const rows = await deps.em().getConnection().execute<Array<{ tier: string; n: string }>>(
        `select ${TIER_SQL} as tier, count(*) as n from wework_customers c where not c.lost group by 1`);
      return c.json({ tiers: Object.fromEntries(CUSTOMER_TIERS.map((tier) => [tier, Number(rows.find((r) => r.tier === tier)?.n ?? 0)])) }, 200);
    });
}
