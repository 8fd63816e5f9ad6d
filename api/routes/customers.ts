import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowFailedError } from '@temporalio/client';
import {
  CUSTOMER_EXPORT_MAX, customerExportQuerySchema, customerListQuerySchema, updateCustomerTagsRequestSchema,
  type CustomerDetail, type CustomerFilters, type CustomerFollow, type CustomerPage, type CustomerRow, type CustomerTag, type TimelineEntry,
} from '../../common/customers.schema.ts';
import type { CustomerTier } from '../../common/campaigns.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { TIER_SQL } from '../../db/audience.ts';
import { Tag, WeworkCallbackLog, WeworkMessage } from '../../db/entities/index.ts';
import type { customerTagsWorkflow } from '../../workflows/customer-tags.workflow.ts';
import { recordAudit } from '../auth/audit.ts';
import { customerRunsQuery } from '../privacy/customer-workflows.ts';
import { csvLine, CSV_BOM, xlsxWorkbook, type Cell } from '../customers/spreadsheet.ts';
import { customerListSql, customerWhere, type CustomerWhere } from '../customers/filter-sql.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { customerKey } from '../temporal/search-attribute-keys.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { temporalRunUrl } from '../temporal/temporal-ui.ts';
import { readIdParam, readJson, readQuery } from '../validation.ts';

/** What the customer routes need from the composition root. */
export interface CustomerRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
  temporalUiUrl: string | null;
}

/**
 * Above this many matching rows (by the planner's estimate) the list reports PostgreSQL's estimate
 * instead of counting: an exact count(*) over most of 100,000 customers with EXISTS filters costs
 * tens of milliseconds on every page turn, and "约 98,000" is what a marketer needs there.
 */
const EXACT_COUNT_BELOW = 20_000;
/** How long the tag editor waits for WeCom before saying the change continues in the background. */
const TAG_EDIT_WAIT_MS = 10_000;

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);

type CustomerRecord = {
  id: number; external_userid: string; name: string | null; avatar: string | null; gender: number; type: number | null;
  added_at: Date | null; lead_status: string | null; tier: CustomerTier; unionid: string | null; corp_name: string | null; lead_id: number | null; lead_source: string | null;
  last_consumed_at: Date | null; spend_fen: string | number; birthday: string | null;
};

/** Follows and tags of `ids`, two queries for the whole page. */
async function relationsOf(em: EntityManager, ids: number[]): Promise<{ follows: Map<number, CustomerFollow[]>; tags: Map<number, CustomerTag[]> }> {
  const follows = new Map<number, CustomerFollow[]>();
  const tags = new Map<number, CustomerTag[]>();
  if (ids.length === 0) return { follows, tags };
  const list = ids.map(() => '?').join(', ');
  const connection = em.getConnection();
  const [followRows, tagRows] = await Promise.all([
    connection.execute<Array<{ customer_id: number; staff_userid: string; staff_name: string | null; state: string | null; add_way: number | null; remark: string | null; status: 'active' | 'lost'; followed_at: Date | null; lost_at: Date | null }>>(
      `select f.customer_id, f.staff_userid, s.name as staff_name, f.state, f.add_way, f.remark, f.status, f.followed_at, f.lost_at
       from wework_customer_follows f left join wework_staff s on s.userid = f.staff_userid
       where f.customer_id in (${list}) order by f.followed_at nulls last, f.id`, ids),
    connection.execute<Array<{ customer_id: number; id: number; group_name: string; name: string; wecom_tag_id: string | null }>>(
      `select ct.wework_customer_id as customer_id, t.id, t.group_name, t.name, t.wecom_tag_id
       from wework_customer_tags ct join tags t on t.id = ct.tag_id where ct.wework_customer_id in (${list}) order by t.group_name, t.name`, ids),
  ]);
  for (const row of followRows) {
    const entry: CustomerFollow = {
      staffUserid: row.staff_userid, staffName: row.staff_name, state: row.state, addWay: row.add_way, remark: row.remark,
      status: row.status, followedAt: iso(row.followed_at), lostAt: iso(row.lost_at),
    };
    follows.set(row.customer_id, [...(follows.get(row.customer_id) ?? []), entry]);
  }
  for (const row of tagRows) {
    tags.set(row.customer_id, [...(tags.get(row.customer_id) ?? []), { id: row.id, groupName: row.group_name, name: row.name, wecomTagId: row.wecom_tag_id }]);
  }
  return { follows, tags };
}

