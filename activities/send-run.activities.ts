import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { quietDelayMs, wecomMonthlyCap } from '../common/compliance.ts';
import { consentSql, readClinicCompliance } from '../db/compliance.store.ts';
import { SendBatch, SendRun } from '../db/entities/index.ts';
import type { ISendBatch, ISendRun } from '../db/entities/send-run.entity.ts';
import { WeComApiError } from '../wecom/errors.ts';
import type { WeComApi } from '../wecom/wecom-api.ts';
import type { ActivityDeps } from './deps.ts';
import { mediaIdForImage } from './campaign-media.ts';
import { batchText, buildBatchMessage } from './send-message.ts';
import { takeRateSlot } from './rate-window.ts';
import { asActivityFailure } from './wecom-failure.ts';

/** add_msg_template takes at most 10,000 external_userids per call. */
export const MAX_BATCH = 10_000;
/** WeCom allows 3 reminders per send per 24 h; this product uses at most that many per send. */
const MAX_REMINDERS = 3;
/** How far around a lost call get_groupmsg_list_v2 looks for the task it may have created (clock skew). */
const RECOVERY_SLACK_S = 600;
/**
 * add_msg_template refusals that concern one batch's sender or customers, not the campaign: 41048
 * (none of them can be reached by this sender), 40003 / 60111 (the sender has left the corp),
 * 84061 / 40096 (no such contact). Their recipients fail as `rejected`.
 */
const BATCH_REFUSALS = new Set([41048, 40003, 60111, 84061, 40096]);
/**
 * How long a batch's claim stands for an attempt that may still be waiting for WeCom: its
 * add_msg_template call, a token refresh and the retry of that call take at most 3 × 10 s.
 */
const CLAIM_LEASE_S = 35;
/** A batch whose sender may be reminded now: unconfirmed, under the limit, quiet for `?` ms since submission or the last reminder. */
const REMIND_DUE = `confirmed_at is null and not results_final and reminders < ? and coalesce(last_reminded_at, submitted_at) <= now() - (? * interval '1 millisecond')`;

type Row = Record<string, unknown>;

/** Where a run is after preparation. */
export type PreparedRun = { status: string; audience: number; queued: number; skipped: number; batches: number; deferMs: number };

/** What submitting one batch did. */
export type SubmitOutcome = { state: string; recovered: boolean; duplicatesCancelled: number };

/** What one tracking pass found. */
export type TrackOutcome = { open: number; unconfirmed: number; remindDue: number; sinceSubmittedMs: number };

async function execute<T = Row>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute(sql, params) as Promise<T[]>;
}

/** All pages of one sender's results of one task: external_userid → status 0/1/2/3. */
async function taskRecipients(api: WeComApi, msgid: string, sender: string): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  let cursor = '';
  do {
    const page = await api.groupMsg.sendResult(msgid, sender, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const row of page.send_list) if (row.external_userid) result.set(row.external_userid, row.status);
    cursor = page.next_cursor;
    Context.current().heartbeat();
  } while (cursor);
  return result;
}

/**
 * The tasks WeCom holds for this batch that no batch has claimed: made by the company around the
 * attempt, with this text, sent by this batch's sender to recipients all of the batch's. Oldest first.
 */
async function findBatchTasks(em: EntityManager, api: WeComApi, batch: ISendBatch, text: string): Promise<Array<{ msgid: string; recipients: Map<string, number> }>> {
  const started = Math.floor((batch.submitStartedAt ?? batch.createdAt).getTime() / 1000);
  const ours = new Set((await execute<{ external_userid: string }>(em, 'select external_userid from send_recipients where batch_id = ?', [batch.id])).map((r) => r.external_userid));
  const claimed = new Set((await execute<{ msgid: string }>(em, 'select msgid from send_batches where msgid is not null and id <> ?', [batch.id])).map((r) => r.msgid));
  const found: Array<{ msgid: string; createTime: number; recipients: Map<string, number> }> = [];
  let cursor = '';
  do {
    const page = await api.groupMsg.list({
      chat_type: 'single', start_time: started - RECOVERY_SLACK_S, end_time: Math.floor(Date.now() / 1000) + RECOVERY_SLACK_S,
      // No creator filter: WeCom documents that a task made through the API carries no creator, so
      // filtering on the sender may never match it. The text, then the sender's own send results, pick ours.
      filter_type: 0, limit: 100, ...(cursor ? { cursor } : {}),
    });
    for (const task of page.group_msg_list) {
      if (claimed.has(task.msgid) || task.text?.content !== text) continue;
      const recipients = await taskRecipients(api, task.msgid, batch.sender);
      if (recipients.size > 0 && [...recipients.keys()].every((id) => ours.has(id))) found.push({ msgid: task.msgid, createTime: task.create_time ?? 0, recipients });
    }
    cursor = page.next_cursor;
  } while (cursor);
  return found.sort((a, b) => a.createTime - b.createTime || a.msgid.localeCompare(b.msgid));
}

