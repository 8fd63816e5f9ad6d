import { randomBytes } from 'node:crypto';
import { nowSec } from './context.ts';
import type { SimContext } from './context.ts';
import { encryptMessage, signature } from './crypto.ts';
import { alnum } from './ids.ts';
import type { Delivery, DeliveryAttempt } from './state.ts';

function cdata(value: string): string {
  // ']]>' cannot appear inside CDATA: split it across two sections.
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Builds a plaintext event XML; numbers are written bare (like CreateTime), strings as CDATA. */
export function buildXml(fields: Record<string, string | number | undefined>): string {
  const parts = Object.entries(fields)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`);
  return `<xml>${parts.join('')}</xml>`;
}

/** Plaintext XML of a change_external_contact event (FromUserName is always `sys`). */
export function externalContactEventXml(
  ctx: SimContext,
  e: { changeType: string; userid: string; externalUserid: string; state?: string; welcomeCode?: string; source?: string },
): string {
  return buildXml({
    ToUserName: ctx.options.corpId,
    FromUserName: 'sys',
    CreateTime: nowSec(ctx),
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: e.changeType,
    UserID: e.userid,
    ExternalUserID: e.externalUserid,
    State: e.state,
    WelcomeCode: e.welcomeCode,
    Source: e.source,
  });
}

/** Encrypts and signs a plaintext for the callback URL: the POST body and its query parameters. */
export function sealForCallback(ctx: SimContext, xml: string): { body: string; query: URLSearchParams } {
  const { corpId, agentId, encodingAesKey, token } = ctx.options;
  const encrypt = encryptMessage(encodingAesKey, corpId, xml);
  const timestamp = String(nowSec(ctx));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const body = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[${agentId}]]></AgentID><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return { body, query: new URLSearchParams({ msg_signature: signature(token, timestamp, nonce, encrypt), timestamp, nonce }) };
}

/** Waits `ms`, or less when `signal` aborts (so close() never waits out a retry pause). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function withQuery(url: string, query: URLSearchParams): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query.toString()}`;
}

async function attemptOnce(ctx: SimContext, url: string, xml: string, attempt: number): Promise<DeliveryAttempt> {
  const started = Date.now();
  const { body, query } = sealForCallback(ctx, xml);
  const signal = AbortSignal.any([AbortSignal.timeout(ctx.options.callbackTimeoutMs), ctx.shutdown.signal]);
  try {
    const res = await fetch(withQuery(url, query), { method: 'POST', body, headers: { 'content-type': 'text/xml; charset=utf-8' }, signal });
    await res.arrayBuffer(); // the body must also arrive within the timeout
    return { attempt, at: started, status: res.status, error: null, ms: Date.now() - started };
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const error = name === 'TimeoutError' ? 'timeout' : err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { attempt, at: started, status: null, error, ms: Date.now() - started };
  }
}

/**
 * Records an event and delivers it like WeCom: POST, success only on HTTP 200 within the timeout,
 * otherwise retried until `callbackAttempts` attempts in all. Each attempt is freshly encrypted and
 * signed, so a receiver that dedupes on ciphertext rather than content is caught out. The returned
 * promise settles when delivery is finished (delivered or given up).
 */
export function emitEvent(ctx: SimContext, event: { event: string; changeType: string; xml: string }): { delivery: Delivery; done: Promise<Delivery> } {
  const url = ctx.options.callbackUrl ?? null;
  const delivery: Delivery = { id: `dlv_${alnum(12)}`, event: event.event, changeType: event.changeType, url, xml: event.xml, attempts: [], outcome: url ? 'pending' : 'no_callback_url' };
  ctx.state.deliveries.push(delivery);
  ctx.touch();
  if (!url) return { delivery, done: Promise.resolve(delivery) };
  const run = async (): Promise<Delivery> => {
    for (let attempt = 1; attempt <= ctx.options.callbackAttempts; attempt++) {
      if (ctx.shutdown.signal.aborted) break;
      const result = await attemptOnce(ctx, url, event.xml, attempt);
      delivery.attempts.push(result);
      if (result.status === 200) {
        delivery.outcome = 'delivered';
        return delivery;
      }
      if (attempt < ctx.options.callbackAttempts) await sleep(ctx.options.callbackRetryDelayMs, ctx.shutdown.signal);
    }
    delivery.outcome = 'failed';
    return delivery;
  };
  const done = run().finally(() => {
    ctx.inflight.delete(done);
    ctx.touch();
  });
  ctx.inflight.add(done);
  return { delivery, done };
}

/** Result of WeCom's URL verification against the callback URL. */
export type UrlCheck = { ok: boolean; url: string; status: number | null; body: string; expected: string; ms: number; error: string | null };

/**
 * Performs WeCom's URL check: GET with msg_signature, timestamp, nonce and an encrypted echostr;
 * the receiver must answer the decrypted echostr as the raw body within 1 s.
 */
export async function verifyCallbackUrl(ctx: SimContext, url = ctx.options.callbackUrl): Promise<UrlCheck> {
  if (!url) return { ok: false, url: '', status: null, body: '', expected: '', ms: 0, error: 'no callback URL configured' };
  const { corpId, encodingAesKey, token } = ctx.options;
  const expected = String(randomBytes(8).readBigUInt64BE(0) % 10n ** 19n);
  const echostr = encryptMessage(encodingAesKey, corpId, expected);
  const timestamp = String(nowSec(ctx));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const query = new URLSearchParams({ msg_signature: signature(token, timestamp, nonce, echostr), timestamp, nonce, echostr });
  const started = Date.now();
  try {
    const res = await fetch(withQuery(url, query), { signal: AbortSignal.any([AbortSignal.timeout(1000), ctx.shutdown.signal]) });
    const body = await res.text();
    return { ok: res.status === 200 && body === expected, url, status: res.status, body, expected, ms: Date.now() - started, error: null };
  } catch (err) {
    return { ok: false, url, status: null, body: '', expected, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
}
