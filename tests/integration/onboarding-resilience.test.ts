import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Lead, Tag, WeworkCallbackInbox, WeworkCallbackLog, WeworkCustomer, WeworkMessage } from '../../db/entities/index.ts';
import { getFollow } from '../../sim/state.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startOwnTemporal, type OwnTemporal } from '../setup/own-temporal.ts';
import { signalGroup, spawnEntryPoint, waitForOutput, type SpawnedProcess } from '../setup/processes.ts';
import { createChannelCode, deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The two failures the onboarding must survive without a trace visible to customers or staff:
 * the worker process dying mid-onboarding, and Temporal being down when WeCom calls.
 */

const STATE = 'douyin';
const CHANNEL = '抖音';

/** Runs `node worker.ts` as its own process (group) against the given Temporal, like `npm run start:worker`. */
async function spawnWorker(db: TestDatabase, product: TestProduct, temporalAddress: string): Promise<SpawnedProcess> {
  const proc = spawnEntryPoint('worker.ts', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: product.taskQueue,
    TEMPORAL_NAMESPACE: product.temporal.namespace,
    APP_SECRET_KEY: product.secretKey.toString('hex'),
    WECOM_API_BASE: product.sim.url,
    LOG_LEVEL: 'warn',
  });
  await waitForOutput(proc, /worker polling /, 60_000);
  return proc;
}

/** SIGKILLs the worker's whole process group: no shutdown hook, no graceful drain, like an OOM kill. */
async function killWorker(proc: SpawnedProcess): Promise<void> {
  signalGroup(proc, 'SIGKILL');
  await proc.exited;
}

/** What customers and staff can see of one customer's onboarding, read from WeCom (the simulator) and the database. */
async function sideEffectsFor(db: TestDatabase, product: TestProduct, externalUserId: string) {
  const em = db.orm.em.fork();
  const customers = await em.find(WeworkCustomer, { externalUserid: externalUserId }, { populate: ['lead', 'tags'] });
  const tagName = `渠道/${CHANNEL}`;
  const tag = await em.findOne(Tag, { groupName: '渠道', name: CHANNEL });
  return {
    welcomes: product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId)).length,
    customers: customers.length,
    leads: await em.count(Lead, { id: { $in: customers.flatMap((c) => (c.lead ? [c.lead.id] : [])) } }),
    leadSource: customers[0]?.lead?.source,
    localTags: customers[0]?.tags.getItems().map((t) => `${t.groupName}/${t.name}`),
    tagName,
    wecomTagIds: getFollow(product.sim.state, 'zhangsan', externalUserId)?.tag_ids.filter((id) => id === tag?.wecomTagId),
  };
}

/** Waits until the onboarding of `externalUserId` finished (its callback logs are processed). */
async function onboarded(db: TestDatabase, externalUserId: string, timeout = 45_000) {
  await vi.waitFor(async () => {
    const logs = await db.orm.em.fork().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact', outcome: 'accepted' });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.processed).toBe(true);
  }, { timeout, interval: 200 });
}

