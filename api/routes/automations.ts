import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { automationSettingsUpdateSchema, birthdayImportRequestSchema, runBirthdaysRequestSchema, showBirthday, type AutomationSettingsView } from '../../common/automations.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { setCustomerBirthday } from '../../db/birthdays.store.ts';
import { readClinicCompliance } from '../../db/compliance.store.ts';
import { AutomationSettings, ClinicSettings } from '../../db/entities/index.ts';
import type { birthdayDayWorkflow } from '../../workflows/birthday-day.workflow.ts';
import { matchBirthdayRows, rowsFromSheet, type RawBirthdayRow } from '../automations/birthday-import.ts';
import { readSpreadsheet } from '../automations/spreadsheet.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from '../auth/audit.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { followClinicTimeZone } from '../temporal/clinic-schedules.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { readJson, readQuery } from '../validation.ts';
import { refuseForbiddenTerms } from '../forbidden-terms.ts';
import { z } from 'zod';

/** What the automation routes need from the composition root. */
export interface AutomationRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
}

const greetingsQuerySchema = z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() });

async function readSettings(em: EntityManager): Promise<AutomationSettingsView> {
  const row = await em.findOneOrFail(AutomationSettings, { id: 1 });
  const { timeZone } = await readClinicCompliance(em);
  return {
    timeZone, birthdayDaysBefore: row.birthdayDaysBefore, birthdayHour: row.birthdayHour,
    birthdayText: row.birthdayText, appointmentOffsetsMinutes: row.appointmentOffsetsMinutes,
  };
}

