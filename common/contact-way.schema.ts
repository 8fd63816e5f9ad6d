import { z } from 'zod';
import { charCount, utf8Bytes } from './form-errors.ts';

/**
 * Channel codes 「联系我」 (WeCom doc 92228): one schema for the dashboard's form and the API, so the
 * form shows exactly the errors the API (and WeCom) would give. Issue messages are codes
 * (common/form-errors.ts); CONTACT_WAY_ERROR_TEXT says them in English for API answers.
 */

/** Seconds in a day. */
export const DAY_SECONDS = 86_400;
/** WeCom's cap on a temporary code's QR validity and session validity: 14 days. */
export const MAX_TEMP_SECONDS = 14 * DAY_SECONDS;
/** WeCom's defaults when a temporary code leaves them out: QR 7 days, session 24 hours. */
export const DEFAULT_EXPIRES_IN = 7 * DAY_SECONDS;
/** Default temporary-session validity. */
export const DEFAULT_CHAT_EXPIRES_IN = DAY_SECONDS;
/** At most this many members (users, departments) on one code (WeCom 41041). */
export const MAX_MEMBERS = 100;
/** Placeholders a welcome template may use, filled by the onboarding workflow. */
export const WELCOME_VARIABLES = ['{name}', '{staff}', '{channel}', '{consent}'] as const;

/** English text of every validation code, for API error messages. */
export const CONTACT_WAY_ERROR_TEXT = {
  type_invalid: 'type is 1 (single person) or 2 (several people)',
  scene_invalid: 'scene is 1 (mini-program button) or 2 (QR code)',
  style_invalid: 'style is a whole number ≥ 1 (mini-program control style)',
  remark_too_long: 'the remark is at most 30 characters',
  state_too_long: 'the state (channel label) is at most 30 characters',
  state_invalid: 'the state may not contain spaces or control characters',
  user_invalid: 'each member is a WeCom UserID',
  party_invalid: 'each department is a positive department id',
  single_needs_one_user: 'a single-person code (type 1) takes exactly one member and no department',
  multi_needs_members: 'a multi-person code (type 2) needs at least one member or department',
  too_many_users: 'at most 100 members on one code',
  too_many_parties: 'at most 100 departments on one code',
  temp_single_only: 'a temporary-session code must be single-person (type 1) with exactly one member',
  temp_only: 'this applies to temporary-session codes only',
  expires_in_invalid: 'the QR validity is a whole number of seconds, at least 1',
  expires_in_too_long: 'the QR validity of a temporary code is at most 14 days',
  chat_expires_in_invalid: 'the session validity is a whole number of seconds, at least 1',
  chat_expires_in_too_long: 'the temporary session lasts at most 14 days',
  unionid_invalid: 'the unionid is at most 64 characters',
  conclusion_text_too_long: 'the closing text is at most 4000 bytes (about 1333 Chinese characters)',
  conclusion_one_attachment: 'the closing message takes only one of image, link or mini-program',
  conclusion_empty: 'the closing message needs text or an attachment',
  conclusion_image_invalid: 'the closing image needs a media_id or a pic_url',
  conclusion_link_invalid: 'the closing link needs a title (≤ 128 bytes) and an http(s) url',
  conclusion_miniprogram_invalid: 'the closing mini-program needs a title, pic_media_id, appid and page',
  welcome_too_long: 'the welcome message is at most 4000 bytes',
  state_taken: 'another channel code of this clinic already uses this state',
} as const satisfies Record<string, string>;

/** One validation code of the channel-code form. */
export type ContactWayErrorCode = keyof typeof CONTACT_WAY_ERROR_TEXT;

const code = (error: ContactWayErrorCode) => ({ error });
const httpUrl = /^https?:\/\/\S+$/;

