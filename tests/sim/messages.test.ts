import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, startHarness } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

async function scan(harness: SimHarness): Promise<{ welcome_code: string; customer: { external_userid: string } }> {
  const way = await harness.api('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'], state: 'xhs' });
  const r = await harness.control('POST', '/sim/customers/scan', { config_id: way.config_id, name: '林小雨' });
  expect(r.status).toBe(200);
  return r.json;
}

describe('sim: welcome and app messages', () => {
  it('accepts a welcome_code once: the second send gets 41051', async () => {
    h = await startHarness();
    const { welcome_code, customer } = await scan(h);
    const send = () => h!.api('externalcontact/send_welcome_msg', { welcome_code, text: { content: '欢迎来到星颜医美' } });
    expect(await send()).toMatchObject({ errcode: 0 });
    expect(await send()).toMatchObject({ errcode: 41051 });
    const msgs = (await h.control('GET', '/sim/messages?kind=welcome')).json.messages;
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ to: [customer.external_userid], from: 'zhangsan', body: { text: { content: '欢迎来到星颜医美' } } });
  });

  it('expires a welcome_code after 20 s (41050), and rejects unknown codes', async () => {
    const clock = manualClock();
    h = await startHarness({ now: clock.now });
    const { welcome_code } = await scan(h);
    clock.advance(20_001);
    expect(await h.api('externalcontact/send_welcome_msg', { welcome_code, text: { content: 'hi' } })).toMatchObject({ errcode: 41050 });
    expect(await h.api('externalcontact/send_welcome_msg', { welcome_code: 'bogus', text: { content: 'hi' } })).toMatchObject({ errcode: 41050 });
  });

  it('message/send reaches staff only and records what was sent', async () => {
    h = await startHarness();
    const agentid = Number(h.sim.ctx.options.agentId);
    const ok = await h.api('message/send', { touser: 'zhangsan|wmSomeCustomer123', msgtype: 'text', agentid, text: { content: '新客户来了' } });
    expect(ok).toMatchObject({ errcode: 0, invaliduser: 'wmSomeCustomer123', msgid: expect.any(String) });
    const customerOnly = await h.api('message/send', { touser: 'wmSomeCustomer123', msgtype: 'text', agentid, text: { content: 'x' } });
    expect(customerOnly).toMatchObject({ errcode: 81013 });
    expect(await h.api('message/send', { touser: 'zhangsan', msgtype: 'text', agentid: 1, text: { content: 'x' } })).toMatchObject({ errcode: 40056 });
    const msgs = (await h.control('GET', '/sim/messages?kind=app')).json.messages;
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ to: ['zhangsan'], body: { msgtype: 'text', text: { content: '新客户来了' } } });
  });

  it('drops a duplicate app message within duplicate_check_interval, as WeCom does, and delivers it after', async () => {
    const clock = manualClock();
    h = await startHarness({ now: clock.now });
    const agentid = Number(h.sim.ctx.options.agentId);
    const notice = (touser: string, content: string) => h!.api('message/send', {
      touser, msgtype: 'text', agentid, text: { content }, enable_duplicate_check: 1, duplicate_check_interval: 600,
    });
    const first = await notice('zhangsan', '新客户 林小雨');
    clock.advance(599_000);
    // Same recipients (in any order) and content: answered with the first message's id, not delivered again.
    expect(await notice('zhangsan', '新客户 林小雨')).toMatchObject({ errcode: 0, msgid: first.msgid });
    // Other content, or other recipients, is another message.
    expect((await notice('zhangsan', '新客户 王芳')).msgid).not.toBe(first.msgid);
    const both = await notice('zhangsan|lisi', '新客户 林小雨');
    expect(await notice('lisi|zhangsan', '新客户 林小雨')).toMatchObject({ msgid: both.msgid });
    expect((await h.control('GET', '/sim/messages?kind=app')).json.messages).toHaveLength(3);
    // Past the interval it is delivered again; after the messages were cleared, too.
    clock.advance(2_000);
    const later = await notice('zhangsan', '新客户 林小雨');
    expect(later.msgid).not.toBe(first.msgid);
    await h.control('DELETE', '/sim/messages');
    expect((await notice('zhangsan', '新客户 林小雨')).msgid).not.toBe(later.msgid);
    expect((await h.control('GET', '/sim/messages?kind=app')).json.messages).toHaveLength(1);
  });
});
