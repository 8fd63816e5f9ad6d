import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CustomerConsumption, WeworkCustomer, WeworkCustomerFollow } from '../../db/entities/index.ts';
import { createUser } from '../setup/auth.ts';
import { launchBrowser, screenshot, seriousAxeViolations } from '../setup/browser.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

// A marketer narrows the customer list to dormant customers, sorts them by total spend, opens one
// and comes back with 返回: the filter and the sort are still there (built dashboard, Chromium).

let db: TestDatabase;
let product: TestProduct;
let browser: Browser;
let page: Page;
const MARKETER = { username: 'sort-marketer', password: 'sort-marketer-pass-1' };
const url = (route: string) => `${product.apiUrl}/dashboard${route}`;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { worker: false, dashboardDist: path.resolve(import.meta.dirname, '../../web/dist') });
  await createUser(db.orm, { ...MARKETER, role: 'marketer' });
  const em = db.orm.em.fork();
  // 24 customers: every third dormant (last seen 100–150 days ago) with a different spend; the rest seen this month.
  for (let i = 0; i < 24; i += 1) {
    const customer = em.create(WeworkCustomer, { externalUserid: `wmSort${i}`, name: `顾客${i}`, type: 1, addedAt: daysAgo(300 + i), birthday: `1990-0${1 + (i % 9)}-15` });
    em.create(WeworkCustomerFollow, { customer, staffUserid: 'zhangsan', state: 'xhs', addWay: 1, followedAt: daysAgo(300 + i) });
    const dormant = i % 3 === 0;
    em.create(CustomerConsumption, {
      externalUserid: `wmSort${i}`, kind: 'purchase', occurredAt: daysAgo(dormant ? 100 + i : 40 + i), amountFen: BigInt(((i * 7) % 24) * 10_000),
      source: 'his', externalRef: `sort-${i}`,
    });
  }
  await em.flush();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  await page.goto(url('/login'));
  await page.locator('[data-testid="login-username"]').fill(MARKETER.username);
  await page.locator('[data-testid="login-password"]').fill(MARKETER.password);
  await page.locator('[data-testid="login-submit"]').click();
  await page.locator('[data-testid="user-menu"]').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
  await db?.drop();
});

/** The external ids of the rows shown, top to bottom. */
async function shownIds(): Promise<string[]> {
  return page.locator('[data-testid="customer-row"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-external-userid') ?? ''));
}

describe('customer list: tier filter and spend sort survive 返回', () => {
  it('filters to dormant customers, sorts by total spend, opens one and comes back to the same list', async () => {
    await page.goto(url('/customers'));
    await page.locator('[data-testid="customer-row"]').first().waitFor();

    // 客户分层 → 沉睡, then 查询.
    await page.locator('[data-testid="filter-tiers"]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '沉睡' }).click();
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="filter-apply"]').click();
    await page.waitForURL(/tiers=dormant/);
    const dormant = Array.from({ length: 8 }, (_, k) => `wmSort${k * 3}`);
    // Polled: the URL changes before the new page of rows arrives.
    await expect.poll(async () => (await shownIds()).sort(), { timeout: 10_000 }).toEqual([...dormant].sort());
    expect(await page.locator('[data-role="tier"]').evaluateAll((tags) => tags.map((tag) => tag.getAttribute('data-tier')))).toEqual(Array(8).fill('dormant'));

    // 消费总额: the first click sorts the biggest spenders first.
    await page.locator('th', { hasText: '消费总额' }).click();
    await page.waitForURL(/sort=spend/);
    const spendOf = (id: string) => ((Number(id.slice(6)) * 7) % 24) * 10_000;
    const bySpend = [...dormant].sort((a, b) => spendOf(b) - spendOf(a) || Number(b.slice(6)) - Number(a.slice(6)));
    await expect.poll(shownIds, { timeout: 10_000 }).toEqual(bySpend);
    const search = new URL(page.url()).searchParams;
    expect([search.get('tiers'), search.get('sort'), search.get('order')]).toEqual(['dormant', 'spend', 'desc']);
    expect(await page.locator('[data-role="spend"]').first().innerText()).toBe(`¥${(spendOf(bySpend[0]!) / 100).toLocaleString('en-US')}`);
    await screenshot(page, 'customers-dormant-by-spend');
    expect(await seriousAxeViolations(page, 'customers-dormant-by-spend')).toEqual([]);

    // Open the second customer, then 返回.
    await page.locator('tr', { has: page.locator(`[data-external-userid="${bySpend[1]}"]`) }).locator('[data-testid="customer-link"]').click();
    await page.locator('[data-testid="customer-name"]').waitFor();
    await page.locator('[data-testid="customer-back"]').click();
    await page.waitForURL(/\/customers\?/);
    const back = new URL(page.url()).searchParams;
    expect([back.get('tiers'), back.get('sort'), back.get('order')]).toEqual(['dormant', 'spend', 'desc']);
    await expect.poll(shownIds, { timeout: 10_000 }).toEqual(bySpend);
    // The filter bar and the column header show the same state as the URL.
    expect(await page.locator('[data-testid="filter-tiers"]').innerText()).toContain('沉睡');
    expect(await page.locator('th', { hasText: '消费总额' }).getAttribute('class')).toContain('descending');
    await screenshot(page, 'customers-dormant-by-spend-after-back');
  });

  it('filters by birthday month and sorts by the next birthday from a shared link', async () => {
    await page.goto(url('/customers?birthdayMonth=3&sort=birthday&order=asc'));
    // Born on March 15th: i % 9 = 2 → customers 2, 11, 20, in id order (one birthday).
    await expect.poll(shownIds, { timeout: 10_000 }).toEqual(['wmSort2', 'wmSort11', 'wmSort20']);
    expect(await page.locator('[data-testid="filter-birthday-month"]').innerText()).toContain('三月');
    expect(await page.locator('[data-role="birthday"]').first().innerText()).toBe('03-15');
  });
});
