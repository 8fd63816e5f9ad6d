import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLINIC_TIME_ZONE_SQL } from '../../../db/compliance.store.ts';
import { workflowIds } from '../../../common/workflow-ids.ts';
import { BirthdayGreeting, CustomerConsent, WeworkCustomer, WeworkCustomerFollow } from '../../../db/entities/index.ts';
import { createBirthdayActivities } from '../../../activities/birthdays.activities.ts';
import { ensureBirthdaySchedule } from '../../../api/temporal/birthday-schedule.ts';
import { signInAsEveryRole, type Session } from '../../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../../setup/database.ts';
import { startTestProduct, type TestProduct } from '../../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let marketer: Session;
let viewer: Session;
let simCustomer: { externalUserId: string; userId: string };

const request = (path: string, init?: RequestInit) => fetch(`${product.apiUrl}${path}`, init);
const send = (session: Session, path: string, body: unknown, method = 'POST') => request(path, { method, headers: session.headers(), body: JSON.stringify(body) });

/** A minimal .xlsx (zip of XML parts, deflated) with one sheet of inline strings and numbers. */
function xlsx(rows: Array<Array<string | number>>): Uint8Array {
  const cells = rows.map((row, r) => `<row r="${r + 1}">${row.map((value, c) => {
    const ref = `${String.fromCharCode(65 + c)}${r + 1}`;
    return typeof value === 'number' ? `<c r="${ref}"><v>${value}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
  }).join('')}</row>`).join('');
  const parts: Array<[string, Buffer]> = [
    ['[Content_Types].xml', Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')],
    ['xl/worksheets/sheet1.xml', Buffer.from(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${cells}</sheetData></worksheet>`)],
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of parts) {
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16); central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(parts.length, 8); end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

