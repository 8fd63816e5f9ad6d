import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { waitForHttp } from '../../scripts/lib/supervisor.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { startSimulator, type RunningSimulator } from '../../sim/simulator.ts';
import { launchBrowser, screenshot } from '../setup/browser.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { signalGroup, spawnEntryPoint, type SpawnedProcess } from '../setup/processes.ts';
import { startTestWorker, type RunningTestWorker } from '../setup/temporal.ts';

let db: TestDatabase;
let sim: RunningSimulator;
let api: SpawnedProcess;
let worker: RunningTestWorker;
let browser: Browser;
let page: Page;
let baseUrl: string;
let externalUserId: string;
const ADMIN = { username: 'boss', password: `e2e-${randomBytes(6).toString('hex')}` };
const XSS_NAME = '<img src=x onerror=alert(1)>';

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ port: 0, callbackRetryDelayMs: 200, groupMsgConfirmDelayMs: null });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const secretKey = randomBytes(32);
  const taskQueue = `e2e-customers-${randomBytes(3).toString('hex')}`;
  api = spawnEntryPoint('api/server.ts', {
    NODE_ENV: 'production', DATABASE_URL: db.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_UI_URL: inject('temporalUiUrl'), APP_SECRET_KEY: secretKey.toString('hex'), PORT: String(port), HOST: '127.0.0.1',
    WECOM_API_BASE: sim.url, WECOM_CORP_ID: DEMO_OPTIONS.corpId, WECOM_CORP_SECRET: DEMO_OPTIONS.corpSecret, WECOM_AGENT_ID: DEMO_OPTIONS.agentId,
    WECOM_TOKEN: DEMO_OPTIONS.token, WECOM_ENCODING_AES_KEY: DEMO_OPTIONS.encodingAesKey,
    ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password,
  });
  await waitForHttp(`${baseUrl}/api/health`, { child: api.child, timeoutMs: 90_000, acceptStatus: [503] });
  worker = await startTestWorker(db.orm, db.url, { secretKey, apiBase: sim.url }, taskQueue);
  sim.controls.setOptions({ callbackUrl: `${baseUrl}/api/wework/callback` });

  // A customer scans a channel code and is onboarded by the real product.
  const { api: wecom } = await createWeComAccess({ orm: db.orm, box: new SecretBox(secretKey), apiBase: sim.url });
  const code = await wecom.contactWay.add({ type: 1, scene: 2, state: 'xiaohongshu', user: ['zhangsan'], remark: '小红书' });
  const scan = sim.controls.scan({ config_id: code.config_id, name: XSS_NAME });
  await scan.done;
  externalUserId = scan.customer.external_userid;
  await vi.waitFor(async () => {
    const logs = await db.orm.em.fork().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact' });
    expect(logs.length > 0 && logs.every((log) => log.processed)).toBe(true);
  }, { timeout: 30_000, interval: 200 });

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  if (api) {
    signalGroup(api, 'SIGTERM');
    await api.exited;
  }
  await sim?.close();
  await db?.drop();
});

describe('customers in Chromium', () => {
  it('signs in, lists the customer (name shown as text), opens the detail and the onboarding run in the Temporal UI', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    await page.goto(`${baseUrl}/dashboard/customers`);
    await page.locator('[data-testid="login-username"]').fill(ADMIN.username);
    await page.locator('[data-testid="login-password"]').fill(ADMIN.password);
    await page.locator('[data-testid="login-submit"]').click();

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
});