/** Stores a batch's task: recipients in fail_list failed (rejected), the rest submitted. */
async function markSubmitted(em: EntityManager, batchId: number, msgid: string, failList: string[]): Promise<void> {
  const conn = em.getConnection();
  await conn.transactional(async (trx) => {
    await conn.execute(`update send_batches set state = 'submitted', msgid = ?, fail_list = ?::jsonb, submitted_at = now(), updated_at = now() where id = ?`,
      [msgid, JSON.stringify(failList), batchId], 'run', trx);
    await conn.execute(
      `update send_recipients set
         state = case when external_userid in (select jsonb_array_elements_text(?::jsonb)) then 'failed' else 'submitted' end,
         fail_reason = case when external_userid in (select jsonb_array_elements_text(?::jsonb)) then 'rejected' else null end,
         submitted_at = now()
       where batch_id = ? and state = 'queued'`, [JSON.stringify(failList), JSON.stringify(failList), batchId], 'run', trx);
  });
}

/** Sets a run's status, and its campaign's when the run belongs to one. */
async function setRunStatus(em: EntityManager, runId: number, status: string, extra: { failureReason?: string } = {}): Promise<void> {
  const finished = ['completed', 'cancelled', 'failed'].includes(status);
  await execute(em, `update send_runs set status = ?, finished_at = case when ? then now() else finished_at end, failure_reason = coalesce(?, failure_reason), updated_at = now() where id = ?`,
    [status, finished, extra.failureReason ?? null, runId]);
  // A recurring campaign waits for its next fire after a run (or stays paused, if the marketer
  // paused it while this run tracked); anything else ends with its run.
  await execute(em,
    `update campaigns c set status = case
        when ? in ('completed') and c.schedule->>'cron' is not null then (case when c.status = 'paused' then 'paused' else 'scheduled' end)
        when ? in ('sending', 'tracking', 'screening', 'pending') then (case when r.paused then 'paused' else 'running' end)
        else ? end,
      finished_at = case when ? then now() else c.finished_at end, updated_at = now()
     from send_runs r where r.id = ? and r.campaign_id = c.id and c.current_run_id = r.id`,
    [status, status, status, finished, runId]);
}

/**
 * The send path's activities (see activities/README.md): screen a run's frozen recipients against
 * the compliance gate, cut them into batches of ≤ 10,000 per sender, submit each batch exactly
 * once, track confirmation and results, remind, pause and cancel. Every step is idempotent: the
 * database row of the run, batch or recipient says what is already done.
 */
