import type { EntityManager } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import type { BulkTagReason } from '../common/bulk-tags.schema.ts';
import { BulkTagJob, Tag } from '../db/entities/index.ts';
import type { WeComApi } from '../wecom/wecom-api.ts';
import type { ActivityDeps } from './deps.ts';
import { takeRateSlot } from './rate-window.ts';
import { giveWecomTagIds } from './wecom-calls.ts';
import { asActivityFailure, hasErrcode } from './wecom-failure.ts';

/**
 * mark_tag calls a minute, shared by every worker: WeCom allows 150,000 calls an hour per API per
 * corp (2,500 a minute sustained, doc 90312); onboarding's own mark_tag calls keep the rest.
 */
export const MARK_TAG_PER_MINUTE = 2_400;

/** What one chunk handled: the last customer id (the next chunk starts after it), null when none was left. */
export interface BulkTagChunkResult {
  last: number | null;
  done: number;
  failed: number;
}

/** The job's tags as WeCom corp tag ids (tags without one are skipped on removal: WeCom never had them). */
async function wecomTagIds(em: EntityManager, job: { addTagIds: number[]; removeTagIds: number[] }) {
  const tags = await em.find(Tag, { id: { $in: [...job.addTagIds, ...job.removeTagIds] } });
  const pick = (ids: number[]) => tags.filter((tag) => ids.includes(tag.id) && tag.wecomTagId).map((tag) => tag.wecomTagId!);
  return { add: pick(job.addTagIds), remove: pick(job.removeTagIds), tags };
}

/** Records one customer's outcome once (a retried chunk finds it handled) and counts it on the job. */
async function settleItem(em: EntityManager, jobId: number, customerId: number, reason: BulkTagReason | null, change: { add: number[]; remove: number[] }): Promise<void> {
  const connection = em.getConnection();
  await connection.transactional(async (trx) => {
    const updated = await connection.execute<Array<{ customer_id: number }>>(
      `update bulk_tag_items set state = ?, reason = ? where job_id = ? and customer_id = ? and state = 'pending' returning customer_id`,
      [reason ? 'failed' : 'done', reason, jobId, customerId], 'all', trx);
    if (updated.length === 0) return;
    if (reason) {
      await connection.execute(
        `update bulk_tag_jobs set failed = failed + 1, updated_at = now(),
           failed_by_reason = failed_by_reason || jsonb_build_object(?::text, coalesce((failed_by_reason->>?)::int, 0) + 1) where id = ?`,
        [reason, reason, jobId], 'run', trx);
      return;
    }
    if (change.add.length > 0) {
      await connection.execute(
        `insert into wework_customer_tags (wework_customer_id, tag_id) select ?, t.id from tags t where t.id in (${change.add.map(() => '?').join(', ')}) on conflict do nothing`,
        [customerId, ...change.add], 'run', trx);
    }
    if (change.remove.length > 0) {
      await connection.execute(`delete from wework_customer_tags where wework_customer_id = ? and tag_id in (${change.remove.map(() => '?').join(', ')})`,
        [customerId, ...change.remove], 'run', trx);
    }
    await connection.execute(`update bulk_tag_jobs set done = done + 1, updated_at = now() where id = ?`, [jobId], 'run', trx);
  });
}

