import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../scripts/lib/ports.ts';
import { waitForHttp } from '../../scripts/lib/supervisor.ts';
import { launchBrowser, screenshot } from '../setup/browser.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { signalGroup, spawnEntryPoint, type SpawnedProcess } from '../setup/processes.ts';

let db: TestDatabase;
let api: SpawnedProcess;
let browser: Browser;
let page: Page;
let baseUrl: string;
const ADMIN = { username: 'boss', password: `e2e-${randomBytes(6).toString('hex')}` };
const VIEWER = { username: 'frontdesk', password: 'front-desk-pass-1' };

async function signIn(username: string, password: string): Promise<void> {
  await page.locator('[data-testid="login-username"]').fill(username);
  await page.locator('[data-testid="login-password"]').fill(password);
  await page.locator('[data-testid="login-submit"]').click();
}

beforeAll(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // The API alone, in production mode (Secure cookie); no worker is needed for sign-in and users.
  api = spawnEntryPoint('api/server.ts', {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `e2e-auth-${randomBytes(3).toString('hex')}`,
    APP_SECRET_KEY: randomBytes(32).toString('hex'),
    PORT: String(port),
    HOST: '127.0.0.1',
    WECOM_API_BASE: undefined, WECOM_CORP_ID: undefined,
    ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password,
  });
  await waitForHttp(`${baseUrl}/api/health`, { child: api.child, timeoutMs: 90_000, acceptStatus: [503] });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
});

afterAll(async () => {
  await browser?.close();
  if (api) {
    signalGroup(api, 'SIGTERM');
    await api.exited;
  }
  await db?.drop();
});

describe('sign-in and roles in Chromium', () => {
  it('shows a wrong password in Chinese, beside the form', async () => {
    await page.goto(`${baseUrl}/dashboard/users`);
    await page.locator('[data-testid="login-username"]').waitFor();
    await signIn(ADMIN.username, 'not-the-password');
    const error = page.locator('[data-testid="login-error"]');
    await error.waitFor();
    expect(await error.innerText()).toBe('用户名或密码错误');
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await screenshot(page, '10-login-error-zh');
  });

  it('lets the admin in (back to the page asked for) and create a viewer from the users page', async () => {
    await signIn(ADMIN.username, ADMIN.password);
    await page.locator('[data-testid="users-table"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/users');
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'clinic_session')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    // httpOnly: the page's own scripts cannot read the session.
    expect(await page.evaluate('document.cookie')).not.toContain('clinic_session');

    await page.locator('[data-testid="new-user-username"]').fill(VIEWER.username);
    await page.locator('[data-testid="new-user-display-name"]').fill('前台小张');
    await page.locator('[data-testid="new-user-role"]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '只读成员' }).click();
    await page.locator('[data-testid="new-user-password"]').fill(VIEWER.password);
    await page.locator('[data-testid="new-user-submit"]').click();
    await page.locator(`[data-testid="user-row"][data-username="${VIEWER.username}"]`).waitFor();
    const viewerRow = page.locator('.el-table__row', { has: page.locator(`[data-testid="user-row"][data-username="${VIEWER.username}"]`) });
    await expect(viewerRow.innerText()).resolves.toContain('前台小张');
    await expect(viewerRow.innerText()).resolves.toContain('只读成员');
    await screenshot(page, '11-users');

    await page.locator('[data-testid="nav-audit-logs"]').click();
    await page.locator('[data-testid="audit-row"][data-action="user.create"]').first().waitFor();
    await expect(page.locator('[data-testid="audit-table"]').innerText()).resolves.toContain('创建用户');
    await screenshot(page, '12-audit-log');
  });

  it('shows a viewer no users or system links, lands them on 数据概览, and keeps them off the users and system pages', async () => {
    await page.locator('[data-testid="logout"]').click();
    await page.locator('[data-testid="login-username"]').waitFor();
    await signIn(VIEWER.username, VIEWER.password);
    await page.locator('[data-testid="user-menu"]').waitFor();
    await expect(page.locator('[data-testid="user-menu"]').innerText()).resolves.toContain('只读成员');
    await page.locator('[data-testid="overview-figures"]').waitFor();
    expect(await page.locator('[data-testid="nav-home"]').count()).toBe(1);
    expect(await page.locator('[data-testid="nav-users"]').count()).toBe(0);
    expect(await page.locator('[data-testid="nav-audit-logs"]').count()).toBe(0);
    expect(await page.locator('[data-testid="nav-system"]').count()).toBe(0);
    await screenshot(page, '13-viewer-home');

    for (const forbidden of ['/dashboard/users', '/dashboard/system']) {
      await page.goto(`${baseUrl}${forbidden}`);
      await page.locator('[data-testid="overview-figures"]').waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/');
    }
    // And the API agrees, whatever the page shows.
    const status = await page.evaluate(async () => (await fetch('/api/users')).status);
    expect(status).toBe(403);
  });
});
