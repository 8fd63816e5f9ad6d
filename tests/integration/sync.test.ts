import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { ensureSyncSchedule } from '../../api/temporal/sync-schedule.ts';
import type { SyncStatus } from '../../common/customers.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkStaff } from '../../db/entities/index.ts';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { upsertFollows, type FollowFields } from '../../db/customers.store.ts';
import { beginSyncGeneration, callbackSyncGeneration, completeSyncGeneration } from '../../db/sync-generations.store.ts';
import { removeFollow } from '../../sim/state.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { signalGroup, spawnEntryPoint, waitForOutput, type SpawnedProcess } from '../setup/processes.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

const CUSTOMERS = 2_000;
/** The simulator's seed gives every tenth customer a second follower. */
const RELATIONSHIPS = CUSTOMERS + CUSTOMERS / 10;
const PAGE_API = 'externalcontact/batch/get_by_user';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
let child: SpawnedProcess | null = null;
/** Pages one complete sync reads, measured by the first test. */
let pagesPerSync = 0;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const em = () => db.orm.em.fork();

async function startSync(): Promise<{ status: number; body: SyncStatus }> {
  const response = await request('/api/sync', { method: 'POST', headers: marketer.headers() });
  return { status: response.status, body: (await response.json()) as SyncStatus };
}

async function syncFinished(runId: string, timeout = 60_000): Promise<SyncStatus> {
  let status!: SyncStatus;
  await vi.waitFor(async () => {
    status = (await (await request('/api/sync', { headers: viewer.headers() })).json()) as SyncStatus;
    expect(status.run?.runId).toBe(runId);
    expect(status.run?.status).toBe('COMPLETED');
  }, { timeout, interval: 250 });
  return status;
}

/** Replaces the product's worker with a worker process the test can kill, with `api` slowed by `latencyMs`. */
async function killableWorker(api: string, latencyMs: number): Promise<void> {
  await product.stopWorker();
  product.sim.controls.resetStats();
  product.sim.controls.setLatency(latencyMs, api);
  child = spawnEntryPoint('worker.ts', {
    NODE_ENV: 'production', DATABASE_URL: db.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: product.taskQueue, TEMPORAL_NAMESPACE: product.temporal.namespace,
    APP_SECRET_KEY: product.secretKey.toString('hex'), WECOM_API_BASE: product.sim.url, LOG_LEVEL: 'warn',
  });
  await waitForOutput(child, /worker polling /);
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  product.sim.controls.reset({ customers: CUSTOMERS });
  await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
  await createUser(db.orm, { username: 'view', password: 'viewer-pass-12', role: 'viewer' });
  marketer = await signIn(request, 'mkt', 'marketer-pass-1');
  viewer = await signIn(request, 'view', 'viewer-pass-12');
});
afterAll(async () => {
  if (child) signalGroup(child, 'SIGKILL');
  await product?.stop();
  await db?.drop();
});

