import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { addDays, localDate, zonedInstant } from '../../common/clinic-time.ts';
import { Appointment, WeworkCustomer } from '../../db/entities/index.ts';
import { screenshot, seriousAxeViolations } from '../setup/browser.ts';
import { scanNewCustomer, signInAt, startE2eProduct, type E2eProduct } from '../setup/e2e-product.ts';

let product: E2eProduct;
let page: Page;
let externalUserId: string;
const SHANGHAI = 'Asia/Shanghai';

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
    const automations = page.getByTestId('automations-page');
    await automations.waitFor();

    // Birthdays: the clinic's file → a preview with its match and its error → apply.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: /选择生日表格（CSV 或 Excel）/ }).click();
    await (await chooser).setFiles({
      name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(`客户,生日\n${externalUserId},1992-05-20\nwmNobody,1990-01-01\n`),
    });
    const preview = page.getByTestId('birthday-preview');
    await preview.getByText('匹配 1 · 错误 1 · 已写入 0').waitFor();
    // Each row says whom it matched, and how, or why not, in words rather than the API's codes.
    await preview.getByText('生日客户（外部联系人 ID）').waitFor();
    await preview.getByText('没有匹配的客户').waitFor();
    expect(await preview.innerText()).not.toContain('no_match');
    await screenshot(page, '60-birthday-import-preview');
    await page.getByRole('button', { name: '确认导入' }).click();
    await preview.getByText('已写入 1').waitFor();
    const appliedToast = page.getByRole('alert').filter({ hasText: '已写入 1 位客户的生日' });
    await appliedToast.waitFor();
    expect((await product.db.orm.em.fork().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId })).birthday).toBe('1992-05-20');

    // A journey for the 抖音 channel: greet, wait a day, follow up; the editor validates each step and previews.
    const addStep = async (kind: string) => {
      // Element Plus draws the combobox's input zero-wide: the select's box is what a person clicks.
      await page.getByTestId('new-step-kind').click();
      await page.getByRole('option', { name: kind, exact: true }).click();
      await page.getByRole('button', { name: '添加步骤' }).click();
    };
    const validation = page.getByTestId('journey-validation');
    await page.getByRole('button', { name: '+ 新建旅程' }).click();
    // A blank new journey is unfinished, not wrong: no step problem until something is typed.
    await page.getByRole('textbox', { name: '第 1 步 · 发送内容' }).waitFor();
    expect(await page.getByTestId('step-0-problem').count()).toBe(0);
    await page.getByRole('textbox', { name: /名称/ }).fill('抖音新客旅程');
    // The channel list offers the codes' states; one not used yet can be typed.
    const channel = page.getByRole('combobox', { name: /渠道（state）/ });
    await channel.click();
    await page.getByRole('option', { name: 'xiaohongshu' }).waitFor();
    await channel.fill('douyin_e2e');
    await channel.press('Enter');
    await validation.getByText('第 1 步：请填写发送内容').waitFor();
    await expect(page.getByRole('button', { name: '保存（新版本）' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('textbox', { name: '第 1 步 · 发送内容' }).fill('欢迎！送您一份护肤小贴士');
    await addStep('等待');
    await addStep('发送');
    await page.getByRole('textbox', { name: '第 3 步 · 发送内容' }).fill('第二天回访：恢复得怎么样？');
    const timeline = page.getByTestId('journey-timeline');
    await timeline.getByText('第 3 步 · 发送「第二天回访：恢复得怎么样？」').waitFor();
    expect(await timeline.innerText()).toMatch(/\+1 天\s+第 2 步 · 等待 1 天\s+\+1 天\s+第 3 步/);
    expect(await validation.count()).toBe(0);
    // Checked once the toast has gone (it fades, and a half-faded toast fails any contrast rule).
    await appliedToast.waitFor({ state: 'detached' });
    expect(await seriousAxeViolations(page, 'automations-journey-editor')).toEqual([]);
    await page.getByRole('button', { name: '保存（新版本）' }).click();
    await page.getByTestId('journey-enrollments').waitFor();
    await screenshot(page, '61-journey-editor');

    // A customer scans the 抖音 code: onboarding hands them to the journey, which waits at step 2.
    await scanNewCustomer(product, { state: 'douyin_e2e', staff: 'lisi', remark: '抖音' }, '旅程新客');
    await vi.waitFor(async () => {
      await page.getByRole('button', { name: /抖音新客旅程/ }).click();
      expect(await page.getByTestId('journey-enrollments').innerText()).toContain('旅程新客');
      // Greeted (step 1 sent through the send path), now waiting a day at step 2.
      expect(await page.getByTestId('step-1-count').innerText()).toBe('当前 1 人');
    }, { timeout: 30_000, interval: 1_000 });
    expect(await page.getByTestId('journey-enrollments').innerText()).toContain('第 2 步 · 等待 1 天');
    expect(await automations.getByRole('alert').count()).toBe(0);
    await screenshot(page, '62-journey-customer-entered');

    // Edited while the customer waits: a tag step with no tag yet is named by its step, in the user's language.
    await addStep('打标签');
    await validation.getByText('第 4 步：请填写标签').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await validation.getByText('Step 4: Enter a tag').waitFor();
    expect(await page.getByTestId('journey-enrollments').innerText()).toContain('Step 2 · Wait 1 d');
    await page.getByRole('button', { name: '中文' }).click();
    await validation.getByText('第 4 步：请填写标签').waitFor();

    // Unsaved edits survive a stray click on 新建旅程: the editor asks first, and 继续编辑 keeps them.
    await page.getByRole('button', { name: '+ 新建旅程' }).click();
    const ask = page.getByRole('dialog', { name: '放弃未保存的修改？' });
    await ask.waitFor();
    await ask.getByRole('button', { name: '继续编辑' }).click();
    await ask.waitFor({ state: 'hidden' });
    await page.getByRole('textbox', { name: '第 4 步 · 标签' }).fill('旅程完成');

    // Saved: version 2 for newcomers, the customer stays on version 1 and is counted there.
    await page.getByRole('button', { name: '保存（新版本）' }).click();
    await page.getByRole('button', { name: /抖音新客旅程.*v2/ }).waitFor();
    await page.getByTestId('journey-version-1-counts').getByText('第 2 步 等待 1 天 · 1 人').waitFor();
    expect(await page.getByTestId('step-1-count').innerText()).toBe('当前 0 人');
    expect(await page.getByRole('textbox', { name: '第 4 步 · 标签' }).inputValue()).toBe('旅程完成');
  }, 120_000); // a whole day's flow in one browser session: slow on a busy 2-core machine

  it('books, reschedules and cancels an appointment from the list, through the appointment workflow, with its reminders shown', async () => {
    const input = (testid: string) => page.locator(`[data-testid="${testid}"]`).locator('xpath=self::input | .//input').first();
    const day = addDays(localDate(Date.now(), SHANGHAI), 5);
    const later = addDays(day, 2);
    // The customer is found by name (the picker keeps their external userid); the staff member by UserID.
    await input('appointment-customer').click();
    await input('appointment-customer').pressSequentially('生日');
    await page.locator('[data-testid="appointment-customer-option"]', { hasText: '生日客户' }).click();
    await input('appointment-staff').click();
    await input('appointment-staff').pressSequentially('zhangsan');
    await input('appointment-staff').press('Enter');
    await input('appointment-project').fill('光子嫩肤');
    await input('appointment-time').fill(`${day}T15:00`);
    await page.locator('[data-testid="appointment-book"]').click();
    const row = page.locator('[data-testid="appointments"] tr', { hasText: '光子嫩肤' });
    await row.getByText('已预约').waitFor();
    await row.getByText('生日客户').waitFor();
    const em = () => product.db.orm.em.fork();
    const booked = await em().findOneOrFail(Appointment, { project: '光子嫩肤' });
    // Read in the clinic's zone (Asia/Shanghai), whatever the browser's zone is.
    expect(booked.startsAt.getTime()).toBe(zonedInstant(day, 15, 0, SHANGHAI));
    expect(await row.locator(`[data-testid="appointment-${booked.id}-reminders"]`).innerText()).toMatch(/24 小时前 · 待发送[\s\S]*2 小时前 · 待发送/);

    // 改期: the PATCH reaches the workflow's Update, which writes the new time.
    await page.locator(`[data-testid="appointment-${booked.id}-reschedule"]`).click();
    await input('appointment-new-time').fill(`${later}T10:30`);
    await page.locator('[data-testid="appointment-reschedule-save"]').click();
    await row.getByText('已改期 1 次').waitFor();
    expect(await em().findOneOrFail(Appointment, { id: booked.id })).toMatchObject({ startsAt: new Date(zonedInstant(later, 10, 30, SHANGHAI)), reschedules: 1, status: 'booked' });
    await screenshot(page, '63-appointment-rescheduled');

    // 取消: asked first; afterwards no reminder is pending.
    await page.locator(`[data-testid="appointment-${booked.id}-cancel"]`).click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await row.getByText('已取消').waitFor();
    expect(await row.locator(`[data-testid="appointment-${booked.id}-reminders"]`).innerText()).not.toContain('待发送');
    expect(await em().findOneOrFail(Appointment, { id: booked.id })).toMatchObject({ status: 'cancelled' });
    const { messages } = (await (await fetch(`${product.sim.url}/sim/messages?kind=app`)).json()) as { messages: Array<{ body: unknown }> };
    expect(messages.filter((m) => JSON.stringify(m.body).includes('光子嫩肤'))).toEqual([]);
    expect(await page.getByTestId('automations-page').getByRole('alert').count()).toBe(0);
  });

  it('shows and edits a customer\'s birthday on their detail page', async () => {
    const customer = await product.db.orm.em.fork().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId });
    await page.goto(`${product.baseUrl}/dashboard/customers/${customer.id}`);
    await page.locator('[data-testid="customer-birthday-value"]').getByText('1992-05-20').waitFor();
    await page.locator('[data-testid="customer-birthday-edit"]').click();
    await page.locator('[data-testid="customer-birthday-input"]').locator('xpath=self::input | .//input').first().fill('05-21');
    await page.locator('[data-testid="customer-birthday-save"]').click();
    await page.locator('[data-testid="customer-birthday-value"]').getByText('05-21').waitFor();
    // Year unknown: stored in the placeholder year, shown as MM-DD.
    expect((await product.db.orm.em.fork().findOneOrFail(WeworkCustomer, { id: customer.id })).birthday).toBe('1904-05-21');
  });
});
