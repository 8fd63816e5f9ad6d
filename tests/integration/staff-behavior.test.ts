import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLINIC_TIME_ZONE, addDays, localDate } from '../../common/clinic-time.ts';
import type { StaffBehavior } from '../../common/statistics.schema.ts';
import { workflowIds } from '../../common/workflow-ids.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, scanAndOnboard } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

const BEHAVIOR = 'externalcontact/get_user_behavior_data';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
  // Two customers add zhangsan today: WeCom's new_contact_cnt for today counts them.
  const configId = await createChannelCode(db, product, 'behavior_xhs');
  await scanAndOnboard(db, product, configId, '甲');
  await scanAndOnboard(db, product, configId, '乙');
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('staff behaviour figures (get_user_behavior_data)', () => {
  it('syncs a month per staff member, one staff member per request, and shows each one\'s figures for a range', async () => {
    product.sim.controls.resetStats();
    const response = await request('/api/statistics/staff-behavior/sync', { method: 'POST', headers: marketer.headers() });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ started: true });
    const result = await product.temporal.client.workflow.getHandle(workflowIds.staffBehaviorSync()).result() as { staff: number; days: number };
    // Every follow user, 30 days each, in one ≤ 30-day request each (WeCom sums several userids, so never more than one per request).
    expect(result.staff).toBeGreaterThan(0);
    expect(result.days).toBe(result.staff * 30);
    expect(product.sim.controls.callCount(BEHAVIOR)).toBe(result.staff);

    const today = localDate(Date.now(), DEFAULT_CLINIC_TIME_ZONE);
    const figures = await request(`/api/statistics/staff-behavior?from=${addDays(today, -6)}&to=${today}`, { headers: viewer.headers() });
    expect(figures.status).toBe(200);
    const body = (await figures.json()) as StaffBehavior;
    expect(body.syncedThrough).toBe(today);
    const zhangsan = body.items.find((row) => row.userid === 'zhangsan')!;
    expect(zhangsan.newContact).toBeGreaterThanOrEqual(2);
    // The same sums as WeCom reports for those seven days (the simulator answers deterministically).
    const start = Math.floor(Date.parse(`${addDays(today, -6)}T00:00:00+08:00`) / 1000);
    const wecom = await fetch(`${product.sim.url}/cgi-bin/gettoken?corpid=${product.sim.ctx.options.corpId}&corpsecret=${product.sim.ctx.options.corpSecret}`).then((r) => r.json()) as { access_token: string };
    const direct = await fetch(`${product.sim.url}/cgi-bin/${BEHAVIOR}?access_token=${wecom.access_token}`, {
      method: 'POST', body: JSON.stringify({ userid: ['zhangsan'], start_time: start, end_time: start + 6 * 86_400 }),
    }).then((r) => r.json()) as { behavior_data: Array<{ new_contact_cnt: number; chat_cnt: number; message_cnt: number; negative_feedback_cnt: number }> };
    const sum = (pick: (day: (typeof direct.behavior_data)[number]) => number) => direct.behavior_data.reduce((total, day) => total + pick(day), 0);
    expect(zhangsan).toMatchObject({ newContact: sum((d) => d.new_contact_cnt), chats: sum((d) => d.chat_cnt), messages: sum((d) => d.message_cnt), negativeFeedback: sum((d) => d.negative_feedback_cnt) });
    if (zhangsan.chats > 0) expect(zhangsan.replyPercentage).toBeGreaterThan(0);

    // Syncing again replaces the same rows rather than adding to them.
    expect((await request('/api/statistics/staff-behavior/sync', { method: 'POST', headers: marketer.headers() })).status).toBe(202);
    await product.temporal.client.workflow.getHandle(workflowIds.staffBehaviorSync()).result();
    const again = (await (await request(`/api/statistics/staff-behavior?from=${addDays(today, -6)}&to=${today}`, { headers: viewer.headers() })).json()) as StaffBehavior;
    expect(again.items.find((row) => row.userid === 'zhangsan')).toEqual(zhangsan);
  });

  it('is read by viewers but synced only by those who may sync, and validates the range', async () => {
    expect((await request('/api/statistics/staff-behavior/sync', { method: 'POST', headers: viewer.headers() })).status).toBe(403);
    expect((await request('/api/statistics/staff-behavior?from=2026-02-01&to=2026-01-01', { headers: viewer.headers() })).status).toBe(400);
  });
});
