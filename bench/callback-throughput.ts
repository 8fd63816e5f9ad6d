/**
 * Callback acknowledgement throughput (SPEC §7: ≥ 500 valid events/s sustained, p99 < 250 ms,
 * zero events lost), against a baseline measured in the same run: verifying, decrypting and
 * parsing the same events in-process, which is the floor of what the endpoint must do.
 *
 * Run: node bench/callback-throughput.ts [--events=5000] [--concurrency=32]
 *      (or BENCH_EVENTS / BENCH_CONCURRENCY)
 */
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { WeworkCallbackLog } from '../db/entities/index.ts';
import { DEMO_OPTIONS } from '../sim/options.ts';
import { parseCallbackEvent } from '../wecom/events.ts';
import type { CallbackCrypto, EncryptedCallback } from '../wecom/callback-crypto.ts';
import { routeCallbackEvent } from '../api/temporal/event-router.ts';
import { intOption, machine, percentile, printTable, round, say, startBenchEnv, writeResult, type BenchEnv } from './lib/harness.ts';
import type { LoadJob, LoadReport } from './lib/load-worker.ts';

const N = intOption('events', 'BENCH_EVENTS', 5_000);
const C = intOption('concurrency', 'BENCH_CONCURRENCY', 32);
const TARGET = { eventsPerSecond: 500, p99Ms: 250 };

/** An add_external_contact event as WeCom writes it (CDATA strings, bare numbers), one customer each. */
function addEventXml(externalUserId: string, createTime: number, state: string): string {
  const cdata = (value: string) => `<![CDATA[${value}]]>`;
  return `<xml><ToUserName>${cdata(DEMO_OPTIONS.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName>`
    + `<CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('change_external_contact')}</Event>`
    + `<ChangeType>${cdata('add_external_contact')}</ChangeType><UserID>${cdata('zhangsan')}</UserID>`
    + `<ExternalUserID>${cdata(externalUserId)}</ExternalUserID><State>${cdata(state)}</State>`
    + `<WelcomeCode>${cdata(randomBytes(32).toString('base64url').slice(0, 43))}</WelcomeCode></xml>`;
}

/** N distinct events, each encrypted and signed the way WeCom delivers it. */
function buildDeliveries(crypto: CallbackCrypto, runId: string, count = N, state = 'bench'): Array<{ externalUserId: string; envelope: EncryptedCallback }> {
  const createTime = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const externalUserId = `wmbench${runId}${String(i).padStart(6, '0')}`;
    const envelope = crypto.encryptCallback(addEventXml(externalUserId, createTime, state), {
      timestamp: String(createTime), nonce: randomBytes(5).toString('hex'), agentId: DEMO_OPTIONS.agentId,
    });
    return { externalUserId, envelope };
  });
}

/** The baseline: signature check + AES decrypt + XML parse of every event, in this thread. */
function baseline(crypto: CallbackCrypto, deliveries: Array<{ envelope: EncryptedCallback }>) {
  // A warm-up pass so JIT compilation is not billed to the measurement (the endpoint gets one too).
  for (const { envelope } of deliveries.slice(0, Math.min(500, deliveries.length))) parseCallbackEvent(crypto.decryptCallback(envelope).xml);
  const t0 = performance.now();
  for (const { envelope } of deliveries) parseCallbackEvent(crypto.decryptCallback(envelope).xml);
  const ms = performance.now() - t0;
  return { eventsPerSecond: (deliveries.length / ms) * 1000, totalMs: ms };
}

/**
 * A reference, not the baseline: the gateway's workflow start alone (same options, same
 * concurrency), without HTTP, crypto or the log row, to show how much of the endpoint's time is
 * Temporal's. Its events carry another channel, so they are not counted as the endpoint's.
 */
async function temporalStartAlone(env: BenchEnv, runId: string, count: number) {
  const starts = buildDeliveries(env.crypto, `${runId}t`, count, 'bench-ref')
    .map(({ envelope }) => routeCallbackEvent(parseCallbackEvent(env.crypto.decryptCallback(envelope).xml))!);
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < starts.length) {
      const start = starts[next++]!;
      const t = performance.now();
      await env.temporal.startEventWorkflow(start);
      latencies.push(performance.now() - t);
    }
  }));
  const ms = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return { count, eventsPerSecond: (count / ms) * 1000, latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } };
}

