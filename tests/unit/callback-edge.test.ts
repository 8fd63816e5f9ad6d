import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { weworkCallbackRoutes } from '../../api/routes/wework-callback.ts';
import { EVENT_PRIORITY, eventPriority } from '../../api/temporal/event-router.ts';
import type { CallbackInbox } from '../../api/wework/callback-inbox.ts';
import { createCallbackRefusals } from '../../api/wework/callback-refusals.ts';
import type { InboxDelivery } from '../../db/callback-inbox.store.ts';
import { CallbackCrypto } from '../../wecom/callback-crypto.ts';

/**
 * The callback edge's checks before anything is stored, with WeCom's official vectors
 * (/work/shared/wecom-test-vectors.md, doc 91144): they are signed in 2014, so they verify only
 * against a clock set to their timestamp, and the freshness window refuses them against today's.
 */

const crypto = new CallbackCrypto({ token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wx5823bf96d3bd56c7' });
const GET_QUERY = 'msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780'
  + '&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D';
const POST_QUERY = 'msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813&nonce=1372623149';
const POST_BODY = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>';

/** The route with an inbox that records what it is given, at the clock `nowMs`. */
function edgeAt(nowMs: number) {
  const written: InboxDelivery[] = [];
  const counted = new Map<string, number>();
  const refusals = createCallbackRefusals({
    store: { addRejections: async (counts) => { for (const [reason, n] of counts) counted.set(reason, (counted.get(reason) ?? 0) + n); } },
    now: () => nowMs,
  });
  const inbox = {
    writer: { write: async (delivery: InboxDelivery) => { written.push(delivery); return { outcome: 'accepted' as const, inboxId: String(written.length) }; } },
    dispatcher: { leaseSeconds: () => 30, dispatch: () => undefined },
    refusals,
  } as unknown as CallbackInbox;
  const app = new Hono().route('/cb', weworkCallbackRoutes({ callbackCrypto: { get: async () => crypto }, callbackInbox: inbox, now: () => nowMs }));
  return { app, written, counted: async () => { await refusals.flush(); return Object.fromEntries(counted); } };
}

describe('the callback edge with WeCom\'s official vectors', () => {
  it('verifies the URL check and stores the POSTed message when the clock is at their timestamp', async () => {
    const edge = edgeAt(1409659589_000);
    const get = await edge.app.request(`/cb?${GET_QUERY}`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('1616140317555161061');

    const post = await edgeAt(1409659813_000 + 299_000).app.request(`/cb?${POST_QUERY}`, { method: 'POST', body: POST_BODY });
    expect(post.status).toBe(200);
    expect(await post.text()).toBe('success');
  });

  it('refuses them as stale against today\'s clock, counted and never written', async () => {
    const edge = edgeAt(Date.now());
    const get = await edge.app.request(`/cb?${GET_QUERY}`);
    expect(get.status).toBe(401);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('stale_timestamp');
    const post = await edge.app.request(`/cb?${POST_QUERY}`, { method: 'POST', body: POST_BODY });
    expect(post.status).toBe(401);
    expect(edge.written).toHaveLength(0);
    expect(await edge.counted()).toEqual({ stale_timestamp: 2 });
  });

  it('answers 400, not 500, to a body the XML parser chokes on, and to missing parameters', async () => {
    const edge = edgeAt(1409659813_000);
    const garbage = await edge.app.request(`/cb?${POST_QUERY}`, { method: 'POST', body: '<xml><Encrypt><![CDATA[' });
    expect(garbage.status).toBe(400);
    const bare = await edge.app.request('/cb', { method: 'POST', body: POST_BODY });
    expect(bare.status).toBe(400);
    expect(await edge.counted()).toMatchObject({ missing_parameters: 1 });
    expect(edge.written).toHaveLength(0);
  });

  it('a changed hex digit of the signature is refused with 401', async () => {
    const edge = edgeAt(1409659813_000);
    const forged = await edge.app.request(`/cb?${POST_QUERY.replace('msg_signature=4', 'msg_signature=5')}`, { method: 'POST', body: POST_BODY });
    expect(forged.status).toBe(401);
    expect(await edge.counted()).toEqual({ bad_signature: 1 });
  });
});

describe('event priority', () => {
  const add = (createTime: number) => ({ workflowType: 'onboardCustomerWorkflow', input: { version: 1 as const, kind: 'add_external_contact' as const, dedupeKey: 'k', userId: 'u', externalUserId: 'e', createTime } });
  it('starts an add event first while its WelcomeCode lives, after the other events once it has died', () => {
    const now = 1_800_000_000_000;
    expect(eventPriority(add(now / 1000 - 2), now)).toBe(EVENT_PRIORITY.freshAdd);
    expect(eventPriority(add(now / 1000 - 21), now)).toBe(EVENT_PRIORITY.staleAdd);
    expect(eventPriority({ workflowType: 'customerLostWorkflow', input: { ...add(now / 1000).input, kind: 'del_follow_user' } }, now)).toBeUndefined();
  });
});