describe('the worker process killed in the middle of an onboarding', () => {
  let db: TestDatabase;
  let product: TestProduct;
  let configId: string;
  let worker: SpawnedProcess | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    product = await startTestProduct(db, { worker: false });
    configId = await createChannelCode(db, product, { state: STATE, remark: CHANNEL, welcome: '{name}您好，欢迎从{channel}来！' });
    worker = await spawnWorker(db, product, inject('temporalAddress'));
  });
  afterAll(async () => {
    if (worker) await killWorker(worker);
    await product?.stop();
    await db?.drop();
  });

  it('after the welcome, while mark_tag is in flight: a new worker finishes it, and customer and staff see everything once', async () => {
    // mark_tag is the step after welcome, customer and lead; holding it holds the onboarding there.
    product.sim.controls.holdCallsUntil('externalcontact/mark_tag', 2, 60_000);
    const scan = product.sim.controls.scan({ config_id: configId, name: '孙七' });
    const externalUserId = scan.customer.external_userid;
    expect((await scan.done).outcome).toBe('delivered');

    await vi.waitFor(() => {
      expect(product.sim.controls.callCount('externalcontact/mark_tag')).toBe(1);
    }, { timeout: 20_000, interval: 50 });
    // The customer has been greeted and the onboarding is not finished: no staff alert, log unprocessed.
    expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId))).toHaveLength(1);
    expect(product.sim.controls.messages('app')).toHaveLength(0);
    const log = await db.orm.em.fork().findOneOrFail(WeworkCallbackLog, { externalUserid: externalUserId, outcome: 'accepted' });
    expect(log.processed).toBe(false);

    await killWorker(worker!);
    worker = null;
    product.sim.controls.releaseHeldCalls('externalcontact/mark_tag');
    worker = await spawnWorker(db, product, inject('temporalAddress'));

    // tagByChannel's attempt dies with the worker; Temporal retries it after its 15 s start-to-close.
    await onboarded(db, externalUserId);
    const seen = await sideEffectsFor(db, product, externalUserId);
    expect(seen).toMatchObject({
      welcomes: 1, customers: 1, leads: 1, leadSource: `wework_${STATE}`, localTags: [seen.tagName], wecomTagIds: [expect.any(String)],
    });
    const alerts = product.sim.controls.messages('app').filter((m) => m.to.includes('zhangsan'));
    expect(alerts.map((m) => JSON.stringify(m.body))).toEqual([expect.stringContaining(`新客户 孙七 来自${CHANNEL}`)]);
    // The killed attempt's request still reached WeCom, and the retry marked again: harmless, because
    // mark_tag adds to a set (the follow carries the tag once, checked above).
    expect(product.sim.controls.callCount('externalcontact/mark_tag')).toBe(2);
    expect(product.sim.controls.callCount('externalcontact/send_welcome_msg')).toBe(1);
    expect(await db.orm.em.fork().count(WeworkMessage, { externalUserid: externalUserId })).toBe(2);
  });

  it('while the welcome itself is in flight: the retry finds the WelcomeCode used (41051) and the customer is greeted once', async () => {
    product.sim.controls.resetStats();
    // The simulator holds the call on arrival (counted, not yet executed) until the test lets it go:
    // killing the worker meanwhile kills it between sending the welcome and learning that it went out.
    product.sim.controls.holdCallsUntil('externalcontact/send_welcome_msg', 2, 60_000);
    const scan = product.sim.controls.scan({ config_id: configId, name: '周八' });
    const externalUserId = scan.customer.external_userid;
    expect((await scan.done).outcome).toBe('delivered');

    await vi.waitFor(() => {
      expect(product.sim.controls.callCount('externalcontact/send_welcome_msg')).toBe(1);
    }, { timeout: 20_000, interval: 20 });
    expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId))).toHaveLength(0);
    await killWorker(worker!);
    worker = null;
    product.sim.controls.releaseHeldCalls('externalcontact/send_welcome_msg');
    await vi.waitFor(() => {
      expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId))).toHaveLength(1);
    }, { timeout: 5_000, interval: 50 });
    worker = await spawnWorker(db, product, inject('temporalAddress'));

    // sendWelcomeMessage's attempt is retried after its 4 s start-to-close, inside the 20 s window.
    await onboarded(db, externalUserId);
    const seen = await sideEffectsFor(db, product, externalUserId);
    expect(seen).toMatchObject({
      welcomes: 1, customers: 1, leads: 1, leadSource: `wework_${STATE}`, localTags: [seen.tagName], wecomTagIds: [expect.any(String)],
    });
    const alerts = product.sim.controls.messages('app').filter((m) => JSON.stringify(m.body).includes('周八'));
    expect(alerts).toHaveLength(1);
    expect(product.sim.controls.callCount('externalcontact/send_welcome_msg')).toBe(2);
    expect(product.sim.controls.stats().errors['externalcontact/send_welcome_msg']).toEqual({ 41051: 1 });
    expect(product.sim.controls.callCount('externalcontact/mark_tag')).toBe(1);
    // The product's own record says the greeting went out (it was our interrupted first attempt).
    const record = await db.orm.em.fork().findOneOrFail(WeworkMessage, { kind: 'welcome', externalUserid: externalUserId });
    expect(record.status).toBe('sent');
  });
});

