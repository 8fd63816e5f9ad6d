/**
 * Sync of 100,000 customers from the simulator (SPEC §7: < 2 min), with a real worker and a
 * Temporal dev server, against the simulator's raw paging speed (the same batch/get_by_user pages
 * read through the product's WeCom client, stored nowhere) measured in the same run.
 *
 *   node bench/customer-sync.ts            (CUSTOMERS=100000 by default)
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createWeComAccess } from '../activities/wecom-access.ts';
import type { SyncProgress } from '../common/customers.schema.ts';
import { SecretBox } from '../db/secret-box.ts';
import { saveWeworkCredentials } from '../db/wework-config.store.ts';
import { freePort } from '../scripts/lib/ports.ts';
import { startTemporalDevServer } from '../scripts/lib/temporal-dev-server.ts';
import { DEMO_OPTIONS } from '../sim/options.ts';
import { startSimulator } from '../sim/simulator.ts';
import { encryptedDataConverter, payloadCodec } from '../encryption/data-converter.ts';
import { createWorker } from '../worker.ts';
import { note, startBenchDatabase, writeResult } from './lib/customers-env.ts';

const CUSTOMERS = Number(process.env.CUSTOMERS ?? 100_000);
const TARGET_MS = 120_000;

const db = await startBenchDatabase();
const temporalServer = await startTemporalDevServer({ port: await freePort(), uiPort: null, fastSqlite: true });
note(`seeding the simulator with ${CUSTOMERS} customers…`);
const seedStarted = performance.now();
const sim = await startSimulator({ port: 0, customers: CUSTOMERS });
const simSeedMs = Math.round(performance.now() - seedStarted);
try {
  const secretKey = randomBytes(32);
  const box = new SecretBox(secretKey);
  await saveWeworkCredentials(db.orm.em.fork(), box, {
    corpId: DEMO_OPTIONS.corpId, corpSecret: DEMO_OPTIONS.corpSecret, agentId: DEMO_OPTIONS.agentId, token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
  });

  // Baseline: the same pages through the product's client, nothing stored.
  const { api } = await createWeComAccess({ orm: db.orm, box, apiBase: sim.url });
  const staff = await api.customer.followUserList();
  const rawStarted = performance.now();
  let rawPages = 0;
  let rawRelationships = 0;
  for (let start = 0; start < staff.length; start += 100) {
    let cursor: string | undefined;
    do {
      const page = await api.customer.batchGetByUser({ userid_list: staff.slice(start, start + 100), cursor, limit: 100 });
      rawPages += 1;
      rawRelationships += page.external_contact_list.length;
      cursor = page.next_cursor || undefined;
    } while (cursor);
  }
  const rawMs = Math.round(performance.now() - rawStarted);
  note(`baseline raw paging: ${rawPages} pages, ${rawRelationships} relationships in ${rawMs} ms`);

  const taskQueue = `bench-sync-${randomBytes(3).toString('hex')}`;
  const runnable = await createWorker({
    databaseUrl: db.url, temporalAddress: temporalServer.address, namespace: 'default', secretKey, wecomApiBase: sim.url, taskQueue, orm: db.orm,
  });
  const running = runnable.run();
  const connection = await Connection.connect({ address: temporalServer.address });
  const client = new Client({ connection, namespace: 'default', dataConverter: encryptedDataConverter(payloadCodec({ current: secretKey })) });

  sim.controls.resetStats();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);
  const started = performance.now();
  const handle = await client.workflow.start('customerSyncWorkflow', { taskQueue, workflowId: `bench-sync-${randomBytes(3).toString('hex')}`, args: [{ version: 1, trigger: 'manual' }] });
  const progress = (await handle.result()) as SyncProgress;
  const syncMs = Math.round(performance.now() - started);
  clearInterval(sampler);
  const pagesRead = sim.controls.callCount('externalcontact/batch/get_by_user');
  const [counts]: Array<{ customers: string; follows: string }> = await db.orm.em.getConnection().execute(
    'select (select count(*) from wework_customers) as customers, (select count(*) from wework_customer_follows) as follows');

  const result = {
    benchmark: 'customer-sync', measuredAt: new Date().toISOString(), customers: CUSTOMERS, simSeedMs,
    baselineRawPaging: { ms: rawMs, pages: rawPages, relationships: rawRelationships, relationshipsPerSecond: Math.round(rawRelationships / (rawMs / 1000)) },
    sync: {
      ms: syncMs, pagesRead, pagesDone: progress.pagesDone, relationships: progress.customersSynced,
      customersStored: Number(counts!.customers), followsStored: Number(counts!.follows),
      customersPerSecond: Math.round(Number(counts!.customers) / (syncMs / 1000)), relationshipsPerSecond: Math.round(progress.customersSynced / (syncMs / 1000)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    },
    ratioToBaseline: Math.round((syncMs / rawMs) * 100) / 100,
    targetMs: TARGET_MS, ratioToTarget: Math.round((syncMs / TARGET_MS) * 1000) / 1000, meetsTarget: syncMs < TARGET_MS,
  };
  const file = writeResult('customer-sync', result);
  console.log(`customer sync of ${CUSTOMERS} simulated customers (${progress.customersSynced} relationships, ${progress.pagesDone} pages)`);
  console.log(`baseline raw paging:  ${rawMs} ms (${result.baselineRawPaging.relationshipsPerSecond} relationships/s)`);
  console.log(`sync (worker + DB):   ${syncMs} ms (${result.sync.customersPerSecond} customers/s, ${result.sync.relationshipsPerSecond} relationships/s) = ×${result.ratioToBaseline} raw paging`);
  console.log(`stored ${result.sync.customersStored} customers, ${result.sync.followsStored} follows; pages read ${pagesRead}; peak RSS ${result.sync.peakRssMb} MB`);
  console.log(`target < ${TARGET_MS / 1000} s → ${(result.ratioToTarget * 100).toFixed(1)}% of target (${result.meetsTarget ? 'meets' : 'MISSES'}); written to ${file}`);

  runnable.shutdown();
  await running;
  await runnable.close();
  await connection.close();
} finally {
  await sim.close();
  await temporalServer.stop();
  await db.stop();
}
