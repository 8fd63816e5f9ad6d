import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock, startHarness } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

async function results(harness: SimHarness, msgid: string, userid: string): Promise<Record<string, number>> {
  const r = await harness.api('externalcontact/get_groupmsg_send_result', { msgid, userid });
  return Object.fromEntries(r.send_list.map((x: { external_userid: string; status: number }) => [x.external_userid, x.status]));
}

describe('sim: 企业群发 group messages', () => {
  it('creates a task that the staff member confirms after the delay; results per customer', async () => {
    // No automatic confirmation until the task has been looked at unconfirmed (a timer would race a loaded machine).
    h = await startHarness({ groupMsgConfirmDelayMs: null });
    const ids = (await h.api('externalcontact/list', undefined, { userid: 'zhangsan' })).external_userid.slice(0, 3) as string[];
    const created = await h.api('externalcontact/add_msg_template', {
      chat_type: 'single', sender: 'zhangsan', external_userid: [...ids, 'wmNotACustomer000000'], text: { content: '六月会员日' },
    });
    expect(created).toMatchObject({ errcode: 0, msgid: expect.any(String), fail_list: ['wmNotACustomer000000'] });
    expect((await h.api('externalcontact/get_groupmsg_task', { msgid: created.msgid })).task_list).toEqual([{ userid: 'zhangsan', status: 0 }]);
    expect(Object.values(await results(h, created.msgid, 'zhangsan'))).toEqual([0, 0, 0]);

    // A customer deletes the member before confirmation: status 2.
    await h.control('POST', '/sim/customers/delete-staff', { external_userid: ids[2], userid: 'zhangsan' });
    h.sim.controls.confirmGroupMsg(created.msgid);
    expect((await h.api('externalcontact/get_groupmsg_task', { msgid: created.msgid })).task_list[0]).toMatchObject({ userid: 'zhangsan', status: 2 });
    expect(await results(h, created.msgid, 'zhangsan')).toEqual({ [ids[0]!]: 1, [ids[1]!]: 1, [ids[2]!]: 2 });

    // With a delay set, the simulated staff member confirms on their own after it.
    h.sim.controls.setOptions({ groupMsgConfirmDelayMs: 50 });
    const later = await h.api('externalcontact/add_msg_template', { chat_type: 'single', sender: 'zhangsan', external_userid: ids.slice(0, 2), text: { content: '七月会员日' } });
    await vi.waitFor(async () => {
      expect((await h!.api('externalcontact/get_groupmsg_task', { msgid: later.msgid })).task_list[0]).toMatchObject({ status: 2 });
    }, { timeout: 10_000, interval: 50 });
    const list = await h.api('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: Math.floor(Date.now() / 1000) - 3600, end_time: Math.floor(Date.now() / 1000) + 60 });
    expect(list.group_msg_list.map((m: { msgid: string }) => m.msgid)).toContain(created.msgid);
    // As WeCom documents: a task made through the API carries no creator, so a creator filter does not find it.
    expect(list.group_msg_list.find((m: { msgid: string }) => m.msgid === created.msgid)).not.toHaveProperty('creator');
    const byCreator = await h.api('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', creator: 'zhangsan', start_time: Math.floor(Date.now() / 1000) - 3600, end_time: Math.floor(Date.now() / 1000) + 60 });
    expect(byCreator.group_msg_list).toEqual([]);
  });

  it('caps each customer at "days in this month" mass messages (status 3)', async () => {
    const clock = manualClock(Date.UTC(2025, 5, 10)); // June: 30 days
    h = await startHarness({ now: clock.now });
    const id = (await h.api('externalcontact/list', undefined, { userid: 'lisi' })).external_userid[0] as string;
    let last = '';
    for (let i = 0; i < 31; i++) {
      last = (await h.api('externalcontact/add_msg_template', { sender: 'lisi', external_userid: [id], text: { content: `第${i + 1}条` } })).msgid;
      h.sim.controls.confirmGroupMsg(last);
      if (i === 29) expect(await results(h, last, 'lisi')).toEqual({ [id]: 1 });
    }
    expect(await results(h, last, 'lisi')).toEqual({ [id]: 3 });
  });

  it('rejects > 10,000 recipients and a batch with nobody to send to (41048); cancel leaves tasks unsent', async () => {
    h = await startHarness();
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `wm${i}`);
    expect((await h.api('externalcontact/add_msg_template', { sender: 'lisi', external_userid: tooMany, text: { content: 'x' } })).errcode).toBe(40058);
    expect((await h.api('externalcontact/add_msg_template', { sender: 'lisi', external_userid: ['wmNobody0000'], text: { content: 'x' } })).errcode).toBe(41048);
    const id = (await h.api('externalcontact/list', undefined, { userid: 'lisi' })).external_userid[0];
    const { msgid } = await h.api('externalcontact/add_msg_template', { sender: 'lisi', external_userid: [id], text: { content: 'x' } });
    expect((await h.api('externalcontact/cancel_groupmsg_send', { msgid })).errcode).toBe(0);
    expect(h.sim.controls.confirmGroupMsg(msgid)).toBe(0);
    expect(await results(h, msgid, 'lisi')).toEqual({ [id]: 0 });
    for (let i = 0; i < 3; i++) expect((await h.api('externalcontact/remind_groupmsg_send', { msgid })).errcode).toBe(0);
    expect((await h.api('externalcontact/remind_groupmsg_send', { msgid })).errcode).not.toBe(0);
  });
});
