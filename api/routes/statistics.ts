import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CampaignStatus } from '../../common/campaigns.schema.ts';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { staffBehaviorQuerySchema, trendQuerySchema, type CampaignResults, type Growth, type Overview, type StaffBehavior, type StaffBehaviorSyncInput, type Trend } from '../../common/statistics.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { CLINIC_TIME_ZONE_SQL } from '../../db/compliance.store.ts';
import type { staffBehaviorSyncWorkflow } from '../../workflows/staff-behavior.workflow.ts';
import { recordAudit } from '../auth/audit.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readQuery } from '../validation.ts';
import { runCounts } from './campaigns.ts';

/** What the statistics routes need from the composition root. */
export interface StatisticsRouteDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
}

/** A weighted mean from SQL (null without weight), rounded to one decimal. */
const mean = (value: unknown) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);

/** SQL for the clinic's today. */
const CLINIC_TODAY = `(now() at time zone ${CLINIC_TIME_ZONE_SQL})::date`;

/** Added, lost, net from three counts. */
function growth(added: unknown, lost: unknown): Growth {
  const a = Number(added ?? 0);
  const l = Number(lost ?? 0);
  return { added: a, lost: l, net: a - l };
}

/** `YYYY-MM-DD` of a UTC date. */
const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** The first day of the bucket holding `day` (weeks start on Monday, as PostgreSQL's date_trunc). */
export function bucketStart(day: string, bucket: 'day' | 'week' | 'month'): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (bucket === 'month') date.setUTCDate(1);
  if (bucket === 'week') date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return dayOf(date);
}

