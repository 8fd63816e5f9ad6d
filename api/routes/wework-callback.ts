import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { InboxDelivery } from '../../db/callback-inbox.store.ts';
import { CallbackError } from '../../wecom/callback-errors.ts';
import { parseCallbackEvent, type WeComEvent } from '../../wecom/events.ts';
import { createLogger } from '../../logging/logger.ts';
import { errorBody } from '../errors.ts';
import { routeCallbackEvent } from '../temporal/event-router.ts';
import type { CallbackInbox } from '../wework/callback-inbox.ts';
import type { CallbackCryptoSource } from '../wework/callback-credentials.ts';

const log = createLogger('api');

/** WeCom's callbacks are small XML envelopes; anything near this size is not from WeCom. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

/** How far WeCom's `timestamp` may be from our clock by default: older requests are replays. */
export const CALLBACK_MAX_SKEW_SECONDS = 300;

/** What the callback endpoint needs. */
export interface CallbackDeps {
  callbackCrypto: CallbackCryptoSource;
  /** Absent only in apps built for tests of other routes: the endpoint then answers 503. */
  callbackInbox?: CallbackInbox;
  /** The clock the timestamp window is checked against (tests inject one). */
  now?: () => number;
  /** Accepted distance between WeCom's `timestamp` and `now`, in seconds. */
  callbackMaxSkewSeconds?: number;
}

function eventFields(event: WeComEvent) {
  const contact = 'externalUserId' in event ? event : undefined;
  return {
    changeType: event.kind,
    externalUserid: contact?.externalUserId ?? null,
    userId: contact?.userId ?? (event.kind === 'message' ? event.fromUserName : null),
    state: event.kind === 'add_external_contact' || event.kind === 'add_half_external_contact' ? event.state ?? null : null,
  };
}

/**
 * The sender's address as api/middleware/client-address.ts resolved it for every /api request
 * (behind a trusted proxy, the forwarded client, so one bad sender cannot get WeCom's own
 * callbacks rate-limited); `unknown` without a socket (app.request() in tests).
 */
function sourceAddress(c: Context): string {
  return c.get('clientIp') ?? 'unknown';
}

/**
 * `GET|POST /api/wework/callback`: verify, decrypt, parse, write the event to the inbox, answer
 * `success` once that row is committed; the workflow starts right after (or later, from the relay).
 * Temporal being down does not change the answer; only a database that cannot take the row gives
 * 503, and WeCom retries. Refused requests (bad signature, malformed, oversized, stale, missing
 * parameters) are counted and logged, never stored; an address refused too often gets 429 for
 * its further refusals (never for a callback that verifies).
 */
export function weworkCallbackRoutes(deps: CallbackDeps) {
  const now = deps.now ?? Date.now;
  const maxSkew = deps.callbackMaxSkewSeconds ?? CALLBACK_MAX_SKEW_SECONDS;
  if (!deps.callbackInbox) {
    return new Hono().all('/', (c) => c.json(errorBody('inbox_unavailable', 'This API process has no callback inbox.'), 503));
  }
  const { writer, dispatcher, refusals } = deps.callbackInbox;

  // Only a refusal is throttled: a request that verifies is taken whatever its address did before
  // (SPEC §2.4), since WeCom's own deliveries may share an address with a junk sender (a proxy
  // without TRUSTED_PROXIES) or with its own refused deliveries during a Token/AES key rotation.
  const refuse = (c: Context, status: 400 | 401 | 413, code: string, message: string) => {
    const address = sourceAddress(c);
    if (refusals.limited(address)) return c.json(errorBody('too_many_refused', 'Too many refused callbacks from this address; try again in a minute.'), 429);
    refusals.refuse(address, code);
    return c.json(errorBody(code, message), status);
  };
  /** The signed parameters, or the refusal to answer with. */
  const signedParams = (c: Context, extra: readonly string[] = []) => {
    const msgSignature = c.req.query('msg_signature') ?? '';
    const timestamp = c.req.query('timestamp') ?? '';
    const nonce = c.req.query('nonce') ?? '';
    if (!msgSignature || !timestamp || !nonce || extra.some((name) => !c.req.query(name))) {
      return { refused: refuse(c, 400, 'missing_parameters', `A callback needs ${['msg_signature', 'timestamp', 'nonce', ...extra].join(', ')}`) };
    }
    const seconds = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() / 1000 - seconds) > maxSkew) {
      return { refused: refuse(c, 401, 'stale_timestamp', `timestamp is more than ${maxSkew} s away from the server clock: a replay, or a clock to fix`) };
    }
    return { msgSignature, timestamp, nonce };
  };
  const unconfigured = (c: Context) =>
    c.json(errorBody('wecom_not_configured', 'WeCom is not configured: save its Token and EncodingAESKey first'), 503);
  /** A decrypt or parse failure as a refusal: the parser's own errors are the sender's fault too, never a 500. */
  const refuseBadInput = (c: Context, error: unknown) => {
    if (error instanceof CallbackError) return refuse(c, error.code === 'bad_signature' ? 401 : 400, error.code, error.message);
    return refuse(c, 400, 'malformed_xml', 'The callback body is not a WeCom XML envelope');
  };

  return new Hono()
    .get('/', async (c) => {
      const params = signedParams(c, ['echostr']);
      if ('refused' in params) return params.refused;
      const crypto = await deps.callbackCrypto.get();
      if (!crypto) return unconfigured(c);
      try {
        return c.text(crypto.verifyUrl({ ...params, echostr: c.req.query('echostr')! }));
      } catch (error) {
        return refuseBadInput(c, error);
      }
    })
    .post(
      '/',
      bodyLimit({
        maxSize: CALLBACK_BODY_LIMIT,
        onError: (c) => refuse(c, 413, 'body_too_large', `Callback bodies are limited to ${CALLBACK_BODY_LIMIT} bytes`),
      }),
      async (c) => {
        const params = signedParams(c);
        if ('refused' in params) return params.refused;
        const body = await c.req.text();
        const crypto = await deps.callbackCrypto.get();
        if (!crypto) return unconfigured(c);

        let xml: string;
        let parsed;
        try {
          xml = crypto.decryptCallback({ ...params, body }).xml;
          parsed = parseCallbackEvent(xml);
        } catch (error) {
          return refuseBadInput(c, error);
        }
        const { event, dedupeKey } = parsed;
        const start = routeCallbackEvent(parsed);
        const delivery: InboxDelivery = {
          dedupeKey,
          eventType: event.kind === 'unknown' ? `unknown:${event.event ?? event.msgType ?? '?'}` : event.kind,
          ...eventFields(event),
          rawXml: xml,
          workflowId: start?.workflowId ?? null,
          priority: start?.workflowType === 'onboardCustomerWorkflow' ? 0 : 1,
          createTime: 'createTime' in event && typeof event.createTime === 'number' ? event.createTime : null,
        };
        let written;
        // 0: the relays start it (Temporal failing, or the onboarding window full).
        const lease = dispatcher.leaseSeconds(start);
        try {
          written = await writer.write(delivery, lease);
        } catch (error) {
          // Not durable, so not acknowledged: WeCom retries, and the retry is counted once.
          log.warn(`could not store a WeCom callback (${(error as Error).message}); answered 503`);
          return c.json(errorBody('database_unavailable', 'The event could not be stored; WeCom will retry it.'), 503);
        }
        if (start && lease > 0 && written.inboxId !== null) dispatcher.dispatch(written.inboxId, start);
        return c.text('success');
      },
    );
}
