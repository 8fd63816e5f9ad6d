import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerPage } from '../../common/customers.schema.ts';
import type { Segment } from '../../common/segments.schema.ts';
import type { ContactWayList } from '../../common/contact-way.schema.ts';
import type { CampaignResults, Overview, Trend } from '../../common/statistics.schema.ts';
import {
  Appointment, AuditLog, Campaign, CustomerConsumption, Lead, SendBatch, SendRecipient, SendRun, Tag, TrackedLink, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow,
} from '../../db/entities/index.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
let vipId: number;
let newId: number;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const em = () => db.orm.em.fork();

async function json<T>(session: Session, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await request(path, { ...init, headers: { ...session.headers(), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
  const manager = em();
  const vip = manager.create(Tag, { groupName: '客户等级', name: 'VIP' });
  const fresh = manager.create(Tag, { groupName: '客户等级', name: '新客' });
  manager.create(WeworkContactWay, { configId: 'cfg-xhs', type: 1, scene: 2, state: 'xhs', remark: '小红书秋季', userIds: ['zhangsan'] });
  const now = Date.now();
  const names = ['=HYPERLINK("x")', '陈一', '白二', '安三', '赵四', '钱五'];
  names.forEach((name, i) => {
    const customer = manager.create(WeworkCustomer, { externalUserid: `wmStat${i}`, name, type: 1, addedAt: new Date(now - i * 86_400_000 - 1000) });
    manager.create(WeworkCustomerFollow, {
      customer, staffUserid: i % 2 === 0 ? 'zhangsan' : 'lisi', state: i < 4 ? 'xhs' : 'douyin', addWay: 1,
      followedAt: new Date(now - i * 86_400_000 - 1000), status: i === 5 ? 'lost' : 'active', lostAt: i === 5 ? new Date(now - 1000) : null,
    });
    if (i % 2 === 0) customer.tags.add(vip);
    if (i < 2) customer.tags.add(fresh);
  });
  // A relationship added at 2026-01-01 17:00 UTC is 2026-01-02 01:00 in the clinic (Asia/Shanghai).
  const early = manager.create(WeworkCustomer, { externalUserid: 'wmJan', name: '元旦', type: 1, addedAt: new Date('2026-01-01T17:00:00Z') });
  manager.create(WeworkCustomerFollow, { customer: early, staffUserid: 'zhangsan', state: 'xhs', addWay: 1, followedAt: new Date('2026-01-01T17:00:00Z') });
  await manager.flush();
  vipId = vip.id;
  newId = fresh.id;
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('customer list: sort and tag include/exclude', () => {
  it('sorts by name both ways with a stable tiebreak, and filters by any-of tags minus excluded tags', async () => {
    const asc = await json<CustomerPage>(viewer, '/api/customers?sort=name&order=asc&pageSize=100');
    const names = asc.body.items.map((row) => row.name);
    expect(names).toHaveLength(7);
    expect(names).not.toEqual(['元旦', ...['=HYPERLINK("x")', '陈一', '白二', '安三', '赵四', '钱五']]);
    const desc = await json<CustomerPage>(viewer, '/api/customers?sort=name&order=desc&pageSize=100');
    expect(desc.body.items.map((row) => row.name)).toEqual([...names].reverse());
    const vipNotNew = await json<CustomerPage>(viewer, `/api/customers?tagIds=${vipId}&excludeTagIds=${newId}&pageSize=100`);
    expect(vipNotNew.body.items.map((row) => row.externalUserid).sort()).toEqual(['wmStat2', 'wmStat4']);
    const either = await json<CustomerPage>(viewer, `/api/customers?tagIds=${vipId},${newId}&pageSize=100`);
    expect(either.body.total).toBe(4);
  });
});

describe('customer list: tiers (分层)', () => {
  it('shows each customer’s tier and moves it as visits are recorded', async () => {
    const tierOf = async (externalUserid: string) => {
      const { body } = await json<CustomerPage>(viewer, `/api/customers?q=${externalUserid}&pageSize=100`);
      return body.items.find((row) => row.externalUserid === externalUserid)?.tier;
    };
    expect(await tierOf('wmStat0')).toBe('new');
    // Added in January and never seen since: lost.
    expect(await tierOf('wmJan')).toBe('lost');
    const manager = em();
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    manager.create(CustomerConsumption, { externalUserid: 'wmJan', kind: 'purchase', occurredAt: daysAgo(120), source: 'his', externalRef: 'tier-120' });
    await manager.flush();
    expect(await tierOf('wmJan')).toBe('dormant');
    manager.create(CustomerConsumption, { externalUserid: 'wmJan', kind: 'visit', occurredAt: daysAgo(10), source: 'his', externalRef: 'tier-10' });
    await manager.flush();
    expect(await tierOf('wmJan')).toBe('active');
  });
});

describe('/api/segments', () => {
  it('saves a named filter that the list (and campaigns) select by segmentId; viewers read but cannot save', async () => {
    const denied = await json(viewer, '/api/segments', { method: 'POST', body: JSON.stringify({ name: 'VIP', filter: {} }) });
    expect(denied.status).toBe(403);
    const created = await json<Segment>(marketer, '/api/segments', { method: 'POST', body: JSON.stringify({ name: 'VIP 老客', filter: { tagIds: [vipId], excludeTagIds: [newId] } }) });
    expect(created.status).toBe(201);
    expect(created.body.filter).toMatchObject({ tagIds: [vipId], excludeTagIds: [newId] });
    const taken = await json<{ error: { code: string } }>(marketer, '/api/segments', { method: 'POST', body: JSON.stringify({ name: 'VIP 老客', filter: {} }) });
    expect(taken.body.error.code).toBe('segment_name_taken');
    const inSegment = await json<CustomerPage>(viewer, `/api/customers?segmentId=${created.body.id}&pageSize=100`);
    expect(inSegment.body.items.map((row) => row.externalUserid).sort()).toEqual(['wmStat2', 'wmStat4']);
    // The list's own filters narrow the segment further.
    const narrowed = await json<CustomerPage>(viewer, `/api/customers?segmentId=${created.body.id}&staff=zhangsan&q=${encodeURIComponent('赵四')}`);
    expect(narrowed.body.items.map((row) => row.externalUserid)).toEqual(['wmStat4']);
    const listed = await json<{ items: Segment[] }>(viewer, '/api/segments');
    expect(listed.body.items.map((segment) => segment.name)).toEqual(['VIP 老客']);
    const renamed = await json<Segment>(marketer, `/api/segments/${created.body.id}`, { method: 'PUT', body: JSON.stringify({ name: '高价值', filter: { tagIds: [vipId] } }) });
    expect(renamed.body.name).toBe('高价值');
    expect((await json(marketer, `/api/segments/${created.body.id}`, { method: 'DELETE' })).status).toBe(200);
    const gone = await json<{ error: { code: string } }>(viewer, `/api/customers?segmentId=${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('segment_not_found');
  });
});

describe('GET /api/customers/export', () => {
  it('downloads exactly the filtered customers as CSV (formulas defused) and Excel, audited; viewers are refused', async () => {
    expect((await request('/api/customers/export?format=csv', { headers: viewer.headers() })).status).toBe(403);
    const csv = await request(`/api/customers/export?format=csv&tagIds=${vipId}&sort=name&order=asc`, { headers: marketer.headers() });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('external_userid');
    expect(lines).toHaveLength(1 + 3);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).not.toContain('wmStat1,');
    const xlsx = await request(`/api/customers/export?format=xlsx&tagIds=${vipId}`, { headers: marketer.headers() });
    const files = unzipSync(new Uint8Array(await xlsx.arrayBuffer()));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('赵四');
    expect(sheet).not.toContain('陈一');
    const audits = await em().find(AuditLog, { action: 'customer.export' });
    expect(audits).toHaveLength(2);
    expect(audits[0]!.details).toMatchObject({ rows: 3 });
    expect(JSON.stringify(audits.map((audit) => audit.details))).not.toContain('赵四');
  });
});

describe('/api/statistics', () => {
  it('gives the overview: added/lost/net today, 7 and 30 days, the funnel and top channel codes', async () => {
    const { status, body } = await json<Overview>(viewer, '/api/statistics/overview');
    expect(status).toBe(200);
    expect(body.periods.today.added).toBe(1);
    expect(body.periods.last7).toEqual({ added: 6, lost: 1, net: 5 });
    expect(body.periods.last30.added).toBe(6);
    expect(body.funnel).toEqual({ added: 6, leads: 0, appointments: 0, consumptions: 0 });
    expect(body.topCodes[0]).toEqual({ state: 'xhs', remark: '小红书秋季', added: 4, lost: 0 });
    expect(body.topCodes[1]).toMatchObject({ state: 'douyin', added: 2, lost: 1 });
  });

  it('fills the funnel from booked (not cancelled) appointments and visits of customers added in the last 30 days', async () => {
    const manager = em();
    const [first, second] = await Promise.all([manager.findOneOrFail(WeworkCustomer, { externalUserid: 'wmStat0' }), manager.findOneOrFail(WeworkCustomer, { externalUserid: 'wmStat1' })]);
    const startsAt = new Date(Date.now() + 86_400_000);
    manager.create(Appointment, { customer: first, externalUserid: 'wmStat0', staffUserid: 'zhangsan', project: '水光针', startsAt });
    manager.create(Appointment, { customer: second, externalUserid: 'wmStat1', staffUserid: 'lisi', project: '热玛吉', startsAt, status: 'cancelled', cancelledAt: new Date() });
    // The early customer (added in January) has visited too, but is outside the 30-day funnel.
    for (const externalUserid of ['wmStat0', 'wmStat2', 'wmJan']) {
      manager.create(CustomerConsumption, { externalUserid, kind: 'visit', occurredAt: new Date(), source: 'his', externalRef: `v-${externalUserid}` });
    }
    await manager.flush();
    const { body } = await json<Overview>(viewer, '/api/statistics/overview');
    expect(body.funnel).toEqual({ added: 6, leads: 0, appointments: 1, consumptions: 2 });
  });

  it('lists the latest launched campaigns with their run counts (audience, skipped, submitted, confirmed, delivered, failed, clicked)', async () => {
    const before = await json<CampaignResults>(viewer, '/api/statistics/campaigns');
    expect(before.status).toBe(200);
    expect(before.body.items).toEqual([]);
    const manager = em();
    const content = { text: '秋季焕肤' };
    manager.create(Campaign, { name: '草稿不算', audience: {}, content });
    const campaign = manager.create(Campaign, { name: '秋季焕肤', audience: {}, content, status: 'running', launchedAt: new Date() });
    await manager.flush();
    const run = manager.create(SendRun, { kind: 'campaign', campaignId: campaign.id, messageClass: 'marketing', content, status: 'tracking' });
    await manager.flush();
    const batch = manager.create(SendBatch, { runId: run.id, sender: 'zhangsan', seq: 1, size: 3, state: 'submitted', confirmedAt: new Date() });
    await manager.flush();
    campaign.currentRunId = run.id;
    const rows = [
      { externalUserid: 'wmStat0', state: 'submitted', result: 'delivered' },
      { externalUserid: 'wmStat2', state: 'submitted', result: 'not_friend' },
      { externalUserid: 'wmStat4', state: 'submitted', result: null },
      { externalUserid: 'wmStat1', state: 'skipped', skipReason: 'no_consent' },
    ];
    for (const row of rows) {
      manager.create(SendRecipient, { runId: run.id, sender: row.state === 'skipped' ? null : 'zhangsan', batchId: row.state === 'skipped' ? null : batch.id, ...row });
    }
    manager.create(TrackedLink, { code: 'statclick01', runId: run.id, url: 'https://clinic.example/autumn', clicks: 2 });
    await manager.flush();
    const after = await json<CampaignResults>(viewer, '/api/statistics/campaigns');
    expect(after.body.items).toEqual([{
      id: campaign.id, name: '秋季焕肤', status: 'running', launchedAt: expect.any(String),
      counts: { audience: 4, skipped: 1, submitted: 3, confirmed: 3, delivered: 1, failed: 1, clicked: 2 },
    }]);
  });

  it('buckets by day, week and month in the clinic time zone, per channel and per staff member', async () => {
    const days = await json<Trend>(viewer, '/api/statistics/trend?from=2026-01-01&to=2026-01-03&bucket=day&by=channel');
    expect(days.body.buckets).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(days.body.series).toEqual([expect.objectContaining({ key: 'xhs', label: '小红书秋季', added: [0, 1, 0], totalAdded: 1 })]);
    const weeks = await json<Trend>(viewer, '/api/statistics/trend?from=2025-12-31&to=2026-01-12&bucket=week&by=staff');
    expect(weeks.body.buckets).toEqual(['2025-12-29', '2026-01-05', '2026-01-12']);
    expect(weeks.body.series[0]).toMatchObject({ key: 'zhangsan', added: [1, 0, 0] });
    const bad = await json<{ error: { code: string } }>(viewer, '/api/statistics/trend?from=2026-02-01&to=2026-01-01');
    expect(bad.body.error.code).toBe('invalid_request');
  });

  it('keeps the customer count and the channel codes’ all-time figures exact as customers are lost, re-added, created and erased', async () => {
    const conn = em().getConnection();
    const truth = async () => {
      const [row] = await conn.execute<Array<{ active: string; added: string; lost: string; leads: string }>>(
        `select (select count(*) from wework_customers where not lost) as active,
                (select count(*) from wework_customer_follows where state = 'xhs' and followed_at is not null) as added,
                (select count(*) from wework_customer_follows where state = 'xhs' and lost_at is not null) as lost,
                (select count(*) from leads where source = 'wework_xhs') as leads`);
      return { active: Number(row!.active), added: Number(row!.added), lost: Number(row!.lost), leads: Number(row!.leads) };
    };
    const shown = async () => {
      const overview = await json<Overview>(viewer, '/api/statistics/overview');
      const codes = await json<ContactWayList>(viewer, '/api/contact-ways?sort=net&order=desc');
      const { added, lost, leads } = codes.body.items.find((way) => way.state === 'xhs')!.figures;
      return { active: overview.body.totalCustomers, added, lost, leads };
    };
    // Seven customers, one of whom (wmStat5) lost her only staff member; xhs brought five relationships.
    expect(await shown()).toEqual({ active: 6, added: 5, lost: 0, leads: 0 });
    expect(await shown()).toEqual(await truth());

    // wmStat0 deletes her staff member: one customer fewer, one xhs relationship lost.
    await conn.execute(`update wework_customer_follows set status = 'lost', lost_at = now() where customer_id = (select id from wework_customers where external_userid = 'wmStat0')`);
    expect(await shown()).toEqual({ active: 5, added: 5, lost: 1, leads: 0 });
    // wmStat5 scans the xhs code again and is added by another staff member (with a lead): a customer again.
    const manager = em();
    const lost = await manager.findOneOrFail(WeworkCustomer, { externalUserid: 'wmStat5' });
    manager.create(WeworkCustomerFollow, { customer: lost, staffUserid: 'wangwu', state: 'xhs', addWay: 1, followedAt: new Date() });
    manager.create(Lead, { name: '钱五', source: 'wework_xhs' });
    await manager.flush();
    expect(await shown()).toEqual({ active: 6, added: 6, lost: 1, leads: 1 });
    // wmStat0 adds her staff member back: the same relationship, active again.
    await conn.execute(`update wework_customer_follows set status = 'active', lost_at = null where customer_id = (select id from wework_customers where external_userid = 'wmStat0')`);
    expect(await shown()).toEqual({ active: 7, added: 6, lost: 0, leads: 1 });
    // A customer without relationships yet counts (not lost); erasing one removes her and her relationships' figures.
    // Her visit was recorded before WeCom added her: the funnel counts it from the start; a cancelled booking leaves it.
    const funnel = async () => (await json<Overview>(viewer, '/api/statistics/overview')).body.funnel;
    expect(await funnel()).toEqual({ added: 6, leads: 0, appointments: 1, consumptions: 2 });
    await conn.execute(`insert into customer_consumptions (external_userid, kind, occurred_at, source, external_ref, created_at) values ('wmStatNew', 'visit', now(), 'his', 'v-new', now())`);
    await conn.execute(`insert into wework_customers (created_at, updated_at, external_userid, name, type, added_at) values (now(), now(), 'wmStatNew', '新来', 1, now())`);
    expect((await shown()).active).toBe(8);
    await conn.execute(`update appointments set status = 'cancelled', cancelled_at = now() where external_userid = 'wmStat0'`);
    expect(await funnel()).toEqual({ added: 7, leads: 0, appointments: 0, consumptions: 3 });
    await conn.execute(`delete from wework_customers where external_userid in ('wmStatNew', 'wmStat5')`);
    expect(await shown()).toEqual({ active: 6, added: 5, lost: 0, leads: 1 });
    expect(await shown()).toEqual(await truth());
  });
});
