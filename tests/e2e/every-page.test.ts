import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Campaign, Tag, WeworkContactWay, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { createUser } from '../setup/auth.ts';
import { launchBrowser, screenshot, seriousAxeViolations } from '../setup/browser.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let browser: Browser;
let page: Page;
const ADMIN = { username: 'kit-admin', password: 'kit-admin-pass-1' };
const customerIds: Record<'a' | 'b', number> = { a: 0, b: 0 };
let campaignId = 0;

const url = (route: string) => `${product.apiUrl}/dashboard${route}`;

beforeAll(async () => {
  db = await createTestDatabase();
  // The built dashboard (npm run build) served by the API, as in production.
  product = await startTestProduct(db, { worker: false, dashboardDist: path.resolve(import.meta.dirname, '../../web/dist') });
  await createUser(db.orm, { ...ADMIN, role: 'admin' });
  const em = db.orm.em.fork();
  const vip = em.create(Tag, { groupName: '客户等级', name: 'VIP' });
  em.create(WeworkContactWay, { configId: 'cfg-kit', type: 1, scene: 2, state: 'xhs_kit', remark: '小红书活码', userIds: ['zhangsan'] });
  const now = Date.now();
  for (let i = 0; i < 40; i += 1) {
    const name = i === 0 ? '顾客甲' : i === 1 ? '顾客乙' : `客户${i}`;
    const customer = em.create(WeworkCustomer, { externalUserid: `wmKit${i}`, name, type: 1, gender: 2, addedAt: new Date(now - i * 7_200_000) });
    em.create(WeworkCustomerFollow, { customer, staffUserid: 'zhangsan', state: i % 2 ? 'xhs_kit' : 'douyin', addWay: 1, followedAt: new Date(now - i * 7_200_000) });
    if (i % 3 === 0) customer.tags.add(vip);
    if (i < 2) customerIds[i === 0 ? 'a' : 'b'] = 0;
  }
  const campaign = em.create(Campaign, { name: '双十二水光针', audience: { tags: ['VIP'] }, content: { text: '双十二水光针限时优惠，回复预约。' } });
  await em.flush();
  campaignId = campaign.id;
  customerIds.a = (await em.findOneOrFail(WeworkCustomer, { externalUserid: 'wmKit0' })).id;
  customerIds.b = (await em.findOneOrFail(WeworkCustomer, { externalUserid: 'wmKit1' })).id;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
  await db?.drop();
});

/** Waits until the page's data has arrived and the kit has drawn it. */
async function settled(): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
}

