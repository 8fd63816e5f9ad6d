import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import {
  audiencePreviewSchema, campaignListQuerySchema, createCampaignSchema, directSendSchema, isRecurring, updateCampaignSchema,
  type CampaignCounts, type CampaignStatus, type CampaignView, type Content, type Schedule, type StaffProgress,
} from '../../common/campaigns.schema.ts';
import { findTermHits, readableText, type TermHit } from '../../common/compliance.ts';
import { unsupportedVariables } from '../../common/content-variables.ts';
import { freezeAudience, previewAudience } from '../../db/audience.ts';
import { consentSql, readClinicCompliance, readForbiddenTerms } from '../../db/compliance.store.ts';
import { Campaign, CustomerSegment, SendRun, WeworkCustomer } from '../../db/entities/index.ts';
import type { ICampaign } from '../../db/entities/campaign.entity.ts';
import { createSendRun } from '../../db/send-runs.store.ts';
import { lockUntilCommit } from '../../db/transaction.ts';
import { createLogger } from '../../logging/logger.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError, isTemporalUnreachable } from '../errors.ts';
import { forbiddenTermsError } from '../forbidden-terms.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import {
  controlSendRun, deleteCampaignSchedule, putCampaignSchedule, remindSendRun, setCampaignSchedulePaused, startCampaignRun, startSendRun, type SendTiming,
} from '../temporal/campaign-control.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { temporalCampaignUrl } from '../temporal/temporal-ui.ts';
import { readIdParam, readJson, readQuery } from '../validation.ts';

const log = createLogger('api');

/** What the campaign routes need from the composition root. */
export interface CampaignRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
  temporalUiUrl: string | null;
  /** Shorter send-path timings (tests, demos); production leaves it unset. */
  sendTiming?: SendTiming;
}

type Row = Record<string, unknown>;
const recipientQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
  state: z.enum(['pending', 'skipped', 'queued', 'submitted', 'failed']).optional(),
});
const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);
const EMPTY_COUNTS: CampaignCounts = { audience: 0, skipped: 0, submitted: 0, confirmed: 0, delivered: 0, failed: 0, clicked: 0 };
const FAILED_RESULTS = `('not_friend', 'over_quota', 'not_confirmed', 'cancelled')`;

async function termHits(em: EntityManager, content: Content): Promise<TermHit[]> {
  return findTermHits(readableText(content), await readForbiddenTerms(em));
}

/** 422 naming each forbidden term and why: launch is blocked until the content is edited. */
const forbiddenTerms = (hits: TermHit[]) => forbiddenTermsError(hits, 'content.text');

/** 422 when the text has a per-customer placeholder: one 群发 task sends one identical text to all of a staff member's recipients. */
function rejectCustomerVariables(content: Content): void {
  const bad = unsupportedVariables(content.text);
  if (bad.length === 0) return;
  throw new AppError(422, 'unsupported_variable',
    `群发每条任务对所有客户发送同一段文字，只能使用 {staff}（发送员工姓名），不支持 ${bad.join('、')} / A mass message sends one identical text per staff member, so only {staff} (the sender's name) is available, not ${bad.join(', ')}.`,
    { field: 'content.text' });
}