export function createSendRunActivities(deps: ActivityDeps) {
  const publicUrl = deps.publicUrl ?? 'http://localhost:3000';
  const em = () => deps.orm.em.fork();

  return {
    /**
     * Screens pending recipients (consent for marketing, opt-out for care, WeCom's and the clinic's
     * monthly caps; every skip recorded with its reason), then plans batches of ≤ `maxBatch` per
     * sender. Quiet hours defer (deferMs), never skip. Safe to repeat.
     */
    async prepareSendRun(input: { runId: number; maxBatch?: number }): Promise<PreparedRun> {
      const m = em();
      const run = await m.findOneOrFail(SendRun, { id: input.runId });
      const settings = await readClinicCompliance(m);
      if (run.status === 'pending' || run.status === 'screening') {
        await setRunStatus(m, run.id, 'screening');
        await execute(m, `update send_runs set started_at = coalesce(started_at, now()) where id = ?`, [run.id]);
        await screen(m, run, settings);
        await planBatches(m, run.id, Math.min(input.maxBatch ?? MAX_BATCH, MAX_BATCH));
        await setRunStatus(m, run.id, 'sending');
      }
      const [counts] = await execute<{ audience: string; queued: string; skipped: string; batches: string }>(m,
        `select count(*) as audience, count(*) filter (where state <> 'skipped') as queued, count(*) filter (where state = 'skipped') as skipped,
                (select count(*) from send_batches b where b.run_id = ?) as batches
           from send_recipients where run_id = ?`, [run.id, run.id]);
      const fresh = await em().findOneOrFail(SendRun, { id: run.id });
      return {
        status: fresh.status, audience: Number(counts?.audience ?? 0), queued: Number(counts?.queued ?? 0), skipped: Number(counts?.skipped ?? 0),
        batches: Number(counts?.batches ?? 0), deferMs: quietDelayMs(new Date(), settings.quietHours, settings.timeZone),
      };
    },

    /** The next batches still to submit (pending, or submitting after a lost answer), in order. */
    async nextSendBatches(input: { runId: number; limit: number }): Promise<number[]> {
      const rows = await execute<{ id: number }>(em(),
        `select id from send_batches where run_id = ? and state in ('pending', 'submitting') order by sender, seq limit ?`, [input.runId, input.limit]);
      return rows.map((r) => r.id);
    },

    /**
     * Submits one batch exactly once. The attempt claims the row (`submitting`, its own token)
     * before add_msg_template, fenced on the state it read, so of two attempts running at once
     * (Temporal retried one that was only slow) one submits. A retry that finds the batch
     * submitting waits while an attempt may still be in flight (the claim's lease), then asks
     * WeCom (get_groupmsg_list_v2 by sender and time, matched by text and recipients) for the task
     * a lost answer may have created, keeps the oldest and cancels any other (cancel_groupmsg_send).
     * An errcode answer to a first attempt means no task exists: back to pending.
     */
    async submitSendBatch(input: { batchId: number }): Promise<SubmitOutcome> {
      const m = em();
      const batch = await m.findOneOrFail(SendBatch, { id: input.batchId });
      if (batch.state !== 'pending' && batch.state !== 'submitting') return { state: batch.state, recovered: false, duplicatesCancelled: 0 };
      const [held] = await execute<{ fresh: boolean }>(m, `select submit_claim is not null and updated_at > now() - interval '${CLAIM_LEASE_S} seconds' as fresh from send_batches where id = ?`, [batch.id]);
      // Another attempt (one Temporal gave up on, still running) may be waiting for WeCom's answer:
      // looking for its task now would miss it and submit again. Its answer is due within the lease.
      if (held?.fresh) throw ApplicationFailure.retryable('An earlier attempt of this batch may still be waiting for WeCom\'s answer', 'submit_in_flight');
      const run = await m.findOneOrFail(SendRun, { id: batch.runId });
      const api = await deps.wecom().catch((error: unknown) => { throw asActivityFailure(error); });
      const claim = randomBytes(12).toString('base64url');
      let claimed = false;
      try {
        // Temporary media ids live 3 days: resolved here, just before this batch goes to WeCom.
        const uploadImage = async (url: string) => {
          Context.current().heartbeat();
          return mediaIdForImage(m, api, url, publicUrl, deps.trustedImageOrigins);
        };
        const message = await buildBatchMessage(m, { runId: run.id, batchId: batch.id, linkKey: run.linkKey ?? null, sender: batch.sender, content: run.content, publicUrl, uploadImage });
        if (batch.state === 'submitting') {
          const found = await findBatchTasks(m, api, batch, message.text.content);
          if (found.length > 0) {
            const [keep, ...duplicates] = found;
            for (const dup of duplicates) await api.groupMsg.cancel(dup.msgid);
            const failList = (await execute<{ external_userid: string }>(m, 'select external_userid from send_recipients where batch_id = ?', [batch.id]))
              .map((r) => r.external_userid).filter((id) => !keep!.recipients.has(id));
            await markSubmitted(m, batch.id, keep!.msgid, failList);
            if (duplicates.length > 0) await execute(m, 'update send_batches set duplicates_cancelled = duplicates_cancelled + ? where id = ?', [duplicates.length, batch.id]);
            return { state: 'submitted', recovered: true, duplicatesCancelled: duplicates.length };
          }
        }
        // A withdrawal since the run was screened (a run held by quiet hours, paused, or long) counts
        // at once (SPEC §5), while no attempt of this batch has reached WeCom yet.
        if (batch.state === 'pending' && (await rescreenBatch(m, run, batch.id)) === 0) {
          await execute(m, `update send_batches set state = 'cancelled', updated_at = now() where id = ? and state = 'pending' and submit_claim is null`, [batch.id]);
          return { state: 'cancelled', recovered: false, duplicatesCancelled: 0 };
        }
        await takeRateSlot(m, 'add_msg_template', (await readClinicCompliance(m)).submitPerMinute);
        // Only one attempt claims the batch as it was read: one that lost the race ends here.
        const took = await execute<{ id: number }>(m,
          `update send_batches set state = 'submitting', submit_claim = ?, submit_started_at = coalesce(submit_started_at, now()), updated_at = now()
           where id = ? and state = ? and submit_claim is not distinct from ? returning id`, [claim, batch.id, batch.state, batch.submitClaim ?? null]);
        if (took.length === 0) throw ApplicationFailure.retryable('Another attempt claimed this batch first', 'submit_in_flight');
        claimed = true;
        const recipients = (await execute<{ external_userid: string }>(m, `select external_userid from send_recipients where batch_id = ? and state = 'queued' order by id`, [batch.id]))
          .map((r) => r.external_userid);
        let answer: { msgid: string; fail_list: string[] };
        try {
          answer = await api.groupMsg.addMsgTemplate({ chat_type: 'single', sender: batch.sender, external_userid: recipients, text: message.text, ...(message.attachments.length ? { attachments: message.attachments } : {}) });
        } catch (error) {
          if (error instanceof WeComApiError) {
            // WeCom answered: this call made no task. Refusals of this sender or these customers
            // fail this batch only; the other senders' batches still go (and those sent are tracked).
            if (BATCH_REFUSALS.has(error.errcode)) {
              await markSubmittedNone(m, batch.id);
              claimed = false;
              return { state: 'failed', recovered: false, duplicatesCancelled: 0 };
            }
            // Back to pending only when no earlier attempt reached WeCom: after a lost answer the
            // batch stays submitting, so the next attempt still looks for that attempt's task.
            if (batch.state === 'pending') {
              await execute(m, `update send_batches set state = 'pending', submit_claim = null, updated_at = now() where id = ? and submit_claim = ?`, [batch.id, claim]);
              claimed = false;
            }
          }
          throw error;
        }
        await markSubmitted(m, batch.id, answer.msgid, answer.fail_list);
        claimed = false;
        return { state: 'submitted', recovered: false, duplicatesCancelled: 0 };
      } catch (error) {
        // This attempt's call has ended (answered or not): the next one need not wait out the lease.
        if (claimed) await execute(m, 'update send_batches set submit_claim = null where id = ? and submit_claim = ?', [batch.id, claim]).catch(() => undefined);
        throw asActivityFailure(error);
      }
    },

    /**
     * One tracking pass: per submitted batch, whether the sender confirmed (get_groupmsg_task) and,
     * once confirmed, each recipient's result (get_groupmsg_send_result: 1 delivered, 2 not a
     * friend, 3 over quota). With `final`, recipients still at 0 become not_confirmed.
     */
    async trackSendRun(input: { runId: number; final?: boolean; remindAfterMs?: number }): Promise<TrackOutcome> {
      const m = em();
      const batches = await m.find(SendBatch, { runId: input.runId, state: 'submitted', resultsFinal: false }, { orderBy: { id: 'asc' } });
      const api = batches.length > 0 ? await deps.wecom().catch((error: unknown) => { throw asActivityFailure(error); }) : null;
      try {
        for (const batch of batches) {
          Context.current().heartbeat();
          if (!batch.confirmedAt) {
            const task = await api!.groupMsg.task(batch.msgid!, { limit: 1000 });
            const mine = task.task_list.find((t) => t.userid === batch.sender);
            if (mine?.status === 2) await execute(m, 'update send_batches set confirmed_at = now() where id = ?', [batch.id]);
            else if (!input.final) continue;
          }
          const results = await taskRecipients(api!, batch.msgid!, batch.sender);
          const rows = [...results].map(([id, status]) => ({ id, status }));
          await execute(m,
            `update send_recipients r set
               result = case x.status when 1 then 'delivered' when 2 then 'not_friend' when 3 then 'over_quota' else (case when ? then 'not_confirmed' else null end) end,
               sent_at = case when x.status = 1 then now() else r.sent_at end
             from jsonb_to_recordset(?::jsonb) as x(id text, status int)
             where r.batch_id = ? and r.state = 'submitted' and r.result is null and r.external_userid = x.id`,
            [input.final ?? false, JSON.stringify(rows), batch.id]);
          const [open] = await execute<{ n: string }>(m, `select count(*) as n from send_recipients where batch_id = ? and state = 'submitted' and result is null`, [batch.id]);
          if (Number(open?.n ?? 0) === 0 || input.final) await execute(m, 'update send_batches set results_final = true where id = ?', [batch.id]);
        }
      } catch (error) {
        throw asActivityFailure(error);
      }
      const [summary] = await execute<{ open: string; unconfirmed: string; remind_due: string; since_ms: string | null }>(m,
        `select count(*) filter (where not results_final) as open,
                count(*) filter (where confirmed_at is null and not results_final) as unconfirmed,
                count(*) filter (where ${REMIND_DUE}) as remind_due,
                (select extract(epoch from now() - coalesce(r.submitted_at, now())) * 1000 from send_runs r where r.id = ?) as since_ms
           from send_batches where run_id = ? and state = 'submitted'`, [MAX_REMINDERS, input.remindAfterMs ?? 0, input.runId, input.runId]);
      return {
        open: Number(summary?.open ?? 0), unconfirmed: Number(summary?.unconfirmed ?? 0), remindDue: Number(summary?.remind_due ?? 0),
        sinceSubmittedMs: Number(summary?.since_ms ?? 0),
      };
    },

    /** Reminds senders who have not confirmed (remind_groupmsg_send), at most 3 times per task; optionally one sender only. */
    async remindSendRun(input: { runId: number; sender?: string; remindAfterMs?: number }): Promise<{ reminded: number }> {
      const m = em();
      const ids = await execute<{ id: number }>(m, `select id from send_batches where run_id = ? and state = 'submitted' and ${REMIND_DUE} ${input.sender ? 'and sender = ?' : ''}`,
        [input.runId, MAX_REMINDERS, input.remindAfterMs ?? 0, ...(input.sender ? [input.sender] : [])]);
      const batches = ids.length ? await m.find(SendBatch, { id: { $in: ids.map((r) => r.id) } }) : [];
      if (batches.length === 0) return { reminded: 0 };
      const api = await deps.wecom().catch((error: unknown) => { throw asActivityFailure(error); });
      let reminded = 0;
      for (const batch of batches) {
        try {
          await api.groupMsg.remind(batch.msgid!);
          reminded += 1;
        } catch (error) {
          // 45009 here is WeCom's "3 reminders per 24 h" limit: the sender has been reminded enough.
          if (!(error instanceof WeComApiError && error.errcode === 45009)) throw asActivityFailure(error);
        }
        await execute(m, 'update send_batches set reminders = reminders + 1, last_reminded_at = now() where id = ?', [batch.id]);
      }
      return { reminded };
    },

    /**
     * Cancels a run: batches not yet submitted are cancelled (a `submitting` one is first looked for
     * in WeCom and cancelled there if its task exists), submitted tasks the sender has not confirmed
     * are cancelled in WeCom (cancel_groupmsg_send); their recipients fail with reason `cancelled`.
     */
    async cancelSendRun(input: { runId: number }): Promise<{ cancelledTasks: number }> {
      const m = em();
      const run = await m.findOneOrFail(SendRun, { id: input.runId });
      const api = await deps.wecom().catch((error: unknown) => { throw asActivityFailure(error); });
      let cancelledTasks = 0;
      try {
        for (const batch of await m.find(SendBatch, { runId: run.id, state: 'submitting' })) {
          for (const task of await findBatchTasks(m, api, batch, await batchText(m, run.content, batch.sender))) {
            await api.groupMsg.cancel(task.msgid);
            cancelledTasks += 1;
          }
        }
        await execute(m, `update send_batches set state = 'cancelled', updated_at = now() where run_id = ? and state in ('pending', 'submitting')`, [run.id]);
        await execute(m, `update send_recipients set state = 'failed', fail_reason = 'cancelled' where run_id = ? and state in ('queued', 'pending')`, [run.id]);
        for (const batchId of await cancelUnconfirmedTasks(m, api, run.id)) {
          cancelledTasks += 1;
          await execute(m, `update send_recipients set result = 'cancelled' where batch_id = ? and state = 'submitted' and result is null`, [batchId]);
          await execute(m, `update send_batches set results_final = true where id = ?`, [batchId]);
        }
      } catch (error) {
        throw asActivityFailure(error);
      }
      return { cancelledTasks };
    },

    /**
     * When the send window closes: withdraws the tasks their senders still have not confirmed
     * (cancel_groupmsg_send), so that a confirmation days later cannot send what the run records as
     * not confirmed (a stale offer, and a send the monthly caps never counted). The final tracking
     * pass then records their recipients as not_confirmed.
     */
    async withdrawUnconfirmedTasks(input: { runId: number }): Promise<{ withdrawn: number }> {
      const m = em();
      const api = await deps.wecom().catch((error: unknown) => { throw asActivityFailure(error); });
      try {
        return { withdrawn: (await cancelUnconfirmedTasks(m, api, input.runId)).length };
      } catch (error) {
        throw asActivityFailure(error);
      }
    },

    /** Records a run's status (and its campaign's), and the paused flag the dashboard shows. */
    async setSendRunState(input: { runId: number; status?: string; paused?: boolean; failureReason?: string }): Promise<void> {
      const m = em();
      if (input.paused !== undefined) {
        await execute(m, 'update send_runs set paused = ?, updated_at = now() where id = ?', [input.paused, input.runId]);
        await execute(m, `update campaigns c set status = ?, updated_at = now() from send_runs r where r.id = ? and r.campaign_id = c.id and c.current_run_id = r.id and c.status in ('running', 'paused')`,
          [input.paused ? 'paused' : 'running', input.runId]);
      }
      if (input.status) {
        await setRunStatus(m, input.runId, input.status, input.failureReason ? { failureReason: input.failureReason } : {});
        if (input.status === 'tracking') await execute(m, 'update send_runs set submitted_at = coalesce(submitted_at, now()) where id = ?', [input.runId]);
      }
    },
  };
}

