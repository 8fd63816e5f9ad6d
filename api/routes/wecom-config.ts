import { randomBytes, randomInt } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  saveWecomConfigRequestSchema, WECOM_CONFIG_ERROR_TEXT,
  type ConnectionTestResult, type ConnectionTestStep, type MaskedSecret, type WecomConfigView,
} from '../../common/wecom-config.schema.ts';
import type { WeComAccess } from '../../activities/wecom-access.ts';
import { AuditLog } from '../../db/entities/index.ts';
import type { IWeworkConfig } from '../../db/entities/wework-config.entity.ts';
import type { SecretBox } from '../../db/secret-box.ts';
import { saveWeworkCredentials } from '../../db/wework-config.store.ts';
import { findWeworkConfigRow, WeworkNotConfiguredError } from '../../db/wework-token.store.ts';
import { WeComApiError, WeComTransportError } from '../../wecom/errors.ts';
import { redactText } from '../../logging/redact.ts';
import { recordAudit } from '../auth/audit.ts';
import { AppError } from '../errors.ts';
import { clientInfo, requirePermission, type AuthEnv } from '../middleware/auth.ts';
import { readCodedJson } from '../validation.ts';

/** What the WeCom configuration routes need from the composition root. */
export interface WecomConfigDeps {
  em: () => EntityManager;
  /** Seals and opens the stored secrets (APP_SECRET_KEY). */
  box: SecretBox;
  /** WECOM_API_BASE, shown on the page so an admin sees whether the product talks to WeCom or the simulator. */
  wecomApiBase: string;
  /** A WeCom client over the shared access token, built fresh from the stored credentials. */
  wecom: () => Promise<WeComAccess>;
}

/** Where WeCom must POST its callbacks (SPEC §3). */
export const CALLBACK_PATH = '/api/wework/callback';

/** Shorter secrets are not hinted at all: their last four characters would give too much away. */
const MIN_LENGTH_FOR_HINT = 12;

/** Set or not for everyone; the last four characters only for `withHint` (admins, who rotate the secrets). */
function mask(box: SecretBox, sealed: string | null | undefined, withHint: boolean): MaskedSecret {
  if (!sealed) return { set: false, hint: null };
  const value = box.open(sealed);
  return { set: value.length > 0, hint: withHint && value.length >= MIN_LENGTH_FOR_HINT ? `••••••••${value.slice(-4)}` : null };
}

/** The public origin of this request, honouring a reverse proxy's X-Forwarded-* headers. */
function publicOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(/:$/, '');
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || c.req.header('host') || url.host;
  return `${proto}://${host}`;
}

async function lastTest(em: EntityManager): Promise<ConnectionTestResult | null> {
  const entry = await em.findOne(AuditLog, { action: 'wecom_config.test' }, { orderBy: { id: 'desc' } });
  if (!entry) return null;
  const details = entry.details as { ok?: boolean; steps?: ConnectionTestStep[] };
  return { ok: details.ok === true, testedAt: entry.createdAt.toISOString(), testedBy: entry.actorUsername ?? null, steps: details.steps ?? [] };
}

