import { z } from 'zod';
import { campaignCronProblem } from './campaign-cron.ts';
import { isTimeZone } from './clinic-time.ts';
import type { FailureReason, SkipReason, TermHit } from './compliance.ts';
import { isCalendarDay, isoInstant } from './iso-instant.ts';

/**
 * SPEC §3's campaign contract: field names, statuses and shapes here are relied on by external
 * clients; change them only additively.
 */

/** A day as YYYY-MM-DD (a longer ISO-8601 time counts by its date): a day the calendar has. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected an ISO-8601 date (YYYY-MM-DD)').refine((value) => {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  return isCalendarDay(year, month, day);
}, 'no such day in the calendar (YYYY-MM-DD)');

/**
 * Reads an object's null fields as absent: JSON libraries (Jackson, Gson, Newtonsoft) write an
 * optional field nobody set as `null`, and SPEC §3's optional fields mean "not given" either way.
 */
function nullsAsAbsent<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null))
    : value), schema);
}

/** Who receives a campaign; `{}` means every customer with an active relationship. */
export const audienceSchema = nullsAsAbsent(z.object({
  segmentId: z.number().int().positive().optional(),
  /** Tag names, any of. */
  tags: z.array(z.string().min(1)).max(100).optional(),
  excludeTags: z.array(z.string().min(1)).max(100).optional(),
  /** Channel `state`s, any of. */
  channels: z.array(z.string().min(1)).max(100).optional(),
  /** Follow-up staff UserIDs, any of. */
  staff: z.array(z.string().min(1)).max(1000).optional(),
  addedFrom: isoDate.optional(),
  addedTo: isoDate.optional(),
  birthdayMonth: z.number().int().min(1).max(12).optional(),
  /** "No visit in N days": no visit or purchase in the last N days (or none recorded). */
  noConsumptionDays: z.number().int().min(1).max(3650).optional(),
  /** Customer tiers (分层), any of. */
  tiers: z.array(z.enum(['new', 'active', 'dormant', 'lost'])).max(4).optional(),
  /** Only these customers (the customer page's 发送消息: an audience of one). */
  externalUserIds: z.array(z.string().min(1)).max(1000).optional(),
}).strict());
/** A campaign's audience filter. */
export type Audience = z.infer<typeof audienceSchema>;

/** Where an image uploaded through the builder is served (signed in); its URL is `<PUBLIC_URL>/api/campaign-media/<id>`. */
export const CAMPAIGN_MEDIA_PATH = '/api/campaign-media/';

/** The stored image an attachment URL names (`…/api/campaign-media/<id>`), or null for any other URL. */
export function campaignMediaId(url: string): number | null {
  const match = /\/api\/campaign-media\/(\d+)$/.exec(url);
  return match ? Number(match[1]) : null;
}

/** The most attachments add_msg_template takes. */
export const MAX_ATTACHMENTS = 9;

/** One attachment as the campaign API takes it (at most 9). */
export const campaignAttachmentSchema = nullsAsAbsent(z.discriminatedUnion('type', [
  z.object({ type: z.literal('image'), url: z.url() }),
  z.object({ type: z.literal('link'), title: z.string().min(1).max(128), url: z.url(), desc: z.string().max(512).optional(), picurl: z.url().optional() }),
  z.object({ type: z.literal('miniprogram'), appid: z.string().min(1), page: z.string().min(1), title: z.string().min(1).max(64), picUrl: z.url() }),
]));
/** One campaign attachment. */
export type CampaignAttachment = z.infer<typeof campaignAttachmentSchema>;

/** What the customer reads: text (≤ 4000 bytes, as WeCom takes it) plus up to 9 attachments. */
export const contentSchema = nullsAsAbsent(z.object({
  text: z.string().min(1).refine((s) => new TextEncoder().encode(s).length <= 4000, 'text exceeds 4000 bytes'),
  attachments: z.array(campaignAttachmentSchema).max(MAX_ATTACHMENTS).optional(),
}));
/** A campaign's content. */
export type Content = z.infer<typeof contentSchema>;

/** Absent = draft until launched; `{ at }` once; `{ cron, timezone? }` recurring. */
export const scheduleSchema = nullsAsAbsent(z.union([
  z.object({ at: isoInstant('schedule.at must be an ISO-8601 time with an offset, e.g. 2026-12-03T10:00:00+08:00') }).strict(),
  z.object({
    cron: z.string().max(100).superRefine((cron, context) => {
      const problem = campaignCronProblem(cron);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
    timezone: z.string().refine(isTimeZone, { error: 'timezone must be an IANA time zone such as Asia/Shanghai' }).optional(),
  }).strict(),
]));
/** A campaign's schedule. */
export type Schedule = z.infer<typeof scheduleSchema>;

/** A recurring schedule (`{ cron }`): its campaign fires again and again, and pauses as a whole. */
export function isRecurring(schedule: Schedule | null | undefined): schedule is Extract<Schedule, { cron: string }> {
  return Boolean(schedule && 'cron' in schedule);
}

/** POST /api/campaigns (`schedule: null` is a draft, as an absent one). */
export const createCampaignSchema = nullsAsAbsent(z.object({
  name: z.string().trim().min(1).max(100),
  audience: audienceSchema,
  content: contentSchema,
  schedule: scheduleSchema.optional(),
}));

/** PATCH /api/campaigns/:id (draft or scheduled only); `schedule: null` removes the schedule. */
export const updateCampaignSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  audience: audienceSchema.optional(),
  content: contentSchema.optional(),
  schedule: scheduleSchema.nullable().optional(),
});

