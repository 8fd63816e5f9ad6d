import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { WeworkCallbackInbox, WeworkCallbackLog, WeworkCustomer, WeworkMessage } from '../../db/entities/index.ts';
import { CallbackInboxStore } from '../../db/callback-inbox.store.ts';
import { addLogSink } from '../../logging/logger.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { createUser, signIn, signInAsEveryRole, type Session } from '../setup/auth.ts';
import { createChannelCode, deliverAgain, startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The callback endpoint as WeCom (and anyone else) sees it over HTTP: 200 once the event is durable,
 * 503 only when PostgreSQL cannot take it, redeliveries counted on one inbox row, refused requests
 * counted without a row each, and the inbox's relay and health figures.
 */

let db: TestDatabase;
let product: TestProduct;
let configId: string;
let admin: Session;
const em = () => db.orm.em.fork();

/** Collects a scan's add event without delivering it, so the test delivers it by hand. */
async function undeliveredScan(name: string) {
  product.sim.controls.setOptions({ callbackUrl: 'http://127.0.0.1:9/unreachable', callbackAttempts: 1 });
  const scan = product.sim.controls.scan({ config_id: configId, name });
  await scan.done;
  product.sim.controls.setOptions({ callbackUrl: `${product.apiUrl}/api/wework/callback`, callbackAttempts: 3 });
  return { externalUserId: scan.customer.external_userid, xml: scan.delivery.xml };
}

async function onboarded(externalUserId: string, timeout = 30_000) {
  await vi.waitFor(async () => {
    const logs = await em().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact', outcome: 'accepted' });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.processed).toBe(true);
  }, { timeout, interval: 100 });
}

const staffAlertsAbout = (name: string) => product.sim.controls.messages('app').filter((m) => JSON.stringify(m.body).includes(name)).length;

/** Runs SQL as the cluster's superuser on the `postgres` database (to lock the test database out). */
async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('templateDatabaseUrl').replace(/\/[^/]+$/, '/postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { relayPollMs: 500 });
  configId = await createChannelCode(db, product, { state: 'launch', remark: '发布会', welcome: '{name}您好' });
  await createUser(db.orm, { username: 'inbox-admin', password: 'inbox-admin-password', role: 'admin' });
  admin = await signIn((path, init) => fetch(`${product.apiUrl}${path}`, init), 'inbox-admin', 'inbox-admin-password');
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('WeCom delivering one event several times at once', () => {
  it('keeps one inbox row with the delivery count, logs each delivery, and onboards once', async () => {
    const { externalUserId, xml } = await undeliveredScan('钱一');
    const responses = await Promise.all([1, 2, 3].map(() => deliverAgain(product, xml)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(['success', 'success', 'success']);
    await onboarded(externalUserId);

    const logs = await em().find(WeworkCallbackLog, { externalUserid: externalUserId });
    expect(logs.map((l) => l.outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    const rows = await em().find(WeworkCallbackInbox, { dedupeKey: logs[0]!.dedupeKey! });
    expect(rows).toMatchObject([{ deliveries: 3, status: 'dispatched' }]);
    expect(product.sim.controls.messages('welcome').filter((m) => m.to.includes(externalUserId))).toHaveLength(1);
    expect(staffAlertsAbout('钱一')).toBe(1);
  });

  it('after the row was pruned, a late redelivery finds the workflow already run and changes nothing', async () => {
    const { externalUserId, xml } = await undeliveredScan('孙二');
    expect((await deliverAgain(product, xml)).status).toBe(200);
    await onboarded(externalUserId);
    await product.inbox.dispatcher.idle();
    expect(await product.inbox.store.prune(0)).toBeGreaterThan(0);

    expect((await deliverAgain(product, xml)).status).toBe(200);
    await vi.waitFor(async () => {
      const row = await em().findOneOrFail(WeworkCallbackInbox, { dedupeKey: { $like: `%${externalUserId}%` } });
      expect(row.status).toBe('dispatched');
    }, { timeout: 10_000, interval: 100 });
    expect(staffAlertsAbout('孙二')).toBe(1);
    expect(await em().count(WeworkMessage, { kind: 'welcome', externalUserid: externalUserId })).toBe(1);
  });
});

describe('PostgreSQL unable to take the event', () => {
  it('answers 503, and WeCom\'s retry after it is back is processed once', async () => {
    const { externalUserId, xml } = await undeliveredScan('李三');
    const name = new URL(db.url).pathname.slice(1);
    await asAdmin(`alter database "${name}" allow_connections false`);
    try {
      await asAdmin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
      const refused = await deliverAgain(product, xml);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
    } finally {
      await asAdmin(`alter database "${name}" allow_connections true`);
    }
    const retried = await deliverAgain(product, xml);
    expect(retried.status).toBe(200);
    await onboarded(externalUserId);
    expect(await em().count(WeworkCallbackLog, { externalUserid: externalUserId })).toBe(1);
    expect(await em().count(WeworkCustomer, { externalUserid: externalUserId })).toBe(1);
    expect(staffAlertsAbout('李三')).toBe(1);
  });
});

describe('the relay', () => {
  it('moves an event that can never start to the dead letters with its reason, and still starts the one behind it', async () => {
    const { externalUserId, xml } = await undeliveredScan('周四');
    // A row as an older version might have left it: its stored event cannot be read any more.
    await em().getConnection().execute(`insert into wework_callback_inbox (dedupe_key, event_kind, workflow_id, priority, raw_xml) values ('broken:1', 'add_external_contact', 'wecom:broken:1', 0, '<not-xml')`);
    // The good event goes in without this process dispatching it, so only the relay can start it.
    await em().getConnection().execute(`insert into wework_callback_inbox (dedupe_key, event_kind, workflow_id, priority, raw_xml) values ('good:1', 'add_external_contact', 'wecom:good:1', 0, ?)`, [xml]);
    await product.inbox.dispatcher.runOnce();

    await vi.waitFor(async () => {
      const rows = await em().find(WeworkCallbackInbox, { dedupeKey: { $in: ['broken:1', 'good:1'] } }, { orderBy: { dedupeKey: 'asc' } });
      expect(rows.map((r) => r.status)).toEqual(['dead', 'dispatched']);
      expect(rows[0]!.lastError).toMatch(/cannot be read/);
    }, { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(staffAlertsAbout('周四')).toBe(1), { timeout: 20_000, interval: 100 });
    expect(await em().count(WeworkCustomer, { externalUserid: externalUserId })).toBe(1);

    const health = (await (await fetch(`${product.apiUrl}/api/health/details`, { headers: admin.headers() })).json()) as { components: { inbox?: { deadLetters: number } } };
    expect(health.components.inbox?.deadLetters).toBe(1);

    // Admins see it with its reason (and no event content); other roles do not.
    const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
    const sessions = await signInAsEveryRole(db.orm, request);
    expect((await request('/api/wework/inbox/dead-letters', { headers: sessions.marketer.headers() })).status).toBe(403);
    const list = (await (await request('/api/wework/inbox/dead-letters', { headers: sessions.admin.headers() })).json()) as { items: Array<Record<string, unknown>> };
    expect(list.items).toMatchObject([{ dedupeKey: 'broken:1', eventKind: 'add_external_contact', reason: expect.stringMatching(/cannot be read/) }]);
    expect(JSON.stringify(list)).not.toContain('<not-xml');
    // Queued again (as after a fix): the relay takes it at once; still unreadable, it is dead again.
    const retry = await request(`/api/wework/inbox/dead-letters/${String(list.items[0]!.id)}/retry`, { method: 'POST', headers: sessions.admin.headers() });
    expect(retry.status).toBe(202);
    await vi.waitFor(async () => {
      const row = await em().findOneOrFail(WeworkCallbackInbox, { dedupeKey: 'broken:1' });
      expect(row).toMatchObject({ status: 'dead', attempts: 2 });
    }, { timeout: 10_000, interval: 100 });
  });

  it('reports a backlog and the age of its oldest row in /api/health/details', async () => {
    // Held by a lease nobody will release in this test, two minutes old.
    await em().getConnection().execute(`insert into wework_callback_inbox (dedupe_key, event_kind, workflow_id, priority, raw_xml, created_at, lease_until)
      values ('held:1', 'edit_external_contact', 'wecom:held:1', 1, '<xml/>', now() - interval '2 minutes', now() + interval '1 hour')`);
    const body = (await (await fetch(`${product.apiUrl}/api/health/details`, { headers: admin.headers() })).json()) as { components: { inbox?: { backlog: number; oldestAgeSeconds: number; status: string } } };
    expect(body.components.inbox).toMatchObject({ backlog: 1, status: 'backlogged' });
    expect(body.components.inbox!.oldestAgeSeconds).toBeGreaterThanOrEqual(120);
    await em().getConnection().execute(`delete from wework_callback_inbox where dedupe_key = 'held:1'`);
  });
});

describe('a flood of refused requests from one address', () => {
  it('adds no rows beyond the counters, is logged, and gets 429 past the per-minute limit, while a signed callback from that address is still taken', async () => {
    const tables = async () => {
      const [row] = await em().getConnection().execute<Array<{ logs: string; inbox: string }>>(
        'select (select count(*) from wework_callback_logs) as logs, (select count(*) from wework_callback_inbox) as inbox');
      return row;
    };
    const before = await tables();
    const lines: string[] = [];
    const stopCapturing = addLogSink((_level, line) => lines.push(line));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const responses = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        fetch(`${product.apiUrl}/api/wework/callback?msg_signature=${'0'.repeat(40)}&timestamp=${timestamp}&nonce=f${batch}-${i}`, {
          method: 'POST', body: '<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>',
        })));
      statuses.push(...responses.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(940);
    stopCapturing();
    // Through the redacting logger, with the address the client-address middleware resolved; the first five, then the 429 notice.
    const refusalLines = lines.filter((line) => /refused/.test(line));
    expect(refusalLines.filter((line) => line.includes('refused a WeCom callback from 127.0.0.1: bad_signature'))).toHaveLength(5);
    expect(refusalLines.filter((line) => line.includes('127.0.0.1 was refused 60 times this minute'))).toHaveLength(1);
    await product.inbox.refusals.flush();
    expect(await tables()).toEqual(before);
    const counters = await em().getConnection().execute<Array<{ reason: string; count: string }>>('select reason, count from wework_callback_rejections order by reason');
    expect(counters.map((c) => [c.reason, Number(c.count)])).toEqual([['bad_signature', 60], ['rate_limited', 940]]);

    // Within the same minute, a callback that verifies is still taken from that address (SPEC §2.4):
    // WeCom may share it with the junk sender, behind a proxy.
    const scan = await undeliveredScan('限流中的真客户');
    const answer = await deliverAgain(product, scan.xml);
    expect(answer.status).toBe(200);
    await expect(answer.text()).resolves.toBe('success');
    await onboarded(scan.externalUserId);
  });
});

describe('the relay\'s claim order', () => {
  it('takes add events first, the newest CreateTime first (their WelcomeCodes have the most life left), then the rest in order', async () => {
    const own = await createTestDatabase();
    const store = new CallbackInboxStore(own.url);
    try {
      const insert = (key: string, priority: number, ageSeconds: number | null) => own.orm.em.fork().getConnection().execute(
        `insert into wework_callback_inbox (dedupe_key, event_kind, workflow_id, priority, raw_xml, event_created_at)
         values (?, 'x', ?, ?, '<xml/>', now() - make_interval(secs => ?))`, [key, `wecom:${key}`, priority, ageSeconds]);
      // add:3 arrives last but is the oldest event (a late redelivery): its code has the least life left.
      for (const [key, priority, age] of [['edit:1', 1, 40], ['add:1', 0, 30], ['add:2', 0, 10], ['lost:1', 1, 5], ['add:3', 0, 60], ['add:4', 0, 1]] as const) await insert(key, priority, age);
      const keysOf = async (rows: Array<{ id: string }>) => {
        const found = await own.orm.em.fork().find(WeworkCallbackInbox, { id: { $in: rows.map((r) => Number(r.id)) } });
        return rows.map((r) => found.find((f) => String(f.id) === r.id)!.dedupeKey);
      };
      // The admission window has room for one add event: the others wait, the other events do not.
      expect(await keysOf(await store.claim(4, 30, 1))).toEqual(['add:4', 'edit:1', 'lost:1']);
      expect(await keysOf(await store.claim(4, 30))).toEqual(['add:2', 'add:1', 'add:3']);
      expect(await store.claim(4, 30)).toEqual([]);
    } finally {
      await store.close();
      await own.drop();
    }
  });
});