async function importFile(name: string, bytes: Uint8Array | string, apply: boolean) {
  const form = new FormData();
  form.set('file', new File([bytes], name));
  const response = await request(`/api/automations/birthdays/import${apply ? '?apply=true' : ''}`, {
    method: 'POST', headers: { cookie: marketer.cookie, 'x-csrf-token': marketer.csrfToken }, body: form,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { rows: Array<{ line: number; key: string; match: { externalUserId: string; by: string } | null; error: string | null }>; matched: number; errors: number; applied: number };
}

const birthdayOf = async (externalUserid: string) => (await db.orm.em.fork().findOneOrFail(WeworkCustomer, { externalUserid })).birthday;

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  ({ marketer, viewer } = await signInAsEveryRole(db.orm, request));
  const { customers } = (await (await fetch(`${product.sim.url}/sim/customers?limit=1`)).json()) as { customers: Array<{ external_userid: string }> };
  const { follows } = (await (await fetch(`${product.sim.url}/sim/customers/${customers[0]!.external_userid}`)).json()) as { follows: Array<{ userid: string }> };
  simCustomer = { externalUserId: customers[0]!.external_userid, userId: follows[0]!.userid };
  const em = db.orm.em.fork();
  const greeted = em.create(WeworkCustomer, { externalUserid: simCustomer.externalUserId, name: '生日客户' });
  em.create(WeworkCustomerFollow, { customer: greeted, staffUserid: simCustomer.userId });
  em.create(CustomerConsent, { externalUserid: simCustomer.externalUserId, marketing: 'granted', source: 'import', changedAt: new Date(), careOptOut: false });
  const byRemark = em.create(WeworkCustomer, { externalUserid: 'wmRemark', name: '备注客户' });
  em.create(WeworkCustomerFollow, { customer: byRemark, staffUserid: 'lisi', remark: '李丽-VIP' });
  const byPhone = em.create(WeworkCustomer, { externalUserid: 'wmPhone', name: '手机客户' });
  em.create(WeworkCustomerFollow, { customer: byPhone, staffUserid: 'lisi', remark: '张敏 13812345678' });
  await em.flush();
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('PUT /api/customers/by-external-id/:externalUserId/birthday (SPEC §3)', () => {
  it('sets YYYY-MM-DD and MM-DD birthdays, with clear 400s and a 404 for an unknown customer', async () => {
    const path = `/api/customers/by-external-id/${simCustomer.externalUserId}/birthday`;
    const full = await send(marketer, path, { birthday: '1990-12-08' }, 'PUT');
    expect(full.status).toBe(200);
    expect(await full.json()).toMatchObject({ externalUserId: simCustomer.externalUserId, birthday: '1990-12-08' });
    const monthDay = await send(marketer, '/api/customers/by-external-id/wmRemark/birthday', { birthday: '02-29' }, 'PUT');
    expect(await monthDay.json()).toMatchObject({ birthday: '02-29' });
    expect(await birthdayOf('wmRemark')).toBe('1904-02-29');
    for (const birthday of ['1990-02-30', '13-01', 'yesterday']) {
      const bad = await send(marketer, path, { birthday }, 'PUT');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/birthday/);
    }
    expect((await send(marketer, '/api/customers/by-external-id/wmNobody/birthday', { birthday: '01-01' }, 'PUT')).status).toBe(404);
    expect((await send(viewer, path, { birthday: '01-01' }, 'PUT')).status).toBe(403);
  });
});

describe('birthday import (CSV / Excel): preview, then apply', () => {
  it('previews matches by external id, remark and phone-in-remark with row errors, writing nothing', async () => {
    const csv = '客户,生日\nwmPhone,1991-03-05\n李丽-VIP,1988/7/9\n"138 1234 5678",3月5日\nwmNobody,1990-01-01\nwmRemark,not a date\n';
    const preview = await importFile('records.csv', csv, false);
    expect(preview.rows.map((row) => [row.line, row.match?.externalUserId ?? null, row.match?.by ?? null, row.error])).toEqual([
      [2, 'wmPhone', 'external_id', null], [3, 'wmRemark', 'remark', null], [4, 'wmPhone', 'phone', null], [5, null, null, 'no_match'], [6, null, null, 'invalid_birthday'],
    ]);
    expect(preview).toMatchObject({ matched: 3, errors: 2, applied: 0 });
    expect(await birthdayOf('wmPhone')).toBeNull();
  });

  it('applies an Excel file (dates as day serials or text)', async () => {
    const applied = await importFile('records.xlsx', xlsx([['手机号', '生日'], ['13812345678', 33302], ['李丽-VIP', '1988-07-09']]), true);
    expect(applied).toMatchObject({ matched: 2, errors: 0, applied: 2 });
    expect(await birthdayOf('wmPhone')).toBe('1991-03-05');
    expect(await birthdayOf('wmRemark')).toBe('1988-07-09');
  });
});

describe('POST /api/automations/birthdays/run (SPEC §3)', () => {
  it('runs a day now (202), greets once however often it runs, and the coupon is single use', async () => {
    // Birthday 1990-12-08, greeted 7 days before: the day to run is 1 December.
    const year = new Date().getUTCFullYear();
    await send(marketer, `/api/customers/by-external-id/${simCustomer.externalUserId}/birthday`, { birthday: '1990-12-08' }, 'PUT');
    const date = `${year}-12-01`;
    const run = async () => {
      const response = await send(marketer, '/api/automations/birthdays/run', { date });
      expect(response.status).toBe(202);
      const body = (await response.json()) as { workflowId: string; runId: string };
      expect(body.workflowId).toBe(workflowIds.birthdayDay(date));
      return product.temporal.client.workflow.getHandle(body.workflowId, body.runId).result();
    };
    expect(await run()).toMatchObject({ date, claimed: 1, queued: 1, notices: 1, birthdayOn: `${year}-12-08` });
    expect(await run()).toMatchObject({ claimed: 0, queued: 0, runId: null });
    const greetings = await db.orm.em.fork().find(BirthdayGreeting, {});
    expect(greetings).toHaveLength(1);
    await expect.poll(async () => {
      const { group_msgs } = (await (await fetch(`${product.sim.url}/sim/groupmsgs`)).json()) as { group_msgs: Array<{ text: { content: string }; tasks: Array<{ external_userids: string[] }> }> };
      return group_msgs.filter((g) => g.tasks.some((t) => t.external_userids.includes(simCustomer.externalUserId)) && g.text.content.includes('生日快乐')).length;
    }, { timeout: 10_000 }).toBe(1);

    expect((await request(`/api/automations/coupons/${greetings[0]!.couponCode}/redeem`, { method: 'POST', headers: marketer.headers() })).status).toBe(200);
    expect((await request(`/api/automations/coupons/${greetings[0]!.couponCode}/redeem`, { method: 'POST', headers: marketer.headers() })).status).toBe(409);
    expect((await request('/api/automations/coupons/BDNOPE/redeem', { method: 'POST', headers: marketer.headers() })).status).toBe(404);
    const bad = await send(marketer, '/api/automations/birthdays/run', { date: '12-01' });
    expect(bad.status).toBe(400);
  });

  it('keeps one daily Schedule at the clinic hour in the clinic time zone, following the settings', async () => {
    await ensureBirthdaySchedule(product.temporal.client, product.taskQueue, db.orm.em.fork());
    const settings = (await (await request('/api/automations/settings', { headers: viewer.headers() })).json()) as Record<string, unknown>;
    const saved = await send(marketer, '/api/automations/settings', { ...settings, timeZone: 'America/New_York', birthdayHour: 9 }, 'PUT');
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ timeZone: 'America/New_York', birthdayHour: 9, scheduleWarning: null });
    const schedule = await product.temporal.client.schedule.getHandle(workflowIds.birthdaySchedule()).describe();
    expect(schedule.spec.timezone).toBe('America/New_York');
    expect(schedule.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 9, end: 9, step: 1 }] });
    expect(schedule.policies.catchupWindow).toBe(7 * 86_400_000);
    await product.temporal.client.schedule.getHandle(workflowIds.birthdaySchedule()).delete();
    // One source of truth: the dashboard and SQL read the same settings row.
    expect(await (await request('/api/clinic', { headers: viewer.headers() })).json()).toEqual({ timeZone: 'America/New_York' });
    const [today] = await db.orm.em.fork().getConnection().execute<Array<{ ny: string; clinic: string }>>(
      `select to_char((now() at time zone 'America/New_York')::date, 'YYYY-MM-DD') as ny, to_char((now() at time zone ${CLINIC_TIME_ZONE_SQL})::date, 'YYYY-MM-DD') as clinic`);
    expect(today!.clinic).toBe(today!.ny);

    // Saved without a timeZone (as the automation panel saves), the clinic's zone stays as it is.
    const { timeZone: _zone, ...withoutZone } = settings;
    const kept = await send(marketer, '/api/automations/settings', { ...withoutZone, birthdayHour: 10 }, 'PUT');
    expect(kept.status).toBe(200);
    // The greeting is marketing: a forbidden term is refused and nothing changes.
    const claim = await send(marketer, '/api/automations/settings', { ...withoutZone, birthdayHour: 11, birthdayText: '{name}生日快乐，祛痘根治仅此一天' }, 'PUT');
    expect(claim.status).toBe(422);
    expect(((await claim.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: 'forbidden_terms', field: 'birthdayText' });
    expect(await (await request('/api/automations/settings', { headers: viewer.headers() })).json()).toMatchObject({ birthdayHour: 10 });
    expect(await kept.json()).toMatchObject({ timeZone: 'America/New_York', birthdayHour: 10 });
    expect(await (await request('/api/clinic', { headers: viewer.headers() })).json()).toEqual({ timeZone: 'America/New_York' });
  });
});