/** Several runs' SPEC §3 counts in one grouped query (the overview's 群发效果 lists five campaigns at once). */
export async function runCounts(em: EntityManager, runIds: number[]): Promise<Map<number, CampaignCounts>> {
  const result = new Map<number, CampaignCounts>(runIds.map((id) => [id, { ...EMPTY_COUNTS }]));
  if (runIds.length === 0) return result;
  const rows = await em.getConnection().execute<Row[]>(
    `select ids.run_id,
            count(r.id) as audience,
            count(r.id) filter (where r.state = 'skipped') as skipped,
            count(r.id) filter (where r.state = 'submitted') as submitted,
            count(r.id) filter (where r.state = 'submitted' and b.confirmed_at is not null) as confirmed,
            count(r.id) filter (where r.result = 'delivered') as delivered,
            count(r.id) filter (where r.state = 'failed' or r.result in ${FAILED_RESULTS}) as failed,
            (select coalesce(sum(clicks), 0) from tracked_links t where t.run_id = ids.run_id) as clicked
       from unnest(?::int[]) as ids(run_id)
       left join send_recipients r on r.run_id = ids.run_id
       left join send_batches b on b.id = r.batch_id
      group by ids.run_id`, [`{${runIds.join(',')}}`]);
  const n = (v: unknown) => Number(v ?? 0);
  for (const row of rows) {
    result.set(n(row.run_id), {
      audience: n(row.audience), skipped: n(row.skipped), submitted: n(row.submitted), confirmed: n(row.confirmed),
      delivered: n(row.delivered), failed: n(row.failed), clicked: n(row.clicked),
    });
  }
  return result;
}

/** A run's figures (SPEC §3 counts, reasons, per-staff progress) from its recipient rows. */
export async function runFigures(em: EntityManager, runId: number | null): Promise<Pick<CampaignView, 'counts' | 'skippedByReason' | 'failedByReason' | 'staff'>> {
  if (runId === null) return { counts: { ...EMPTY_COUNTS }, skippedByReason: {}, failedByReason: {}, staff: [] };
  const conn = em.getConnection();
  const counts = (await runCounts(em, [runId])).get(runId)!;
  const skipped = await conn.execute<Row[]>(`select skip_reason as reason, count(*) as n from send_recipients where run_id = ? and state = 'skipped' group by skip_reason`, [runId]);
  const failed = await conn.execute<Row[]>(
    `select coalesce(fail_reason, result) as reason, count(*) as n from send_recipients
      where run_id = ? and (state = 'failed' or result in ${FAILED_RESULTS}) group by 1`, [runId]);
  const staff = await conn.execute<Row[]>(
    `select r.sender,
            count(*) as planned,
            count(*) filter (where r.state = 'submitted') as submitted,
            count(*) filter (where r.state = 'submitted' and b.confirmed_at is not null) as confirmed,
            count(*) filter (where r.result = 'delivered') as delivered,
            count(*) filter (where r.state = 'failed' or r.result in ${FAILED_RESULTS}) as failed,
            (select count(*) from send_batches x where x.run_id = ? and x.sender = r.sender) as batches,
            (select count(*) from send_batches x where x.run_id = ? and x.sender = r.sender and x.confirmed_at is not null) as batches_confirmed,
            (select coalesce(sum(reminders), 0) from send_batches x where x.run_id = ? and x.sender = r.sender) as reminders
       from send_recipients r left join send_batches b on b.id = r.batch_id
      where r.run_id = ? and r.sender is not null and r.state <> 'skipped' group by r.sender order by r.sender`, [runId, runId, runId, runId]);
  const n = (v: unknown) => Number(v ?? 0);
  return {
    counts,
    skippedByReason: Object.fromEntries(skipped.map((r) => [String(r.reason), n(r.n)])),
    failedByReason: Object.fromEntries(failed.map((r) => [String(r.reason), n(r.n)])),
    staff: staff.map((r): StaffProgress => ({
      sender: String(r.sender), planned: n(r.planned), submitted: n(r.submitted), confirmed: n(r.confirmed), delivered: n(r.delivered),
      failed: n(r.failed), batches: n(r.batches), batchesConfirmed: n(r.batches_confirmed), reminders: n(r.reminders),
    })),
  };
}

