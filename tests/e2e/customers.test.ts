import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { Tag } from '../../db/entities/index.ts';
import { screenshot } from '../setup/browser.ts';
import { scanNewCustomer, signInAt, startE2eProduct, type E2eProduct } from '../setup/e2e-product.ts';

let product: E2eProduct;
let page: Page;
let externalUserId: string;
const XSS_NAME = '<img src=x onerror=alert(1)>';

beforeAll(async () => {
  product = await startE2eProduct({ name: 'customers' });
  page = product.page;
  // A customer scans a channel code and is onboarded by the real product.
  externalUserId = await scanNewCustomer(product, { state: 'xiaohongshu', remark: '小红书' }, XSS_NAME);
  // A tag the marketer hands out in bulk (WeCom learns of it on first use).
  const em = product.db.orm.em.fork();
  em.create(Tag, { groupName: '客户等级', name: '高意向' });
  await em.flush();
});

afterAll(async () => {
  await product?.stop();
});

describe('customers in Chromium', () => {
  it('signs in, lists the customer (name shown as text), opens the detail and the onboarding run in the Temporal UI', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    await signInAt(product, '/dashboard/customers');

    const marker = page.locator(`[data-testid="customer-row"][data-external-userid="${externalUserId}"]`);
    await marker.waitFor();
    // The whole table row of that customer (the marker is its name cell).
    const row = page.locator('tr', { has: marker });
    expect(new URL(page.url()).pathname).toBe('/dashboard/customers');
    expect(await row.locator('[data-role="name"]').innerText()).toBe(XSS_NAME);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await row.innerText()).toContain('xiaohongshu');
    expect(await page.locator('[data-testid="nav-customers"]').getAttribute('class')).toContain('is-active');
    await screenshot(page, '30-customers');

    await row.locator('[data-testid="customer-link"]').click();
    await page.locator('[data-testid="customer-name"]').waitFor();
    expect(await page.locator('[data-testid="customer-name"]').innerText()).toBe(XSS_NAME);
    const link = page.locator('[data-testid="timeline-entry"][data-title="onboardCustomerWorkflow"] [data-testid="timeline-temporal-link"]');
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${inject('temporalUiUrl')}/namespaces/default/workflows/wecom%3A[^/]+/[0-9a-f-]+/history$`));
    await screenshot(page, '31-customer-detail');

    const [ui] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await ui.waitForLoadState('domcontentloaded');
    expect(ui.url()).toBe(href);
    // The Temporal UI renders the run: its workflow id appears on the page.
    const workflowId = decodeURIComponent(href.split('/workflows/')[1]!.split('/')[0]!);
    await ui.getByText(workflowId).first().waitFor({ timeout: 30_000 });
    await screenshot(ui, '32-temporal-ui-onboarding-run');
    await ui.close();
    expect(dialogs).toEqual([]);
  });

  it('ticks the customer, adds a tag in bulk, follows the progress bar to the result, and WeCom has the tag', async () => {
    await page.goto(`${product.baseUrl}/dashboard/customers`);
    const row = page.locator('tr', { has: page.locator(`[data-testid="customer-row"][data-external-userid="${externalUserId}"]`) });
    await row.locator('.el-checkbox').click();
    await page.locator('[data-testid="bulk-selected"]', { hasText: '已选 1 位客户' }).waitFor();
    await page.locator('[data-testid="bulk-open-rows"]').click();
    const dialog = page.locator('[data-testid="bulk-dialog"]');
    await dialog.waitFor();
    await dialog.locator('[data-testid="bulk-add"]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '客户等级 / 高意向' }).click();
    // Close the dropdown by clicking elsewhere in the dialog (Esc would ask to discard the dialog's edits).
    await dialog.locator('.el-dialog__title').click();
    await screenshot(page, '33-bulk-tag-dialog');
    await dialog.locator('[data-testid="bulk-submit"]').click();

    const job = page.locator('[data-testid="bulk-job"][data-status="completed"]');
    await job.waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="bulk-progress-text"]').innerText()).toContain('已处理 1 / 1 位：成功 1，失败 0');
    // The list reloads with the tag on the row, and WeCom has it on the relationship.
    await row.getByText('高意向').waitFor();
    const tag = await product.db.orm.em.fork().findOneOrFail(Tag, { name: '高意向' });
    await vi.waitFor(() => expect(product.sim.state.followsByCustomer.get(externalUserId)?.get('zhangsan')?.tag_ids).toContain(tag.wecomTagId));
    await screenshot(page, '34-bulk-tag-done');
  });

  it('数据概览 syncs the staff behaviour figures from WeCom and shows zhangsan\'s new customer in the table', async () => {
    await page.goto(`${product.baseUrl}/dashboard/`);
    const card = page.locator('[data-testid="staff-behavior"]');
    await card.locator('[data-testid="staff-behavior-note"]', { hasText: '尚未同步' }).waitFor();
    await card.locator('[data-testid="staff-behavior-sync"]').click();
    const zhangsan = card.locator('tr', { has: page.locator('[data-role="staff"][data-userid="zhangsan"]') });
    await zhangsan.waitFor({ timeout: 30_000 });
    expect(Number(await zhangsan.locator('[data-role="new-contact"]').innerText())).toBeGreaterThanOrEqual(1);
    await card.locator('[data-testid="staff-behavior-note"]', { hasText: '已同步到' }).waitFor();
    await screenshot(page, '35-staff-behavior');
  });
});
