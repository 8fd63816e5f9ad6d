import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CUSTOMER_TIERS, consumptionImportSchema, type ConsumptionImportResult } from '../../common/campaigns.schema.ts';
import { TIER_SQL } from '../../db/audience.ts';
import { readSpreadsheet } from '../automations/spreadsheet.ts';
import { recordAudit } from '../auth/audit.ts';
import { checkConsumptionRows, consumptionRowsFromSheet, insertConsumptions } from '../consumptions/consumption-import.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readJson } from '../validation.ts';

/** The most rows one spreadsheet import takes. */
const MAX_SHEET_ROWS = 20_000;

/** What the consumption routes need. */
export interface ConsumptionRouteDeps {
  em: () => EntityManager;
}

/**
 * Visits and purchases from the clinic's own systems (a booking system or HIS calls the API, with
 * `dryRun` for a preview; a spreadsheet is uploaded to `/import`, previewed, then applied), and the
 * customer tiers (分层) they give.
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
      const imported = await insertConsumptions(deps.em(), body.source, importable);
      return c.json({ ...summary, imported, dryRun: false }, 200);
    })
    // A spreadsheet (CSV or .xlsx, form field `file`): every row checked and matched; written only with `apply=true`.
    .post('/import', requirePermission('consents.manage'), async (c) => {
      const form = await c.req.formData().catch(() => null);
      const file = form?.get('file');
      if (!(file instanceof File)) throw new AppError(400, 'invalid_request', 'file: attach the spreadsheet (CSV or .xlsx) as the form field "file"', { field: 'file' });
      const source = String(form?.get('source') ?? '').trim() || 'spreadsheet';
      if (source.length > 64) throw new AppError(400, 'invalid_request', 'source: at most 64 characters', { field: 'source' });
      const apply = form?.get('apply') === 'true';
      let sheet: string[][];
      try {
        sheet = readSpreadsheet(file.name, new Uint8Array(await file.arrayBuffer()));
      } catch {
        throw new AppError(400, 'unreadable_file', 'The file could not be read as CSV or Excel (.xlsx); save it as one of those and try again.');
      }
      const raw = consumptionRowsFromSheet(sheet);
      if (raw.length === 0 || raw.length > MAX_SHEET_ROWS) throw new AppError(400, 'invalid_request', 'file: it must hold between 1 and 20,000 rows', { field: 'file' });
      const em = deps.em();
      const rows = await checkConsumptionRows(em, source, raw);
      const importable = rows.filter((row) => !row.error);
      let imported = 0;
      if (apply) {
        imported = await insertConsumptions(em, source, importable.map((row) => ({
          externalUserId: row.match!.externalUserId, kind: row.kind!, occurredAt: row.occurredAt!, amountYuan: row.amountYuan, project: row.project, externalRef: row.externalRef,
        })));
        const auth = c.get('auth');
        await recordAudit(em, {
          actor: { id: auth.user.id, username: auth.user.username }, action: 'consumption.import', ip: clientInfo(c).ip,
          details: { source, rows: rows.length, imported, errors: rows.length - importable.length },
        });
      }
      const body: ConsumptionImportResult = { rows, matched: rows.filter((row) => row.match).length, errors: rows.length - importable.length, imported, applied: apply };
      return c.json(body, 200);
    })
    .get('/tiers', requirePermission('campaigns.view'), async (c) => {
      const rows = await deps.em().getConnection().execute<Array<{ tier: string; n: string }>>(
        `select ${TIER_SQL} as tier, count(*) as n from wework_customers c where not c.lost group by 1`);
      return c.json({ tiers: Object.fromEntries(CUSTOMER_TIERS.map((tier) => [tier, Number(rows.find((r) => r.tier === tier)?.n ?? 0)])) }, 200);
    });
}