/** The whole view of one campaign: definition, status, figures of its latest run, term hits, Temporal link. */
async function campaignView(em: EntityManager, deps: CampaignRouteDeps, campaign: ICampaign): Promise<CampaignView> {
  const figures = await runFigures(em, campaign.currentRunId ?? null);
  const runs = await em.count(SendRun, { campaignId: campaign.id });
  const runId = campaign.currentRunId ?? null;
  return {
    id: campaign.id, name: campaign.name, status: campaign.status, audience: campaign.audience, content: campaign.content,
    schedule: campaign.schedule ?? null, version: campaign.version, ...figures, termHits: await termHits(em, campaign.content),
    runId, runs,
    temporalUrl: temporalCampaignUrl(deps.temporalUiUrl, deps.temporal.namespace, campaign.id),
    createdAt: iso(campaign.createdAt)!, updatedAt: iso(campaign.updatedAt)!, launchedAt: iso(campaign.launchedAt), finishedAt: iso(campaign.finishedAt),
  };
}

const PAST_TENSE = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' } as const;

/**
 * Pause, resume or cancel of a campaign launched a moment ago, whose run the launch workflow has
 * not made yet: recorded on the campaign row (createCampaignRun honours it), in one statement
 * that only matches while there is no run. False when it does not apply (a run exists, or the
 * state does not allow it); the caller then asks the run or refuses.
 */
async function controlBeforeRun(em: EntityManager, campaignId: number, action: 'pause' | 'resume' | 'cancel'): Promise<boolean> {
  const [to, ...from] = { pause: ['paused', 'running'], resume: ['running', 'paused'], cancel: ['cancelled', 'running', 'paused'] }[action];
  const updated = await em.getConnection().execute<Array<{ id: number }>>(
    `update campaigns set status = ?, updated_at = now(), finished_at = case when ? = 'cancelled' then now() else finished_at end
      where id = ? and current_run_id is null and status in (${from.map(() => '?').join(', ')}) returning id`, [to, to, campaignId, ...from]);
  return updated.length > 0;
}

/**
 * Pause or resume of a recurring campaign: the campaign itself pauses, between fires as well as
 * during one, and the caller pauses or unpauses its Schedule (createCampaignRun also refuses a
 * Schedule fire while it is paused). A run that is sending pauses or resumes with it; a run whose
 * batches are all submitted goes on tracking, and when it ends the campaign stays paused.
 */
async function controlRecurring(em: EntityManager, client: Client, loaded: ICampaign, action: 'pause' | 'resume'): Promise<void> {
  const campaignId = loaded.id;
  let campaign = loaded;
  // Launched a moment ago (launch clears the previous run): recorded for the run to come, unless
  // the run was attached meanwhile (then read again, and the run is asked).
  if (campaign.launchedAt && !campaign.currentRunId) {
    if (await controlBeforeRun(em, campaignId, action)) return;
    campaign = await em.fork().findOneOrFail(Campaign, { id: campaignId });
  }
  const run = campaign.currentRunId ? await em.fork().findOne(SendRun, { id: campaign.currentRunId }) : null;
  const sending = run !== null && !run.finishedAt;
  const [from, to] = action === 'pause' ? [['scheduled', 'running'], 'paused'] : [['paused'], sending ? 'running' : 'scheduled'];
  if (!from.includes(campaign.status)) throw new AppError(409, 'invalid_state', `A ${campaign.status} campaign cannot be ${PAST_TENSE[action]}.`);
  if (sending && run.paused !== (action === 'pause')) {
    // 409 here means the run cannot (every batch is submitted, or it just ended): the campaign still pauses.
    await controlSendRun(client, run.id, action).catch((error: unknown) => {
      if (!(error instanceof AppError && error.status === 409)) throw error;
    });
  }
  await em.getConnection().execute(`update campaigns set status = ?, updated_at = now() where id = ? and status in (${from.map(() => '?').join(', ')})`, [to, campaignId, ...from]);
}

/** A recurring campaign paused while no run of it is going on (before its first fire, or after a run ended). */
async function isPausedBetweenFires(em: EntityManager, campaign: ICampaign): Promise<boolean> {
  if (campaign.status !== 'paused' || !isRecurring(campaign.schedule)) return false;
  if (!campaign.currentRunId) return !campaign.launchedAt;
  return Boolean((await em.fork().findOneOrFail(SendRun, { id: campaign.currentRunId })).finishedAt);
}