/** Cancels in WeCom each submitted task of the run whose sender has not confirmed it (a confirmed one's results still come); answers their batch ids. */
async function cancelUnconfirmedTasks(m: EntityManager, api: WeComApi, runId: number): Promise<number[]> {
  const cancelled: number[] = [];
  for (const batch of await m.find(SendBatch, { runId, state: 'submitted', resultsFinal: false })) {
    const task = await api.groupMsg.task(batch.msgid!, { limit: 1000 });
    if (task.task_list.find((t) => t.userid === batch.sender)?.status === 2) continue;
    await api.groupMsg.cancel(batch.msgid!);
    cancelled.push(batch.id);
  }
  return cancelled;
}

/** 41048: WeCom refused every recipient of the batch (none is this sender's customer any more). */
async function markSubmittedNone(em: EntityManager, batchId: number): Promise<void> {
  await execute(em, `update send_batches set state = 'failed', updated_at = now() where id = ?`, [batchId]);
  await execute(em, `update send_recipients set state = 'failed', fail_reason = 'rejected' where batch_id = ? and state = 'queued'`, [batchId]);
}

/**
 * The consent gate again, for one batch about to be submitted: a marketing recipient whose grant
 * was withdrawn, or a care recipient who opted out of care messages, since the run was screened is
 * skipped with that reason. Answers how many recipients the batch still has.
 */
