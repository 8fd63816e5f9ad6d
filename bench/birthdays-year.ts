/**
 * Birthday greetings for 100,000 customers over a simulated year (SPEC §7: each sent on its day
 * in the clinic's time zone; open workflows bounded), on Temporal's time-skipping test server with
 * the product's real workflows and activities (birthdayDayWorkflow → send path → the simulator's
 * add_msg_template), one day of downtime in June. Baseline, measured in the same run: the same
 * year with no birthdays (the engine's fixed cost: 365 timers, day workflows and their claims).
 * Expected greetings per day are computed here from the birthdays, without the product's calendar code.
 *
 *   node bench/birthdays-year.ts            (CUSTOMERS=100000 STAFF=10 by default)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { lazyWeComApi } from '../activities/wecom-access.ts';
import { recordConsent } from '../db/compliance.store.ts';
import { SecretBox } from '../db/secret-box.ts';
import { saveWeworkCredentials } from '../db/wework-config.store.ts';
import { ensureTemporalTestServer } from '../scripts/lib/temporal-test-server.ts';
import { DEMO_OPTIONS } from '../sim/options.ts';
import { startSimulator } from '../sim/simulator.ts';
import { addFollow } from '../sim/state.ts';
import { liveTaskCoverage, mirrorSimCustomers } from '../tests/setup/campaigns.ts';
import { advanceClock, resultOnceClosed } from '../tests/setup/advance-clock.ts';
import type { birthdayCalendarWorkflow, CalendarRun } from '../tests/workflows/birthday-calendar.workflow.ts';
import { note, startBenchDatabase, writeResult } from './lib/customers-env.ts';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 100_000);
const STAFF = Number(process.env.STAFF ?? 10);
const BASELINE_YEAR = 2027;
/** A leap year: 29 February birthdays are greeted on their own day (the common-year rule is in the tests). */
const YEAR = 2028;
const DOWNTIME = `${YEAR}-06-15`;
const DAYS_BEFORE = 7;
const TIME_ZONE = 'Asia/Shanghai';
const HOUR = 10;