/** Runs the load generator in a worker thread and waits for its report. */
function load(job: LoadJob): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./lib/load-worker.ts', import.meta.url), { workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`load generator exited with ${code}`)); });
  });
}

async function main() {
  say(`starting PostgreSQL, Temporal and the API (N=${N}, C=${C})…`);
  const env = await startBenchEnv();
  try {
    const runId = randomBytes(3).toString('hex');
    const deliveries = buildDeliveries(env.crypto, runId);
    const url = (e: EncryptedCallback) => `${env.apiUrl}/api/wework/callback?${new URLSearchParams({ msg_signature: e.msgSignature, timestamp: e.timestamp, nonce: e.nonce })}`;

    say('baseline: verify + decrypt + parse in-process…');
    const base = baseline(env.crypto, deliveries);

    // Warm the endpoint (JIT, connection pools, Temporal client) with events that are not counted.
    say('warming the endpoint up…');
    const warm = buildDeliveries(env.crypto, `${runId}w`).slice(0, Math.min(300, N));
    const warmReport = await load({ requests: warm.map((d) => ({ url: url(d.envelope), body: d.envelope.body })), concurrency: C });
    if ((warmReport.statuses['200'] ?? 0) !== warm.length) throw new Error(`warm-up failed: ${JSON.stringify(warmReport.statuses)} ${warmReport.errors[0] ?? ''}`);

    say('reference: Temporal workflow starts alone…');
    const temporalOnly = await temporalStartAlone(env, runId, Math.min(N, 1_000));

    say(`endpoint: POST ${N} events, ${C} in flight, no worker running…`);
    const report = await load({ requests: deliveries.map((d) => ({ url: url(d.envelope), body: d.envelope.body })), concurrency: C });
    const seconds = (report.finishedAt - report.startedAt) / 1000;
    const sorted = [...report.latencies].sort((a, b) => a - b);
    const ok = report.statuses['200'] ?? 0;
    const endpoint = {
      eventsPerSecond: ok / seconds,
      durationSeconds: seconds,
      latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN },
      statuses: report.statuses,
      errors: N - ok,
      sampleErrors: report.errors.slice(0, 5),
    };

    say('checking that no event was lost (callback log and Temporal)…');
    const ids = deliveries.map((d) => d.externalUserId);
    const em = env.orm.em.fork();
    const accepted = await em.count(WeworkCallbackLog, { externalUserid: { $in: ids }, outcome: 'accepted' });
    const otherOutcomes = await em.count(WeworkCallbackLog, { externalUserid: { $in: ids }, outcome: { $ne: 'accepted' } });
    // Visibility is eventually consistent: give it a few seconds to index the last starts.
    const query = `TaskQueue = "${env.taskQueue}" AND WorkflowType = "onboardCustomerWorkflow" AND Channel = "bench"`;
    let workflows = 0;
    for (let tries = 0; tries < 8; tries++) {
      workflows = (await env.temporal.client.workflow.count(query)).count;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // With no worker greeting anyone, admission control starts only its window of onboardings; the
    // other events wait in the inbox. Every event must be there, once.
    const [inbox] = await em.getConnection().execute<Array<{ rows: number; started: number }>>(
      `select count(*)::int as rows, count(*) filter (where i.status = 'dispatched' or i.lease_until is not null)::int as started
         from wework_callback_inbox i where i.dedupe_key in (select l.dedupe_key from wework_callback_logs l where l.external_userid in (?))`, [ids], 'all');
    // And no event has more than one workflow, found by its customer.
    const sample = [ids[0]!, ids[Math.floor(N / 2)]!, ids[N - 1]!];
    const sampleFound: Record<string, number> = {};
    for (const id of sample) sampleFound[id] = (await env.temporal.client.workflow.count(`CustomerExternalId = "${id}"`)).count;
    const lost = {
      callbackLogAccepted: accepted,
      callbackLogOtherOutcomes: otherOutcomes,
      inboxRows: inbox!.rows,
      inboxRowsStartedOrLeased: inbox!.started,
      workflowsOnTaskQueueInclWarmUp: workflows,
      sampleWorkflowsByCustomer: sampleFound,
      eventsLost: N - accepted,
    };

    const ratio = endpoint.eventsPerSecond / base.eventsPerSecond;
    const pass = {
      throughput: endpoint.eventsPerSecond >= TARGET.eventsPerSecond,
      p99: endpoint.latencyMs.p99 < TARGET.p99Ms,
      zeroLost: lost.eventsLost === 0 && endpoint.errors === 0 && inbox!.rows === N && Object.values(sampleFound).every((n) => n <= 1),
    };

    console.log(`\nCallback acknowledgement — N=${N} distinct add_external_contact events, concurrency ${C}, ${machine().cpus} CPUs\n`);
    printTable(['measure', 'events/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'], [
      ['baseline: verify+decrypt+parse (in-process)', round(base.eventsPerSecond, 0), '', '', '', '', 0],
      [`reference: Temporal start alone (${temporalOnly.count}, dev server)`, round(temporalOnly.eventsPerSecond, 0), round(temporalOnly.latencyMs.p50), '', round(temporalOnly.latencyMs.p99), '', 0],
      ['endpoint: POST /api/wework/callback (HTTP)', round(endpoint.eventsPerSecond, 0), round(endpoint.latencyMs.p50), round(endpoint.latencyMs.p95), round(endpoint.latencyMs.p99), round(endpoint.latencyMs.max), endpoint.errors],
    ]);
    console.log(`\nratio endpoint/baseline: ${round(ratio, 4)} (${round(1 / ratio, 0)}× slower than the bare crypto)`);
    console.log(`endpoint/Temporal-start-alone: ${round(endpoint.eventsPerSecond / temporalOnly.eventsPerSecond, 2)}`);
    console.log(`lost: ${lost.eventsLost} (log rows accepted ${accepted}/${N}, other outcomes ${otherOutcomes}; inbox rows ${inbox!.rows}/${N}, ${inbox!.started} of them started (admission control holds the rest for a worker); workflows started ${workflows} (the admission window, warm-up included); workflows per sampled customer ${JSON.stringify(Object.values(sampleFound))})`);
    console.log(`SPEC §7: ≥ ${TARGET.eventsPerSecond}/s ${pass.throughput ? 'PASS' : 'FAIL'} · p99 < ${TARGET.p99Ms} ms ${pass.p99 ? 'PASS' : 'FAIL'} · zero lost ${pass.zeroLost ? 'PASS' : 'FAIL'}`);

    const file = writeResult('callback-throughput.json', {
      benchmark: 'callback-throughput',
      timestamp: new Date().toISOString(),
      machine: machine(),
      parameters: { events: N, concurrency: C, warmupEvents: warm.length, worker: false },
      baseline: { what: 'msg_signature check + AES-256-CBC decrypt + XML parse, in-process, one thread', eventsPerSecond: round(base.eventsPerSecond, 0), totalMs: round(base.totalMs) },
      endpoint: {
        what: 'POST /api/wework/callback over HTTP: verify, decrypt, parse, start the workflow in Temporal, log, acknowledge',
        eventsPerSecond: round(endpoint.eventsPerSecond), durationSeconds: round(endpoint.durationSeconds, 2),
        latencyMs: Object.fromEntries(Object.entries(endpoint.latencyMs).map(([k, v]) => [k, round(v)])),
        statuses: endpoint.statuses, errors: endpoint.errors, sampleErrors: endpoint.sampleErrors,
      },
      ratioEndpointToBaseline: round(ratio, 4),
      reference: {
        what: 'TemporalGateway.startEventWorkflow alone (same options and concurrency, no HTTP, crypto or log row) against the Temporal CLI dev server (SQLite, one connection)',
        events: temporalOnly.count, eventsPerSecond: round(temporalOnly.eventsPerSecond), latencyMs: { p50: round(temporalOnly.latencyMs.p50), p99: round(temporalOnly.latencyMs.p99) },
        ratioEndpointToReference: round(endpoint.eventsPerSecond / temporalOnly.eventsPerSecond, 2),
      },
      lost,
      targets: { eventsPerSecond: TARGET.eventsPerSecond, p99Ms: TARGET.p99Ms, zeroLost: true, source: 'SPEC §7' },
      pass,
    });
    say(`written ${file}`);
  } finally {
    await env.stop();
  }
}

await main();