describe('customer sync from WeCom', () => {
  it('stores every simulated customer with their follow relationships, staff, tags and channel codes, and reports its progress', async () => {
    expect((await request('/api/sync', { method: 'POST', headers: viewer.headers() })).status).toBe(403);
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    const exclusive = await api.contactWay.add({ type: 1, scene: 2, state: 'exclusive_code', user: ['zhangsan'], is_exclusive: true });
    // Two clicks at once share one run.
    const [first, second] = await Promise.all([startSync(), startSync()]);
    expect(first.body.run?.runId).toBeTruthy();
    expect(second.body.run?.runId).toBe(first.body.run?.runId);
    expect(first.body.run?.workflowId).toBe('sync:customers');

    const done = await syncFinished(first.body.run!.runId);
    const progress = done.run!.progress!;
    pagesPerSync = product.sim.controls.callCount(PAGE_API);
    expect(pagesPerSync).toBeGreaterThanOrEqual(Math.ceil(RELATIONSHIPS / 100));
    expect(progress).toMatchObject({ phase: 'done', trigger: 'manual', staff: 4, pagesDone: pagesPerSync, customersSynced: RELATIONSHIPS });
    expect(progress.finishedAt).toBeTruthy();
    expect(done.run!.temporalUiUrl).toBe(`${inject('temporalUiUrl')}/namespaces/${product.temporal.namespace}/workflows/sync%3Acustomers/${first.body.run!.runId}/history`);

    expect(await em().count(WeworkCustomer, {})).toBe(CUSTOMERS);
    expect(await em().count(WeworkCustomerFollow, { status: 'active' })).toBe(RELATIONSHIPS);
    const [orphans]: Array<{ n: string }> = await em().getConnection().execute(
      'select count(*) as n from wework_customers c where not exists (select 1 from wework_customer_follows f where f.customer_id = c.id)');
    expect(Number(orphans!.n)).toBe(0);
    // Spot-check one customer against WeCom's own answer.
    const sample = [...product.sim.state.customers.values()][1234]!;
    const stored = await em().findOneOrFail(WeworkCustomer, { externalUserid: sample.external_userid }, { populate: ['follows'] });
    expect(stored.name).toBe(sample.name);
    expect(stored.unionid).toBe(sample.unionid);
    expect(stored.addedAt).toBeInstanceOf(Date);
    expect(stored.follows.length).toBeGreaterThan(0);
    expect(await em().count(WeworkStaff, {})).toBe(4);
    expect(await em().count(WeworkContactWay, {})).toBeGreaterThan(0);
    expect(await em().findOneOrFail(WeworkContactWay, { configId: exclusive.config_id })).toMatchObject({ state: 'exclusive_code', isExclusive: true });
    // Every relationship carries the generation of the sync that saw it.
    const [generation]: Array<{ generation: string; completed: boolean }> = await em().getConnection().execute('select generation, completed_at is not null as completed from sync_generations');
    expect(generation!.completed).toBe(true);
    expect(await em().count(WeworkCustomerFollow, { syncGeneration: Number(generation!.generation) })).toBe(RELATIONSHIPS);
  });

  it('a sync whose worker is killed half-way resumes after the last stored page, without reading earlier pages again', { timeout: 120_000 }, async () => {
    // Slow pages, so the kill lands in the middle of the first chunk of pages.
    await killableWorker(PAGE_API, 150);
    const { status, body } = await startSync();
    expect(status).toBe(202);
    expect(body.started).toBe(true);
    const runId = body.run!.runId;

    await vi.waitFor(() => expect(product.sim.controls.callCount(PAGE_API)).toBeGreaterThanOrEqual(8), { timeout: 30_000, interval: 20 });
    signalGroup(child!, 'SIGKILL');
    await child!.exited;
    child = null;
    const readBeforeCrash = product.sim.controls.callCount(PAGE_API);
    expect(readBeforeCrash).toBeLessThan(pagesPerSync);
    const [checkpoint]: Array<{ details: { pages: number } }> = await em().getConnection().execute(
      'select details from sync_checkpoints where key like ?', [`sync:customers:${runId}:%`]);
    // Every page read but the one in flight at the kill was stored with its cursor.
    expect(checkpoint!.details.pages).toBeGreaterThanOrEqual(readBeforeCrash - 1);

    // While no worker runs, the run is still reported, without figures it cannot ask for.
    const meanwhile = (await (await request('/api/sync', { headers: viewer.headers() })).json()) as SyncStatus;
    expect(meanwhile.run).toMatchObject({ runId, running: true });

    product.sim.controls.setLatency(0, PAGE_API);
    await product.startWorker();
    const done = await syncFinished(runId, 90_000);

    const totalReads = product.sim.controls.callCount(PAGE_API);
    // Pages finished before the crash were not read again; at most the one in flight was.
    expect(totalReads).toBeGreaterThanOrEqual(pagesPerSync);
    expect(totalReads).toBeLessThanOrEqual(pagesPerSync + 1);
    expect(done.run!.progress).toMatchObject({ phase: 'done', pagesDone: pagesPerSync, customersSynced: RELATIONSHIPS });
    expect(await em().count(WeworkCustomerFollow, { status: 'active' })).toBe(RELATIONSHIPS);
    // A finished sync leaves no checkpoints behind.
    const [left]: Array<{ n: string }> = await em().getConnection().execute('select count(*) as n from sync_checkpoints');
    expect(Number(left!.n)).toBe(0);
  });

  it('marks a relationship lost when WeCom no longer has it and its deletion callback never arrived', async () => {
    // The customer deleted the staff member, but the callback was lost: only the sync can tell.
    const [customerId, follows] = [...product.sim.state.followsByCustomer.entries()].find(([, byUser]) => byUser.size === 1)!;
    const [userId] = [...follows.keys()];
    removeFollow(product.sim.state, userId!, customerId);

    const { body } = await startSync();
    await syncFinished(body.run!.runId);

    const follow = await em().findOneOrFail(WeworkCustomerFollow, { customer: { externalUserid: customerId }, staffUserid: userId! });
    expect(follow).toMatchObject({ status: 'lost', lostReason: 'missing_in_sync' });
    expect((await em().findOneOrFail(WeworkCustomer, { externalUserid: customerId })).lost).toBe(true);
    // Nothing else was touched.
    expect(await em().count(WeworkCustomerFollow, { status: 'active' })).toBe(RELATIONSHIPS - 1);
  });

  it('the button goes through the daily schedule, whose overlap policy keeps a manual and a scheduled sync from running together', async () => {
    await ensureSyncSchedule(product.temporal.client, product.taskQueue, 'Asia/Shanghai');
    const schedule = product.temporal.client.schedule.getHandle(workflowIds.customerSyncSchedule());
    try {
      const { status, body } = await startSync();
      expect(status).toBe(202);
      expect(body.run?.workflowId).toMatch(/^sync:customers-/);
      // The schedule's own tick (or another API process) firing while it runs is skipped, not doubled.
      await schedule.trigger(ScheduleOverlapPolicy.SKIP);
      await syncFinished(body.run!.runId);
      const info = (await schedule.describe()).info;
      expect(info.numActionsTaken).toBe(1);
      expect(info.numActionsSkippedOverlap).toBe(1);
    } finally {
      await schedule.delete();
    }
  });
});