describe('every page on the UI kit, in Chromium', () => {
  it('sign-in page: titled, no serious accessibility violations', async () => {
    await page.goto(url('/login'));
    await page.locator('[data-testid="login-username"]').waitFor();
    expect(await page.title()).toBe('登录 · 医美企微助手');
    await screenshot(page, 'kit-00-login');
    const violations = await seriousAxeViolations(page, 'login');
    await page.locator('[data-testid="login-username"]').fill(ADMIN.username);
    await page.locator('[data-testid="login-password"]').fill(ADMIN.password);
    await page.locator('[data-testid="login-submit"]').click();
    await page.locator('[data-testid="user-menu"]').waitFor();
    expect(violations).toEqual([]);
  });

  const pages: Array<{ name: string; route: () => string; title: string; ready: string }> = [
    { name: 'overview', route: () => '/', title: '数据概览', ready: '[data-testid="overview-today"]' },
    { name: 'customers', route: () => '/customers', title: '客户', ready: '[data-testid="customer-row"]' },
    { name: 'customer-detail', route: () => `/customers/${customerIds.a}`, title: '顾客甲', ready: '[data-testid="customer-name"]' },
    { name: 'contact-ways', route: () => '/wework/contact-ways', title: '渠道活码', ready: '[data-testid="page-title"]' },
    { name: 'wecom-config', route: () => '/wework/config', title: '企业微信配置', ready: '[data-testid="page-title"]' },
    { name: 'users', route: () => '/users', title: '用户管理', ready: '[data-testid="page-title"]' },
    { name: 'audit-logs', route: () => '/audit-logs', title: '操作日志', ready: '[data-testid="audit-row"]' },
    { name: 'system', route: () => '/system', title: '系统状态', ready: '[data-testid="health-database"]' },
    { name: 'campaigns', route: () => '/wework/messages', title: '群发', ready: '[data-testid="campaign-link"]' },
    { name: 'campaign-builder', route: () => '/wework/messages/new', title: '新建群发', ready: '[data-testid="campaign-name"]' },
    { name: 'campaign-detail', route: () => `/wework/messages/${campaignId}`, title: '双十二水光针', ready: '[data-testid="campaign-counts"]' },
    { name: 'automations', route: () => '/automations', title: '自动化', ready: '[data-testid="automations-page"]' },
    { name: 'settings', route: () => '/settings', title: '规则与设置', ready: '[data-testid="term-row"]' },
  ];
  for (const target of pages) {
    it(`${target.name}: titled, drawn, screenshot kept, no serious accessibility violations`, async () => {
      await page.goto(url(target.route()));
      await page.locator(target.ready).first().waitFor({ timeout: 20_000 });
      await settled();
      expect(await page.title()).toBe(`${target.title} · 医美企微助手`);
      await screenshot(page, `kit-${target.name}`);
      expect(await seriousAxeViolations(page, target.name)).toEqual([]);
    });
  }

  it('keeps the sidebar the full height of a long page', async () => {
    await page.goto(url('/customers?pageSize=100'));
    await page.locator('[data-testid="customer-row"]').first().waitFor();
    await settled();
    const { pageHeight, sidebarBottom } = await page.evaluate(`(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const sidebar = document.querySelector('.sidebar').getBoundingClientRect();
      return { pageHeight: document.documentElement.scrollHeight, sidebarBottom: sidebar.bottom + window.scrollY };
    })()`) as { pageHeight: number; sidebarBottom: number };
    expect(pageHeight).toBeGreaterThan(1800);
    // Scrolled to the very bottom, the sticky sidebar still reaches it.
    expect(Math.round(sidebarBottom)).toBe(pageHeight);
    await screenshot(page, 'kit-customers-long');
  });

  it('never shows customer A while customer B loads over a slow API', async () => {
    await page.route(`**/api/customers/${customerIds.b}`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await route.continue();
    });
    await page.goto(url(`/customers/${customerIds.a}`));
    await expect(page.locator('[data-testid="customer-name"]').innerText()).resolves.toBe('顾客甲');
    // In-app navigation to B (what a link or 返回 does), with B's answer 2 s away.
    await page.evaluate(`(() => {
      history.pushState({}, '', '/dashboard/customers/${customerIds.b}');
      dispatchEvent(new PopStateEvent('popstate', { state: history.state }));
    })()`);
    await page.locator('[data-testid="customer-loading"]').waitFor({ timeout: 1_500 });
    expect(await page.locator('body').innerText()).not.toContain('顾客甲');
    await screenshot(page, 'kit-customer-b-loading');
    await expect(page.locator('[data-testid="customer-name"]').innerText()).resolves.toBe('顾客乙');
    await page.unroute(`**/api/customers/${customerIds.b}`);
    await page.goto(url('/customers/999999'));
    await page.locator('[data-testid="error-alert"]').waitFor();
    expect(await page.locator('[data-testid="error-alert"]').innerText()).toContain('该客户不存在或已被删除');
  });

  it('keeps the search and page when 返回 comes back from a customer', async () => {
    await page.goto(url('/customers?pageSize=20'));
    await page.locator('[data-testid="customer-row"]').first().waitFor();
    await page.locator('input[data-testid="customer-search"]').fill('客户3');
    await page.locator('input[data-testid="customer-search"]').press('Enter');
    await page.waitForURL(/q=/);
    await page.locator('[data-testid="customer-row"][data-external-userid="wmKit3"]').waitFor();
    await page.locator('tr', { has: page.locator('[data-external-userid="wmKit3"]') }).locator('[data-testid="customer-link"]').click();
    await page.locator('[data-testid="customer-name"]').waitFor();
    await page.locator('[data-testid="customer-back"]').click();
    await page.waitForURL(/\/customers\?/);
    expect(new URL(page.url()).searchParams.get('q')).toBe('客户3');
    await expect(page.locator('input[data-testid="customer-search"]').inputValue()).resolves.toBe('客户3');
    await page.locator('[data-testid="customer-row"][data-external-userid="wmKit3"]').waitFor();
    expect(await page.locator('[data-testid="customer-row"]').count()).toBeLessThan(20);
  });

  it('keeps a form dialog open on a stray backdrop click, asks before Esc throws edits away, and closes at once when nothing was typed', async () => {
    await page.goto(url('/wework/contact-ways'));
    await page.locator('[data-testid="cw-create"]').click();
    const dialog = page.locator('.el-dialog[data-testid="cw-dialog-form"]');
    await dialog.waitFor();
    // Focus is inside the dialog (trapped there by the kit's dialog).
    expect(await page.evaluate(`Boolean(document.activeElement && document.activeElement.closest('.el-dialog'))`)).toBe(true);
    await page.locator('.el-overlay-dialog').click({ position: { x: 5, y: 5 } });
    await page.waitForTimeout(300);
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByLabel('备注（渠道名）').fill('小红书');
    await page.keyboard.press('Escape');
    const confirm = page.locator('.el-message-box', { hasText: '放弃未保存的修改？' });
    await confirm.waitFor();
    await screenshot(page, 'kit-dialog-confirm-discard');
    await confirm.getByRole('button', { name: '继续编辑' }).click();
    await page.waitForTimeout(300);
    expect(await dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.locator('.el-message-box').getByRole('button', { name: '放弃修改' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Nothing typed: Esc closes at once, with nothing to ask about.
    await page.locator('[data-testid="cw-create"]').click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.locator('.el-message-box').isVisible()).toBe(false);
  });
});
