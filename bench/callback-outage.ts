/**
 * Temporal stopped under load (issue 8, SPEC §2.4): customers keep scanning at a steady rate while
 * the Temporal dev server is stopped for `--outage` seconds and started again on the same SQLite
 * file. Everything as `npm run dev` runs it: its own embedded PostgreSQL, its own dev server (WAL +
 * synchronous=NORMAL), `node worker.ts` as its own process, the simulator delivering each callback
 * the way WeCom does (5 s timeout, 3 attempts). Reports the answers WeCom got by status, events lost
 * or doubled, and how long the backlog took to drain after Temporal came back.
 *
 * Run: node bench/callback-outage.ts [--outage=120] [--rate=20] [--before=10] [--after=10]
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createWeComAccess } from '../activities/wecom-access.ts';
import { WeworkContactWay, WeworkCustomer, WeworkMessage } from '../db/entities/index.ts';
import { SecretBox } from '../db/secret-box.ts';
import { startSimulator } from '../sim/simulator.ts';
import type { Delivery } from '../sim/state.ts';
import { intOption, machine, printTable, round, say, spawnWorker, startBenchEnv, waitForOnboardings, writeResult } from './lib/harness.ts';

const OUTAGE_S = intOption('outage', 'BENCH_OUTAGE', 120);
const RATE = intOption('rate', 'BENCH_RATE', 20);
const BEFORE_S = intOption('before', 'BENCH_BEFORE', 10);
const AFTER_S = intOption('after', 'BENCH_AFTER', 10);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  say(`starting PostgreSQL, Temporal (SQLite file, as npm run dev), the simulator, the API and the worker (outage ${OUTAGE_S} s, ${RATE} scans/s)…`);
  const env = await startBenchEnv({ asDev: true });
  // WeCom's WelcomeCode lives 20 s: an outage longer than that costs the greeting, never the
  // customer. Keep codes alive here so "every event processed once" can be counted on welcomes too.
  const sim = await startSimulator({ port: 0, callbackRetryDelayMs: 1_000, groupMsgConfirmDelayMs: null, welcomeCodeTtlSeconds: 3_600 });
  let worker: ChildProcess | null = null;
  const stopAll = async () => {
    worker?.kill('SIGTERM');
    await Promise.all([sim.close(), env.stop()]);
  };
  try {
    sim.controls.setOptions({ callbackUrl: `${env.apiUrl}/api/wework/callback` });
    const { api } = await createWeComAccess({ orm: env.orm, box: new SecretBox(env.secretKey), apiBase: sim.url });
    const { config_id: configId } = await api.contactWay.add({ type: 1, scene: 2, state: 'outage', user: ['zhangsan'], remark: '停机演练' });
    const em = env.orm.em.fork();
    em.create(WeworkContactWay, { configId, type: 1, scene: 2, state: 'outage', remark: '停机演练', userIds: ['zhangsan'], welcomeTemplate: { text: '{name}您好' } });
    await em.flush();
    worker = await spawnWorker(env, sim.url);

    const deliveries: Array<{ externalUserId: string; delivery: Promise<Delivery>; phase: 'before' | 'outage' | 'after' }> = [];
    let phase: 'before' | 'outage' | 'after' = 'before';
    let posting = true;
    const poster = (async () => {
      const started = Date.now();
      for (let i = 0; posting; i += 1) {
        const scan = sim.controls.scan({ config_id: configId, name: `客人${i}` });
        deliveries.push({ externalUserId: scan.customer.external_userid, delivery: scan.done, phase });
        // Steady rate: the i-th scan at i / RATE seconds.
        await sleep(Math.max(0, started + ((i + 1) * 1000) / RATE - Date.now()));
      }
    })();

    await sleep(BEFORE_S * 1000);
    say(`stopping Temporal for ${OUTAGE_S} s…`);
    await env.stopTemporal();
    phase = 'outage';
    const stoppedAt = Date.now();
    await sleep(OUTAGE_S * 1000);
    say('starting Temporal again on the same SQLite file…');
    await env.startTemporal();
    const restartedAt = Date.now();
    const downSeconds = (restartedAt - stoppedAt) / 1000;
    phase = 'after';
    await sleep(AFTER_S * 1000);
    posting = false;
    await poster;

    const settled = await Promise.all(deliveries.map(async (d) => ({ ...d, result: await d.delivery })));
    const statusCounts: Record<string, number> = {};
    const firstAnswers: Record<string, Record<string, number>> = { before: {}, outage: {}, after: {} };
    for (const { result, phase: when } of settled) {
      for (const attempt of result.attempts) statusCounts[String(attempt.status ?? 'no answer')] = (statusCounts[String(attempt.status ?? 'no answer')] ?? 0) + 1;
      const first = String(result.attempts[0]?.status ?? 'no answer');
      firstAnswers[when]![first] = (firstAnswers[when]![first] ?? 0) + 1;
    }
    const ackMs = settled.map(({ result }) => result.attempts[0]?.ms ?? Number.NaN).sort((a, b) => a - b);

    say(`waiting until all ${settled.length} onboardings have finished…`);
    const ids = settled.map((d) => d.externalUserId);
    const done = await waitForOnboardings(env, ids);
    const drainSeconds = (Date.now() - restartedAt) / 1000;

    const check = env.orm.em.fork();
    const customers = await check.count(WeworkCustomer, { externalUserid: { $in: ids } });
    const welcomeRows = await check.count(WeworkMessage, { kind: 'welcome', status: 'sent', externalUserid: { $in: ids } });
    const welcomeMessages = sim.controls.messages('welcome').filter((m) => ids.some((id) => m.to.includes(id)));
    const welcomed = new Set(welcomeMessages.flatMap((m) => m.to));
    const lost = ids.filter((id) => !welcomed.has(id)).length + (ids.length - done);
    const doubled = welcomeMessages.length - welcomed.size;
    const pass = { allAnswered200: Object.keys(statusCounts).every((status) => status === '200'), nothingLost: lost === 0 && customers === ids.length, nothingDoubled: doubled === 0 && welcomeRows === ids.length };

    console.log(`\nTemporal stopped for ${round(downSeconds)} s under ${RATE} scans/s — ${settled.length} events (${firstAnswers.outage ? Object.values(firstAnswers.outage).reduce((a, b) => a + b, 0) : 0} while Temporal was down), ${machine().cpus} CPUs, load average ${os.loadavg().map((l) => round(l, 2)).join(' ')}\n`);
    printTable(['measure', 'value'], [
      ['answers WeCom got, by status (every attempt)', JSON.stringify(statusCounts)],
      ['first answer, before / during / after the outage', `${JSON.stringify(firstAnswers.before)} / ${JSON.stringify(firstAnswers.outage)} / ${JSON.stringify(firstAnswers.after)}`],
      ['acknowledgement p50 / p99 ms (first attempt)', `${round(ackMs[Math.floor(ackMs.length / 2)] ?? Number.NaN)} / ${round(ackMs[Math.min(ackMs.length - 1, Math.ceil(ackMs.length * 0.99) - 1)] ?? Number.NaN)}`],
      ['onboardings finished', `${done} of ${ids.length}`],
      ['customers stored / welcome rows sent / welcomes in the simulator', `${customers} / ${welcomeRows} / ${welcomeMessages.length}`],
      ['events lost / doubled', `${lost} / ${doubled}`],
      ['drain time after Temporal returned', `${round(drainSeconds)} s`],
    ]);
    console.log(`\ntargets: every callback answered 200 ${pass.allAnswered200 ? 'PASS' : 'FAIL'} · nothing lost ${pass.nothingLost ? 'PASS' : 'FAIL'} · nothing doubled ${pass.nothingDoubled ? 'PASS' : 'FAIL'}`);
    const file = writeResult('callback-outage.json', {
      benchmark: 'callback-outage', timestamp: new Date().toISOString(), machine: machine(), loadAverage: os.loadavg().map((l) => round(l, 2)),
      parameters: { outageSeconds: OUTAGE_S, scansPerSecond: RATE, beforeSeconds: BEFORE_S, afterSeconds: AFTER_S, temporal: 'CLI dev server, SQLite file, WAL + synchronous=NORMAL, stopped (SIGTERM) and started again on the same file', worker: 'node worker.ts, own process' },
      events: settled.length, downSeconds: round(downSeconds), answers: statusCounts, firstAnswers,
      finished: done, customers, welcomeRows, welcomeMessages: welcomeMessages.length, lost, doubled, drainSecondsAfterRestart: round(drainSeconds),
      pass,
    });
    say(`written ${file}`);
  } finally {
    await stopAll();
  }
}

await main();