/** SPEC §3 campaign statuses. */
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed'] as const;
/** One campaign status. */
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Recipient figures of a campaign's latest run (SPEC §3). */
export type CampaignCounts = { audience: number; skipped: number; submitted: number; confirmed: number; delivered: number; failed: number; clicked: number };

/** One staff member's share of a run, for the per-staff progress view. */
export type StaffProgress = {
  sender: string; planned: number; submitted: number; confirmed: number; delivered: number; failed: number;
  batches: number; batchesConfirmed: number; reminders: number;
};

/** GET /api/campaigns/:id. */
export type CampaignView = {
  id: number; name: string; status: CampaignStatus; audience: Audience; content: Content; schedule: Schedule | null;
  version: number; counts: CampaignCounts; skippedByReason: Partial<Record<SkipReason, number>>; failedByReason: Partial<Record<FailureReason, number>>;
  termHits: TermHit[]; runId: number | null; runs: number; staff: StaffProgress[]; temporalUrl: string | null;
  createdAt: string; updatedAt: string; launchedAt: string | null; finishedAt: string | null;
};

/** GET /api/campaigns query. */
export const campaignListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(CAMPAIGN_STATUSES).optional(),
});

/** POST /api/campaigns/audience-preview. */
export const audiencePreviewSchema = z.object({ audience: audienceSchema });

/** One customer of an audience sample. */
export type AudienceSampleRow = { externalUserId: string; name: string | null; avatar: string | null; consented: boolean };

/** POST /api/campaigns/audience-preview answer: `consented` is how many may receive marketing. */
export type AudiencePreview = { count: number; consented: number; sample: AudienceSampleRow[] };

/** POST /api/consents (a bulk import from the clinic's records). */
export const consentImportSchema = nullsAsAbsent(z.object({
  externalUserIds: z.array(z.string().min(1).max(64)).min(1).max(1000),
  marketing: z.enum(['granted', 'withdrawn']),
  source: z.string().trim().min(1).max(64),
  evidence: z.string().max(2000).optional(),
}));

/**
 * `POST /api/customers/:externalUserId/messages`: 发送消息 from a customer's page. `messageClass`
 * 'care' (post-treatment follow-up, an appointment's practical details) needs no marketing
 * consent but honours a care opt-out; 'marketing' (the default) needs consent, as a campaign does.
 */
export const directSendSchema = z.object({
  content: contentSchema, sender: z.string().min(1).optional(), messageClass: z.enum(['marketing', 'care']).default('marketing'),
});

/** Input of sendRunWorkflow: ids only; timings overridable for tests and benchmarks. */
export type SendRunInput = {
  runId: number;
  /** How often staff confirmation and results are polled (default 5 minutes). */
  trackEveryMs?: number;
  /** Remind unconfirmed senders this long after submission (default 2 hours). */
  remindAfterMs?: number;
  /** Results are kept polling until this long after submission (default 3 days). */
  windowMs?: number;
  /** Activities per workflow run before continuing as new (default 300; tests lower it). */
  activitiesPerRun?: number;
  /**
   * ISO instant after which nothing of this run is worth sending (an appointment's start): a
   * batch not yet submitted is not, and tasks staff have not confirmed are withdrawn then.
   */
  cancelAt?: string;
  /** Carried across continue-as-new. */
  paused?: boolean;
  cancelled?: boolean;
};

/** Input of campaignRunWorkflow (one fire of a campaign, from launch or its Schedule). */
export type CampaignRunInput = { campaignId: number; send?: Omit<SendRunInput, 'runId'> };

/** Names of sendRunWorkflow's Updates and Query (defined zod-free, for workflows). */
export { SEND_RUN_HANDLERS } from './workflow-handler-names.ts';

/**
 * Customer tiers (分层) by recency of the last visit or purchase: new (first one within 30 days,
 * or none yet and added within 30 days), active (last within 90 days), dormant (90–180 days),
 * lost (over 180 days, or never in over 30 days since being added).
 */
export const CUSTOMER_TIERS = ['new', 'active', 'dormant', 'lost'] as const;
/** A customer tier (分层). */
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/** POST /api/consumptions: visits and purchases from a booking system, HIS or a spreadsheet. */
export const consumptionImportSchema = z.object({
  source: z.string().trim().min(1).max(64),
  /** Preview only: what would match and what would not, nothing written. */
  dryRun: z.boolean().optional(),
  records: z.array(z.object({
    externalUserId: z.string().min(1).max(64),
    kind: z.enum(['visit', 'purchase']),
    occurredAt: isoInstant('occurredAt must be an ISO-8601 time with an offset, e.g. 2026-12-03T15:00:00+08:00'),
    amountYuan: z.number().min(0).max(10_000_000).optional(),
    project: z.string().max(100).optional(),
    externalRef: z.string().min(1).max(128),
  })).min(1).max(1000),
});

/** One checked row of a consumption spreadsheet (`POST /api/consumptions/import`): its customer, values, and the first error. */
export type ConsumptionImportRow = {
  line: number; key: string;
  match: { customerId: number; externalUserId: string; name: string | null; by: 'external_id' | 'remark' | 'phone' } | null;
  kind: 'visit' | 'purchase' | null; occurredAt: string | null; amountYuan: number | null; project: string | null; externalRef: string;
  /** missing_key, no_match, ambiguous, invalid_date, invalid_amount, invalid_kind, too_long, duplicate; null = importable. */
  error: string | null;
};

/** `POST /api/consumptions/import` answer: every row checked; `imported` > 0 only when applied. */
export type ConsumptionImportResult = { rows: ConsumptionImportRow[]; matched: number; errors: number; imported: number; applied: boolean };
