/**
 * Customer list API latency over 100,000 customers (SPEC §7: p95 < 150 ms), against the round
 * trip of `select 1` through the same pool, measured in the same run.
 *
 *   node bench/customer-list.ts            (CUSTOMERS=100000 ITERATIONS=200 by default)
 */
import { measure, seedCustomers, signedInBenchApp } from './lib/bench-app.ts';
import { note, percentiles, startBenchDatabase, writeResult } from './lib/customers-env.ts';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 100_000);
const ITERATIONS = Number(process.env.ITERATIONS ?? 200);
const TARGET_P95_MS = 150;

const db = await startBenchDatabase();
try {
  const seedMs = await seedCustomers(db, CUSTOMERS);
  note(`seeded in ${seedMs} ms`);

  const { request: get, close } = await signedInBenchApp(db);

  const baseline = percentiles(await measure(() => db.orm.em.fork().getConnection().execute('select 1'), ITERATIONS));
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
      const response = await get(`/api/customers?${query}`);
      if (response.status !== 200) throw new Error(`${query}: HTTP ${response.status} ${await response.text()}`);
      answer = (await response.json()) as typeof answer;
    }, ITERATIONS);
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
  await close();
} finally {
  await db.stop();
}
