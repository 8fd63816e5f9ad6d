import { Hono } from 'hono';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audienceSchema, consentImportSchema } from '../../common/campaigns.schema.ts';
import { consentPageToken, readClinicCompliance, recordConsent, setCareOptOut } from '../../db/compliance.store.ts';
import { ClinicSettings, ConsentEvent, CustomerConsent, ForbiddenTermRow } from '../../db/entities/index.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { followClinicTimeZone } from '../temporal/clinic-schedules.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { readIdParam, readJson } from '../validation.ts';
import { exitJourneysOnOptOut } from './journey-signals.ts';

/** What the consent and compliance routes need. */
export interface ConsentRouteDeps {
  em: () => EntityManager;
  /** Where customers reach this server (the consent page link). */
  publicUrl?: string;
  /** Withdrawn consent ends the customers' journeys at once (their exit signal); a new time zone moves the daily Schedules. */
  temporal: Pick<TemporalGateway, 'client' | 'taskQueueFor'>;
}

/** The consent text customers agree to, and its version (kept with every grant made on the page). */
export const CONSENT_TEXT = {
  version: '2026-12-v1',
  zh: '我同意本机构通过企业微信向我发送项目优惠、活动与新品信息。我可以随时在本页或回复"退订"撤回同意；预约提醒、术后回访等服务消息不受影响。',
  en: 'I agree that the clinic may send me offers, events and news through WeCom. I can withdraw at any time on this page or by replying "退订"; appointment reminders and aftercare messages are not affected.',
};

const staffConsentSchema = z.object({
  marketing: z.enum(['granted', 'withdrawn']),
  /** `staff` (recorded by a staff member) or `keyword` (the customer replied 退订 in chat and staff relayed it). */
  source: z.enum(['staff', 'keyword']).default('staff'),
  evidence: z.string().trim().min(1).max(2000),
});

/** `PUT /api/consents/:externalUserId/care`: the customer asked for no care messages either (or takes that back). */
const careOptOutSchema = z.object({ optOut: z.boolean() });

/** Consent: the bulk import contract (SPEC §3), staff recording, a care opt-out, the ledger, the page link. */
export function consentRoutes(deps: ConsentRouteDeps) {
  return new Hono<AuthEnv>()
    .post('/', requirePermission('consents.manage'), async (c) => {
      const body = await readJson(c, consentImportSchema);
      const auth = c.get('auth');
      const em = deps.em();
      const updated = await recordConsent(em, {
        externalUserIds: body.externalUserIds, marketing: body.marketing, source: body.source, evidence: body.evidence ?? null,
        actor: { id: auth.user.id, username: auth.user.username },
      });
      if (body.marketing === 'withdrawn') await exitJourneysOnOptOut(deps.temporal.client, em, body.externalUserIds);
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'consent.import', details: { marketing: body.marketing, source: body.source, count: updated }, ip: clientInfo(c).ip });
      return c.json({ updated }, 200);
    })
    .get('/:externalUserId', requirePermission('campaigns.view'), async (c) => {
      const externalUserId = c.req.param('externalUserId');
      const em = deps.em();
      const current = await em.findOne(CustomerConsent, { externalUserid: externalUserId });
      const events = await em.find(ConsentEvent, { externalUserid: externalUserId }, { orderBy: { id: 'desc' }, limit: 100 });
      return c.json({
        externalUserId,
        marketing: current?.marketing === 'granted' ? 'granted' : events.length > 0 ? 'withdrawn' : 'none',
        careOptOut: current?.careOptOut ?? false,
        events: events.map((e) => ({ marketing: e.marketing, source: e.source, evidence: e.evidence, textVersion: e.textVersion, actor: e.actorUsername, at: e.createdAt.toISOString() })),
      }, 200);
    })
    .post('/:externalUserId', requirePermission('consents.manage'), async (c) => {
      const externalUserId = c.req.param('externalUserId');
      const body = await readJson(c, staffConsentSchema);
      const auth = c.get('auth');
      const em = deps.em();
      await recordConsent(em, { externalUserIds: [externalUserId], marketing: body.marketing, source: body.source, evidence: body.evidence, actor: { id: auth.user.id, username: auth.user.username } });
      if (body.marketing === 'withdrawn') await exitJourneysOnOptOut(deps.temporal.client, em, [externalUserId]);
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'consent.record', target: { type: 'customer', id: externalUserId }, details: { marketing: body.marketing, source: body.source }, ip: clientInfo(c).ip });
      return c.json({ updated: 1 }, 200);
    })
    .put('/:externalUserId/care', requirePermission('consents.manage'), async (c) => {
      const externalUserId = c.req.param('externalUserId');
      const body = await readJson(c, careOptOutSchema);
      const auth = c.get('auth');
      const em = deps.em();
      await setCareOptOut(em, externalUserId, body.optOut);
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'consent.care', target: { type: 'customer', id: externalUserId }, details: { optOut: body.optOut }, ip: clientInfo(c).ip });
      return c.json({ careOptOut: body.optOut }, 200);
    })
    .get('/:externalUserId/link', requirePermission('consents.manage'), async (c) => {
      const token = await consentPageToken(deps.em(), c.req.param('externalUserId'));
      return c.json({ url: `${(deps.publicUrl ?? '').replace(/\/+$/, '')}/c/${token}` }, 200);
    });
}