async function configView(c: Context<AuthEnv>, deps: WecomConfigDeps, row: IWeworkConfig | null): Promise<WecomConfigView> {
  const withHint = c.get('auth').user.role === 'admin';
  return {
    configured: Boolean(row?.corpId && row.corpSecretSealed),
    corpId: row?.corpId ?? null,
    agentId: row?.agentId ?? null,
    corpSecret: mask(deps.box, row?.corpSecretSealed, withHint),
    token: mask(deps.box, row?.tokenSealed, withHint),
    encodingAesKey: mask(deps.box, row?.encodingAesKeySealed, withHint),
    callbackUrl: `${publicOrigin(c)}${CALLBACK_PATH}`,
    apiBase: deps.wecomApiBase,
    accessToken: { present: Boolean(row?.accessTokenSealed), expiresAt: row?.accessTokenExpiresAt?.toISOString() ?? null },
    lastTest: await lastTest(deps.em()),
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 43 characters that decode (with '=') to 32 random bytes, without + or / as WeCom's console makes them. */
export function generateEncodingAesKey(): string {
  for (;;) {
    const key = randomBytes(32).toString('base64').slice(0, 43);
    if (/^[A-Za-z0-9]{43}$/.test(key)) return key;
  }
}

function generateToken(length = 32): string {
  return Array.from({ length }, () => ALNUM[randomInt(ALNUM.length)]).join('');
}

/** A failed step's errcode and fix, from the one errcode table (wecom/errors.ts). */
function failedStep(step: ConnectionTestStep['step'], error: unknown): ConnectionTestStep {
  if (error instanceof WeComApiError) {
    return { step, ok: false, skipped: false, errcode: error.errcode, fix: error.messages, detail: error.errmsg || null };
  }
  if (error instanceof WeworkNotConfiguredError) {
    return { step, ok: false, skipped: false, errcode: null, fix: error.messages, detail: null };
  }
  if (error instanceof WeComTransportError) {
    return {
      step, ok: false, skipped: false, errcode: null, detail: error.message,
      fix: {
        zh: '无法连接企业微信服务器：请检查本服务器能否访问 WECOM_API_BASE（网络、代理、防火墙）',
        en: 'WeCom could not be reached: check that this server can reach WECOM_API_BASE (network, proxy, firewall).',
      },
    };
  }
  // An unexpected error goes back to the admin's browser: never with a URL query or a credential in it.
  const message = redactText(error instanceof Error ? error.message : String(error));
  return { step, ok: false, skipped: false, errcode: null, detail: message, fix: { zh: `出现意外错误：${message}`, en: `Unexpected error: ${message}` } };
}

const skipped = (step: ConnectionTestStep['step']): ConnectionTestStep => ({ step, ok: false, skipped: true, errcode: null, fix: null, detail: null });

/**
 * "Test connection": the stored credentials are read (credentials), a fresh access token is fetched
 * with them through the shared token store (gettoken: 40001 = wrong Secret…), then a customer-contact
 * API is called (permission: 48002 = app not allowed, 60020 = server IP not trusted).
 */
async function testConnection(deps: WecomConfigDeps): Promise<ConnectionTestStep[]> {
  let access: WeComAccess;
  try {
    access = await deps.wecom();
  } catch (error) {
    return [failedStep('credentials', error), skipped('gettoken'), skipped('permission')];
  }
  const steps: ConnectionTestStep[] = [{ step: 'credentials', ok: true, skipped: false, errcode: null, fix: null, detail: null }];
  try {
    // Forced: the point is to prove the stored Secret works now, not that a cached token still lives.
    await access.tokens.getToken({ forceRefresh: true });
    steps.push({ step: 'gettoken', ok: true, skipped: false, errcode: null, fix: null, detail: null });
  } catch (error) {
    return [...steps, failedStep('gettoken', error), skipped('permission')];
  }
  try {
    const staff = await access.api.customer.followUserList();
    steps.push({ step: 'permission', ok: true, skipped: false, errcode: null, fix: null, detail: `get_follow_user_list: ${staff.length}` });
  } catch (error) {
    steps.push(failedStep('permission', error));
  }
  return steps;
}

/**
 * `/api/wecom/config`: the masked configuration (every role), saving it, generating callback keys
 * and testing the connection (admins only). No answer ever carries the Secret, Token or AES key.
 */
export function wecomConfigRoutes(deps: WecomConfigDeps) {
  return new Hono<AuthEnv>()
    .get('/', requirePermission('wecom.config.view'), async (c) => {
      return c.json(await configView(c, deps, await findWeworkConfigRow(deps.em())), 200);
    })
    .put('/', requirePermission('wecom.config.manage'), async (c) => {
      const input = await readCodedJson(c, saveWecomConfigRequestSchema, WECOM_CONFIG_ERROR_TEXT);
      const em = deps.em();
      const row = await findWeworkConfigRow(em);
      // Write-only fields: empty keeps what is stored; with nothing stored they are required.
      const keep = (given: string | undefined, sealed: string | undefined, field: string, missing: keyof typeof WECOM_CONFIG_ERROR_TEXT) => {
        if (given) return given;
        if (sealed) return deps.box.open(sealed);
        throw new AppError(400, missing, `${field}: ${WECOM_CONFIG_ERROR_TEXT[missing]}`, { field });
      };
      const next = {
        corpId: input.corpId,
        agentId: input.agentId,
        corpSecret: keep(input.corpSecret, row?.corpSecretSealed, 'corpSecret', 'secret_required'),
        token: keep(input.token, row?.tokenSealed, 'token', 'token_required'),
        encodingAesKey: keep(input.encodingAesKey, row?.encodingAesKeySealed, 'encodingAesKey', 'aes_key_required'),
      };
      const changed = [
        ...(row?.corpId !== next.corpId ? ['corpId'] : []),
        ...(row?.agentId !== next.agentId ? ['agentId'] : []),
        ...(!row || deps.box.open(row.corpSecretSealed) !== next.corpSecret ? ['Secret'] : []),
        ...(!row || deps.box.open(row.tokenSealed) !== next.token ? ['callback Token'] : []),
        ...(!row || deps.box.open(row.encodingAesKeySealed) !== next.encodingAesKey ? ['EncodingAESKey'] : []),
      ];
      await saveWeworkCredentials(em, deps.box, next);
      const actor = c.get('auth').user;
      // Names of what changed, never the values.
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'wecom_config.update', target: { type: 'wecom_config', id: next.corpId },
        details: { corpId: next.corpId, agentId: next.agentId, changed }, ip: clientInfo(c).ip,
      });
      return c.json(await configView(c, deps, await findWeworkConfigRow(deps.em())), 200);
    })
    .post('/generate-aes-key', requirePermission('wecom.config.manage'), (c) => {
      return c.json({ encodingAesKey: generateEncodingAesKey(), token: generateToken() }, 200);
    })
    .post('/test', requirePermission('wecom.config.manage'), async (c) => {
      const steps = await testConnection(deps);
      const ok = steps.every((step) => step.ok);
      const actor = c.get('auth').user;
      await recordAudit(deps.em(), {
        actor: { id: actor.id, username: actor.username }, action: 'wecom_config.test', target: { type: 'wecom_config', id: 'connection' },
        details: { ok, steps }, ip: clientInfo(c).ip,
      });
      const result: ConnectionTestResult = { ok, testedAt: new Date().toISOString(), testedBy: actor.username, steps };
      return c.json(result, 200);
    });
}
