import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WeworkCallbackLog, WeworkMessage } from '../../db/entities/index.ts';
import type { OnboardingResult } from '../../workflows/onboarding.workflow.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * Onboarding's steps after the welcome fail on their own: a tagging failure is the tag step's
 * outcome and the staff member still hears of the customer; a staff notice whose answer was lost is
 * retried without reaching the staff member twice (a pending row first, WeCom's duplicate check).
 */

let db: TestDatabase;
let product: TestProduct;
let configId: string;
const em = () => db.orm.em.fork();

/** Waits for the onboarding of `externalUserId` to finish; returns its workflow's result. */
async function onboarding(externalUserId: string): Promise<OnboardingResult> {
  let workflowId = '';
  await vi.waitFor(async () => {
    const log = await em().findOneOrFail(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact', outcome: 'accepted' });
    expect(log.processed).toBe(true);
    workflowId = log.workflowId!;
  }, { timeout: 30_000, interval: 100 });
  return product.temporal.client.workflow.getHandle(workflowId).result() as Promise<OnboardingResult>;
}

const alertsAbout = (name: string) => product.sim.controls.messages('app').filter((m) => JSON.stringify(m.body).includes(`新客户 ${name} `));

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  configId = await createChannelCode(db, product, { state: 'zhihu', remark: '知乎', welcome: '{name}您好' });
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('onboarding past a failed step', () => {
  it('records a tagging failure as the tag step\'s outcome, and still tells the staff member', async () => {
    // 48002 (no API permission) is a configuration error: never retried, the step fails for good.
    product.sim.controls.forceError(48002, 1, 'externalcontact/mark_tag');
    const scan = product.sim.controls.scan({ config_id: configId, name: '知乎一' });
    await scan.done;
    const result = await onboarding(scan.customer.external_userid);
    expect(result).toMatchObject({ welcome: 'sent', tag: 'failed', staffNotified: 'sent', leadCreated: true });
    expect(alertsAbout('知乎一')).toHaveLength(1);
    expect(product.sim.controls.stats().errors['externalcontact/mark_tag']).toEqual({ 48002: 1 });
  });

  it('sends a staff notice whose answer was lost once: the row is pending during the call, and WeCom\'s duplicate check drops the retry', async () => {
    product.sim.controls.resetStats();
    // The first message/send reaches WeCom (the staff member has it) but its answer never comes back.
    product.sim.controls.setLatency(1_000, 'message/send');
    product.sim.controls.loseResponses(1, 'message/send');
    const scan = product.sim.controls.scan({ config_id: configId, name: '知乎二' });
    const externalUserId = scan.customer.external_userid;
    await scan.done;

    await vi.waitFor(() => expect(product.sim.controls.callCount('message/send')).toBe(1), { timeout: 20_000, interval: 20 });
    const during = await em().findOneOrFail(WeworkMessage, { kind: 'staff_notification', externalUserid: externalUserId });
    expect(during.status).toBe('pending');
    product.sim.controls.setLatency(0, 'message/send');

    const result = await onboarding(externalUserId);
    expect(result.staffNotified).toBe('sent');
    expect(product.sim.controls.callCount('message/send')).toBe(2);
    expect(alertsAbout('知乎二')).toHaveLength(1);
    const after = await em().findOneOrFail(WeworkMessage, { kind: 'staff_notification', externalUserid: externalUserId });
    expect(after.status).toBe('sent');
  });

  it('tells the staff member of two customers with one nickname: each notice carries its add time, so WeCom\'s duplicate check keeps both', async () => {
    const first = product.sim.controls.scan({ config_id: configId, name: '同名客户' });
    await first.done;
    await onboarding(first.customer.external_userid);
    // The second scan a clock second later: a different CreateTime, the same name, staff member and channel.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = product.sim.controls.scan({ config_id: configId, name: '同名客户' });
    await second.done;
    expect(await onboarding(second.customer.external_userid)).toMatchObject({ staffNotified: 'sent' });
    const texts = alertsAbout('同名客户').map((m) => JSON.stringify(m.body));
    expect(texts).toHaveLength(2);
    expect(texts[0]).not.toBe(texts[1]);
    for (const text of texts) expect(text).toMatch(/新客户 同名客户 来自知乎（\d\d:\d\d:\d\d 添加）/);
  });
});
