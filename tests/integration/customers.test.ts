import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import type { CustomerDetail, CustomerPage } from '../../common/customers.schema.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { Tag, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createChannelCode, scanAndOnboard } from '../setup/onboarding.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
let scanned: { externalUserId: string; id: number };

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const em = () => db.orm.em.fork();

async function list(session: Session, query: string): Promise<CustomerPage> {
  const response = await request(`/api/customers?${query}`, { headers: session.headers() });
  expect(response.status).toBe(200);
  return (await response.json()) as CustomerPage;
}

/** Customers as a clinic has them: channels, staff, add ways, dates, one lost, tags. */
async function seedCustomers(): Promise<void> {
  const manager = em();
  const vip = manager.create(Tag, { groupName: '客户等级', name: 'VIP' });
  for (let i = 0; i < 30; i += 1) {
    const customer = manager.create(WeworkCustomer, {
      externalUserid: `wmSeed${String(i).padStart(3, '0')}`, name: i === 7 ? '王小美' : `客户${i}`, type: i % 3 === 0 ? 2 : 1,
      addedAt: new Date(Date.UTC(2026, 0, 1 + i, 4)),
    });
    manager.create(WeworkCustomerFollow, {
      customer, staffUserid: i % 2 === 0 ? 'zhangsan' : 'lisi', state: i % 3 === 0 ? 'douyin' : 'xiaohongshu', addWay: i % 5 === 0 ? 2 : 1,
      remark: i === 11 ? '想做玻尿酸' : null, followedAt: new Date(Date.UTC(2026, 0, 1 + i, 4)), status: i === 13 ? 'lost' : 'active',
    });
    if (i % 4 === 0) customer.tags.add(vip);
  }
  await manager.flush();
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
  await createUser(db.orm, { username: 'view', password: 'viewer-pass-12', role: 'viewer' });
  marketer = await signIn(request, 'mkt', 'marketer-pass-1');
  viewer = await signIn(request, 'view', 'viewer-pass-12');
  await seedCustomers();

  // A real onboarding: a customer scans a 小红书 code, the product records and tags them.
  const configId = await createChannelCode(db, product, 'xhs_autumn');
  scanned = await scanAndOnboard(db, product, configId, '<img src=x onerror=alert(1)>');
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('GET /api/customers', () => {
  it('pages newest first with an exact total, and every row says who follows the customer', async () => {
    const first = await list(viewer, 'pageSize=10');
    expect(first.total).toBe(31);
    expect(first.totalIsEstimate).toBe(false);
    expect(first.items).toHaveLength(10);
    // The customer who just scanned was added today: first.
    expect(first.items[0]).toMatchObject({ externalUserid: scanned.externalUserId, name: '<img src=x onerror=alert(1)>', leadStatus: 'new', lost: false });
    expect(first.items[0]!.follows).toMatchObject([{ staffUserid: 'zhangsan', state: 'xhs_autumn', addWay: 1, status: 'active' }]);
    expect(first.items[0]!.tags.map((tag) => `${tag.groupName}/${tag.name}`)).toEqual(['渠道/小红书']);
    expect(first.items[1]!.externalUserid).toBe('wmSeed029');

    const last = await list(viewer, 'pageSize=10&page=4');
    expect(last.items.map((row) => row.externalUserid)).toEqual(['wmSeed000']);
    const all = [...(await list(viewer, 'pageSize=100')).items.map((row) => row.externalUserid)];
    expect(new Set(all).size).toBe(31);
  });

  it('searches name, external id and the staff remark', async () => {
    expect((await list(viewer, `q=${encodeURIComponent('小美')}`)).items.map((row) => row.externalUserid)).toEqual(['wmSeed007']);
    expect((await list(viewer, 'q=seed02')).items.map((row) => row.externalUserid)).toEqual(
      ['wmSeed029', 'wmSeed028', 'wmSeed027', 'wmSeed026', 'wmSeed025', 'wmSeed024', 'wmSeed023', 'wmSeed022', 'wmSeed021', 'wmSeed020']);
    expect((await list(viewer, `q=${encodeURIComponent('玻尿酸')}`)).items.map((row) => row.externalUserid)).toEqual(['wmSeed011']);
    // A % typed by the user is a character, not a wildcard.
    expect((await list(viewer, 'q=%25')).total).toBe(0);
  });

  it('filters by channel, staff, add way, tag, added dates and lost', async () => {
    const douyin = await list(viewer, 'channel=douyin&pageSize=100');
    expect(douyin.total).toBe(10);
    expect(douyin.items.every((row) => row.follows.some((f) => f.state === 'douyin'))).toBe(true);

    const douyinByZhangsan = await list(viewer, 'channel=douyin&staff=zhangsan&pageSize=100');
    expect(douyinByZhangsan.items.map((row) => row.externalUserid).sort()).toEqual(['wmSeed000', 'wmSeed006', 'wmSeed012', 'wmSeed018', 'wmSeed024']);

    expect((await list(viewer, 'addWay=2')).total).toBe(6);
    const vip = await db.orm.em.fork().findOneOrFail(Tag, { name: 'VIP' });
    expect((await list(viewer, `tagId=${vip.id}&pageSize=100`)).items.map((row) => row.externalUserid).sort())
      .toEqual(['wmSeed000', 'wmSeed004', 'wmSeed008', 'wmSeed012', 'wmSeed016', 'wmSeed020', 'wmSeed024', 'wmSeed028']);
    // Dates are the clinic's days (Asia/Shanghai): 2026-01-03 12:00 there is customer 2.
    expect((await list(viewer, 'addedFrom=2026-01-03&addedTo=2026-01-05')).items.map((row) => row.externalUserid)).toEqual(['wmSeed004', 'wmSeed003', 'wmSeed002']);
    const lost = await list(viewer, 'status=lost');
    expect(lost.items.map((row) => [row.externalUserid, row.lost])).toEqual([['wmSeed013', true]]);
    expect((await list(viewer, 'status=active')).total).toBe(30);
  });

  it('refuses a bad filter with a message that names it', async () => {
    const response = await request('/api/customers?pageSize=1000', { headers: viewer.headers() });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('pageSize');
    expect((await request('/api/customers')).status).toBe(401);
  });
});

describe('GET /api/customers/:id', () => {
  it('shows the profile, follows and a timeline with the callback, the welcome message and the onboarding run linked to the Temporal UI', async () => {
    let detail!: CustomerDetail;
    await vi.waitFor(async () => {
      const response = await request(`/api/customers/${scanned.id}`, { headers: viewer.headers() });
      expect(response.status).toBe(200);
      detail = (await response.json()) as CustomerDetail;
      expect(detail.timeline.some((entry) => entry.kind === 'workflow' && entry.title === 'onboardCustomerWorkflow')).toBe(true);
    }, { timeout: 10_000, interval: 250 });
    expect(detail.customer).toMatchObject({ externalUserid: scanned.externalUserId, lead: { source: 'wework_xhs_autumn', status: 'new' } });
    expect(detail.timelineWarning).toBeNull();
    expect(detail.timeline.map((entry) => `${entry.kind}:${entry.title}`)).toEqual(expect.arrayContaining([
      'callback:add_external_contact', 'message:welcome', 'workflow:onboardCustomerWorkflow',
    ]));
    const run = detail.timeline.find((entry) => entry.title === 'onboardCustomerWorkflow')!;
    expect(run.status).toBe('COMPLETED');
    expect(run.temporalUiUrl).toBe(`${inject('temporalUiUrl')}/namespaces/${product.temporal.namespace}/workflows/${encodeURIComponent(run.workflowId!)}/${run.runId}/history`);
    // The link opens a real page of the Temporal UI.
    expect((await fetch(run.temporalUiUrl!)).status).toBe(200);

    expect((await request('/api/customers/999999', { headers: viewer.headers() })).status).toBe(404);
  });
});

describe('PUT /api/customers/:id/tags', () => {
  it('adds a tag locally and in WeCom (mark_tag), and removes it again', async () => {
    const vip = await em().findOneOrFail(Tag, { name: 'VIP' });
    const marksBefore = product.sim.controls.callCount('externalcontact/mark_tag');
    const added = await request(`/api/customers/${scanned.id}/tags`, { method: 'PUT', headers: marketer.headers(), body: JSON.stringify({ add: [vip.id] }) });
    expect(added.status).toBe(200);
    const body = (await added.json()) as { tags: Array<{ name: string; wecomTagId: string | null }>; markedFor: number };
    expect(body.tags.map((tag) => tag.name).sort()).toEqual(['VIP', '小红书']);
    expect(body.markedFor).toBe(1);
    expect(product.sim.controls.callCount('externalcontact/mark_tag')).toBe(marksBefore + 1);
    // WeCom now has the corp tag on the relationship.
    const wecomTagId = body.tags.find((tag) => tag.name === 'VIP')!.wecomTagId!;
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    const inWeCom = await api.customer.get(scanned.externalUserId);
    expect(inWeCom.follow_user[0]!.tags.map((tag) => tag.tag_id)).toContain(wecomTagId);

    const removed = await request(`/api/customers/${scanned.id}/tags`, { method: 'PUT', headers: marketer.headers(), body: JSON.stringify({ remove: [vip.id] }) });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as { tags: Array<{ name: string }> }).tags.map((tag) => tag.name)).toEqual(['小红书']);
    expect((await api.customer.get(scanned.externalUserId)).follow_user[0]!.tags.map((tag) => tag.tag_id)).not.toContain(wecomTagId);
  });

  it('audits the request itself, even when WeCom refuses the change', async () => {
    const vip = await em().findOneOrFail(Tag, { name: 'VIP' });
    product.sim.controls.forceError(48002, 5, 'externalcontact/mark_tag');
    const refused = await request(`/api/customers/${scanned.id}/tags`, { method: 'PUT', headers: marketer.headers(), body: JSON.stringify({ add: [vip.id] }) });
    expect(refused.status).toBe(502);
    const [audit] = await db.orm.em.getConnection().execute<Array<{ actor_username: string; target_id: string; details: { add: number[] } }>>(
      `select actor_username, target_id, details from audit_logs where action = 'customer.tags' order by id desc limit 1`);
    expect(audit).toMatchObject({ actor_username: 'mkt', target_id: String(scanned.id), details: { add: [vip.id] } });
  });

  it('is refused to a viewer (403) and without the CSRF token', async () => {
    const vip = await em().findOneOrFail(Tag, { name: 'VIP' });
    const body = JSON.stringify({ add: [vip.id] });
    expect((await request(`/api/customers/${scanned.id}/tags`, { method: 'PUT', headers: viewer.headers(), body })).status).toBe(403);
    const { 'x-csrf-token': _csrf, ...noCsrf } = marketer.headers();
    expect((await request(`/api/customers/${scanned.id}/tags`, { method: 'PUT', headers: noCsrf, body })).status).toBe(403);
  });
});

