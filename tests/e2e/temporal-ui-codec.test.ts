import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { createWeComAccess } from '../../activities/wecom-access.ts';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { createUser } from '../setup/auth.ts';
import { launchBrowser, screenshot } from '../setup/browser.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

/**
 * The Temporal Web UI showing an onboarding's input: decoded through the API's codec endpoint for a
 * signed-in admin, ciphertext for everyone else. The UI (2.54) sends cookies to a codec endpoint
 * only with its browser-side Codec Server setting ("use my browser setting", endpoint, "include
 * cross-origin credentials"; localStorage keys `overrideRemoteCodecConfiguration`, `endpoint`,
 * `includeCredentials`), which is what an operator ticks once; the dev server's
 * `--ui-codec-endpoint` cannot turn credentials on.
 */

const ADMIN = { username: 'ops-admin', password: 'codec-admin-pass-1' };
const MARKETER = { username: 'ops-marketer', password: 'codec-marketer-pass-1' };

let db: TestDatabase;
let product: TestProduct;
let browser: Browser;
let uiUrl: string;
let apiOrigin: string;
let historyUrl: string;
let welcomeCode: string;

/** A browser profile; with `codec`, the Temporal UI's Codec Server settings point at the API with credentials. */
async function profile(options: { codec: boolean; signInAs?: { username: string; password: string } }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  if (options.codec) {
    const endpoint = `${apiOrigin}/api/temporal-codec`;
    const settings = { endpoint: JSON.stringify(endpoint), overrideRemoteCodecConfiguration: 'true', includeCredentials: 'true' };
    await context.addInitScript({
      content: `if (location.origin === ${JSON.stringify(new URL(uiUrl).origin)}) {
        for (const [key, value] of Object.entries(${JSON.stringify(settings)})) localStorage.setItem(key, value);
      }`,
    });
  }
  if (options.signInAs) {
    // The dashboard's sign-in, in this browser profile: the session cookie lands on the API's host.
    const response = await context.request.post(`${apiOrigin}/api/auth/login`, { data: options.signInAs });
    expect(response.status()).toBe(200);
  }
  return context;
}

/** Opens the onboarding's history page and returns the text of its Input panel once it has loaded. */
async function inputAsShown(context: BrowserContext, name: string): Promise<string> {
  const page = await context.newPage();
  await page.goto(historyUrl);
  await page.getByText('Input', { exact: true }).first().waitFor({ state: 'attached', timeout: 30_000 });
  // Give the UI time to call the codec (or not) and render the payload.
  await page.waitForTimeout(2_500);
  await screenshot(page, name);
  return page.locator('body').innerText();
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Both on 127.0.0.1 (the dev server's UI listens there only): one site, so the SameSite cookie goes along.
  uiUrl = inject('temporalUiUrl').replace('localhost', '127.0.0.1');
  product = await startTestProduct(db, { temporalUiUrl: uiUrl });
  apiOrigin = product.apiUrl;
  await createUser(db.orm, { ...ADMIN, role: 'admin' });
  await createUser(db.orm, { ...MARKETER, role: 'marketer' });

  const { api } = await createWeComAccess({ orm: db.orm, box: new SecretBox(product.secretKey), apiBase: product.sim.url });
  const code = await api.contactWay.add({ type: 1, scene: 2, state: 'codec_ui', user: ['zhangsan'], remark: '解码演示' });
  const scan = product.sim.controls.scan({ config_id: code.config_id, name: '界面客户' });
  welcomeCode = scan.welcome_code!;
  await scan.done;
  await vi.waitFor(async () => {
    const log = await db.orm.em.fork().findOne(WeworkCallbackLog, { externalUserid: scan.customer.external_userid, outcome: 'accepted' });
    expect(log?.processed).toBe(true);
  }, { timeout: 30_000, interval: 200 });
  for await (const run of product.temporal.client.workflow.list({ query: `TaskQueue = "${product.taskQueue}" AND WorkflowType = "onboardCustomerWorkflow"` })) {
    historyUrl = `${uiUrl}/namespaces/${product.temporal.namespace}/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}/history`;
  }
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await product?.stop();
  await db?.drop();
});

describe('the Temporal UI and encrypted histories', () => {
  it('shows a signed-in admin the decoded onboarding input through the API\'s codec endpoint', async () => {
    const context = await profile({ codec: true, signInAs: ADMIN });
    try {
      const shown = await inputAsShown(context, 'temporal-ui-decoded-for-admin');
      expect(shown).toContain(welcomeCode);
      expect(shown).toContain('codec_ui');
    } finally {
      await context.close();
    }
  });

  it('shows ciphertext without the codec endpoint, and to a marketer or a signed-out browser with it', async () => {
    const cases = [
      { name: 'temporal-ui-without-codec', options: { codec: false } },
      { name: 'temporal-ui-codec-signed-out', options: { codec: true } },
      { name: 'temporal-ui-codec-marketer', options: { codec: true, signInAs: MARKETER } },
    ];
    for (const { name, options } of cases) {
      const context = await profile(options);
      try {
        const shown = await inputAsShown(context, name);
        expect(shown, name).not.toContain(welcomeCode);
        expect(shown, name).not.toContain('"welcomeCode"');
        // The Input panel holds the ciphertext: one long base64 string instead of the JSON object.
        expect(shown, name).toMatch(/"[A-Za-z0-9+/]{200,}={0,2}"/);
      } finally {
        await context.close();
      }
    }
  });
});
