import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeworkCallbackInbox, WeworkCallbackLog, WeworkCustomer, WeworkMessage } from '../../db/entities/index.ts';
import type { Delivery } from '../../sim/state.ts';
import { createUser, signIn } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startOwnTemporal, type OwnTemporal } from '../setup/own-temporal.ts';
import { createChannelCode, startTestProduct, type TestProduct } from '../setup/product.ts';
import { appTextsTo, noticesNaming } from '../setup/onboarding.ts';

/**
 * Issue 8, "Temporal stopped under load": customers keep scanning at a steady rate while Temporal
 * is stopped and started again on the same SQLite file. Every callback is answered 200 while it is
 * down, and once it is back every event is onboarded exactly once. This file runs a Temporal dev
 * server of its own (the shared one serves every other test file and must not stop).
 * `bench/callback-outage.ts` runs the two-minute version under load and times the drain.
 */

const SCANS_PER_SECOND = 4;
const OUTAGE_MS = 12_000;

let db: TestDatabase;
let product: TestProduct;
let configId: string;
let temporal: OwnTemporal;

beforeAll(async () => {
  temporal = await startOwnTemporal();
  db = await createTestDatabase();
  product = await startTestProduct(db, { temporalAddress: temporal.address });
  // The greetings are counted too: keep every WelcomeCode alive through the outage (WeCom's 20 s
  // would expire some, recorded as expired — onboarding-resilience.test.ts covers that).
  product.sim.controls.setOptions({ welcomeCodeTtlSeconds: 3_600 });
  configId = await createChannelCode(db, product, { state: 'outage', remark: '停机', welcome: '{name}您好' });
});
afterAll(async () => {
  await product?.stop();
  await temporal?.dispose();
  await db?.drop();
});