describe('POST /api/customers/:externalUserId/messages (发送消息)', () => {
  const send = (session: Session, body: unknown) => request(`/api/customers/${scanned.externalUserId}/messages`, { method: 'POST', headers: session.headers(), body: JSON.stringify(body) });
  /** The 群发 tasks WeCom (the simulator) holds for the onboarded customer, as sender → text. */
  const tasksToCustomer = () => [...product.sim.state.groupMsgs.values()]
    .flatMap((msg) => msg.tasks.filter((task) => task.external_userids.includes(scanned.externalUserId)).map((task) => ({ sender: task.userid, text: (msg.text as { content?: string } | undefined)?.content })));
  const directRuns = async () => (await em().getConnection().execute<Array<{ n: string }>>(`select count(*) as n from send_runs where kind = 'direct'`))[0]!.n;

  it('refuses marketing to a customer who has not consented, at once and with the fix, and sends nothing', async () => {
    const refused = await send(marketer, { content: { text: '双十二水光针限时优惠' } });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'no_consent', message: expect.stringContaining('care message') });
    expect(await directRuns()).toBe('0');
    expect(tasksToCustomer()).toEqual([]);
  });

  it('sends a care message without marketing consent: one task for this customer from the staff member who follows them', async () => {
    const sent = await send(marketer, { content: { text: '术后第3天回访：恢复得怎么样？' }, messageClass: 'care' });
    expect(sent.status).toBe(202);
    const { runId } = (await sent.json()) as { runId: number };
    await vi.waitFor(() => expect(tasksToCustomer()).toEqual([{ sender: 'zhangsan', text: '术后第3天回访：恢复得怎么样？' }]), { timeout: 30_000, interval: 200 });
    const run = await (await request(`/api/send-runs/${runId}`, { headers: viewer.headers() })).json();
    expect(run).toMatchObject({ kind: 'direct' });
    const [row] = await em().getConnection().execute<Array<{ message_class: string }>>('select message_class from send_runs where id = ?', [runId]);
    expect(row!.message_class).toBe('care');
    const [audit] = await em().getConnection().execute<Array<{ details: Record<string, unknown> }>>(`select details from audit_logs where action = 'message.direct' order by id desc limit 1`);
    expect(audit!.details).toEqual({ runId, messageClass: 'care' });
  });

  it('refuses a care message to a customer who asked for none, and a viewer altogether', async () => {
    const consentPath = `/api/consents/${scanned.externalUserId}`;
    // Only those who manage consent may record the opt-out.
    expect((await request(`${consentPath}/care`, { method: 'PUT', headers: viewer.headers(), body: JSON.stringify({ optOut: true }) })).status).toBe(403);
    const optOut = await request(`${consentPath}/care`, { method: 'PUT', headers: marketer.headers(), body: JSON.stringify({ optOut: true }) });
    expect(await optOut.json()).toEqual({ careOptOut: true });
    expect(await (await request(consentPath, { headers: viewer.headers() })).json()).toMatchObject({ marketing: 'none', careOptOut: true });
    const before = await directRuns();
    const refused = await send(marketer, { content: { text: '复诊提醒' }, messageClass: 'care' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('care_opt_out');
    expect((await send(viewer, { content: { text: '复诊提醒' }, messageClass: 'care' })).status).toBe(403);
    expect(await directRuns()).toBe(before);
    const [audit] = await em().getConnection().execute<Array<{ actor_username: string; details: unknown }>>(`select actor_username, details from audit_logs where action = 'consent.care' order by id desc limit 1`);
    expect(audit).toEqual({ actor_username: 'mkt', details: { optOut: true } });
  });

  it('sends marketing once staff have recorded the customer\'s consent with its evidence', async () => {
    const recorded = await request(`/api/consents/${scanned.externalUserId}`, {
      method: 'POST', headers: marketer.headers(), body: JSON.stringify({ marketing: 'granted', evidence: '到店签署同意书 #2026-118' }),
    });
    expect(recorded.status).toBe(200);
    expect((await send(marketer, { content: { text: '双十二水光针限时优惠' } })).status).toBe(202);
  });

  it('sends once however often a request with the same Idempotency-Key is sent (a retry after a lost answer)', async () => {
    const withKey = (key: string, body: unknown, to = scanned.externalUserId) => request(`/api/customers/${to}/messages`, {
      method: 'POST', headers: { ...marketer.headers(), 'idempotency-key': key }, body: JSON.stringify(body),
    });
    const text = '圣诞节护理套餐已为您预留，欢迎到店。';
    const before = await directRuns();
    const answers = await Promise.all([1, 2, 3].map(() => withKey('retry-key-0001', { content: { text } })));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const runIds = await Promise.all(answers.map(async (a) => ((await a.json()) as { runId: number }).runId));
    expect(new Set(runIds).size).toBe(1);
    expect(Number(await directRuns())).toBe(Number(before) + 1);
    await vi.waitFor(() => expect(tasksToCustomer().filter((task) => task.text === text)).toHaveLength(1), { timeout: 30_000, interval: 200 });
    // The same key for another customer is a client's mistake, said as such; a key that is no key is refused.
    const reused = await withKey('retry-key-0001', { content: { text }, messageClass: 'care' }, 'wmSeed002');
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string; field?: string } }).error).toMatchObject({ code: 'invalid_request', field: 'Idempotency-Key' });
    expect((await withKey('x', { content: { text } })).status).toBe(400);
    expect(Number(await directRuns())).toBe(Number(before) + 1);
  });
});
