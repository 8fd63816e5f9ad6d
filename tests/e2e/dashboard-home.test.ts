import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../scripts/lib/ports.ts';
import { waitForHttp } from '../../scripts/lib/supervisor.ts';
import { launchBrowser, screenshot } from '../setup/browser.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { signalGroup, spawnEntryPoint, type SpawnedProcess } from '../setup/processes.ts';

let db: TestDatabase;
let product: SpawnedProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
const ADMIN = { username: 'clinic-admin', password: `e2e-${randomBytes(6).toString('hex')}` };

beforeAll(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // The production entry point (API + worker), with WeCom configured through WECOM_* as an operator would.
  product = spawnEntryPoint('scripts/start.ts', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_UI_URL: inject('temporalUiUrl'),
    TEMPORAL_TASK_QUEUE: `e2e-${randomBytes(3).toString('hex')}`,
    APP_SECRET_KEY: randomBytes(32).toString('hex'),
    PORT: String(port),
    HOST: '127.0.0.1',
    WECOM_API_BASE: undefined,
    WECOM_CORP_ID: 'ww_e2e_clinic', WECOM_CORP_SECRET: 'e2e-secret', WECOM_AGENT_ID: '1000002',
    WECOM_TOKEN: 'e2eToken', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    // The first admin, as an operator creates it.
    ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password,
  });
  await waitForHttp(`${baseUrl}/api/health`, { child: product.child, timeoutMs: 90_000 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
});

afterAll(async () => {
  await browser?.close();
  if (product) {
    signalGroup(product, 'SIGTERM');
    await product.exited;
  }
  await db?.drop();
});

describe('dashboard home in Chromium', () => {
  it('is served at the API port under /dashboard/, asks to sign in, lands on 数据概览, and 系统状态 shows every part healthy, in Chinese', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator('[data-testid="login-username"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await screenshot(page, '00-login-zh');
    await page.locator('[data-testid="login-username"]').fill(ADMIN.username);
    await page.locator('[data-testid="login-password"]').fill(ADMIN.password);
    await page.locator('[data-testid="login-submit"]').click();
    await page.locator('[data-testid="user-menu"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await expect(page.locator('[data-testid="user-menu"]').innerText()).resolves.toContain('管理员');
    await expect(page.locator('[data-testid="page-title"]').innerText()).resolves.toBe('数据概览');
    await page.locator('[data-testid="nav-system"]').click();
    for (const part of ['database', 'temporal', 'worker', 'wecom']) {
      await page.locator(`[data-testid="health-${part}"][data-state="ok"]`).waitFor({ timeout: 15_000 });
    }
    await expect(page.locator('[data-testid="health-database"]').innerText()).resolves.toContain('数据库');
    await expect(page.locator('[data-testid="health-worker"]').innerText()).resolves.toMatch(/1/);
    await expect(page.locator('[data-testid="health-wecom"]').innerText()).resolves.toContain('ww_e2e_clinic');
    await screenshot(page, '01-home-zh');
  });

  it('runs the end-to-end probe through the worker and shows its round trip', async () => {
    await page.locator('[data-testid="probe-button"]').click();
    const result = page.locator('[data-testid="probe-result"]');
    await result.waitFor();
    await expect(result.innerText()).resolves.toMatch(/\d+\s*ms/);
    await screenshot(page, '02-probe');
  });

  it('links to the Temporal UI, where the probe just run is listed', async () => {
    const link = page.locator('[data-testid="temporal-ui-link"]');
    // The product's namespace's workflows, not the UI's root (which opens `default`).
    expect(await link.getAttribute('href')).toBe(`${inject('temporalUiUrl')}/namespaces/default/workflows`);
    const [temporalPage] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    // The Temporal UI is a single-page app: wait until it has loaded the namespace's workflows.
    await temporalPage.getByText('healthProbeWorkflow').first().waitFor({ timeout: 30_000 });
    expect(new URL(temporalPage.url()).origin).toBe(new URL(inject('temporalUiUrl')).origin);
    await screenshot(temporalPage, '03-temporal-ui');
    await temporalPage.close();
  });

  it('switches to English and remembers it after a reload', async () => {
    await page.locator('[data-testid="lang-switch"]').click();
    await expect(page.locator('[data-testid="health-database"]').innerText()).resolves.toContain('Database');
    await page.reload();
    await page.locator('[data-testid="health-database"][data-state="ok"]').waitFor();
    await expect(page.locator('[data-testid="health-database"]').innerText()).resolves.toContain('Database');
    await screenshot(page, '04-home-en');
  });
});
