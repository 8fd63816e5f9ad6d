/**
 * Customer list API latency over 100,000 customers (SPEC §7: p95 < 150 ms), against the round
 * trip of `select 1` through the same pool, measured in the same run.
 *
 *   node bench/customer-list.ts            (CUSTOMERS=100000 ITERATIONS=200 by default)
 */
import { randomBytes } from 'node:crypto';
import { RequestContext } from '@mikro-orm/core';
import { createApp, type AppDeps } from '../api/app.ts';
import { hashPassword } from '../api/auth/password.ts';
import { createTemporalGateway } from '../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../api/wework/callback-credentials.ts';
import { DashboardUser } from '../db/entities/index.ts';
import { SecretBox } from '../db/secret-box.ts';
import { note, percentiles, startBenchDatabase, writeResult } from './lib/customers-env.ts';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 100_000);
const ITERATIONS = Number(process.env.ITERATIONS ?? 200);
const TARGET_P95_MS = 150;

const db = await startBenchDatabase();
try {
  note(`seeding ${CUSTOMERS} customers, their follows, leads and tags…`);
  const seedStarted = performance.now();
  const sql = (text: string) => db.orm.em.getConnection().execute(text, [], 'run');
  await sql(`insert into wework_staff (created_at, updated_at, userid, name) select now(), now(), 'staff' || i, '员工' || i from generate_series(0, 19) i`);
  await sql(`insert into tags (created_at, updated_at, group_name, name, wecom_tag_id) select now(), now(), case when i < 8 then '渠道' else '等级' end, '标签' || i, 'et' || i from generate_series(0, 29) i`);
  await sql(`insert into leads (created_at, updated_at, name, source, status)
    select now(), now(), '客户' || i, 'wework_ch' || (i % 8), (array['new','contacted','booked','converted','lost'])[1 + i % 5] from generate_series(1, ${Math.floor(CUSTOMERS * 0.3)}) i`);
  // Names mix common surnames and numbers, as real customers' nicknames do.
  await sql(`insert into wework_customers (created_at, updated_at, external_userid, name, gender, type, added_at, lead_id)
    select now(), now(), 'wmBench' || lpad(i::text, 7, '0'),
      (array['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + i % 10] || (array['小美','丽','婷','静','芳','娜','敏','燕','霞','玲'])[1 + (i / 10) % 10] || i,
      i % 3, case when i % 7 = 0 then 2 else 1 end, now() - (i * interval '4 minutes'),
      case when i % 10 < 3 and (i / 10) * 3 + (i % 10) + 1 <= ${Math.floor(CUSTOMERS * 0.3)} then (i / 10) * 3 + (i % 10) + 1 end
    from generate_series(1, ${CUSTOMERS}) i`);
  await sql(`insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, remark, add_way, state, followed_at, status, lost_at)
    select now(), now(), c.id, 'staff' || (c.id % 20), case when c.id % 50 = 0 then '想做玻尿酸' || c.id end,
      (array[1,1,1,1,2,3,4,6])[1 + c.id % 8], 'ch' || (c.id % 8), c.added_at,
      case when c.id % 20 = 5 then 'lost' else 'active' end, case when c.id % 20 = 5 then now() end
    from wework_customers c`);
  // Every tenth customer is also followed by a second staff member (SPEC §6).
  await sql(`insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, add_way, state, followed_at, status)
    select now(), now(), c.id, 'staff' || ((c.id + 7) % 20), 201, null, c.added_at + interval '1 day', 'active' from wework_customers c where c.id % 10 = 0`);
  await sql(`insert into wework_customer_tags (wework_customer_id, tag_id) select c.id, 1 + (c.id % 8) from wework_customers c`);
  await sql(`insert into wework_customer_tags (wework_customer_id, tag_id) select c.id, 9 + (c.id % 22) from wework_customers c where c.id % 3 = 0`);
  await sql('analyze');
  const seedMs = Math.round(performance.now() - seedStarted);
  note(`seeded in ${seedMs} ms`);

  const box = new SecretBox(randomBytes(32));
  // The list needs no Temporal: the gateway connects lazily and is never asked.
  const temporal = createTemporalGateway({ address: '127.0.0.1:1', namespace: 'default', payloadKeys: { current: randomBytes(32) } });
  const deps = {
    em: () => db.orm.em.fork(), temporal, temporalUiUrl: null, version: 'bench', dashboardDist: '/nonexistent', secureCookies: false,
    callbackCrypto: createCallbackCryptoSource({ em: () => db.orm.em.fork(), box }),
    // Dependencies of the other dashboard routes, unused here.
    box, wecomApiBase: 'http://127.0.0.1:9', wecom: () => Promise.reject(new Error('not used by this benchmark')),
  } as unknown as AppDeps;
  const app = createApp(deps);
  const request = (path: string, init?: RequestInit) => RequestContext.create(db.orm.em, async () => app.request(path, init));

  const em = db.orm.em.fork();
  em.create(DashboardUser, { username: 'bench', role: 'viewer', displayName: null, passwordHash: await hashPassword('bench-password-1') });
  await em.flush();
  const login = await request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password-1' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  async function measure(fn: () => Promise<unknown>): Promise<number[]> {
    for (let i = 0; i < 20; i += 1) await fn();
    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS; i += 1) {
      const started = performance.now();
      await fn();
      samples.push(performance.now() - started);
    }
    return samples;
  }

  const baseline = percentiles(await measure(() => db.orm.em.fork().getConnection().execute('select 1')));
  note(`baseline select 1: p50 ${baseline.p50} ms, p95 ${baseline.p95} ms`);

  const scenarios: Record<string, string> = {
    'first page (no filter)': 'pageSize=20',
    'page 100 (offset 1,980)': 'pageSize=20&page=100',
    'search by name': `q=${encodeURIComponent('王小美')}`,
    'search by external id': 'q=wmBench00123',
    'search by remark': `q=${encodeURIComponent('玻尿酸')}`,
    'channel': 'channel=ch3',
    'tag': 'tagId=12',
    'staff + channel': 'staff=staff3&channel=ch3',
    'add way': 'addWay=2',
    'added date range': 'addedFrom=2026-01-01&addedTo=2026-12-31',
    'lost': 'status=lost',
    'channel + tag + lost': 'channel=ch4&tagId=5&status=lost',
  };
  const results: Record<string, ReturnType<typeof percentiles> & { total: number; totalIsEstimate: boolean; ratioToTarget: number; ratioToBaseline: number }> = {};
  for (const [name, query] of Object.entries(scenarios)) {
    let answer: { total: number; totalIsEstimate: boolean } = { total: 0, totalIsEstimate: false };
    const samples = await measure(async () => {
      const response = await request(`/api/customers?${query}`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`${query}: HTTP ${response.status} ${await response.text()}`);
      answer = (await response.json()) as typeof answer;
    });
    const stats = percentiles(samples);
    results[name] = { ...stats, total: answer.total, totalIsEstimate: answer.totalIsEstimate, ratioToTarget: Math.round((stats.p95 / TARGET_P95_MS) * 1000) / 1000, ratioToBaseline: Math.round((stats.p95 / baseline.p95) * 10) / 10 };
    note(`${name}: p50 ${stats.p50} ms, p95 ${stats.p95} ms (total ${answer.totalIsEstimate ? '≈' : ''}${answer.total})`);
  }

  // The plans behind the common queries: which indexes PostgreSQL picks at this size.
  const plans: Record<string, string> = {};
  for (const [name, where] of Object.entries({
    'first page': '',
    'channel': "where exists (select 1 from wework_customer_follows f where f.customer_id = c.id and f.state = 'ch3')",
    'search by name': "where (c.name ilike '%王小美%' or c.external_userid ilike '%王小美%' or exists (select 1 from wework_customer_follows fr where fr.customer_id = c.id and fr.remark ilike '%王小美%'))",
    'tag': 'where exists (select 1 from wework_customer_tags ct where ct.wework_customer_id = c.id and ct.tag_id = 12)',
  })) {
    const rows: Array<{ 'QUERY PLAN': string }> = await db.orm.em.getConnection().execute(
      `explain (analyze, costs off, timing off, summary on) select c.id from wework_customers c ${where} order by c.added_at desc nulls last, c.id desc limit 20`);
    plans[name] = rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  const worst = Object.values(results).reduce((max, r) => Math.max(max, r.p95), 0);
  const result = {
    benchmark: 'customer-list', measuredAt: new Date().toISOString(), customers: CUSTOMERS, iterations: ITERATIONS, seedMs,
    targetP95Ms: TARGET_P95_MS, baselineSelect1: baseline, scenarios: results, worstP95Ms: worst,
    worstRatioToTarget: Math.round((worst / TARGET_P95_MS) * 1000) / 1000, meetsTarget: worst < TARGET_P95_MS, plans,
  };
  const file = writeResult('customer-list', result);
  console.log(`customer list over ${CUSTOMERS} customers (${ITERATIONS} requests per scenario, in-process Hono app, signed in)`);
  console.log(`baseline select 1: p50 ${baseline.p50} ms  p95 ${baseline.p95} ms`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(28)} p50 ${String(r.p50).padStart(7)} ms  p95 ${String(r.p95).padStart(7)} ms  ×${r.ratioToBaseline} baseline  ${(r.ratioToTarget * 100).toFixed(1)}% of target`);
  }
  console.log(`worst p95 ${worst} ms vs target ${TARGET_P95_MS} ms → ${result.meetsTarget ? 'meets' : 'MISSES'} the target; written to ${file}`);
  await temporal.close();
} finally {
  await db.stop();
}