describe('the channel-code phase', () => {
  const LIST_API = 'externalcontact/list_contact_way';
  const GET_API = 'externalcontact/get_contact_way';

  async function runImport(): Promise<string> {
    const response = await request('/api/contact-ways/import', { method: 'POST', headers: marketer.headers() });
    expect(response.status).toBe(202);
    return ((await response.json()) as SyncStatus).run!.runId;
  }

  async function importFinished(runId: string, timeout = 60_000): Promise<SyncStatus> {
    let status!: SyncStatus;
    await vi.waitFor(async () => {
      status = (await (await request('/api/contact-ways/import', { headers: viewer.headers() })).json()) as SyncStatus;
      expect(status.run).toMatchObject({ runId, status: 'COMPLETED' });
    }, { timeout, interval: 250 });
    return status;
  }

  it('whose worker is killed half-way resumes after the last stored page, without reading earlier pages again', { timeout: 180_000 }, async () => {
    // Enough codes for several pages of 100, each code then read with get_contact_way.
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    for (let batch = 0; batch < 6; batch += 1) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => api.contactWay.add({ type: 1, scene: 2, state: `bulk_${batch}_${i}`, user: ['zhangsan'] })));
    }
    // One undisturbed import measures what a complete pass reads.
    product.sim.controls.resetStats();
    const baseline = (await importFinished(await runImport())).run!.progress!;
    const listsPerPass = product.sim.controls.callCount(LIST_API);
    const getsPerPass = product.sim.controls.callCount(GET_API);
    expect(getsPerPass).toBe(baseline.contactWays);
    expect(baseline.contactWays).toBeGreaterThanOrEqual(600);

    // Slow reads, so the kill lands in the middle of the pages.
    await killableWorker(GET_API, 20);
    const runId = await runImport();
    await vi.waitFor(() => expect(product.sim.controls.callCount(LIST_API)).toBeGreaterThanOrEqual(3), { timeout: 60_000, interval: 20 });
    signalGroup(child!, 'SIGKILL');
    await child!.exited;
    child = null;
    const listedBeforeCrash = product.sim.controls.callCount(LIST_API);
    expect(product.sim.controls.callCount(GET_API)).toBeLessThan(getsPerPass);
    const [checkpoint]: Array<{ details: { pages: number; found: number } }> = await em().getConnection().execute(
      'select details from sync_checkpoints where key like ?', [`sync:contact-ways:${runId}:contact-ways:%`]);
    // Every page read but the one in flight at the kill was stored with its cursor.
    expect(checkpoint!.details.pages).toBeGreaterThanOrEqual(listedBeforeCrash - 1);

    product.sim.controls.setLatency(0, GET_API);
    await product.startWorker();
    const done = (await importFinished(runId, 120_000)).run!.progress!;
    // Pages finished before the crash were not read again; at most the one in flight was (≤ 100 codes).
    expect(product.sim.controls.callCount(LIST_API)).toBeLessThanOrEqual(listsPerPass + 1);
    expect(product.sim.controls.callCount(GET_API)).toBeLessThanOrEqual(getsPerPass + 100);
    expect(done).toMatchObject({ phase: 'done', contactWays: baseline.contactWays, contactWaysCreated: 0 });
    // The import is not a customer sync: the customers page still shows the last one.
    const customers = (await (await request('/api/sync', { headers: viewer.headers() })).json()) as SyncStatus;
    expect(customers.run?.workflowId).toMatch(/^sync:customers/);
    const [left]: Array<{ n: string }> = await em().getConnection().execute('select count(*) as n from sync_checkpoints');
    expect(Number(left!.n)).toBe(0);
  });
});

