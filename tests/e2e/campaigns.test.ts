import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser, signIn, type Session } from '../setup/auth.ts';
import { launchBrowser, screenshot } from '../setup/browser.ts';
import { mirrorSimCustomers } from '../setup/campaigns.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The marketer's campaign path in Chromium: build a campaign from a saved segment, see the live
 * audience count and consented share, see a forbidden term flagged and fix it, preview, launch,
 * watch each staff member's progress reach the end, and see a customer's click counted.
 */

let db: TestDatabase;
let product: TestProduct;
let browser: Browser;
let page: Page;
let marketer: Session;
let segmentIdOf: number;
/** The input or textarea behind an el-input carrying `testid` (Element Plus puts attributes on the inner control). */
const field = (testid: string) => page.locator(`input[data-testid="${testid}"], textarea[data-testid="${testid}"], [data-testid="${testid}"] input, [data-testid="${testid}"] textarea`).first();
/** The same, within one part of the page. */
const inside = (scope: ReturnType<Page['locator']>, testid: string) => scope.locator(`input[data-testid="${testid}"], [data-testid="${testid}"] input`).first();
const request = (p: string, init?: RequestInit) => fetch(`${product.apiUrl}${p}`, init);

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, {
    app: { dashboardDist: path.resolve(import.meta.dirname, '../../web/dist'), sendTiming: { trackEveryMs: 300, remindAfterMs: 600_000, windowMs: 60_000 } },
  });
  product.sim.controls.reset({ customers: 60 });
  product.sim.controls.setOptions({ groupMsgConfirmDelayMs: 1_500 });
  await mirrorSimCustomers(db.orm, product.sim);
  await createUser(db.orm, { username: 'mkt', password: 'marketer-pass-1', role: 'marketer' });
  marketer = await signIn(request, 'mkt', 'marketer-pass-1');
  const headers = { ...marketer.headers(), 'content-type': 'application/json' };
  const ids = [...product.sim.state.customers.keys()];
  await request('/api/consents', { method: 'POST', headers, body: JSON.stringify({ externalUserIds: ids.slice(0, 50), marketing: 'granted', source: 'his_import' }) });
  const segment = await request('/api/segments', { method: 'POST', headers, body: JSON.stringify({ name: '全部跟进中的客户', filter: { status: 'active' } }) });
  expect(segment.status).toBe(201);
  segmentIdOf = ((await segment.json()) as { id: number }).id;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await product?.stop();
  await db?.drop();
});

