import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AuditLog, ForbiddenTermRow } from '../../db/entities/index.ts';
import { createUser } from '../setup/auth.ts';
import { screenshot, seriousAxeViolations } from '../setup/browser.ts';
import { signInAt, startE2eProduct, type E2eProduct } from '../setup/e2e-product.ts';

let product: E2eProduct;
let page: Page;
const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);
const em = () => product.db.orm.em.fork();

/** The API's answer to GET `path` with the page's session (what the dashboard itself reads). */
async function apiGet<T>(path: string): Promise<T> {
  return page.evaluate(async (url) => (await fetch(url, { credentials: 'include' })).json(), `${product.baseUrl}${path}`) as Promise<T>;
}

beforeAll(async () => {
  product = await startE2eProduct({ name: 'clinic-settings' });
  page = product.page;
});

afterAll(async () => {
  await product?.stop();
});

describe('规则与设置 in Chromium', () => {
  it('lets an admin set the time zone, quiet hours and monthly cap, refusing a cap out of range', async () => {
    await signInAt(product, '/dashboard/settings');
    await page.locator('[data-testid="rules-form"][aria-busy="false"]').waitFor();
    await expect(page.title()).resolves.toBe('规则与设置 · 医美企微助手');
    await expect(byTestId('rules-monthly-cap').inputValue()).resolves.toBe('');
    await page.locator('[data-testid="term-row"]').first().waitFor();
    expect(await seriousAxeViolations(page, 'clinic-settings')).toEqual([]);

    // A cap WeCom's own rules could never reach is refused in the form, and nothing is saved.
    await byTestId('rules-monthly-cap').fill('40');
    await byTestId('rules-save').click();
    await expect(byTestId('rules-monthly-cap-error').innerText()).resolves.toContain('请输入 1–31 的整数，或留空');
    expect((await apiGet<{ monthlyCap: number | null }>('/api/compliance/settings')).monthlyCap).toBeNull();

    await byTestId('rules-monthly-cap').fill('4');
    await byTestId('rules-time-zone').click();
    await page.keyboard.type('America/New_York');
    await page.keyboard.press('Enter');
    await byTestId('rules-quiet').click();
    await byTestId('rules-save').click();
    // Saved; on a loaded machine Temporal may take longer than the 5 s the page waits for the
    // Schedules to follow, and the page says so instead (both mean the settings are stored).
    await page.locator('[data-testid="rules-saved"], [data-testid="rules-pending"]').waitFor();
    expect(await byTestId('rules-error').count()).toBe(0);
    await expect(page.locator('[data-testid="rules-saved"], [data-testid="rules-pending"]').innerText()).resolves.toMatch(/^已保存/);
    expect(await apiGet('/api/compliance/settings')).toMatchObject({ timeZone: 'America/New_York', quietHours: { start: '22:00', end: '08:00' }, monthlyCap: 4 });
    const audit = await em().find(AuditLog, { action: 'compliance.update' });
    expect(audit.map((row) => row.details)).toContainEqual({ settings: { timeZone: 'America/New_York', quietHours: { start: '22:00', end: '08:00' }, monthlyCap: 4 } });
    await screenshot(page, '70-clinic-settings-zh');
  });

  it('saves the birthday and appointment-reminder settings without moving the zone the rules set', async () => {
    await page.reload();
    // The form is disabled (aria-busy) until the stored settings have loaded into it.
    await page.locator('[data-testid="automation-settings-form"][aria-busy="false"]').waitFor();
    await expect(byTestId('automation-offsets').inputValue()).resolves.toBe('24, 2');

    await byTestId('automation-offsets').fill('2, 48, 两小时');
    await byTestId('automation-settings-save').click();
    await expect(byTestId('automation-offsets-error').innerText()).resolves.toContain('请写 1–5 个时长');

    await byTestId('automation-offsets').fill('2，48, 0.5');
    await byTestId('automation-hour').fill('10');
    await byTestId('automation-text').fill('{name}，生日快乐！');
    await byTestId('automation-settings-save').click();
    await page.locator('[data-testid="automation-settings-saved"], [data-testid="automation-settings-pending"]').waitFor();
    expect(await byTestId('automation-settings-error').count()).toBe(0);
    await expect(byTestId('automation-offsets').inputValue()).resolves.toBe('48, 2, 0.5');
    expect(await apiGet('/api/automations/settings')).toMatchObject({
      timeZone: 'America/New_York', birthdayHour: 10, birthdayText: '{name}，生日快乐！', appointmentOffsetsMinutes: [2880, 120, 30],
    });
  });

  it('adds and removes forbidden terms, shows a reason as text, and refuses a term already listed', async () => {
    await page.reload();
    await page.locator('[data-testid="term-row"][data-term="根治"]').waitFor();
    await byTestId('term-input').fill('包过');
    await byTestId('term-reason').fill('<b>保证效果</b>（第十六条）');
    await byTestId('term-add').click();
    await page.locator('[data-testid="term-row"][data-term="包过"]').waitFor();
    // Typed text stays text: no element is made of it.
    await expect(byTestId('terms-table').innerText()).resolves.toContain('<b>保证效果</b>（第十六条）');
    expect(await byTestId('terms-table').locator('b').count()).toBe(0);
    expect(await em().count(ForbiddenTermRow, { term: '包过' })).toBe(1);

    await byTestId('term-input').fill('根治');
    await byTestId('term-reason').fill('重复');
    await byTestId('term-add').click();
    await page.locator('.el-message--error').filter({ hasText: '这个词已在列表中' }).waitFor();

    await byTestId('term-remove-包过').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await page.locator('[data-testid="term-row"][data-term="包过"]').waitFor({ state: 'detached' });
    expect(await em().count(ForbiddenTermRow, { term: '包过' })).toBe(0);
  });

  it('keeps the retention form on 操作日志 working on the same settings-form kit', async () => {
    await page.goto(`${product.baseUrl}/dashboard/audit-logs`);
    await page.locator('[data-testid="retention-form"][aria-busy="false"]').waitFor();
    await byTestId('retention-callback-days').fill('三十');
    await byTestId('retention-save').click();
    await expect(byTestId('retention-callback-days-error').innerText()).resolves.toContain('请填写 1–3650 之间的整数天数');
    await byTestId('retention-callback-days').fill('30');
    await byTestId('retention-save').click();
    await byTestId('retention-saved').waitFor();
    expect(await apiGet('/api/settings/retention')).toMatchObject({ callbackLogDays: 30, messageDays: null });
  });

  it('shows a viewer the rules read-only, in English too', async () => {
    await createUser(product.db.orm, { username: 'reader', password: 'reader-pass-1234', role: 'viewer' });
    const context = await product.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const viewer = await context.newPage();
    await viewer.addInitScript(() => localStorage.setItem('clinic-wecom.locale', 'en'));
    await viewer.goto(`${product.baseUrl}/dashboard/settings`);
    await viewer.locator('[data-testid="login-username"]').fill('reader');
    await viewer.locator('[data-testid="login-password"]').fill('reader-pass-1234');
    await viewer.locator('[data-testid="login-submit"]').click();
    await viewer.locator('[data-testid="settings-readonly"]').waitFor();
    await viewer.locator('[data-testid="term-row"]').first().waitFor();
    await viewer.locator('[data-testid="rules-form"][aria-busy="false"]').waitFor();
    expect(await viewer.title()).toBe('Rules & settings · Clinic WeCom Assistant');
    expect(await viewer.locator('[data-testid="rules-save"], [data-testid="automation-settings-save"], [data-testid="term-add"], [data-testid^="term-remove-"]').count()).toBe(0);
    await expect(viewer.locator('input[data-testid="rules-monthly-cap"]').isDisabled()).resolves.toBe(true);
    await expect(viewer.locator('input[data-testid="rules-monthly-cap"]').inputValue()).resolves.toBe('4');
    expect(await seriousAxeViolations(viewer, 'clinic-settings-viewer')).toEqual([]);
    await screenshot(viewer, '71-clinic-settings-viewer-en');
    await context.close();
  });
});