describe('Temporal stopped while customers keep scanning', () => {
  it('answers every callback 200 while it is down, and onboards every event exactly once after it returns', async () => {
    const scans: Array<{ name: string; externalUserId: string; delivered: Promise<Delivery> }> = [];
    const scan = (name: string) => {
      const made = product.sim.controls.scan({ config_id: configId, name });
      scans.push({ name, externalUserId: made.customer.external_userid, delivered: made.done });
    };

    // One before the outage, so the worker is known to be running.
    scan('停机前');
    await scans[0]!.delivered;

    await temporal.stop();
    // Scans at a steady rate for the whole outage (pacing, not waiting for anything).
    const started = Date.now();
    for (let i = 0; Date.now() - started < OUTAGE_MS; i += 1) {
      scan(`停机中${i}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000 / SCANS_PER_SECOND));
    }
    const duringOutage = scans.slice(1);
    const deliveries = await Promise.all(duringOutage.map((s) => s.delivered));
    expect(duringOutage.length).toBeGreaterThanOrEqual((OUTAGE_MS / 1000) * SCANS_PER_SECOND * 0.8);
    // Every callback made during the outage: answered 200 on WeCom's first attempt, inside its 5 s.
    expect(deliveries.map((d) => d.attempts.map((a) => a.status))).toEqual(deliveries.map(() => [200]));
    expect(Math.max(...deliveries.map((d) => d.attempts[0]!.ms))).toBeLessThan(5_000);
    // Nothing started while Temporal was away: the events wait in the inbox.
    const pending = await db.orm.em.fork().count(WeworkCallbackInbox, { status: 'pending' });
    expect(pending).toBe(duringOutage.length);

    await temporal.start();
    const ids = scans.map((s) => s.externalUserId);
    await vi.waitFor(async () => {
      const processed = await db.orm.em.fork().count(WeworkCallbackLog, { externalUserid: { $in: ids }, outcome: 'accepted', processed: true });
      expect(processed).toBe(ids.length);
    }, { timeout: 120_000, interval: 250 });

    const em = db.orm.em.fork();
    // Exactly once: one customer, one sent welcome row, one welcome and one staff notice in WeCom per event.
    expect(await em.count(WeworkCustomer, { externalUserid: { $in: ids } })).toBe(ids.length);
    expect(await em.count(WeworkMessage, { kind: 'welcome', status: 'sent', externalUserid: { $in: ids } })).toBe(ids.length);
    const welcomes = product.sim.controls.messages('welcome').filter((m) => ids.some((id) => m.to.includes(id)));
    expect(welcomes.flatMap((m) => m.to).sort()).toEqual([...ids].sort());
    // The staff member hears of each once: alone, or in a digest past WeCom's 30 app messages a minute.
    const names = scans.map((s) => s.name);
    await vi.waitFor(() => expect(noticesNaming(appTextsTo(product, 'zhangsan'), names)).toEqual(names.map(() => 1)), { timeout: 60_000, interval: 250 });
    expect(product.sim.controls.droppedMessages()).toEqual([]);
    expect(await em.count(WeworkCallbackInbox, { status: { $ne: 'dispatched' } })).toBe(0);
  }, 240_000);
});

describe('campaign controls while Temporal is down', () => {
  it('a resume, a launch, a scheduled campaign or a booking says what went wrong and changes nothing, a pause still pauses; once Temporal is back the resume works', async () => {
    const request = (p: string, init?: RequestInit) => fetch(`${product.apiUrl}${p}`, init);
    await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
    const marketer = await signIn(request, 'mkt', 'marketer-pass-1');
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await request(path, { method, headers: { ...marketer.headers(), 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, body: (await response.json()) as { status?: string; error?: { code: string; message: string } } };
    };
    const created = await call('POST', '/api/campaigns', { name: '每周', audience: {}, content: { text: '每周护理小贴士' }, schedule: { cron: '0 10 * * 1' } });
    const id = (created.body as { id?: number }).id!;
    expect((await call('POST', `/api/campaigns/${id}/pause`)).body.status).toBe('paused');
    const draft = ((await call('POST', '/api/campaigns', { name: '新品', audience: {}, content: { text: '新品到店' } })).body as { id?: number }).id!;
    const tuesday = ((await call('POST', '/api/campaigns', { name: '每周二', audience: {}, content: { text: '每周护理小贴士' }, schedule: { cron: '0 10 * * 2' } })).body as { id?: number }).id!;

    const em = db.orm.em.fork();
    em.create(WeworkCustomer, { externalUserid: 'wmOutage', name: '预约客' });
    await em.flush();
    const count = async (table: 'campaigns' | 'appointments') => Number((await db.orm.em.fork().getConnection().execute<Array<{ n: string }>>(`select count(*) as n from ${table}`))[0]!.n);
    const [campaignsBefore, appointmentsBefore] = [await count('campaigns'), await count('appointments')];

    await temporal.stop();
    // Each waits out the client's retries (a few seconds): asked together, they take that once.
    const [refused, launch, scheduled, booking] = await Promise.all([
      call('POST', `/api/campaigns/${id}/resume`),
      call('POST', `/api/campaigns/${draft}/launch`),
      call('POST', '/api/campaigns', { name: '定时', audience: {}, content: { text: '周末到店有礼' }, schedule: { at: new Date(Date.now() + 86_400_000).toISOString() } }),
      call('POST', '/api/appointments', { externalUserId: 'wmOutage', staffUserId: 'zhangsan', project: '水光针', startsAt: new Date(Date.now() + 86_400_000).toISOString() }),
    ]);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'temporal_unavailable', message: expect.stringMatching(/cannot be reached/) });
    expect((await call('GET', `/api/campaigns/${id}`)).body.status).toBe('paused');
    // A launch is refused the same way, and the campaign stays a draft (nothing half-launched).
    expect(launch.status).toBe(503);
    expect((await call('GET', `/api/campaigns/${draft}`)).body).toMatchObject({ status: 'draft', launchedAt: null });
    // A scheduled campaign or a booking that could not reach Temporal is not kept: the client's retry makes one, not two.
    expect([scheduled.status, booking.status]).toEqual([503, 503]);
    expect([await count('campaigns'), await count('appointments')]).toEqual([campaignsBefore, appointmentsBefore]);

    // A pause while it is down still pauses the campaign: its fires are refused until it is resumed.
    expect(await call('POST', `/api/campaigns/${tuesday}/pause`)).toMatchObject({ status: 202, body: { status: 'paused' } });
    await temporal.start();
    await vi.waitFor(async () => expect((await call('POST', `/api/campaigns/${id}/resume`)).body.status).toBe('scheduled'), { timeout: 30_000, interval: 1_000 });
    expect((await product.temporal.client.schedule.getHandle(`campaign:${id}:schedule`).describe()).state.paused).toBe(false);
  }, 150_000);
});