/** The activities of bulkTagWorkflow: make the tags exist in WeCom, tag chunk by chunk, close the job. */
export function createBulkTagActivities(deps: ActivityDeps) {
  const fork = () => deps.orm.em.fork();
  return {
    /** Creates in WeCom the corp tags the job adds that WeCom does not have yet (found by group and name first: repeatable). */
    async prepareBulkTags(input: { jobId: number }): Promise<void> {
      const em = fork();
      const job = await em.findOneOrFail(BulkTagJob, { id: input.jobId });
      const tags = await em.find(Tag, { id: { $in: job.addTagIds }, wecomTagId: null });
      if (tags.length === 0) return;
      try {
        await giveWecomTagIds(await deps.wecom(), tags);
      } catch (error) {
        throw asActivityFailure(error);
      }
      await em.flush();
    },

    /**
     * Tags up to `limit` pending customers after `after`: mark_tag for each active relationship
     * (WeCom keeps tags per staff member), one shared rate slot per call, then the local tags.
     * Each customer is settled in its own transaction, so a retry (after a 45009 minute or a dead
     * worker) skips those already handled; mark_tag of a tag already there changes nothing.
     */
    async tagBulkChunk(input: { jobId: number; after: number; limit: number }): Promise<BulkTagChunkResult> {
      const em = fork();
      const job = await em.findOneOrFail(BulkTagJob, { id: input.jobId });
      const items = await em.getConnection().execute<Array<{ customer_id: number; external_userid: string | null }>>(
        `select i.customer_id, c.external_userid from bulk_tag_items i left join wework_customers c on c.id = i.customer_id
         where i.job_id = ? and i.customer_id > ? and i.state = 'pending' order by i.customer_id limit ?`, [job.id, input.after, input.limit]);
      if (items.length === 0) return { last: null, done: 0, failed: 0 };
      const ids = await wecomTagIds(em, job);
      const follows = await em.getConnection().execute<Array<{ id: number; customer_id: number; staff_userid: string }>>(
        `select id, customer_id, staff_userid from wework_customer_follows where status = 'active' and customer_id in (${items.map(() => '?').join(', ')}) order by id`,
        items.map((item) => item.customer_id));
      const change = { add: job.addTagIds, remove: job.removeTagIds };
      let api: WeComApi | null = null;
      const result: BulkTagChunkResult = { last: null, done: 0, failed: 0 };
      for (const item of items) {
        Context.current().heartbeat(item.customer_id);
        let reason: BulkTagReason | null = null;
        const mine = follows.filter((follow) => follow.customer_id === item.customer_id);
        if (item.external_userid === null) reason = 'customer_gone';
        else if (mine.length === 0) reason = 'not_followed';
        else if (ids.add.length + ids.remove.length > 0) {
          let marked = 0;
          for (const follow of mine) {
            await takeRateSlot(em, 'mark_tag', MARK_TAG_PER_MINUTE);
            try {
              api ??= await deps.wecom();
              await api.tags.mark({
                userid: follow.staff_userid, external_userid: item.external_userid,
                ...(ids.add.length > 0 ? { add_tag: ids.add } : {}), ...(ids.remove.length > 0 ? { remove_tag: ids.remove } : {}),
              });
              marked += 1;
              await em.getConnection().execute(
                `update wework_customer_follows set wecom_tag_ids = (select coalesce(jsonb_agg(distinct v), '[]'::jsonb) from jsonb_array_elements_text(wecom_tag_ids || ?::jsonb) v where v not in (select jsonb_array_elements_text(?::jsonb))) where id = ?`,
                [JSON.stringify(ids.add), JSON.stringify(ids.remove), follow.id]);
            } catch (error) {
              // 84061/40096: this relationship ended in WeCom since the last sync; the other staff members still get the change.
              if (hasErrcode(error, 84061) || hasErrcode(error, 40096)) continue;
              const failure = asActivityFailure(error);
              // Retryable (45009, busy, network): Temporal retries the chunk, which resumes at this customer.
              if (!failure.nonRetryable) throw failure;
              reason = 'wecom_refused';
              break;
            }
          }
          if (reason === null && marked === 0) reason = 'relationship_gone';
        }
        await settleItem(em, job.id, item.customer_id, reason, change);
        if (reason) result.failed += 1;
        else result.done += 1;
        result.last = item.customer_id;
      }
      return result;
    },

    /** Closes the job (completed, or failed when the workflow gave up), once. */
    async finishBulkTags(input: { jobId: number; status: 'completed' | 'failed' }): Promise<void> {
      await fork().getConnection().execute(
        `update bulk_tag_jobs set status = ?, finished_at = coalesce(finished_at, now()), updated_at = now() where id = ? and status = 'running'`,
        [input.status, input.jobId]);
    },
  };
}