describe('a day queued twice at once', () => {
  it('an operator\'s run of a day beside the Schedule\'s puts its greetings into one send, not two', async () => {
    const connection = db.orm.em.fork().getConnection();
    const ids = Array.from({ length: 20 }, (_, i) => `wmTwice${i}`);
    await connection.execute(
      `insert into wework_customers (created_at, updated_at, external_userid, name, gender, birthday)
       select now(), now(), x, x, 0, date '1990-05-17' from jsonb_array_elements_text(?::jsonb) as x`, [JSON.stringify(ids)]);
    await connection.execute(
      `insert into wework_customer_follows (created_at, updated_at, customer_id, staff_userid, status, wecom_tag_ids)
       select now(), now(), c.id, 'zhangsan', 'active', '[]' from wework_customers c where c.external_userid in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(ids)]);
    const activities = createBirthdayActivities({ orm: db.orm, wecom: async () => { throw new Error('WeCom is not needed to queue'); } });
    const date = '2031-05-10';
    expect((await activities.claimBirthdayGreetings({ date, daysBefore: 7, late: false })).claimed).toBe(20);
    const [operator, scheduled] = await Promise.all([
      activities.queueBirthdayGreetings({ date, text: '生日快乐', launchKey: `birthdays:${date}` }),
      activities.queueBirthdayGreetings({ date, text: '生日快乐', launchKey: `birthdays:scheduled-${date}` }),
    ]);
    expect(operator.queued + scheduled.queued).toBe(20);
    expect([operator.runId, scheduled.runId].filter((id) => id !== null)).toHaveLength(1);
    const [row] = await connection.execute<Array<{ n: string }>>(`select count(*) as n from send_recipients where external_userid in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(ids)]);
    expect(Number(row!.n)).toBe(20);
  });
});
