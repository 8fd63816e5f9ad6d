import type { Context } from 'hono';
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Payload } from '@temporalio/common';
import { can } from '../../common/roles.ts';
import { codecRequestSchema, type CodecRequest } from '../../common/temporal-codec.schema.ts';
import { PayloadDecryptionError } from '../../encryption/payload-codec.ts';
import { findSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { AppError } from '../errors.ts';
import type { TemporalGateway } from '../temporal/temporal-gateway.ts';
import { readJson } from '../validation.ts';

/** What the codec endpoint needs: sessions, the gateway's codec, and the Temporal UI's address. */
export interface TemporalCodecDeps {
  em: () => EntityManager;
  temporal: TemporalGateway;
  temporalUiUrl: string | null;
}

/** Headers the Temporal UI sends to a codec server (X-Namespace always, Authorization with "pass access token"). */
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';

/**
 * The Temporal UI's codec server (`POST /api/temporal-codec/decode` and `/encode`): operators
 * read decrypted workflow inputs, results and failures in the UI, and nobody else can.
 *
 * The UI calls it from its own origin (e.g. :8233) with the dashboard's session cookie ("include
 * cross-origin credentials"), so it cannot send the dashboard's CSRF header. Instead:
 * - the session cookie is required, and its user must hold `temporal.decode`;
 * - the request's `Origin` must be the Temporal UI's (TEMPORAL_UI_URL): browsers always send it on
 *   a POST and no page can forge it, so no other page (and, the cookie being SameSite=Lax, no other
 *   site) can make a signed-in browser call this; a request without `Origin` is refused too;
 * - CORS answers name that one origin with credentials, so no other page can read an answer.
 * Preflights (OPTIONS) carry no cookie by the Fetch standard, so they are answered without a session.
 */
export function temporalCodecRoutes(deps: TemporalCodecDeps) {
  const uiOrigin = deps.temporalUiUrl ? new URL(deps.temporalUiUrl).origin : null;
  const fromUi = (c: Context) => uiOrigin !== null && c.req.header('origin') === uiOrigin;
  const corsHeaders = (c: Context) => {
    if (!fromUi(c)) return;
    c.header('Access-Control-Allow-Origin', uiOrigin!);
    c.header('Access-Control-Allow-Credentials', 'true');
    c.header('Vary', 'Origin');
  };

  const handle = (operation: 'encode' | 'decode') => async (c: Context) => {
    corsHeaders(c);
    const found = await findSession(deps.em(), getCookie(c, SESSION_COOKIE));
    if (!found) throw new AppError(401, 'unauthenticated', 'Sign in to the dashboard in this browser to see decoded Temporal payloads.');
    if (!fromUi(c)) {
      throw new AppError(403, 'origin_not_allowed', 'The codec endpoint answers the Temporal UI configured in TEMPORAL_UI_URL only.');
    }
    if (found.user.mustChangePassword) {
      throw new AppError(403, 'password_change_required', 'Change the generated first password in the dashboard before decoding Temporal payloads.');
    }
    if (!can(found.user.role, 'temporal.decode')) {
      throw new AppError(403, 'forbidden', `Decoding Temporal payloads needs the admin role; you are signed in as ${found.user.role}.`);
    }
    const body = await readJson(c, codecRequestSchema);
    const payloads = body.payloads.map(fromWire);
    try {
      const result = operation === 'decode' ? await deps.temporal.payloadCodec.decode(payloads) : await deps.temporal.payloadCodec.encode(payloads);
      return c.json({ payloads: result.map(toWire) } satisfies CodecRequest, 200);
    } catch (error) {
      if (error instanceof PayloadDecryptionError) throw new AppError(422, 'payload_undecodable', error.message);
      throw error;
    }
  };

  return new Hono()
    .options('/:operation{encode|decode}', (c) => {
      if (!fromUi(c)) return c.body(null, 403);
      corsHeaders(c);
      c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      c.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    })
    .post('/decode', handle('decode'))
    .post('/encode', handle('encode'));
}

/** A protocol payload (base64) as the SDK's Payload (bytes). */
function fromWire(payload: CodecRequest['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

/** The SDK's Payload as a protocol payload. */
function toWire(payload: Payload): CodecRequest['payloads'][number] {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
