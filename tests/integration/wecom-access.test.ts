import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeworkNotConfiguredError, createWeComAccess } from '../../activities/wecom-access.ts';
import { asActivityFailure } from '../../activities/wecom-failure.ts';
import { SecretBox } from '../../db/secret-box.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { startSimulator, DEMO_OPTIONS } from '../../sim/index.ts';
import type { RunningSimulator, SimControls } from '../../sim/index.ts';
import { CallbackCrypto } from '../../wecom/callback-crypto.ts';
import { BadSignatureError, WrongReceiveIdError } from '../../wecom/callback-errors.ts';
import { WeComApiError } from '../../wecom/errors.ts';
import { parseCallbackEvent } from '../../wecom/events.ts';
import { createTestDatabase, type TestDatabase } from '../setup/database.ts';

// The product against the simulator over HTTP, with the token in a real PostgreSQL: the simulator is
// the only stand-in.

const key = randomBytes(32);
const box = new SecretBox(key);
/** What an admin would enter for the simulator's demo corp. */
const CREDENTIALS = {
  corpId: DEMO_OPTIONS.corpId,
  corpSecret: DEMO_OPTIONS.corpSecret,
  agentId: DEMO_OPTIONS.agentId,
  token: DEMO_OPTIONS.token,
  encodingAesKey: DEMO_OPTIONS.encodingAesKey,
};
const FOLLOW_USERS = 'externalcontact/get_follow_user_list';

let db: TestDatabase;
let sim: RunningSimulator;
beforeAll(async () => {
  [db, sim] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
});
afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

/** Saves the WeCom configuration with a cold token cache, and gives the simulator a fresh start. */
async function configure(corpSecret = CREDENTIALS.corpSecret): Promise<void> {
  await saveWeworkCredentials(db.orm.em.fork(), box, { ...CREDENTIALS, corpSecret });
  await db.orm.em.getConnection().execute('update wework_config set access_token_sealed = null, access_token_expires_at = null');
  sim.controls.reset();
}

/** One product process's WeCom access (its own in-memory token cache), over the test database. */
function access() {
  return createWeComAccess({ orm: db.orm, box, apiBase: sim.url });
}

const calls = (api: string) => sim.controls.callCount(api);

/** Tokens the simulator has issued so far (its own view, read over its control API). */
async function issuedTokens(): Promise<string[]> {
  const res = await fetch(`${sim.url}/sim/tokens`);
  return ((await res.json()) as { tokens: Array<{ token: string }> }).tokens.map((t) => t.token);
}

describe('before WeCom is configured', () => {
  it('refuses to build the client, telling the admin (zh and en) to configure WeCom in the dashboard or WECOM_*', async () => {
    const error = await access().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeworkNotConfiguredError);
    expect(error).toMatchObject({ category: 'configuration', retryable: false });
    const { zh, en } = (error as WeworkNotConfiguredError).messages;
    expect(zh).toMatch(/尚未配置企业微信.*管理后台.*WECOM_/);
    expect(en).toMatch(/not configured.*dashboard.*WECOM_/);
    expect((error as Error).message).toBe(en);
    expect(sim.controls.stats().total).toBe(0);
  });
});

