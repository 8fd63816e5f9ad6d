import { randomBytes } from 'node:crypto';
import { RequestContext } from '@mikro-orm/core';
import { createApp, type AppDeps } from '../../api/app.ts';
import { hashPassword } from '../../api/auth/password.ts';
import { createTemporalGateway } from '../../api/temporal/temporal-gateway.ts';
import { createCallbackCryptoSource } from '../../api/wework/callback-credentials.ts';
import { DashboardUser } from '../../db/entities/index.ts';
import type { MikroORM } from '../../db/orm.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { note } from './customers-env.ts';

/**
 * Seeds `CUSTOMERS` customers as a clinic has them: 20 staff, 30 tags, 30 % with a lead, one
 * follow each (8 channels, one in twenty lost), a second staff member for every tenth, tags,
 * birthdays and visits/purchases.
 * Returns how long it took.
 */
export async function seedCustomers(db: { orm: MikroORM }, CUSTOMERS: number): Promise<number> {
  const seedStarted = performance.now();
  note(`seeding ${CUSTOMERS} customers, their follows, leads and tags…`);
  const sql = (text: string) => db.orm.em.getConnection().execute(text, [], 'run');
  await sql(`insert into wework_staff (created_at, updated_at, userid, name) select now(), now(), 'staff' || i, '员工' || i from generate_series(0, 19) i`);
  await sql(`insert into tags (created_at, updated_at, group_name, name, wecom_tag_id) select now(), now(), case when i < 8 then '渠道' else '等级' end, '标签' || i, 'et' || i from generate_series(0, 29) i`);
  await sql(`insert into leads (created_at, updated_at, name, source, status)
    select now(), now(), '客户' || i, 'wework_ch' || (i % 8), (array['new','contacted','booked','converted','lost'])[1 + i % 5] from generate_series(1, ${Math.floor(CUSTOMERS * 0.3)}) i`);
  // Names mix common surnames and numbers, as real customers' nicknames do.
  await sql(`insert into wework_customers (created_at, updated_at, external_userid, name, gender, type, added_at, lead_id)
    select now(), now(), 'wmBench' || lpad(i::text, 7, '0'),
      (array['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + i % 10] || (array['小美','丽','婷','静','芳','娜','敏','燕','霞','玲'])[1 + (i / 10) % 10] || i,
      i % 3, case when i % 7 = 0 then 2 else 1 end, now() - (i * interval '4 minutes'),
      case when i % 10 < 3 and (i / 10) * 3 + (i % 10) + 1 <= ${Math.floor(CUSTOMERS * 0.3)} then (i / 10) * 3 + (i % 10) + 1 end
    from generate_series(1, ${CUSTOMERS}) i`);
  await sql(`insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, remark, add_way, state, followed_at, status, lost_at)
    select now(), now(), c.id, 'staff' || (c.id % 20), case when c.id % 50 = 0 then '想做玻尿酸' || c.id end,
      (array[1,1,1,1,2,3,4,6])[1 + c.id % 8], 'ch' || (c.id % 8), c.added_at,
      case when c.id % 20 = 5 then 'lost' else 'active' end, case when c.id % 20 = 5 then now() end
    from wework_customers c`);
  // Every tenth customer is also followed by a second staff member (SPEC §6).
  await sql(`insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, add_way, state, followed_at, status)
    select now(), now(), c.id, 'staff' || ((c.id + 7) % 20), 201, null, c.added_at + interval '1 day', 'active' from wework_customers c where c.id % 10 = 0`);
  await sql(`insert into wework_customer_tags (wework_customer_id, tag_id) select c.id, 1 + (c.id % 8) from wework_customers c`);
  await sql(`insert into wework_customer_tags (wework_customer_id, tag_id) select c.id, 9 + (c.id % 22) from wework_customers c where c.id % 3 = 0`);
  // Birthdays for 70 %, spread over the year; visits and purchases for 60 % (one to four each,
  // within the last two years), so the tier, last-visit, spend and birthday sorts have real spreads.
  await sql(`update wework_customers set birthday = date '1970-01-01' + ((id * 37) % 365) + ((id % 30) * 365) where id % 10 < 7`);
  await sql(`insert into customer_consumptions (external_userid, kind, occurred_at, amount_fen, source, external_ref, created_at)
    select c.external_userid, case when n = 1 then 'visit' else 'purchase' end, now() - ((c.id * 13 + n * 97) % 730) * interval '1 day',
      case when n = 1 then 0 else ((c.id * 7919 + n) % 5000) * 100 end, 'bench', c.id || '-' || n, now()
    from wework_customers c, generate_series(1, 1 + c.id % 4) n where c.id % 10 < 6`);
  await sql('analyze');
  return Math.round(performance.now() - seedStarted);
}

/** The API in-process (no Temporal needed by the read routes) and a signed-in viewer's request function. */
export async function signedInBenchApp(db: { orm: MikroORM }): Promise<{ request: (path: string) => Promise<Response>; close(): Promise<void> }> {
  const box = new SecretBox(randomBytes(32));
  // The list needs no Temporal: the gateway connects lazily and is never asked.
  const temporal = createTemporalGateway({ address: '127.0.0.1:1', namespace: 'default', payloadKeys: { current: Buffer.alloc(32, 3) } });
  const deps = {
    em: () => db.orm.em.fork(), temporal, temporalUiUrl: null, version: 'bench', dashboardDist: '/nonexistent', secureCookies: false,
    callbackCrypto: createCallbackCryptoSource({ em: () => db.orm.em.fork(), box }),
    // Dependencies of the other dashboard routes, unused here.
    box, wecomApiBase: 'http://127.0.0.1:9', wecom: () => Promise.reject(new Error('not used by this benchmark')),
  } as unknown as AppDeps;
  const app = createApp(deps);
  const request = (path: string, init?: RequestInit) => RequestContext.create(db.orm.em, async () => app.request(path, init));

  const em = db.orm.em.fork();
  em.create(DashboardUser, { username: 'bench', role: 'viewer', displayName: null, passwordHash: await hashPassword('bench-password-1') });
  await em.flush();
  const login = await request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password-1' }) });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  return {
    request: (path: string) => request(path, { headers: { cookie } }),
    close: () => temporal.close(),
  };
}

/** Durations (ms) of `iterations` calls of `fn`, after 20 warm-up calls. */
export async function measure(fn: () => Promise<unknown>, iterations: number): Promise<number[]> {
  for (let i = 0; i < 20; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}
