/**
 * A launch-event burst through the whole product as `npm run dev` runs it (Temporal dev server with
 * a SQLite file and dev's pragmas, the worker as its own process, the simulator, the API): N valid
 * add_external_contact callbacks, C at a time. Measures, in the same run:
 * - the baseline: verify + decrypt + parse in-process;
 * - two ceilings on the same dev server: the issue's trivial workflow of two local activities, and
 *   SPEC §7's trivial workflow "of the same shape" as an onboarding (started with the same search
 *   attributes, summary and priority; one patch marker; six local activities that do nothing);
 * - acknowledgements (events/s, p50/p95/p99), effects end to end (every onboarding finished) and
 *   their rate against each ceiling, each effect stored exactly once;
 * - scan → welcome idle, and for scans made during the burst.
 *
 * Run: node bench/callback-burst.ts [--events=3000] [--concurrency=48] [--ceiling=600]
 * (BENCH_SQL_STATS=1 adds the statements PostgreSQL ran per onboarding.)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker as LoadThread } from 'node:worker_threads';
import { NativeConnection } from '@temporalio/worker';
import { createWeComAccess } from '../activities/wecom-access.ts';
import { Lead, WeworkCallbackLog, WeworkContactWay, WeworkCustomer, WeworkMessage } from '../db/entities/index.ts';
import { SecretBox } from '../db/secret-box.ts';
import { startSimulator } from '../sim/simulator.ts';
import { UntimedWorkflowWorker } from '../worker.ts';
import { contactAttributes, EVENT_PRIORITY } from '../api/temporal/event-router.ts';
import { parseCallbackEvent } from '../wecom/events.ts';
import { cpuSeconds, intOption, machine, spawnWorker, sqlStatements, waitForOnboardings, percentile, printTable, round, say, startBenchEnv, writeResult, type BenchEnv } from './lib/harness.ts';
import type { LoadJob, LoadReport } from './lib/load-worker.ts';

const N = intOption('events', 'BENCH_EVENTS', 3_000);
const C = intOption('concurrency', 'BENCH_CONCURRENCY', 48);
const CEILING_RUNS = intOption('ceiling', 'BENCH_CEILING', 600);
const TARGET = { ackPerSecond: 500, ackP99Ms: 250, endToEndShareOfCeiling: 0.8, idleP95Ms: 1_000, burstP95Ms: 5_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? Number.NaN) };
};

function load(job: LoadJob): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const thread = new LoadThread(new URL('./lib/load-worker.ts', import.meta.url), { workerData: job });
    thread.once('message', resolve);
    thread.once('error', reject);
  });
}

/** Which yardstick workflow a ceiling runs, and how each is started. */
type Yardstick = 'trivialWorkflow' | 'onboardingShapedWorkflow';

/** How the API starts an onboarding (api/temporal/temporal-gateway.ts), for the same-shape yardstick. */
function startedLikeAnOnboarding(i: number) {
  return {
    typedSearchAttributes: contactAttributes('zhangsan', `wm-yardstick-${i}`, 'launch'),
    staticSummary: `新客户接入 onboarding wm-yardstick-${i} → zhangsan (渠道 launch)`,
    priority: { priorityKey: EVENT_PRIORITY.freshAdd },
  };
}