async function loadCampaign(em: EntityManager, id: number): Promise<ICampaign> {
  const campaign = await em.findOne(Campaign, { id });
  if (!campaign) throw new AppError(404, 'not_found', `Campaign ${id} does not exist`);
  return campaign;
}

/** A one-off `at` must still be ahead: a Schedule for a second already past would never fire. */
function refusePastAt(schedule: Schedule): void {
  if ('at' in schedule && Date.parse(schedule.at) <= Date.now() + 1_000) {
    throw new AppError(400, 'invalid_request', 'schedule.at is not in the future: give a later time, or launch the campaign now', { field: 'schedule' });
  }
}

/** SPEC §3's campaign API (external clients drive campaigns through it; so does the dashboard). */
export function campaignRoutes(deps: CampaignRouteDeps) {
  const { client } = deps.temporal;
  const taskQueue = deps.temporal.taskQueueFor('campaignRunWorkflow');
  const timing = deps.sendTiming ?? {};

  /** Puts the campaign's Schedule; a recurring campaign `pausedBy` someone keeps its Schedule and status paused. */
  const schedule = async (em: EntityManager, campaign: ICampaign, pausedBy?: string) => {
    if (!campaign.schedule) return;
    refusePastAt(campaign.schedule);
    const { timeZone } = await readClinicCompliance(em);
    const paused = pausedBy !== undefined && isRecurring(campaign.schedule);
    await putCampaignSchedule(client, taskQueue, campaign.id, campaign.schedule, timing, { clinicTimeZone: timeZone, ...(paused ? { pausedBy } : {}) });
    campaign.status = paused ? 'paused' : 'scheduled';
  };

  /** Best effort: the Schedule a failed edit replaced, as it was (the row was not changed). */
  const restoreSchedule = async (em: EntityManager, campaignId: number, previous: Schedule, pausedBy?: string) => {
    const { timeZone } = await readClinicCompliance(em);
    const paused = pausedBy !== undefined && isRecurring(previous);
    await putCampaignSchedule(client, taskQueue, campaignId, previous, timing, { clinicTimeZone: timeZone, ...(paused ? { pausedBy } : {}) })
      .catch((error: Error) => log.warn(`campaign ${campaignId}: could not put its previous Schedule back (${error.message})`));
  };

  return new Hono<AuthEnv>()
    .get('/', requirePermission('campaigns.view'), async (c) => {
      const query = readQuery(c, campaignListQuerySchema);
      const em = deps.em();
      const [rows, total] = await em.findAndCount(Campaign, query.status ? { status: query.status } : {}, {
        orderBy: { id: 'desc' }, limit: query.pageSize, offset: (query.page - 1) * query.pageSize,
      });
      const items = [];
      for (const row of rows) {
        const { counts } = await runFigures(em, row.currentRunId ?? null);
        items.push({ id: row.id, name: row.name, status: row.status, schedule: row.schedule ?? null, counts, createdAt: iso(row.createdAt), launchedAt: iso(row.launchedAt) });
      }
      return c.json({ items, total, page: query.page, pageSize: query.pageSize }, 200);
    })
    .post('/audience-preview', requirePermission('campaigns.view'), async (c) => {
      const { audience } = await readJson(c, audiencePreviewSchema);
      const em = deps.em();
      const { timeZone } = await readClinicCompliance(em);
      return c.json(await previewAudience(em, audience, timeZone).catch(segmentMissing), 200);
    })
    .post('/', requirePermission('campaigns.manage'), async (c) => {
      const body = await readJson(c, createCampaignSchema);
      rejectCustomerVariables(body.content);
      const em = deps.em();
      await requireSegment(em, body.audience);
      const hits = await termHits(em, body.content);
      if (body.schedule && hits.length > 0) throw forbiddenTerms(hits);
      const auth = c.get('auth');
      const campaign = em.create(Campaign, {
        name: body.name, audience: body.audience, content: body.content, schedule: body.schedule ?? null, status: 'draft', version: 1, createdBy: auth.user.id,
      });
      await em.flush();
      try {
        await schedule(em, campaign);
      } catch (error) {
        // Refused (or Temporal out of reach): no campaign was made, so a retry does not make two.
        await em.getConnection().execute('delete from campaigns where id = ?', [campaign.id]);
        throw error;
      }
      await em.flush();
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'campaign.create', target: { type: 'campaign', id: campaign.id }, ip: clientInfo(c).ip });
      return c.json(await campaignView(em, deps, campaign), 201);
    })
    .get('/:id', requirePermission('campaigns.view'), async (c) => {
      const em = deps.em();
      return c.json(await campaignView(em, deps, await loadCampaign(em, readIdParam(c))), 200);
    })
    .patch('/:id', requirePermission('campaigns.manage'), async (c) => {
      const em = deps.em();
      const campaign = await loadCampaign(em, readIdParam(c));
      // A recurring campaign paused between its fires can be edited too (that is often why it was paused).
      const pausedBetweenFires = await isPausedBetweenFires(em, campaign);
      if (campaign.status !== 'draft' && campaign.status !== 'scheduled' && !pausedBetweenFires) {
        throw new AppError(409, 'invalid_state', `A ${campaign.status} campaign cannot be edited; only draft, scheduled or paused recurring ones can.`);
      }
      const body = await readJson(c, updateCampaignSchema);
      const before = { schedule: campaign.schedule ?? null, status: campaign.status };
      if (body.name !== undefined) campaign.name = body.name;
      if (body.audience !== undefined) await requireSegment(em, body.audience);
      if (body.audience !== undefined) campaign.audience = body.audience;
      if (body.content !== undefined) rejectCustomerVariables(body.content);
      if (body.content !== undefined) campaign.content = body.content;
      if (body.schedule !== undefined) campaign.schedule = body.schedule;
      const hits = await termHits(em, campaign.content);
      if (campaign.schedule && hits.length > 0) throw forbiddenTerms(hits);
      campaign.version += 1;
      // Still recurring after the edit, a paused campaign's new Schedule stays paused with it until it is resumed.
      if (campaign.schedule) {
        refusePastAt(campaign.schedule);
        try {
          await schedule(em, campaign, pausedBetweenFires ? c.get('auth').user.username : undefined);
        } catch (error) {
          // The old Schedule may be gone already: put it back, so the campaign still fires as it says.
          if (before.schedule && before.status !== 'draft') await restoreSchedule(em, campaign.id, before.schedule, pausedBetweenFires ? c.get('auth').user.username : undefined);
          throw error;
        }
      } else {
        await deleteCampaignSchedule(client, campaign.id);
        campaign.status = 'draft';
      }
      await em.flush();
      const auth = c.get('auth');
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'campaign.update', target: { type: 'campaign', id: campaign.id }, ip: clientInfo(c).ip });
      return c.json(await campaignView(em, deps, campaign), 200);
    })
    .post('/:id/launch', requirePermission('campaigns.manage'), async (c) => {
      const em = deps.em();
      const campaign = await loadCampaign(em, readIdParam(c));
      if (campaign.status !== 'draft' && campaign.status !== 'scheduled' && !(campaign.status === 'completed' && isRecurring(campaign.schedule))) {
        throw new AppError(409, 'invalid_state', `A ${campaign.status} campaign cannot be launched.`);
      }
      const hits = await termHits(em, campaign.content);
      if (hits.length > 0) throw forbiddenTerms(hits);
      // A one-off schedule is replaced by this launch; a recurring one keeps firing.
      if (campaign.schedule && 'at' in campaign.schedule) await deleteCampaignSchedule(client, campaign.id);
      // Recorded before the launch workflow starts, so its run, once attached, is never overwritten.
      // A recurring campaign launched again drops its previous run: until this fire's run exists,
      // pause and cancel are recorded on the campaign (controlBeforeRun), not sent to the finished one.
      const before = { status: campaign.status, launchedAt: campaign.launchedAt, currentRunId: campaign.currentRunId };
      // Only from the state just read: of two launches at once (a double click, a script's retry
      // after a timeout) one moves the campaign and the other is told it is already running.
      const [moved] = await em.getConnection().execute<Array<{ launched_at: Date }>>(
        `update campaigns set status = 'running', launched_at = now(), current_run_id = null, updated_at = now()
          where id = ? and status = ? and current_run_id is not distinct from ?::int returning launched_at`, [campaign.id, before.status, before.currentRunId ?? null]);
      if (!moved) throw new AppError(409, 'invalid_state', 'The campaign was launched or changed meanwhile; reload it.');
      Object.assign(campaign, { status: 'running', launchedAt: new Date(moved.launched_at), currentRunId: null });
      try {
        await startCampaignRun(client, taskQueue, campaign.id, timing);
      } catch (error) {
        // Put back what was there, unless the launch workflow started after all (an answer lost
        // in a timeout) and has already attached its run.
        await em.getConnection().execute(
          `update campaigns set status = ?, launched_at = ?, current_run_id = ?, updated_at = now() where id = ? and status = 'running' and current_run_id is null`,
          [before.status, before.launchedAt ?? null, before.currentRunId ?? null, campaign.id]);
        throw error;
      }
      const auth = c.get('auth');
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'campaign.launch', target: { type: 'campaign', id: campaign.id }, ip: clientInfo(c).ip });
      return c.json(await campaignView(em, deps, campaign), 202);
    })
    .post('/:id/:action{pause|resume|cancel}', requirePermission('campaigns.manage'), async (c) => {
      const em = deps.em();
      const campaign = await loadCampaign(em, readIdParam(c));
      const action = c.req.param('action') as 'pause' | 'resume' | 'cancel';
      const auth = c.get('auth');
      if (action === 'cancel' && (campaign.status === 'draft' || campaign.status === 'scheduled' || (await isPausedBetweenFires(em, campaign)))) {
        await deleteCampaignSchedule(client, campaign.id);
        if (campaign.currentRunId && campaign.status === 'scheduled') await controlSendRun(client, campaign.currentRunId, 'cancel').catch(() => undefined);
        campaign.status = 'cancelled';
      } else if (isRecurring(campaign.schedule) && action !== 'cancel') {
        // Resume unpauses the Schedule first, so a failure (Temporal down) leaves the campaign paused
        // as it was; pause records the campaign first (a fire while paused already sends nothing).
        if (action === 'resume') await setCampaignSchedulePaused(client, campaign.id, false, auth.user.username);
        await controlRecurring(em, client, campaign, action);
        if (action === 'pause') {
          // Temporal out of reach: the campaign is paused all the same (createCampaignRun refuses its
          // fires); its Schedule stays unpaused in the Temporal UI until the next pause or resume.
          await setCampaignSchedulePaused(client, campaign.id, true, auth.user.username).catch((error: unknown) => {
            if (!isTemporalUnreachable(error)) throw error;
          });
        }
      } else {
        // Launched but its run not made yet: the campaign row holds the request, and the run starts as asked.
        if (!(await controlBeforeRun(em, campaign.id, action))) {
          const current = await deps.em().findOneOrFail(Campaign, { id: campaign.id });
          if (!current.currentRunId || !['running', 'paused'].includes(current.status)) {
            throw new AppError(409, 'invalid_state', `A ${current.status} campaign cannot be ${PAST_TENSE[action]}.`);
          }
          await controlSendRun(client, current.currentRunId, action);
        }
        // The send workflow marks the campaign cancelled once its tasks are cancelled in WeCom.
        if (action === 'cancel') await deleteCampaignSchedule(client, campaign.id);
      }
      await em.flush();
      await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: `campaign.${action}`, target: { type: 'campaign', id: campaign.id }, ip: clientInfo(c).ip });
      const fresh = await deps.em().findOneOrFail(Campaign, { id: campaign.id });
      return c.json(await campaignView(em, deps, fresh), 202);
    })
    .get('/:id/recipients', requirePermission('campaigns.view'), async (c) => {
      const em = deps.em();
      const campaign = await loadCampaign(em, readIdParam(c));
      const query = readQuery(c, recipientQuerySchema);
      if (!campaign.currentRunId) return c.json({ items: [], total: 0, page: query.page, pageSize: query.pageSize }, 200);
      const where = `run_id = ?${query.state ? ' and state = ?' : ''}`;
      const params = [campaign.currentRunId, ...(query.state ? [query.state] : [])];
      const conn = em.getConnection();
      const [total] = await conn.execute<Row[]>(`select count(*) as n from send_recipients where ${where}`, params);
      const rows = await conn.execute<Row[]>(
        `select external_userid, sender, state, skip_reason, fail_reason, result, clicked_at from send_recipients where ${where} order by id limit ? offset ?`,
        [...params, query.pageSize, (query.page - 1) * query.pageSize]);
      return c.json({
        items: rows.map((r) => ({
          externalUserId: r.external_userid, sender: r.sender, state: r.state, skipReason: r.skip_reason, failReason: r.fail_reason ?? (r.result !== 'delivered' ? r.result : null),
          delivered: r.result === 'delivered', clickedAt: iso(r.clicked_at as Date | null),
        })),
        total: Number(total?.n ?? 0), page: query.page, pageSize: query.pageSize,
      }, 200);
    })
    .post('/:id/remind', requirePermission('campaigns.manage'), async (c) => {
      const em = deps.em();
      const campaign = await loadCampaign(em, readIdParam(c));
      if (!campaign.currentRunId) throw new AppError(409, 'invalid_state', 'The campaign has not been sent yet.');
      const body = (await c.req.json().catch(() => ({}))) as { sender?: unknown };
      const reminded = await remindSendRun(client, campaign.currentRunId, typeof body.sender === 'string' ? body.sender : undefined);
      return c.json({ reminded }, 202);
    });
}

