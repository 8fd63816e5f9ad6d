import { z } from 'zod';

/**
 * The WeCom configuration page's contract. Secrets (Secret, callback Token, EncodingAESKey) are
 * write-only: the API answers whether each is set and, for long ones, its last four characters.
 * Issue messages are codes (common/form-errors.ts); WECOM_CONFIG_ERROR_TEXT says them in English.
 */

/** English text of every validation code below, for API error messages. */
export const WECOM_CONFIG_ERROR_TEXT = {
  corp_id_required: 'the CorpID is required (My Company → Company Info → Corp ID)',
  corp_id_invalid: 'the CorpID has only letters, digits, _ and - (at most 64)',
  agent_id_invalid: 'the AgentID is the app\'s numeric AgentId (App Management → app details)',
  secret_required: 'the Secret is required the first time',
  secret_invalid: 'the Secret has no spaces and at most 128 characters',
  token_required: 'the callback Token is required the first time',
  token_invalid: 'the callback Token is 3–32 letters or digits',
  aes_key_required: 'the EncodingAESKey is required the first time',
  aes_key_invalid: 'the EncodingAESKey is exactly 43 letters or digits',
} as const satisfies Record<string, string>;

/** One validation code of the configuration form. */
export type WecomConfigErrorCode = keyof typeof WECOM_CONFIG_ERROR_TEXT;

const optionalSecret = (pattern: RegExp, code: WecomConfigErrorCode) =>
  z.string().trim().refine((value) => value === '' || pattern.test(value), { error: code }).optional();

/**
 * Body of `PUT /api/wecom/config`. An empty (or absent) Secret, Token or EncodingAESKey keeps the
 * stored one, so the form never needs to know them; the API requires them when nothing is stored.
 */
export const saveWecomConfigRequestSchema = z.object({
  corpId: z.string({ error: 'corp_id_required' }).trim().min(1, { error: 'corp_id_required' }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'corp_id_invalid' }),
  agentId: z.string({ error: 'agent_id_invalid' }).trim().regex(/^\d{1,20}$/, { error: 'agent_id_invalid' }),
  corpSecret: optionalSecret(/^\S{1,128}$/, 'secret_invalid'),
  // WeCom's admin console: the Token is letters or digits, at most 32.
  token: optionalSecret(/^[A-Za-z0-9]{3,32}$/, 'token_invalid'),
  // 43 characters of the base64 alphabet without + and /, as WeCom generates them.
  encodingAesKey: optionalSecret(/^[A-Za-z0-9]{43}$/, 'aes_key_invalid'),
});
/** What the configuration form sends. */
export type SaveWecomConfigRequest = z.input<typeof saveWecomConfigRequestSchema>;

/** A write-only value as the API shows it: set or not, and a masked hint such as `••••••••a1b2`. */
export const maskedSecretSchema = z.object({ set: z.boolean(), hint: z.string().nullable() });
/** A write-only value as shown. */
export type MaskedSecret = z.infer<typeof maskedSecretSchema>;

/** A message in both dashboard languages (WeCom's errcode advice from wecom/errors.ts). */
export const bilingualSchema = z.object({ zh: z.string(), en: z.string() });

/** The steps "test connection" runs, in order. */
export const CONNECTION_TEST_STEPS = ['credentials', 'gettoken', 'permission'] as const;

/** One step of a connection test: ok, or the errcode and what to fix. */
export const connectionTestStepSchema = z.object({
  step: z.enum(CONNECTION_TEST_STEPS),
  ok: z.boolean(),
  /** Skipped because an earlier step failed. */
  skipped: z.boolean().default(false),
  errcode: z.number().int().nullable(),
  /** What went wrong and what to change, in both languages; null when ok. */
  fix: bilingualSchema.nullable(),
  /** Extra facts (e.g. how many staff have customer contact). */
  detail: z.string().nullable(),
});
/** One step of a connection test. */
export type ConnectionTestStep = z.infer<typeof connectionTestStepSchema>;

/** Result of `POST /api/wecom/config/test` (also kept as the last test). */
export const connectionTestResultSchema = z.object({
  ok: z.boolean(),
  testedAt: z.string(),
  testedBy: z.string().nullable(),
  steps: z.array(connectionTestStepSchema),
});
/** Result of a connection test. */
export type ConnectionTestResult = z.infer<typeof connectionTestResultSchema>;

/** Body of `GET /api/wecom/config` (and of a successful PUT): never a secret in clear. */
export const wecomConfigViewSchema = z.object({
  configured: z.boolean(),
  corpId: z.string().nullable(),
  agentId: z.string().nullable(),
  corpSecret: maskedSecretSchema,
  token: maskedSecretSchema,
  encodingAesKey: maskedSecretSchema,
  /** The URL to paste into WeCom's admin console (接收消息 → 设置API接收). */
  callbackUrl: z.string(),
  /** WECOM_API_BASE: qyapi.weixin.qq.com or the simulator. */
  apiBase: z.string(),
  accessToken: z.object({ present: z.boolean(), expiresAt: z.string().nullable() }),
  lastTest: connectionTestResultSchema.nullable(),
  updatedAt: z.string().nullable(),
});
/** The WeCom configuration as the dashboard may see it. */
export type WecomConfigView = z.infer<typeof wecomConfigViewSchema>;

/** Body of `POST /api/wecom/config/generate-aes-key`. */
export const generatedCallbackKeysSchema = z.object({ encodingAesKey: z.string().length(43), token: z.string() });
/** Fresh callback keys for the "generate" buttons. */
export type GeneratedCallbackKeys = z.infer<typeof generatedCallbackKeysSchema>;
