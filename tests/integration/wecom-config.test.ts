import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTestResultSchema, generatedCallbackKeysSchema, wecomConfigViewSchema } from '../../common/wecom-config.schema.ts';
import { DEMO_OPTIONS } from '../../sim/options.ts';
import { type Requester, type Session, signInAsEveryRole } from '../setup/auth.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';
import { startTestProduct, type TestProduct } from '../setup/product.ts';

let db: TestDatabase;
let product: TestProduct;
let request: Requester;
const sessions: Record<'admin' | 'marketer' | 'viewer', Session> = {} as never;
/** Every answer body this file received, to prove none carries a secret. */
const bodies: string[] = [];

const DEMO = {
  corpId: DEMO_OPTIONS.corpId, agentId: DEMO_OPTIONS.agentId, corpSecret: DEMO_OPTIONS.corpSecret,
  token: DEMO_OPTIONS.token, encodingAesKey: DEMO_OPTIONS.encodingAesKey,
};

async function call(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await request(`/api${path}`, { method, headers: session.headers(), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  db = await createTestDatabase();
  product = await startTestProduct(db, { worker: false });
  // Start from a clinic that has not configured WeCom yet.
  await db.orm.em.getConnection().execute('delete from wework_config');
  request = (path, init) => fetch(`${product.apiUrl}${path}`, init);
  Object.assign(sessions, await signInAsEveryRole(db.orm, request));
});
afterAll(async () => {
  await product?.stop();
  await db?.drop();
});

describe('WeCom configuration', () => {
  it('shows an empty configuration with the callback URL to paste into WeCom', async () => {
    const { status, json } = await call(sessions.viewer, 'GET', '/wecom/config');
    expect(status).toBe(200);
    const view = wecomConfigViewSchema.parse(json);
    expect(view).toMatchObject({ configured: false, corpId: null, corpSecret: { set: false, hint: null }, accessToken: { present: false } });
    expect(view.callbackUrl).toBe(`${product.apiUrl}/api/wework/callback`);
    const proxied = await request('/api/wecom/config', { headers: { ...sessions.viewer.headers(), 'x-forwarded-proto': 'https', 'x-forwarded-host': 'crm.clinic.example' } });
    expect(((await proxied.json()) as { callbackUrl: string }).callbackUrl).toBe('https://crm.clinic.example/api/wework/callback');
  });

  it('rejects what WeCom would reject, naming the field', async () => {
    const shortKey = await call(sessions.admin, 'PUT', '/wecom/config', { ...DEMO, encodingAesKey: DEMO.encodingAesKey.slice(0, 42) });
    expect(shortKey.status).toBe(400);
    expect(shortKey.json.error).toMatchObject({ code: 'aes_key_invalid', field: 'encodingAesKey' });
    const badAgent = await call(sessions.admin, 'PUT', '/wecom/config', { ...DEMO, agentId: 'abc' });
    expect(badAgent.json.error).toMatchObject({ code: 'agent_id_invalid', field: 'agentId' });
    // The Secret is write-only, but the first save needs one.
    const noSecret = await call(sessions.admin, 'PUT', '/wecom/config', { ...DEMO, corpSecret: '' });
    expect(noSecret.status).toBe(400);
    expect(noSecret.json.error).toMatchObject({ code: 'secret_required', field: 'corpSecret' });
  });

  it('saves the credentials sealed, shows them masked, and audits the change without the values', async () => {
    const { status, json } = await call(sessions.admin, 'PUT', '/wecom/config', DEMO);
    expect(status).toBe(200);
    const view = wecomConfigViewSchema.parse(json);
    expect(view).toMatchObject({ configured: true, corpId: DEMO.corpId, agentId: DEMO.agentId });
    expect(view.corpSecret).toEqual({ set: true, hint: `••••••••${DEMO.corpSecret.slice(-4)}` });
    expect(view.encodingAesKey).toEqual({ set: true, hint: `••••••••${DEMO.encodingAesKey.slice(-4)}` });
    // An 11-character Token is too short to hint at: its last four would be a third of it.
    expect(view.token).toEqual({ set: true, hint: null });

    const [row] = await db.orm.em.getConnection().execute<Array<{ whole: string }>>('select row_to_json(c)::text as whole from wework_config c');
    for (const secret of [DEMO.corpSecret, DEMO.token, DEMO.encodingAesKey]) expect(row!.whole).not.toContain(secret);
    const audit = await db.orm.em.getConnection().execute<Array<{ details: string }>>(`select details::text from audit_logs where action = 'wecom_config.update'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toContain('Secret');
    for (const secret of [DEMO.corpSecret, DEMO.token, DEMO.encodingAesKey]) expect(audit[0]!.details).not.toContain(secret);
  });

  it('keeps the stored Secret, Token and AES key when the form leaves them empty', async () => {
    const { status, json } = await call(sessions.admin, 'PUT', '/wecom/config', { corpId: DEMO.corpId, agentId: '1000099', corpSecret: '', token: '', encodingAesKey: '' });
    expect(status).toBe(200);
    expect(json.agentId).toBe('1000099');
    const test = connectionTestResultSchema.parse((await call(sessions.admin, 'POST', '/wecom/config/test')).json);
    expect(test.ok).toBe(true);
    await call(sessions.admin, 'PUT', '/wecom/config', { corpId: DEMO.corpId, agentId: DEMO.agentId });
  });

  it('generates a fresh 43-character EncodingAESKey that decodes to 32 bytes, and a Token', async () => {
    const first = generatedCallbackKeysSchema.parse((await call(sessions.admin, 'POST', '/wecom/config/generate-aes-key')).json);
    const second = generatedCallbackKeysSchema.parse((await call(sessions.admin, 'POST', '/wecom/config/generate-aes-key')).json);
    expect(first.encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(Buffer.from(`${first.encodingAesKey}=`, 'base64')).toHaveLength(32);
    expect(first.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(second.encodingAesKey).not.toBe(first.encodingAesKey);
  });

  it('tests the connection (gettoken + permission probe) and shows the token status and last test', async () => {
    const { status, json } = await call(sessions.admin, 'POST', '/wecom/config/test');
    expect(status).toBe(200);
    const result = connectionTestResultSchema.parse(json);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([['credentials', true], ['gettoken', true], ['permission', true]]);
    expect(product.sim.controls.callCount('gettoken')).toBeGreaterThan(0);
    expect(product.sim.controls.callCount('externalcontact/get_follow_user_list')).toBeGreaterThan(0);

    const view = wecomConfigViewSchema.parse((await call(sessions.viewer, 'GET', '/wecom/config')).json);
    expect(view.accessToken.present).toBe(true);
    expect(new Date(view.accessToken.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(view.lastTest).toMatchObject({ ok: true, testedBy: 'admin' });
    // Only admins (who rotate the secrets) see their last four characters.
    expect(view.corpSecret).toEqual({ set: true, hint: null });
    expect(view.encodingAesKey).toEqual({ set: true, hint: null });
    const marketerView = wecomConfigViewSchema.parse((await call(sessions.marketer, 'GET', '/wecom/config')).json);
    expect(marketerView.corpSecret.hint).toBeNull();
  });

  it('says what to fix for 40001 (wrong Secret), 60020 (untrusted IP) and 48002 (no customer-contact permission)', async () => {
    await call(sessions.admin, 'PUT', '/wecom/config', { ...DEMO, corpSecret: 'not-the-right-secret-at-all' });
    const wrongSecret = connectionTestResultSchema.parse((await call(sessions.admin, 'POST', '/wecom/config/test')).json);
    expect(wrongSecret.ok).toBe(false);
    const gettoken = wrongSecret.steps.find((s) => s.step === 'gettoken')!;
    expect(gettoken).toMatchObject({ ok: false, errcode: 40001 });
    expect(gettoken.fix!.zh).toContain('Secret 不正确');
    expect(gettoken.fix!.en).toContain('The Secret is wrong');
    expect(wrongSecret.steps.find((s) => s.step === 'permission')).toMatchObject({ ok: false, skipped: true });

    await call(sessions.admin, 'PUT', '/wecom/config', DEMO);
    product.sim.controls.forceError(60020, 1, 'externalcontact/get_follow_user_list');
    const untrustedIp = connectionTestResultSchema.parse((await call(sessions.admin, 'POST', '/wecom/config/test')).json);
    const ipStep = untrustedIp.steps.find((s) => s.step === 'permission')!;
    expect(ipStep).toMatchObject({ ok: false, errcode: 60020 });
    expect(ipStep.fix!.zh).toContain('企业可信IP');
    expect(ipStep.fix!.en).toContain('Trusted IP');

    product.sim.controls.forceError(48002, 1, 'externalcontact/get_follow_user_list');
    const noPermission = connectionTestResultSchema.parse((await call(sessions.admin, 'POST', '/wecom/config/test')).json);
    const permStep = noPermission.steps.find((s) => s.step === 'permission')!;
    expect(permStep).toMatchObject({ ok: false, errcode: 48002 });
    expect(permStep.fix!.zh).toContain('客户联系');
    expect(permStep.fix!.en).toContain('Customer Contact');
    expect(wecomConfigViewSchema.parse((await call(sessions.viewer, 'GET', '/wecom/config')).json).lastTest).toMatchObject({ ok: false });
  });

  it('lets a viewer and a marketer read the masked view but change nothing (403)', async () => {
    for (const role of ['viewer', 'marketer'] as const) {
      expect((await call(sessions[role], 'GET', '/wecom/config')).status).toBe(200);
      expect((await call(sessions[role], 'PUT', '/wecom/config', DEMO)).status).toBe(403);
      expect((await call(sessions[role], 'POST', '/wecom/config/test')).status).toBe(403);
      expect((await call(sessions[role], 'POST', '/wecom/config/generate-aes-key')).status).toBe(403);
    }
    const noCsrf = await request('/api/wecom/config', { method: 'PUT', headers: { cookie: sessions.admin.cookie, 'content-type': 'application/json' }, body: JSON.stringify(DEMO) });
    expect(noCsrf.status).toBe(403);
  });

  it('never sent the Secret, the callback Token, the AES key or an access token in any answer', async () => {
    const accessTokens = (await (await fetch(`${product.sim.url}/sim/tokens`)).json() as { tokens: Array<{ token: string }> }).tokens.map((t) => t.token);
    expect(accessTokens.length).toBeGreaterThan(0);
    const all = bodies.join('\n');
    expect(bodies.length).toBeGreaterThan(20);
    for (const secret of [DEMO.corpSecret, DEMO.token, DEMO.encodingAesKey, 'not-the-right-secret-at-all', ...accessTokens]) {
      expect(all).not.toContain(secret);
    }
  });
});