/** The closing message (结束语) of a temporary session, in WeCom's own shape. */
export const conclusionsInputSchema = z
  .object({
    text: z.object({ content: z.string().refine((v) => utf8Bytes(v) <= 4000, code('conclusion_text_too_long')) }).optional(),
    image: z.object({ media_id: z.string().trim().optional(), pic_url: z.string().trim().optional() })
      .refine((v) => Boolean(v.media_id) || Boolean(v.pic_url && httpUrl.test(v.pic_url)), code('conclusion_image_invalid'))
      .optional(),
    link: z.object({
      title: z.string().trim().min(1, code('conclusion_link_invalid')).refine((v) => utf8Bytes(v) <= 128, code('conclusion_link_invalid')),
      picurl: z.string().trim().optional(),
      desc: z.string().trim().optional(),
      url: z.string().trim().regex(httpUrl, code('conclusion_link_invalid')),
    }).optional(),
    miniprogram: z.object({
      title: z.string().trim().min(1, code('conclusion_miniprogram_invalid')),
      pic_media_id: z.string().trim().min(1, code('conclusion_miniprogram_invalid')),
      appid: z.string().trim().min(1, code('conclusion_miniprogram_invalid')),
      page: z.string().trim().min(1, code('conclusion_miniprogram_invalid')),
    }).optional(),
  })
  .superRefine((value, ctx) => {
    const attachments = [value.image, value.link, value.miniprogram].filter(Boolean).length;
    // WeCom would silently keep one (image > link > miniprogram); refusing says so before it surprises anyone.
    if (attachments > 1) ctx.addIssue({ code: 'custom', message: 'conclusion_one_attachment', path: [] });
    if (attachments === 0 && !value.text?.content) ctx.addIssue({ code: 'custom', message: 'conclusion_empty', path: [] });
  });
/** A closing message. */
export type ConclusionsInput = z.infer<typeof conclusionsInputSchema>;

const seconds = (invalid: ContactWayErrorCode, tooLong: ContactWayErrorCode) =>
  z.number({ error: invalid }).int(code(invalid)).min(1, code(invalid)).max(MAX_TEMP_SECONDS, code(tooLong)).nullable().optional();

/**
 * Body of `POST /api/contact-ways` and `PUT /api/contact-ways/:id`: every parameter of
 * add_contact_way (camelCase), plus the welcome message the onboarding workflow sends for it.
 */
export const contactWayInputSchema = z
  .object({
    type: z.union([z.literal(1), z.literal(2)], code('type_invalid')),
    scene: z.union([z.literal(1), z.literal(2)], code('scene_invalid')),
    style: z.number({ error: 'style_invalid' }).int(code('style_invalid')).min(1, code('style_invalid')).nullable().optional(),
    remark: z.string().trim().refine((v) => charCount(v) <= 30, code('remark_too_long')).optional(),
    skipVerify: z.boolean().default(true),
    state: z.string().trim()
      .refine((v) => charCount(v) <= 30, code('state_too_long'))
      // The state travels in callbacks and becomes a lead source (`wework_<state>`) and a tag: keep it one token.
      .refine((v) => !/[\s\u0000-\u001f]/.test(v), code('state_invalid'))
      .optional(),
    users: z.array(z.string().trim().min(1, code('user_invalid')).max(64, code('user_invalid'))).max(MAX_MEMBERS, code('too_many_users')).default([]),
    parties: z.array(z.number().int(code('party_invalid')).positive(code('party_invalid'))).max(MAX_MEMBERS, code('too_many_parties')).default([]),
    isTemp: z.boolean().default(false),
    expiresIn: seconds('expires_in_invalid', 'expires_in_too_long'),
    chatExpiresIn: seconds('chat_expires_in_invalid', 'chat_expires_in_too_long'),
    unionid: z.string().trim().max(64, code('unionid_invalid')).optional(),
    isExclusive: z.boolean().default(false),
    conclusions: conclusionsInputSchema.nullable().optional(),
    welcomeText: z.string().refine((v) => utf8Bytes(v) <= 4000, code('welcome_too_long')).nullable().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.type === 1 && (value.users.length !== 1 || value.parties.length > 0)) {
      ctx.addIssue({ code: 'custom', message: value.isTemp ? 'temp_single_only' : 'single_needs_one_user', path: ['users'] });
    }
    if (value.type === 2 && value.users.length + value.parties.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'multi_needs_members', path: ['users'] });
    }
    if (value.isTemp && value.type !== 1) ctx.addIssue({ code: 'custom', message: 'temp_single_only', path: ['isTemp'] });
    if (!value.isTemp) {
      for (const field of ['expiresIn', 'chatExpiresIn', 'conclusions'] as const) {
        if (value[field] !== undefined && value[field] !== null) ctx.addIssue({ code: 'custom', message: 'temp_only', path: [field] });
      }
      if (value.unionid) ctx.addIssue({ code: 'custom', message: 'temp_only', path: ['unionid'] });
    }
  });
/** What the channel-code form sends. */
export type ContactWayInput = z.input<typeof contactWayInputSchema>;
/** A validated channel code, defaults applied. */
export type ContactWayParsed = z.output<typeof contactWayInputSchema>;

/**
 * Per-code figures: relationships added through it and lost (since it was made, or on the days of
 * a range), net = added − lost, and leads from its channel (source `wework_<state>`) made then.
 */
export const contactWayFiguresSchema = z.object({ added: z.number().int(), lost: z.number().int(), leads: z.number().int(), net: z.number().int() });