describe('"lost since this sync" by generation', () => {
  it('marks lost only the active relationships of the synced staff that the pass did not see; one written by a callback during the pass is kept', async () => {
    const [customer] = await em().find(WeworkCustomer, {}, { limit: 1, orderBy: { id: 'asc' } });
    const follow = (staffUserid: string, syncGeneration: number | null): FollowFields => ({
      customerId: customer!.id, staffUserid, remark: null, description: null, addWay: 1, state: null, operUserid: null, wecomTagIds: [], followedAt: new Date(),
      reactivate: true, eventWatermark: null, syncGeneration,
    });
    const generation = await beginSyncGeneration(em(), 'test-run:1');
    expect(await beginSyncGeneration(em(), 'test-run:1')).toBe(generation);
    // gen-seen: read by this pass; gen-unseen: stored long ago, never read again; gen-callback: added by a callback while the pass ran.
    await upsertFollows(em().getConnection(), [follow('gen-seen', generation), follow('gen-unseen', null), follow('gen-callback', await callbackSyncGeneration(em()))]);
    // A callback's stamp never goes back: a later sync page cannot lower it.
    await upsertFollows(em().getConnection(), [follow('gen-callback', generation - 1)]);
    expect(await completeSyncGeneration(em(), generation, ['gen-seen', 'gen-unseen', 'gen-callback'])).toBe(1);
    const statuses = Object.fromEntries((await em().find(WeworkCustomerFollow, { staffUserid: { $like: 'gen-%' } })).map((f) => [f.staffUserid, f.status]));
    expect(statuses).toEqual({ 'gen-seen': 'active', 'gen-unseen': 'lost', 'gen-callback': 'active' });
  });
});
