import { afterEach, describe, expect, it } from 'vitest';
import { fetchAccessToken } from '../../wecom/api/token.ts';
import { WeComApiError } from '../../wecom/errors.ts';
import { InMemoryTokenStore, TokenManager } from '../../wecom/token-manager.ts';
import { createWeComApi } from '../../wecom/wecom-api.ts';
import { startFakeWeCom, tokenRoute } from './fake-wecom-server.ts';
import type { FakeWeComServer } from './fake-wecom-server.ts';

let server: FakeWeComServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The in-memory store, counting how often the (in production: database) lock and reads are used. */
class CountingStore extends InMemoryTokenStore {
  locks = 0;
  reads = 0;

  override async read() {
    this.reads += 1;
    return super.read();
  }

  override async withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    this.locks += 1;
    return super.withRefreshLock(fn);
  }
}

const CREDENTIALS = { corpId: 'ww1', corpSecret: 'secret' };

function managerFor(url: string, store = new InMemoryTokenStore(), now?: () => number): TokenManager {
  return new TokenManager({ store, fetchToken: () => fetchAccessToken({ apiBase: url }, CREDENTIALS), ...(now ? { now } : {}) });
}

describe('TokenManager', () => {
  it('makes exactly one gettoken call, under one lock, for 50 concurrent callers on a cold cache', async () => {
    const gettoken = tokenRoute();
    server = await startFakeWeCom({ '/cgi-bin/gettoken': gettoken });
    const store = new CountingStore();
    const manager = managerFor(server.url, store);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => manager.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(gettoken.issued).toHaveLength(1);
    // In-process callers share one refresh instead of queueing on the cross-process lock.
    expect(store.locks).toBe(1);
    await manager.getToken();
    expect(store.reads).toBe(2);
  });

  it('makes one gettoken call for two processes sharing a store (lock, then re-read)', async () => {
    const gettoken = tokenRoute();
    server = await startFakeWeCom({ '/cgi-bin/gettoken': gettoken });
    const store = new InMemoryTokenStore();
    const a = managerFor(server.url, store);
    const b = managerFor(server.url, store);
    const tokens = await Promise.all([...Array.from({ length: 20 }, () => a.getToken()), ...Array.from({ length: 20 }, () => b.getToken())]);
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(gettoken.issued).toHaveLength(1);
  });

  it('reuses the stored token, and refreshes it once it is within 60 s of expiry', async () => {
    const gettoken = tokenRoute(7200);
    server = await startFakeWeCom({ '/cgi-bin/gettoken': gettoken });
    let now = 1_000_000;
    const manager = managerFor(server.url, new InMemoryTokenStore(), () => now);
    expect(await manager.getToken()).toBe('tok-1');
    now += 7200_000 - 61_000;
    expect(await manager.getToken()).toBe('tok-1');
    now += 2_000;
    expect(await manager.getToken()).toBe('tok-2');
    expect(gettoken.issued).toHaveLength(2);
  });

  it('recovers from a revoked token: one refresh, the call succeeds, even for 50 callers at once', async () => {
    const gettoken = tokenRoute();
    let revoked = 'tok-1';
    server = await startFakeWeCom({
      '/cgi-bin/gettoken': gettoken,
      '/cgi-bin/externalcontact/get_follow_user_list': (req) =>
        req.query['access_token'] === revoked
          ? { json: { errcode: 40014, errmsg: 'invalid access_token' } }
          : { json: { errcode: 0, errmsg: 'ok', follow_user: ['zs'] } },
    });
    const manager = managerFor(server.url);
    expect(await manager.getToken()).toBe('tok-1');
    const api = createWeComApi({ apiBase: server.url, tokenProvider: manager });
    const results = await Promise.all(Array.from({ length: 50 }, () => api.customer.followUserList()));
    expect(results.every((r) => r[0] === 'zs')).toBe(true);
    expect(gettoken.issued).toEqual(['tok-1', 'tok-2']);

    // The rejected token is no longer stored: a late caller still holding it causes no refresh.
    expect(await manager.getToken({ forceRefresh: true, rejectedToken: 'tok-1' })).toBe('tok-2');
    expect(gettoken.issued).toHaveLength(2);
    revoked = 'none';
  });

  it('fails at once on 40001 with the configuration message, calling gettoken once', async () => {
    let calls = 0;
    server = await startFakeWeCom({
      '/cgi-bin/gettoken': () => {
        calls += 1;
        return { json: { errcode: 40001, errmsg: 'invalid credential' } };
      },
    });
    const manager = managerFor(server.url);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => manager.getToken()));
    expect(calls).toBe(1);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as WeComApiError;
      expect(error).toBeInstanceOf(WeComApiError);
      expect(error).toMatchObject({ errcode: 40001, category: 'configuration', retryable: false });
      expect(error.messages.en).toMatch(/Secret is wrong/);
      expect(error.messages.zh).toMatch(/Secret 不正确/);
    }
  });

  it('propagates 40001 through an API call without retrying it', async () => {
    let calls = 0;
    server = await startFakeWeCom({
      '/cgi-bin/gettoken': () => {
        calls += 1;
        return { json: { errcode: 40001, errmsg: 'invalid credential' } };
      },
    });
    const api = createWeComApi({ apiBase: server.url, tokenProvider: managerFor(server.url) });
    await expect(api.customer.followUserList()).rejects.toMatchObject({ errcode: 40001, category: 'configuration' });
    expect(calls).toBe(1);
    expect(server.seen.map((r) => r.path)).toEqual(['/cgi-bin/gettoken']);
  });

  it('tries gettoken again on the next call after a failed refresh', async () => {
    let fail = true;
    const gettoken = tokenRoute();
    server = await startFakeWeCom({
      '/cgi-bin/gettoken': (req) => (fail ? { json: { errcode: -1, errmsg: 'system busy' } } : gettoken(req)),
    });
    const manager = managerFor(server.url);
    await expect(manager.getToken()).rejects.toMatchObject({ category: 'rate_limited' });
    fail = false;
    expect(await manager.getToken()).toBe('tok-1');
  });
});
