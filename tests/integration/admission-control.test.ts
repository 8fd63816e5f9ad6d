import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeworkCallbackLog, WeworkCustomer, WeworkMessage } from '../../db/entities/index.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { appTextsTo, createChannelCode, noticesNaming } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * Issue 8, SPEC §7: a scan made during a launch-event burst is greeted within seconds, not after
 * the whole burst. The inbox starts only a few onboardings ahead of the greetings (a window of 4
 * here); the rest wait in the inbox and are started newest first. The burst's greetings are held
 * at the simulator while a new scan arrives, then go on slowly: the new scan's welcome comes
 * before most of the burst's, and every event is still onboarded exactly once.
 */
let db: TestDatabase;
let product: TestProduct;
let configId: string;
const WINDOW = 4;
const BURST = 40;
const WELCOME_API = 'externalcontact/send_welcome_msg';

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { inbox: { onboardingWindow: WINDOW, windowPollMs: 100 } });
  // On a loaded machine the burst's tail may be greeted past 20 s: this test is about order, not WeCom's TTL.
  product.sim.controls.setOptions({ welcomeCodeTtlSeconds: 3_600 });
  configId = await createChannelCode(db, product, 'xiaohongshu');
});
afterAll(async () => {
  product?.sim.controls.clearFaults();
  await product?.stop();
  await db?.drop();
});

const welcomesTo = (externalUserId: string) => product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId));

describe('admission control of onboardings in a burst', () => {
  it('greets a scan made during a burst before the burst drains, and onboards every event once', async () => {
    // Every greeting waits at the simulator until released: the burst's first onboardings fill the window.
    product.sim.controls.holdCallsUntil(WELCOME_API, 10_000, 60_000);
    const burst = Array.from({ length: BURST }, (_, i) => product.sim.controls.scan({ config_id: configId, name: `客户${i}` }));
    await Promise.all(burst.map((scan) => scan.done));
    await vi.waitFor(() => expect(product.sim.controls.callCount(WELCOME_API)).toBe(WINDOW), { timeout: 20_000, interval: 50 });
    // The rest of the burst waits in the inbox, acknowledged and durable, not started.
    const held = await product.inbox.store.pool.query<{ n: number }>(`select count(*)::int as n from wework_callback_inbox where status = 'pending'`);
    expect(held.rows[0]!.n).toBeGreaterThanOrEqual(BURST - WINDOW - 2);

    const fresh = product.sim.controls.scan({ config_id: configId, name: '新来的' });
    await fresh.done;
    // The burst's greetings go on, slowly (the worker can greet only so fast).
    product.sim.controls.setLatency(150, WELCOME_API);
    product.sim.controls.releaseHeldCalls(WELCOME_API);

    await vi.waitFor(() => expect(welcomesTo(fresh.customer.external_userid)).toHaveLength(1), { timeout: 20_000, interval: 20 });
    const burstGreeted = burst.filter((scan) => welcomesTo(scan.customer.external_userid).length > 0).length;
    expect(burstGreeted).toBeLessThan(BURST / 2);

    // Then the whole burst is onboarded, each event once.
    await vi.waitFor(async () => {
      const logs = await db.orm.em.fork().find(WeworkCallbackLog, { changeType: 'add_external_contact', outcome: 'accepted' });
      expect(logs.filter((log) => log.processed)).toHaveLength(BURST + 1);
    }, { timeout: 150_000, interval: 250 });
    const everyone = [...burst, fresh].map((scan) => scan.customer.external_userid);
    expect(everyone.map((id) => welcomesTo(id).length)).toEqual(everyone.map(() => 1));
    const em = db.orm.em.fork();
    expect(await em.count(WeworkCustomer, { externalUserid: { $in: everyone } })).toBe(BURST + 1);
    expect(await em.count(WeworkMessage, { kind: 'welcome', status: 'sent', externalUserid: { $in: everyone } })).toBe(BURST + 1);
    // The staff member hears of each of them once: alone, or in a digest past WeCom's 30 a minute.
    const names = [...Array.from({ length: BURST }, (_, i) => `客户${i}`), '新来的'];
    await vi.waitFor(() => expect(noticesNaming(appTextsTo(product, 'zhangsan'), names)).toEqual(names.map(() => 1)), { timeout: 60_000, interval: 250 });
    expect(product.sim.controls.droppedMessages()).toEqual([]);
    const inbox = await product.inbox.store.pool.query<{ status: string; n: number }>(`select status, count(*)::int as n from wework_callback_inbox group by status`);
    expect(inbox.rows).toEqual([{ status: 'dispatched', n: BURST + 1 }]);
  }, 240_000);
});
