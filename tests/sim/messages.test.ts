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

  it('drops app messages past 30 a minute and 1,000 an hour to one member, answering ok as WeCom does', async () => {
    const clock = manualClock();
    h = await startHarness({ now: clock.now });
    const agentid = Number(h.sim.ctx.options.agentId);
    const notice = (touser: string, n: number) => h!.api('message/send', { touser, msgtype: 'text', agentid, text: { content: `新客户 ${n}` } });
    for (let n = 1; n <= 30; n += 1) expect(await notice('zhangsan', n)).toMatchObject({ errcode: 0 });
    // The 31st within the minute is answered like the others and never reaches zhangsan; lisi is not limited by it.
    expect(await notice('zhangsan|lisi', 31)).toMatchObject({ errcode: 0 });
    const delivered = () => h!.control('GET', '/sim/messages?kind=app').then((r) => r.json.messages as Array<{ to: string[]; body: { text: { content: string } } }>);
    const dropped = () => h!.control('GET', '/sim/messages?dropped=1').then((r) => r.json.messages as Array<{ to: string[]; body: { text: { content: string } } }>);
    expect((await delivered()).filter((m) => m.to.includes('zhangsan'))).toHaveLength(30);
    expect((await delivered()).find((m) => m.body.text.content === '新客户 31')?.to).toEqual(['lisi']);
    expect((await dropped()).map((m) => [m.to, m.body.text.content])).toEqual([[['zhangsan'], '新客户 31']]);
    // A minute after the first, the window has room again.
    clock.advance(60_001);
    await notice('zhangsan', 32);
    expect((await delivered()).filter((m) => m.to.includes('zhangsan'))).toHaveLength(31);
    // The hour: 1,000 delivered (30, then one, then 969 at 30 a minute), then nothing until the oldest is an hour old.
    for (let n = 33; n <= 1_002; n += 1) {
      if (n % 30 === 0) clock.advance(60_001);
      await notice('zhangsan', n);
    }
    expect((await delivered()).filter((m) => m.to.includes('zhangsan'))).toHaveLength(1_000);
    expect((await dropped()).at(-1)!.body.text.content).toBe('新客户 1002');
  });
});