/** The rows of an import request: an uploaded file (CSV or .xlsx, field `file`) or JSON rows. */
async function importRows(request: Request): Promise<{ rows: RawBirthdayRow[]; apply: boolean }> {
  const apply = new URL(request.url).searchParams.get('apply') === 'true';
  if ((request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
    const form = await request.formData();
    const file = form.get('file');
    if (!(file instanceof File)) throw new AppError(400, 'invalid_request', 'file: attach the spreadsheet (CSV or .xlsx) as the form field "file"');
    let sheet: string[][];
    try {
      sheet = readSpreadsheet(file.name, new Uint8Array(await file.arrayBuffer()));
    } catch {
      throw new AppError(400, 'unreadable_file', 'The file could not be read as CSV or Excel (.xlsx); save it as one of those and try again.');
    }
    const rows = rowsFromSheet(sheet);
    if (rows.length === 0 || rows.length > 20_000) throw new AppError(400, 'invalid_request', 'file: it must hold between 1 and 20,000 rows');
    return { rows, apply: apply || form.get('apply') === 'true' };
  }
  const parsed = birthdayImportRequestSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) throw new AppError(400, 'invalid_request', `rows: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { rows: parsed.data.rows.map((row, index) => ({ line: index + 1, key: row.key.trim(), birthday: row.birthday.trim() })), apply: apply || parsed.data.apply };
}

/**
 * `/api/automations`: clinic settings, running a day's birthday greetings (SPEC §3), the birthday
 * import (preview, then apply), the greetings sent, and redeeming a greeting's coupon.
 */
export function automationRoutes(deps: AutomationRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/settings', requirePermission('automations.view'), async (c) => c.json(await readSettings(deps.em()), 200))
    .put('/settings', requirePermission('automations.manage'), async (c) => {
      const input = await readJson(c, automationSettingsUpdateSchema);
      const em = deps.em();
      // The birthday greeting (often with a coupon) is marketing: the clinic's forbidden terms apply.
      await refuseForbiddenTerms(em, [{ text: input.birthdayText, field: 'birthdayText' }]);
      const { timeZone, ...automation } = input;
      await em.nativeUpdate(AutomationSettings, { id: 1 }, automation);
      // One clinic time zone for compliance (quiet hours, caps) and automations alike; left as it is when not sent.
      if (timeZone !== undefined) await em.nativeUpdate(ClinicSettings, { id: 1 }, { timeZone });
      // The Schedules follow the new hour and time zone; a Temporal outage leaves the old ones until the next API start.
      const auth = c.get('auth');
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'automations.settings', details: { settings: input }, ip: clientInfo(c).ip });
      const schedules = await followClinicTimeZone(deps.temporal, deps.em());
      return c.json({ ...(await readSettings(deps.em())), schedulesPending: schedules.pending, scheduleWarning: schedules.warning }, 200);
    })
    .post('/birthdays/run', requirePermission('automations.manage'), async (c) => {
      const { date } = await readJson(c, runBirthdaysRequestSchema);
      const handle = await deps.temporal.client.workflow.start<typeof birthdayDayWorkflow>('birthdayDayWorkflow', {
        taskQueue: deps.temporal.taskQueueFor('birthdayDayWorkflow'),
        workflowId: workflowIds.birthdayDay(date),
        args: [{ date }],
        // A run of that day still going is joined; a finished one may run again (the claim greets once a year).
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        staticSummary: `birthday greetings of ${date} (operator run)`,
      });
      return c.json({ date, workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, 202);
    })
    .get('/birthdays/greetings', requirePermission('automations.view'), async (c) => {
      const query = readQuery(c, greetingsQuerySchema);
      const rows = await deps.em().getConnection().execute<Array<Record<string, unknown>>>(
        `select g.id, g.customer_id as "customerId", c.external_userid as "externalUserId", c.name, g.year, to_char(g.birthday_on, 'YYYY-MM-DD') as "birthdayOn",
                to_char(g.send_on, 'YYYY-MM-DD') as "sendOn", g.staff_userid as "staffUserId", g.coupon_code as "couponCode", g.status,
                coalesce(g.skip_reason, r.skip_reason) as "skipReason", g.send_run_id as "sendRunId", r.state as "sendState", r.result as "sendResult",
                g.late, g.queued_at as "queuedAt", g.coupon_redeemed_at as "couponRedeemedAt"
           from birthday_greetings g join wework_customers c on c.id = g.customer_id
           left join send_recipients r on r.run_id = g.send_run_id and r.customer_id = g.customer_id
          where (?::date is null or g.send_on >= ?::date) and (?::date is null or g.send_on <= ?::date)
          order by g.send_on desc, g.id desc limit 500`,
        [query.from ?? null, query.from ?? null, query.to ?? null, query.to ?? null]);
      return c.json({ items: rows }, 200);
    })
    .get('/birthdays/upcoming', requirePermission('automations.view'), async (c) => {
      const rows = await deps.em().getConnection().execute<Array<{ id: number; external_userid: string; name: string | null; birthday: string }>>(
        `select id, external_userid, name, to_char(birthday, 'YYYY-MM-DD') as birthday from wework_customers where birthday is not null and not lost
          order by (extract(month from birthday) * 100 + extract(day from birthday) - (extract(month from now()) * 100 + extract(day from now())) + 1300)::int % 1300 limit 50`);
      return c.json({ items: rows.map((row) => ({ customerId: row.id, externalUserId: row.external_userid, name: row.name, birthday: showBirthday(row.birthday) })) }, 200);
    })
    .post('/birthdays/import', requirePermission('automations.manage'), async (c) => {
      const { rows, apply } = await importRows(c.req.raw);
      const em = deps.em();
      const matched = await matchBirthdayRows(em, rows);
      let applied = 0;
      if (apply) {
        for (const row of matched) {
          if (row.match && row.stored && await setCustomerBirthday(em, row.match.customerId, row.stored)) applied++;
        }
      }
      return c.json({
        rows: matched.map(({ stored: _stored, ...row }) => row),
        matched: matched.filter((row) => row.match).length,
        errors: matched.filter((row) => row.error).length,
        applied,
      }, 200);
    })
    .post('/coupons/:code/redeem', requirePermission('automations.manage'), async (c) => {
      const code = c.req.param('code').toUpperCase();
      const connection = deps.em().getConnection();
      const [redeemed] = await connection.execute<Array<{ id: number }>>(
        `update birthday_greetings set coupon_redeemed_at = now(), updated_at = now() where coupon_code = ? and status = 'queued' and coupon_redeemed_at is null returning id`, [code]);
      if (redeemed) return c.json({ code, redeemed: true }, 200);
      const [known] = await connection.execute<Array<{ status: string; redeemed: boolean }>>(
        `select status, coupon_redeemed_at is not null as redeemed from birthday_greetings where coupon_code = ?`, [code]);
      if (!known || known.status !== 'queued') throw new AppError(404, 'coupon_not_found', `No issued coupon ${code}.`);
      throw new AppError(409, 'coupon_already_redeemed', `Coupon ${code} has already been used (single use).`);
    });
}