/** One channel code as the dashboard sees it (the QR image comes through `/api/contact-ways/:id/qr.png`). */
export const contactWayViewSchema = z.object({
  id: z.number().int(),
  configId: z.string(),
  type: z.number().int(),
  scene: z.number().int(),
  style: z.number().int().nullable(),
  remark: z.string().nullable(),
  skipVerify: z.boolean(),
  state: z.string().nullable(),
  users: z.array(z.string()),
  parties: z.array(z.number()),
  isTemp: z.boolean(),
  expiresIn: z.number().int().nullable(),
  chatExpiresIn: z.number().int().nullable(),
  unionid: z.string().nullable(),
  isExclusive: z.boolean(),
  conclusions: z.record(z.string(), z.unknown()).nullable(),
  welcomeText: z.string().nullable(),
  hasQrCode: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  figures: contactWayFiguresSchema,
});
/** One channel code. */
export type ContactWayView = z.infer<typeof contactWayViewSchema>;

const dayOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use the date format YYYY-MM-DD' });

/** Columns the channel-code list sorts by: the figures, and when the code was made. */
export const CONTACT_WAY_SORTS = ['createdAt', 'added', 'lost', 'net', 'leads'] as const;

/**
 * Query of `GET /api/contact-ways`: search (remark or state), sort, and the clinic days the figures
 * count (without a range: since each code was made).
 */
export const contactWayListQuerySchema = z.object({
  q: z.string().trim().max(30).optional().transform((value) => (value ? value : undefined)),
  sort: z.enum(CONTACT_WAY_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  from: dayOnly.optional(),
  to: dayOnly.optional(),
}).refine((q) => (q.from === undefined) === (q.to === undefined), { error: 'give both from and to, or neither', path: ['from'] })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { error: 'from must not be after to', path: ['from'] });
/** Query of `GET /api/contact-ways`. */
export type ContactWayListQuery = z.input<typeof contactWayListQuerySchema>;

/** Body of `GET /api/contact-ways`. */
export const contactWayListSchema = z.object({
  items: z.array(contactWayViewSchema),
  /** True when WECOM_API_BASE is the simulator, so "simulate a scan" can work (development only). */
  simulateScanAvailable: z.boolean(),
});
/** The channel-code list. */
export type ContactWayList = z.infer<typeof contactWayListSchema>;

/**
 * The channel tag (渠道/<remark or state>) a save made sure of in WeCom; `inWeCom: false` when WeCom
 * refused it then (the code is saved; the first customer's onboarding makes the tag instead).
 */
export const channelTagOutcomeSchema = z.object({ group: z.string(), name: z.string(), inWeCom: z.boolean() });
/** What a save did about the channel tag. */
export type ChannelTagOutcome = z.infer<typeof channelTagOutcomeSchema>;

/** Body of `GET /api/contact-ways/:id`, `POST` and `PUT` (the last two add `channelTag`, null for a code without a state). */
export const contactWayResponseSchema = z.object({ contactWay: contactWayViewSchema, channelTag: channelTagOutcomeSchema.nullable().optional() });
/** What a save answers: the code, and whether its channel tag (渠道/<name>) exists in WeCom yet. */
export type ContactWaySaved = z.infer<typeof contactWayResponseSchema>;

/** Staff who may be put on a code (WeCom's get_follow_user_list), with names when synced. */
export const contactWayMembersSchema = z.object({ members: z.array(z.object({ userid: z.string(), name: z.string().nullable() })) });

/** Body of `POST /api/contact-ways/:id/simulate-scan`. */
export const simulateScanRequestSchema = z.object({ customerName: z.string().trim().max(64).optional() });
/** Answer of a simulated scan: who "scanned", and which staff member they added. */
export const simulateScanResultSchema = z.object({ externalUserId: z.string(), userId: z.string(), customerName: z.string() });
/** Answer of a simulated scan. */
export type SimulateScanResult = z.infer<typeof simulateScanResultSchema>;

/** Body of `DELETE /api/contact-ways/:id`. */
export const contactWayDeletedSchema = z.object({ ok: z.literal(true) });

/**
 * Fills a welcome template: the onboarding workflow's message and the editor's preview. `{consent}`
 * is the customer's own consent page (SPEC §5: marketing only after they grant it there).
 */
export function previewWelcome(template: string, values: { name: string; staff: string; channel: string; consent: string }): string {
  return template.replaceAll('{name}', values.name).replaceAll('{staff}', values.staff).replaceAll('{channel}', values.channel).replaceAll('{consent}', values.consent);
}
