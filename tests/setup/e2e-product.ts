import { randomBytes } from 'node:crypto';
import { expect, inject, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { waitForHttp } from '../../scripts/lib/supervisor.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { startSimulator, type RunningSimulator } from '../../sim/simulator.ts';
import { launchBrowser } from './browser.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { signalGroup, spawnEntryPoint, type SpawnedProcess } from './processes.ts';
import { startTestWorker, type RunningTestWorker } from './temporal.ts';

/** The product as a browser test drives it: the real API process, a worker, the simulator, Chromium. */
export interface E2eProduct {
  db: TestDatabase;
  sim: RunningSimulator;
  api: SpawnedProcess;
  worker: RunningTestWorker;
  browser: Browser;
  /** A zh-CN page, 1280×900. */
  page: Page;
  baseUrl: string;
  secretKey: Buffer;
  /** The first admin (ADMIN_USERNAME/ADMIN_PASSWORD of the API process). */
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

/**
 * Starts a test database, the simulator, the API as its own process (`api/server.ts`, as `npm
 * start` runs it) on a free port, a worker on its own task queue and Chromium. `wecom: 'seeded'`
 * (the default) configures WeCom for the simulator's demo corp from the environment;
 * `'unconfigured'` leaves it for the test to configure in the browser.
 */
export async function startE2eProduct(options: { name: string; wecom?: 'seeded' | 'unconfigured'; production?: boolean }): Promise<E2eProduct> {
  const db = await createTestDatabase();
  const sim = await startSimulator({ port: 0, callbackRetryDelayMs: 200, groupMsgConfirmDelayMs: null });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const secretKey = randomBytes(32);
  const admin = { username: 'boss', password: `e2e-${randomBytes(6).toString('hex')}` };
  const taskQueue = `e2e-${options.name}-${randomBytes(3).toString('hex')}`;
  const seeded = (options.wecom ?? 'seeded') === 'seeded';
  const api = spawnEntryPoint('api/server.ts', {
    ...(options.production === false ? {} : { NODE_ENV: 'production' }),
    DATABASE_URL: db.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_UI_URL: inject('temporalUiUrl'), APP_SECRET_KEY: secretKey.toString('hex'), PORT: String(port), HOST: '127.0.0.1',
    WECOM_API_BASE: sim.url,
    WECOM_CORP_ID: seeded ? DEMO_OPTIONS.corpId : undefined, WECOM_CORP_SECRET: seeded ? DEMO_OPTIONS.corpSecret : undefined,
    WECOM_AGENT_ID: seeded ? DEMO_OPTIONS.agentId : undefined, WECOM_TOKEN: seeded ? DEMO_OPTIONS.token : undefined,
    WECOM_ENCODING_AES_KEY: seeded ? DEMO_OPTIONS.encodingAesKey : undefined,
    ADMIN_USERNAME: admin.username, ADMIN_PASSWORD: admin.password,
  });
  await waitForHttp(`${baseUrl}/api/health`, { child: api.child, timeoutMs: 90_000, acceptStatus: [503] });
  sim.controls.setOptions({ callbackUrl: `${baseUrl}/api/wework/callback` });
  const worker = await startTestWorker(db.orm, db.url, { secretKey, apiBase: sim.url }, taskQueue);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  return {
    db, sim, api, worker, browser, page, baseUrl, secretKey, admin,
    async stop() {
      await browser.close();
      await worker.stop();
      signalGroup(api, 'SIGTERM');
      await api.exited;
      await sim.close();
      await db.drop();
    },
  };
}

/** A customer named `name` scans a new code (`state`, for `staff`) and is onboarded by the real product; resolves with their external userid. */
export async function scanNewCustomer(product: E2eProduct, code: { state: string; staff?: string; remark?: string }, name: string): Promise<string> {
  const { api: wecom } = await createWeComAccess({ orm: product.db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
  const created = await wecom.contactWay.add({ type: 1, scene: 2, state: code.state, user: [code.staff ?? 'zhangsan'], remark: code.remark ?? code.state });
  const scan = product.sim.controls.scan({ config_id: created.config_id, name });
  await scan.done;
  const externalUserId = scan.customer.external_userid;
  await vi.waitFor(async () => {
    const logs = await product.db.orm.em.fork().find(WeworkCallbackLog, { externalUserid: externalUserId, changeType: 'add_external_contact' });
    expect(logs.length > 0 && logs.every((log) => log.processed)).toBe(true);
  }, { timeout: 30_000, interval: 200 });
  return externalUserId;
}

/** Fills the sign-in form the dashboard shows at `path` (it redirects there once signed in). */
export async function signInAt(product: E2eProduct, path: string): Promise<void> {
  await product.page.goto(`${product.baseUrl}${path}`);
  await product.page.locator('[data-testid="login-username"]').fill(product.admin.username);
  await product.page.locator('[data-testid="login-password"]').fill(product.admin.password);
  await product.page.locator('[data-testid="login-submit"]').click();
}
