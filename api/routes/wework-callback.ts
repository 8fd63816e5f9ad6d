import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WeworkCallbackLog } from '../../db/entities/index.ts';
import { CallbackError } from '../../wecom/callback-errors.ts';
import { parseCallbackEvent, type WeComEvent } from '../../wecom/events.ts';
import { errorBody } from '../errors.ts';
import { routeCallbackEvent } from '../temporal/event-router.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import type { CallbackCryptoSource } from '../wework/callback-credentials.ts';

/** WeCom's callbacks are small XML envelopes; anything near this size is not from WeCom. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

/** What the callback endpoint needs. */
export interface CallbackDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
  callbackCrypto: CallbackCryptoSource;
}

type LogRow = {
  eventType: string;
  outcome: 'accepted' | 'duplicate' | 'rejected' | 'failed';
  rawData?: string | null;
  error?: string | null;
  workflowId?: string | null;
  dedupeKey?: string | null;
  event?: WeComEvent;
};

function eventFields(event: WeComEvent | undefined) {
  if (!event) return {};
  const contact = 'externalUserId' in event ? event : undefined;
  return {
    changeType: event.kind,
    externalUserid: contact?.externalUserId ?? null,
    userId: contact?.userId ?? ('fromUserName' in event && event.kind === 'message' ? event.fromUserName : null),
    state: event.kind === 'add_external_contact' || event.kind === 'add_half_external_contact' ? event.state ?? null : null,
  };
}

/**
 * `GET|POST /api/wework/callback`: verify, decrypt, parse, log every delivery, start the event's
 * workflow, acknowledge. No WeCom call and no business write happen here: a slow edge makes WeCom
 * retry, and the workflow does the work durably.
 */
export function weworkCallbackRoutes(deps: CallbackDeps) {
  const log = async (row: LogRow) => {
    await deps.em().insert(WeworkCallbackLog, {
      eventType: row.eventType,
      outcome: row.outcome,
      rawData: row.rawData ?? null,
      error: row.error ?? null,
      workflowId: row.workflowId ?? null,
      dedupeKey: row.dedupeKey ?? null,
      processed: false,
      createdAt: new Date(),
      updatedAt: new Date(),
      ...eventFields(row.event),
    });
  };
  const reject = async (c: Context, status: 400 | 401 | 413 | 503, code: string, message: string, rawData: string | null) => {
    await log({ eventType: 'rejected', outcome: 'rejected', error: `${code}: ${message}`, rawData: rawData?.slice(0, 4096) ?? null });
    return c.json(errorBody(code, message), status);
  };
  const params = (c: Context) => ({
    msgSignature: c.req.query('msg_signature') ?? '',
    timestamp: c.req.query('timestamp') ?? '',
    nonce: c.req.query('nonce') ?? '',
  });

  return new Hono()
    .get('/', async (c) => {
      const { msgSignature, timestamp, nonce } = params(c);
      const echostr = c.req.query('echostr');
      if (!msgSignature || !timestamp || !nonce || !echostr) {
        return reject(c, 400, 'missing_parameters', 'URL verification needs msg_signature, timestamp, nonce and echostr', c.req.url);
      }
      const crypto = await deps.callbackCrypto.get();
      if (!crypto) return reject(c, 503, 'wecom_not_configured', 'Save the WeCom Token and EncodingAESKey before verifying the callback URL', null);
      try {
        return c.text(crypto.verifyUrl({ msgSignature, timestamp, nonce, echostr }));
      } catch (error) {
        if (!(error instanceof CallbackError)) throw error;
        return reject(c, error.code === 'bad_signature' ? 401 : 400, error.code, error.message, c.req.url);
      }
    })
    .post(
      '/',
      bodyLimit({
        maxSize: CALLBACK_BODY_LIMIT,
        onError: (c) => reject(c, 413, 'body_too_large', `Callback bodies are limited to ${CALLBACK_BODY_LIMIT} bytes`, null),
      }),
      async (c) => {
        const body = await c.req.text();
        const { msgSignature, timestamp, nonce } = params(c);
        if (!msgSignature || !timestamp || !nonce) return reject(c, 400, 'missing_parameters', 'A callback needs msg_signature, timestamp and nonce', body);
        const crypto = await deps.callbackCrypto.get();
        if (!crypto) return reject(c, 503, 'wecom_not_configured', 'WeCom is not configured: save its Token and EncodingAESKey first', body);

        let parsed;
        try {
          const decrypted = crypto.decryptCallback({ msgSignature, timestamp, nonce, body });
          parsed = { xml: decrypted.xml, ...parseCallbackEvent(decrypted.xml) };
        } catch (error) {
          if (!(error instanceof CallbackError)) throw error;
          return reject(c, error.code === 'bad_signature' ? 401 : 400, error.code, error.message, body);
        }
        const { event, dedupeKey, xml } = parsed;
        const start = routeCallbackEvent({ event, dedupeKey });
        const eventType = event.kind === 'unknown' ? `unknown:${event.event ?? event.msgType ?? '?'}` : event.kind;
        if (!start) {
          await log({ eventType, outcome: 'accepted', rawData: xml, dedupeKey, event, error: 'no workflow handles this event; logged only' });
          return c.text('success');
        }
        let outcome: 'started' | 'duplicate';
        try {
          outcome = await deps.temporal.startEventWorkflow(start);
        } catch (error) {
          // WeCom retries on a non-200 answer: the event is not lost, it comes back.
          await log({ eventType, outcome: 'failed', rawData: xml, dedupeKey, event, workflowId: start.workflowId, error: `Temporal unavailable: ${(error as Error).message}` });
          return c.json(errorBody('temporal_unavailable', 'The workflow engine is unavailable; WeCom will retry this event.'), 503);
        }
        await log({ eventType, outcome: outcome === 'started' ? 'accepted' : 'duplicate', rawData: xml, dedupeKey, event, workflowId: start.workflowId });
        return c.text('success');
      },
    );
}