/** A saved campaign names a segment that exists (a missing one would fail only at launch). */
async function requireSegment(em: EntityManager, audience: { segmentId?: number }): Promise<void> {
  if (audience.segmentId !== undefined && (await em.count(CustomerSegment, { id: audience.segmentId })) === 0) {
    throw new AppError(400, 'invalid_request', `audience.segmentId: segment ${audience.segmentId} does not exist`, { field: 'audience.segmentId' });
  }
}

function segmentMissing(error: unknown): never {
  if (error instanceof Error && /segment \d+ does not exist/.test(error.message)) throw new AppError(400, 'invalid_request', `audience.segmentId: ${error.message}`);
  throw error;
}

/**
 * Refuses at once what the send path would skip for this one customer's consent, so the sender
 * learns it now and how to fix it, instead of reading "submitted" for a message nobody sends.
 * The send path screens again when it runs (a withdrawal in between still counts).
 */
async function requireClassAllowed(em: EntityManager, externalUserId: string, messageClass: 'marketing' | 'care'): Promise<void> {
  const [row] = await em.getConnection().execute<Array<{ granted: boolean; refusal: 'consent_withdrawn' | 'no_consent'; care_opted_out: boolean }>>(
    `select ${consentSql.marketingGranted('?')} as granted, ${consentSql.marketingRefusal('?')} as refusal, ${consentSql.careOptedOut('?')} as care_opted_out`,
    [externalUserId, externalUserId, externalUserId]);
  if (messageClass === 'care') {
    if (row?.care_opted_out) throw new AppError(409, 'care_opt_out', 'The customer asked for no care messages; nothing was sent.');
    return;
  }
  if (row?.granted) return;
  if (row?.refusal === 'consent_withdrawn') throw new AppError(409, 'consent_withdrawn', 'The customer withdrew consent to marketing messages; send a care message only if it is care (follow-up, appointment details).');
  throw new AppError(409, 'no_consent', 'The customer has not consented to marketing messages; record the consent first, or send a care message if it is care (follow-up, appointment details).');
}