/** Customer i's birthday: day (i mod 366) of the leap year 2000, so every day, 29 February included, has its share. */
function birthdayOf(i: number): { month: number; day: number } {
  const d = new Date(Date.UTC(2000, 0, 1 + (i % 366)));
  return { month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The send days in `year` of customer i's greetings (one for each birthday whose greeting falls in `year`), worked out with plain UTC dates. */
function expectedSendDays(i: number, year: number): string[] {
  const { month, day } = birthdayOf(i);
  const days: string[] = [];
  for (const birthdayYear of [year, year + 1]) {
    const leap = new Date(Date.UTC(birthdayYear, 1, 29)).getUTCMonth() === 1;
    const celebrated = month === 2 && day === 29 && !leap ? Date.UTC(birthdayYear, 1, 28) : Date.UTC(birthdayYear, month - 1, day);
    // The birthdays are set just before the year: its first day's claim (that day to DAYS_BEFORE
    // days later) catches this year's birthdays whose own day was in the year before.
    const send = new Date(Math.max(celebrated - DAYS_BEFORE * 86_400_000, birthdayYear === year ? Date.UTC(year, 0, 1) : 0)).toISOString().slice(0, 10);
    if (send.startsWith(String(year))) days.push(send);
  }
  return days;
}

const db = await startBenchDatabase();
const sim = await startSimulator({ port: 0, customers: 0, groupMsgConfirmDelayMs: 20 });
let env: TestWorkflowEnvironment | null = null;
try {
  const staffIds = Array.from({ length: STAFF }, (_, i) => `staff${String(i).padStart(2, '0')}`);
  for (const userid of staffIds) sim.state.staff.set(userid, { userid, name: userid, department: [1], position: '咨询师', mobile: '', customerContact: true });
  const now = Math.floor(Date.now() / 1000);
  const externalIds: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const id = `wmBday${String(i).padStart(7, '0')}`;
    externalIds.push(id);
    sim.state.customers.set(id, { external_userid: id, name: `客户${i}`, avatar: '', type: 1, gender: 2, unionid: '', birthday: '', mobile: '' });
    addFollow(sim.state, { userid: staffIds[i % STAFF]!, external_userid: id, remark: '', description: '', createtime: now - 86_400, tag_ids: [], remark_corp_name: '', remark_mobiles: [], add_way: 1, state: '', oper_userid: id });
  }
  const secretKey = randomBytes(32);
  const box = new SecretBox(secretKey);
  await saveWeworkCredentials(db.orm.em.fork(), box, {
    corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId, token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
  });
  note(`mirroring ${CUSTOMERS} customers into PostgreSQL and granting consent…`);
  await mirrorSimCustomers(db.orm, sim);
  for (let i = 0; i < externalIds.length; i += 10_000) await recordConsent(db.orm.em.fork(), { externalUserIds: externalIds.slice(i, i + 10_000), marketing: 'granted', source: 'bench' });
  const connection = db.orm.em.getConnection();
  await connection.execute(`update clinic_settings set time_zone = ? where id = 1`, [TIME_ZONE]);
  await connection.execute(`update automation_settings set birthday_days_before = ?, birthday_hour = ? where id = 1`, [DAYS_BEFORE, HOUR]);

  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await ensureTemporalTestServer((line) => note(line)) } } });
  const taskQueue = `bench-birthdays-${randomBytes(3).toString('hex')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection, taskQueue,
    workflowsPath: fileURLToPath(new URL('../tests/workflows/birthday-calendar.workflow.ts', import.meta.url)),
    activities: createActivities({ orm: db.orm, wecom: lazyWeComApi({ orm: db.orm, box, apiBase: sim.url }) }),
    // Large enough that every open workflow stays cached: the cache size is then the number open on this worker.
    maxCachedWorkflows: 10_000,
  });
  const running = worker.run();
  const client = env.client;

  // One stand-in Schedule over two years (the test server's clock only moves while the client waits
  // on it): the baseline year with no birthdays, then, birthdays set on its last evening, the measured year.
  let peakCached = 0;
  let stalls = 0;
  let peakOpen = 0;
  let listWorks = true;
  const sample = async () => {
    peakCached = Math.max(peakCached, worker.getStatus().numCachedWorkflows);
    if (!listWorks) return;
    try {
      const open = await client.workflowService.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 1000 });
      peakOpen = Math.max(peakOpen, open.executions.length);
    } catch {
      listWorks = false;
    }
  };
  const peaks = () => {
    const out = { peakCachedWorkflows: peakCached, peakOpenWorkflows: listWorks ? peakOpen : null };
    peakCached = 0;
    peakOpen = 0;
    return out;
  };
  const sampler = setInterval(() => { void sample(); }, 100);
  // The clock moves a simulated day at a time, a stalled sleep given again (tests/setup/time-skipping.ts).
  const driveTo = async (until: number) => { stalls += await advanceClock(env!, until); };
  note(`baseline: simulating ${BASELINE_YEAR} with no birthdays`);
  let started = performance.now();
  const handle = await client.workflow.start<typeof birthdayCalendarWorkflow>('birthdayCalendarWorkflow', {
    taskQueue, workflowId: 'bench-birthday-years', args: [{ segments: [
      { from: `${BASELINE_YEAR}-01-01`, to: `${BASELINE_YEAR}-12-31`, hour: HOUR, timeZone: TIME_ZONE },
      { from: `${YEAR}-01-01`, to: `${YEAR}-12-31`, hour: HOUR, timeZone: TIME_ZONE, downtime: [DOWNTIME] },
    ] }],
  });
  await driveTo(Date.parse(`${BASELINE_YEAR}-12-31T12:00:00Z`));
  const baseline = { ms: Math.round(performance.now() - started), ...peaks() };
  note(`baseline year in ${baseline.ms} ms`);

  for (let i = 0; i < CUSTOMERS; i += 10_000) {
    const rows = externalIds.slice(i, i + 10_000).map((id, k) => {
      const { month, day } = birthdayOf(i + k);
      return { id, birthday: `2000-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
    });
    await connection.execute(
      `update wework_customers c set birthday = x.birthday::date from jsonb_to_recordset(?::jsonb) as x(id text, birthday text) where c.external_userid = x.id`, [JSON.stringify(rows)]);
  }
  const before = new Set(sim.state.groupMsgs.keys());
  note(`measured: simulating ${YEAR} (down on ${DOWNTIME})`);
  started = performance.now();
  await driveTo(Date.parse(`${YEAR}-12-31T12:00:00Z`));
  const allRuns = await resultOnceClosed(env!, handle);
  clearInterval(sampler);
  await sample();
  const measured = { ms: Math.round(performance.now() - started), runs: allRuns.filter((run) => run.date.startsWith(String(YEAR))), ...peaks() };
  const baselineRuns = allRuns.filter((run) => run.date.startsWith(String(BASELINE_YEAR)));
  note(`measured year in ${measured.ms} ms; waiting for the send path to submit every task…`);

  // Expected, per send day, from the birthdays alone.
  const expected = new Map<string, number>();
  for (let i = 0; i < CUSTOMERS; i++) {
    for (const day of expectedSendDays(i, YEAR)) expected.set(day, (expected.get(day) ?? 0) + 1);
  }
  const greeted = await connection.execute<Array<{ send_on: string; n: string; late: string }>>(
    `select to_char(send_on, 'YYYY-MM-DD') as send_on, count(*) as n, count(*) filter (where late) as late from birthday_greetings where status = 'queued' group by send_on`);
  const actual = new Map(greeted.map((row) => [row.send_on, Number(row.n)]));
  const mismatchedDays = [...new Set([...expected.keys(), ...actual.keys()])].filter((day) => (expected.get(day) ?? 0) !== (actual.get(day) ?? 0)).sort();
  const lateDays = greeted.filter((row) => Number(row.late) > 0).map((row) => row.send_on);
  const [doubled] = await connection.execute<Array<{ n: string }>>(
    `select count(*) as n from (select 1 from birthday_greetings group by customer_id, year having count(*) > 1) d`);

  // What reached WeCom: every customer in as many live 群发 tasks as greetings (the send path submits in real time after the year).
  const deadline = Date.now() + 15 * 60_000;
  let coverage = liveTaskCoverage(sim, before);
  const covered = () => [...coverage.values()].reduce((sum, bySender) => sum + bySender.size, 0);
  while (covered() < CUSTOMERS && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    coverage = liveTaskCoverage(sim, before);
  }
  let missing = 0;
  let twice = 0;
  for (const [k, id] of externalIds.entries()) {
    const times = [...coverage.values()].reduce((sum, bySender) => sum + (bySender.get(id) ?? 0), 0);
    const greetings = expectedSendDays(k, YEAR).length;
    if (times < greetings) missing++;
    if (times > greetings) twice++;
  }
  const byDay = (runs: CalendarRun[]) => runs.filter((run) => !run.catchUp).length;
  const downtimeRun = measured.runs.find((run) => run.date === DOWNTIME);
  const perDay = [...expected.values()];

  const result = {
    benchmark: 'birthdays-year', measuredAt: new Date().toISOString(), customers: CUSTOMERS, staff: STAFF, year: YEAR, timeZone: TIME_ZONE,
    daysBefore: DAYS_BEFORE, hour: HOUR, downtime: DOWNTIME, loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100), cpus: os.cpus().length,
    baseline: { what: 'the same year with no birthdays (365 scheduled day runs)', ms: baseline.ms, dayRuns: byDay(baselineRuns), peakCachedWorkflows: baseline.peakCachedWorkflows, peakOpenWorkflows: baseline.peakOpenWorkflows },
    measured: {
      ms: measured.ms, dayRuns: byDay(measured.runs), catchUpRuns: measured.runs.filter((run) => run.catchUp).map((run) => ({ date: run.date, caughtUpOn: new Date(run.firedAt).toISOString(), queued: run.result.queued, late: run.result.late })),
      peakCachedWorkflows: measured.peakCachedWorkflows, peakOpenWorkflows: measured.peakOpenWorkflows,
      greetingsQueued: greeted.reduce((sum, row) => sum + Number(row.n), 0), greetingsPerDay: { min: Math.min(...perDay), max: Math.max(...perDay) },
      daysMatchingCalendar: expected.size - mismatchedDays.filter((day) => expected.has(day)).length, daysWithGreetings: expected.size, mismatchedDays: mismatchedDays.slice(0, 20),
      lateDays, downtimeDay: downtimeRun ? { queued: downtimeRun.result.queued, late: downtimeRun.result.late, catchUp: downtimeRun.catchUp } : null,
      doubledGreetings: Number(doubled?.n ?? 0), wecom: { customersInLiveTasks: covered(), missing, twice, addMsgTemplateCalls: sim.controls.callCount('externalcontact/add_msg_template') },
    },
    testServerStalls: stalls,
    ratioToBaseline: Math.round((measured.ms / baseline.ms) * 100) / 100,
    meetsTarget: mismatchedDays.length === 0 && missing === 0 && twice === 0 && Number(doubled?.n ?? 0) === 0 && measured.peakCachedWorkflows < 100,
  };
  const file = writeResult(process.env.RESULT_NAME ?? 'birthdays-year', result);
  console.log(`birthday greetings for ${CUSTOMERS} customers (${STAFF} staff), simulated year ${YEAR} in ${TIME_ZONE}, ${DAYS_BEFORE} days before at ${HOUR}:00, downtime ${DOWNTIME}`);
  console.log(`baseline (year, no birthdays): ${baseline.ms} ms, peak open workflows ${baseline.peakOpenWorkflows ?? 'n/a'} (cached on the worker ${baseline.peakCachedWorkflows})`);
  console.log(`measured year:                 ${measured.ms} ms = ×${result.ratioToBaseline} baseline, peak open workflows ${measured.peakOpenWorkflows ?? 'n/a'} (cached ${measured.peakCachedWorkflows})`);
  console.log(`greetings queued ${result.measured.greetingsQueued}; per day ${result.measured.greetingsPerDay.min}–${result.measured.greetingsPerDay.max}; days matching the calendar ${result.measured.daysMatchingCalendar}/${expected.size}; mismatched ${mismatchedDays.length}`);
  console.log(`downtime ${DOWNTIME}: ${JSON.stringify(result.measured.downtimeDay)}; late days ${lateDays.join(', ') || 'none'}; doubled greetings ${result.measured.doubledGreetings}`);
  console.log(`WeCom: ${covered()} customers in live 群发 tasks, missing ${missing}, twice ${twice}, add_msg_template calls ${result.measured.wecom.addMsgTemplateCalls}`);
  console.log(`load average ${result.loadAverage.join(' ')} on ${result.cpus} cores; ${result.meetsTarget ? 'meets' : 'MISSES'} the target; written to ${file}`);

  worker.shutdown();
  await running;
} finally {
  await env?.teardown();
  await sim.close();
  await db.stop();
}
