import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BULK_TAG_MAX, bulkTagRequestSchema, type BulkTagJob } from '../../common/bulk-tags.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { BulkTagJob as BulkTagJobEntity, Tag } from '../../db/entities/index.ts';
import type { IBulkTagJob } from '../../db/entities/bulk-tag-job.entity.ts';
import type { bulkTagWorkflow } from '../../workflows/bulk-tags.workflow.ts';
import { recordAudit } from '../auth/audit.ts';
import { customerWhere } from '../customers/filter-sql.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { temporalRunUrl } from '../temporal/temporal-ui.ts';
import { readIdParam, readJson } from '../validation.ts';

/** What the bulk tag routes need from the composition root. */
export interface BulkTagRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
  temporalUiUrl: string | null;
}

/** A job row as the API answers it (the page's progress bar and result). */
function toJob(deps: BulkTagRouteDeps, row: IBulkTagJob): BulkTagJob {
  return {
    id: row.id, status: row.status as BulkTagJob['status'], total: row.total, done: row.done, failed: row.failed,
    failedByReason: row.failedByReason as BulkTagJob['failedByReason'], add: row.addTagIds, remove: row.removeTagIds, workflowId: row.workflowId,
    temporalUiUrl: row.runId ? temporalRunUrl(deps.temporalUiUrl, deps.temporal.namespace, row.workflowId, row.runId) : null,
    createdAt: row.createdAt.toISOString(), finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

/**
 * `/api/bulk-tags`: add and remove tags on ticked customers or on every customer a filter
 * matches. The request freezes the customers into bulk_tag_items (one INSERT … SELECT, so the
 * change touches exactly the N the marketer saw), then starts bulkTagWorkflow and answers 202;
 * the page polls `GET /:id` for progress and the result.
 */
export function bulkTagRoutes(deps: BulkTagRouteDeps) {
  return new Hono<AuthEnv>()
    .post('/', requirePermission('customers.tag'), async (c) => {
      const input = await readJson(c, bulkTagRequestSchema);
      const wanted = [...new Set([...input.add, ...input.remove])];
      if (await deps.em().count(Tag, { id: { $in: wanted } }) !== wanted.length) {
        throw new AppError(400, 'tag_not_found', 'add/remove name a tag that does not exist; reload the tag list.');
      }
      const actor = c.get('auth').user;
      const em = deps.em();
      const where = input.filter ? await customerWhere(em, input.filter) : null;
      const job = await em.transactional(async (trx) => {
        const row = trx.create(BulkTagJobEntity, {
          requestedBy: actor.id, addTagIds: input.add, removeTagIds: input.remove,
          filter: input.filter ? { ...input.filter } : null, failedByReason: {}, workflowId: 'pending', runId: null, finishedAt: null,
        });
        await trx.flush();
        row.workflowId = workflowIds.bulkTags(row.id);
        const connection = trx.getConnection();
        const ctx = trx.getTransactionContext();
        const inserted = where
          ? await connection.execute<Array<{ n: string }>>(
            `with picked as (insert into bulk_tag_items (job_id, customer_id) select ?, c.id from wework_customers c ${where.sql} order by c.id limit ? returning 1)
             select count(*) as n from picked`, [row.id, ...where.params, BULK_TAG_MAX + 1], 'all', ctx)
          : await connection.execute<Array<{ n: string }>>(
            `with picked as (insert into bulk_tag_items (job_id, customer_id) select ?, c.id from wework_customers c where c.id in (${input.customerIds!.map(() => '?').join(', ')}) returning 1)
             select count(*) as n from picked`, [row.id, ...input.customerIds!], 'all', ctx);
        row.total = Number(inserted[0]?.n ?? 0);
        if (row.total > BULK_TAG_MAX) throw new AppError(413, 'bulk_tag_too_large', `At most ${BULK_TAG_MAX} customers per bulk change; narrow the filters.`);
        if (row.total === 0) throw new AppError(400, 'customer_not_found', 'No customer matches; nothing to tag.');
        await trx.flush();
        return row;
      });
      const handle = await deps.temporal.client.workflow.start<typeof bulkTagWorkflow>('bulkTagWorkflow', {
        taskQueue: deps.temporal.taskQueueFor('bulkTagWorkflow'),
        workflowId: job.workflowId,
        args: [{ version: 1, jobId: job.id }],
        staticSummary: `批量打标签 bulk tags #${job.id}: ${job.total} customers (+${input.add.length} −${input.remove.length})`,
      });
      job.runId = handle.firstExecutionRunId;
      await em.flush();
      // Who changed which customers' tags: the filter or the ticked ids, never names.
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'customer.bulk_tags', target: { type: 'bulk_tag_job', id: job.id },
        details: { add: input.add, remove: input.remove, total: job.total, ...(input.filter ? { filter: input.filter } : { customerIds: input.customerIds }) },
        ip: clientInfo(c).ip,
      });
      return c.json(toJob(deps, job), 202);
    })
    .get('/:id', requirePermission('customers.view'), async (c) => {
      const id = readIdParam(c);
      const row = await deps.em().findOne(BulkTagJobEntity, { id });
      if (!row) throw new AppError(404, 'bulk_tag_not_found', `No bulk tag job with id ${id}.`);
      return c.json(toJob(deps, row), 200);
    });
}
