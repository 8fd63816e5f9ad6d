import { afterEach, describe, expect, it } from 'vitest';
import { decryptMessage, encryptMessage } from '../../sim/crypto.ts';
import { startHarness, startReceiver, wecomDecrypt, wecomSign, xmlTag } from './helpers.ts';
import type { SimHarness } from './helpers.ts';

let h: SimHarness | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await h?.sim.close();
  await receiver?.close();
  h = undefined;
  receiver = undefined;
});

async function newCode(harness: SimHarness, state = 'xhs'): Promise<string> {
  return (await harness.api('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['lisi'], state })).config_id;
}

describe('sim: acting as the customer, callbacks', () => {
  it('scan → the callback URL receives a signed, encrypted add_external_contact with State and WelcomeCode', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'success' }));
    h = await startHarness({ callbackUrl: receiver.url });
    const configId = await newCode(h, 'douyin');
    const scan = await h.control('POST', '/sim/customers/scan', { config_id: configId, wait: true });
    expect(scan.json.delivery.outcome).toBe('delivered');

    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0]!;
    expect(req.method).toBe('POST');
    const { corpId, agentId, token, encodingAesKey } = h.sim.ctx.options;
    expect(xmlTag(req.body, 'ToUserName')).toBe(corpId);
    expect(xmlTag(req.body, 'AgentID')).toBe(agentId);
    const encrypt = xmlTag(req.body, 'Encrypt')!;
    const q = req.url.searchParams;
    expect(q.get('msg_signature')).toBe(wecomSign(token, q.get('timestamp')!, q.get('nonce')!, encrypt));

    const { xml, receiveId, pad } = wecomDecrypt(encodingAesKey, encrypt);
    expect(receiveId).toBe(corpId);
    expect(pad).toBeGreaterThanOrEqual(1);
    expect(pad).toBeLessThanOrEqual(32);
    expect(xmlTag(xml, 'Event')).toBe('change_external_contact');
    expect(xmlTag(xml, 'ChangeType')).toBe('add_external_contact');
    expect(xmlTag(xml, 'FromUserName')).toBe('sys');
    expect(xmlTag(xml, 'UserID')).toBe('lisi');
    expect(xmlTag(xml, 'State')).toBe('douyin');
    expect(xmlTag(xml, 'ExternalUserID')).toBe(scan.json.customer.external_userid);
    expect(xmlTag(xml, 'WelcomeCode')).toBe(scan.json.welcome_code);

    // The new relationship is visible through the API, with the code's state.
    const detail = await h.api('externalcontact/get', undefined, { external_userid: scan.json.customer.external_userid });
    expect(detail.follow_user[0]).toMatchObject({ userid: 'lisi', state: 'douyin', add_way: 1 });
  });

  it('retries a failing receiver 3 times in all and records each attempt', async () => {
    receiver = await startReceiver(() => ({ status: 500 }));
    h = await startHarness({ callbackUrl: receiver.url });
    const scan = await h.control('POST', '/sim/customers/scan', { config_id: await newCode(h), wait: true });
    expect(scan.json.delivery.outcome).toBe('failed');
    expect(receiver.received).toHaveLength(3);
    const { deliveries } = (await h.control('GET', '/sim/deliveries')).json;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 500]);
  });

  it('stops retrying after the first success', async () => {
    receiver = await startReceiver((_req, n) => ({ status: n === 1 ? 503 : 200 }));
    h = await startHarness({ callbackUrl: receiver.url });
    await h.control('POST', '/sim/customers/scan', { config_id: await newCode(h), wait: true });
    await h.sim.controls.waitForDeliveries();
    expect(receiver.received).toHaveLength(2);
    const [d] = (await h.control('GET', '/sim/deliveries')).json.deliveries;
    expect(d).toMatchObject({ outcome: 'delivered', attempts: [{ status: 503 }, { status: 200 }] });
    // Each retry is freshly encrypted and signed: the same event, different ciphertext.
    const enc = receiver.received.map((r) => xmlTag(r.body, 'Encrypt'));
    expect(enc[0]).not.toBe(enc[1]);
    const key = h.sim.ctx.options.encodingAesKey;
    expect(wecomDecrypt(key, enc[0]!).xml).toBe(wecomDecrypt(key, enc[1]!).xml);
  });

  it('counts a slow receiver as a failed attempt (timeout)', async () => {
    receiver = await startReceiver(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { status: 200 };
    });
    h = await startHarness({ callbackUrl: receiver.url, callbackTimeoutMs: 100, callbackAttempts: 2 });
    const scan = await h.control('POST', '/sim/customers/scan', { config_id: await newCode(h), wait: true });
    expect(scan.json.delivery).toMatchObject({ outcome: 'failed', attempts: [{ status: null, error: 'timeout' }, { status: null, error: 'timeout' }] });
  });

  it('emits del_follow_user, del_external_contact and edit_external_contact', async () => {
    receiver = await startReceiver(() => ({ status: 200 }));
    h = await startHarness({ callbackUrl: receiver.url });
    const ids = (await h.api('externalcontact/list', undefined, { userid: 'zhangsan' })).external_userid as string[];
    await h.control('POST', '/sim/customers/edit', { external_userid: ids[0], userid: 'zhangsan', name: '改名了', wait: true });
    await h.control('POST', '/sim/customers/delete-staff', { external_userid: ids[0], userid: 'zhangsan', wait: true });
    await h.control('POST', '/sim/staff/delete-customer', { external_userid: ids[1], userid: 'zhangsan', wait: true });
    const key = h.sim.ctx.options.encodingAesKey;
    const changes = receiver.received.map((r) => xmlTag(wecomDecrypt(key, xmlTag(r.body, 'Encrypt')!).xml, 'ChangeType'));
    expect(changes).toEqual(['edit_external_contact', 'del_follow_user', 'del_external_contact']);
    const gone = await h.api('externalcontact/mark_tag', { userid: 'zhangsan', external_userid: ids[0], add_tag: [[...h.sim.state.tags.keys()][0]] });
    expect(gone.errcode).toBe(84061);
  });

  it('performs the URL verification GET and checks the echoed plaintext', async () => {
    receiver = await startReceiver((req) => {
      const echostr = req.url.searchParams.get('echostr')!;
      return { status: 200, body: wecomDecrypt(h!.sim.ctx.options.encodingAesKey, echostr).xml };
    });
    h = await startHarness({ callbackUrl: receiver.url });
    const check = (await h.control('POST', '/sim/callback/verify', {})).json;
    expect(check).toMatchObject({ ok: true, status: 200 });
    expect(receiver.received[0]!.method).toBe('GET');
  });
});

describe('sim: callback crypto known-answer vector (WeCom doc 91144)', () => {
  const key = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  const echostr = decodeURIComponent('P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D');

  it('re-encrypting the echostr with its random prefix reproduces WeCom’s ciphertext byte for byte', () => {
    expect(decryptMessage(key, echostr)).toEqual({ message: '1616140317555161061', receiveId: 'wx5823bf96d3bd56c7' });
    expect(encryptMessage(key, 'wx5823bf96d3bd56c7', '1616140317555161061', Buffer.from('c41b64491c2468d0'))).toBe(echostr);
    expect(wecomSign('QDG6eK', '1409659589', '263014780', echostr)).toBe('5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3');
  });
});
