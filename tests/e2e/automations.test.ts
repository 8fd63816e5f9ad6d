import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { WeworkCustomer } from '../../db/entities/index.ts';
import { screenshot } from '../setup/browser.ts';
import { scanNewCustomer, signInAt, startE2eProduct, type E2eProduct } from '../setup/e2e-product.ts';

let product: E2eProduct;
let page: Page;
let externalUserId: string;

beforeAll(async () => {
  product = await startE2eProduct({ name: 'automations' });
  page = product.page;
  // A customer scans a channel code and is onboarded by the real product.
  externalUserId = await scanNewCustomer(product, { state: 'xiaohongshu', remark: '小红书' }, '生日客户');
});

afterAll(async () => {
  await product?.stop();
});

describe('automations in Chromium', () => {
  it('imports birthdays from a file, builds a journey, and watches a simulated scan enter it', async () => {
    await signInAt(product, '/dashboard/automations');
    await page.locator('[data-testid="automations-page"]').waitFor();

    // Birthdays: the clinic's file → a preview with its match and its error → apply.
    await page.locator('[data-testid="birthday-file"]').setInputFiles({
      name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(`客户,生日\n${externalUserId},1992-05-20\nwmNobody,1990-01-01\n`),
    });
    await page.locator('[data-testid="birthday-preview"]').getByText('匹配 1 · 错误 1 · 已写入 0').waitFor();
    await screenshot(page, '60-birthday-import-preview');
    await page.locator('[data-testid="birthday-apply"]').click();
    await page.locator('[data-testid="birthday-preview"]').getByText('已写入 1').waitFor();
    expect((await product.db.orm.em.fork().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId })).birthday).toBe('1992-05-20');

    // A journey for the 抖音 channel: greet, wait a day, follow up; the editor validates and previews.
    await page.locator('[data-testid="journey-new"]').click();
    await page.locator('[data-testid="journey-name"]').fill('抖音新客旅程');
    await page.locator('[data-testid="journey-channel"]').fill('douyin_e2e');
    await page.locator('[data-testid="journey-validation"]').waitFor();
    await page.locator('[data-testid="step-0-text"]').fill('欢迎！送您一份护肤小贴士');
    await page.locator('[data-testid="new-step-kind"]').selectOption('wait');
    await page.locator('[data-testid="add-step"]').click();
    await page.locator('[data-testid="new-step-kind"]').selectOption('send');
    await page.locator('[data-testid="add-step"]').click();
    await page.locator('[data-testid="step-2-text"]').fill('第二天回访：恢复得怎么样？');
    await page.locator('[data-testid="journey-timeline"]').getByText('+1d · send').waitFor();
    await page.locator('[data-testid="journey-save"]').click();
    await page.locator('[data-testid="journey-enrollments"]').waitFor();
    await screenshot(page, '61-journey-editor');

    // A customer scans the 抖音 code: onboarding hands them to the journey, which waits at step 2.
    await scanNewCustomer(product, { state: 'douyin_e2e', staff: 'lisi', remark: '抖音' }, '旅程新客');
    await vi.waitFor(async () => {
      await page.locator('[data-testid^="journey-"]').getByText('抖音新客旅程').click();
      expect(await page.locator('[data-testid="journey-enrollments"]').innerText()).toContain('旅程新客');
      // Greeted (step 1 sent through the send path), now waiting a day at step 2.
      expect(await page.locator('[data-testid="step-1-count"]').innerText()).toBe('当前 1 人');
    }, { timeout: 30_000, interval: 1_000 });
    expect(await page.locator('.automations [role="alert"]').count()).toBe(0);
    await screenshot(page, '62-journey-customer-entered');
  });
});
