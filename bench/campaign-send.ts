/**
 * A campaign to 100,000 customers across 10 staff members (SPEC §7) with the worker SIGKILLed
 * in the middle of submission and restarted: wall time from launch to all submitted, the worker's
 * peak RSS (< 400 MB), add_msg_template calls (= Σ⌈per staff / 10,000⌉), and the simulator's
 * proof that each staff member's live tasks cover their recipients exactly once.
 *
 *   node bench/campaign-send.ts        (CUSTOMERS=100000 STAFF=10 by default)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { workflowIds } from '../common/workflow-ids.ts';
import { freezeAudience } from '../db/audience.ts';
import { encryptedDataConverter, payloadCodec } from '../encryption/data-converter.ts';
import { recordConsent } from '../db/compliance.store.ts';
import { SecretBox } from '../db/secret-box.ts';
import { createSendRun } from '../db/send-runs.store.ts';
import { saveWeworkCredentials } from '../db/wework-config.store.ts';
import { freePort } from '../scripts/lib/ports.ts';
import { startTemporalDevServer } from '../scripts/lib/temporal-dev-server.ts';
import { DEMO_OPTIONS } from '../sim/options.ts';
import { startSimulator } from '../sim/simulator.ts';
import { addFollow } from '../sim/state.ts';
import { liveTaskCoverage, mirrorSimCustomers } from '../tests/setup/campaigns.ts';
import { signalGroup, spawnEntryPoint, waitForOutput, type SpawnedProcess } from '../tests/setup/processes.ts';
import { note, startBenchDatabase, writeResult } from './lib/customers-env.ts';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 100_000);
const STAFF = Number(process.env.STAFF ?? 10);
const ADD = 'externalcontact/add_msg_template';
const RSS_LIMIT_MB = 400;

const db = await startBenchDatabase();
const temporalServer = await startTemporalDevServer({ port: await freePort(), uiPort: null, fastSqlite: true });
const sim = await startSimulator({ port: 0, customers: 0, groupMsgConfirmDelayMs: 2_000 });
let worker: SpawnedProcess | null = null;
try {
  // 10 staff members, customers spread evenly; every tenth customer also follows a second member.
  const staffIds = Array.from({ length: STAFF }, (_, i) => `staff${String(i).padStart(2, '0')}`);
  for (const userid of staffIds) sim.state.staff.set(userid, { userid, name: userid, department: [1], position: '咨询师', mobile: '', customerContact: true });
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < CUSTOMERS; i++) {
    const id = `wmBench${String(i).padStart(7, '0')}`;
    sim.state.customers.set(id, { external_userid: id, name: `客户${i}`, avatar: '', type: 1, gender: 2, unionid: '', birthday: '1990-01-01', mobile: '' });
    const owners = i % 10 === 9 ? [staffIds[i % STAFF]!, staffIds[(i + 1) % STAFF]!] : [staffIds[i % STAFF]!];
    for (const [k, userid] of owners.entries()) {
      addFollow(sim.state, { userid, external_userid: id, remark: '', description: '', createtime: now - 86400 * (k + 1), tag_ids: [], remark_corp_name: '', remark_mobiles: [], add_way: 1, state: '', oper_userid: id });
    }
  }
  const secretKey = randomBytes(32);
  await saveWeworkCredentials(db.orm.em.fork(), new SecretBox(secretKey), {
    corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId, token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
  });
  note(`mirroring ${CUSTOMERS} customers into PostgreSQL and granting consent…`);
  await mirrorSimCustomers(db.orm, sim);
  const ids = [...sim.state.customers.keys()];
  for (let i = 0; i < ids.length; i += 10_000) await recordConsent(db.orm.em.fork(), { externalUserIds: ids.slice(i, i + 10_000), marketing: 'granted', source: 'bench' });

  const taskQueue = `bench-campaign-${randomBytes(3).toString('hex')}`;
  /** Starts a worker process (sampled for RSS from its first moment) and waits until it polls. */
  const spawnWorker = async () => {
    const proc = spawnEntryPoint('worker.ts', {
      DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporalServer.address, TEMPORAL_TASK_QUEUE: taskQueue,
      APP_SECRET_KEY: secretKey.toString('hex'), WECOM_API_BASE: sim.url, LOG_LEVEL: 'error',
      // WORKER_NODE_OPTIONS (e.g. --max-old-space-size=256) is how a deployment bounds the worker's heap.
      ...(process.env.WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.WORKER_NODE_OPTIONS } : {}),
    });
    worker = proc;
    await waitForOutput(proc, /worker polling /, 120_000);
    return proc;
  };
  // Peaks are kept apart: while a worker starts and while it runs the send. The workflow bundle is
  // built by a short-lived child of the worker (scripts/bundle-workflows.ts), sampled on its own.
  let phase: 'startup' | 'sending' = 'startup';
  const peak = { startup: 0, sending: 0, bundler: 0 };
  const rssMb = (pid: number | string) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  const sampler = setInterval(() => {
    const pid = worker?.child.pid;
    if (!pid) return;
    try {
      peak[phase] = Math.max(peak[phase], rssMb(pid));
      for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        peak.bundler = Math.max(peak.bundler, rssMb(child));
      }
    } catch { /* a process just ended */ }
  }, 200);
  const loadBefore = loadavg().map((n) => Number(n.toFixed(2)));
  worker = await spawnWorker();
  phase = 'sending';

  const launchStarted = performance.now();
  const em = db.orm.em.fork();
  const runId = await createSendRun(em, { kind: 'campaign', messageClass: 'marketing', content: { text: '元旦焕肤季，老客专享' } });
  const frozen = await freezeAudience(em, runId, {}, 'Asia/Shanghai');
  const freezeMs = Math.round(performance.now() - launchStarted);
  // The worker encrypts payloads with APP_SECRET_KEY; the bench's client decodes the run's result with the same key.
  const client = new Client({ connection: await Connection.connect({ address: temporalServer.address }), dataConverter: encryptedDataConverter(payloadCodec({ current: secretKey, previous: null })) });
  const handle = await client.workflow.start('sendRunWorkflow', {
    taskQueue, workflowId: workflowIds.sendRun(runId), args: [{ runId, trackEveryMs: 2_000, remindAfterMs: 3_600_000, windowMs: 120_000 }],
  });

  // Kill the worker while a submission is in flight, about half way.
  sim.controls.setLatency(1_500, ADD);
  const half = Math.ceil(STAFF / 2);
  while (sim.controls.callCount(ADD) < half) await new Promise((r) => setTimeout(r, 20));
  signalGroup(worker, 'SIGKILL');
  await worker.exited;
  const killedAtCalls = sim.controls.callCount(ADD);
  note(`worker killed after ${killedAtCalls} add_msg_template calls; restarting`);
  sim.controls.setLatency(0, ADD);
  phase = 'startup';
  worker = await spawnWorker();
  phase = 'sending';

  const conn = db.orm.em.getConnection();
  for (;;) {
    const [row] = await conn.execute<Array<{ open: string }>>(`select count(*) as open from send_batches where run_id = ? and state <> 'submitted'`, [runId]);
    const [all] = await conn.execute<Array<{ n: string }>>(`select count(*) as n from send_batches where run_id = ?`, [runId]);
    if (Number(all?.n ?? 0) > 0 && Number(row?.open ?? 1) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const allSubmittedMs = Math.round(performance.now() - launchStarted);
  note(`all batches submitted after ${allSubmittedMs} ms; waiting for confirmation and results`);
  await handle.result();
  const completedMs = Math.round(performance.now() - launchStarted);
  clearInterval(sampler);

  const [counts] = await conn.execute<Array<Record<string, string>>>(
    `select count(*) as audience, count(*) filter (where state = 'submitted') as submitted, count(*) filter (where result = 'delivered') as delivered,
            count(*) filter (where state = 'failed' or result in ('not_friend', 'over_quota', 'not_confirmed', 'cancelled')) as failed,
            count(*) filter (where state = 'skipped') as skipped
       from send_recipients where run_id = ?`, [runId]);
  const perStaff = await conn.execute<Array<{ sender: string; n: string }>>(`select sender, count(*) as n from send_recipients where run_id = ? group by sender`, [runId]);
  const expectedCalls = perStaff.reduce((a, r) => a + Math.ceil(Number(r.n) / 10_000), 0);
  let duplicates = 0;
  let covered = 0;
  for (const bySender of liveTaskCoverage(sim, new Set()).values()) {
    for (const n of bySender.values()) { covered += 1; if (n > 1) duplicates += 1; }
  }
  const result = {
    customers: CUSTOMERS, staff: STAFF, workerNodeOptions: process.env.WORKER_NODE_OPTIONS ?? null, recipients: frozen, freezeMs, allSubmittedMs, completedMs, peakWorkerRssMbWhileSending: peak.sending, peakWorkerRssMbAtStartup: peak.startup, peakBundlerChildRssMb: peak.bundler, rssLimitMb: RSS_LIMIT_MB,
    loadAverage: { before: loadBefore, after: loadavg().map((n) => Number(n.toFixed(2))) },
    addMsgTemplateCalls: sim.controls.callCount(ADD), expectedCalls, killedAtCalls,
    listV2Calls: sim.controls.callCount('externalcontact/get_groupmsg_list_v2'), cancelCalls: sim.controls.callCount('externalcontact/cancel_groupmsg_send'),
    liveTaskRecipients: covered, recipientsInMoreThanOneLiveTask: duplicates,
    counts: Object.fromEntries(Object.entries(counts ?? {}).map(([k, v]) => [k, Number(v)])),
    verdict: {
      exactlyOnce: duplicates === 0 && covered === Number(counts?.submitted ?? -1),
      callsMatch: sim.controls.callCount(ADD) === expectedCalls,
      rssUnderLimitWhileSending: peak.sending < RSS_LIMIT_MB,
      rssUnderLimitAtStartup: peak.startup < RSS_LIMIT_MB,
      resultsAddUp: Number(counts?.delivered) + Number(counts?.failed) + Number(counts?.skipped) === Number(counts?.audience),
    },
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(result, null, 2));
  note(`wrote ${writeResult('campaign-send', result)}`);
  await client.connection.close();
} finally {
  if (worker && worker.child.exitCode === null) {
    signalGroup(worker, 'SIGKILL');
    await worker.exited;
  }
  await sim.close();
  await temporalServer.stop();
  await db.stop();
}