/** Every bucket's first day from the bucket of `from` to the bucket of `to`. */
export function bucketsBetween(from: string, to: string, bucket: 'day' | 'week' | 'month'): string[] {
  const out: string[] = [];
  const cursor = new Date(`${bucketStart(from, bucket)}T00:00:00Z`);
  const end = bucketStart(to, bucket);
  while (dayOf(cursor) <= end) {
    out.push(dayOf(cursor));
    if (bucket === 'day') cursor.setUTCDate(cursor.getUTCDate() + 1);
    else if (bucket === 'week') cursor.setUTCDate(cursor.getUTCDate() + 7);
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return out;
}

/**
 * `/api/statistics`: aggregates for the 数据概览 page and the statistics charts. Figures count
 * relationships (a customer followed by two staff members counts in both channels): added on the
 * day of `followed_at`, lost on the day of `lost_at`, in the clinic's time zone. They are summed
 * from stats_follow_daily (one row per day, channel and staff member, kept by triggers), so a
 * two-year trend reads thousands of rows, not 100,000 follows, and never the callback log.
 */
export function statisticsRoutes(deps: StatisticsRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('customers.view'))
    .get('/overview', async (c) => {
      const connection = deps.em().getConnection();
      type Sums = { added_today: string; lost_today: string; added_7: string; lost_7: string; added_30: string; lost_30: string; today: string };
      const [[sums], [totals], [funnel], top] = await Promise.all([
        connection.execute<Sums[]>(`
          select coalesce(sum(added) filter (where day = t.today), 0) as added_today, coalesce(sum(lost) filter (where day = t.today), 0) as lost_today,
                 coalesce(sum(added) filter (where day >= t.today - 6), 0) as added_7, coalesce(sum(lost) filter (where day >= t.today - 6), 0) as lost_7,
                 coalesce(sum(added), 0) as added_30, coalesce(sum(lost), 0) as lost_30, to_char(t.today, 'YYYY-MM-DD') as today
          from (select ${CLINIC_TODAY} as today) t left join stats_follow_daily s on s.day >= t.today - 29 and s.day <= t.today
          group by t.today`),
        // The trigger-kept count (stats-totals.entity.ts): 16 rows, not a scan of every customer.
        connection.execute<Array<{ n: string }>>('select coalesce(sum(active), 0) as n from stats_customer_totals'),
        // The month's customers from one index alone (wework_customers_funnel_index): booked and
        // first_consumed_at (visited) are kept by triggers on appointments and customer_consumptions.
        // The month's start is read first and passed as a value: with the bound as a subquery the
        // planner guessed a third of the table and scanned all of it (114 ms against 5 at 100,000).
        connection.execute<Array<{ since: Date }>>(`select ((${CLINIC_TODAY} - 29)::timestamp at time zone ${CLINIC_TIME_ZONE_SQL}) as since`)
          .then(([row]) => connection.execute<Array<{ added: string; leads: string; appointments: string; consumptions: string }>>(
            `select count(*) as added, count(c.lead_id) as leads, count(*) filter (where c.booked) as appointments, count(*) filter (where c.first_consumed_at is not null) as consumptions
             from wework_customers c where c.added_at >= ?`, [row!.since])),
        connection.execute<Array<{ state: string; remark: string | null; added: string; lost: string }>>(
          `select t.state, (select cw.remark from wework_contact_ways cw where cw.state = t.state order by cw.id limit 1) as remark, t.added, t.lost
           from (select state, sum(added) as added, sum(lost) as lost from stats_follow_daily
                 where day >= ${CLINIC_TODAY} - 29 and state <> '' group by state order by sum(added) desc, state limit 10) t
           order by t.added desc, t.state`),
      ]);
      const body: Overview = {
        today: sums?.today ?? '',
        totalCustomers: Number(totals?.n ?? 0),
        periods: {
          today: growth(sums?.added_today, sums?.lost_today),
          last7: growth(sums?.added_7, sums?.lost_7),
          last30: growth(sums?.added_30, sums?.lost_30),
        },
        funnel: { added: Number(funnel?.added ?? 0), leads: Number(funnel?.leads ?? 0), appointments: Number(funnel?.appointments ?? 0), consumptions: Number(funnel?.consumptions ?? 0) },
        topCodes: top.map((row) => ({ state: row.state, remark: row.remark, added: Number(row.added), lost: Number(row.lost) })),
      };
      return c.json(body, 200);
    })
    // The latest five launches; each campaign's figures are its current run's, counted as the campaign page counts them (one query for all five).
    .get('/campaigns', async (c) => {
      const em = deps.em();
      const rows = await em.getConnection().execute<Array<{ id: number; name: string; status: CampaignStatus; launched_at: Date | string | null; current_run_id: number | null }>>(
        `select id, name, status, launched_at, current_run_id from campaigns where current_run_id is not null order by launched_at desc nulls last, id desc limit 5`);
      const counts = await runCounts(em, rows.map((row) => row.current_run_id!));
      const items: CampaignResults['items'] = rows.map((row) => ({
        id: row.id, name: row.name, status: row.status, launchedAt: row.launched_at ? new Date(row.launched_at).toISOString() : null, counts: counts.get(row.current_run_id!)!,
      }));
      const body: CampaignResults = { items };
      return c.json(body, 200);
    })
    .get('/trend', async (c) => {
      const query = readQuery(c, trendQuerySchema);
      const connection = deps.em().getConnection();
      const key = query.by === 'channel' ? 'state' : query.by === 'staff' ? 'staff_userid' : `''`;
      const rows = await connection.execute<Array<{ bucket: string; key: string; added: string; lost: string }>>(
        `select to_char(date_trunc('${query.bucket}', day::timestamp), 'YYYY-MM-DD') as bucket, ${key} as key, sum(added) as added, sum(lost) as lost
         from stats_follow_daily where day >= ?::date and day <= ?::date group by 1, 2`, [query.from, query.to]);
      const buckets = bucketsBetween(query.from, query.to, query.bucket);
      const index = new Map(buckets.map((bucket, i) => [bucket, i]));
      const series = new Map<string, { added: number[]; lost: number[] }>();
      for (const row of rows) {
        let entry = series.get(row.key);
        if (!entry) series.set(row.key, (entry = { added: buckets.map(() => 0), lost: buckets.map(() => 0) }));
        const at = index.get(row.bucket) ?? 0;
        entry.added[at]! += Number(row.added);
        entry.lost[at]! += Number(row.lost);
      }
      const ranked = [...series.entries()]
        .map(([name, values]) => ({ key: name, ...values, totalAdded: values.added.reduce((a, b) => a + b, 0), totalLost: values.lost.reduce((a, b) => a + b, 0) }))
        .sort((a, b) => b.totalAdded - a.totalAdded || a.key.localeCompare(b.key));
      const kept = ranked.slice(0, query.limit);
      const rest = ranked.slice(query.limit);
      if (rest.length > 0) {
        const sum = (pick: 'added' | 'lost') => buckets.map((_, i) => rest.reduce((total, entry) => total + entry[pick][i]!, 0));
        const added = sum('added');
        const lost = sum('lost');
        kept.push({ key: 'other', added, lost, totalAdded: added.reduce((a, b) => a + b, 0), totalLost: lost.reduce((a, b) => a + b, 0) });
      }
      const labels = new Map<string, string | null>();
      const keys = kept.map((entry) => entry.key).filter((name) => name !== '' && name !== 'other');
      if (keys.length > 0 && query.by !== 'total') {
        const list = keys.map(() => '?').join(', ');
        const rows = query.by === 'staff'
          ? await connection.execute<Array<{ key: string; label: string | null }>>(`select userid as key, name as label from wework_staff where userid in (${list})`, keys)
          : await connection.execute<Array<{ key: string; label: string | null }>>(`select distinct on (state) state as key, remark as label from wework_contact_ways where state in (${list}) order by state, id`, keys);
        for (const row of rows) labels.set(row.key, row.label);
      }
      const body: Trend = {
        bucket: query.bucket, by: query.by, buckets,
        series: kept.map((entry) => ({ ...entry, label: labels.get(entry.key) ?? null })),
      };
      return c.json(body, 200);
    })
    // WeCom's 联系客户统计 per staff member over clinic days (staff_behavior_daily, synced daily).
    .get('/staff-behavior', async (c) => {
      const query = readQuery(c, staffBehaviorQuerySchema);
      const connection = deps.em().getConnection();
      type Sums = { userid: string; name: string | null; new_apply: string; new_contact: string; chats: string; messages: string; reply: string | null; avg_reply: string | null; negative: string };
      const [rows, [latest]] = await Promise.all([
        connection.execute<Sums[]>(
          `select b.staff_userid as userid, s.name, sum(b.new_apply_cnt) as new_apply, sum(b.new_contact_cnt) as new_contact, sum(b.chat_cnt) as chats,
                  sum(b.message_cnt) as messages,
                  sum(b.reply_percentage * b.chat_cnt) filter (where b.reply_percentage is not null) / nullif(sum(b.chat_cnt) filter (where b.reply_percentage is not null), 0) as reply,
                  sum(b.avg_reply_time * b.chat_cnt) filter (where b.avg_reply_time is not null) / nullif(sum(b.chat_cnt) filter (where b.avg_reply_time is not null), 0) as avg_reply,
                  sum(b.negative_feedback_cnt) as negative
           from staff_behavior_daily b left join wework_staff s on s.userid = b.staff_userid
           where b.day >= ?::date and b.day <= ?::date group by b.staff_userid, s.name order by sum(b.new_contact_cnt) desc, b.staff_userid`, [query.from, query.to]),
        connection.execute<Array<{ day: string | null }>>(`select to_char(max(day), 'YYYY-MM-DD') as day from staff_behavior_daily`),
      ]);
      const body: StaffBehavior = {
        from: query.from, to: query.to, syncedThrough: latest?.day ?? null,
        items: rows.map((row) => ({
          userid: row.userid, name: row.name, newApply: Number(row.new_apply), newContact: Number(row.new_contact), chats: Number(row.chats),
          messages: Number(row.messages), replyPercentage: mean(row.reply), avgReplyMinutes: mean(row.avg_reply), negativeFeedback: Number(row.negative),
        })),
      };
      return c.json(body, 200);
    })
    // Syncs now what the daily schedule syncs (a month back, for a first look); a sync already running is joined.
    .post('/staff-behavior/sync', requirePermission('customers.sync'), async (c) => {
      const input: StaffBehaviorSyncInput = { version: 1, days: 30 };
      let started = true;
      try {
        await deps.temporal.client.workflow.start<typeof staffBehaviorSyncWorkflow>('staffBehaviorSyncWorkflow', {
          taskQueue: deps.temporal.taskQueueFor('staffBehaviorSyncWorkflow'), workflowId: workflowIds.staffBehaviorSync(), args: [input],
          staticSummary: '员工联系客户统计同步 staff behaviour sync (manual)',
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        started = false;
      }
      if (started) {
        const actor = c.get('auth').user;
        await recordAudit(deps.em(), {
          actor: { id: actor.id, username: actor.username }, action: 'sync.start', target: { type: 'workflow', id: workflowIds.staffBehaviorSync() },
          details: { kind: 'staff_behavior', days: input.days }, ip: clientInfo(c).ip,
        });
      }
      return c.json({ workflowId: workflowIds.staffBehaviorSync(), started }, 202);
    });
}
