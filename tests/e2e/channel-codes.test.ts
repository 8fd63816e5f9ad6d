import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { screenshot } from '../setup/browser.ts';
import { signInAt, startE2eProduct, type E2eProduct } from '../setup/e2e-product.ts';

let product: E2eProduct;
let page: Page;
const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);

beforeAll(async () => {
  // The real API process with WeCom unconfigured: the admin configures it in the browser.
  product = await startE2eProduct({ name: 'codes', wecom: 'unconfigured', production: false });
  page = product.page;
});

afterAll(async () => {
  await product?.stop();
});

describe('channel codes in Chromium', () => {
  it('configures WeCom with the simulator\'s demo credentials and tests the connection', async () => {
    await signInAt(product, '/dashboard/wework/config');
    await byTestId('wecom-config-form').waitFor();
    expect(await byTestId('wecom-callback-url').inputValue()).toBe(`${product.baseUrl}/api/wework/callback`);

    await byTestId('wecom-corp-id').fill(DEMO_OPTIONS.corpId);
    await byTestId('wecom-agent-id').fill(DEMO_OPTIONS.agentId);
    await byTestId('wecom-secret').fill(DEMO_OPTIONS.corpSecret);
    await byTestId('wecom-token').fill(DEMO_OPTIONS.token);
    await byTestId('wecom-aes-key').fill(DEMO_OPTIONS.encodingAesKey.slice(0, 40));
    await byTestId('wecom-save').click();
    await expect(byTestId('wecom-encodingAesKey-error').innerText()).resolves.toBe('EncodingAESKey 必须是 43 位字母或数字');
    await byTestId('wecom-aes-key').fill(DEMO_OPTIONS.encodingAesKey);
    await byTestId('wecom-save').click();
    await page.locator('[data-testid="wecom-notice"]', { hasText: '配置已保存' }).waitFor();
    expect(await byTestId('wecom-secret').inputValue()).toBe('');
    await expect(byTestId('wecom-secret-hint').innerText()).resolves.toContain(`••••••••${DEMO_OPTIONS.corpSecret.slice(-4)}`);
    // The page never received the Secret: it is in no input and nowhere in the document.
    expect(await page.content()).not.toContain(DEMO_OPTIONS.corpSecret);

    await byTestId('wecom-test').click();
    await page.locator('[data-testid="wecom-test-result"][data-ok="true"]').waitFor();
    expect(await page.locator('[data-testid="wecom-test-step"][data-ok="true"]').count()).toBe(3);
    await page.locator('[data-testid="wecom-token-status"][data-present="true"]').waitFor();
    await screenshot(page, '20-wecom-config');
  });

  it('creates a channel code whose QR image loads through the API', async () => {
    await byTestId('nav-contact-ways').click();
    await byTestId('cw-create').click();
    await page.locator('[data-testid="cw-member"][data-userid="zhangsan"]').click();
    await byTestId('cw-remark').fill('小红书');
    await byTestId('cw-state').fill('x'.repeat(31));
    await byTestId('cw-submit').click();
    await expect(byTestId('cw-error-state').innerText()).resolves.toBe('state 最多 30 个字符');
    await byTestId('cw-state').fill('xhs_e2e');
    await byTestId('cw-welcome').fill('{name}您好！欢迎从{channel}来到星颜医美，我是您的顾问{staff}。');
    await expect(byTestId('cw-welcome-preview').innerText()).resolves.toContain('王小美您好！欢迎从小红书来到星颜医美，我是您的顾问zhangsan。');
    await screenshot(page, '21-contact-way-form');
    await byTestId('cw-submit').click();

    const row = page.locator('tr', { has: page.locator('[data-testid="cw-row"][data-state="xhs_e2e"]') });
    await row.waitFor();
    await expect(row.locator('[data-role="added"]').innerText()).resolves.toBe('0');
    const thumb = row.locator('[data-testid="cw-qr-thumb"]');
    // Strings, not functions: this file is type-checked without the DOM library.
    // Function predicates (not strings): the dashboard's CSP forbids eval, which string predicates need to poll.
    await page.waitForFunction(() => [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ complete: boolean; naturalWidth: number }> } }).document
      .querySelectorAll('tr:has([data-testid="cw-row"][data-state="xhs_e2e"]) [data-testid="cw-qr-thumb"]')].every((img) => img.complete && img.naturalWidth > 0));
    expect(await thumb.getAttribute('src')).toMatch(/^\/api\/contact-ways\/\d+\/qr\.png$/);
    await row.locator('[data-testid="cw-qr-preview"]').click();
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }).document.querySelector('[data-testid="cw-qr-large"]');
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    await screenshot(page, '22-contact-way-qr');
    await page.keyboard.press('Escape');
  });

  it('simulates a scan: the whole flow runs and the code\'s "added" figure becomes 1', async () => {
    const row = page.locator('tr', { has: page.locator('[data-testid="cw-row"][data-state="xhs_e2e"]') });
    await row.locator('[data-testid="cw-simulate"]').click();
    await byTestId('cw-simulate-name').fill('王小美');
    await byTestId('cw-simulate-go').click();
    await page.locator('[data-testid="cw-notice"]', { hasText: '王小美' }).waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document
      .querySelector('tr:has([data-testid="cw-row"][data-state="xhs_e2e"]) [data-role="added"]')?.textContent?.trim() === '1', undefined, { timeout: 30_000 });
    // The lead is written a step after the relationship (onboarding's next activity): the page refreshes until it shows.
    await vi.waitFor(async () => expect(await row.locator('[data-role="leads"]').innerText()).toBe('1'), { timeout: 15_000, interval: 500 });
    await screenshot(page, '23-contact-way-scanned');
    // The customer got this code's welcome message, through WeCom (the simulator).
    const welcomes = product.sim.controls.messages('welcome');
    expect(welcomes.some((m) => JSON.stringify(m.body).includes('王小美您好！欢迎从小红书来到星颜医美，我是您的顾问zhangsan。'))).toBe(true);
  });

  it('shows the scanned customer with the channel tag, and the detail links to the onboarding run in the Temporal UI', async () => {
    await page.locator('[data-testid="nav-customers"]').click();
    const row = page.locator('tr', { has: page.locator('[data-testid="customer-row"]', { hasText: '王小美' }) });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('小红书');
    await screenshot(page, '24-customer-listed');

    await row.locator('[data-testid="customer-link"]').click();
    await page.locator('[data-testid="customer-name"]', { hasText: '王小美' }).waitFor();
    await expect(page.locator('body').innerText()).resolves.toContain('渠道');
    const link = page.locator('[data-testid="timeline-entry"][data-title="onboardCustomerWorkflow"] [data-testid="timeline-temporal-link"]');
    await link.waitFor({ timeout: 15_000 });
    await screenshot(page, '25-customer-detail');

    const href = (await link.getAttribute('href'))!;
    const [ui] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await ui.waitForLoadState('domcontentloaded');
    expect(ui.url()).toBe(href);
    const workflowId = decodeURIComponent(href.split('/workflows/')[1]!.split('/')[0]!);
    await ui.getByText(workflowId).first().waitFor({ timeout: 30_000 });
    await screenshot(ui, '26-temporal-ui-onboarding-run');
    await ui.close();
  });
});
