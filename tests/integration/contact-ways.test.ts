import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { createSimulatorLink } from '../../api/wework/simulator-link.ts';
import { syncStatusSchema, type SyncProgress } from '../../common/customers.schema.ts';
import { SecretBox } from '../../db/secret-box.ts';
import {
  contactWayListSchema, contactWayResponseSchema, simulateScanResultSchema, type ContactWayInput, type ContactWayView,
} from '../../common/contact-way.schema.ts';
import { type Requester, type Session, signInAsEveryRole } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let request: Requester;
const sessions: Record<'admin' | 'marketer' | 'viewer', Session> = {} as never;
const DAY = 86_400;

async function call(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await request(`/api${path}`, { method, headers: session.headers(), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** The code as WeCom (the simulator) holds it now. */
async function inWeCom(configId: string): Promise<Record<string, unknown> | undefined> {
  const body = (await (await fetch(`${product.sim.url}/sim/contact-ways`)).json()) as { contact_ways: Array<Record<string, unknown>> };
  return body.contact_ways.find((way) => way.config_id === configId);
}

async function list(session: Session = sessions.viewer): Promise<ContactWayView[]> {
  return contactWayListSchema.parse((await call(session, 'GET', '/contact-ways')).json).items;
}

const xhs: ContactWayInput = {
  type: 1, scene: 2, users: ['zhangsan'], state: 'xhs_spring', remark: '小红书春季', skipVerify: true,
  welcomeText: '{name}您好，欢迎从{channel}来到星颜医美，我是您的顾问{staff}。',
};

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db);
  request = (path, init) => fetch(`${product.apiUrl}${path}`, init);
  Object.assign(sessions, await signInAsEveryRole(db.orm, request));
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('channel codes 「联系我」', () => {
  let created: ContactWayView;

  it('rejects what WeCom rejects, naming the field, before calling WeCom', async () => {
    const cases: Array<[ContactWayInput, string, string]> = [
      [{ ...xhs, state: 'x'.repeat(31) }, 'state_too_long', 'state'],
      [{ ...xhs, isTemp: true, users: ['zhangsan', 'lisi'] }, 'temp_single_only', 'users'],
      [{ ...xhs, type: 2, isTemp: true, users: ['zhangsan', 'lisi'] }, 'temp_single_only', 'isTemp'],
      [{ ...xhs, isTemp: true, expiresIn: 15 * DAY }, 'expires_in_too_long', 'expiresIn'],
      [{ ...xhs, isTemp: true, chatExpiresIn: 15 * DAY }, 'chat_expires_in_too_long', 'chatExpiresIn'],
      [{ ...xhs, conclusions: { text: { content: '感谢咨询' } } }, 'temp_only', 'conclusions'],
      [{ ...xhs, isTemp: true, conclusions: { image: { pic_url: 'https://example.com/a.png' }, link: { title: '活动', url: 'https://example.com' } } }, 'conclusion_one_attachment', 'conclusions'],
      [{ ...xhs, isTemp: true, conclusions: { text: { content: '美'.repeat(1334) } } }, 'conclusion_text_too_long', 'conclusions.text.content'],
      [{ ...xhs, remark: '备'.repeat(31) }, 'remark_too_long', 'remark'],
      [{ ...xhs, type: 2, users: Array.from({ length: 101 }, (_, i) => `u${i}`) }, 'too_many_users', 'users'],
      [{ ...xhs, users: [] }, 'single_needs_one_user', 'users'],
    ];
    for (const [input, code, field] of cases) {
      const { status, json } = await call(sessions.marketer, 'POST', '/contact-ways', input);
      expect({ status, code: json.error.code, field: json.error.field }).toEqual({ status: 400, code, field });
    }
    expect(product.sim.controls.callCount('externalcontact/add_contact_way')).toBe(0);
  });

  it('creates a code in WeCom and keeps its config_id, QR code and welcome template', async () => {
    const { status, json } = await call(sessions.marketer, 'POST', '/contact-ways', xhs);
    expect(status).toBe(201);
    created = contactWayResponseSchema.parse(json).contactWay;
    expect(created).toMatchObject({ type: 1, scene: 2, state: 'xhs_spring', remark: '小红书春季', users: ['zhangsan'], hasQrCode: true, welcomeText: xhs.welcomeText, figures: { added: 0, lost: 0, leads: 0, net: 0 } });
    expect(await inWeCom(created.configId)).toMatchObject({ state: 'xhs_spring', remark: '小红书春季', user: ['zhangsan'], skip_verify: true });
    const [row] = await db.orm.em.getConnection().execute<Array<{ config_id: string; qr_code: string }>>('select config_id, qr_code from wework_contact_ways where id = ?', [created.id]);
    expect(row).toMatchObject({ config_id: created.configId, qr_code: expect.stringContaining(created.configId) });
  });

  it('refuses a second code with the same state', async () => {
    const { status, json } = await call(sessions.admin, 'POST', '/contact-ways', { ...xhs, users: ['lisi'] });
    expect(status).toBe(409);
    expect(json.error).toMatchObject({ code: 'state_taken', field: 'state' });
  });

  it('creates a temporary-session code with WeCom\'s defaults and a closing message', async () => {
    const { status, json } = await call(sessions.admin, 'POST', '/contact-ways', {
      type: 1, scene: 2, users: ['lisi'], state: 'douyin_live', isTemp: true, chatExpiresIn: 2 * DAY,
      conclusions: { text: { content: '感谢咨询，祝您美丽！' }, link: { title: '术后护理须知', url: 'https://clinic.example/care' } },
    } satisfies ContactWayInput);
    expect(status).toBe(201);
    const temp = contactWayResponseSchema.parse(json).contactWay;
    expect(temp).toMatchObject({ isTemp: true, expiresIn: 7 * DAY, chatExpiresIn: 2 * DAY });
    expect(await inWeCom(temp.configId)).toMatchObject({ is_temp: true, expires_in: 7 * DAY, chat_expires_in: 2 * DAY, conclusions: { link: { title: '术后护理须知' } } });
  });

  it('serves the QR image through the API, as a PNG named after the channel', async () => {
    const inline = await request(`/api/contact-ways/${created.id}/qr.png`, { headers: { cookie: sessions.viewer.cookie } });
    expect(inline.status).toBe(200);
    expect(inline.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await inline.arrayBuffer());
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const download = await request(`/api/contact-ways/${created.id}/qr.png?download=1`, { headers: { cookie: sessions.viewer.cookie } });
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="contact-way-xhs_spring\.png"; filename\*=UTF-8''/);
    expect(decodeURIComponent(download.headers.get('content-disposition')!.split("UTF-8''")[1]!)).toBe('渠道活码-xhs_spring.png');
  });

  it('downloads the QR images of several codes as one zip, named after their channels', async () => {
    const response = await request(`/api/contact-ways/qr.zip?ids=${created.id},999999`, { headers: { cookie: sessions.viewer.cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const names = Object.keys(files);
    expect(names).toEqual([`渠道活码-xhs_spring-${created.id}.png`]);
    expect([...files[names[0]!]!.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const none = await request('/api/contact-ways/qr.zip?ids=', { headers: { cookie: sessions.viewer.cookie } });
    expect(none.status).toBe(400);
  });

  it('edits a code in WeCom (members overwrite) and refuses to change its kind', async () => {
    const { status, json } = await call(sessions.marketer, 'PUT', `/contact-ways/${created.id}`, { ...xhs, users: ['lisi'], remark: '小红书 · 春' });
    expect(status).toBe(200);
    expect(contactWayResponseSchema.parse(json).contactWay).toMatchObject({ users: ['lisi'], remark: '小红书 · 春' });
    expect(await inWeCom(created.configId)).toMatchObject({ user: ['lisi'], remark: '小红书 · 春' });

    const kind = await call(sessions.marketer, 'PUT', `/contact-ways/${created.id}`, { ...xhs, type: 2, users: ['lisi'] });
    expect(kind.json.error).toMatchObject({ code: 'immutable_field', field: 'type' });

    // Only the welcome text: the clinic's own setting, WeCom is not asked.
    const updates = product.sim.controls.callCount('externalcontact/update_contact_way');
    const welcome = await call(sessions.marketer, 'PUT', `/contact-ways/${created.id}`, { ...xhs, users: ['lisi'], remark: '小红书 · 春', welcomeText: '您好{name}！' });
    expect(welcome.json.contactWay.welcomeText).toBe('您好{name}！');
    expect(product.sim.controls.callCount('externalcontact/update_contact_way')).toBe(updates);
  });

  it('makes the channel\'s WeCom tag (渠道/<remark>) as the code is saved, and saves the code even while WeCom refuses the tag', async () => {
    const channelTags = () => [...product.sim.state.tags.values()]
      .filter((tag) => product.sim.state.tagGroups.get(tag.group_id)?.group_name === '渠道').map((tag) => tag.name);
    const localTag = (name: string) => db.orm.em.fork().getConnection()
      .execute<Array<{ wecom_tag_id: string | null }>>("select wecom_tag_id from tags where group_name = '渠道' and name = ?", [name]);
    // The code created above (its remark then edited): both names became tags as they were saved.
    expect(channelTags()).toEqual(expect.arrayContaining(['小红书春季', '小红书 · 春']));
    expect((await localTag('小红书 · 春'))[0]?.wecom_tag_id).toBe([...product.sim.state.tags.values()].find((t) => t.name === '小红书 · 春')!.id);

    product.sim.controls.forceError(-1, 1, 'externalcontact/add_corp_tag');
    const { status, json } = await call(sessions.marketer, 'POST', '/contact-ways', { ...xhs, state: 'weibo_spring', remark: '微博春季' });
    expect(status).toBe(201);
    const saved = contactWayResponseSchema.parse(json);
    expect(saved.channelTag).toEqual({ group: '渠道', name: '微博春季', inWeCom: false });
    expect(channelTags()).not.toContain('微博春季');
    expect(await localTag('微博春季')).toEqual([{ wecom_tag_id: null }]);
    // Saving it again (WeCom answering now) makes the tag; the first customer's onboarding would too.
    const again = await call(sessions.marketer, 'PUT', `/contact-ways/${saved.contactWay.id}`, { ...xhs, state: 'weibo_spring', remark: '微博春季' });
    expect(contactWayResponseSchema.parse(again.json).channelTag).toEqual({ group: '渠道', name: '微博春季', inWeCom: true });
    expect(channelTags()).toContain('微博春季');
    await call(sessions.marketer, 'DELETE', `/contact-ways/${saved.contactWay.id}`);
  });

  it('simulates a scan through the simulator: the real flow counts the customer as added, then lost', async () => {
    const { status, json } = await call(sessions.marketer, 'POST', `/contact-ways/${created.id}/simulate-scan`, { customerName: '王小美' });
    expect(status).toBe(200);
    const scan = simulateScanResultSchema.parse(json);
    expect(scan).toMatchObject({ userId: 'lisi', customerName: '王小美' });
    await vi.waitFor(async () => {
      expect((await list()).find((way) => way.id === created.id)!.figures).toEqual({ added: 1, lost: 0, leads: 1, net: 1 });
    }, { timeout: 20_000, interval: 200 });
    // The welcome template of this code was used.
    await vi.waitFor(() => {
      expect(product.sim.controls.messages('welcome').some((m) => m.to.includes(scan.externalUserId) && JSON.stringify(m.body).includes('您好王小美！'))).toBe(true);
    }, { timeout: 10_000 });

    product.sim.controls.customerDeletesStaff({ userid: 'lisi', external_userid: scan.externalUserId });
    await vi.waitFor(async () => {
      expect((await list()).find((way) => way.id === created.id)!.figures).toEqual({ added: 1, lost: 1, leads: 1, net: 0 });
    }, { timeout: 20_000, interval: 200 });
  });

  it('searches by remark or state, sorts by a figure, and counts the figures of a date range', async () => {
    const query = async (params: string) => contactWayListSchema.parse((await call(sessions.viewer, 'GET', `/contact-ways?${params}`)).json).items;
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await query(`q=${encodeURIComponent('春')}`)).map((way) => way.id)).toEqual([created.id]);
    expect((await query('q=%25'))).toEqual([]);
    // Today (the clinic's day) holds the scan and the loss: added 1, lost 1, net 0; last year holds nothing.
    const todays = (await query(`from=${today}&to=${today}`)).find((way) => way.id === created.id)!;
    expect(todays.figures).toEqual({ added: 1, lost: 1, leads: 1, net: 0 });
    const lastYear = (await query('from=2025-01-01&to=2025-01-31')).find((way) => way.id === created.id)!;
    expect(lastYear.figures).toEqual({ added: 0, lost: 0, leads: 0, net: 0 });
    const byAdded = await query('sort=added&order=desc');
    expect(byAdded[0]!.id).toBe(created.id);
    expect(byAdded.map((way) => way.figures.added)).toEqual([...byAdded.map((way) => way.figures.added)].sort((a, b) => b - a));
    expect((await call(sessions.viewer, 'GET', '/contact-ways?from=2025-01-01')).status).toBe(400);
    expect((await call(sessions.viewer, 'GET', '/contact-ways?sort=remark')).status).toBe(400);
  });

  it('offers "simulate a scan" only when WECOM_API_BASE is the simulator', async () => {
    expect(contactWayListSchema.parse((await call(sessions.viewer, 'GET', '/contact-ways')).json).simulateScanAvailable).toBe(true);
    expect(await createSimulatorLink('http://127.0.0.1:9').available()).toBe(false);
    expect(await createSimulatorLink('https://qyapi.weixin.qq.com').available()).toBe(false);
  });

  it('imports the codes that already exist in WeCom in a workflow whose progress the page follows, then updates them on a second import', async () => {
    const before = (await list()).length;
    // A code made in WeCom's admin console, not through the product: the import brings it with is_exclusive.
    const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
    const exclusive = await api.contactWay.add({ type: 1, scene: 2, state: 'console_only', user: ['lisi'], is_exclusive: true });
    const importOnce = async (): Promise<SyncProgress> => {
      const started = await call(sessions.marketer, 'POST', '/contact-ways/import');
      expect(started.status).toBe(202);
      const { run } = syncStatusSchema.parse(started.json);
      expect(run?.workflowId).toBe('sync:contact-ways');
      let done: SyncProgress | null = null;
      await vi.waitFor(async () => {
        const status = syncStatusSchema.parse((await call(sessions.viewer, 'GET', '/contact-ways/import')).json);
        expect(status.run).toMatchObject({ runId: run!.runId, status: 'COMPLETED' });
        done = status.run!.progress;
      }, { timeout: 30_000, interval: 200 });
      return done!;
    };
    const first = await importOnce();
    expect(first).toMatchObject({ trigger: 'import', phase: 'done', staff: 0, pagesDone: 0 });
    // The simulator's demo corp has channel codes of its own; temp codes are never listed by WeCom.
    expect(first.contactWaysCreated).toBeGreaterThan(0);
    expect((await list()).length).toBe(before + first.contactWaysCreated!);
    expect((await list()).find((way) => way.configId === exclusive.config_id)).toMatchObject({ state: 'console_only', isExclusive: true });
    const second = await importOnce();
    expect(second).toMatchObject({ contactWays: first.contactWays, contactWaysCreated: 0 });
    // The clinic's own welcome template survives an import.
    expect((await list()).find((way) => way.id === created.id)!.welcomeText).toBe('您好{name}！');
  });

  it('deletes a code in WeCom and then its row', async () => {
    const { status } = await call(sessions.marketer, 'DELETE', `/contact-ways/${created.id}`);
    expect(status).toBe(200);
    expect(await inWeCom(created.configId)).toBeUndefined();
    expect((await call(sessions.viewer, 'GET', `/contact-ways/${created.id}`)).status).toBe(404);
    const audit = await db.orm.em.getConnection().execute<Array<{ action: string }>>(`select action from audit_logs where action like 'contact_way.%' order by id`);
    expect(new Set(audit.map((row) => row.action))).toEqual(new Set(['contact_way.create', 'contact_way.update', 'contact_way.simulate_scan', 'contact_way.import', 'contact_way.delete']));
  });

  it('lets a viewer read codes and their QR images but change nothing (403)', async () => {
    const [some] = await list();
    expect((await call(sessions.viewer, 'GET', `/contact-ways/${some!.id}`)).status).toBe(200);
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/contact-ways', { ...xhs, state: 'viewer_try' }],
      ['PUT', `/contact-ways/${some!.id}`, xhs],
      ['DELETE', `/contact-ways/${some!.id}`, undefined],
      ['POST', '/contact-ways/import', undefined],
      ['POST', `/contact-ways/${some!.id}/simulate-scan`, {}],
      ['GET', '/contact-ways/members', undefined],
    ];
    for (const [method, path, body] of writes) expect((await call(sessions.viewer, method, path, body)).status).toBe(403);
  });

  it('lists the members that may be put on a code, from WeCom', async () => {
    const { status, json } = await call(sessions.marketer, 'GET', '/contact-ways/members');
    expect(status).toBe(200);
    expect(json.members.map((m: { userid: string }) => m.userid)).toEqual(expect.arrayContaining(['zhangsan', 'lisi']));
  });
});