const termSchema = z.object({ term: z.string().trim().min(1).max(64), reason: z.string().trim().min(1).max(500) });
const settingsSchema = z.object({
  timeZone: z.string().min(1).max(64).refine((tz) => { try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; } }, 'unknown time zone').optional(),
  quietHours: z.object({ start: z.string().regex(/^\d{2}:\d{2}$/), end: z.string().regex(/^\d{2}:\d{2}$/) }).nullable().optional(),
  monthlyCap: z.number().int().min(1).max(31).nullable().optional(),
});

/** The forbidden-term list (admins maintain it), the clinic's caps and quiet hours. */
export function complianceRoutes(deps: ConsentRouteDeps) {
  return new Hono<AuthEnv>()
    .get('/terms', requirePermission('campaigns.view'), async (c) => {
      const rows = await deps.em().find(ForbiddenTermRow, {}, { orderBy: { term: 'asc' } });
      return c.json({ items: rows.map((r) => ({ id: r.id, term: r.term, reason: r.reason })) }, 200);
    })
    .post('/terms', requirePermission('compliance.manage'), async (c) => {
      const body = await readJson(c, termSchema);
      const em = deps.em();
      if (await em.findOne(ForbiddenTermRow, { term: body.term })) throw new AppError(409, 'term_exists', `「${body.term}」 is already on the list`, { field: 'term' });
      const row = em.create(ForbiddenTermRow, body);
      await em.flush();
      const auth = c.get('auth');
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'compliance.update', details: { added: body.term }, ip: clientInfo(c).ip });
      return c.json({ id: row.id, term: row.term, reason: row.reason }, 201);
    })
    .delete('/terms/:id', requirePermission('compliance.manage'), async (c) => {
      const em = deps.em();
      const row = await em.findOne(ForbiddenTermRow, { id: readIdParam(c) });
      if (!row) throw new AppError(404, 'not_found', 'No such term');
      await em.remove(row).flush();
      const auth = c.get('auth');
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'compliance.update', details: { removed: row.term }, ip: clientInfo(c).ip });
      return c.json({ ok: true }, 200);
    })
    .get('/settings', requirePermission('campaigns.view'), async (c) => c.json(await readClinicCompliance(deps.em()), 200))
    .put('/settings', requirePermission('compliance.manage'), async (c) => {
      const body = await readJson(c, settingsSchema);
      const em = deps.em();
      const row = await em.findOneOrFail(ClinicSettings, { id: 1 });
      const zoneChanged = body.timeZone !== undefined && body.timeZone !== row.timeZone;
      if (body.timeZone !== undefined) row.timeZone = body.timeZone;
      if (body.quietHours !== undefined) { row.quietStart = body.quietHours?.start ?? null; row.quietEnd = body.quietHours?.end ?? null; }
      if (body.monthlyCap !== undefined) row.monthlyCap = body.monthlyCap;
      await em.flush();
      const auth = c.get('auth');
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'compliance.update', details: { settings: body }, ip: clientInfo(c).ip });
      // The daily Schedules run at clinic hours: they move with the zone (a Temporal outage: at the next API start).
      const schedules = zoneChanged ? await followClinicTimeZone(deps.temporal, deps.em()) : { pending: [], warning: null };
      return c.json({ ...(await readClinicCompliance(em)), schedulesPending: schedules.pending, ...(schedules.warning ? { scheduleWarning: schedules.warning } : {}) }, 200);
    });
}