function toRow(record: CustomerRecord, follows: CustomerFollow[], tags: CustomerTag[]): CustomerRow {
  return {
    id: record.id, externalUserid: record.external_userid, name: record.name, avatar: record.avatar, gender: record.gender, type: record.type,
    follows, tags, leadStatus: record.lead_status, tier: record.tier, addedAt: iso(record.added_at),
    lastVisitAt: iso(record.last_consumed_at), spendFen: Number(record.spend_fen), birthday: record.birthday,
    lost: follows.length > 0 && follows.every((follow) => follow.status === 'lost'),
  };
}

// The birthday as text: the driver would turn a date into a Date at the server's local midnight.
const CUSTOMER_COLUMNS = `c.id, c.external_userid, c.name, c.avatar, c.gender, c.type, c.added_at, c.unionid, c.corp_name, c.lead_id,
  c.last_consumed_at, c.spend_fen, to_char(c.birthday, 'YYYY-MM-DD') as birthday,
  l.status as lead_status, l.source as lead_source, ${TIER_SQL} as tier`;

/** The number of matching customers: exact when small, the planner's estimate when large. */
async function countMatching(em: EntityManager, where: CustomerWhere): Promise<{ total: number; estimate: boolean }> {
  const connection = em.getConnection();
  const [plan] = await connection.execute<Array<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>>(
    `explain (format json) select 1 from wework_customers c ${where.sql}`, where.params);
  const estimated = Math.round(plan?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
  if (estimated >= EXACT_COUNT_BELOW) return { total: estimated, estimate: true };
  const count = where.countSql ?? { sql: `select count(*) as n from wework_customers c ${where.sql}`, params: where.params };
  const [row] = await connection.execute<Array<{ n: string }>>(count.sql, count.params);
  return { total: Number(row?.n ?? 0), estimate: false };
}

/** Workflow runs of one customer (CustomerExternalId search attribute), newest first, with Temporal UI links. */
async function workflowRuns(deps: CustomerRouteDeps, externalUserId: string): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [];
  for await (const run of deps.temporal.client.workflow.list({ query: customerRunsQuery(externalUserId), pageSize: 100 })) {
    entries.push({
      kind: 'workflow', at: run.startTime.toISOString(), title: run.type, status: run.status.name, detail: null,
      workflowId: run.workflowId, runId: run.runId, temporalUiUrl: temporalRunUrl(deps.temporalUiUrl, deps.temporal.namespace, run.workflowId, run.runId),
    });
    if (entries.length >= 100) break;
  }
  return entries;
}

/**
 * Plain text of a stored message's content, for the timeline. A welcome's consent-page link is
 * shown without its token: whoever holds the token can answer for the customer, and the timeline
 * is open to every role (GET /api/consents/:id/link gives it to those who manage consent).
 */
function messageText(content: Record<string, unknown>): string | null {
  const text = content.text ?? content.content;
  return typeof text === 'string' ? text.replace(/\/c\/[A-Za-z0-9_-]{8,}/g, '/c/…') : null;
}

/** Column titles of an export (the clinic's language: the file goes to its staff). */
const EXPORT_HEADER: Cell[] = ['客户ID', 'external_userid', '姓名', '类型', '性别', '跟进员工', '渠道', '标签', '线索状态', '添加时间', '已流失', '分层', '最近到店/消费', '消费总额（元）', '生日'];
/** Tier names as the clinic's staff read them (web/src/i18n massMessages.tiers). */
const TIER_NAMES: Record<CustomerTier, string> = { new: '新客', active: '活跃', dormant: '沉睡', lost: '流失' };

/** One customer as a row of the export file. */
function exportCells(row: CustomerRow): Cell[] {
  return [
    row.id, row.externalUserid, row.name ?? '', row.type === 2 ? '企业微信' : row.type === 1 ? '微信' : '',
    row.gender === 1 ? '男' : row.gender === 2 ? '女' : '未知',
    row.follows.map((follow) => follow.staffName ?? follow.staffUserid).join('、'),
    [...new Set(row.follows.map((follow) => follow.state).filter((state) => state))].join('、'),
    row.tags.map((tag) => `${tag.groupName}/${tag.name}`).join('、'),
    row.leadStatus ?? '', row.addedAt ?? '', row.lost ? '是' : '否',
    TIER_NAMES[row.tier], row.lastVisitAt ?? '', row.spendFen / 100, row.birthday ?? '',
  ];
}

