import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerPage } from '../../common/customers.schema.ts';
import type { Segment } from '../../common/segments.schema.ts';
import { CustomerConsumption, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

// The customer list's tier, birthday-month and no-visit filters and its last-visit, spend and
// birthday sorts, asked over HTTP as the dashboard asks, against a real PostgreSQL.

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const em = () => db.orm.em.fork();
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

async function json<T>(session: Session, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await request(path, { ...init, headers: { ...session.headers(), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  return { status: response.status, body: (await response.json()) as T };
}

/** External ids of the list's answer to `query`, in the order given. */
async function listed(query: string): Promise<string[]> {
  const { status, body } = await json<CustomerPage>(viewer, `/api/customers?pageSize=100&${query}`);
  expect(status).toBe(200);
  return body.items.map((row) => row.externalUserid);
}

/**
 * Ten customers, all added 400 days ago: visits and purchases at various ages (wmS0…wmS5), none
 * for wmS6…wmS9; birthdays in several months (two sharing one, for the id tiebreak), two unknown.
 */
const CUSTOMERS: Array<{ key: string; birthday: string | null; visits: Array<{ days: number; fen: number }>; channels: string[] }> = [
  { key: 'wmS0', birthday: '1990-03-08', visits: [{ days: 5, fen: 380_000 }], channels: ['xhs'] }, // new (first visit 5 days ago)
  { key: 'wmS1', birthday: '1988-03-08', visits: [{ days: 200, fen: 120_000 }, { days: 40, fen: 0 }], channels: ['xhs', 'xhs'] }, // active
  { key: 'wmS2', birthday: '1995-07-01', visits: [{ days: 300, fen: 120_000 }, { days: 120, fen: 50_000 }], channels: ['douyin'] }, // dormant
  { key: 'wmS3', birthday: '1979-12-31', visits: [{ days: 365, fen: 990_000 }], channels: ['douyin'] }, // lost (a year ago)
  { key: 'wmS4', birthday: '2000-01-01', visits: [{ days: 100, fen: 0 }], channels: ['xhs'] }, // dormant (visit only)
  { key: 'wmS5', birthday: null, visits: [{ days: 60, fen: 20_000 }], channels: ['douyin'] }, // active
  { key: 'wmS6', birthday: '1991-03-20', visits: [], channels: ['xhs'] }, // lost (never seen, added long ago)
  { key: 'wmS7', birthday: '1993-10-10', visits: [], channels: ['douyin'] },
  { key: 'wmS8', birthday: null, visits: [], channels: ['xhs'] },
  { key: 'wmS9', birthday: '1999-06-15', visits: [], channels: ['douyin'] },
];

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
  const manager = em();
  for (const item of CUSTOMERS) {
    const customer = manager.create(WeworkCustomer, {
      externalUserid: item.key, name: `顾客${item.key.slice(3)}`, type: 1, addedAt: daysAgo(400),
      birthday: item.birthday, // a date column: 'YYYY-MM-DD'
    });
    item.channels.forEach((state, index) => manager.create(WeworkCustomerFollow, {
      customer, staffUserid: index === 0 ? 'zhangsan' : 'lisi', state, addWay: 1, followedAt: daysAgo(400),
    }));
  }
  await manager.flush();
  // Visits arrive after the customers exist, one import per customer (as the clinic's file does).
  for (const item of CUSTOMERS) {
    const writer = em();
    item.visits.forEach((visit, index) => writer.create(CustomerConsumption, {
      externalUserid: item.key, kind: visit.fen > 0 ? 'purchase' : 'visit', occurredAt: daysAgo(visit.days), amountFen: BigInt(visit.fen),
      source: 'his', externalRef: `${item.key}-${index}`,
    }));
    await writer.flush();
  }
});

afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('customer list filters: tier, birthday month, no visit in N days', () => {
  it('selects by tier (any of several), as each row’s tier badge shows', async () => {
    expect(await listed('tiers=dormant&sort=name&order=asc')).toEqual(['wmS2', 'wmS4']);
    expect((await listed('tiers=new,active')).sort()).toEqual(['wmS0', 'wmS1', 'wmS5']);
    expect((await listed('tiers=lost')).sort()).toEqual(['wmS3', 'wmS6', 'wmS7', 'wmS8', 'wmS9']);
    const { body } = await json<CustomerPage>(viewer, '/api/customers?tiers=dormant');
    expect(body.items.map((row) => row.tier)).toEqual(['dormant', 'dormant']);
    expect(body.total).toBe(2);
  });

  it('selects by birthday month, and by no visit in the last N days (never seen included)', async () => {
    expect((await listed('birthdayMonth=3')).sort()).toEqual(['wmS0', 'wmS1', 'wmS6']);
    expect(await listed('birthdayMonth=2')).toEqual([]);
    expect((await listed('noConsumptionDays=90')).sort()).toEqual(['wmS2', 'wmS3', 'wmS4', 'wmS6', 'wmS7', 'wmS8', 'wmS9']);
    expect((await listed('noConsumptionDays=30')).sort()).toEqual(['wmS1', 'wmS2', 'wmS3', 'wmS4', 'wmS5', 'wmS6', 'wmS7', 'wmS8', 'wmS9']);
    // Combined with the other filters (AND).
    expect(await listed('noConsumptionDays=90&birthdayMonth=3&channel=xhs')).toEqual(['wmS6']);
  });

  it('refuses a month or a day count out of range with a 400 naming the field', async () => {
    const month = await json<{ error: { code: string; message: string } }>(viewer, '/api/customers?birthdayMonth=13');
    expect(month.status).toBe(400);
    expect(month.body.error.message).toContain('birthdayMonth');
    expect((await json(viewer, '/api/customers?noConsumptionDays=0')).status).toBe(400);
    expect((await json(viewer, '/api/customers?tiers=vip')).status).toBe(400);
  });

  it('saves the three filters in a segment that selects the same customers, and exports them with tier, last visit, spend and birthday', async () => {
    const created = await json<Segment>(marketer, '/api/segments', {
      method: 'POST', body: JSON.stringify({ name: '三月沉睡', filter: { tiers: ['lost', 'dormant'], birthdayMonth: 3, noConsumptionDays: 90 } }),
    });
    expect(created.status).toBe(201);
    expect(created.body.filter).toMatchObject({ tiers: ['lost', 'dormant'], birthdayMonth: 3, noConsumptionDays: 90 });
    expect(await listed(`segmentId=${created.body.id}`)).toEqual(['wmS6']);

    const csv = await request('/api/customers/export?format=csv&tiers=dormant&sort=spend&order=desc', { headers: marketer.headers() });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('分层');
    expect(lines[0]).toContain('消费总额（元）');
    expect(lines).toHaveLength(3);
    // wmS2 spent ¥1,700 (before wmS4's ¥0), its last visit 120 days ago, born 1995-07-01.
    expect(lines[1]).toContain('wmS2');
    expect(lines[1]).toContain('沉睡');
    expect(lines[1]).toContain(',1700,1995-07-01');
    expect(lines[2]).toContain('wmS4');
  });
});

describe('customer list sorts: last visit, total spend, next birthday', () => {
  it('sorts by last visit both ways, customers never seen last when the latest comes first', async () => {
    const latest = await listed('sort=lastVisit&order=desc');
    expect(latest).toEqual(['wmS0', 'wmS1', 'wmS5', 'wmS4', 'wmS2', 'wmS3', 'wmS9', 'wmS8', 'wmS7', 'wmS6']);
    expect(await listed('sort=lastVisit&order=asc')).toEqual([...latest].reverse());
    const { body } = await json<CustomerPage>(viewer, '/api/customers?sort=lastVisit&order=desc&pageSize=1');
    expect(new Date(body.items[0]!.lastVisitAt!).getTime()).toBeCloseTo(daysAgo(5).getTime(), -5);
  });

  it('sorts by total spend with the id breaking ties, and pages without repeating or skipping anyone', async () => {
    const most = await listed('sort=spend&order=desc');
    expect(most.slice(0, 4)).toEqual(['wmS3', 'wmS0', 'wmS2', 'wmS1']);
    // Five customers spent nothing: the newest id first when descending.
    expect(most.slice(5)).toEqual(['wmS9', 'wmS8', 'wmS7', 'wmS6', 'wmS4']);
    expect(await listed('sort=spend&order=asc')).toEqual([...most].reverse());
    const pages: string[] = [];
    for (let page = 1; page <= 4; page += 1) {
      const { body } = await json<CustomerPage>(viewer, `/api/customers?sort=spend&order=desc&pageSize=3&page=${page}`);
      pages.push(...body.items.map((row) => row.externalUserid));
    }
    expect(pages).toEqual(most);
    const { body } = await json<CustomerPage>(viewer, '/api/customers?sort=spend&order=desc&pageSize=1');
    expect(body.items[0]!.spendFen).toBe(990_000);
  });

  it('sorts by birthday with the next one coming first (the clinic’s today), unknown birthdays last', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' }).format(new Date()).replace('-', '');
    const md = (birthday: string) => birthday.slice(5).replace('-', '');
    const known = CUSTOMERS.filter((item) => item.birthday !== null).map((item, index) => ({ ...item, index, md: md(item.birthday!) }));
    // Coming this year (today included) first, then next year's, by month-day, then by id (the insertion order here).
    const expected = [
      ...known.filter((item) => item.md >= today).sort((a, b) => a.md.localeCompare(b.md) || a.index - b.index),
      ...known.filter((item) => item.md < today).sort((a, b) => a.md.localeCompare(b.md) || a.index - b.index),
    ].map((item) => item.key);
    const upcoming = await listed('sort=birthday&order=asc');
    expect(upcoming).toEqual([...expected, 'wmS5', 'wmS8']);
    expect(await listed('sort=birthday&order=desc')).toEqual([...upcoming].reverse());
    // wmS0 and wmS1 share 03-08: next to each other, the smaller id first.
    expect(upcoming.indexOf('wmS1') - upcoming.indexOf('wmS0')).toBe(1);
    // Paging through the three parts of the order gives the same sequence.
    const pages: string[] = [];
    for (let page = 1; page <= 4; page += 1) {
      const { body } = await json<CustomerPage>(viewer, `/api/customers?sort=birthday&order=asc&pageSize=3&page=${page}`);
      pages.push(...body.items.map((row) => row.externalUserid));
      expect(body.total).toBe(10);
    }
    expect(pages).toEqual(upcoming);
    // Sorting and filtering together.
    expect(await listed('sort=birthday&order=asc&channel=douyin&birthdayMonth=7')).toEqual(['wmS2']);
  });

  it('refuses a column that is not sortable', async () => {
    const refused = await json<{ error: { message: string } }>(viewer, '/api/customers?sort=external_userid');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('sort');
  });
});

describe('customer figures kept by the database', () => {
  it('moves last visit, spend and tier when a visit is added, changed or deleted, and counts a channel’s customers once', async () => {
    const row = async (key: string) => (await json<CustomerPage>(viewer, `/api/customers?q=${key}`)).body.items[0]!;
    expect(await row('wmS7')).toMatchObject({ tier: 'lost', spendFen: 0, lastVisitAt: null });
    const manager = em();
    const visit = manager.create(CustomerConsumption, { externalUserid: 'wmS7', kind: 'purchase', occurredAt: daysAgo(100), amountFen: 66_600n, source: 'his', externalRef: 'wmS7-a' });
    await manager.flush();
    expect(await row('wmS7')).toMatchObject({ tier: 'dormant', spendFen: 66_600 });
    visit.occurredAt = daysAgo(50);
    await manager.flush();
    expect((await row('wmS7')).tier).toBe('active');
    manager.remove(visit);
    await manager.flush();
    expect(await row('wmS7')).toMatchObject({ tier: 'lost', spendFen: 0, lastVisitAt: null });

    // A visit recorded before WeCom brings the customer counts once the customer arrives.
    const early = em();
    early.create(CustomerConsumption, { externalUserid: 'wmLate', kind: 'purchase', occurredAt: daysAgo(3), amountFen: 12_300n, source: 'his', externalRef: 'late-1' });
    await early.flush();
    early.create(WeworkCustomer, { externalUserid: 'wmLate', name: '后到', type: 1, addedAt: daysAgo(1) });
    await early.flush();
    expect(await row('wmLate')).toMatchObject({ spendFen: 12_300, tier: 'new' });
    expect((await listed('sort=lastVisit&order=desc'))[0]).toBe('wmLate');

    // wmS1 is followed twice through xhs: one customer, counted once.
    const xhs = await json<CustomerPage>(viewer, '/api/customers?channel=xhs&pageSize=100');
    expect(xhs.body.items.map((item) => item.externalUserid).sort()).toEqual(['wmS0', 'wmS1', 'wmS4', 'wmS6', 'wmS8']);
    expect(xhs.body.total).toBe(5);
    expect(xhs.body.totalIsEstimate).toBe(false);
    expect((await json<CustomerPage>(viewer, '/api/customers?channel=xhs&staff=lisi')).body.total).toBe(1);
  });

  it('selects by tier exactly the customers whose badge shows that tier (every customer in one tier)', async () => {
    const manager = em();
    // Never seen, added last week: new without a visit.
    manager.create(WeworkCustomer, { externalUserid: 'wmFresh', name: '新来', type: 1, addedAt: daysAgo(7) });
    await manager.flush();
    const all = (await json<CustomerPage>(viewer, '/api/customers?pageSize=100')).body.items;
    const seen: string[] = [];
    for (const tier of ['new', 'active', 'dormant', 'lost'] as const) {
      const rows = (await json<CustomerPage>(viewer, `/api/customers?tiers=${tier}&pageSize=100`)).body.items;
      expect(rows.map((row) => row.tier)).toEqual(rows.map(() => tier));
      seen.push(...rows.map((row) => row.externalUserid));
    }
    expect(seen.sort()).toEqual(all.map((row) => row.externalUserid).sort());
    expect(all.find((row) => row.externalUserid === 'wmFresh')?.tier).toBe('new');
  });
});
