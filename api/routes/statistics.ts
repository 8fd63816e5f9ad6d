import { Hono } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CLINIC_TIME_ZONE } from '../../common/clinic-time.ts';
import { trendQuerySchema, type Growth, type Overview, type Trend } from '../../common/statistics.schema.ts';
import { requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readQuery } from '../validation.ts';

/** What the statistics routes need from the composition root. */
export interface StatisticsRouteDeps {
  em: () => EntityManager;
}

/** SQL for "midnight of clinic day `expr`" as a timestamptz. */
const clinicMidnight = (expr: string) => `((${expr})::timestamp at time zone '${CLINIC_TIME_ZONE}')`;
/** SQL for the clinic's today. */
const CLINIC_TODAY = `(now() at time zone '${CLINIC_TIME_ZONE}')::date`;

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
 * relationships (a customer followed by two staff members counts in both channels) from
 * wework_customer_follows: `followed_at` for added, `lost_at` for lost, bucketed in the clinic's
 * time zone. Each query is one index range scan over the period (indexes in
 * Migration20261201040100), never a scan of the callback log.
 */
export function statisticsRoutes(deps: StatisticsRouteDeps) {
  return new Hono<AuthEnv>()
    .use(requirePermission('customers.view'))
    .get('/overview', async (c) => {
      const connection = deps.em().getConnection();
      const periodCounts = (column: string) => `
        select count(*) filter (where ${column} >= ${clinicMidnight(CLINIC_TODAY)}) as today,
               count(*) filter (where ${column} >= ${clinicMidnight(`${CLINIC_TODAY} - 6`)}) as last7,
               count(*) as last30
        from wework_customer_follows where ${column} >= ${clinicMidnight(`${CLINIC_TODAY} - 29`)}`;
      type Counts = { today: string; last7: string; last30: string };
      const [[added], [lost], [totals], [funnel], top, [today]] = await Promise.all([
        connection.execute<Counts[]>(periodCounts('followed_at')),
        connection.execute<Counts[]>(periodCounts('lost_at')),
        connection.execute<Array<{ n: string }>>('select count(*) as n from wework_customers where not lost'),
        connection.execute<Array<{ added: string; leads: string }>>(
          `select count(*) as added, count(lead_id) as leads from wework_customers where added_at >= ${clinicMidnight(`${CLINIC_TODAY} - 29`)}`),
        connection.execute<Array<{ state: string; remark: string | null; added: string; lost: string }>>(
          `select t.state, (select cw.remark from wework_contact_ways cw where cw.state = t.state order by cw.id limit 1) as remark, t.added, t.lost
           from (select state, count(*) as added, count(*) filter (where status = 'lost') as lost
                 from wework_customer_follows where followed_at >= ${clinicMidnight(`${CLINIC_TODAY} - 29`)} and state is not null
                 group by state order by count(*) desc, state limit 10) t order by t.added desc, t.state`),
        connection.execute<Array<{ today: string }>>(`select to_char(${CLINIC_TODAY}, 'YYYY-MM-DD') as today`),
      ]);
      const body: Overview = {
        today: today?.today ?? '',
        totalCustomers: Number(totals?.n ?? 0),
        periods: {
          today: growth(added?.today, lost?.today),
          last7: growth(added?.last7, lost?.last7),
          last30: growth(added?.last30, lost?.last30),
        },
        funnel: { added: Number(funnel?.added ?? 0), leads: Number(funnel?.leads ?? 0), appointments: null, consumptions: null },
        topCodes: top.map((row) => ({ state: row.state, remark: row.remark, added: Number(row.added), lost: Number(row.lost) })),
      };
      return c.json(body, 200);
    })
    .get('/trend', async (c) => {
      const query = readQuery(c, trendQuerySchema);
      const connection = deps.em().getConnection();
      const key = query.by === 'channel' ? `coalesce(state, '')` : query.by === 'staff' ? 'staff_userid' : `''`;
      const counts = (column: string) => `
        select to_char(date_trunc('${query.bucket}', ${column} at time zone '${CLINIC_TIME_ZONE}'), 'YYYY-MM-DD') as bucket, ${key} as key, count(*) as n
        from wework_customer_follows
        where ${column} >= ${clinicMidnight('?::date')} and ${column} < ${clinicMidnight('?::date + 1')}
        group by 1, 2`;
      const [addedRows, lostRows] = await Promise.all([
        connection.execute<Array<{ bucket: string; key: string; n: string }>>(counts('followed_at'), [query.from, query.to]),
        connection.execute<Array<{ bucket: string; key: string; n: string }>>(counts('lost_at'), [query.from, query.to]),
      ]);
      const buckets = bucketsBetween(query.from, query.to, query.bucket);
      const index = new Map(buckets.map((bucket, i) => [bucket, i]));
      const series = new Map<string, { added: number[]; lost: number[] }>();
      const seriesOf = (name: string) => {
        let entry = series.get(name);
        if (!entry) series.set(name, (entry = { added: buckets.map(() => 0), lost: buckets.map(() => 0) }));
        return entry;
      };
      for (const row of addedRows) seriesOf(row.key).added[index.get(row.bucket) ?? 0]! += Number(row.n);
      for (const row of lostRows) seriesOf(row.key).lost[index.get(row.bucket) ?? 0]! += Number(row.n);
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
    });
}