/** The request's `Idempotency-Key` header, if any: 8–100 letters, digits, `.`, `:`, `_` or `-`. */
function readIdempotencyKey(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\w.:-]{8,100}$/.test(key)) throw new AppError(400, 'invalid_request', 'Idempotency-Key: 8 to 100 letters, digits, ".", ":", "_" or "-" (a UUID will do).', { field: 'Idempotency-Key' });
  return key;
}

/** 发送消息 from the customer page: the same send path with an audience of one, as marketing or as a care message. */
export function directMessageRoutes(deps: CampaignRouteDeps) {
  return new Hono<AuthEnv>()
    .post('/customers/:externalUserId/messages', requirePermission('campaigns.manage'), async (c) => {
      const externalUserId = c.req.param('externalUserId');
      const body = await readJson(c, directSendSchema);
      rejectCustomerVariables(body.content);
      const em = deps.em();
      if (!(await em.findOne(WeworkCustomer, { externalUserid: externalUserId }))) throw new AppError(404, 'not_found', 'No such customer');
      const hits = await termHits(em, body.content);
      if (hits.length > 0) throw forbiddenTerms(hits);
      await requireClassAllowed(em, externalUserId, body.messageClass);
      const auth = c.get('auth');
      // With an Idempotency-Key, a retry (after an error or a lost answer) answers the run the
      // first attempt made, started if it was not: the customer gets one task.
      const key = readIdempotencyKey(c);
      const launchKey = key === undefined ? undefined : `direct:${auth.user.id}:${key}`;
      const { runId, created } = await em.transactional(async (tem) => {
        if (launchKey) await lockUntilCommit(tem, launchKey);
        const earlier = launchKey ? await tem.findOne(SendRun, { workflowId: launchKey }) : null;
        if (earlier) return { runId: earlier.id, created: false };
        const made = await createSendRun(tem, { kind: 'direct', messageClass: body.messageClass, content: body.content, ...(launchKey ? { launchKey } : {}) });
        const { timeZone } = await readClinicCompliance(tem);
        await freezeAudience(tem, made, { externalUserIds: [externalUserId], ...(body.sender ? { staff: [body.sender] } : {}) }, timeZone);
        return { runId: made, created: true };
      });
      if (!created) {
        const [recipient] = await em.getConnection().execute<Array<{ external_userid: string }>>('select external_userid from send_recipients where run_id = ? limit 1', [runId]);
        if (recipient && recipient.external_userid !== externalUserId) {
          throw new AppError(422, 'invalid_request', 'This Idempotency-Key was already used for a message to another customer; use a new key for each message.', { field: 'Idempotency-Key' });
        }
      }
      // Audited once, when the run is made: a retry that only starts it is the same message.
      if (created) await recordAudit(em, { actor: { id: auth.user.id, username: auth.user.username }, action: 'message.direct', target: { type: 'customer', id: externalUserId }, details: { runId, messageClass: body.messageClass }, ip: clientInfo(c).ip });
      await startSendRun(deps.temporal.client, deps.temporal.taskQueueFor('sendRunWorkflow'), runId, deps.sendTiming ?? {});
      return c.json({ runId }, 202);
    })
    .get('/send-runs/:id', requirePermission('campaigns.view'), async (c) => {
      const em = deps.em();
      const run = await em.findOne(SendRun, { id: readIdParam(c) });
      if (!run) throw new AppError(404, 'not_found', 'No such send run');
      return c.json({ id: run.id, kind: run.kind, status: run.status as CampaignStatus | string, paused: run.paused, ...(await runFigures(em, run.id)) }, 200);
    });
}