describe('access token shared through the database', () => {
  it('serves 50 concurrent calls from two processes on a cold cache with exactly one gettoken', async () => {
    await configure();
    // A slow gettoken (as across the internet) keeps both processes waiting for a token at the same time.
    sim.controls.setLatency(300, 'gettoken');
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'fixtures/wecom-token-burst.ts')], {
      env: { ...process.env, DATABASE_URL: db.url, SECRET_KEY_HEX: key.toString('hex'), WECOM_API_BASE: sim.url, CALLS: '25' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = createInterface({ input: child.stdout });
    const nextLine = () =>
      Promise.race([
        new Promise<string>((resolve) => lines.once('line', resolve)),
        exited.then((code) => { throw new Error(`second process exited (${code}) early:\n${stderr}`); }),
      ]);
    try {
      expect(await nextLine()).toBe('ready');
      const { api, tokens } = await access();
      const theirs = nextLine();
      child.stdin.write('go\n');
      const mine = await Promise.all(Array.from({ length: 25 }, () => api.customer.followUserList()));
      const report = JSON.parse(await theirs) as { ok: number; failures: string[]; token: string };

      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(25);
      expect(mine.every((staff) => staff.length > 0)).toBe(true);
      expect(calls('gettoken')).toBe(1);
      expect(calls(FOLLOW_USERS)).toBe(50);
      const [issued] = await issuedTokens();
      expect(await tokens.getToken()).toBe(issued);
      expect(report.token).toBe(issued);
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      sim.controls.setLatency(0, 'gettoken');
    }
  });

  const earlyEnds: Array<[string, number, (controls: SimControls) => unknown]> = [
    ['revoked early', 40014, (controls) => controls.revokeTokens()],
    ['expired', 42001, (controls) => controls.expireTokens()],
  ];
  it.each(earlyEnds)('replaces a token WeCom reports %s (%i) with one gettoken, and the calls succeed', async (_, errcode, end) => {
    await configure();
    const { api, store } = await access();
    await api.customer.followUserList();
    const before = (await store.read())!.token;
    sim.controls.resetStats();
    end(sim.controls);

    // Ten callers hold the dead token at once: each call is repeated once, but the token is fetched once.
    const results = await Promise.all(Array.from({ length: 10 }, () => api.customer.followUserList()));
    expect(results.every((staff) => staff.length > 0)).toBe(true);
    expect(calls('gettoken')).toBe(1);
    expect(calls(FOLLOW_USERS)).toBe(20);
    expect(sim.controls.stats().errors[FOLLOW_USERS]).toEqual({ [String(errcode)]: 10 });
    const after = (await store.read())!.token;
    expect(after).not.toBe(before);
    expect(await issuedTokens()).toContain(after);
  });

  it('leaves a token error that comes back after the refresh retryable, for Temporal to retry later (40001 is not a token error)', async () => {
    await configure();
    const { api } = await access();
    await api.customer.followUserList();
    sim.controls.resetStats();
    // The call and its one retry after a refresh both answer 42001.
    sim.controls.forceError(42001, 2, FOLLOW_USERS);
    const error = await api.customer.followUserList().catch((e: unknown) => e);
    expect(error).toMatchObject({ errcode: 42001, category: 'token', retryable: true });
    expect(calls('gettoken')).toBe(1);
    expect(calls(FOLLOW_USERS)).toBe(2);
    // As an activity failure: retryable, so the activity's retry policy (not the client) tries again.
    expect(asActivityFailure(error)).toMatchObject({ type: 'wecom_token', nonRetryable: false });
    // The next attempt gets through.
    expect((await api.customer.followUserList()).length).toBeGreaterThan(0);
  });

  it('fails at once on a wrong Secret (40001) with the configuration message in zh and en, without retrying', async () => {
    await configure('a-secret-that-is-wrong');
    const { api, store } = await access();
    const error = await api.customer.followUserList().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComApiError);
    expect(error).toMatchObject({ errcode: 40001, category: 'configuration', retryable: false });
    expect((error as WeComApiError).messages.zh).toMatch(/Secret 不正确.*应用管理/);
    expect((error as WeComApiError).messages.en).toMatch(/The Secret is wrong.*App Management/);
    expect(calls('gettoken')).toBe(1);
    expect(calls(FOLLOW_USERS)).toBe(0);
    expect(await store.read()).toBeNull();
  });

  it('surfaces 45009 (frequency limit) as a retryable rate-limit error and leaves the retry to its caller', async () => {
    await configure();
    const { api } = await access();
    await api.customer.followUserList();
    sim.controls.resetStats();

    sim.controls.forceError(45009, 1, FOLLOW_USERS);
    const forced = await api.customer.followUserList().catch((e: unknown) => e);
    expect(forced).toBeInstanceOf(WeComApiError);
    expect(forced).toMatchObject({ errcode: 45009, category: 'rate_limited', retryable: true });
    expect(calls(FOLLOW_USERS)).toBe(1);
    expect(calls('gettoken')).toBe(0);

    // The same through the simulator's quota: the third call within a minute is refused.
    sim.controls.setQuota(FOLLOW_USERS, 2);
    await api.customer.followUserList();
    await api.customer.followUserList();
    await expect(api.customer.followUserList()).rejects.toMatchObject({ errcode: 45009, retryable: true });
  });

  it('keeps the token sealed in wework_config', async () => {
    await configure();
    const { api, store } = await access();
    await api.customer.followUserList();
    const issued = await issuedTokens();
    expect(issued).toHaveLength(1);

    const [row]: Array<{ dump: string }> = await db.orm.em.getConnection().execute('select row_to_json(c)::text as dump from wework_config c');
    expect(row!.dump).not.toContain(issued[0]!);
    expect(JSON.parse(row!.dump)).toMatchObject({ access_token_sealed: expect.stringMatching(/^v1\./) });
    const stored = await store.read();
    expect(stored?.token).toBe(issued[0]);
    // WeCom's 7200 s, counted from the refresh.
    expect(stored!.expiresAt.getTime() - Date.now()).toBeGreaterThan(7_000_000);
  });
});

