import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { Lead, Tag, WeworkCallbackLog, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow, WeworkMessage } from '../../db/entities/index.ts';
import { createUser, signIn } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let configId: string;

const calls = (api: string) => product.sim.controls.callCount(api);
const em = () => db.orm.em.fork();

/** Waits until the onboarding of `externalUserId` has finished (its callback log is processed). */
async function onboarded(externalUserId: string, timeout = 20_000) {
  await vi.waitFor(async () => {
    const logs = await em().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact', outcome: 'accepted' });
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((log) => log.processed)).toBe(true);
  }, { timeout, interval: 100 });
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  // A 小红书 channel code, created in WeCom through the product's own client, as the dashboard will.
  const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
  const created = await api.contactWay.add({ type: 1, scene: 2, state: 'xiaohongshu', user: ['zhangsan'], remark: '小红书' });
  configId = created.config_id;
  const manager = em();
  manager.create(WeworkContactWay, {
    configId, type: 1, scene: 2, state: 'xiaohongshu', remark: '小红书', userIds: ['zhangsan'],
    welcomeTemplate: { text: '{name}您好！欢迎从{channel}来到我们诊所，我是您的顾问{staff}。接收优惠资讯请点 {consent}' },
  });
  await manager.flush();
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('a customer scans a channel code', () => {
  let externalUserId: string;

  it('is greeted with the channel template, recorded with a lead and the channel tag, and the staff member is told', async () => {
    const scan = product.sim.controls.scan({ config_id: configId, name: '李四' });
    externalUserId = scan.customer.external_userid;
    await scan.done;
    await onboarded(externalUserId);

    const welcomes = product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId));
    expect(welcomes).toHaveLength(1);
    expect(JSON.stringify(welcomes[0]!.body)).toContain('李四您好！欢迎从小红书来到我们诊所，我是您的顾问zhangsan。');
    // {consent} is this customer's own consent page (SPEC §5), which opens.
    const link = /接收优惠资讯请点 (\S+?\/c\/([\w-]+))/.exec(JSON.stringify(welcomes[0]!.body));
    const [consent] = await em().getConnection().execute<Array<{ page_token: string }>>('select page_token from customer_consents where external_userid = ?', [externalUserId]);
    expect(link?.[2]).toBe(consent!.page_token);
    expect((await fetch(`${product.apiUrl}/c/${link![2]}`)).status).toBe(200);

    const customer = await em().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId }, { populate: ['lead', 'tags', 'follows'] });
    expect(customer.name).toBe('李四');
    // The same upsert as the sync's (db/customers.store.ts): WeCom's unionid is kept.
    expect(customer.unionid).toBe(product.sim.state.customers.get(externalUserId)!.unionid);
    expect(customer.lead?.source).toBe('wework_xiaohongshu');
    expect(customer.tags.getItems().map((tag) => `${tag.groupName}/${tag.name}`)).toEqual(['渠道/小红书']);
    expect(customer.follows.getItems()).toMatchObject([{ staffUserid: 'zhangsan', state: 'xiaohongshu', status: 'active', addWay: 1 }]);
    // The timeline (open to viewers) shows the welcome without the page's token: whoever holds it answers for the customer.
    await createUser(db.orm, { username: 'onboarding-viewer', password: 'viewer-pass-1234', role: 'viewer' });
    const viewer = await signIn((path, init) => fetch(`${product.apiUrl}${path}`, init), 'onboarding-viewer', 'viewer-pass-1234');
    const detail = await (await fetch(`${product.apiUrl}/api/customers/${customer.id}`, { headers: viewer.headers() })).json() as { timeline: Array<{ kind: string; title: string; detail: string | null }> };
    expect(detail.timeline.find((entry) => entry.kind === 'message' && entry.title === 'welcome')?.detail).toMatch(/接收优惠资讯请点 \S*\/c\/…$/);
    expect(JSON.stringify(detail)).not.toContain(consent!.page_token);

    const tag = await em().findOneOrFail(Tag, { groupName: '渠道', name: '小红书' });
    expect(tag.wecomTagId).toBeTruthy();
    const inWeCom = product.sim.state.customers.get(externalUserId);
    expect(inWeCom).toBeDefined();
    expect(calls('externalcontact/mark_tag')).toBe(1);
    // WeCom is asked for the customer once: the welcome's read (for {name}) is the one onboarding records.
    expect(calls('externalcontact/get')).toBe(1);

    const alerts = product.sim.controls.messages('app').filter((m) => m.to.includes('zhangsan'));
    expect(alerts.map((m) => JSON.stringify(m.body))).toEqual([expect.stringContaining('新客户 李四 来自小红书')]);
  });

  it('finds the onboarding in Temporal by the customer, the staff member and the channel', async () => {
    const query = `CustomerExternalId = "${externalUserId}" AND StaffUserId = "zhangsan" AND Channel = "xiaohongshu"`;
    await vi.waitFor(async () => {
      const runs = [];
      for await (const run of product.temporal.client.workflow.list({ query })) runs.push(run);
      expect(runs.map((run) => run.type)).toEqual(['onboardCustomerWorkflow']);
      expect(runs[0]!.status.name).toBe('COMPLETED');
    }, { timeout: 10_000, interval: 250 });
  });

  it('treats WeCom redelivering the same event twice more as one event', async () => {
    const delivery = product.sim.controls.deliveries().find((d) => d.xml.includes(externalUserId) && d.changeType === 'add_external_contact')!;
    const before = { markTag: calls('externalcontact/mark_tag'), welcome: calls('externalcontact/send_welcome_msg') };
    for (const response of await Promise.all([deliverAgain(product, delivery.xml), deliverAgain(product, delivery.xml)])) {
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('success');
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const logs = await em().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact' });
    expect(logs.map((log) => log.outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect(new Set(logs.map((log) => log.workflowId)).size).toBe(1);
    expect(await em().count(WeworkCustomer, { externalUserid: externalUserId })).toBe(1);
    expect(await em().count(Lead, { source: 'wework_xiaohongshu' })).toBe(1);
    expect(await em().count(WeworkMessage, { kind: 'welcome', externalUserid: externalUserId })).toBe(1);
    expect(calls('externalcontact/mark_tag')).toBe(before.markTag);
    expect(calls('externalcontact/send_welcome_msg')).toBe(before.welcome);
  });

  it('marks the relationship lost and alerts the staff member when the customer deletes them', async () => {
    const deletion = product.sim.controls.customerDeletesStaff({ userid: 'zhangsan', external_userid: externalUserId });
    await deletion.done;
    await vi.waitFor(async () => {
      const follow = await em().findOneOrFail(WeworkCustomerFollow, { customer: { externalUserid: externalUserId }, staffUserid: 'zhangsan' });
      expect(follow).toMatchObject({ status: 'lost', lostReason: 'customer_deleted_staff' });
    }, { timeout: 15_000, interval: 100 });
    // Their only relationship is gone: the customer now counts as lost (the list's 已流失 filter).
    expect((await em().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId })).lost).toBe(true);
    await vi.waitFor(() => {
      const alerts = product.sim.controls.messages('app').filter((m) => JSON.stringify(m.body).includes('客户流失提醒'));
      expect(alerts).toHaveLength(1);
      expect(JSON.stringify(alerts[0]!.body)).toContain('李四');
    }, { timeout: 10_000, interval: 100 });
  });
});