async function rescreenBatch(em: EntityManager, run: ISendRun, batchId: number): Promise<number> {
  if (run.messageClass === 'marketing') {
    await execute(em,
      `update send_recipients r set state = 'skipped', skip_reason = 'consent_withdrawn'
       where r.batch_id = ? and r.state = 'queued' and not ${consentSql.marketingGranted('r.external_userid')}`, [batchId]);
  } else {
    await execute(em,
      `update send_recipients r set state = 'skipped', skip_reason = 'care_opt_out'
       where r.batch_id = ? and r.state = 'queued' and ${consentSql.careOptedOut('r.external_userid')}`, [batchId]);
  }
  const [left] = await execute<{ n: string }>(em, `select count(*) as n from send_recipients where batch_id = ? and state = 'queued'`, [batchId]);
  return Number(left?.n ?? 0);
}

/** The compliance gate over a run's pending recipients; each skip gets its reason. */
async function screen(em: EntityManager, run: ISendRun, settings: Awaited<ReturnType<typeof readClinicCompliance>>): Promise<void> {
  const tz = settings.timeZone;
  await execute(em, `update send_recipients set state = 'skipped', skip_reason = 'no_relationship' where run_id = ? and state = 'pending' and sender is null`, [run.id]);
  if (run.messageClass === 'marketing') {
    // Consent: no grant recorded = no marketing; a withdrawal (by page, staff, keyword or import) is named as such.
    await execute(em,
      `update send_recipients r set state = 'skipped', skip_reason = ${consentSql.marketingRefusal('r.external_userid')}
       where r.run_id = ? and r.state = 'pending' and not ${consentSql.marketingGranted('r.external_userid')}`, [run.id]);
  } else {
    await execute(em,
      `update send_recipients r set state = 'skipped', skip_reason = 'care_opt_out'
       where r.run_id = ? and r.state = 'pending' and ${consentSql.careOptedOut('r.external_userid')}`, [run.id]);
  }
  // Sends this product made to the customer this month (clinic time), other runs only.
  const sentThisMonth = (classFilter: string) => `(select count(*) from send_recipients o join send_runs orun on orun.id = o.run_id
      where o.external_userid = r.external_userid and o.run_id <> r.run_id and o.state = 'submitted'
        and coalesce(o.result, '') not in ('not_friend', 'over_quota', 'not_confirmed', 'cancelled')
        and o.submitted_at >= (date_trunc('month', now() at time zone ?) at time zone ?) ${classFilter})`;
  await execute(em, `update send_recipients r set state = 'skipped', skip_reason = 'wecom_monthly_cap' where r.run_id = ? and r.state = 'pending' and ${sentThisMonth('')} >= ?`,
    [run.id, tz, tz, wecomMonthlyCap(new Date(), tz)]);
  if (run.messageClass === 'marketing' && settings.monthlyCap !== null) {
    await execute(em, `update send_recipients r set state = 'skipped', skip_reason = 'clinic_monthly_cap' where r.run_id = ? and r.state = 'pending' and ${sentThisMonth(`and orun.message_class = 'marketing'`)} >= ?`,
      [run.id, tz, tz, settings.monthlyCap]);
  }
  await execute(em, `update send_recipients set state = 'queued' where run_id = ? and state = 'pending'`, [run.id]);
}

/** Cuts queued, unbatched recipients into batches of ≤ maxBatch per sender, in one statement. */
async function planBatches(em: EntityManager, runId: number, maxBatch: number): Promise<void> {
  await execute(em,
    `with numbered as (
       select id, sender, (row_number() over (partition by sender order by id) - 1) / ? as seq
         from send_recipients where run_id = ? and state = 'queued' and batch_id is null
     ), offsets as (
       select sender, coalesce(max(seq) + 1, 0) as base from send_batches where run_id = ? group by sender
     ), planned as (
       select n.id, n.sender, n.seq + coalesce(o.base, 0) as seq from numbered n left join offsets o on o.sender = n.sender
     ), inserted as (
       insert into send_batches (created_at, updated_at, run_id, sender, seq, size, state)
       select now(), now(), ?, sender, seq, count(*), 'pending' from planned group by sender, seq
       returning id, sender, seq
     )
     update send_recipients r set batch_id = i.id from planned p join inserted i on i.sender = p.sender and i.seq = p.seq where r.id = p.id`,
    [maxBatch, runId, runId, runId]);
}
