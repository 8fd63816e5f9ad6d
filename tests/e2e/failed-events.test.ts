import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { AuditLog, WeworkCallbackInbox, WeworkCallbackLog, WeworkCustomer } from '../../db/entities/index.ts';
import { screenshot, seriousAxeViolations } from '../setup/browser.ts';
import { scanNewCustomer, signInAt, startE2eProduct, type E2eProduct } from '../setup/e2e-product.ts';

let product: E2eProduct;
let page: Page;
const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);
const em = () => product.db.orm.em.fork();

beforeAll(async () => {
  product = await startE2eProduct({ name: 'failed-events' });
  page = product.page;
});

afterAll(async () => {
  await product?.stop();
});

describe('failed events on 系统状态 in Chromium', () => {
  it('lists a dead letter and a failed event workflow with their reasons, and retries and re-runs them after confirmation', async () => {
    const externalUserId = await scanNewCustomer(product, { state: 'retry_e2e', remark: '重试' }, '重试一');
    // A dead letter as the relay leaves one when Temporal refuses a start for good: the add event, queued again as dead.
    const [added] = await em().getConnection().execute<Array<{ dedupe_key: string; workflow_id: string; raw_data: string }>>(
      `select dedupe_key, workflow_id, raw_data from wework_callback_logs where external_userid = ? and change_type = 'add_external_contact' and outcome = 'accepted' limit 1`, [externalUserId]);
    await em().getConnection().execute(`delete from wework_callback_inbox where dedupe_key = ?`, [added!.dedupe_key]);
    await em().getConnection().execute(`insert into wework_callback_inbox (dedupe_key, event_kind, workflow_id, priority, raw_xml, status, attempts, last_error)
      values (?, 'add_external_contact', ?, 0, ?, 'dead', 3, 'Temporal refused the start: namespace not found (e2e)')`, [added!.dedupe_key, added!.workflow_id, added!.raw_data]);
    // A failed event workflow: WeCom refuses the customer read of an edit event (48002, no API permission) once.
    product.sim.controls.forceError(48002, 1, 'externalcontact/get');
    await product.sim.controls.editCustomer({ external_userid: externalUserId, userid: 'zhangsan', name: '重试一号' }).done;

    await signInAt(product, '/dashboard/system');
    await byTestId('failed-events').waitFor();
    const deadRow = page.locator(`[data-testid="dead-letter-row"][data-workflow-id="${added!.workflow_id}"]`);
    await deadRow.waitFor({ timeout: 20_000 });
    await expect(byTestId('dead-letters-table').innerText()).resolves.toContain('namespace not found (e2e)');
    const failedRow = byTestId('failed-workflow-row');
    // The panel polls every 10 s; the workflow fails within a second or two of the callback.
    await failedRow.waitFor({ timeout: 40_000 });
    const workflowId = await failedRow.getAttribute('data-workflow-id');
    expect(workflowId).toMatch(/^wecom:/);
    await expect(byTestId('failed-workflows-table').innerText()).resolves.toMatch(/refreshCustomerWorkflow[\s\S]*失败[\s\S]*该应用无此接口权限/);
    // Nothing of the customer beyond the ids the admin API already gives.
    expect(await byTestId('failed-events').innerText()).not.toContain('重试一');
    expect(await seriousAxeViolations(page, 'failed-events')).toEqual([]);
    await screenshot(page, '60-failed-events-zh');

    // Retry the dead letter: asks first; cancelling changes nothing.
    await byTestId('dead-letter-retry').click();
    await page.locator('.el-message-box').waitFor();
    await expect(page.locator('.el-message-box').innerText()).resolves.toContain('请先确认失败原因已排除');
    await page.locator('.el-message-box__btns .el-button:not(.el-button--primary)').click();
    expect((await em().findOneOrFail(WeworkCallbackInbox, { dedupeKey: added!.dedupe_key })).status).toBe('dead');
    await byTestId('dead-letter-retry').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await deadRow.waitFor({ state: 'detached', timeout: 15_000 });
    await vi.waitFor(async () => expect((await em().findOneOrFail(WeworkCallbackInbox, { dedupeKey: added!.dedupe_key })).status).toBe('dispatched'), { timeout: 15_000, interval: 200 });

    // Re-run the failed workflow (the permission is back): it runs to the end and the list empties.
    await page.locator(`[data-testid="failed-workflow-rerun"][data-workflow-id="${workflowId}"]`).click();
    await expect(page.locator('.el-message-box').innerText()).resolves.toContain('refreshCustomerWorkflow');
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await failedRow.waitFor({ state: 'detached', timeout: 15_000 });
    await vi.waitFor(async () => {
      expect((await em().findOneOrFail(WeworkCallbackLog, { workflowId: workflowId! })).processed).toBe(true);
      expect((await em().findOneOrFail(WeworkCustomer, { externalUserid: externalUserId })).name).toBe('重试一号');
    }, { timeout: 30_000, interval: 200 });
    await page.reload();
    await byTestId('failed-events').waitFor();
    await expect(byTestId('dead-letters-table').innerText()).resolves.toContain('没有死信');
    await expect(byTestId('failed-workflows-table').innerText()).resolves.toContain('没有失败的事件工作流');
    await screenshot(page, '61-failed-events-cleared');
    // The panel in English too.
    await byTestId('lang-switch').click();
    await expect(byTestId('failed-events').innerText()).resolves.toMatch(/Failed events[\s\S]*No dead letters[\s\S]*No failed event workflows/);
    const audits = (await em().find(AuditLog, { action: { $in: ['callback.retry', 'callback.rerun'] } }, { orderBy: { id: 'asc' } })).map((row) => row.action);
    expect(audits).toEqual(['callback.retry', 'callback.rerun']);
  });
});