it('builds a campaign from a saved segment, previews, launches, watches per-staff progress finish, and counts a click', async () => {
  await page.goto(`${product.apiUrl}/dashboard/wework/messages`);
  await page.locator('[data-testid="login-username"]').fill('mkt');
  await page.locator('[data-testid="login-password"]').fill('marketer-pass-1');
  await page.locator('[data-testid="login-submit"]').click();
  await page.locator('[data-testid="campaign-new"]').click();

  await field('campaign-name').fill('冬季补水');
  await page.locator('[data-testid="campaign-segment"]').click();
  await page.getByRole('option', { name: '全部跟进中的客户' }).click();
  // The live count follows the segment: what the API counts for it, and how many of them consented.
  const expected = await (await request('/api/campaigns/audience-preview', {
    method: 'POST', headers: { ...marketer.headers(), 'content-type': 'application/json' }, body: JSON.stringify({ audience: { segmentId: segmentIdOf } }),
  })).json() as { count: number; consented: number };
  const count = page.locator('[data-testid="audience-count"]');
  await expect.poll(async () => Number(await count.getAttribute('data-count')), { timeout: 10_000 }).toBe(expected.count);
  const audience = expected.count;
  const consented = Number(await count.getAttribute('data-consented'));
  expect(consented).toBe(expected.consented);
  expect(consented).toBeLessThan(audience);

  await field('campaign-text').fill('冬季补水，效果最好，保证满意');
  await page.locator('[data-testid="term-hits"]').waitFor();
  expect(await page.locator('[data-testid="term-hit"]').count()).toBe(2);
  expect(await page.locator('[data-testid="campaign-launch"]').isDisabled()).toBe(true);
  await field('campaign-text').fill('冬季补水护理上新，欢迎到店体验');
  await page.locator('[data-testid="term-ok"]').waitFor();
  // Attachments: a tracked link, an image uploaded from this computer, a mini-program card with an uploaded cover.
  const png = Buffer.from(await (await fetch(`${product.sim.url}/sim/qr/${[...product.sim.state.contactWays.keys()][0]!}.png`)).arrayBuffer());
  await page.locator('[data-testid="attachment-add-link"]').click();
  await field('attachment-link-title').fill('项目介绍');
  await field('attachment-link-url').fill('https://clinic.example.com/hydration');
  await page.locator('[data-testid="attachment-add-image"]').click();
  await page.locator('[data-testid="attachment-1"] [data-testid="attachment-file"]').setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: png });
  await page.locator('[data-testid="attachment-1"] [data-testid="attachment-thumb"]').waitFor();
  await page.locator('[data-testid="attachment-add-miniprogram"]').click();
  const mini = page.locator('[data-testid="attachment-2"]');
  await inside(mini, 'attachment-mini-title').fill('在线预约');
  await inside(mini, 'attachment-mini-appid').fill('wx8bd80126147dfa7a');
  await expect.poll(() => mini.locator('[data-testid="attachment-incomplete"]').count()).toBe(1);
  await inside(mini, 'attachment-mini-page').fill('pages/booking/index');
  await mini.locator('[data-testid="attachment-file"]').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: png });
  await expect.poll(() => page.locator('[data-testid="attachment-incomplete"]').count()).toBe(0);
  // The preview reads like the WeChat chat: the text bubble, the link card, the image, the mini-program card with its cover.
  const preview = page.locator('[data-testid="chat-preview"]');
  expect(await preview.innerText()).toContain('冬季补水护理上新');
  expect(await preview.locator('[data-testid="chat-preview-link"]').innerText()).toContain('项目介绍');
  await expect.poll(() => preview.locator('[data-testid="chat-preview-image"]').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
  expect(await preview.locator('[data-testid="chat-preview-miniprogram"]').innerText()).toContain('在线预约');
  await expect.poll(() => preview.locator('[data-testid="chat-preview-miniprogram"] img').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
  await screenshot(page, '60-campaign-builder');

  await page.locator('[data-testid="campaign-launch"]').click();
  await page.locator('[data-testid="campaign-counts"]').waitFor();
  await expect.poll(async () => page.locator('[data-testid="campaign-status"]').getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
  // One progress row per staff member who sends to someone of the segment (every active relationship's staff).
  const senders = await db.orm.em.fork().getConnection().execute<Array<{ n: string }>>(
    `select count(distinct sender) as n from send_recipients where state <> 'skipped'`);
  const rows = page.locator('[data-testid="staff-confirmed"]');
  expect(await rows.count()).toBe(Number(senders[0]!.n));
  expect(await rows.count()).toBeGreaterThan(1);
  const submitted = Number(await page.locator('[data-testid="count-submitted"]').getAttribute('data-value'));
  expect(submitted).toBe(consented);
  let confirmed = 0;
  for (const el of await rows.all()) confirmed += Number(await el.getAttribute('data-value'));
  expect(confirmed).toBe(consented);
  expect(await page.locator('[data-testid="skipped-reasons"] [data-reason="no_consent"]').count()).toBe(audience > consented ? 1 : 0);
  expect(await page.locator('[data-testid="campaign-temporal"]').getAttribute('href')).toContain('CampaignId');
  await screenshot(page, '61-campaign-progress');

  // A customer opens the link in WeChat: the tracked redirect records it and the page shows the click.
  const msg = [...product.sim.state.groupMsgs.values()].at(-1)!;
  // What WeCom received: the tracked link, then the image and the card as temporary media it issued.
  expect(msg.attachments.map((a) => (a as { msgtype: string }).msgtype)).toEqual(['link', 'image', 'miniprogram']);
  const imageMedia = (msg.attachments[1] as { image: { media_id: string } }).image.media_id;
  const coverMedia = (msg.attachments[2] as { miniprogram: { pic_media_id: string; page: string } }).miniprogram;
  expect(product.sim.state.media.has(imageMedia)).toBe(true);
  expect(coverMedia.pic_media_id).toBe(imageMedia); // the same file was stored once, so one media id serves both
  expect(coverMedia.page).toBe('pages/booking/index');
  const link = (msg.attachments[0] as { link: { url: string } }).link.url;
  expect(link).toMatch(/\/l\/[\w-]+$/);
  const code = link.split('/l/')[1]!;
  // The code is keyed with the run's secret: computed from the run, batch and index alone, it leads nowhere.
  const [tracked] = await db.orm.em.fork().getConnection().execute<Array<{ run_id: number; batch_id: number }>>('select run_id, batch_id from tracked_links where code = ?', [code]);
  const guess = createHash('sha256').update(`send:${tracked!.run_id}:${tracked!.batch_id}:0`).digest('base64url').slice(0, 12);
  expect(code).not.toBe(guess);
  expect((await fetch(`${product.apiUrl}/l/${guess}`, { redirect: 'manual' })).status).toBe(404);
  const redirect = await fetch(`${product.apiUrl}/l/${code}`, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  expect(redirect.headers.get('location')).toBe('https://clinic.example.com/hydration');
  await page.reload();
  await expect.poll(async () => page.locator('[data-testid="count-clicked"]').getAttribute('data-value'), { timeout: 10_000 }).toBe('1');
  await screenshot(page, '62-campaign-clicked');
}, 120_000);

it('imports a consumption spreadsheet: the preview names each row\'s customer or problem, and only confirmed good rows are written', async () => {
  const ids = [...product.sim.state.customers.keys()];
  const csv = ['客户,类型,日期,金额,项目,单号', `${ids[0]},消费,2026-11-20,3800,水光针,E-1`, `${ids[1]},到店,2026-11-21,,,E-2`, 'wmNobody,到店,2026-11-22,,,E-3'].join('\n');
  await page.goto(`${product.apiUrl}/dashboard/wework/messages`);
  await page.locator('[data-testid="consumption-import-open"]').click();
  await page.locator('[data-testid="consumption-file"]').setInputFiles({ name: '消费记录.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const preview = page.locator('[data-testid="consumption-preview"]');
  await preview.waitFor();
  expect(await preview.getAttribute('data-importable')).toBe('2');
  expect(await preview.locator('[data-testid="consumption-row-error"]').getAttribute('data-error')).toBe('no_match');
  expect(await preview.innerText()).toContain('找不到客户');
  const stored = async () => Number((await db.orm.em.fork().getConnection().execute<Array<{ n: string }>>(`select count(*) as n from customer_consumptions`))[0]!.n);
  expect(await stored()).toBe(0);
  await screenshot(page, '63-consumption-import-preview');
  await page.locator('[data-testid="consumption-apply"]').click();
  await expect.poll(stored, { timeout: 10_000 }).toBe(2);
  await page.locator('[data-testid="consumption-import"]').waitFor({ state: 'hidden' });
}, 60_000);

it('edits a scheduled campaign before it fires: the builder opens with its audience, content and time, and saves the change', async () => {
  const headers = { ...marketer.headers(), 'content-type': 'application/json' };
  const at = new Date(Date.now() + 7 * 86400_000).toISOString();
  const created = await (await request('/api/campaigns', {
    method: 'POST', headers, body: JSON.stringify({
      name: '周末沙龙', audience: { segmentId: segmentIdOf, tiers: ['dormant'] },
      content: { text: '周末沙龙邀请', attachments: [{ type: 'link', title: '报名', url: 'https://clinic.example.com/salon' }] }, schedule: { at },
    }),
  })).json() as { id: number; status: string };
  expect(created.status).toBe('scheduled');
  await page.goto(`${product.apiUrl}/dashboard/wework/messages/${created.id}`);
  await page.locator('[data-testid="campaign-edit"]').click();
  await expect.poll(() => field('campaign-name').inputValue()).toBe('周末沙龙');
  expect(await field('campaign-text').inputValue()).toBe('周末沙龙邀请');
  expect(await inside(page.locator('[data-testid="attachment-0"]'), 'attachment-link-title').inputValue()).toBe('报名');
  await field('campaign-text').fill('周末沙龙邀请，名额有限');
  // A cron that would fire every minute is refused while typing, as the API would refuse it.
  const when = page.locator('[data-testid="campaign-when"]');
  await when.getByText('周期发送（cron）').click();
  await field('campaign-cron').fill('* * * * *');
  await expect(page.locator('[data-testid="campaign-cron-hint"]').innerText()).resolves.toContain('cron 无法使用');
  expect(await page.locator('[data-testid="campaign-save"]').isDisabled()).toBe(true);
  await field('campaign-cron').fill('0 10 * * 1');
  await expect(page.locator('[data-testid="campaign-cron-hint"]').innerText()).resolves.toContain('每周一 10:00');
  expect(await page.locator('[data-testid="campaign-save"]').isDisabled()).toBe(false);
  await when.getByText('定时发送').click();
  await page.locator('[data-testid="campaign-save"]').click();
  await page.locator('[data-testid="campaign-counts"]').waitFor();
  const saved = await (await request(`/api/campaigns/${created.id}`, { headers })).json() as { status: string; content: { text: string; attachments: unknown[] }; audience: unknown; schedule: { at: string } };
  expect(saved.content).toEqual({ text: '周末沙龙邀请，名额有限', attachments: [{ type: 'link', title: '报名', url: 'https://clinic.example.com/salon' }] });
  expect(saved.audience).toEqual({ segmentId: segmentIdOf, tiers: ['dormant'] });
  expect(saved.status).toBe('scheduled');
  expect(Math.abs(new Date(saved.schedule.at).getTime() - new Date(at).getTime())).toBeLessThan(60_000);
}, 60_000);

it('pauses a weekly campaign between its fires from its page (still editable), and resumes it; a one-off scheduled campaign has no pause', async () => {
  const headers = { ...marketer.headers(), 'content-type': 'application/json' };
  const create = async (name: string, schedule: object) => (await (await request('/api/campaigns', {
    method: 'POST', headers, body: JSON.stringify({ name, audience: { segmentId: segmentIdOf }, content: { text: '每周护理小贴士' }, schedule }),
  })).json() as { id: number }).id;
  const status = async (id: number) => ((await (await request(`/api/campaigns/${id}`, { headers })).json()) as { status: string }).status;

  const once = await create('下周一次', { at: new Date(Date.now() + 7 * 86400_000).toISOString() });
  await page.goto(`${product.apiUrl}/dashboard/wework/messages/${once}`);
  await page.locator('[data-testid="campaign-cancel"]').waitFor();
  expect(await page.locator('[data-testid="campaign-pause"]').count()).toBe(0);

  const weekly = await create('每周一提醒', { cron: '0 10 * * 1' });
  await page.goto(`${product.apiUrl}/dashboard/wework/messages/${weekly}`);
  await page.locator('[data-testid="campaign-pause"]').click();
  await page.locator('[data-testid="campaign-resume"]').waitFor();
  expect(await status(weekly)).toBe('paused');
  // Paused between fires, it can still be edited.
  expect(await page.locator('[data-testid="campaign-edit"]').count()).toBe(1);
  await page.locator('[data-testid="campaign-resume"]').click();
  await page.locator('[data-testid="campaign-pause"]').waitFor();
  expect(await status(weekly)).toBe('scheduled');
}, 60_000);