/** The dev server's own ceiling: yardstick workflows started C at a time, each awaited. */
async function ceiling(env: BenchEnv, yardstick: Yardstick) {
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const taskQueue = `ceiling-${randomBytes(3).toString('hex')}`;
  // The product worker's VM settings, so that the yardstick measures the dev server, not a slower worker.
  const worker = await UntimedWorkflowWorker.create({
    connection, taskQueue, workflowsPath: fileURLToPath(new URL('./lib/trivial.workflow.ts', import.meta.url)),
    activities: { step: async () => undefined },
  });
  const running = worker.run();
  try {
    let next = 0;
    const run = async (count: number) => {
      const t0 = performance.now();
      next = 0;
      await Promise.all(Array.from({ length: C }, async () => {
        while (next < count) {
          const i = next++;
          await env.temporal.client.workflow.execute(yardstick, {
            taskQueue, workflowId: `${yardstick}-${taskQueue}-${count}-${i}`,
            ...(yardstick === 'onboardingShapedWorkflow' ? startedLikeAnOnboarding(i) : {}),
          });
        }
      }));
      return (count / (performance.now() - t0)) * 1000;
    };
    await run(50); // warm-up
    const cpu0 = { server: cpuSeconds(env.temporalPid), bench: process.cpuUsage(), database: env.databaseCpuSeconds() };
    const workflowsPerSecond = await run(CEILING_RUNS);
    const bench = process.cpuUsage(cpu0.bench);
    const databaseCpuMsPerWorkflow = round(((env.databaseCpuSeconds() - cpu0.database) / CEILING_RUNS) * 1000, 2);
    // CPU per workflow: what the yardstick costs the dev server, and its worker (in this process).
    return {
      workflowsPerSecond,
      devServerCpuMsPerWorkflow: round(((cpuSeconds(env.temporalPid) - cpu0.server) / CEILING_RUNS) * 1000, 2),
      workerCpuMsPerWorkflow: round(((bench.user + bench.system) / 1e3) / CEILING_RUNS, 2),
      databaseCpuMsPerWorkflow,
    };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

async function main() {
  say(`starting PostgreSQL, Temporal (SQLite file, WAL + synchronous=NORMAL as in npm run dev), the simulator, the API and the worker (N=${N}, C=${C})…`);
  const env = await startBenchEnv({ asDev: true });
  // The burst's events are made just before they are posted (after the ceiling and the idle scans),
  // so their CreateTimes are a few seconds old when they arrive, as a real launch's backlog is;
  // the scans made during the burst are newer. (Before 2026-12-01 04:50 they were made minutes
  // ahead with the simulator's clock run 120 s forward, which left them ~90 s in the future.)
  const sim = await startSimulator({ port: 0, callbackRetryDelayMs: 1_000, groupMsgConfirmDelayMs: null });
  let worker: ChildProcess | null = null;
  try {
    // Every burst customer's WelcomeCode must still be valid when its onboarding gets to it.
    sim.controls.setOptions({ welcomeCodeTtlSeconds: 3_600 });
    const { api } = await createWeComAccess({ orm: env.orm, box: new SecretBox(env.secretKey), apiBase: sim.url });
    const { config_id: configId } = await api.contactWay.add({ type: 1, scene: 2, state: 'launch', user: ['zhangsan'], remark: '发布会' });
    const em = env.orm.em.fork();
    em.create(WeworkContactWay, { configId, type: 1, scene: 2, state: 'launch', remark: '发布会', userIds: ['zhangsan'], welcomeTemplate: { text: '{name}您好，欢迎来到发布会' } });
    await em.flush();

    say(`ceiling: ${CEILING_RUNS} trivial workflows (two local activities) on the same dev server…`);
    const roof = await ceiling(env, 'trivialWorkflow');
    say(`ceiling of the same shape: ${CEILING_RUNS} onboarding-shaped trivial workflows (patch, six local activities)…`);
    const shapedRoof = await ceiling(env, 'onboardingShapedWorkflow');

    worker = await spawnWorker(env, sim.url);
    sim.controls.setOptions({ callbackUrl: `${env.apiUrl}/api/wework/callback`, callbackAttempts: 3 });
    // Welcome times by customer, indexed as they arrive: the probes below must not eat the CPU the
    // API (same process) needs, so no probe scans the whole message list.
    const welcomed = new Map<string, number>();
    let seen = 0;
    const collect = () => {
      const messages = sim.controls.messages('welcome');
      for (; seen < messages.length; seen += 1) for (const to of messages[seen]!.to) welcomed.set(to, messages[seen]!.at);
    };
    const scanToWelcome = async (label: string) => {
      const t = Date.now();
      const scan = sim.controls.scan({ config_id: configId, name: label });
      const id = scan.customer.external_userid;
      while (Date.now() - t < 20_000) {
        collect();
        const at = welcomed.get(id);
        if (at) return at - t;
        await sleep(25);
      }
      return Number.POSITIVE_INFINITY;
    };
    say('scan → welcome, idle (20 scans, one at a time)…');
    await scanToWelcome('预热');
    const idle: number[] = [];
    for (let i = 0; i < 20; i += 1) idle.push(await scanToWelcome(`空闲${i}`));

    say(`preparing ${N} customers in the simulator (their add events collected, not delivered)…`);
    sim.controls.setOptions({ callbackUrl: 'http://127.0.0.1:9/unreachable', callbackAttempts: 1 });
    const prepared = Date.now();
    const scans = Array.from({ length: N }, (_, i) => sim.controls.scan({ config_id: configId, name: `来宾${i}` }));
    await Promise.all(scans.map((scan) => scan.done));
    const backlogSecond = Math.floor(Date.now() / 1000);
    sim.controls.setOptions({ callbackUrl: `${env.apiUrl}/api/wework/callback`, callbackAttempts: 3 });
    const burst = scans.map((scan) => ({ externalUserId: scan.customer.external_userid, xml: scan.delivery.xml }));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const requests = burst.map(({ xml }) => {
      const e = env.crypto.encryptCallback(xml, { timestamp, nonce: randomBytes(5).toString('hex') });
      return { url: `${env.apiUrl}/api/wework/callback?${new URLSearchParams({ msg_signature: e.msgSignature, timestamp: e.timestamp, nonce: e.nonce })}`, body: e.body, envelope: e };
    });

    say('baseline: verify + decrypt + parse in-process…');
    for (const r of requests.slice(0, 300)) parseCallbackEvent(env.crypto.decryptCallback(r.envelope).xml);
    const b0 = performance.now();
    for (const r of requests) parseCallbackEvent(env.crypto.decryptCallback(r.envelope).xml);
    const baselinePerSecond = (requests.length / (performance.now() - b0)) * 1000;

    // WeCom's CreateTime counts seconds: a scan made in the backlog's own second cannot be told from
    // it (the relay takes the latest arrival first among equals). Start on the next second, so the
    // scans made during the burst are newer than the backlog, as a real backlog's events are.
    while (Math.floor(Date.now() / 1000) === backlogSecond) await sleep(10);
    say(`burst: POST ${N} events, ${C} in flight; a scan every 250 ms meanwhile…`);
    let bursting = true;
    const during: Array<Promise<number>> = [];
    const scanner = (async () => {
      for (let i = 0; bursting; i += 1) {
        during.push(scanToWelcome(`高峰${i}`));
        await sleep(250);
      }
    })();
    // The first burst event's age when posting starts (its WelcomeCode's 20 s run from it).
    const burstEventAgeSeconds = round((Date.now() - prepared) / 1000);
    const statements = sqlStatements(env);
    await statements.reset();
    const cpu0 = { temporal: cpuSeconds(env.temporalPid), worker: cpuSeconds(worker.pid), apiAndSim: process.cpuUsage(), database: env.databaseCpuSeconds() };
    const t0 = Date.now();
    const report = await load({ requests: requests.map(({ url, body }) => ({ url, body })), concurrency: C });
    bursting = false;
    await scanner;
    const ackSeconds = (report.finishedAt - report.startedAt) / 1000;
    const ack = { ...stats(report.latencies), perSecond: round((report.statuses['200'] ?? 0) / ackSeconds), statuses: report.statuses };

    say('waiting until every onboarding of the burst has finished…');
    const ids = burst.map((b) => b.externalUserId);
    const done = await waitForOnboardings(env, ids);
    const endToEndSeconds = (Date.now() - t0) / 1000;
    const apiCpu = process.cpuUsage(cpu0.apiAndSim);
    // Share of one core each process used from the first POST until the last onboarding finished.
    const cpuShare = {
      temporalDevServer: round((cpuSeconds(env.temporalPid) - cpu0.temporal) / endToEndSeconds, 2),
      worker: round((cpuSeconds(worker.pid) - cpu0.worker) / endToEndSeconds, 2),
      apiSimulatorAndLoad: round((apiCpu.user + apiCpu.system) / 1e6 / endToEndSeconds, 2),
      postgres: round((env.databaseCpuSeconds() - cpu0.database) / endToEndSeconds, 2),
    };
    const endToEndPerSecond = done / endToEndSeconds;
    const duringBurst = await Promise.all(during);
    await statements.report(N + duringBurst.length, 'per onboarding, from the first POST to the last onboarding');

    const check = env.orm.em.fork();
    // Notices past WeCom's 30 a minute per staff member wait for the member's digest (seconds after the last onboarding).
    for (let waited = 0; waited < 60_000 && (await check.count(WeworkMessage, { kind: 'staff_notification', status: 'queued' })) > 0; waited += 500) await sleep(500);
    const exactlyOnce = {
      customers: await check.count(WeworkCustomer, { externalUserid: { $in: ids } }),
      leads: await check.count(Lead, { source: 'wework_launch' }),
      welcomeRowsSent: await check.count(WeworkMessage, { kind: 'welcome', status: 'sent', externalUserid: { $in: ids } }),
      welcomesInSimulator: new Set(sim.controls.messages('welcome').flatMap((m) => m.to).filter((id) => ids.includes(id))).size,
      welcomeMessagesInSimulator: sim.controls.messages('welcome').filter((m) => ids.some((id) => m.to.includes(id))).length,
      // One notice each, sent alone or carried by a digest; and none of the app messages dropped by WeCom's pace.
      staffNoticesSent: await check.count(WeworkMessage, { kind: 'staff_notification', status: 'sent', externalUserid: { $in: ids } }),
      appMessagesDropped: sim.controls.droppedMessages().length,
      onboardingsFinished: done,
    };
    const share = endToEndPerSecond / roof.workflowsPerSecond;
    const shapedShare = endToEndPerSecond / shapedRoof.workflowsPerSecond;
    const idleStats = stats(idle);
    const burstStats = stats(duringBurst);
    const pass = {
      ack: ack.perSecond >= TARGET.ackPerSecond && ack.p99 < TARGET.ackP99Ms,
      exactlyOnce: Object.entries(exactlyOnce).every(([key, value]) => key === 'leads' ? value >= N : key === 'appMessagesDropped' ? value === 0 : value === N),
      endToEnd: share >= TARGET.endToEndShareOfCeiling,
      endToEndSameShape: shapedShare >= TARGET.endToEndShareOfCeiling,
      idle: idleStats.p95 < TARGET.idleP95Ms,
      burst: burstStats.p95 < TARGET.burstP95Ms,
    };

    console.log(`\nLaunch burst — ${N} add events, ${C} in flight, ${machine().cpus} CPUs, Temporal dev server (SQLite file, WAL, synchronous=NORMAL), worker process on\n`);
    printTable(['measure', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [
      ['baseline: verify + decrypt + parse (in-process)', round(baselinePerSecond, 0), '', '', '', ''],
      ['acknowledgements: POST /api/wework/callback', ack.perSecond, ack.p50, ack.p95, ack.p99, ack.max],
      ['ceiling: trivial workflow, 2 local activities (issue 8)', round(roof.workflowsPerSecond), '', '', '', ''],
      ['ceiling: trivial workflow of an onboarding\'s shape (SPEC §7)', round(shapedRoof.workflowsPerSecond), '', '', '', ''],
      ['effects end to end (onboardings finished)', round(endToEndPerSecond), '', '', '', ''],
      ['scan → welcome, idle (20)', '', idleStats.p50, idleStats.p95, idleStats.p99, idleStats.max],
      [`scan → welcome during the burst (${duringBurst.filter(Number.isFinite).length} of ${burstStats.n} within 20 s)`, '', burstStats.p50, burstStats.p95, burstStats.p99, burstStats.max],
    ]);
    const perOnboardingMs = (share: number) => round((share * endToEndSeconds * 1000) / N, 2);
    const cpuMs = {
      ceilingWorkflow: { devServer: roof.devServerCpuMsPerWorkflow, worker: roof.workerCpuMsPerWorkflow, postgres: roof.databaseCpuMsPerWorkflow },
      sameShapeCeilingWorkflow: { devServer: shapedRoof.devServerCpuMsPerWorkflow, worker: shapedRoof.workerCpuMsPerWorkflow, postgres: shapedRoof.databaseCpuMsPerWorkflow },
      onboarding: {
        devServer: perOnboardingMs(cpuShare.temporalDevServer), worker: perOnboardingMs(cpuShare.worker),
        apiSimulatorAndLoad: perOnboardingMs(cpuShare.apiSimulatorAndLoad), postgres: perOnboardingMs(cpuShare.postgres),
      },
    };
    console.log(`\nCPU ms per workflow: ${JSON.stringify(cpuMs)}`);
    console.log(`CPU during the burst (share of one core): ${JSON.stringify(cpuShare)} · burst events' age when posted ${burstEventAgeSeconds} s · load average ${os.loadavg().map((l) => round(l, 2)).join(' ')}`);
    console.log(`\nack/baseline ${round(ack.perSecond / baselinePerSecond, 3)} · end-to-end/ceiling ${round(share, 2)} (same shape ${round(shapedShare, 2)}) · exactly once ${JSON.stringify(exactlyOnce)}`);
    console.log(`targets: ack ≥ ${TARGET.ackPerSecond}/s p99 < ${TARGET.ackP99Ms} ms ${pass.ack ? 'PASS' : 'FAIL'} · exactly once ${pass.exactlyOnce ? 'PASS' : 'FAIL'} · end-to-end ≥ 80 % of ceiling: 2 local activities ${pass.endToEnd ? 'PASS' : 'FAIL'}, same shape ${pass.endToEndSameShape ? 'PASS' : 'FAIL'} · idle p95 < 1 s ${pass.idle ? 'PASS' : 'FAIL'} · burst p95 < 5 s ${pass.burst ? 'PASS' : 'FAIL'}`);
    const file = writeResult('callback-burst.json', {
      benchmark: 'callback-burst', timestamp: new Date().toISOString(), machine: machine(), loadAverage: os.loadavg().map((l) => round(l, 2)),
      parameters: { events: N, concurrency: C, ceilingRuns: CEILING_RUNS, temporal: 'CLI dev server, SQLite file, journal_mode=WAL, synchronous=NORMAL (npm run dev)', worker: 'node worker.ts, own process', api: 'in-process, over HTTP' },
      baseline: { what: 'msg_signature + AES decrypt + XML parse, in-process', perSecond: round(baselinePerSecond, 0) },
      acknowledgements: ack,
      ceiling: { what: 'trivialWorkflow (two local activities) on the same dev server, C at a time, each awaited', workflowsPerSecond: round(roof.workflowsPerSecond), cpuMsPerWorkflow: cpuMs.ceilingWorkflow },
      sameShapeCeiling: { what: 'onboardingShapedWorkflow (started with search attributes, summary and priority; one patch; six local activities), C at a time, each awaited', workflowsPerSecond: round(shapedRoof.workflowsPerSecond), cpuMsPerWorkflow: cpuMs.sameShapeCeilingWorkflow },
      endToEnd: { onboardingsFinished: done, seconds: round(endToEndSeconds), perSecond: round(endToEndPerSecond), shareOfCeiling: round(share, 2), shareOfSameShapeCeiling: round(shapedShare, 2) },
      scanToWelcomeMs: { idle: idleStats, duringBurst: { ...burstStats, greetedWithin20s: duringBurst.filter(Number.isFinite).length, each: duringBurst.map((ms) => (Number.isFinite(ms) ? round(ms) : null)) } },
      exactlyOnce,
      cpuShareDuringBurst: cpuShare,
      cpuMsPerWorkflow: cpuMs,
      burstEventAgeSecondsWhenPosted: burstEventAgeSeconds,
      ratios: { ackToBaseline: round(ack.perSecond / baselinePerSecond, 4), endToEndToCeiling: round(share, 2), endToEndToSameShapeCeiling: round(shapedShare, 2) },
      targets: TARGET,
      pass,
    });
    say(`written ${file}`);
  } finally {
    worker?.kill('SIGTERM');
    await sim.close();
    await env.stop();
  }
}

await main();