describe('Temporal stopped while WeCom delivers an add event', () => {
  let db: TestDatabase;
  let product: TestProduct;
  let configId: string;
  let temporal: OwnTemporal | null = null;
  let worker: SpawnedProcess | null = null;

  beforeAll(async () => {
    temporal = await startOwnTemporal();
    db = await createTestDatabase();
    product = await startTestProduct(db, { temporalAddress: temporal.address, worker: false });
    configId = await createChannelCode(db, product, { state: STATE, remark: CHANNEL, welcome: '{name}您好，欢迎从{channel}来！' });
    worker = await spawnWorker(db, product, temporal.address);
  });
  afterAll(async () => {
    if (worker) await killWorker(worker);
    await product?.stop();
    await temporal?.dispose();
    await db?.drop();
  });

  it('answers 200 at once while Temporal is down, keeps the event in the inbox, counts WeCom\'s redelivery, and onboards once Temporal is back', async () => {
    await temporal!.stop();

    const scan = product.sim.controls.scan({ config_id: configId, name: '吴九' });
    const externalUserId = scan.customer.external_userid;
    const delivery = await scan.done;
    // Durable in PostgreSQL is enough for WeCom: one attempt, answered well inside its 5 s.
    expect(delivery.outcome).toBe('delivered');
    expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
    expect(delivery.attempts[0]!.ms).toBeLessThan(1_000);
    // WeCom redelivers anyway (its answer got lost): same event, one row, two deliveries.
    const retry = await deliverAgain(product, delivery.xml);
    expect(retry.status).toBe(200);

    const em = db.orm.em.fork();
    const logs = await em.find(WeworkCallbackLog, { externalUserid: externalUserId }, { orderBy: { id: 'asc' } });
    expect(logs.map((row) => row.outcome)).toEqual(['accepted', 'duplicate']);
    const row = await em.findOneOrFail(WeworkCallbackInbox, { dedupeKey: logs[0]!.dedupeKey! });
    expect(row).toMatchObject({ status: 'pending', deliveries: 2 });
    expect(product.sim.controls.messages('welcome')).toHaveLength(0);

    await temporal!.start();
    const back = Date.now();
    // Nobody redelivers: the relay finds Temporal back after its backoff and starts the event.
    await onboarded(db, externalUserId);
    console.log(`[test] onboarded ${Date.now() - back} ms after Temporal came back`);
    const customer = await em.fork().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId }, { populate: ['lead', 'tags'] });
    expect(customer.lead?.source).toBe(`wework_${STATE}`);
    expect(customer.tags.getItems().map((t) => t.name)).toEqual([CHANNEL]);
    // Greeted at most once: only if all this happened inside the WelcomeCode's 20 s; recorded either way.
    expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId)).length).toBeLessThanOrEqual(1);
    const welcome = await em.fork().findOneOrFail(WeworkMessage, { kind: 'welcome', externalUserid: externalUserId });
    expect(['sent', 'skipped']).toContain(welcome.status);
    expect(product.sim.controls.messages('app').filter((m) => JSON.stringify(m.body).includes('吴九'))).toHaveLength(1);
    expect((await em.fork().findOneOrFail(WeworkCallbackInbox, { id: row.id })).status).toBe('dispatched');
    // The worker started before the outage rode it out and did the work: no restart was needed.
    expect(worker!.child.exitCode).toBeNull();

    // A late redelivery changes nothing.
    const again = await deliverAgain(product, delivery.xml);
    expect(again.status).toBe(200);
    await product.inbox.dispatcher.idle();
    expect(product.sim.controls.messages('app').filter((m) => JSON.stringify(m.body).includes('吴九'))).toHaveLength(1);
    expect(await em.fork().count(WeworkCustomer, { externalUserid: externalUserId })).toBe(1);
  });
});
