import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, startHarness, type SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

const DAY = 86_400;
/** Midnight in China (UTC+8) of the clinic day holding `ms`, in seconds: WeCom's stat_time. */
const chinaMidnight = (ms: number) => Math.floor((ms / 1000 + 8 * 3600) / DAY) * DAY - 8 * 3600;

describe('sim: get_user_behavior_data (联系客户统计)', () => {
  it('answers one entry per China day of the span; new_contact_cnt counts the relationships really added; several userids are summed', async () => {
    const clock = manualClock(Date.UTC(2025, 5, 15, 4, 0, 0));
    h = await startHarness({ now: clock.now });
    const today = chinaMidnight(clock.now());
    const code = (await h.api('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'], state: 'xhs' })).config_id as string;
    expect((await h.control('POST', '/sim/customers/scan', { config_id: code, wait: true })).status).toBe(200);

    const zhangsan = await h.api('externalcontact/get_user_behavior_data', { userid: ['zhangsan'], start_time: today - 2 * DAY, end_time: today });
    expect(zhangsan.errcode).toBe(0);
    expect(zhangsan.behavior_data.map((d: { stat_time: number }) => d.stat_time)).toEqual([today - 2 * DAY, today - DAY, today]);
    const added = (reply: typeof zhangsan) => reply.behavior_data.at(-1).new_contact_cnt as number;
    const lisi = await h.api('externalcontact/get_user_behavior_data', { userid: ['lisi'], start_time: today, end_time: today });
    const both = await h.api('externalcontact/get_user_behavior_data', { userid: ['zhangsan', 'lisi'], start_time: today, end_time: today });
    expect(added(both)).toBe(added(zhangsan) + added(lisi));
    expect(added(zhangsan)).toBeGreaterThanOrEqual(1);
    // Reply figures only on days with chats, as WeCom documents.
    for (const day of zhangsan.behavior_data) if (day.chat_cnt === 0) expect(day.avg_reply_time ?? 0).toBe(0);
  });

  it('refuses a span over 30 days, a start older than 180 days, no staff, and an unknown userid', async () => {
    h = await startHarness();
    const now = Math.floor(Date.now() / 1000);
    const call = (body: unknown) => h!.api('externalcontact/get_user_behavior_data', body);
    expect((await call({ userid: ['zhangsan'], start_time: now - 31 * DAY, end_time: now })).errcode).not.toBe(0);
    expect((await call({ userid: ['zhangsan'], start_time: now - 181 * DAY, end_time: now - 170 * DAY })).errcode).not.toBe(0);
    expect((await call({ start_time: now - DAY, end_time: now })).errcode).not.toBe(0);
    expect((await call({ userid: ['nobody'], start_time: now - DAY, end_time: now })).errcode).toBe(60111);
    expect((await call({ userid: ['zhangsan'], start_time: now - 30 * DAY, end_time: now })).errcode).toBe(0);
  });
});