/** A stand-in for the product's callback endpoint: records each POST and answers 200 `success`. */
async function startCallbackReceiver() {
  const received: Array<{ url: URL; body: string }> = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => {
      received.push({ url: new URL(req.url ?? '/', 'http://receiver'), body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/wework/callback`,
    received,
    /** Resolves with the first POST, waiting for it if needed. */
    async first() {
      while (received.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return received[0]!;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a customer scans a contact code made through the product', () => {
  it('delivers an add_external_contact callback the product verifies and decrypts, whose WelcomeCode works once', async () => {
    await configure();
    const receiver = await startCallbackReceiver();
    try {
      sim.controls.setOptions({ callbackUrl: receiver.url });
      const { api } = await access();
      const [staff] = await api.customer.followUserList();
      const way = await api.contactWay.add({ type: 1, scene: 2, state: 'xhs_spring', user: [staff!], remark: '小红书春季活动' });

      const res = await fetch(`${sim.url}/sim/customers/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ config_id: way.config_id, name: '林小雨' }),
      });
      expect(res.status).toBe(200);
      const scanned = (await res.json()) as { customer: { external_userid: string } };

      const { url, body } = await receiver.first();
      const query = { msgSignature: url.searchParams.get('msg_signature') ?? '', timestamp: url.searchParams.get('timestamp') ?? '', nonce: url.searchParams.get('nonce') ?? '' };
      const crypto = new CallbackCrypto({ token: CREDENTIALS.token, encodingAesKey: CREDENTIALS.encodingAesKey, receiveId: CREDENTIALS.corpId });
      const decrypted = crypto.decryptCallback({ ...query, body });
      expect(decrypted.toUserName).toBe(CREDENTIALS.corpId);
      const { event, dedupeKey } = parseCallbackEvent(decrypted.xml);
      expect(event).toMatchObject({
        kind: 'add_external_contact',
        userId: staff,
        externalUserId: scanned.customer.external_userid,
        state: 'xhs_spring',
        welcomeCode: expect.stringMatching(/^\S+$/),
      });
      expect(dedupeKey).toContain(scanned.customer.external_userid);
      // Signed with the configured Token and addressed to the configured CorpID, nothing else.
      const otherToken = new CallbackCrypto({ token: 'anotherToken', encodingAesKey: CREDENTIALS.encodingAesKey, receiveId: CREDENTIALS.corpId });
      expect(() => otherToken.decryptCallback({ ...query, body })).toThrow(BadSignatureError);
      const otherCorp = new CallbackCrypto({ token: CREDENTIALS.token, encodingAesKey: CREDENTIALS.encodingAesKey, receiveId: 'ww_other_corp' });
      expect(() => otherCorp.decryptCallback({ ...query, body })).toThrow(WrongReceiveIdError);

      // The 200 was an acknowledgement: WeCom's simulator does not deliver the event again.
      await sim.controls.waitForDeliveries();
      expect(receiver.received).toHaveLength(1);
      expect(sim.controls.deliveries().map((d) => [d.outcome, d.attempts.length])).toEqual([['delivered', 1]]);

      const welcomeCode = (event as { welcomeCode: string }).welcomeCode;
      await api.welcome.send({ welcome_code: welcomeCode, text: { content: '林小雨您好,欢迎来到我们诊所!' } });
      const welcomes = sim.controls.messages('welcome');
      expect(welcomes).toHaveLength(1);
      expect(welcomes[0]!.to).toEqual([scanned.customer.external_userid]);

      const again = await api.welcome.send({ welcome_code: welcomeCode, text: { content: '再发一次' } }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(WeComApiError);
      expect(again).toMatchObject({ errcode: 41051, category: 'invalid_request', retryable: false });
      expect(sim.controls.messages('welcome')).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