/** `/api/customers`: the list, the filter choices, one customer's detail and timeline, tag edits. */
export function customerRoutes(deps: CustomerRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('customers.view'))
    .get('/', async (c) => {
      const query = readQuery(c, customerListQuerySchema);
      const em = deps.em();
      const where = await customerWhere(em, query);
      const list = customerListSql(CUSTOMER_COLUMNS, where, query.sort, query.order, query.pageSize, (query.page - 1) * query.pageSize);
      const [records, count] = await Promise.all([
        em.getConnection().execute<CustomerRecord[]>(list.sql, list.params),
        countMatching(deps.em(), where),
      ]);
      const { follows, tags } = await relationsOf(em, records.map((record) => record.id));
      const body: CustomerPage = {
        items: records.map((record) => toRow(record, follows.get(record.id) ?? [], tags.get(record.id) ?? [])),
        page: query.page, pageSize: query.pageSize, total: count.total, totalIsEstimate: count.estimate,
      };
      return c.json(body, 200);
    })
    .get('/filters', async (c) => {
      const connection = deps.em().getConnection();
      const [tags, channels, staff] = await Promise.all([
        connection.execute<Array<{ id: number; group_name: string; name: string; wecom_tag_id: string | null }>>('select id, group_name, name, wecom_tag_id from tags order by group_name, name'),
        // Distinct channels by walking the state index (a loose index scan), not all 100,000 follows.
        connection.execute<Array<{ state: string }>>(
          `with recursive s as (
             (select state from wework_customer_follows where state is not null order by state limit 1)
             union all
             select (select f.state from wework_customer_follows f where f.state > s.state order by f.state limit 1) from s where s.state is not null
           ) select state from s where state is not null
           union select state from wework_contact_ways where state is not null order by state`),
        connection.execute<Array<{ userid: string; name: string | null }>>('select userid, name from wework_staff order by userid'),
      ]);
      const body: CustomerFilters = {
        tags: tags.map((t) => ({ id: t.id, groupName: t.group_name, name: t.name, wecomTagId: t.wecom_tag_id })),
        channels: channels.map((row) => row.state),
        staff,
      };
      return c.json(body, 200);
    })
    .get('/export', requirePermission('customers.export'), async (c) => {
      const query = readQuery(c, customerExportQuerySchema);
      const em = deps.em();
      const where = await customerWhere(em, query);
      const list = customerListSql(CUSTOMER_COLUMNS, where, query.sort, query.order, CUSTOMER_EXPORT_MAX + 1, 0);
      const records = await em.getConnection().execute<CustomerRecord[]>(list.sql, list.params);
      if (records.length > CUSTOMER_EXPORT_MAX) throw new AppError(413, 'export_too_large', `At most ${CUSTOMER_EXPORT_MAX} customers per export; narrow the filters.`);
      const rows: Cell[][] = [EXPORT_HEADER];
      for (let start = 0; start < records.length; start += 1000) {
        const chunk = records.slice(start, start + 1000);
        const { follows, tags } = await relationsOf(em, chunk.map((record) => record.id));
        for (const record of chunk) rows.push(exportCells(toRow(record, follows.get(record.id) ?? [], tags.get(record.id) ?? [])));
      }
      const actor = c.get('auth').user;
      // Personal data leaves the system: who took which customers (the filter, not the names) is kept.
      const { format, ...filter } = query;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'customer.export', target: { type: 'customer', id: 'filtered' },
        details: { format, filter, rows: records.length }, ip: clientInfo(c).ip,
      });
      const stamp = new Date().toISOString().slice(0, 10);
      if (format === 'xlsx') {
        return c.body(new Uint8Array(xlsxWorkbook('客户', rows)), 200, {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': `attachment; filename="customers-${stamp}.xlsx"`,
          'cache-control': 'no-store',
        });
      }
      return c.body(CSV_BOM + rows.map(csvLine).join(''), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="customers-${stamp}.csv"`,
        'cache-control': 'no-store',
      });
    })
    .get('/:id', async (c) => {
      const id = readIdParam(c);
      const em = deps.em();
      const [record] = await em.getConnection().execute<CustomerRecord[]>(
        `select ${CUSTOMER_COLUMNS} from wework_customers c left join leads l on l.id = c.lead_id where c.id = ?`, [id]);
      if (!record) throw new AppError(404, 'customer_not_found', `No customer with id ${id}.`);
      const [{ follows, tags }, callbacks, messages, runs] = await Promise.all([
        relationsOf(em, [id]),
        deps.em().find(WeworkCallbackLog, { externalUserid: record.external_userid }, { orderBy: { createdAt: 'desc' }, limit: 100 }),
        deps.em().find(WeworkMessage, { externalUserid: record.external_userid }, { orderBy: { createdAt: 'desc' }, limit: 100 }),
        // The rest of the page stays useful while Temporal is down: the runs are reported missing instead.
        workflowRuns(deps, record.external_userid).then((entries) => ({ entries, warning: null }), (error: Error) => ({
          entries: [] as TimelineEntry[], warning: `Temporal could not be asked for this customer's workflow runs: ${error.message}`,
        })),
      ]);
      const timeline: TimelineEntry[] = [
        ...callbacks.map((log): TimelineEntry => ({
          kind: 'callback', at: log.createdAt.toISOString(), title: log.changeType ?? log.eventType, status: log.outcome, detail: log.error ?? null,
          workflowId: log.workflowId ?? null, runId: null, temporalUiUrl: null,
        })),
        ...messages.map((message): TimelineEntry => ({
          kind: 'message', at: (message.sentAt ?? message.createdAt).toISOString(), title: message.kind, status: message.status,
          detail: messageText(message.content) ?? message.errorMsg ?? null, workflowId: null, runId: null, temporalUiUrl: null,
        })),
        ...runs.entries,
      ].sort((a, b) => b.at.localeCompare(a.at));
      const row = toRow(record, follows.get(id) ?? [], tags.get(id) ?? []);
      const body: CustomerDetail = {
        customer: {
          ...row, unionid: record.unionid, corpName: record.corp_name,
          lead: record.lead_id ? { id: record.lead_id, source: record.lead_source ?? '', status: record.lead_status ?? 'new' } : null,
        },
        timeline,
        timelineWarning: runs.warning,
      };
      return c.json(body, 200);
    })
    .put('/:id/tags', requirePermission('customers.tag'), async (c) => {
      const id = readIdParam(c);
      const input = await readJson(c, updateCustomerTagsRequestSchema);
      const em = deps.em();
      const [record] = await em.getConnection().execute<Array<{ external_userid: string }>>('select external_userid from wework_customers where id = ?', [id]);
      if (!record) throw new AppError(404, 'customer_not_found', `No customer with id ${id}.`);
      const wanted = [...new Set([...input.add, ...input.remove])];
      const known = await em.count(Tag, { id: { $in: wanted } });
      if (known !== wanted.length) throw new AppError(400, 'tag_not_found', 'add/remove name a tag that does not exist; reload the tag list.');

      // The edge starts a workflow; its activity calls WeCom (mark_tag) and stores the result.
      const workflowId = workflowIds.customerTags(record.external_userid, randomUUID());
      const handle = await deps.temporal.client.workflow.start<typeof customerTagsWorkflow>('customerTagsWorkflow', {
        taskQueue: deps.temporal.taskQueueFor('customerTagsWorkflow'),
        workflowId,
        args: [{ version: 1, customerId: id, externalUserId: record.external_userid, add: input.add, remove: input.remove }],
        typedSearchAttributes: [{ key: customerKey, value: record.external_userid }],
        staticSummary: `客户标签修改 tags edited ${record.external_userid} (+${input.add.length} −${input.remove.length})`,
      });
      // Audited when requested, not when WeCom confirms: a change that is still pending (or that
      // WeCom refuses) was still asked for by this person.
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'customer.tags', target: { type: 'customer', id },
        details: { add: input.add, remove: input.remove, workflowId }, ip: clientInfo(c).ip,
      });
      let result: Awaited<ReturnType<typeof customerTagsWorkflow>>;
      let timer: NodeJS.Timeout | undefined;
      try {
        result = await Promise.race([
          handle.result(),
          new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new AppError(504, 'tag_update_pending', `WeCom has not confirmed the change yet; it continues in the background (workflow ${workflowId}).`)), TAG_EDIT_WAIT_MS); }),
        ]);
      } catch (error) {
        if (error instanceof WorkflowFailedError) {
          const inner = error.cause instanceof Error && error.cause.cause instanceof Error ? error.cause.cause : error.cause;
          const cause = inner instanceof Error ? inner.message : error.message;
          throw new AppError(502, 'wecom_failed', `WeCom refused the tag change: ${cause}`);
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
      const tags = await deps.em().find(Tag, { id: { $in: result.tagIds } }, { orderBy: { groupName: 'asc', name: 'asc' } });
      return c.json({
        tags: tags.map((t) => ({ id: t.id, groupName: t.groupName, name: t.name, wecomTagId: t.wecomTagId ?? null })),
        workflowId, markedFor: result.markedFor,
      }, 200);
    });
}