describe('two different customers added in the same second', () => {
  it('are both onboarded', async () => {
    // Collect the two add events without delivering them, then deliver both with one CreateTime.
    product.sim.controls.setOptions({ callbackUrl: 'http://127.0.0.1:9/unreachable', callbackAttempts: 1 });
    const first = product.sim.controls.scan({ config_id: configId, name: '王五' });
    const second = product.sim.controls.scan({ config_id: configId, name: '赵六' });
    await Promise.all([first.done, second.done]);
    product.sim.controls.setOptions({ callbackUrl: `${product.apiUrl}/api/wework/callback`, callbackAttempts: 3 });
    const sameSecond = (xml: string) => xml.replace(/<CreateTime>\d+<\/CreateTime>/, '<CreateTime>1764000000</CreateTime>');
    const responses = await Promise.all([first, second].map((scan) => deliverAgain(product, sameSecond(scan.delivery.xml))));
    expect(responses.map((response) => response.status)).toEqual([200, 200]);

    for (const scan of [first, second]) await onboarded(scan.customer.external_userid);
    const names = (await em().find(WeworkCustomer, { externalUserid: { $in: [first.customer.external_userid, second.customer.external_userid] } }, { populate: ['lead'] }))
      .map((customer) => [customer.name, customer.lead?.source]);
    expect(names.sort()).toEqual([['王五', 'wework_xiaohongshu'], ['赵六', 'wework_xiaohongshu']]);
  });
});

describe('requests that are not genuine WeCom callbacks', () => {
  const rejections = async () => {
    await product.inbox.refusals.flush();
    const rows = await em().getConnection().execute<Array<{ reason: string; count: string }>>('select reason, count from wework_callback_rejections');
    return Object.fromEntries(rows.map((row) => [row.reason, Number(row.count)]));
  };

  it('get 401 for a forged signature, 400 for a malformed body, 413 when oversized; each is counted, none stored, none starts anything', async () => {
    const delivery = product.sim.controls.deliveries().find((d) => d.changeType === 'add_external_contact')!;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const envelope = product.crypto.encryptCallback(delivery.xml.replace(/<CreateTime>\d+/, '<CreateTime>1700000001'), { timestamp, nonce: 'n1' });
    const url = (signature: string) => `${product.apiUrl}/api/wework/callback?msg_signature=${signature}&timestamp=${timestamp}&nonce=n1`;
    const logsBefore = await em().count(WeworkCallbackLog, {});

    const forged = await fetch(url('0'.repeat(40)), { method: 'POST', body: envelope.body });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("bad_signature");

    const malformed = await fetch(url(envelope.msgSignature), { method: 'POST', body: '<xml><Encrypt>not closed' });
    expect(malformed.status).toBe(400);

    const oversized = await fetch(url(envelope.msgSignature), { method: 'POST', body: `<xml><Encrypt>${'A'.repeat(70 * 1024)}</Encrypt></xml>` });
    expect(oversized.status).toBe(413);

    expect(await rejections()).toMatchObject({ bad_signature: 1, malformed_xml: 1, body_too_large: 1 });
    expect(await em().count(WeworkCallbackLog, {})).toBe(logsBefore);
  });

  it('answers WeCom URL verification with the decrypted echostr', async () => {
    const check = await product.sim.controls.verifyCallbackUrl();
    expect(check).toMatchObject({ ok: true });
  });
});
